package ingest

import (
	"errors"
	"fmt"

	"github.com/xuri/excelize/v2"

	"plantrack/plan"
	"plantrack/store"
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
		zh := "模板的隐藏信息已损坏，请使用市司法局下发的模板重新填报"
		if errors.Is(err, template.ErrNewerVersion) {
			zh = "模板版本比本系统新，请联系市司法局"
		}
		j.rejectFile(plan.FileFault(err.Error(), zh))
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
func (c *checker) templateFor(m *template.Meta) (*templateFile, *store.Rejection) {
	p := plan.Period(m.Period)
	of := c.y.ByID(m.PlanSHA256)
	if of == nil {
		// Named by the plan of the template's year, when the database has one.
		ours := c.y.Year(p.Year())
		if ours == nil && len(c.y.Plans) > 0 {
			ours = c.y.Plans[len(c.y.Plans)-1]
		}
		return nil, &store.Rejection{Column: "plan_sha256", Value: short(m.PlanSHA256), Code: string(plan.ReasonWrongPlan),
			Reason: fmt.Sprintf("a template made for another plan (%s, plan id %s), not for %s (plan id %s): send the unit this plan's template",
				m.PlanTitle, short(m.PlanSHA256), ours.Catalog.Title, short(ours.SHA256)),
			ReasonZh: "这不是本工作计划的模板（可能是往年或其他计划的模板），请使用市司法局本期下发的模板重新填报"}
	}
	u, ok := c.y.Registry.ByID(m.UnitID)
	if !ok {
		return nil, &store.Rejection{Column: plan.FieldUnit.Header(), Value: m.UnitID, Code: string(plan.ReasonUnit),
			Reason:   fmt.Sprintf("the template's unit %s (%s) is not in the registry", m.UnitID, m.UnitName),
			ReasonZh: "模板中的单位“" + m.UnitID + "”不在单位名录中，请使用市司法局下发的模板"}
	}
	switch {
	case p.Year() != of.Catalog.Year:
		return nil, &store.Rejection{Column: plan.FieldPeriod.Header(), Value: m.Period, Code: string(plan.ReasonWrongPeriod),
			Reason:   fmt.Sprintf("a template for %s, outside the plan year %d", m.Period, of.Catalog.Year),
			ReasonZh: fmt.Sprintf("这是%s的模板，不在本计划年度内，请使用本期下发的模板重新填报", p.Name())}
	case c.period != "" && p != c.period:
		return nil, &store.Rejection{Column: plan.FieldPeriod.Header(), Value: m.Period, Code: string(plan.ReasonWrongPeriod),
			Reason:   fmt.Sprintf("a template for %s, and this ingest takes %s: the unit filled in another period's template", m.Period, c.period),
			ReasonZh: fmt.Sprintf("这是%s的模板，本次收取的是%s的报表，请使用本期下发的模板重新填报", p.Name(), c.period.Name())}
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
	l.col[plan.FieldUnit], l.col[plan.FieldPeriod] = -1, -1
	l.defaults[plan.FieldUnit], l.defaults[plan.FieldPeriod] = t.unit.Name, t.meta.Period
	if sheet != t.meta.Sheet || l.col[plan.FieldSubmittedOn] >= 0 {
		return
	}
	col, row, err := excelize.CellNameToCoordinates(t.meta.DateCell)
	if err != nil {
		return
	}
	l.defaults[plan.FieldSubmittedOn] = ""
	if row-1 < len(rows) && col-1 < len(rows[row-1]) {
		l.defaults[plan.FieldSubmittedOn] = trim(rows[row-1][col-1])
	}
}

// checkAssigned rejects a template row on a task the template's unit is not assigned: the
// template listed only its own tasks, so the row was added or changed by hand.
func (t *templateFile) checkAssigned(c *checker, l *layout, cells []string, rec *record, probs []problem) []problem {
	if rec.taskNo == 0 || c.assigned[assignKey{plan.Period(t.meta.Period).Year(), int(rec.taskNo), t.unit.ID}] {
		return probs
	}
	raw := ""
	if i := l.col[plan.FieldTaskNo]; i >= 0 && i < len(cells) {
		raw = cells[i]
	}
	p := problem{f: plan.FieldTaskNo, value: raw, fault: &plan.Fault{Reason: plan.ReasonNotAssigned,
		Text: fmt.Sprintf("task %d is not assigned to %s: its template takes only its own tasks", rec.taskNo, t.unit.Name),
		Zh:   fmt.Sprintf("第%d项任务不是本单位的分工任务：模板只收本单位的任务，请勿增加或改动任务行", rec.taskNo)}}
	return append([]problem{p}, probs...)
}
