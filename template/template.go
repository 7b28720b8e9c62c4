// Package template writes the per-unit XLSX templates (填报模板) units fill in each
// quarter, and reads back the hidden sheet that tells ingest what a returned file is.
//
// A template holds only the tasks its unit is assigned, with the unit and period filled
// in: the task columns are locked, the input columns take only what ingest accepts (a
// drop-down of status words, whole numbers 0–100 for progress, whole numbers for counts),
// and a very hidden sheet records the template version, unit id, period and plan id, so
// ingest knows what it reads even when the file was renamed. The same inputs give the
// same bytes.
package template

import (
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"

	"plantrack/plan"
	"plantrack/sheet"
)

// Version of the template layout. Ingest refuses a template of a newer version.
const Version = 1

// Sheet names: the one units fill, and the very hidden one ingest reads.
const (
	DataSheet = "填报表"
	MetaSheet = "plantrack"
)

// Layout of the data sheet: rows 1–2 are the title and the 填报单位/报告期/填报日期 line,
// the header is row 3, one row per task below it.
const (
	HeaderRow = 3
	DateCell  = "G2" // the 填报日期 the unit fills
)

// Columns of the data sheet, 1-based.
const (
	ColTask = iota + 1
	ColSection
	ColText
	ColRole
	ColTarget
	ColStatus
	ColProgress
	ColAchieved
	ColNotes
	ColEvidence
	numCols = ColEvidence
)

// Headers are the data sheet's column headers: the input columns are the names ingest
// reads; the others (section, text, role, target) it passes over.
var Headers = [numCols]string{"任务序号", "所属部分", "任务内容", "分工", "量化目标", "完成状态", "完成进度（%）", "完成数量", "工作进展", "佐证材料"}

var widths = [numCols]float64{7, 16, 58, 10, 16, 12, 11, 10, 40, 24}

// Spec is what one template is made from.
type Spec struct {
	Plan *plan.Bundle // the plan, its registry and assignments (only the unit's are used)
	Unit plan.Unit
	// Period is the quarter reported on: one row per task of the unit, in task order.
	Period plan.Period
}

// FileName is the template's file name: the unit's name, safe on Windows.
func FileName(unitName string) string {
	return strings.Map(func(r rune) rune {
		if strings.ContainsRune(`/\:*?"<>|`, r) || r < ' ' {
			return '_'
		}
		return r
	}, unitName) + ".xlsx"
}

// TargetText writes a task's numeric target: 至少2次（法治专题讲座）; "" for none.
func TargetText(t *plan.Task) string {
	if t == nil || len(t.Targets) == 0 {
		return ""
	}
	g := t.Targets[0]
	if g.What == "" {
		return fmt.Sprintf("至少%d%s", g.Min, g.Unit)
	}
	return fmt.Sprintf("至少%d%s（%s）", g.Min, g.Unit, g.What)
}

// SectionText names a section: 三、依法全面履行政府职能.
func SectionText(c *plan.Catalog, no int) string {
	for _, s := range c.Sections {
		if s.No == no {
			return plan.Numeral(no) + "、" + s.Title
		}
	}
	return plan.Numeral(no)
}

// Build makes the template workbook of one unit for one period.
func Build(s Spec) (*excelize.File, error) {
	if !s.Period.Valid() {
		return nil, fmt.Errorf("template: period %q: want a canonical period such as 2021Q2", s.Period)
	}
	year, q := s.Period.Year(), s.Period.Quarter()
	if year != s.Plan.Catalog.Year {
		return nil, fmt.Errorf("template: period %s is outside the plan year %d", s.Period, s.Plan.Catalog.Year)
	}
	var as []plan.Assignment
	for _, a := range s.Plan.Assignments {
		if a.UnitID == s.Unit.ID {
			as = append(as, a)
		}
	}
	if len(as) == 0 {
		return nil, fmt.Errorf("template: %s is assigned no task", s.Unit.Name)
	}
	slices.SortFunc(as, func(a, b plan.Assignment) int { return a.Task - b.Task })
	as = slices.CompactFunc(as, func(a, b plan.Assignment) bool { return a.Task == b.Task })

	f := excelize.NewFile()
	w := &writer{f: f, s: s, as: as}
	if err := w.build(year, q); err != nil {
		f.Close()
		return nil, fmt.Errorf("template %s: %w", s.Unit.Name, err)
	}
	return f, nil
}

// Write builds the template and saves it at path.
func Write(path string, s Spec) error {
	f, err := Build(s)
	if err != nil {
		return err
	}
	defer f.Close()
	if err := f.SaveAs(path); err != nil {
		return fmt.Errorf("write template %w", err)
	}
	return nil
}

type writer struct {
	f  *excelize.File
	s  Spec
	as []plan.Assignment

	title, info, infoRight, header, task, taskWrap, note int
	inStatus, inNumber, inText, inDate                   int
}

func (w *writer) styles() error {
	border := []excelize.Border{
		{Type: "left", Color: "808080", Style: 1}, {Type: "top", Color: "808080", Style: 1},
		{Type: "right", Color: "808080", Style: 1}, {Type: "bottom", Color: "808080", Style: 1},
	}
	font := &excelize.Font{Family: "宋体", Size: 11}
	bold := &excelize.Font{Family: "宋体", Size: 11, Bold: true}
	center := &excelize.Alignment{Horizontal: "center", Vertical: "center", WrapText: true}
	left := &excelize.Alignment{Horizontal: "left", Vertical: "center", WrapText: true}
	grey := excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"F2F2F2"}}
	yellow := excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"FFF9E5"}}
	unlocked := &excelize.Protection{Locked: false}
	dateFmt := "yyyy-mm-dd"
	for _, st := range []struct {
		id    *int
		style *excelize.Style
	}{
		{&w.title, &excelize.Style{Font: &excelize.Font{Family: "黑体", Size: 16, Bold: true}, Alignment: center}},
		{&w.info, &excelize.Style{Font: font, Alignment: &excelize.Alignment{Horizontal: "left", Vertical: "center"}}},
		{&w.infoRight, &excelize.Style{Font: font, Alignment: &excelize.Alignment{Horizontal: "right", Vertical: "center"}}},
		{&w.header, &excelize.Style{Border: border, Font: bold, Alignment: center,
			Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"D9D9D9"}}}},
		{&w.task, &excelize.Style{Border: border, Font: font, Alignment: center, Fill: grey}},
		{&w.taskWrap, &excelize.Style{Border: border, Font: font, Alignment: left, Fill: grey}},
		{&w.note, &excelize.Style{Font: &excelize.Font{Family: "宋体", Size: 10, Color: "595959"}, Alignment: left}},
		{&w.inStatus, &excelize.Style{Border: border, Font: font, Alignment: center, Fill: yellow, Protection: unlocked}},
		{&w.inNumber, &excelize.Style{Border: border, Font: font, Alignment: center, Fill: yellow, Protection: unlocked, NumFmt: 1}},
		{&w.inText, &excelize.Style{Border: border, Font: font, Alignment: left, Fill: yellow, Protection: unlocked}},
		{&w.inDate, &excelize.Style{Border: border, Font: font, Alignment: center, Fill: yellow, Protection: unlocked, CustomNumFmt: &dateFmt}},
	} {
		id, err := w.f.NewStyle(st.style)
		if err != nil {
			return err
		}
		*st.id = id
	}
	return nil
}

func (w *writer) build(year, q int) error {
	f, sh, s := w.f, DataSheet, w.s
	if err := f.SetSheetName("Sheet1", sh); err != nil {
		return err
	}
	if err := w.styles(); err != nil {
		return err
	}
	var errs []error
	check := func(err error) {
		if err != nil {
			errs = append(errs, err)
		}
	}
	merge := func(from, to int, row int, text string, style int) {
		check(f.SetCellStr(sh, sheet.Cell(from, row), text))
		if to > from {
			check(f.MergeCell(sh, sheet.Cell(from, row), sheet.Cell(to, row)))
		}
		check(f.SetCellStyle(sh, sheet.Cell(from, row), sheet.Cell(to, row), style))
	}

	// Title and the line of what the template is for.
	merge(1, numCols, 1, fmt.Sprintf("%s进度填报表（%s）", s.Plan.Catalog.Title, s.Period.Name()), w.title)
	check(f.SetRowHeight(sh, 1, 36))
	merge(ColTask, ColText, 2, "填报单位："+s.Unit.Name, w.info)
	merge(ColRole, ColTarget, 2, "报告期："+s.Period.Name(), w.info)
	merge(ColStatus, ColStatus, 2, "填报日期：", w.infoRight)
	check(f.SetCellStyle(sh, DateCell, DateCell, w.inDate))
	check(f.SetRowHeight(sh, 2, 24))

	// Header.
	for i, h := range Headers {
		check(f.SetCellStr(sh, sheet.Cell(i+1, HeaderRow), h))
		check(f.SetColWidth(sh, sheet.Col(i+1), sheet.Col(i+1), widths[i]))
	}
	check(f.SetCellStyle(sh, sheet.Cell(1, HeaderRow), sheet.Cell(numCols, HeaderRow), w.header))
	check(f.SetRowHeight(sh, HeaderRow, 30))

	// One row per task: the task columns locked and grey, the input columns open.
	row := HeaderRow
	for _, a := range w.as {
		row++
		t := s.Plan.Catalog.Task(a.Task)
		if t == nil {
			return fmt.Errorf("task %d is not in the plan", a.Task)
		}
		check(f.SetCellInt(sh, sheet.Cell(ColTask, row), int64(t.No)))
		check(f.SetCellStr(sh, sheet.Cell(ColSection, row), SectionText(s.Plan.Catalog, t.Section)))
		check(f.SetCellStr(sh, sheet.Cell(ColText, row), t.Text))
		check(f.SetCellStr(sh, sheet.Cell(ColRole, row), plan.RoleName(a.Role)))
		check(f.SetCellStr(sh, sheet.Cell(ColTarget, row), TargetText(t)))
		check(f.SetCellStyle(sh, sheet.Cell(ColTask, row), sheet.Cell(ColTask, row), w.task))
		check(f.SetCellStyle(sh, sheet.Cell(ColSection, row), sheet.Cell(ColText, row), w.taskWrap))
		check(f.SetCellStyle(sh, sheet.Cell(ColRole, row), sheet.Cell(ColRole, row), w.task))
		check(f.SetCellStyle(sh, sheet.Cell(ColTarget, row), sheet.Cell(ColTarget, row), w.taskWrap))
		check(f.SetCellStyle(sh, sheet.Cell(ColStatus, row), sheet.Cell(ColStatus, row), w.inStatus))
		check(f.SetCellStyle(sh, sheet.Cell(ColProgress, row), sheet.Cell(ColAchieved, row), w.inNumber))
		check(f.SetCellStyle(sh, sheet.Cell(ColNotes, row), sheet.Cell(ColEvidence, row), w.inText))
		check(f.SetRowHeight(sh, row, rowHeight(t.Text, widths[ColText-1])))
	}
	last := row

	// What to write, under the table: ingest reads this row as a note, not a report.
	notes := []string{
		"注：1. 灰色栏目为工作计划内容，不可修改；请在淡黄色栏目填写，每项任务一行。",
		"2. 完成状态从下拉列表选择（未启动、推进中、基本完成、已完成）；完成进度填0–100的整数；有量化目标的任务在“完成数量”填写已完成的次数（整数）。",
		"3. 工作进展简述本季度做了什么；佐证材料填写文件名，材料另行报送。整行不填的任务视为本期未报送。",
		"4. 请勿改动表格结构或另存为其他格式；请将本文件原样报回（改名不影响识别）。",
	}
	merge(1, numCols, last+2, strings.Join(notes, "\n"), w.note)
	check(f.SetRowHeight(sh, last+2, 72))
	if len(errs) > 0 {
		return errs[0]
	}

	if err := w.validations(year, last); err != nil {
		return err
	}
	return w.finish(year, q, last)
}

// rowHeight fits a wrapped text in a column: about two width units a Chinese character,
// 15 points a line.
func rowHeight(text string, width float64) float64 {
	perLine := max(1, int(width/2.05))
	lines := (utf8.RuneCountInString(text) + perLine - 1) / perLine
	return min(409, max(30, float64(lines)*14.5+6))
}

func (w *writer) validations(year, last int) error {
	first := HeaderRow + 1
	rng := func(col int) string { return sheet.Cell(col, first) + ":" + sheet.Cell(col, last) }

	status := excelize.NewDataValidation(true)
	status.Sqref = rng(ColStatus)
	if err := status.SetDropList(plan.StatusWords); err != nil {
		return err
	}
	status.SetError(excelize.DataValidationErrorStyleStop, "完成状态", "请从下拉列表选择：未启动、推进中、基本完成、已完成。")
	status.SetInput("完成状态", "从下拉列表选择")

	progress := excelize.NewDataValidation(true)
	progress.Sqref = rng(ColProgress)
	if err := progress.SetRange(0, 100, excelize.DataValidationTypeWhole, excelize.DataValidationOperatorBetween); err != nil {
		return err
	}
	// A clerk who types 85% gets 0.85 in LibreOffice and WPS: say plainly what to type.
	progress.SetError(excelize.DataValidationErrorStyleStop, "完成进度", "请填写0到100之间的整数，如85，不要输入“%”。")
	progress.SetInput("完成进度（%）", "填0到100之间的整数，如85（不要输入“%”）；已完成填100")

	achieved := excelize.NewDataValidation(true)
	achieved.Sqref = rng(ColAchieved)
	if err := achieved.SetRange(0, 1000000, excelize.DataValidationTypeWhole, excelize.DataValidationOperatorBetween); err != nil {
		return err
	}
	achieved.SetError(excelize.DataValidationErrorStyleStop, "完成数量", "请填写不小于0的整数，如已开展2次填2。")
	achieved.SetInput("完成数量", "有量化目标的任务填写已完成的次数（整数）")

	// 填报日期: a real date of the plan year or the next (Q4 reports are filed in January).
	date := excelize.NewDataValidation(true)
	date.Sqref = DateCell
	from := sheet.Serial(time.Date(year, 1, 1, 0, 0, 0, 0, time.UTC))
	to := sheet.Serial(time.Date(year+1, 12, 31, 0, 0, 0, 0, time.UTC))
	if err := date.SetRange(from, to, excelize.DataValidationTypeDate, excelize.DataValidationOperatorBetween); err != nil {
		return err
	}
	date.SetError(excelize.DataValidationErrorStyleStop, "填报日期", fmt.Sprintf("请填写日期，如 %d-07-05。", year))
	date.SetInput("填报日期", fmt.Sprintf("报送当天的日期，如 %d-07-05", year))

	for _, dv := range []*excelize.DataValidation{status, progress, achieved, date} {
		if err := w.f.AddDataValidation(DataSheet, dv); err != nil {
			return err
		}
	}
	return nil
}

func (w *writer) finish(year, q, last int) error {
	f, sh, s := w.f, DataSheet, w.s
	// Frozen header and task number; the cursor on the first status cell.
	if err := f.SetPanes(sh, &excelize.Panes{
		Freeze: true, XSplit: 1, YSplit: HeaderRow, TopLeftCell: sheet.Cell(2, HeaderRow+1), ActivePane: "bottomRight",
		Selection: []excelize.Selection{{SQRef: sheet.Cell(ColStatus, HeaderRow+1), ActiveCell: sheet.Cell(ColStatus, HeaderRow+1), Pane: "bottomRight"}},
	}); err != nil {
		return err
	}
	// Printed on A4 landscape, one page wide, the header on every page.
	landscape, a4, one, auto := "landscape", 9, 1, 0
	fit := true
	if err := firstErr(
		f.SetPageLayout(sh, &excelize.PageLayoutOptions{Orientation: &landscape, Size: &a4, FitToWidth: &one, FitToHeight: &auto}),
		f.SetSheetProps(sh, &excelize.SheetPropsOptions{FitToPage: &fit}),
		f.SetDefinedName(&excelize.DefinedName{Name: "_xlnm.Print_Titles", RefersTo: fmt.Sprintf("'%s'!$1:$%d", sh, HeaderRow), Scope: sh}),
	); err != nil {
		return err
	}
	// Locked cells stay selectable; rows and columns may be resized, not inserted or deleted.
	if err := f.ProtectSheet(sh, &excelize.SheetProtectionOptions{
		SelectLockedCells: true, SelectUnlockedCells: true, FormatColumns: true, FormatRows: true,
	}); err != nil {
		return err
	}
	m := Meta{Version: Version, UnitID: s.Unit.ID, UnitName: s.Unit.Name, Period: string(s.Period),
		PlanSHA256: s.Plan.SHA256, PlanTitle: s.Plan.Catalog.Title, Sheet: sh, HeaderRow: HeaderRow, DateCell: DateCell}
	for _, a := range w.as {
		m.Tasks = append(m.Tasks, a.Task)
	}
	if err := writeMeta(f, m); err != nil {
		return err
	}
	// No sheets added, removed, renamed or unhidden.
	if err := f.ProtectWorkbook(&excelize.WorkbookProtectionOptions{LockStructure: true}); err != nil {
		return err
	}
	f.SetActiveSheet(0)
	// Fixed properties: the same template, the same bytes.
	start := time.Date(year, time.Month(3*q-2), 1, 0, 0, 0, 0, time.UTC).Format(time.RFC3339)
	return f.SetDocProps(&excelize.DocProperties{
		Creator: "plantrack", LastModifiedBy: "plantrack", Created: start, Modified: start,
		Title: fmt.Sprintf("%s进度填报表（%s）", s.Plan.Catalog.Title, s.Period.Name()), Subject: s.Unit.Name,
		Language: "zh-CN",
	})
}

func firstErr(errs ...error) error {
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}
