package cli

import "github.com/spf13/cobra"

// newTemplateCmd is a placeholder until its issue lands.
func newTemplateCmd(e *env) *cobra.Command {
	return &cobra.Command{Use: "template", Hidden: true, RunE: func(*cobra.Command, []string) error { return usageErrorf("template is not built yet") }}
}
