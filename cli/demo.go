package cli

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"plantrack/ingest"
	"plantrack/receipt"
	"plantrack/reports"
	"plantrack/sample"
	"plantrack/store"
	"plantrack/transform"
)

func newDemoCmd(e *env) *cobra.Command {
	out := "out"
	seed := int64(sample.DefaultSeed)
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
			c, err := loadGoodCatalog(e, planFiles{})
			if err != nil {
				return err
			}
			subDir := filepath.Join(out, "submissions")
			dbPath := filepath.Join(out, "plantrack.duckdb")
			tmplDir, receiptDir := filepath.Join(out, "templates"), filepath.Join(out, "receipts")
			for _, p := range []string{subDir, dbPath, dbPath + ".wal", tmplDir, receiptDir} {
				if err := os.RemoveAll(p); err != nil {
					return err
				}
			}
			start := time.Now()
			stage := func(name string) {
				e.log.Info("demo", "stage", name, "elapsed", time.Since(start).Round(time.Millisecond))
				start = time.Now()
			}
			man, err := sample.Generate(subDir, c.Catalog, c.reg, c.assignments, sample.Options{Seed: seed})
			if err != nil {
				return fmt.Errorf("generate samples: %w", err)
			}
			fmt.Fprintf(e.stdout, "%s: %d 个部分, %d 项任务, %d 项分工\n", c.Title, len(c.Sections), len(c.Tasks), len(c.assignments))
			fmt.Fprintf(e.stdout, "generated %d sample files in %s\n", len(man.Files), subDir)
			stage("generate")
			tmplUnits, err := templateRound(cmd.Context(), c, man, subDir, tmplDir)
			if err != nil {
				return fmt.Errorf("template round: %w", err)
			}
			fmt.Fprintf(e.stdout, "%d units (%s) answered with their templates from %s\n", len(tmplUnits), strings.Join(tmplUnits, "、"), tmplDir)

			stage("templates")
			db, err := store.Open(cmd.Context(), dbPath)
			if err != nil {
				return err
			}
			defer db.Close()
			sum, err := ingest.Ingest(cmd.Context(), db, c.ingestPlan(), []string{subDir}, ingest.Options{Log: e.log})
			if err != nil {
				return err
			}
			if err := transform.Apply(cmd.Context(), db); err != nil {
				return err
			}
			stage("ingest and transform")
			printRejections(e.stderr, sum.Rejections)
			printSummary(e.stdout, sum, true, e.verbose)
			// The receipts and the reports read the committed batch and write their own
			// files: they are made together.
			ins := receiptInputs([]string{subDir}, sum, receiptDir)
			receipts := make(chan error, 1)
			go func() { receipts <- receipt.Write(cmd.Context(), db.DB, ins, receipt.Options{}) }()
			var metrics strings.Builder
			err = printMetrics(cmd.Context(), &metrics, db.DB)
			var d *reports.Data
			var pages []reports.Page
			if err == nil {
				d, pages, err = reports.Render(cmd.Context(), db.DB, out, reports.Options{})
			}
			stage("metrics and reports")
			if rerr := <-receipts; rerr != nil {
				return rerr
			}
			if err != nil {
				return err
			}
			stage("receipts")
			fmt.Fprintf(e.stdout, "wrote %d receipts (回执) to %s\n", len(ins), receiptDir)
			fmt.Fprint(e.stdout, metrics.String())
			fmt.Fprintf(e.stdout, "\ndatabase: %s (try: plantrack sql --db %s 'SELECT * FROM completion_by_unit')\n", dbPath, dbPath)
			fmt.Fprintf(e.stdout, "reports: %d pages for %s\n", len(pages), d.Period)
			abs, err := filepath.Abs(filepath.Join(out, "index.html"))
			if err != nil {
				return err
			}
			fmt.Fprintln(e.stdout, abs)
			return nil
		},
	}
	cmd.Flags().StringVar(&out, "out", out, "folder for the sample submissions, the database and the reports")
	cmd.Flags().Int64Var(&seed, "seed", seed, "sample generator seed")
	return cmd
}
