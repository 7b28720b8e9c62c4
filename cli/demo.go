package cli

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"
)

func newDemoCmd(e *env) *cobra.Command {
	out := "out"
	cmd := &cobra.Command{
		Use:   "demo",
		Short: "Run the whole job on the built-in Liaocheng 2021 plan and sample data",
		Long: `Run the whole job on the built-in Liaocheng 2021 plan: parse the plan, expand its unit
phrases into assignments, and write the results to --out.`,
		Args: exactArgs(0, "no arguments"),
		RunE: func(cmd *cobra.Command, _ []string) error {
			c, err := loadCatalog(planFiles{})
			if err != nil {
				return err
			}
			if err := reportProblems(e.stderr, c.problems); err != nil {
				return err
			}
			if err := os.MkdirAll(out, 0o755); err != nil {
				return err
			}
			var js, cs bytes.Buffer
			if err := writeJSON(&js, c.Catalog); err != nil {
				return err
			}
			if err := writeAssignmentsCSV(&cs, c.assignments); err != nil {
				return err
			}
			files := map[string][]byte{"catalog.json": js.Bytes(), "assignments.csv": cs.Bytes()}
			for _, name := range []string{"catalog.json", "assignments.csv"} {
				if err := os.WriteFile(filepath.Join(out, name), files[name], 0o644); err != nil {
					return err
				}
			}
			fmt.Fprintf(e.stdout, "%s: %d 个部分, %d 项任务, %d 项分工\n\n", c.Title, len(c.Sections), len(c.Tasks), len(c.assignments))
			if err := writeKindCounts(e.stdout, c); err != nil {
				return err
			}
			fmt.Fprintf(e.stdout, "\nwrote %s and %s\n", filepath.Join(out, "catalog.json"), filepath.Join(out, "assignments.csv"))
			return nil
		},
	}
	cmd.Flags().StringVar(&out, "out", out, "folder to write the results to")
	return cmd
}
