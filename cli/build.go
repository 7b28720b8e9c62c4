package cli

import (
	"fmt"

	"github.com/spf13/cobra"

	"plantrack/store"
	"plantrack/transform"
)

func newBuildCmd(e *env) *cobra.Command {
	var dbPath string
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
			db, err := store.Open(cmd.Context(), dbPath)
			if err != nil {
				return err
			}
			defer db.Close()
			if err := transform.Apply(cmd.Context(), db); err != nil {
				return err
			}
			views, err := transform.Views()
			if err != nil {
				return err
			}
			fmt.Fprintf(e.stdout, "%d views in %s\n", len(views), dbPath)
			return nil
		},
	}
	cmd.Flags().StringVar(&dbPath, "db", store.DefaultPath, "database file")
	return cmd
}
