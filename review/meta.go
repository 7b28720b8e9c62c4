package review

import (
	"errors"
	"fmt"
	"slices"
	"strconv"

	"github.com/xuri/excelize/v2"

	"plantrack/plan"
	"plantrack/sheet"
)

// Meta is what the hidden sheet of a review workbook records: which plan and period its
// rows were read from, and where its table is.
type Meta struct {
	Version   int
	PlanID    string // the plan id (SHA-256 of the plan text) of the period's year
	PlanYear  int
	PlanTitle string
	Period    plan.Period // the period whose standing reports the workbook lists
	Sheet     string      // the sheet reviewers fill
	HeaderRow int
	DateCell  string // where the 审核日期 is
	Scope     string // the units and sections it was narrowed to, as its title line says
	Rows      int    // the reports listed
}

// The hidden sheet holds one key and value a row; the first key marks a review workbook
// (a template's hidden sheet, of the same name, begins plantrack_template).
const (
	keyVersion   = "plantrack_review"
	keyPlan      = "plan_sha256"
	keyPlanYear  = "plan_year"
	keyPlanTitle = "plan_title"
	keyPeriod    = "period"
	keySheet     = "sheet"
	keyHeaderRow = "header_row"
	keyDateCell  = "date_cell"
	keyScope     = "scope"
	keyRows      = "rows"
	keyTemplate  = "plantrack_template"
)

func writeMeta(f *excelize.File, m Meta) error {
	rows := [][2]string{
		{keyVersion, strconv.Itoa(m.Version)},
		{keyPlan, m.PlanID},
		{keyPlanYear, strconv.Itoa(m.PlanYear)},
		{keyPlanTitle, m.PlanTitle},
		{keyPeriod, string(m.Period)},
		{keySheet, m.Sheet},
		{keyHeaderRow, strconv.Itoa(m.HeaderRow)},
		{keyDateCell, m.DateCell},
		{keyScope, m.Scope},
		{keyRows, strconv.Itoa(m.Rows)},
	}
	return sheet.WriteHidden(f, MetaSheet, rows)
}

// errNotReview is a workbook that is not a review workbook plantrack can read: its
// message says what it is instead.
var errNotReview = errors.New("not a plantrack review workbook")

// readMeta reads a workbook's hidden review sheet; errNotReview (wrapped, with what the
// workbook is instead) for any other workbook.
func readMeta(f *excelize.File) (*Meta, error) {
	kv, ok, err := sheet.ReadHidden(f, MetaSheet)
	if !ok {
		return nil, errNotReview
	}
	if err != nil {
		return nil, fmt.Errorf("%w: sheet %s: %v", errNotReview, MetaSheet, err)
	}
	v, ok := kv[keyVersion]
	if !ok {
		if _, tmpl := kv[keyTemplate]; tmpl {
			return nil, fmt.Errorf("%w: it is a fill-in template (填报模板): ingest it", errNotReview)
		}
		return nil, errNotReview
	}
	m := &Meta{PlanID: kv[keyPlan], PlanTitle: kv[keyPlanTitle], Period: plan.Period(kv[keyPeriod]), Sheet: kv[keySheet],
		DateCell: kv[keyDateCell], Scope: kv[keyScope]}
	bad := func(what string) (*Meta, error) {
		return nil, fmt.Errorf("%w: its hidden sheet %s has %s", errNotReview, MetaSheet, what)
	}
	if m.Version, err = strconv.Atoi(v); err != nil || m.Version < 1 {
		return bad(fmt.Sprintf("version %q", v))
	}
	if m.Version > Version {
		return nil, fmt.Errorf("%w: review workbook version %d is newer than this plantrack reads (%d): update plantrack", errNotReview, m.Version, Version)
	}
	if m.HeaderRow, err = strconv.Atoi(kv[keyHeaderRow]); err != nil || m.HeaderRow < 1 {
		return bad(fmt.Sprintf("header row %q", kv[keyHeaderRow]))
	}
	if m.PlanYear, err = strconv.Atoi(kv[keyPlanYear]); err != nil {
		return bad(fmt.Sprintf("plan year %q", kv[keyPlanYear]))
	}
	m.Rows, _ = strconv.Atoi(kv[keyRows])
	if _, _, err := excelize.CellNameToCoordinates(m.DateCell); err != nil {
		return bad(fmt.Sprintf("date cell %q", m.DateCell))
	}
	if !m.Period.Valid() {
		return bad(fmt.Sprintf("period %q", m.Period))
	}
	if m.PlanID == "" || m.Sheet == "" {
		return bad("no plan id or no sheet")
	}
	if !slices.Contains(f.GetSheetList(), m.Sheet) {
		return bad(fmt.Sprintf("sheet %q, which the workbook lacks", m.Sheet))
	}
	return m, nil
}
