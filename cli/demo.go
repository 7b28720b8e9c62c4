package cli

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"golang.org/x/sync/errgroup"

	"plantrack/data"
	"plantrack/ingest"
	"plantrack/plan"
	"plantrack/receipt"
	"plantrack/reports"
	"plantrack/review"
	"plantrack/sample"
	"plantrack/store"
	"plantrack/transform"
	"plantrack/word"
)

// demoOptions are the flags of plantrack demo.
type demoOptions struct {
	out   string
	seed  int64
	years int // 1: the Liaocheng 2021 year; 2: and a second year against the demo's 2022 plan
}

func newDemoCmd(e *env) *cobra.Command {
	opts := demoOptions{out: "out", seed: sample.DefaultSeed, years: 2}
	cmd := &cobra.Command{
		Use:   "demo [--out DIR]",
		Short: "Run the whole job on the built-in Liaocheng 2021 plan and a generated sample year",
		Long: `Run the whole job on the built-in Liaocheng 2021 plan: generate a realistic year of
submissions (CSV in UTF-8 and GBK, XLSX, JSON, with the habits of real offices) into
DIR/submissions, ingest them into DIR/plantrack.duckdb, print the headline numbers, and
write the reports (DIR/index.html and the pages it links).
The same seed always gives the same files. An existing DIR/plantrack.duckdb is replaced.`,
		Args: exactArgs(0, "no arguments"),
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runDemo(cmd.Context(), e, opts)
		},
	}
	cmd.Flags().StringVar(&opts.out, "out", opts.out, "folder for the sample submissions, the database and the reports")
	cmd.Flags().Int64Var(&opts.seed, "seed", opts.seed, "sample generator seed")
	cmd.Flags().IntVar(&opts.years, "years", opts.years, "years of sample reports: 1 (Liaocheng 2021) or 2 (and 2022 against a second plan, compared with 2021)")
	return cmd
}

func runDemo(ctx context.Context, e *env, opts demoOptions) error {
	if opts.years != 1 && opts.years != 2 {
		return usageErrorf("--years %d: want 1 or 2", opts.years)
	}
	c, err := loadGoodPlan(e, plan.Files{})
	if err != nil {
		return err
	}
	plans := []*plan.Bundle{c}
	if opts.years == 2 {
		// A second year, against a second plan in the other common layout: the pages of
		// its quarters compare with the same quarter of the first.
		next, err := plan.Embedded(data.DemoPlan)
		if err != nil {
			return err
		}
		if err := reportProblems(e.stderr, next.Problems); err != nil {
			return fmt.Errorf("%s: %w", data.DemoPlan, err)
		}
		plans = append(plans, next)
	}
	years, err := plan.NewYears(plans...)
	if err != nil {
		return err
	}
	subDir := filepath.Join(opts.out, "submissions")
	dbPath := filepath.Join(opts.out, "plantrack.duckdb")
	tmplDir, receiptDir := filepath.Join(opts.out, "templates"), filepath.Join(opts.out, "receipts")
	// The demo replaces its database, but never one another process is using: opening it
	// for writing first says whether one is (store.ErrBusy).
	if _, err := os.Stat(dbPath); err == nil {
		db, err := store.Open(ctx, dbPath)
		if errors.Is(err, store.ErrBusy) {
			return fmt.Errorf("demo would replace %s: %w", dbPath, err)
		}
		if err == nil {
			db.Close()
		}
	}
	for _, p := range []string{subDir, dbPath, dbPath + ".wal", tmplDir, receiptDir} {
		if err := os.RemoveAll(p); err != nil {
			return err
		}
	}
	start := time.Now()
	var browser func() (*reports.Browser, error)
	defer func() {
		if browser == nil {
			return
		}
		if b, err := browser(); err == nil {
			b.Close()
		}
	}()
	stage := func(name string) {
		e.log.Info("demo", "stage", name, "elapsed", time.Since(start).Round(time.Millisecond))
		start = time.Now()
	}
	var man sample.Manifest
	files := 0
	for i, p := range years.Plans {
		m, err := sample.Generate(subDir, p, sample.Options{Seed: opts.seed + int64(i)})
		if err != nil {
			return fmt.Errorf("generate samples: %w", err)
		}
		if i == 0 {
			man = m
		}
		files += len(m.Files)
		fmt.Fprintf(e.stdout, "%s: %d 个部分, %d 项任务, %d 项分工\n", p.Catalog.Title, len(p.Catalog.Sections), len(p.Catalog.Tasks), len(p.Assignments))
	}
	fmt.Fprintf(e.stdout, "generated %d sample files in %s\n", files, subDir)
	stage("generate")
	tmplUnits, err := sample.TemplateRound(ctx, c, man, subDir, tmplDir)
	if err != nil {
		return fmt.Errorf("template round: %w", err)
	}
	fmt.Fprintf(e.stdout, "%d units (%s) answered with their templates from %s\n", len(tmplUnits), strings.Join(tmplUnits, "、"), tmplDir)

	stage("templates")
	db, err := store.Open(ctx, dbPath)
	if err != nil {
		return err
	}
	defer db.Close()
	sum, err := ingest.Ingest(ctx, db, years, []string{subDir}, ingest.Options{Log: e.log})
	if err != nil {
		return err
	}
	if err := transform.Apply(ctx, db); err != nil {
		return err
	}
	stage("ingest and transform")
	// The browser that draws the Word documents' charts starts while the review round
	// and the pages are made (started at the beginning, it slowed the generator, which
	// keeps both cores busy, by a second).
	browser = browserSoon(ctx)
	printRejections(e.stderr, sum.Rejections)
	printSummary(e.stdout, sum, true, e.verbose)
	if len(years.Plans) > 1 {
		if err := demoReview(ctx, e, db, plan.PeriodOf(years.Plans[len(years.Plans)-1].Catalog.Year, 4), filepath.Join(opts.out, "review")); err != nil {
			return fmt.Errorf("review round: %w", err)
		}
		stage("review")
	}
	// The pages, the receipts and the Word documents' charts read the committed batch
	// and write their own files: they are made together, the browser drawing the charts
	// while the pages and the receipts are written, the first year read and the edition
	// published.
	var bg errgroup.Group
	defer bg.Wait() // on an early return, nothing outlives the database or the browser
	ins := receiptInputs([]string{subDir}, sum, receiptDir)
	bg.Go(func() error { return receipt.Write(ctx, db.DB, ins, receipt.Options{}) })
	d, err := reports.Load(ctx, db.DB, "", "")
	if err != nil {
		return err
	}
	var images map[string]reports.Image
	bg.Go(func() error {
		b, _ := browser() // nil when it did not start: wordCharts tries again and says why
		drawn, err := wordCharts(ctx, e, b, d)
		images = drawn
		return err
	})
	pages, err := reports.Write(ctx, d, opts.out)
	if err != nil {
		return err
	}
	stage("reports")
	// Both years' headline numbers, the later with its change since the year before.
	shown := []*reports.Data{d}
	if len(years.Plans) > 1 {
		first, err := reports.Load(ctx, db.DB, string(plan.PeriodOf(c.Catalog.Year, 4)), "")
		if err != nil {
			return err
		}
		shown = []*reports.Data{first, d}
	}
	stage("headline numbers")
	// The year's white paper, published: its figures never move.
	figures := 0
	if len(years.Plans) > 1 {
		if figures, err = publishData(ctx, db, d, demoEdition); err != nil {
			return err
		}
		stage("publish")
	}
	if err := bg.Wait(); err != nil {
		return err
	}
	stage("receipts and charts")
	fmt.Fprintf(e.stdout, "wrote %d receipts (回执) to %s\n", len(ins), receiptDir)
	// The white paper, the briefing and the county 通报 in Word, from the same data.
	docs, err := word.Write(d, opts.out, word.Options{Charts: images})
	if err != nil {
		return err
	}
	stage("word documents")
	fmt.Fprintf(e.stdout, "wrote %d Word documents (%s) to %s\n", len(docs), strings.Join(word.Files, ", "), opts.out)
	for _, h := range shown {
		if err := reports.WriteHeadline(e.stdout, h); err != nil {
			return err
		}
	}
	if len(years.Plans) > 1 {
		printPublished(e.stdout, d, demoEdition, figures)
	}
	fmt.Fprintf(e.stdout, "\ndatabase: %s (try: plantrack sql --db %s 'SELECT * FROM completion_by_unit')\n", dbPath, dbPath)
	fmt.Fprintf(e.stdout, "reports: %d pages for %s\n", len(pages), d.Period)
	abs, err := filepath.Abs(filepath.Join(opts.out, "index.html"))
	if err != nil {
		return err
	}
	fmt.Fprintln(e.stdout, abs)
	return nil
}

// demoEdition is the name the two-year demo publishes its latest quarter under.
const demoEdition = "演示版白皮书"

// demoReview is a review round of a period, as the office does it: the review workbook of
// the claims of completion is written into dir, the reviewer approves them but every
// seventh, which goes back with a comment, and the decisions are imported.
func demoReview(ctx context.Context, e *env, db *store.DB, p plan.Period, dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	blank := filepath.Join(dir, "审核表-"+string(p)+".xlsx")
	f, sum, err := review.Build(ctx, db.DB, review.Spec{Period: p})
	if err != nil {
		return err
	}
	defer f.Close()
	if err := f.SaveAs(blank); err != nil {
		return err
	}
	keys, err := review.Keys(f)
	if err != nil {
		return err
	}
	entries := map[review.Key]review.Entry{}
	for i, k := range keys {
		entries[k] = review.Entry{Decision: "通过"}
		if i%7 == 6 {
			entries[k] = review.Entry{Decision: "退回", Comment: "佐证材料不足：请补充会议纪要或活动照片后重新报送"}
		}
	}
	end := p.End()
	if err := review.Fill(f, end.AddDate(0, 0, 20), entries); err != nil {
		return err
	}
	done := filepath.Join(dir, "审核表-"+string(p)+"-已审核.xlsx")
	if err := f.SaveAs(done); err != nil {
		return err
	}
	reviews, problems, err := review.Check(ctx, db.DB, []*review.Workbook{review.Read(done)})
	if err != nil {
		return err
	}
	if len(problems) > 0 {
		return fmt.Errorf("%v", problems[0])
	}
	res, err := db.ImportReviews(ctx, 1, 0, reviews)
	if err != nil {
		return err
	}
	returned := 0
	for _, r := range reviews {
		if r.Decision == string(plan.DecisionReturned) {
			returned++
		}
	}
	fmt.Fprintf(e.stdout, "review of %s: %d claims of completion in %s, %d approved, %d returned (review import %d)\n",
		p, sum.Rows, done, len(reviews)-returned, returned, res.BatchID)
	return nil
}
