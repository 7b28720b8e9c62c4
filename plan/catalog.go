// Package plan reads a government work plan (工作计划) into a catalog of sections, tasks,
// numeric targets and unit phrases, and expands those phrases, through a unit registry and
// a table of group phrases, into assignments: which unit answers for which task, as lead
// (牵头单位) or responsible (责任单位) unit.
//
// Nothing here knows one plan: the plan text, the registry (units.csv), the group phrases
// (groups.csv) and the list of departments behind "有关部门" for each task are all data.
package plan

import (
	"fmt"
	"strings"
)

// Catalog is one parsed plan.
type Catalog struct {
	File     string    `json:"file"`
	Title    string    `json:"title"`
	Year     int       `json:"year"`
	Sections []Section `json:"sections"`
	Tasks    []Task    `json:"tasks"`
}

// Section is a numbered part of the plan (一、…).
type Section struct {
	No    int    `json:"no"`
	Title string `json:"title"`
}

// Task is one numbered item of the plan.
type Task struct {
	No      int    `json:"no"`
	Section int    `json:"section"`
	Label   string `json:"label"` // the item's own marker: "18." or "（三）"
	Text    string `json:"text"`
	// Lead holds canonical unit names once the catalog is resolved against a registry
	// (LeadPhrases keeps what the plan wrote).
	Lead        []string `json:"lead"`
	LeadPhrases []string `json:"-"`
	// Responsible keeps the plan's phrases: group phrases are expanded only into assignments.
	Responsible []string `json:"responsible"`
	Targets     []Target `json:"targets"`
	Line        int      `json:"line"`
}

// Target is a numeric goal found in a task's text: 年内至少开展 1 次专项监督检查 →
// {What: 专项监督检查, Min: 1, Unit: 次}. A unit reporting Achieved ≥ Min has met it.
type Target struct {
	What string `json:"what"`
	Min  int    `json:"min"`
	Unit string `json:"unit"`
}

// Task returns the task numbered no, or nil.
func (c *Catalog) Task(no int) *Task {
	if no >= 1 && no <= len(c.Tasks) && c.Tasks[no-1].No == no {
		return &c.Tasks[no-1]
	}
	for i := range c.Tasks {
		if c.Tasks[i].No == no {
			return &c.Tasks[i]
		}
	}
	return nil
}

// Severity of a Problem: errors make the catalog unusable, warnings are worth reading.
type Severity string

const (
	Error   Severity = "error"
	Warning Severity = "warning"
)

// Problem is something wrong with a plan, registry or mapping file, located like a
// compiler message: file:line: task N: message.
type Problem struct {
	Severity Severity `json:"severity"`
	File     string   `json:"file"`
	Line     int      `json:"line,omitempty"`
	Task     int      `json:"task,omitempty"`
	Message  string   `json:"message"`
}

func (p Problem) String() string {
	var b strings.Builder
	b.WriteString(p.File)
	if p.Line > 0 {
		fmt.Fprintf(&b, ":%d", p.Line)
	}
	b.WriteString(": ")
	if p.Severity == Warning {
		b.WriteString("warning: ")
	}
	if p.Task > 0 {
		fmt.Fprintf(&b, "task %d: ", p.Task)
	}
	b.WriteString(p.Message)
	return b.String()
}

// Problems is a list of problems; it is an error when any of them is.
type Problems []Problem

// Errors counts the problems of severity Error.
func (ps Problems) Errors() int {
	n := 0
	for _, p := range ps {
		if p.Severity == Error {
			n++
		}
	}
	return n
}
