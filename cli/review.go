package cli

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"plantrack/ingest"
	"plantrack/plan"
	"plantrack/review"
	"plantrack/store"
)

// reviewOptions are the flags of plantrack review.
type reviewOptions struct {
	db, period, out string
	units           []string
	sections        []string
}

// reviewImportOptions are the flags of plantrack review import.
type reviewImportOptions struct {
	db     string
	strict bool
}

func newReviewCmd(e *env) *cobra.Command {
	opts := reviewOptions{db: store.DefaultPath}
	cmd := &cobra.Command{
		Use:   "review --period P [--out FILE.xlsx] [--unit NAME]... [--section N]...",
		Short: "Write the review workbook (审核表) of a period's claims of completion; review import reads it back",
		Long: `Write the review workbook (审核表) of a period: one row per standing report (the report
that stands for its assignment at the period, as assignment_status shows it) that claims
completion (status 已完成, or 完成数量 reaching the task's numeric target), with its unit,
task, the claim (status, progress, 完成数量 against the target), 工作进展, 佐证材料 and the
file and row it came from. The reviewer fills 审核结果 (a drop-down: 通过 / 退回), 审核意见
and the 审核日期; everything else is locked. Hidden columns carry each row's report (its
key and lineage) and a hidden sheet the plan and period, so that plantrack review import
ties every decision to the exact report the reviewer saw. Rows already decided show the
decision. The page prints on A4 landscape; the same database and flags give the same file.

--period defaults to the latest period reported; FILE defaults to 审核表-PERIOD.xlsx.
--unit (name, alias or id; repeatable) and --section (3 or 三; repeatable) narrow it.

A returned claim (退回) does not count as completed; an unreviewed one counts unless the
rule require_review() in transform/models/010_rules.sql says otherwise.`,
		Example: `  plantrack review --period 2021Q2 --out 审核表-二季度.xlsx
  plantrack review --period 2021Q2 --unit 东阿县 --unit 冠县 --out 审核表-东阿冠县.xlsx
  plantrack review import 审核表-二季度.xlsx`,
		Args: exactArgs(0, "no arguments (review import FILE... reads workbooks back)"),
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runReview(cmd.Context(), e, opts)
		},
	}
	cmd.Flags().StringVar(&opts.db, "db", opts.db, "database file")
	cmd.Flags().StringVar(&opts.period, "period", "", "the period reviewed (2021Q2, 2021年第二季度; default: the latest reported)")
	cmd.Flags().StringVar(&opts.out, "out", "", "the workbook to write (default 审核表-PERIOD.xlsx)")
	cmd.Flags().StringArrayVar(&opts.units, "unit", nil, "only this unit (name, alias or id); repeat for more")
	cmd.Flags().StringArrayVar(&opts.sections, "section", nil, "only this section of the plan (3 or 三); repeat for more")
	cmd.AddCommand(newReviewImportCmd(e))
	return cmd
}

func newReviewImportCmd(e *env) *cobra.Command {
	opts := reviewImportOptions{db: store.DefaultPath}
	cmd := &cobra.Command{
		Use:   "import [--db FILE] [--strict] FILE...",
		Short: "Store the decisions of filled review workbooks (审核表) in the database",
		Long: `Read filled review workbooks and store each decision (通过 or 退回, also 同意/不同意,
approve/return) in the table reviews, tied to the exact report it judged, as one import
(review_batches): all of it or nothing. A row with an empty 审核结果 is not decided and is
skipped. A row is rejected, with its reason printed like a compiler message, when its
审核结果 is not a decision word, when the report it judged no longer stands (the unit sent
a newer report since: review that one in a new workbook), or when two rows decide one
report differently; a workbook made for another plan is rejected whole.

Importing a workbook again stores nothing new: a decision the report's latest review
already says adds nothing. A different decision on the same report is added and, being
the latest, decides. --strict stores nothing and exits 2 if anything is rejected.`,
		Example: `  plantrack review import 审核表-二季度.xlsx
  plantrack review import --strict 审核表-东阿冠县.xlsx 审核表-市直部门.xlsx`,
		Args: func(_ *cobra.Command, args []string) error {
			if len(args) == 0 {
				return usageErrorf("want one or more review workbooks (FILE.xlsx)")
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			return runReviewImport(cmd.Context(), e, opts, args)
		},
	}
	cmd.Flags().StringVar(&opts.db, "db", opts.db, "database file")
	cmd.Flags().BoolVar(&opts.strict, "strict", false, "store nothing and exit 2 if any row is rejected")
	return cmd
}

func runReview(ctx context.Context, e *env, opts reviewOptions) error {
	db, err := openExisting(ctx, opts.db)
	if err != nil {
		return err
	}
	defer db.Close()
	p, err := dbPeriod(ctx, db, opts.period)
	if err != nil {
		return err
	}
	spec := review.Spec{Period: p}
	var scope []string
	var names []string
	for _, u := range opts.units {
		id, name, err := reviewUnit(ctx, db, u)
		if err != nil {
			return err
		}
		spec.Units = append(spec.Units, id)
		names = append(names, name)
	}
	if len(names) > 0 {
		scope = append(scope, strings.Join(names, "、"))
	}
	var secs []string
	for _, s := range opts.sections {
		no, title, err := reviewSection(ctx, db, p, s)
		if err != nil {
			return err
		}
		spec.Sections = append(spec.Sections, no)
		secs = append(secs, plan.Numeral(no)+"、"+title)
	}
	if len(secs) > 0 {
		scope = append(scope, strings.Join(secs, "、"))
	}
	spec.Scope = strings.Join(scope, "；")
	out := opts.out
	if out == "" {
		out = "审核表-" + string(p) + ".xlsx"
	}
	sum, err := review.Write(ctx, db.DB, out, spec)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "wrote %s: %s (%s), %d reports claiming completion from %d units (%d approved, %d returned so far)\n",
		store.Shown(out), p, p.Name(), sum.Rows, sum.Units, sum.Approved, sum.Returned)
	return nil
}

// reviewUnit finds a --unit: its id, canonical name or an alias (spaces and full-width
// forms aside).
func reviewUnit(ctx context.Context, db *store.DB, asked string) (id, name string, err error) {
	rows, err := db.QueryContext(ctx, "SELECT unit_id, unit_name, aliases FROM units ORDER BY sort_order")
	if err != nil {
		return "", "", err
	}
	defer rows.Close()
	want := plan.Fold(asked)
	for rows.Next() {
		var aliases []any
		if err := rows.Scan(&id, &name, &aliases); err != nil {
			return "", "", err
		}
		if id == asked || plan.Fold(name) == want {
			return id, name, nil
		}
		for _, a := range aliases {
			if plan.Fold(fmt.Sprint(a)) == want {
				return id, name, nil
			}
		}
	}
	if err := rows.Err(); err != nil {
		return "", "", err
	}
	return "", "", usageErrorf("--unit %q: no such unit in the registry", asked)
}

// reviewSection finds a --section of the period's plan: its number, 3 or 三 (第三部分).
func reviewSection(ctx context.Context, db *store.DB, p plan.Period, asked string) (int, string, error) {
	s := strings.TrimSuffix(strings.TrimPrefix(plan.Fold(asked), "第"), "部分")
	s = strings.TrimRight(s, "、.")
	no, err := strconv.Atoi(s)
	if err != nil {
		for n := 1; n < 100; n++ {
			if plan.Numeral(n) == s {
				no, err = n, nil
				break
			}
		}
	}
	if err != nil {
		return 0, "", usageErrorf("--section %q: want a section number, 3 or 三", asked)
	}
	var title string
	switch err := db.QueryRowContext(ctx, "SELECT section_title FROM sections WHERE plan_year = ? AND section_no = ?", p.Year(), no).Scan(&title); {
	case errors.Is(err, sql.ErrNoRows):
		return 0, "", usageErrorf("--section %q: the %d plan has no section %d", asked, p.Year(), no)
	case err != nil:
		return 0, "", err
	}
	return no, title, nil
}

func runReviewImport(ctx context.Context, e *env, opts reviewImportOptions, files []string) error {
	if _, err := os.Stat(opts.db); errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("no database at %s: run plantrack ingest (or plantrack demo) first, or pass --db", store.Shown(opts.db))
	}
	for _, f := range files {
		if _, err := os.Stat(f); err != nil {
			return err
		}
	}
	db, err := store.Open(ctx, opts.db)
	if err != nil {
		return err
	}
	defer db.Close()
	var wbs []*review.Workbook
	decided, undecided, returned := 0, 0, 0
	for _, f := range files {
		wb := review.Read(f)
		wbs = append(wbs, wb)
		decided += len(wb.Rows)
		undecided += wb.Undecided
		for _, r := range wb.Rows {
			if r.Decision == plan.DecisionReturned {
				returned++
			}
		}
	}
	reviews, problems, err := review.Check(ctx, db.DB, wbs)
	if err != nil {
		return err
	}
	printReviewProblems(e.stderr, problems)
	if opts.strict && len(problems) > 0 {
		return fmt.Errorf("%w (%d rejected)", ingest.ErrRejected, len(problems))
	}
	res, err := db.ImportReviews(ctx, len(files), int64(len(problems)), reviews)
	if err != nil {
		return err
	}
	var b strings.Builder
	if res.BatchID > 0 {
		fmt.Fprintf(&b, "review import %d", res.BatchID)
	} else {
		b.WriteString("review import: nothing new")
	}
	fmt.Fprintf(&b, ": %d files; %d rows decided (%d 通过, %d 退回), %d not decided; %d stored, %d unchanged; %d rejected",
		len(files), decided, decided-returned, returned, undecided, res.Added, res.Unchanged, len(problems))
	fmt.Fprintln(e.stdout, b.String())
	return nil
}

// printReviewProblems prints what a review import rejected, like ingest's rejections: the
// file, sheet, row, column and value, the reason, its code and the Chinese sentence.
func printReviewProblems(w io.Writer, ps []store.Rejection) {
	for i, p := range ps {
		if i == maxShownRejections {
			fmt.Fprintf(w, "… and %d more rejected\n", len(ps)-i)
			return
		}
		fmt.Fprintf(w, "%s [%s] %s\n", p, p.Code, store.ShownText(p.ReasonZh))
	}
}
