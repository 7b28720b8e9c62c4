package cli

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"plantrack/plan"
	"plantrack/reports"
)

// planOptions are the flags of plantrack plan.
type planOptions struct {
	files       plan.Files
	format      string
	assignments bool
}

func newPlanCmd(e *env) *cobra.Command {
	opts := planOptions{format: "table"}
	cmd := &cobra.Command{
		Use:   "plan FILE",
		Short: "Parse a plan text and print its catalog, with every problem found",
		Long: `Parse a work plan (UTF-8 or GBK text, a PDF dump is fine) into sections, tasks, numeric
targets and lead/responsible units, and resolve the units against the registry.

The 有关部门 mapping is read from FILE's .related.csv sibling (plan.txt → plan.related.csv)
unless --related names another. Problems go to stderr as file:line: messages; any error
(a unit phrase that matches nothing, say) makes the exit code 1.`,
		Example: `  plantrack plan data/plan/liaocheng-2021.txt
  plantrack plan data/plan/liaocheng-2021.txt --format json
  plantrack plan data/plan/liaocheng-2021.txt --assignments --format csv`,
		Args: exactArgs(1, "one plan FILE"),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.files.Plan = args[0]
			return runPlan(e, opts)
		},
	}
	cmd.Flags().StringVar(&opts.files.Units, "units", "", "unit registry CSV (default: the built-in data/units.csv)")
	cmd.Flags().StringVar(&opts.files.Groups, "groups", "", "group phrases CSV (default: the built-in data/groups.csv)")
	cmd.Flags().StringVar(&opts.files.Related, "related", "", "有关部门 mapping CSV (default: FILE's .related.csv sibling)")
	cmd.Flags().StringVar(&opts.format, "format", opts.format, "output format: table, json, or csv (with --assignments)")
	cmd.Flags().BoolVar(&opts.assignments, "assignments", false, "print the (task, unit, role) assignments instead of the catalog")
	return cmd
}

func runPlan(e *env, opts planOptions) error {
	format := opts.format
	if format != "table" && format != "json" && format != "csv" {
		return usageErrorf("--format %q: want table, json or csv", format)
	}
	if format == "csv" && !opts.assignments {
		return usageErrorf("--format csv prints assignments: add --assignments")
	}
	c, err := plan.Load(opts.files)
	if err != nil {
		return err
	}
	switch {
	case opts.assignments && format == "json":
		err = writeJSON(e.stdout, c.Assignments)
	case opts.assignments && format == "csv":
		err = writeAssignmentsCSV(e.stdout, c.Assignments)
	case opts.assignments:
		err = writeAssignmentsTable(e.stdout, c.Assignments)
	case format == "json":
		err = writeJSON(e.stdout, struct {
			*plan.Catalog
			Assignments int           `json:"assignments"`
			Problems    plan.Problems `json:"problems"`
		}{c.Catalog, len(c.Assignments), problemsOrEmpty(c.Problems)})
	default:
		err = writeCatalogTable(e.stdout, c)
	}
	if err != nil {
		return err
	}
	return reportProblems(e.stderr, c.Problems)
}

// reportProblems prints problems like a compiler and fails when any is an error.
func reportProblems(w io.Writer, probs plan.Problems) error {
	for _, p := range probs {
		fmt.Fprintln(w, p)
	}
	if n := probs.Errors(); n > 0 {
		return fmt.Errorf("the plan has %d error(s), listed above", n)
	}
	return nil
}

func problemsOrEmpty(p plan.Problems) plan.Problems {
	if p == nil {
		return plan.Problems{}
	}
	return p
}

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

func writeCatalogTable(w io.Writer, c *plan.Bundle) error {
	fmt.Fprintf(w, "%s  (%d年)  %d 个部分  %d 项任务  %d 项分工\n\n", c.Catalog.Title, c.Catalog.Year, len(c.Catalog.Sections), len(c.Catalog.Tasks), len(c.Assignments))
	secs := &reports.Table{Header: []string{"部分", "标题", "任务"}}
	for _, s := range c.Catalog.Sections {
		var nos []string
		for _, t := range c.Catalog.Tasks {
			if t.Section == s.No {
				nos = append(nos, strconv.Itoa(t.No))
			}
		}
		span := "—"
		if len(nos) > 0 {
			span = nos[0] + "–" + nos[len(nos)-1]
		}
		secs.Add(strconv.Itoa(s.No), s.Title, span)
	}
	if err := secs.Write(w); err != nil {
		return err
	}
	fmt.Fprintln(w)
	tasks := &reports.Table{Header: []string{"任务", "部分", "内容", "牵头单位", "责任单位", "数量目标"}}
	for _, t := range c.Catalog.Tasks {
		var targets []string
		for _, g := range t.Targets {
			targets = append(targets, fmt.Sprintf("%s ≥%d%s", g.What, g.Min, g.Unit))
		}
		tasks.Add(strconv.Itoa(t.No), strconv.Itoa(t.Section), reports.Clip(t.Text, 30),
			strings.Join(t.Lead, "、"), strings.Join(t.Responsible, "；"), strings.Join(targets, "；"))
	}
	if err := tasks.Write(w); err != nil {
		return err
	}
	fmt.Fprintln(w)
	return writeKindCounts(w, c)
}

// writeKindCounts prints how many assignments and units each kind of unit has.
func writeKindCounts(w io.Writer, c *plan.Bundle) error {
	t := &reports.Table{Header: []string{"单位类别", "单位", "分工", "牵头", "责任"}}
	for _, kind := range []string{plan.KindDepartment, plan.KindCounty, plan.KindZone, plan.KindOther} {
		units := map[string]bool{}
		var lead, resp int
		for _, a := range c.Assignments {
			if a.Kind != kind {
				continue
			}
			units[a.UnitID] = true
			if a.Role == plan.RoleLead {
				lead++
			} else {
				resp++
			}
		}
		t.Add(kind, strconv.Itoa(len(units)), strconv.Itoa(lead+resp), strconv.Itoa(lead), strconv.Itoa(resp))
	}
	t.Add("total", strconv.Itoa(countUnits(c.Assignments)), strconv.Itoa(len(c.Assignments)), "", "")
	return t.Write(w)
}

func countUnits(as []plan.Assignment) int {
	units := map[string]bool{}
	for _, a := range as {
		units[a.UnitID] = true
	}
	return len(units)
}

func writeAssignmentsTable(w io.Writer, as []plan.Assignment) error {
	t := &reports.Table{Header: []string{"任务", "单位", "单位类别", "角色", "来源"}}
	for _, a := range as {
		t.Add(strconv.Itoa(a.Task), a.Unit, a.Kind, a.Role, a.Via)
	}
	return t.Write(w)
}

func writeAssignmentsCSV(w io.Writer, as []plan.Assignment) error {
	cw := csv.NewWriter(w)
	cw.Write([]string{"task", "unit_id", "unit", "kind", "role", "via"})
	for _, a := range as {
		cw.Write([]string{strconv.Itoa(a.Task), a.UnitID, a.Unit, a.Kind, a.Role, a.Via})
	}
	cw.Flush()
	return cw.Error()
}
