package cli

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"

	"plantrack/store"
	"plantrack/transform"
)

// buildOptions are the flags of plantrack build.
type buildOptions struct {
	db string
}

func newBuildCmd(e *env) *cobra.Command {
	opts := buildOptions{db: store.DefaultPath}
	cmd := &cobra.Command{
		Use:   "build [--db FILE]",
		Short: "(Re)build the metric tables and views from the SQL models (ingest does this too)",
		Long: `Apply the SQL models (transform/models/NNN_name.sql, built in) to the database: the stored
tables (reports ranked, the assignment history), views and table macros every report reads.
Ingest applies them after every batch; run build after upgrading plantrack, after an
ingest cut short, or after changing rows by hand (the views refuse to answer from tables
older than the rows).`,
		Args: exactArgs(0, "no arguments"),
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runBuild(cmd.Context(), e, opts)
		},
	}
	cmd.Flags().StringVar(&opts.db, "db", opts.db, "database file")
	return cmd
}

func runBuild(ctx context.Context, e *env, opts buildOptions) error {
	db, err := store.Open(ctx, opts.db)
	if err != nil {
		return err
	}
	defer db.Close()
	if err := transform.Apply(ctx, db); err != nil {
		return err
	}
	views, err := transform.Views()
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "%d views in %s\n", len(views), opts.db)
	return nil
}
