package template

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"plantrack/plan"
	"plantrack/sheet"

	"github.com/xuri/excelize/v2"
)

// Meta is what the hidden sheet of a template records.
type Meta struct {
	Version    int
	UnitID     string
	UnitName   string // when the template was made; the registry has the current one
	Period     string // canonical, 2021Q2
	PlanSHA256 string // the plan id
	PlanTitle  string
	Sheet      string // the sheet units fill
	HeaderRow  int
	DateCell   string // where the 填报日期 is
	Tasks      []int  // the unit's tasks when the template was made
}

// The hidden sheet holds one key and value a row; the first key marks a template.
const (
	keyVersion   = "plantrack_template"
	keyUnitID    = "unit_id"
	keyUnitName  = "unit_name"
	keyPeriod    = "period"
	keyPlan      = "plan_sha256"
	keyPlanTitle = "plan_title"
	keySheet     = "sheet"
	keyHeaderRow = "header_row"
	keyDateCell  = "date_cell"
	keyTasks     = "tasks"
)

func writeMeta(f *excelize.File, m Meta) error {
	tasks := make([]string, len(m.Tasks))
	for i, t := range m.Tasks {
		tasks[i] = strconv.Itoa(t)
	}
	rows := [][2]string{
		{keyVersion, strconv.Itoa(m.Version)},
		{keyUnitID, m.UnitID},
		{keyUnitName, m.UnitName},
		{keyPeriod, m.Period},
		{keyPlan, m.PlanSHA256},
		{keyPlanTitle, m.PlanTitle},
		{keySheet, m.Sheet},
		{keyHeaderRow, strconv.Itoa(m.HeaderRow)},
		{keyDateCell, m.DateCell},
		{keyTasks, strings.Join(tasks, ",")},
	}
	return sheet.WriteHidden(f, MetaSheet, rows)
}

// ErrNewerVersion is wrapped by ReadMeta's error about a template newer than this
// plantrack reads.
var ErrNewerVersion = errors.New("newer template version")

// versionError is ReadMeta's error about a newer template: it is ErrNotTemplate and
// ErrNewerVersion.
type versionError struct{ error }

func (e versionError) Unwrap() error        { return e.error }
func (e versionError) Is(target error) bool { return target == ErrNewerVersion }

// ErrNotTemplate is wrapped by ReadMeta's errors about a sheet that claims to be a
// template's but cannot be read as one.
var ErrNotTemplate = errors.New("not a readable plantrack template")

// ReadMeta reads a workbook's hidden template sheet. It returns nil and no error for a
// workbook that is not a plantrack template.
func ReadMeta(f *excelize.File) (*Meta, error) {
	kv, ok, err := sheet.ReadHidden(f, MetaSheet)
	if !ok {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("%w: sheet %s: %v", ErrNotTemplate, MetaSheet, err)
	}
	v, ok := kv[keyVersion]
	if !ok {
		return nil, nil // a sheet of that name, but not ours
	}
	m := &Meta{UnitID: kv[keyUnitID], UnitName: kv[keyUnitName], Period: kv[keyPeriod], PlanSHA256: kv[keyPlan],
		PlanTitle: kv[keyPlanTitle], Sheet: kv[keySheet], DateCell: kv[keyDateCell]}
	bad := func(what string) (*Meta, error) {
		return nil, fmt.Errorf("%w: its hidden sheet %s has %s", ErrNotTemplate, MetaSheet, what)
	}
	if m.Version, err = strconv.Atoi(v); err != nil || m.Version < 1 {
		return bad(fmt.Sprintf("version %q", v))
	}
	if m.Version > Version {
		return nil, versionError{fmt.Errorf("%w: template version %d is newer than this plantrack reads (%d): update plantrack", ErrNotTemplate, m.Version, Version)}
	}
	if m.HeaderRow, err = strconv.Atoi(kv[keyHeaderRow]); err != nil || m.HeaderRow < 1 {
		return bad(fmt.Sprintf("header row %q", kv[keyHeaderRow]))
	}
	if _, _, err := excelize.CellNameToCoordinates(m.DateCell); err != nil {
		return bad(fmt.Sprintf("date cell %q", m.DateCell))
	}
	if !plan.Period(m.Period).Valid() {
		return bad(fmt.Sprintf("period %q", m.Period))
	}
	for _, k := range []string{keyUnitID, keyPlan, keySheet} {
		if kv[k] == "" {
			return bad("no " + k)
		}
	}
	for _, t := range strings.Split(kv[keyTasks], ",") {
		if t = strings.TrimSpace(t); t == "" {
			continue
		}
		n, err := strconv.Atoi(t)
		if err != nil {
			return bad(fmt.Sprintf("task %q", t))
		}
		m.Tasks = append(m.Tasks, n)
	}
	return m, nil
}

// ReadFile reads the hidden sheet of a template file: nil and no error for any other file
// (a workbook that is not a template, or not a workbook at all).
func ReadFile(path string) (*Meta, error) {
	// A template is tens of kilobytes: a file that unpacks to more is not one.
	wb, err := excelize.OpenFile(path, excelize.Options{RawCellValue: true, UnzipSizeLimit: 64 << 20})
	if err != nil {
		return nil, nil
	}
	defer wb.Close()
	return ReadMeta(wb)
}
