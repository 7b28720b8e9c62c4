package cli

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
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
	draft       string
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
  plantrack plan data/plan/liaocheng-2021.txt --assignments --format csv
  plantrack plan county-2022.txt --draft county    # drafts county/units.csv and county/groups.csv
  plantrack plan county-2022.txt --units county/units.csv --groups county/groups.csv
  plantrack plan diff plan-2021.txt plan-2022.txt  # tasks carried over, new and dropped`,
		Args: exactArgs(1, "one plan FILE"),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.files.Plan = args[0]
			if opts.draft != "" {
				return runDraft(e, opts)
			}
			return runPlan(e, opts)
		},
	}
	cmd.Long += `

--draft DIR writes DIR/units.csv and DIR/groups.csv for a city, county or year the registry
does not know: every unit and group phrase the plan names that the registry lacks, with a
kind (department, county, zone, town, other) or expansion guessed from the words and an
ASCII id from the pinyin, after the registry's rows the plan uses. Review them, list the
units a group phrase stands for (a county's towns), and pass them as --units and --groups.

A plan FILE named "diff" must be written ./diff.`
	cmd.AddCommand(newPlanDiffCmd(e))
	cmd.Flags().StringVar(&opts.files.Units, "units", "", "unit registry CSV (default: the built-in data/units.csv)")
	cmd.Flags().StringVar(&opts.files.Groups, "groups", "", "group phrases CSV (default: the built-in data/groups.csv)")
	cmd.Flags().StringVar(&opts.files.Related, "related", "", "有关部门 mapping CSV (default: FILE's .related.csv sibling)")
	cmd.Flags().StringVar(&opts.format, "format", opts.format, "output format: table, json, or csv (with --assignments)")
	cmd.Flags().BoolVar(&opts.assignments, "assignments", false, "print the (task, unit, role) assignments instead of the catalog")
	cmd.Flags().StringVar(&opts.draft, "draft", "", "write DIR/units.csv and DIR/groups.csv: the units and group phrases the plan names, drafted")
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
	kinds := []string{plan.KindDepartment, plan.KindCounty, plan.KindZone, plan.KindOther}
	if len(c.Registry.OfKind(plan.KindTown)) > 0 {
		kinds = slices.Insert(kinds, 3, plan.KindTown)
	}
	for _, kind := range kinds {
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

// runDraft writes the drafted units.csv and groups.csv of a plan and says what is new. Its
// errors are those of the files (the plan text, a broken registry); phrases the registry
// lacks are what the draft is for. What the drafts still leave unresolved (a group phrase
// whose units the plan does not name) is printed as warnings: the office adds them.
func runDraft(e *env, opts planOptions) error {
	if opts.assignments || opts.format != "table" {
		return usageErrorf("--draft writes files and prints a table: drop --assignments and --format")
	}
	d, probs, err := plan.LoadDraft(opts.files)
	if err != nil {
		return err
	}
	if probs.Errors() > 0 {
		return reportProblems(e.stderr, probs)
	}
	if err := os.MkdirAll(opts.draft, 0o755); err != nil {
		return err
	}
	units, groups := filepath.Join(opts.draft, "units.csv"), filepath.Join(opts.draft, "groups.csv")
	for _, f := range []struct {
		name  string
		write func(io.Writer) error
	}{{units, d.WriteUnits}, {groups, d.WriteGroups}} {
		var b strings.Builder
		if err := f.write(&b); err != nil {
			return err
		}
		if err := os.WriteFile(f.name, []byte(b.String()), 0o644); err != nil {
			return err
		}
	}
	newUnits, newGroups := d.New()
	w := e.stdout
	fmt.Fprintf(w, "%s: %d units (%d new), %s: %d group phrases (%d new)\n\n", units, len(d.Units), newUnits, groups, len(d.Groups), newGroups)
	t := &reports.Table{Header: []string{"新单位", "类别（推测）", "id", "首见任务"}}
	for _, u := range d.Units {
		if u.New {
			t.Add(u.Name, u.Kind, u.ID, strconv.Itoa(u.Task))
		}
	}
	if newUnits > 0 {
		if err := t.Write(w); err != nil {
			return err
		}
		fmt.Fprintln(w)
	}
	t = &reports.Table{Header: []string{"新分组用语", "展开为（推测）", "首见任务"}}
	for _, g := range d.Groups {
		if g.New {
			t.Add(g.Phrase, g.ExpandsTo(), strconv.Itoa(g.Task))
		}
	}
	if newGroups > 0 {
		if err := t.Write(w); err != nil {
			return err
		}
		fmt.Fprintln(w)
	}
	fmt.Fprintf(w, "Check the kinds and expansions, add the units a group phrase stands for, then:\n  plantrack plan %s --units %s --groups %s\n",
		shellWord(opts.files.Plan), shellWord(units), shellWord(groups))
	// What the drafts leave to do, said now.
	files := opts.files
	files.Units, files.Groups = units, groups
	b, err := plan.Load(files)
	if err != nil {
		return err
	}
	for _, p := range b.Problems {
		if p.Severity == plan.Error {
			p.Severity = plan.Warning
		}
		fmt.Fprintln(e.stderr, p)
	}
	return nil
}

// shellWord quotes a file name for a command line to copy, when it needs it.
func shellWord(s string) string {
	if s != "" && strings.IndexFunc(s, func(r rune) bool {
		return !(r == '/' || r == '.' || r == '-' || r == '_' || r > 0x7f || r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z')
	}) < 0 {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// planDiffOptions are the flags of plantrack plan diff.
type planDiffOptions struct {
	format string
	units  string
}

func newPlanDiffCmd(e *env) *cobra.Command {
	opts := planDiffOptions{format: "table"}
	cmd := &cobra.Command{
		Use:   "diff OLD NEW",
		Short: "Compare two plans: tasks carried over (and what changed), new and dropped",
		Long: `Compare two plan texts, last year's (OLD) and this year's (NEW). A task of NEW is taken for
a task of OLD carried over when their texts are alike: the Dice coefficient of their
character bigrams (letters and digits; spaces and punctuation ignored) is at least 0.5.
Pairs are matched one to one, most similar first. A carried task lists what changed:
text, lead (牵头单位), responsible (责任单位), targets (数量目标). Units are compared by their
registry names (--units; default the built-in registry), so a renamed unit listed as an
alias is no change.

--format json prints
{"carried":[{"old":3,"new":1,"similarity":0.8,"changes":["lead"]}],"new":[2],"dropped":[5]}
(task numbers of each plan; similarity rounded to 2 decimals). Problems of either plan go
to stderr; any error makes the exit code 1.`,
		Example: `  plantrack plan diff data/plan/liaocheng-2021.txt plan-2022.txt
  plantrack plan diff plan-2021.txt plan-2022.txt --format json`,
		Args: exactArgs(2, "OLD and NEW plan files"),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runPlanDiff(e, opts, args[0], args[1])
		},
	}
	cmd.Flags().StringVar(&opts.format, "format", opts.format, "output format: table or json")
	cmd.Flags().StringVar(&opts.units, "units", "", "unit registry CSV to compare unit names by (default: the built-in data/units.csv)")
	return cmd
}

func runPlanDiff(e *env, opts planDiffOptions, oldFile, newFile string) error {
	if opts.format != "table" && opts.format != "json" {
		return usageErrorf("--format %q: want table or json", opts.format)
	}
	var cats [2]*plan.Catalog
	var probs plan.Problems
	for i, f := range []string{oldFile, newFile} {
		src, err := os.ReadFile(f)
		if err != nil {
			return err
		}
		c, p := plan.Parse(f, src)
		cats[i] = c
		probs = append(probs, p...)
	}
	reg, regProbs, err := plan.LoadRegistry(opts.units)
	if err != nil {
		return err
	}
	probs = append(probs, regProbs...)
	d := plan.Compare(cats[0], cats[1], reg)
	if opts.format == "json" {
		b, err := json.Marshal(d)
		if err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "%s\n", b)
	} else if err := writeDiffTable(e.stdout, cats[0], cats[1], d); err != nil {
		return err
	}
	return reportProblems(e.stderr, probs)
}

func writeDiffTable(w io.Writer, old, new *plan.Catalog, d plan.Diff) error {
	fmt.Fprintf(w, "%s → %s\n延续 %d 项，新增 %d 项，取消 %d 项\n\n", old.Title, new.Title, len(d.Carried), len(d.New), len(d.Dropped))
	if len(d.Carried) > 0 {
		t := &reports.Table{Header: []string{"原任务", "新任务", "相似度", "变化", "内容（新）"}}
		for _, c := range d.Carried {
			var ch []string
			for _, x := range c.Changes {
				ch = append(ch, changeName(x))
			}
			what := "—"
			if len(ch) > 0 {
				what = strings.Join(ch, "、")
			}
			t.Add(strconv.Itoa(c.Old), strconv.Itoa(c.New), strconv.FormatFloat(c.Similarity, 'f', 2, 64), what, reports.Clip(new.Task(c.New).Text, 30))
		}
		if err := t.Write(w); err != nil {
			return err
		}
		fmt.Fprintln(w)
	}
	for _, part := range []struct {
		title string
		nos   []int
		c     *plan.Catalog
	}{{"新增任务", d.New, new}, {"取消任务", d.Dropped, old}} {
		if len(part.nos) == 0 {
			continue
		}
		t := &reports.Table{Header: []string{part.title, "内容", "牵头单位"}}
		for _, no := range part.nos {
			task := part.c.Task(no)
			t.Add(strconv.Itoa(no), reports.Clip(task.Text, 30), strings.Join(task.LeadPhrases, "、"))
		}
		if err := t.Write(w); err != nil {
			return err
		}
		fmt.Fprintln(w)
	}
	return nil
}

// changeName is a change as the diff's table says it.
func changeName(change string) string {
	switch change {
	case plan.ChangeText:
		return "内容"
	case plan.ChangeLead:
		return "牵头单位"
	case plan.ChangeResponsible:
		return "责任单位"
	case plan.ChangeTargets:
		return "数量目标"
	}
	return change
}
