package cli

import "github.com/spf13/cobra"

// newStatusCmd is a placeholder until its issue lands.
func newStatusCmd(e *env) *cobra.Command {
	return &cobra.Command{Use: "status", Hidden: true, RunE: func(*cobra.Command, []string) error { return usageErrorf("status is not built yet") }}
}
