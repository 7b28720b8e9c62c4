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
	db, out string
}

func newExportCmd(e *env) *cobra.Command {
	opts := exportOptions{db: store.DefaultPath}
	cmd := &cobra.Command{
		Use:   "export [--db FILE] --out DIR",
		Short: "Write every table and metric view as Parquet files",
		Long: `Write the fact tables (submissions, rejected_rows, …), the catalog tables and every
metric view (at the latest period) to DIR/NAME.parquet, through Arrow, rows in a fixed
order so the same database gives the same files.`,
		Args: exactArgs(0, "no arguments (the folder is --out)"),
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runExport(cmd.Context(), e, opts)
		},
	}
	cmd.Flags().StringVar(&opts.db, "db", opts.db, "database file")
	cmd.Flags().StringVar(&opts.out, "out", "", "folder for the Parquet files")
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
	return db.Export(ctx, opts.out, append(append([]string{}, store.Tables...), views...), func(name string, n int64) {
		fmt.Fprintf(e.stdout, "%s.parquet\t%d rows\n", name, n)
	})
}
