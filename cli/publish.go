package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"time"

	"github.com/spf13/cobra"

	"plantrack/plan"
	"plantrack/reports"
	"plantrack/store"
)

// publishOptions are the flags of plantrack publish.
type publishOptions struct {
	db, period, name, date string
}

func newPublishCmd(e *env) *cobra.Command {
	opts := publishOptions{db: store.DefaultPath}
	cmd := &cobra.Command{
		Use:   "publish --period P --name NAME [--date D]",
		Short: "Freeze every figure the pages of a period show as a named edition",
		Long: `Publish an edition: every figure the pages of the period show (white paper, county
comparison, briefing, unit pages, summary.xlsx) is frozen under NAME, with the database's
fingerprint and the ingest batches and review imports it rests on, in one transaction.
plantrack report --edition NAME renders those pages again, byte for byte, whatever was
ingested or reviewed since; plantrack diff --edition NAME lists every figure that differs
now and the rows that changed it. Names are unique.`,
		Example: `  plantrack publish --period 2021Q4 --name 2021年度白皮书 --date 2022-03-20`,
		Args:    exactArgs(0, "no arguments"),
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runPublish(cmd.Context(), e, opts)
		},
	}
	cmd.Flags().StringVar(&opts.db, "db", opts.db, "database file")
	cmd.Flags().StringVar(&opts.period, "period", "", "the period whose pages are published (2021Q4, 2021年第四季度; default: the latest reported)")
	cmd.Flags().StringVar(&opts.name, "name", "", "the edition's name, unique (required)")
	cmd.Flags().StringVar(&opts.date, "date", "", "publication date, printed on the pages (default: the latest 填报日期 in the data)")
	return cmd
}

func runPublish(ctx context.Context, e *env, opts publishOptions) error {
	if opts.name == "" {
		return usageErrorf("--name NAME is required")
	}
	date := ""
	if opts.date != "" {
		var err error
		if date, err = reportDate(opts.date); err != nil {
			return err
		}
	}
	if _, err := os.Stat(opts.db); errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("no database at %s: run plantrack ingest (or plantrack demo) first, or pass --db", store.Shown(opts.db))
	}
	db, err := store.Open(ctx, opts.db)
	if err != nil {
		return err
	}
	defer db.Close()
	p, err := dbPeriod(ctx, db, opts.period)
	if err != nil {
		return err
	}
	return publishEdition(ctx, e, db, p, opts.name, date)
}

// publishEdition publishes the pages of period p as the edition name, dated date (the
// latest 填报日期 in the data when "").
func publishEdition(ctx context.Context, e *env, db *store.DB, p plan.Period, name, date string) error {
	d, err := reports.Load(ctx, db.DB, string(p), date)
	if err != nil {
		return err
	}
	n, err := publishData(ctx, db, d, name)
	if err != nil {
		return err
	}
	printPublished(e.stdout, d, name, n)
	return nil
}

// publishData publishes d, the pages of its period, as the edition name, and returns how
// many figures it holds.
func publishData(ctx context.Context, db *store.DB, d *reports.Data, name string) (int, error) {
	pages, err := reports.Frozen(d)
	if err != nil {
		return 0, err
	}
	fp, batches, reviews, err := db.Fingerprint(ctx)
	if err != nil {
		return 0, err
	}
	published, err := time.Parse(time.DateOnly, d.BuildDate)
	if err != nil {
		published = time.Now().UTC()
	}
	var figures []store.EditionFigure
	for _, f := range reports.Figures(d) {
		figures = append(figures, store.EditionFigure{View: f.View, Key: f.Key, Metric: f.Metric, Value: f.Value})
	}
	err = db.Publish(ctx, store.Edition{Name: name, Period: d.Period, PublishedOn: published, Fingerprint: fp,
		Batches: batches, Reviews: reviews, Pages: pages}, figures)
	if errors.Is(err, store.ErrEditionExists) {
		return 0, usageErrorf("%v: choose another --name", err)
	}
	return len(figures), err
}

// printPublished says that d was published as the edition name with n figures.
func printPublished(w io.Writer, d *reports.Data, name string, n int) {
	fmt.Fprintf(w, "published 《%s》: %s, %d figures, completion %s\n", name, d.Period, n, reports.Pct(d.Overall.Rate))
}
