package cli

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"

	"plantrack/store"
	"plantrack/transform"
)

// exportOptions are the flags of plantrack export.
type exportOptions struct {
	db, out   string
	partition bool
}

func newExportCmd(e *env) *cobra.Command {
	opts := exportOptions{db: store.DefaultPath}
	cmd := &cobra.Command{
		Use:   "export [--db FILE] --out DIR [--partition]",
		Short: "Write every table and metric view as Parquet files",
		Long: `Write the fact tables (submissions, rejected_rows, …), the catalog tables and every
metric view (at the latest period) to DIR/NAME.parquet. DuckDB writes them itself
(COPY … TO … (FORMAT parquet), zstd, row groups of 122,880 rows), unsorted: each file
is written by one statement on one DuckDB thread, several at once (one per core), so the
same database gives the same bytes, a table's rows in the order it stores them and a
view's in the order its SQL gives them.
Whole or nothing: the files are written in a temporary folder in DIR and moved into place
when all are done; an export that fails leaves DIR as it was.

--partition writes the facts keyed by a quarter of a plan year as hive-style folders, the
form Spark, Trino and DuckDB read as one table, for pooling many provinces' years:
DIR/submissions/plan_year=2021/period=2021Q2/data_0.parquet (plan_year is the period's
year), DIR/reports/plan_year=…/period=…/ and DIR/assignment_history/plan_year=…/at_period=…/.
A file holds its folder's rows without the key columns, which a reader takes from the
folder names: read_parquet('DIR/submissions/**/*.parquet', hive_partitioning = true).
The folder replaces an older one as a whole. Everything else (rejected_rows, the catalog,
the other views) is one file as before.`,
		Args: exactArgs(0, "no arguments (the folder is --out)"),
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runExport(cmd.Context(), e, opts)
		},
	}
	cmd.Flags().StringVar(&opts.db, "db", opts.db, "database file")
	cmd.Flags().StringVar(&opts.out, "out", "", "folder for the Parquet files")
	cmd.Flags().BoolVar(&opts.partition, "partition", false, "write submissions, reports and assignment_history as hive-style folders plan_year=YYYY/period=YYYYQn/")
	return cmd
}

func runExport(ctx context.Context, e *env, opts exportOptions) error {
	if opts.out == "" {
		return usageErrorf("--out DIR is required")
	}
	db, err := openExisting(ctx, opts.db)
	if err != nil {
		return err
	}
	defer db.Close()
	views, err := transform.Views()
	if err != nil {
		return err
	}
	var parts map[string]store.Partitioning
	if opts.partition {
		parts = store.Partitioned
	}
	return db.ExportPartitioned(ctx, opts.out, append(append([]string{}, store.Tables...), views...), parts, func(name string, n int64) {
		if _, ok := parts[name]; ok {
			fmt.Fprintf(e.stdout, "%s/\t%d rows\n", name, n)
			return
		}
		fmt.Fprintf(e.stdout, "%s.parquet\t%d rows\n", name, n)
	})
}
