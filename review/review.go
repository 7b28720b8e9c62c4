// Package review writes the review workbook (审核表) the office fills to confirm or return
// what units claim, and reads the decisions back.
//
// The workbook lists, for one period, every standing report (the report
// assignment_status_at(P) shows for its assignment) that claims completion: its unit,
// task, the claim (status, progress, 完成数量 against the task's numeric target), 工作进展,
// 佐证材料 and where the report came from. The reviewer fills two columns, 审核结果 (a
// drop-down: 通过 / 退回) and 审核意见, and the 审核日期; everything else is locked (the
// sheet is protected, without a password). Each row carries the exact report it shows in
// hidden columns (its key: unit, task, period; its lineage: batch, file, sheet, row), and
// a very hidden sheet names the plan and the period, so an imported decision is tied to the
// report the reviewer saw: a newer report on the same assignment needs a review of its own.
// Rows already decided show the decision. The same database, period and scope give the
// same bytes; the document category plantrack-review lets ingest pass it over.
package review

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/xuri/excelize/v2"

	"plantrack/plan"
	"plantrack/sheet"
)

// Version of the review workbook's layout. Import refuses a workbook of a newer version.
const Version = 1

// Category is the document property category of every review workbook: it starts with
// "plantrack-", so ingest passes it over when it sits in a folder being collected.
const Category = "plantrack-review"

// Sheet names: the one reviewers fill, and the very hidden one import reads.
const (
	DataSheet = "审核表"
	MetaSheet = "plantrack"
)

// Layout of the data sheet: row 1 the title, row 2 the scope and the 审核日期, the header
// row 3, one row per report below it.
const (
	HeaderRow = 3
	DateCell  = "N2"
)

// Columns of the data sheet, 1-based: the report (locked), the two the reviewer fills,
// then the report's key and lineage (hidden, locked).
const (
	ColNo = iota + 1
	ColUnit
	ColTask
	ColText
	ColTarget
	ColStatus
	ColProgress
	ColAchieved
	ColNotes
	ColEvidence
	ColPeriod
	ColSubmittedOn
	ColSource
	ColDecision
	ColComment
	ColUnitID
	ColReportPeriod
	ColReportBatch
	ColReportFile
	ColReportSheet
	ColReportRow
	numCols = ColReportRow
)

// Headers are the data sheet's column headers. Import finds its columns by these names.
var Headers = [numCols]string{"序号", "填报单位", "任务序号", "任务内容", "量化目标", "完成状态", "完成进度（%）", "完成数量",
	"工作进展", "佐证材料", "报告期", "填报日期", "报送来源", "审核结果", "审核意见",
	"unit_id", "report_period", "report_batch", "report_file", "report_sheet", "report_row"}

var widths = [numCols]float64{5, 12, 6, 36, 12, 8, 8, 8, 36, 20, 10, 11, 20, 10, 28, 10, 10, 10, 20, 10, 10}

// textSize is the font size of the table, for the row heights.
const textSize = 11

// Spec is what one review workbook is made from.
type Spec struct {
	Period   plan.Period // the period whose standing reports are reviewed
	Units    []string    // only these units (ids); none: every unit
	Sections []int       // only these sections; none: every section
	// Scope says the narrowing in words (东阿县、冠县；第三部分) for the title line; "" for all.
	Scope string
}

// Summary is what a review workbook lists.
type Summary struct {
	Rows, Units        int // reports listed, units they are from
	Approved, Returned int // of them, already decided
}

// listed is one report of the workbook.
type listed struct {
	unitID, unitName       string
	task                   int
	text, target           string
	status                 string
	progress, achieved     sql.NullFloat64
	notes, evidence        string
	period                 string
	submittedOn            sql.NullTime
	batch                  int
	file, sheet            string
	row                    int
	decision, comment      string
	targetWhat, targetUnit sql.NullString
	targetMin              sql.NullFloat64
}

// rowsSQL lists the standing reports at a period that claim completion, with their
// report's evidence and 完成数量 (from submissions, by lineage), their task and their latest
// review, narrowed to units and sections when given.
const rowsSQL = `
SELECT st.unit_id, st.unit_name, st.task_no, t.task_text, t.target_what, t.target_min, t.target_unit,
       s.status::VARCHAR, s.progress_pct, s.achieved, coalesce(s.notes, ''), coalesce(s.evidence, ''),
       s.period::VARCHAR, s.submitted_on, s.batch_id, s.source_file, s.source_sheet, s.source_row,
       coalesce(st.review, ''), coalesce(st.review_comment, '')
FROM assignment_status_at(?) st
JOIN submissions s ON s.batch_id = st.batch_id AND s.source_file = st.source_file
     AND s.source_sheet = st.source_sheet AND s.source_row = st.source_row
JOIN tasks t ON t.plan_year = st.plan_year AND t.task_no = st.task_no
WHERE st.has_report AND st.claimed
  AND (len(?::VARCHAR[]) = 0 OR list_contains(?::VARCHAR[], st.unit_id))
  AND (len(?::INTEGER[]) = 0 OR list_contains(?::INTEGER[], st.section_no))
ORDER BY st.sort_order, st.unit_id, st.task_no`

// Build reads the standing reports of s.Period that claim completion from the database
// and makes the review workbook.
func Build(ctx context.Context, db *sql.DB, s Spec) (*excelize.File, Summary, error) {
	var sum Summary
	if !s.Period.Valid() {
		return nil, sum, fmt.Errorf("review: period %q: want a canonical period such as 2021Q2", s.Period)
	}
	m := Meta{Version: Version, Period: s.Period, PlanYear: s.Period.Year(), Sheet: DataSheet, HeaderRow: HeaderRow,
		DateCell: DateCell, Scope: s.Scope}
	err := db.QueryRowContext(ctx, "SELECT plan_id, title FROM plans WHERE year = ?", m.PlanYear).Scan(&m.PlanID, &m.PlanTitle)
	if err == sql.ErrNoRows {
		return nil, sum, fmt.Errorf("review: the database has no plan for %d", m.PlanYear)
	}
	if err != nil {
		return nil, sum, fmt.Errorf("review: %w", err)
	}
	units := s.Units
	if units == nil {
		units = []string{}
	}
	sections := make([]int32, len(s.Sections))
	for i, n := range s.Sections {
		sections[i] = int32(n)
	}
	rows, err := db.QueryContext(ctx, rowsSQL, string(s.Period), units, units, sections, sections)
	if err != nil {
		return nil, sum, fmt.Errorf("review: %w", err)
	}
	defer rows.Close()
	var ls []listed
	seen := map[string]bool{}
	for rows.Next() {
		var l listed
		if err := rows.Scan(&l.unitID, &l.unitName, &l.task, &l.text, &l.targetWhat, &l.targetMin, &l.targetUnit,
			&l.status, &l.progress, &l.achieved, &l.notes, &l.evidence, &l.period, &l.submittedOn,
			&l.batch, &l.file, &l.sheet, &l.row, &l.decision, &l.comment); err != nil {
			return nil, sum, fmt.Errorf("review: %w", err)
		}
		l.target = targetText(l.targetWhat, l.targetMin, l.targetUnit)
		ls = append(ls, l)
		if !seen[l.unitID] {
			seen[l.unitID] = true
			sum.Units++
		}
		switch plan.Decision(l.decision) {
		case plan.DecisionApproved:
			sum.Approved++
		case plan.DecisionReturned:
			sum.Returned++
		}
	}
	if err := rows.Err(); err != nil {
		return nil, sum, fmt.Errorf("review: %w", err)
	}
	sum.Rows, m.Rows = len(ls), len(ls)
	f := excelize.NewFile()
	w := &writer{f: f, m: m, rows: ls}
	if err := w.build(); err != nil {
		f.Close()
		return nil, sum, fmt.Errorf("review workbook: %w", err)
	}
	return f, sum, nil
}

// Write builds the review workbook and saves it at path.
func Write(ctx context.Context, db *sql.DB, path string, s Spec) (Summary, error) {
	f, sum, err := Build(ctx, db, s)
	if err != nil {
		return sum, err
	}
	defer f.Close()
	if err := f.SaveAs(path); err != nil {
		return sum, fmt.Errorf("write review workbook: %w", err)
	}
	return sum, nil
}

// targetText writes a task's numeric target as the templates do: 至少2次（法治专题讲座）.
func targetText(what sql.NullString, least sql.NullFloat64, unit sql.NullString) string {
	if !least.Valid {
		return ""
	}
	n := strconv.FormatFloat(least.Float64, 'f', -1, 64)
	if what.String == "" {
		return "至少" + n + unit.String
	}
	return "至少" + n + unit.String + "（" + what.String + "）"
}

// number writes a stored number as it was given: 85, 2.5; "" for none.
func number(v sql.NullFloat64) string {
	if !v.Valid {
		return ""
	}
	return strconv.FormatFloat(v.Float64, 'f', -1, 64)
}

// sourceText says where a report came from, for a person: the file, its sheet and row
// (a JSON file's element), and the ingest batch.
func sourceText(file, sheet string, row, batch int) string {
	where := fmt.Sprintf("第%d行", row)
	if strings.EqualFold(filepath.Ext(file), ".json") {
		where = fmt.Sprintf("第%d条", row)
	}
	if sheet != "" {
		where = "工作表“" + sheet + "”" + where
	}
	return fmt.Sprintf("%s\n%s（第%d批导入）", filepath.Base(file), where, batch)
}

type writer struct {
	f    *excelize.File
	m    Meta
	rows []listed

	title, info, infoRight, header, cell, wrap, note int
	inDecision, inText, inDate                       int
}

func (w *writer) styles() error {
	border := []excelize.Border{
		{Type: "left", Color: "808080", Style: 1}, {Type: "top", Color: "808080", Style: 1},
		{Type: "right", Color: "808080", Style: 1}, {Type: "bottom", Color: "808080", Style: 1},
	}
	font := &excelize.Font{Family: "宋体", Size: textSize}
	bold := &excelize.Font{Family: "宋体", Size: textSize, Bold: true}
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
		{&w.info, &excelize.Style{Font: font, Alignment: &excelize.Alignment{Horizontal: "left", Vertical: "center", WrapText: true}}},
		{&w.infoRight, &excelize.Style{Font: font, Alignment: &excelize.Alignment{Horizontal: "right", Vertical: "center"}}},
		{&w.header, &excelize.Style{Border: border, Font: bold, Alignment: center,
			Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"D9D9D9"}}}},
		{&w.cell, &excelize.Style{Border: border, Font: font, Alignment: center, Fill: grey}},
		{&w.wrap, &excelize.Style{Border: border, Font: font, Alignment: left, Fill: grey}},
		{&w.note, &excelize.Style{Font: &excelize.Font{Family: "宋体", Size: 10, Color: "595959"}, Alignment: left}},
		{&w.inDecision, &excelize.Style{Border: border, Font: bold, Alignment: center, Fill: yellow, Protection: unlocked}},
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

func (w *writer) build() error {
	f, sh, m := w.f, DataSheet, w.m
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

	// Title, and the line of what the workbook holds and the day of the review.
	merge(1, ColComment, 1, title(m), w.title)
	check(f.SetRowHeight(sh, 1, 36))
	scope := m.Scope
	if scope == "" {
		scope = "全部单位"
	}
	merge(ColNo, ColSubmittedOn, 2, fmt.Sprintf("报告期：%s　　审核范围：%s　　自报完成、待审核确认的报送 %d 项", m.Period.Name(), scope, len(w.rows)), w.info)
	check(f.SetCellStr(sh, sheet.Cell(ColSource, 2), "审核日期："))
	check(f.SetCellStyle(sh, sheet.Cell(ColSource, 2), sheet.Cell(ColSource, 2), w.infoRight))
	check(f.SetCellStyle(sh, DateCell, DateCell, w.inDate))
	check(f.SetRowHeight(sh, 2, 24))

	// Header; the key columns hidden.
	for i, h := range Headers {
		check(f.SetCellStr(sh, sheet.Cell(i+1, HeaderRow), h))
		check(f.SetColWidth(sh, sheet.Col(i+1), sheet.Col(i+1), widths[i]))
	}
	check(f.SetCellStyle(sh, sheet.Cell(1, HeaderRow), sheet.Cell(numCols, HeaderRow), w.header))
	check(f.SetRowHeight(sh, HeaderRow, 30))
	check(f.SetColVisible(sh, sheet.Col(ColUnitID)+":"+sheet.Col(ColReportRow), false))

	row := HeaderRow
	for i, l := range w.rows {
		row++
		date := ""
		if l.submittedOn.Valid {
			date = l.submittedOn.Time.Format(time.DateOnly)
		}
		texts := map[int]string{
			ColUnit: l.unitName, ColText: l.text, ColTarget: l.target, ColStatus: plan.Status(l.status).Name(),
			ColProgress: number(l.progress), ColAchieved: number(l.achieved), ColNotes: l.notes, ColEvidence: l.evidence,
			ColPeriod: plan.Period(l.period).Name(), ColSubmittedOn: date, ColSource: sourceText(l.file, l.sheet, l.row, l.batch),
			ColDecision: plan.Decision(l.decision).Name(), ColComment: l.comment,
			ColUnitID: l.unitID, ColReportPeriod: l.period, ColReportBatch: strconv.Itoa(l.batch), ColReportFile: l.file,
			ColReportSheet: l.sheet, ColReportRow: strconv.Itoa(l.row),
		}
		check(f.SetCellInt(sh, sheet.Cell(ColNo, row), int64(i+1)))
		check(f.SetCellInt(sh, sheet.Cell(ColTask, row), int64(l.task)))
		lines := 1
		for col := ColUnit; col <= numCols; col++ {
			v := texts[col]
			if v == "" {
				continue
			}
			// Text cells, numbers too: the key must come back as written.
			check(f.SetCellStr(sh, sheet.Cell(col, row), v))
			if col <= ColComment {
				lines = max(lines, sheet.Lines(v, widths[col-1]))
			}
		}
		check(f.SetRowHeight(sh, row, sheet.RowHeight(lines, textSize)))
	}
	last := row
	if last > HeaderRow {
		first := HeaderRow + 1
		for _, c := range []struct{ from, to, style int }{
			{ColNo, ColNo, w.cell}, {ColUnit, ColUnit, w.wrap}, {ColTask, ColTask, w.cell}, {ColText, ColTarget, w.wrap},
			{ColStatus, ColAchieved, w.cell}, {ColNotes, ColEvidence, w.wrap}, {ColPeriod, ColSubmittedOn, w.cell},
			{ColSource, ColSource, w.wrap}, {ColDecision, ColDecision, w.inDecision}, {ColComment, ColComment, w.inText},
		} {
			check(f.SetCellStyle(sh, sheet.Cell(c.from, first), sheet.Cell(c.to, last), c.style))
		}
	}

	// What to do, under the table.
	notes := []string{
		"注：1. 本表列出本期各单位自报完成（完成状态为已完成，或完成数量达到量化目标）的报送，灰色栏目为报送内容，不可修改。",
		"2. 请在淡黄色栏目填写：审核结果从下拉列表选择“通过”（确认完成）或“退回”（不予确认，须整改后重新报送）；退回的请在审核意见中写明原因和整改要求；并在右上方填写审核日期。",
		"3. 审核结果留空的报送视为尚未审核。审核结果以所审核的那一次报送为准：单位此后重新报送的，须对新的报送重新审核。",
		"4. 请勿改动表格结构或另存为其他格式（可以改名）；填好后用 plantrack review import 导入。",
	}
	if len(w.rows) == 0 {
		notes = append([]string{"本期没有自报完成、待审核的报送。"}, notes...)
	}
	width := 0.0
	for _, x := range widths[:ColComment] {
		width += x
	}
	merge(1, ColComment, last+2, strings.Join(notes, "\n"), w.note)
	check(f.SetRowHeight(sh, last+2, sheet.RowHeight(sheet.Lines(strings.Join(notes, "\n"), width), 10)))
	if len(errs) > 0 {
		return errs[0]
	}
	if err := w.validations(last); err != nil {
		return err
	}
	return w.finish(last)
}

// title is the workbook's title: 聊城市2021年法治政府建设工作计划完成情况审核表（2021年第二季度）.
func title(m Meta) string {
	return fmt.Sprintf("%s完成情况审核表（%s）", m.PlanTitle, m.Period.Name())
}

func (w *writer) validations(last int) error {
	var dvs []*excelize.DataValidation
	if last > HeaderRow {
		decision := excelize.NewDataValidation(true)
		decision.Sqref = sheet.Cell(ColDecision, HeaderRow+1) + ":" + sheet.Cell(ColDecision, last)
		if err := decision.SetDropList(plan.DecisionWords); err != nil {
			return err
		}
		decision.SetError(excelize.DataValidationErrorStyleStop, "审核结果", "请从下拉列表选择：通过、退回。")
		decision.SetInput("审核结果", "通过：确认完成；退回：不予确认，请在审核意见中写明原因")
		dvs = append(dvs, decision)
	}
	// 审核日期: a real date of the plan year or the next (Q4 is reviewed in the new year).
	year := w.m.PlanYear
	date := excelize.NewDataValidation(true)
	date.Sqref = DateCell
	from := sheet.Serial(time.Date(year, 1, 1, 0, 0, 0, 0, time.UTC))
	to := sheet.Serial(time.Date(year+1, 12, 31, 0, 0, 0, 0, time.UTC))
	if err := date.SetRange(from, to, excelize.DataValidationTypeDate, excelize.DataValidationOperatorBetween); err != nil {
		return err
	}
	date.SetError(excelize.DataValidationErrorStyleStop, "审核日期", fmt.Sprintf("请填写日期，如 %d-07-20。", year))
	date.SetInput("审核日期", fmt.Sprintf("审核当天的日期，如 %d-07-20", year))
	dvs = append(dvs, date)
	for _, dv := range dvs {
		if err := w.f.AddDataValidation(DataSheet, dv); err != nil {
			return err
		}
	}
	return nil
}

func (w *writer) finish(last int) error {
	f, sh, m := w.f, DataSheet, w.m
	// Frozen header, unit and task; the cursor on the first 审核结果.
	if err := f.SetPanes(sh, &excelize.Panes{
		Freeze: true, XSplit: ColTask, YSplit: HeaderRow, TopLeftCell: sheet.Cell(ColTask+1, HeaderRow+1), ActivePane: "bottomRight",
		Selection: []excelize.Selection{{SQRef: sheet.Cell(ColDecision, HeaderRow+1), ActiveCell: sheet.Cell(ColDecision, HeaderRow+1), Pane: "bottomRight"}},
	}); err != nil {
		return err
	}
	// Printed on A4 landscape, one page wide, the title and header on every page, the
	// hidden key columns not printed.
	if err := firstErr(
		sheet.PrintSetup(f, sh, 1, HeaderRow, sheet.Footer(m.Period.Name()+"审核表", "")),
		f.SetDefinedName(&excelize.DefinedName{Name: "_xlnm.Print_Area", RefersTo: fmt.Sprintf("'%s'!$A$1:$%s$%d", sh, sheet.Col(ColComment), last+2), Scope: sh}),
	); err != nil {
		return err
	}
	// Locked cells stay selectable; rows and columns may be resized, not inserted or deleted.
	if err := f.ProtectSheet(sh, &excelize.SheetProtectionOptions{
		SelectLockedCells: true, SelectUnlockedCells: true, FormatColumns: true, FormatRows: true,
	}); err != nil {
		return err
	}
	if err := writeMeta(f, m); err != nil {
		return err
	}
	// No sheets added, removed, renamed or unhidden.
	if err := f.ProtectWorkbook(&excelize.WorkbookProtectionOptions{LockStructure: true}); err != nil {
		return err
	}
	f.SetActiveSheet(0)
	// Fixed properties: the same database and scope, the same bytes.
	q := m.Period.Quarter()
	start := time.Date(m.Period.Year(), time.Month(3*q-2), 1, 0, 0, 0, 0, time.UTC).Format(time.RFC3339)
	return f.SetDocProps(&excelize.DocProperties{
		Creator: "plantrack", LastModifiedBy: "plantrack", Created: start, Modified: start, Category: Category,
		Title: title(m), Subject: "审核表", Language: "zh-CN",
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
