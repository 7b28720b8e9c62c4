package cli

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"

	"plantrack/plan"
	"plantrack/store"
	"plantrack/template"
)

// templateOptions are the flags of plantrack template.
type templateOptions struct {
	db     string // a database whose plan of the period's year serves, when no --plan is given
	plan   plan.Files
	period string
	out    string
	units  []string
}

func newTemplateCmd(e *env) *cobra.Command {
	var opts templateOptions
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
			return runTemplate(cmd.Context(), e, opts)
		},
	}
	cmd.Flags().StringVar(&opts.db, "db", store.DefaultPath, "database whose plan of the period's year serves when --plan is not given (if it exists)")
	cmd.Flags().StringVar(&opts.period, "period", "", "the period units report on (2021Q2, 2021年第二季度; default: the plan year's Q1)")
	cmd.Flags().StringVar(&opts.out, "out", "", "folder for the templates (default templates/PERIOD)")
	cmd.Flags().StringArrayVar(&opts.units, "unit", nil, "only this unit (name, alias or id); repeat for more")
	planFlags(cmd, &opts.plan)
	return cmd
}

func runTemplate(ctx context.Context, e *env, opts templateOptions) error {
	c, err := templatePlan(ctx, e, opts)
	if err != nil {
		return err
	}
	p := plan.PeriodOf(c.Catalog.Year, 1)
	if opts.period != "" {
		if p, err = planPeriod(c, opts.period); err != nil {
			return err
		}
	}
	chosen, err := templateUnits(c, opts.units)
	if err != nil {
		return err
	}
	dir := opts.out
	if dir == "" {
		dir = filepath.Join("templates", string(p))
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	for _, u := range chosen {
		path := filepath.Join(dir, template.FileName(u.Name))
		if err := template.Write(path, template.Spec{Plan: c, Unit: *u, Period: p}); err != nil {
			return err
		}
		if e.verbose {
			fmt.Fprintf(e.stdout, "%s\n", path)
		}
	}
	fmt.Fprintf(e.stdout, "wrote %d templates for %s (%s) to %s\n", len(chosen), p, p.Name(), dir)
	return nil
}

// templateUnits are the units to write templates for: the named ones, or every unit with
// an assignment, in registry order.
func templateUnits(c *plan.Bundle, names []string) ([]*plan.Unit, error) {
	assigned := map[string]bool{}
	for _, a := range c.Assignments {
		assigned[a.UnitID] = true
	}
	var out []*plan.Unit
	if len(names) == 0 {
		for i := range c.Registry.Units {
			if u := &c.Registry.Units[i]; assigned[u.ID] {
				out = append(out, u)
			}
		}
		if len(out) == 0 {
			return nil, fmt.Errorf("the plan assigns no task to any unit")
		}
		return out, nil
	}
	for _, n := range names {
		u, ok := c.Registry.Lookup(n)
		if !ok {
			u, ok = c.Registry.ByID(n)
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

// templatePlan is the plan templates are made from: --plan and its registry when given;
// else, when the database exists and holds a plan of --period's year, that plan (next
// year's templates come from next year's plan once it is ingested); else the built-in.
func templatePlan(ctx context.Context, e *env, opts templateOptions) (*plan.Bundle, error) {
	if opts.plan != (plan.Files{}) || opts.period == "" {
		return loadGoodPlan(e, opts.plan)
	}
	p, err := plan.ParsePeriod(opts.period)
	if err != nil {
		return nil, usageErrorf("--period %q: %v", opts.period, err)
	}
	if _, err := os.Stat(opts.db); err == nil {
		db, err := store.OpenReadOnly(ctx, opts.db)
		if err != nil {
			return nil, err
		}
		defer db.Close()
		stored, err := db.Plans(ctx)
		if err != nil {
			return nil, err
		}
		for _, s := range stored {
			if s.Year == p.Year() && s.Bundle != nil {
				return s.Bundle, nil
			}
		}
	}
	return loadGoodPlan(e, opts.plan)
}
