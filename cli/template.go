package cli

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"

	"plantrack/plan"
	"plantrack/template"
)

func newTemplateCmd(e *env) *cobra.Command {
	var (
		files  planFiles
		period string
		out    string
		units  []string
	)
	cmd := &cobra.Command{
		Use:   "template [--period P] [--out DIR]",
		Short: "Write one XLSX template per unit, holding only its tasks, for units to fill in",
		Long: `Write one XLSX template per assigned unit for a period, named after the unit
(DIR/东阿县.xlsx): only the tasks the unit is assigned (task number, section, text, role
牵头/责任, numeric target), with the unit and period filled in. Status is a drop-down of the
allowed words, progress takes whole numbers 0–100 and 完成数量 whole numbers; the task
columns are locked (the sheet is protected without a password), the header is frozen and
the page prints on A4 landscape. A hidden sheet records the template version, unit, period
and plan id, so ingest knows a returned template even when it was renamed.

--period defaults to the plan year's first quarter; DIR defaults to templates/PERIOD.
The same plan, unit and period always give the same file.`,
		Example: `  plantrack template --period 2021Q2
  plantrack template --period 2021年第三季度 --out 发各单位/三季度
  plantrack template --period 2021Q2 --unit 东阿县 --unit 市司法局`,
		Args: exactArgs(0, "no arguments"),
		RunE: func(cmd *cobra.Command, _ []string) error {
			c, err := loadGoodCatalog(e, files)
			if err != nil {
				return err
			}
			p := fmt.Sprintf("%dQ1", c.Year)
			if period != "" {
				if p, err = planPeriod(c, period); err != nil {
					return err
				}
			}
			chosen, err := templateUnits(c, units)
			if err != nil {
				return err
			}
			dir := out
			if dir == "" {
				dir = filepath.Join("templates", p)
			}
			if err := os.MkdirAll(dir, 0o755); err != nil {
				return err
			}
			for _, u := range chosen {
				path := filepath.Join(dir, template.FileName(u.Name))
				spec := template.Spec{Catalog: c.Catalog, PlanSHA256: c.sha256, Unit: *u, Assignments: c.assignments, Period: p}
				if err := template.Write(path, spec); err != nil {
					return err
				}
				if e.verbose {
					fmt.Fprintf(e.stdout, "%s\n", path)
				}
			}
			fmt.Fprintf(e.stdout, "wrote %d templates for %s (%s) to %s\n", len(chosen), p, template.PeriodName(p), dir)
			return nil
		},
	}
	cmd.Flags().StringVar(&period, "period", "", "the period units report on (2021Q2, 2021年第二季度; default: the plan year's Q1)")
	cmd.Flags().StringVar(&out, "out", "", "folder for the templates (default templates/PERIOD)")
	cmd.Flags().StringArrayVar(&units, "unit", nil, "only this unit (name, alias or id); repeat for more")
	planFlags(cmd, &files)
	return cmd
}

// templateUnits are the units to write templates for: the named ones, or every unit with
// an assignment, in registry order.
func templateUnits(c *catalog, names []string) ([]*plan.Unit, error) {
	assigned := map[string]bool{}
	for _, a := range c.assignments {
		assigned[a.UnitID] = true
	}
	var out []*plan.Unit
	if len(names) == 0 {
		for i := range c.reg.Units {
			if u := &c.reg.Units[i]; assigned[u.ID] {
				out = append(out, u)
			}
		}
		if len(out) == 0 {
			return nil, fmt.Errorf("the plan assigns no task to any unit")
		}
		return out, nil
	}
	for _, n := range names {
		u, ok := c.reg.Lookup(n)
		if !ok {
			u, ok = c.reg.ByID(n)
		}
		if !ok {
			return nil, usageErrorf("--unit %q: no such unit in the registry", n)
		}
		if !assigned[u.ID] {
			return nil, usageErrorf("--unit %s: the plan assigns it no task", u.Name)
		}
		out = append(out, u)
	}
	return out, nil
}
