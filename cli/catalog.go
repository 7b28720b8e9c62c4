package cli

import (
	"fmt"

	"github.com/spf13/cobra"

	"plantrack/plan"
)

// planFlags adds the flags that choose a plan and its registry to a command.
func planFlags(cmd *cobra.Command, f *plan.Files) {
	cmd.Flags().StringVar(&f.Plan, "plan", "", "plan text (default: the built-in Liaocheng 2021 plan)")
	cmd.Flags().StringVar(&f.Units, "units", "", "unit registry CSV (default: the built-in data/units.csv)")
	cmd.Flags().StringVar(&f.Groups, "groups", "", "group phrases CSV (default: the built-in data/groups.csv)")
	cmd.Flags().StringVar(&f.Related, "related", "", "有关部门 mapping CSV (default: the plan's .related.csv sibling)")
}

// loadGoodPlan loads a plan and fails on any error in it: data must not be checked
// against a broken plan.
func loadGoodPlan(e *env, f plan.Files) (*plan.Bundle, error) {
	b, err := plan.Load(f)
	if err != nil {
		return nil, err
	}
	if b.Problems.Errors() > 0 {
		if err := reportProblems(e.stderr, b.Problems); err != nil {
			return nil, fmt.Errorf("%w: fix the plan first (plantrack plan FILE shows it)", err)
		}
	}
	return b, nil
}
