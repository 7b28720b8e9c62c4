package plan

import (
	"cmp"
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// Roles of a unit in a task.
const (
	RoleLead        = "lead"        // 牵头单位
	RoleResponsible = "responsible" // 责任单位
)

// Assignment says that a unit answers for a task. A unit named both as lead and, through a
// group phrase, as responsible has one assignment, as lead.
type Assignment struct {
	Task   int    `json:"task"`
	UnitID string `json:"unit_id"`
	Unit   string `json:"unit"`
	Kind   string `json:"kind"`
	Role   string `json:"role"`
	Via    string `json:"via"` // the plan's phrase the assignment came from
}

// Group is what a group phrase stands for: every unit of some kinds, or the departments
// listed for the task in the related file (plus the task's lead units).
type Group struct {
	Phrase  string
	Kinds   []string
	Related bool
}

// Groups are the group phrases plans use (市政府各部门, 各县(市、区)人民政府, …).
type Groups struct {
	File  string
	byKey map[string]Group
}

// ReadGroups reads a CSV with header phrase,expands_to where expands_to is kind:KIND
// (several joined by |) or related.
func ReadGroups(file string, data []byte) (*Groups, Problems) {
	g := &Groups{File: file, byKey: map[string]Group{}}
	rows, err := readCSV(file, data, []string{"phrase", "expands_to"})
	if err != nil {
		return g, Problems{{Severity: Error, File: file, Message: err.Error()}}
	}
	var probs Problems
	for _, row := range rows {
		grp := Group{Phrase: row.get("phrase")}
		for _, part := range strings.Split(row.get("expands_to"), "|") {
			part = strings.TrimSpace(part)
			switch {
			case part == "related":
				grp.Related = true
			case strings.HasPrefix(part, "kind:") && slices.Contains(kinds, strings.TrimPrefix(part, "kind:")):
				grp.Kinds = append(grp.Kinds, strings.TrimPrefix(part, "kind:"))
			default:
				probs = append(probs, Problem{Severity: Error, File: file, Line: row.line,
					Message: fmt.Sprintf("group %q: expands_to %q is not related or kind:%s", grp.Phrase, part, strings.Join(kinds, "|kind:"))})
			}
		}
		if _, dup := g.byKey[Key(grp.Phrase)]; dup {
			probs = append(probs, Problem{Severity: Error, File: file, Line: row.line, Message: fmt.Sprintf("group %q appears twice", grp.Phrase)})
		}
		g.byKey[Key(grp.Phrase)] = grp
	}
	return g, probs
}

// Lookup finds the group a phrase names.
func (g *Groups) Lookup(phrase string) (Group, bool) {
	grp, ok := g.byKey[Key(phrase)]
	return grp, ok
}

// Related lists, per task, the departments a plan's "有关部门" stands for. The plan does not
// say; the office decides, in an editable file beside the plan.
type Related struct {
	File   string
	byTask map[int][]relatedRow
}

type relatedRow struct {
	unit *Unit
	line int
}

// ReadRelated reads a CSV with header task,unit (one unit per row, by name or alias). data
// may be nil: the file does not exist yet, and File says where it would be.
func ReadRelated(file string, data []byte, reg *Registry) (*Related, Problems) {
	rel := &Related{File: file, byTask: map[int][]relatedRow{}}
	if data == nil {
		return rel, nil
	}
	rows, err := readCSV(file, data, []string{"task", "unit"})
	if err != nil {
		return rel, Problems{{Severity: Error, File: file, Message: err.Error()}}
	}
	var probs Problems
	for _, row := range rows {
		bad := func(format string, args ...any) {
			probs = append(probs, Problem{Severity: Error, File: file, Line: row.line, Message: fmt.Sprintf(format, args...)})
		}
		task, err := strconv.Atoi(row.get("task"))
		if err != nil || task < 1 {
			bad("task %q is not a task number", row.get("task"))
			continue
		}
		u, ok := reg.Lookup(row.get("unit"))
		if !ok {
			bad("unit %q is not in the unit registry %s", row.get("unit"), reg.File)
			continue
		}
		rel.byTask[task] = append(rel.byTask[task], relatedRow{unit: u, line: row.line})
	}
	return rel, probs
}

// Assign resolves a catalog against the registry: lead phrases become canonical unit names
// (in c), and every phrase expands into assignments, sorted by task, role (lead first) and
// registry order. Every phrase that resolves to nothing is an Error naming the phrase, the
// task and the file to add it to.
func Assign(c *Catalog, reg *Registry, groups *Groups, rel *Related) ([]Assignment, Problems) {
	var probs Problems
	problem := func(sev Severity, t *Task, format string, args ...any) {
		probs = append(probs, Problem{Severity: sev, File: c.File, Line: t.Line, Task: t.No, Message: fmt.Sprintf(format, args...)})
	}
	// A task's assignments are gathered, then put in order by role and registry order,
	// task by task (tasks come in order): a province has hundreds of thousands of
	// assignments, so the sort moves indices, not assignments.
	out := make([]Assignment, 0, len(c.Tasks)*len(reg.Units)/2)
	var cur []Assignment
	var order []int
	var idx []int32
	got := map[string]int{} // unit id → index in cur
	assign := func(t *Task, u *Unit, role, via string) {
		if i, ok := got[u.ID]; ok {
			if a := &cur[i]; role == RoleLead && a.Role != RoleLead {
				a.Role, a.Via = RoleLead, via
			}
			return
		}
		got[u.ID] = len(cur)
		cur = append(cur, Assignment{Task: t.No, UnitID: u.ID, Unit: u.Name, Kind: u.Kind, Role: role, Via: via})
		order = append(order, u.Order)
	}
	flush := func() {
		idx = idx[:0]
		for i := range cur {
			idx = append(idx, int32(i))
		}
		slices.SortFunc(idx, func(x, y int32) int {
			return cmp.Or(roleRank(cur[x].Role)-roleRank(cur[y].Role), cmp.Compare(order[x], order[y]))
		})
		for _, i := range idx {
			out = append(out, cur[i])
		}
		cur, order = cur[:0], order[:0]
		clear(got)
	}
	usedRelated := map[int]bool{}
	for i := range c.Tasks {
		flush()
		t := &c.Tasks[i]
		var leads []*Unit
		t.Lead = []string{}
		for _, ph := range t.LeadPhrases {
			u, ok := lookupUnit(reg, ph)
			if !ok {
				problem(Error, t, "lead unit %q is not in the unit registry: add it, or add it as an alias of its unit, in %s", ph, reg.File)
				continue
			}
			if !slices.Contains(t.Lead, u.Name) {
				t.Lead = append(t.Lead, u.Name)
				leads = append(leads, u)
			}
			assign(t, u, RoleLead, ph)
		}
		for _, ph := range t.Responsible {
			if grp, ok := resolvePhrase(reg, groups, ph); ok {
				n := 0
				for _, kind := range grp.Kinds {
					for _, u := range reg.OfKind(kind) {
						assign(t, u, RoleResponsible, ph)
						n++
					}
				}
				if n == 0 && len(grp.Kinds) > 0 && !grp.Related {
					problem(Error, t, "responsible %q stands for every unit of kind %s, and %s lists none: add them (a county's plan lists its towns, kind town)", ph, strings.Join(grp.Kinds, ", "), reg.File)
				}
				if grp.Related {
					usedRelated[t.No] = true
					rows := rel.byTask[t.No]
					if len(rows) == 0 {
						problem(Warning, t, "%q stands for the lead units only: %s lists no departments for task %d (add rows \"%d,<unit>\")", ph, rel.File, t.No, t.No)
					}
					for _, r := range rows {
						assign(t, r.unit, RoleResponsible, ph)
					}
					for _, u := range leads {
						assign(t, u, RoleResponsible, ph)
					}
				}
				continue
			}
			if u, ok := lookupUnit(reg, ph); ok {
				assign(t, u, RoleResponsible, ph)
				continue
			}
			problem(Error, t, "responsible %q matches no unit, alias or group phrase: add it as a unit or alias in %s, or as a group phrase in %s", ph, reg.File, groups.File)
		}
	}
	for task, rows := range rel.byTask {
		switch {
		case c.Task(task) == nil:
			probs = append(probs, Problem{Severity: Error, File: rel.File, Line: rows[0].line, Message: fmt.Sprintf("task %d is not in the plan %s (it has %d tasks)", task, c.File, len(c.Tasks))})
		case !usedRelated[task]:
			probs = append(probs, Problem{Severity: Warning, File: rel.File, Line: rows[0].line, Message: fmt.Sprintf("task %d names no 有关部门 phrase: its rows here are not used", task)})
		}
	}
	slices.SortFunc(probs, func(a, b Problem) int {
		return cmp.Or(cmp.Compare(a.File, b.File), cmp.Compare(a.Line, b.Line), cmp.Compare(a.Task, b.Task), cmp.Compare(a.Message, b.Message))
	})

	flush()
	return out, probs
}

// resolvePhrase finds the group a responsible phrase names: the phrase itself, or, when
// neither it nor a unit of that name is known, the phrase without its bracketed tail
// (各乡镇人民政府（街道办事处） → 各乡镇人民政府).
func resolvePhrase(reg *Registry, groups *Groups, ph string) (Group, bool) {
	if grp, ok := groups.Lookup(ph); ok {
		return grp, true
	}
	if _, ok := reg.Lookup(ph); ok {
		return Group{}, false
	}
	if head, ok := withoutTail(ph); ok {
		return groups.Lookup(head)
	}
	return Group{}, false
}

// lookupUnit finds the unit a phrase names: by name or alias, else without its bracketed
// tail (县公安局（交警大队） → 县公安局).
func lookupUnit(reg *Registry, ph string) (*Unit, bool) {
	if u, ok := reg.Lookup(ph); ok {
		return u, true
	}
	if head, ok := withoutTail(ph); ok {
		return reg.Lookup(head)
	}
	return nil, false
}

// withoutTail cuts a bracketed tail off a phrase: 各乡镇（街道） → 各乡镇. ok is false when the
// phrase has none, or nothing stands before it.
func withoutTail(ph string) (string, bool) {
	r := []rune(strings.TrimSpace(ph))
	if len(r) == 0 || !isClose(r[len(r)-1]) {
		return "", false
	}
	depth := 0
	for i := len(r) - 1; i >= 0; i-- {
		switch {
		case isClose(r[i]):
			depth++
		case isOpen(r[i]):
			depth--
			if depth == 0 {
				head := strings.TrimSpace(string(r[:i]))
				return head, head != ""
			}
		}
	}
	return "", false
}

func roleRank(role string) int {
	if role == RoleLead {
		return 0
	}
	return 1
}
