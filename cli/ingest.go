package cli

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/schollz/progressbar/v3"
	"github.com/spf13/cobra"
	"golang.org/x/term"

	"plantrack/ingest"
	"plantrack/plan"
	"plantrack/receipt"
	"plantrack/store"
	"plantrack/transform"
)

// maxShownRejections bounds the rejections printed; all of them are in rejected_rows.
const maxShownRejections = 50

// ingestOptions are the flags of plantrack ingest.
type ingestOptions struct {
	db       string
	plan     plan.Files
	strict   bool
	receipts string // folder for the receipts, "" for none
	period   string
	noBuild  bool
}

func newIngestCmd(e *env) *cobra.Command {
	opts := ingestOptions{db: store.DefaultPath}
	cmd := &cobra.Command{
		Use:   "ingest [--db FILE] PATH...",
		Short: "Read submissions (.csv .xlsx .json, files or folders) into the database",
		Long: `Read progress submissions into the database as one batch: every file and folder given
(folders recursively), committed whole or not at all.

CSV may be UTF-8 (with or without BOM) or GBK/GB18030; XLSX may have title rows and a
填报单位/填报日期 line above the header; JSON is an array of objects with the English keys.
Every row is accepted or stored in rejected_rows with its reason; rejections are printed
like compiler errors. A file already ingested (same content) adds nothing.

plantrack's own templates (plantrack template) are recognised by their hidden sheet, even
renamed: every row is the template unit's report for the template's period, a row on a
task the unit is not assigned is rejected, and a template for another plan is refused
whole, as is, with --period, a template for another period.

--receipts DIR writes, after the batch is committed, one receipt (回执) XLSX per input file
for the unit: rows accepted, rows rejected with the reason in Chinese next to what the unit
wrote, and the unit's tasks still missing for the period. Receipts mirror the input folders
(submissions/2021Q2/东阿县.xlsx → DIR/2021Q2/东阿县-回执.xlsx); the same database and files
give the same receipts.

After the batch, the metric tables are rebuilt (plantrack build); --no-build skips that,
to load several batches in a row and build once at the end. Until then the metric views
refuse to answer rather than answer from older rows.`,
		Example: `  plantrack ingest submissions/2021Q2
  plantrack ingest --period 2021Q2 --receipts receipts/2021Q2 collected/2021Q2
  plantrack ingest --db city.duckdb --strict 东阿县.xlsx 市司法局.csv`,
		Args: func(_ *cobra.Command, args []string) error {
			if len(args) == 0 {
				return usageErrorf("want at least one PATH (a file or folder of submissions)")
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			return runIngest(cmd.Context(), e, opts, args)
		},
	}
	cmd.Flags().StringVar(&opts.db, "db", opts.db, "database file")
	cmd.Flags().BoolVar(&opts.strict, "strict", false, "write nothing, and exit 2, if any row is rejected")
	cmd.Flags().BoolVar(&opts.noBuild, "no-build", false, "do not rebuild the metric tables after the batch (run plantrack build later)")
	cmd.Flags().StringVar(&opts.receipts, "receipts", "", "write a receipt (回执) XLSX per input file into `DIR`")
	cmd.Flags().StringVar(&opts.period, "period", "", "the period being collected (2021Q2, 2021年第二季度): a template for another period is refused")
	planFlags(cmd, &opts.plan)
	return cmd
}

func runIngest(ctx context.Context, e *env, opts ingestOptions, paths []string) error {
	var given *plan.Bundle
	if opts.plan != (plan.Files{}) {
		var err error
		if given, err = loadGoodPlan(e, opts.plan); err != nil {
			return err
		}
	}
	db, err := store.Open(ctx, opts.db)
	if err != nil {
		return err
	}
	defer db.Close()
	y, err := ingestYears(ctx, e, db, given)
	if err != nil {
		return err
	}
	var period plan.Period
	if opts.period != "" {
		if period, err = yearsPeriod(y, opts.period); err != nil {
			return err
		}
	}
	opt := ingest.Options{Strict: opts.strict, Log: e.log, Progress: progressBar(e.stderr), BeforeCommit: faultHook(), Period: period}
	sum, err := ingest.Ingest(ctx, db, y, paths, opt)
	if sum != nil {
		printRejections(e.stderr, sum.Rejections)
		printSummary(e.stdout, sum, err == nil, e.verbose)
	}
	if err != nil {
		return err
	}
	// The stored models are rebuilt once the batch is committed (inside its transaction
	// DuckDB reads the new rows several times slower). Until they are, the metric views
	// refuse to answer rather than answer from older rows.
	build := !opts.noBuild
	if opts.noBuild {
		fmt.Fprintln(e.stdout, "metric tables not rebuilt (--no-build): run plantrack build before reading them")
		// Receipts read the models' missing_tasks (from the rows themselves, fresh or not):
		// a database never built gets the models once.
		if opts.receipts != "" {
			built, err := transform.Built(ctx, db.DB)
			if err != nil {
				return err
			}
			build = !built
		}
	}
	if build {
		if err := transform.Apply(ctx, db); err != nil {
			if sum.BatchID > 0 {
				return afterCommitErrorf("batch %d is committed, but building the metric tables failed (run plantrack build): %w", sum.BatchID, err)
			}
			return err
		}
	}
	if opts.receipts == "" {
		return nil
	}
	ins := receiptInputs(paths, sum, opts.receipts)
	if err := receipt.Write(ctx, db.DB, ins, receipt.Options{Period: period}); err != nil {
		if sum.BatchID > 0 {
			return afterCommitErrorf("batch %d is committed, but writing the receipts failed (run the same ingest again: it adds nothing and writes them): %w", sum.BatchID, err)
		}
		return err
	}
	fmt.Fprintf(e.stdout, "wrote %d receipts (回执) to %s\n", len(ins), opts.receipts)
	return nil
}

// printRejections prints the rejections like compiler errors, one line each whatever the
// files hold (store.Rejection.String quotes names with control characters).
func printRejections(w io.Writer, rs []store.Rejection) {
	for i, r := range rs {
		if i == maxShownRejections {
			fmt.Fprintf(w, "… and %d more rejected (SELECT * FROM rejected_rows shows them all)\n", len(rs)-i)
			break
		}
		fmt.Fprintln(w, r)
	}
}

// printSummary prints what the batch did. Every path and note is one line whatever the
// file names hold: names are store.Shown (quoted when they hold a newline, an escape or
// another control character), reasons and notes have their control characters escaped.
func printSummary(w io.Writer, s *ingest.Summary, ok, verbose bool) {
	for _, sk := range s.Skipped {
		fmt.Fprintf(w, "skipped %s: %s\n", store.Shown(sk.Path), store.ShownText(sk.Reason))
	}
	for _, d := range s.Duplicates {
		fmt.Fprintf(w, "already ingested %s: same content as %s (batch %d)\n", store.Shown(d.Path), store.Shown(d.Previous), d.BatchID)
	}
	notes := 0
	for _, f := range s.Files {
		for _, n := range f.Notes {
			notes++
			if verbose {
				fmt.Fprintf(w, "%s: %s\n", store.Shown(f.Path), store.ShownText(n))
			}
		}
	}
	if notes > 0 && !verbose {
		fmt.Fprintf(w, "%d sheets hold no header row (instructions, notes) and were not read; -v lists them\n", notes)
	}
	rejectedFiles := 0
	for _, f := range s.Files {
		if f.WholeFileRejected {
			rejectedFiles++
		}
	}
	var b strings.Builder
	switch {
	case len(s.Files) == 0:
		b.WriteString("nothing new to ingest")
	case !ok:
		b.WriteString("nothing written")
	default:
		fmt.Fprintf(&b, "batch %d", s.BatchID)
	}
	fmt.Fprintf(&b, ": %d files read", len(s.Files))
	if rejectedFiles > 0 {
		fmt.Fprintf(&b, " (%d rejected whole)", rejectedFiles)
	}
	fmt.Fprintf(&b, ", %d duplicate, %d skipped; %d rows: %d accepted, %d rejected, %d superseded",
		len(s.Duplicates), len(s.Skipped), s.RowsRead, s.Accepted, s.Rejected, s.Superseded)
	if s.SkippedRows > 0 {
		fmt.Fprintf(&b, "; %d note/total rows skipped", s.SkippedRows)
	}
	fmt.Fprintln(w, b.String())
}

// progressBar draws a bar on a terminal for runs long enough to need one.
func progressBar(w io.Writer) func(done, total int64) {
	f, ok := w.(*os.File)
	if !ok || !term.IsTerminal(int(f.Fd())) {
		return nil
	}
	var bar *progressbar.ProgressBar
	return func(done, total int64) {
		if bar == nil {
			if total < 32<<20 {
				return
			}
			bar = progressbar.NewOptions64(total, progressbar.OptionSetWriter(w), progressbar.OptionShowBytes(true),
				progressbar.OptionSetDescription("ingest"), progressbar.OptionThrottle(100*time.Millisecond), progressbar.OptionClearOnFinish())
		}
		bar.Set64(done)
	}
}

// faultHook lets tests stop an ingest with its batch complete but not committed:
// PLANTRACK_TEST_PAUSE_BEFORE_COMMIT=FILE makes it create FILE, then wait to be killed.
func faultHook() func() {
	marker := os.Getenv("PLANTRACK_TEST_PAUSE_BEFORE_COMMIT")
	if marker == "" {
		return nil
	}
	return func() {
		os.WriteFile(marker, []byte("ready\n"), 0o644)
		time.Sleep(time.Minute)
	}
}

// ingestYears are the plans an ingest checks reports against: every year's plan the
// database holds, with the plan given (--plan and its registry) added for its year, or
// replacing that year's when its text changed. A database with no plan at all starts
// with the built-in plan.
func ingestYears(ctx context.Context, e *env, db *store.DB, given *plan.Bundle) (*plan.Years, error) {
	stored, err := db.Plans(ctx)
	if err != nil {
		return nil, err
	}
	if given == nil && len(stored) == 0 {
		if given, err = loadGoodPlan(e, plan.Files{}); err != nil {
			return nil, err
		}
	}
	var plans []*plan.Bundle
	for _, s := range stored {
		switch {
		case given != nil && s.Year == given.Catalog.Year:
			if s.ID != given.SHA256 {
				e.log.Info("plan replaced", "year", s.Year, "was", s.ID[:12], "now", given.SHA256[:12])
			}
		case s.Bundle != nil:
			plans = append(plans, s.Bundle)
		default:
			// Kept by an earlier plantrack, without its files: the built-in plan is the
			// same text, or the office gives it again.
			b, err := plan.Builtin()
			if err != nil || b.SHA256 != s.ID {
				return nil, fmt.Errorf("the database's %d plan (%s, id %s) was stored without its files by an earlier plantrack: give it again with --plan FILE", s.Year, s.Title, s.ID[:12])
			}
			plans = append(plans, b)
		}
	}
	if given != nil {
		plans = append(plans, given)
	}
	return plan.NewYears(plans...)
}

// yearsPeriod reads an ingest --period flag: any way ingest reads a period, of a plan year.
func yearsPeriod(y *plan.Years, s string) (plan.Period, error) {
	p, err := plan.ParsePeriod(s)
	if err != nil {
		return "", usageErrorf("--period %q: %v", s, err)
	}
	if y.Year(p.Year()) == nil {
		return "", usageErrorf("--period %s: the database has plans for %s", p, y.List())
	}
	return p, nil
}

// planPeriod reads a --period flag: any way ingest reads a period, within the plan year.
func planPeriod(c *plan.Bundle, s string) (plan.Period, error) {
	p, err := plan.ParsePeriod(s)
	if err != nil {
		return "", usageErrorf("--period %q: %v", s, err)
	}
	if p.Year() != c.Catalog.Year {
		return "", usageErrorf("--period %s: the plan year is %d", p, c.Catalog.Year)
	}
	return p, nil
}

// receiptRel is where under the receipts folder a file's receipt goes: its path under the
// folder argument it was found in; a file given itself goes at the top.
func receiptRel(args []string, path string) string {
	dot := false
	for _, a := range args {
		root := filepath.ToSlash(filepath.Clean(a))
		switch {
		case root == path:
			return filepath.Base(path)
		case root == ".":
			dot = true
		default:
			if r, ok := strings.CutPrefix(path, root+"/"); ok {
				return r
			}
		}
	}
	if dot && !strings.HasPrefix(path, "../") && !filepath.IsAbs(path) {
		return path // found under the working folder
	}
	return filepath.Base(path)
}

// receiptInputs names a receipt for every file ingest read or found already ingested: the
// input's path under the folder argument it was found in, under dir.
func receiptInputs(args []string, sum *ingest.Summary, dir string) []receipt.Input {
	var ins []receipt.Input
	for _, f := range sum.Files {
		ins = append(ins, receipt.Input{Path: f.Path, SHA256: f.SHA256})
	}
	for _, d := range sum.Duplicates {
		ins = append(ins, receipt.Input{Path: d.Path, SHA256: d.SHA256})
	}
	// A unit's spreadsheet in a format plantrack does not read (.ods, .xls, .et) gets a
	// receipt saying what to do, or the unit would never hear of it.
	for _, s := range sum.Skipped {
		if s.ReasonZh != "" {
			ins = append(ins, receipt.Input{Path: s.Path, Refused: s.Reason, RefusedZh: s.ReasonZh})
		}
	}
	sort.Slice(ins, func(i, j int) bool { return ins[i].Path < ins[j].Path })
	used := map[string]bool{}
	for i := range ins {
		rel := receiptRel(args, ins[i].Path)
		out := filepath.Join(dir, filepath.FromSlash(filepath.ToSlash(filepath.Dir(rel))), receipt.Name(rel))
		base := strings.TrimSuffix(out, ".xlsx")
		for n := 2; used[out]; n++ {
			out = fmt.Sprintf("%s-%d.xlsx", base, n)
		}
		used[out] = true
		ins[i].Out = out
	}
	return ins
}
