package cli

import "github.com/spf13/cobra"

// newReportCmd is a placeholder until its issue lands.
func newReportCmd(e *env) *cobra.Command {
	return &cobra.Command{Use: "report", Hidden: true, RunE: func(*cobra.Command, []string) error { return usageErrorf("report is not built yet") }}
}
