package cli

import (
	"github.com/spf13/cobra"

	"plantrack/reports"
	"plantrack/store"
)

func newStatusCmd(e *env) *cobra.Command {
	var dbPath, period, format string
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
			if format != "table" && format != "csv" && format != "json" {
				return usageErrorf("--format %q: want table, csv or json", format)
			}
			db, err := openExisting(cmd.Context(), dbPath)
			if err != nil {
				return err
			}
			defer db.Close()
			p, err := dbPeriod(cmd.Context(), db, period)
			if err != nil {
				return err
			}
			c, err := reports.ChaseList(cmd.Context(), db.DB, p)
			if err != nil {
				return err
			}
			switch format {
			case "csv":
				return c.WriteCSV(e.stdout)
			case "json":
				return c.WriteJSON(e.stdout)
			}
			return c.WriteTable(e.stdout)
		},
	}
	cmd.Flags().StringVar(&dbPath, "db", store.DefaultPath, "database file")
	cmd.Flags().StringVar(&period, "period", "", "the period to chase (2021Q2, 2021年第二季度; default: the latest reported)")
	cmd.Flags().StringVar(&format, "format", "table", "output format: table, csv or json")
	return cmd
}
