package cli

import (
	"context"

	"github.com/spf13/cobra"

	"plantrack/reports"
	"plantrack/store"
)

// statusOptions are the flags of plantrack status.
type statusOptions struct {
	db, period, format string
}

func newStatusCmd(e *env) *cobra.Command {
	opts := statusOptions{db: store.DefaultPath, format: "table"}
	cmd := &cobra.Command{
		Use:   "status [--db FILE] [--period P] [--format table|csv|json]",
		Short: "The chase list: per unit, reports expected, received and on time, and the tasks missing",
		Long: `Print the chase list (催报清单) of a period: for every unit, the reports it owes (one per
assigned task), how many were received and how many on time (the first report for a task
filed by the period's end plus the grace days), the tasks still missing, and the day of its
latest report. Units are grouped so the office calls the ones behind first:

  not_reported  未报送     nothing received for the period
  incomplete    部分未报   some tasks missing
  late          逾期报送   everything received, some of it late
  complete      按时报齐   everything received on time

--period defaults to the latest period any report names. --format csv and json print the
same rows for other tools (json adds the totals).`,
		Example: `  plantrack status
  plantrack status --period 2021Q2 --format csv > 催报清单.csv`,
		Args: exactArgs(0, "no arguments"),
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runStatus(cmd.Context(), e, opts)
		},
	}
	cmd.Flags().StringVar(&opts.db, "db", opts.db, "database file")
	cmd.Flags().StringVar(&opts.period, "period", "", "the period to chase (2021Q2, 2021年第二季度; default: the latest reported)")
	cmd.Flags().StringVar(&opts.format, "format", opts.format, "output format: table, csv or json")
	return cmd
}

func runStatus(ctx context.Context, e *env, opts statusOptions) error {
	if opts.format != "table" && opts.format != "csv" && opts.format != "json" {
		return usageErrorf("--format %q: want table, csv or json", opts.format)
	}
	db, err := openExisting(ctx, opts.db)
	if err != nil {
		return err
	}
	defer db.Close()
	p, err := dbPeriod(ctx, db, opts.period)
	if err != nil {
		return err
	}
	c, err := reports.ChaseList(ctx, db.DB, p)
	if err != nil {
		return err
	}
	switch opts.format {
	case "csv":
		return c.WriteCSV(e.stdout)
	case "json":
		return c.WriteJSON(e.stdout)
	}
	return c.WriteTable(e.stdout)
}
