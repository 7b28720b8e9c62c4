package template

import (
	"bytes"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"plantrack/plan"
	"plantrack/sheet"
)

// builtIn is the built-in plan under the test's plan id.
type builtIn struct {
	p   *plan.Bundle
	reg *plan.Registry
}

func loadBuiltIn(t *testing.T) builtIn {
	t.Helper()
	b, err := plan.Builtin()
	if err != nil {
		t.Fatal(err)
	}
	if b.Problems.Errors() > 0 {
		t.Fatalf("built-in plan: %v", b.Problems)
	}
	p := *b
	p.SHA256 = planID
	return builtIn{&p, b.Registry}
}

const planID = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

// written builds a unit's template and reads it back from its bytes, as Excel would open
// the file.
func written(t *testing.T, b builtIn, unit, period string) (*excelize.File, []byte) {
	t.Helper()
	u, ok := b.reg.Lookup(unit)
	if !ok {
		t.Fatalf("no unit %s", unit)
	}
	f, err := Build(Spec{Plan: b.p, Unit: *u, Period: plan.Period(period)})
	if err != nil {
		t.Fatal(err)
	}
	buf, err := f.WriteToBuffer()
	if err != nil {
		t.Fatal(err)
	}
	f.Close()
	back, err := excelize.OpenReader(bytes.NewReader(buf.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { back.Close() })
	return back, buf.Bytes()
}

func tasksOf(as []plan.Assignment, unitID string) []int {
	var out []int
	for _, a := range as {
		if a.UnitID == unitID && !slices.Contains(out, a.Task) {
			out = append(out, a.Task)
		}
	}
	slices.Sort(out)
	return out
}

// TestTemplateStructure opens a template with excelize and checks that what makes it hard
// to fill wrongly is really in the file: the data validations, the sheet and workbook
// protection with only the input cells unlocked, the very hidden sheet, the frozen header.
func TestTemplateStructure(t *testing.T) {
	b := loadBuiltIn(t)
	f, _ := written(t, b, "东阿县", "2021Q2")
	u, _ := b.reg.Lookup("东阿县")
	want := tasksOf(b.p.Assignments, u.ID)
	last := HeaderRow + len(want)
	rng := func(col int) string { return sheet.Cell(col, HeaderRow+1) + ":" + sheet.Cell(col, last) }

	if got := f.GetSheetList(); !slices.Equal(got, []string{DataSheet, MetaSheet}) {
		t.Fatalf("sheets %v", got)
	}

	// The hidden sheet: very hidden, and it says unit, period, plan and tasks.
	if vis, _ := f.GetSheetVisible(MetaSheet); vis {
		t.Error("the template sheet is visible")
	}
	if !strings.Contains(string(readPart(t, f, "xl/workbook.xml")), `name="plantrack" sheetId="2" r:id="rId5" state="veryHidden"`) {
		t.Errorf("the template sheet is not very hidden:\n%s", readPart(t, f, "xl/workbook.xml"))
	}
	m, err := ReadMeta(f)
	if err != nil || m == nil {
		t.Fatalf("ReadMeta: %v, %v", m, err)
	}
	if m.Version != Version || m.UnitID != "dong-e" || m.UnitName != "东阿县" || m.Period != "2021Q2" || m.PlanSHA256 != planID ||
		m.Sheet != DataSheet || m.HeaderRow != HeaderRow || m.DateCell != DateCell || !slices.Equal(m.Tasks, want) {
		t.Errorf("meta %+v", m)
	}

	// One row per assigned task, in order, with its text; the unit and period above.
	rows, _ := TaskRows(f, m)
	for i, task := range want {
		if rows[task] != HeaderRow+1+i {
			t.Errorf("task %d on row %d, want %d", task, rows[task], HeaderRow+1+i)
		}
		text, _ := f.GetCellValue(DataSheet, sheet.Cell(ColText, rows[task]))
		if text != b.p.Catalog.Task(task).Text {
			t.Errorf("task %d text %q", task, text)
		}
	}
	if len(rows) != len(want) {
		t.Errorf("%d task rows, want %d", len(rows), len(want))
	}
	a2, _ := f.GetCellValue(DataSheet, "A2")
	d2, _ := f.GetCellValue(DataSheet, "D2")
	if a2 != "填报单位：东阿县" || d2 != "报告期：2021年第二季度" {
		t.Errorf("unit and period line: %q %q", a2, d2)
	}
	if h, _ := f.GetCellValue(DataSheet, sheet.Cell(ColTarget, rows[5])); h != "至少2次（法治专题讲座）" {
		t.Errorf("task 5 target %q", h)
	}

	// Data validation: the status words, whole numbers 0–100, whole numbers, a date.
	dvs, err := f.GetDataValidations(DataSheet)
	if err != nil {
		t.Fatal(err)
	}
	bySqref := map[string]*excelize.DataValidation{}
	for _, dv := range dvs {
		bySqref[dv.Sqref] = dv
	}
	checks := []struct {
		sqref, typ, op, f1, f2 string
	}{
		{rng(ColStatus), "list", "", `"未启动,推进中,基本完成,已完成"`, ""},
		{rng(ColProgress), "whole", "between", "0", "100"},
		{rng(ColAchieved), "whole", "between", "0", "1000000"},
		{DateCell, "date", "between", "44197", "44926"}, // 2021-01-01 … 2022-12-31
	}
	if len(dvs) != len(checks) {
		t.Errorf("%d data validations, want %d", len(dvs), len(checks))
	}
	for _, c := range checks {
		dv := bySqref[c.sqref]
		if dv == nil {
			t.Errorf("no data validation on %s", c.sqref)
			continue
		}
		if dv.Type != c.typ || dv.Operator != c.op || dv.Formula1 != c.f1 || dv.Formula2 != c.f2 || !dv.ShowErrorMessage || dv.ErrorStyle == nil || *dv.ErrorStyle != "stop" {
			t.Errorf("%s: %+v", c.sqref, dv)
		}
	}

	// Protection: the sheet is protected; only the input cells are unlocked.
	prot, err := f.GetSheetProtection(DataSheet)
	if err != nil {
		t.Fatal(err)
	}
	if !prot.SelectLockedCells || !prot.SelectUnlockedCells || prot.InsertRows || prot.DeleteRows || prot.InsertColumns || prot.DeleteColumns || prot.FormatCells {
		t.Errorf("sheet protection %+v", prot)
	}
	if !strings.Contains(string(readPart(t, f, "xl/worksheets/sheet1.xml")), `<sheetProtection sheet="true"`) {
		t.Error("the data sheet is not protected")
	}
	if !strings.Contains(string(readPart(t, f, "xl/workbook.xml")), `<workbookProtection lockStructure="true">`) {
		t.Error("the workbook structure is not locked")
	}
	locked := func(at string) bool {
		id, err := f.GetCellStyle(DataSheet, at)
		if err != nil {
			t.Fatal(err)
		}
		st, err := f.GetStyle(id)
		if err != nil {
			t.Fatal(err)
		}
		return st.Protection == nil || st.Protection.Locked
	}
	row := rows[want[0]]
	for col := ColTask; col <= ColEvidence; col++ {
		input := col >= ColStatus
		if got := locked(sheet.Cell(col, row)); got == input {
			t.Errorf("%s (%s): locked %v", sheet.Cell(col, row), Headers[col-1], got)
		}
	}
	if locked(DateCell) {
		t.Error("the 填报日期 cell is locked")
	}
	for _, at := range []string{"A1", "A2", "D2", "A3", "F3", sheet.Cell(ColStatus, last+1), sheet.Cell(ColTask, last+1)} {
		if !locked(at) {
			t.Errorf("%s is not locked", at)
		}
	}

	// A frozen header.
	panes, _ := f.GetPanes(DataSheet)
	if !panes.Freeze || panes.YSplit != HeaderRow || panes.XSplit != 1 {
		t.Errorf("panes %+v", panes)
	}
	if w, _ := f.GetColWidth(DataSheet, "C"); w < 40 {
		t.Errorf("task text column width %v", w)
	}
}

func readPart(t *testing.T, f *excelize.File, name string) []byte {
	t.Helper()
	buf, err := f.WriteToBuffer()
	if err != nil {
		t.Fatal(err)
	}
	g, err := excelize.OpenReader(bytes.NewReader(buf.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	defer g.Close()
	v, ok := g.Pkg.Load(name)
	if !ok {
		t.Fatalf("no part %s", name)
	}
	return v.([]byte)
}

// The same plan, unit and period give the same bytes; another period, other bytes.
func TestTemplateDeterministic(t *testing.T) {
	b := loadBuiltIn(t)
	_, one := written(t, b, "市司法局", "2021Q3")
	_, two := written(t, b, "市司法局", "2021Q3")
	_, other := written(t, b, "市司法局", "2021Q4")
	if !bytes.Equal(one, two) {
		t.Error("two builds differ")
	}
	if bytes.Equal(one, other) {
		t.Error("Q3 and Q4 templates are the same")
	}
}

func TestBuildRefuses(t *testing.T) {
	b := loadBuiltIn(t)
	u, _ := b.reg.Lookup("东阿县")
	for _, c := range []struct{ period, want string }{
		{"2021Q5", "canonical period"},
		{"2020Q4", "outside the plan year 2021"},
	} {
		_, err := Build(Spec{Plan: b.p, Unit: *u, Period: plan.Period(c.period)})
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v", c.period, err)
		}
	}
	_, err := Build(Spec{Plan: b.p, Unit: plan.Unit{ID: "nobody", Name: "无名局"}, Period: "2021Q1"})
	if err == nil || !strings.Contains(err.Error(), "assigned no task") {
		t.Errorf("unit without tasks: %v", err)
	}
}

// Fill writes what a unit types where a unit types it; a workbook without the hidden
// sheet is no template.
func TestFill(t *testing.T) {
	b := loadBuiltIn(t)
	f, _ := written(t, b, "东阿县", "2021Q2")
	err := Fill(f, time.Date(2021, 7, 6, 0, 0, 0, 0, time.UTC), map[int]Entry{
		1: {Status: "推进中", Progress: 60, Notes: "学习2次"},
		5: {Status: "已完成", Progress: 100, Achieved: 2, Evidence: "通知.pdf"},
	})
	if err != nil {
		t.Fatal(err)
	}
	m, _ := ReadMeta(f)
	rows, _ := TaskRows(f, m)
	get := func(col, task int) string {
		v, _ := f.GetCellValue(DataSheet, sheet.Cell(col, rows[task]), excelize.Options{RawCellValue: true})
		return v
	}
	if get(ColStatus, 1) != "推进中" || get(ColProgress, 1) != "60" || get(ColAchieved, 5) != "2" || get(ColEvidence, 5) != "通知.pdf" || get(ColStatus, 2) != "" {
		t.Errorf("filled: %q %q %q %q %q", get(ColStatus, 1), get(ColProgress, 1), get(ColAchieved, 5), get(ColEvidence, 5), get(ColStatus, 2))
	}
	if d, _ := f.GetCellValue(DataSheet, DateCell); d != "2021-07-06" {
		t.Errorf("date %q", d)
	}
	if err := Fill(f, time.Time{}, map[int]Entry{14: {Status: "推进中"}}); err == nil || !strings.Contains(err.Error(), "task 14 is not in the template") {
		t.Errorf("a task of another unit: %v", err)
	}
	plain := excelize.NewFile()
	defer plain.Close()
	if m, err := ReadMeta(plain); m != nil || err != nil {
		t.Errorf("plain workbook: %v %v", m, err)
	}
	if err := Fill(plain, time.Time{}, nil); err == nil {
		t.Error("Fill of a plain workbook")
	}
}

func TestPeriodAndNames(t *testing.T) {
	if got := FileName(`市委/市政府"督查室"`); got != "市委_市政府_督查室_.xlsx" {
		t.Error(got)
	}
}
