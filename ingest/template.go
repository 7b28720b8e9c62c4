package ingest

import (
	"fmt"

	"github.com/xuri/excelize/v2"

	"plantrack/plan"
	"plantrack/template"
)

// templateFile is what a plantrack template (package template) tells the read of a file:
// its hidden sheet names the unit and the period, so every row is that unit's report for
// that period, whatever the file is called, and a row may only be on one of the unit's
// tasks.
type templateFile struct {
	meta *template.Meta
	unit *plan.Unit
}

// recogniseTemplate reads a workbook's hidden template sheet, if it has one. A template
// for another plan, for an unknown unit or for a period this ingest does not take is
// rejected whole; the answer is false then.
func (j *fileJob) recogniseTemplate(wb *excelize.File) bool {
	m, err := template.ReadMeta(wb)
	if err != nil {
		j.rejectFile(err.Error())
		return false
	}
	if m == nil {
		return true
	}
	t, rej := j.c.templateFor(m)
	if rej != nil {
		j.rejectWhole(*rej)
		return false
	}
	j.tmpl = t
	return true
}

// templateFor checks a template's plan, unit and period against this ingest.
func (c *checker) templateFor(m *template.Meta) (*templateFile, *Rejection) {
	if m.PlanSHA256 != c.p.SHA256 {
		return nil, &Rejection{Column: "plan_sha256", Value: short(m.PlanSHA256), Code: ReasonWrongPlan,
			Reason: fmt.Sprintf("a template made for another plan (%s, plan id %s), not for %s (plan id %s): send the unit this plan's template",
				m.PlanTitle, short(m.PlanSHA256), c.p.Catalog.Title, short(c.p.SHA256))}
	}
	u, ok := c.p.Registry.ByID(m.UnitID)
	if !ok {
		return nil, &Rejection{Column: fieldNames[fUnit], Value: m.UnitID, Code: ReasonUnit,
			Reason: fmt.Sprintf("the template's unit %s (%s) is not in the registry", m.UnitID, m.UnitName)}
	}
	switch {
	case m.Period[:4] != c.year:
		return nil, &Rejection{Column: fieldNames[fPeriod], Value: m.Period, Code: ReasonWrongPeriod,
			Reason: fmt.Sprintf("a template for %s, outside the plan year %s", m.Period, c.year)}
	case c.period != "" && m.Period != c.period:
		return nil, &Rejection{Column: fieldNames[fPeriod], Value: m.Period, Code: ReasonWrongPeriod,
			Reason: fmt.Sprintf("a template for %s, and this ingest takes %s: the unit filled in another period's template", m.Period, c.period)}
	}
	return &templateFile{meta: m, unit: u}, nil
}

// short is a plan id as messages show it.
func short(sha string) string {
	if len(sha) > 12 {
		return sha[:12]
	}
	return sha
}

// force makes every row of a template sheet the template unit's report for its period,
// with the 填报日期 from the template's date cell.
func (t *templateFile) force(l *layout, sheet string, rows [][]string) {
	l.col[fUnit], l.col[fPeriod] = -1, -1
	l.defaults[fUnit], l.defaults[fPeriod] = t.unit.Name, t.meta.Period
	if sheet != t.meta.Sheet || l.col[fSubmittedOn] >= 0 {
		return
	}
	col, row, err := excelize.CellNameToCoordinates(t.meta.DateCell)
	if err != nil {
		return
	}
	l.defaults[fSubmittedOn] = ""
	if row-1 < len(rows) && col-1 < len(rows[row-1]) {
		l.defaults[fSubmittedOn] = trim(rows[row-1][col-1])
	}
}

// inputFields are the fields a unit fills in a template.
var inputFields = []field{fStatus, fProgress, fAchieved, fNotes, fEvidence}

// unfilled: the unit wrote nothing on this task's row.
func (t *templateFile) unfilled(l *layout, cells []string) bool {
	for _, f := range inputFields {
		if i := l.col[f]; i >= 0 && i < len(cells) && trim(cells[i]) != "" {
			return false
		}
	}
	return true
}

// checkAssigned rejects a template row on a task the template's unit is not assigned: the
// template listed only its own tasks, so the row was added or changed by hand.
func (t *templateFile) checkAssigned(c *checker, l *layout, cells []string, rec *record, probs []problem) []problem {
	if rec.taskNo == 0 || c.assigned[assignKey{int(rec.taskNo), t.unit.ID}] {
		return probs
	}
	raw := ""
	if i := l.col[fTaskNo]; i >= 0 && i < len(cells) {
		raw = cells[i]
	}
	p := problem{f: fTaskNo, value: raw, code: ReasonNotAssigned,
		reason: fmt.Sprintf("task %d is not assigned to %s: its template takes only its own tasks", rec.taskNo, t.unit.Name)}
	return append([]problem{p}, probs...)
}

// ReadTemplate reads the hidden sheet of a plantrack template file; nil, nil for any
// other file (a workbook that is not a template, or not a workbook at all).
func ReadTemplate(path string) (*template.Meta, error) {
	wb, err := openXLSX(path)
	if err != nil {
		return nil, nil
	}
	defer wb.Close()
	return template.ReadMeta(wb)
}
