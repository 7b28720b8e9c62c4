package review

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/xuri/excelize/v2"

	"plantrack/plan"
	"plantrack/store"
)

// Workbook is a review workbook as read back: what its hidden sheet says, the 审核日期,
// and its rows with a decision. Problems are what could not be taken (a whole workbook,
// Row 0, or a row), each with its reason code and its Chinese sentence.
type Workbook struct {
	Path       string
	Meta       *Meta     // nil when the file is not a readable review workbook
	ReviewedOn time.Time // zero when not given (or not a date)
	Rows       []Decided
	Undecided  int // rows with an empty 审核结果: not decided yet, skipped
	Problems   []store.Rejection
}

// Decided is one row with a decision: the report it judges (key and lineage, from the
// row's hidden columns), the decision and the comment.
type Decided struct {
	Row      int // the sheet's row
	UnitID   string
	UnitName string // as the row shows it
	TaskNo   int
	Period   string // the report's period
	Batch    int
	File     string
	Sheet    string
	SrcRow   int
	Decision plan.Decision
	Word     string // the 审核结果 as written
	Comment  string
}

// Header names import needs, besides the hidden key columns.
var (
	decisionHeader = Headers[ColDecision-1]
	commentHeader  = Headers[ColComment-1]
	dateHeader     = "审核日期"
)

// Read reads a review workbook. It never fails: a file that cannot be read as one is a
// problem of the whole file (bad_file), and so is one whose table lacks a column import
// needs.
func Read(path string) *Workbook {
	wb := &Workbook{Path: path}
	whole := func(text, zh string) *Workbook {
		wb.Problems = append(wb.Problems, store.Rejection{File: path, Reason: text, ReasonZh: zh, Code: string(plan.ReasonFile)})
		return wb
	}
	f, err := excelize.OpenFile(path, excelize.Options{RawCellValue: true, UnzipSizeLimit: 256 << 20})
	if err != nil {
		return whole(fmt.Sprintf("not a readable workbook: %v", err), "文件不是有效的 Excel 工作簿（.xlsx），请使用 plantrack review 生成的审核表")
	}
	defer f.Close()
	m, err := readMeta(f)
	if err != nil {
		return whole(err.Error(), "不是 plantrack 生成的审核表（或其隐藏的 plantrack 工作表已损坏），请使用 plantrack review 生成的审核表")
	}
	wb.Meta = m
	date1904 := false
	if props, err := f.GetWorkbookProps(); err == nil && props.Date1904 != nil {
		date1904 = *props.Date1904
	}
	rows, err := f.GetRows(m.Sheet, excelize.Options{RawCellValue: true})
	if err != nil {
		return whole(fmt.Sprintf("sheet %s: %v", m.Sheet, err), "工作表“"+m.Sheet+"”无法读取")
	}
	if len(rows) < m.HeaderRow {
		return whole(fmt.Sprintf("sheet %s has no header row %d", m.Sheet, m.HeaderRow), "审核表的表头缺失，请重新生成审核表")
	}
	col := map[string]int{}
	for i, h := range rows[m.HeaderRow-1] {
		if h = strings.TrimSpace(h); h != "" {
			if _, ok := col[h]; !ok {
				col[h] = i
			}
		}
	}
	for _, h := range append([]string{decisionHeader, commentHeader}, Headers[ColUnitID-1:]...) {
		if _, ok := col[h]; !ok {
			return whole(fmt.Sprintf("sheet %s: no column %s", m.Sheet, h), "审核表缺少“"+h+"”栏，请勿改动表格结构，重新生成审核表")
		}
	}
	get := func(r []string, h string) string {
		i, ok := col[h]
		if !ok || i >= len(r) {
			return ""
		}
		return strings.TrimSpace(r[i])
	}

	// The 审核日期.
	dc, dr, _ := excelize.CellNameToCoordinates(m.DateCell)
	if raw := cellAt(rows, dr, dc); raw != "" {
		if d, ok := parseDate(raw, date1904); ok {
			wb.ReviewedOn = d
		} else {
			wb.Problems = append(wb.Problems, store.Rejection{File: path, Sheet: m.Sheet, Row: dr, Column: dateHeader, Value: raw,
				Reason: "not a date: the decisions are stored without a day", Code: string(plan.ReasonDate),
				ReasonZh: "「审核日期」“" + raw + "”不是日期（如 2021-07-20），审核结果已导入，但未记录审核日期"})
		}
	}

	for i := m.HeaderRow; i < len(rows); i++ {
		r, row := rows[i], i+1
		unitID := get(r, Headers[ColUnitID-1])
		if unitID == "" {
			continue // the notes under the table, blank rows
		}
		word, comment := get(r, decisionHeader), get(r, commentHeader)
		reject := func(f *plan.Fault, value string) {
			wb.Problems = append(wb.Problems, store.Rejection{File: path, Sheet: m.Sheet, Row: row, Column: decisionHeader, Value: value,
				Reason: f.Text, ReasonZh: f.Chinese(decisionHeader, value), Code: string(f.Reason)})
		}
		d, err := plan.ParseDecision(word)
		switch {
		case err != nil:
			var f *plan.Fault
			errors.As(err, &f)
			reject(f, word)
			continue
		case d == "" && comment != "":
			reject(plan.NoDecision(), word)
			continue
		case d == "":
			wb.Undecided++
			continue
		}
		x := Decided{Row: row, UnitID: unitID, UnitName: get(r, Headers[ColUnit-1]), Period: get(r, Headers[ColReportPeriod-1]),
			File: get(r, Headers[ColReportFile-1]), Sheet: get(r, Headers[ColReportSheet-1]), Decision: d, Word: word, Comment: comment}
		task, e1 := wholeNumber(get(r, Headers[ColTask-1]))
		batch, e2 := wholeNumber(get(r, Headers[ColReportBatch-1]))
		src, e3 := wholeNumber(get(r, Headers[ColReportRow-1]))
		if e1 != nil || e2 != nil || e3 != nil || !plan.Period(x.Period).Valid() || x.File == "" {
			reject(&plan.Fault{Reason: plan.ReasonUnknownReport, Text: "the row's report key (hidden columns) is damaged",
				Zh: "本行所审核报送的标识（隐藏栏）已损坏，无法确定审核的是哪一次报送，请重新生成审核表"}, word)
			continue
		}
		x.TaskNo, x.Batch, x.SrcRow = task, batch, src
		wb.Rows = append(wb.Rows, x)
	}
	return wb
}

// cellAt is the raw value at a 1-based row and column of rows read by GetRows.
func cellAt(rows [][]string, row, col int) string {
	if row < 1 || row > len(rows) || col < 1 || col > len(rows[row-1]) {
		return ""
	}
	return strings.TrimSpace(rows[row-1][col-1])
}

// wholeNumber reads a whole number written as text or as a number cell (3, 3.0).
func wholeNumber(s string) (int, error) {
	if n, err := strconv.Atoi(s); err == nil {
		return n, nil
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || f != math.Trunc(f) {
		return 0, fmt.Errorf("%q is not a whole number", s)
	}
	return int(f), nil
}

// parseDate reads a 审核日期: a date cell (its serial number, 1900 or 1904 system) or a
// date written as text: 2021-07-20, 2021/7/20, 2021年7月20日.
func parseDate(raw string, date1904 bool) (time.Time, bool) {
	s := plan.Fold(raw)
	if n, err := strconv.ParseFloat(s, 64); err == nil {
		if n < 1 || n > 100000 {
			return time.Time{}, false
		}
		base := time.Date(1899, 12, 30, 0, 0, 0, 0, time.UTC)
		if date1904 {
			base = time.Date(1904, 1, 1, 0, 0, 0, 0, time.UTC)
		}
		return base.AddDate(0, 0, int(n)), true
	}
	t, err := plan.ParseDate(s)
	return t, err == nil
}

// Check judges the decisions read against the database and returns those to store, in
// the order of the workbooks and their rows, and the problems found (each workbook's
// problems from Read first). A workbook made for another plan than the database's plan
// of its period's year is refused whole (wrong_plan). A decision is taken only when the
// report it judged still stands for its assignment at the workbook's period
// (assignment_status_at): a newer report needs a review of its own (report_not_standing);
// a report the database does not hold is unknown_report. Two rows of the import deciding
// one report differently are both refused (conflicting_review); the same decision twice
// is taken once.
func Check(ctx context.Context, db *sql.DB, wbs []*Workbook) ([]store.Review, []store.Rejection, error) {
	var out []store.Review
	var problems []store.Rejection
	type taken struct {
		review store.Review
		at     store.Rejection // where it was read, to name in a clash
		word   string
	}
	var candidates []taken
	for _, wb := range wbs {
		problems = append(problems, wb.Problems...)
		m := wb.Meta
		if m == nil || len(wb.Rows) == 0 {
			continue
		}
		var planID string
		err := db.QueryRowContext(ctx, "SELECT plan_id FROM plans WHERE year = ?", m.Period.Year()).Scan(&planID)
		switch {
		case err == sql.ErrNoRows:
			problems = append(problems, store.Rejection{File: wb.Path, Code: string(plan.ReasonWrongPlan),
				Reason:   fmt.Sprintf("a review workbook of plan %s (%d), but the database has no plan for %d", short(m.PlanID), m.PlanYear, m.Period.Year()),
				ReasonZh: fmt.Sprintf("审核表所属的%d年工作计划不在本数据库中，整个文件未导入", m.Period.Year())})
			continue
		case err != nil:
			return nil, nil, fmt.Errorf("review import: %w", err)
		case planID != m.PlanID:
			problems = append(problems, store.Rejection{File: wb.Path, Code: string(plan.ReasonWrongPlan),
				Reason: fmt.Sprintf("a review workbook of plan %s, but the database's %d plan is %s", short(m.PlanID), m.Period.Year(), short(planID)),
				ReasonZh: fmt.Sprintf("审核表是按另一份工作计划（%s）生成的，与本数据库%d年的工作计划（%s）不符，整个文件未导入",
					short(m.PlanID), m.Period.Year(), short(planID))})
			continue
		}
		stands, err := standing(ctx, db, m.Period, wb.Rows)
		if err != nil {
			return nil, nil, err
		}
		for i, x := range wb.Rows {
			at := store.Rejection{File: wb.Path, Sheet: m.Sheet, Row: x.Row, Column: decisionHeader, Value: x.Word}
			if why := stands[i]; why != nil {
				at.Reason, at.ReasonZh, at.Code = why.Text, why.Zh, string(why.Reason)
				problems = append(problems, at)
				continue
			}
			candidates = append(candidates, taken{at: at, word: x.Word, review: store.Review{
				UnitID: x.UnitID, TaskNo: x.TaskNo, Period: x.Period, ReportBatch: x.Batch, ReportFile: x.File, ReportSheet: x.Sheet,
				ReportRow: x.SrcRow, Decision: string(x.Decision), Comment: x.Comment, ReviewedOn: wb.ReviewedOn,
				SourceFile: wb.Path, SourceRow: x.Row}})
		}
	}
	// Rows of the import on the same report: the same decision is taken once, different
	// ones are all refused.
	type key struct {
		unit, period, file, sheet string
		task, batch, row          int
	}
	keyOf := func(r store.Review) key {
		return key{r.UnitID, r.Period, r.ReportFile, r.ReportSheet, r.TaskNo, r.ReportBatch, r.ReportRow}
	}
	byKey := map[key][]int{}
	for i, c := range candidates {
		byKey[keyOf(c.review)] = append(byKey[keyOf(c.review)], i)
	}
	for i, c := range candidates {
		same := byKey[keyOf(c.review)]
		clash := -1
		for _, j := range same {
			o := candidates[j].review
			if o.Decision != c.review.Decision || o.Comment != c.review.Comment {
				clash = j
				break
			}
		}
		if clash >= 0 {
			o := candidates[clash].at
			p := c.at
			p.Code = string(plan.ReasonReviewClash)
			p.Reason = fmt.Sprintf("%s:%d decides the same report otherwise; neither is taken", store.Shown(o.File), o.Row)
			p.ReasonZh = fmt.Sprintf("%s 第%d行对同一次报送作出了不同的审核结果（或意见），两行均未导入，请核对后只保留一个结论", o.File, o.Row)
			problems = append(problems, p)
			continue
		}
		if same[0] != i {
			continue // the same decision again: taken once
		}
		out = append(out, c.review)
	}
	return out, problems, nil
}

// standing says, for each decided row, why its report cannot be judged at period p (nil
// when it can): the report is unknown, or another report stands for its assignment.
func standing(ctx context.Context, db *sql.DB, p plan.Period, rows []Decided) ([]*plan.Fault, error) {
	n := len(rows)
	idx, tasks, batches, srcRows := make([]int32, n), make([]int32, n), make([]int32, n), make([]int32, n)
	units, periods, files, sheets := make([]string, n), make([]string, n), make([]string, n), make([]string, n)
	for i, x := range rows {
		idx[i], tasks[i], batches[i], srcRows[i] = int32(i), int32(x.TaskNo), int32(x.Batch), int32(x.SrcRow)
		units[i], periods[i], files[i], sheets[i] = x.UnitID, x.Period, x.File, x.Sheet
	}
	q, err := db.QueryContext(ctx, `
		WITH k AS (
			SELECT unnest(?::INTEGER[]) AS i, unnest(?::VARCHAR[]) AS unit_id, unnest(?::INTEGER[]) AS task_no,
			       unnest(?::VARCHAR[]) AS period, unnest(?::INTEGER[]) AS batch_id, unnest(?::VARCHAR[]) AS source_file,
			       unnest(?::VARCHAR[]) AS source_sheet, unnest(?::INTEGER[]) AS source_row
		)
		SELECT k.i,
		       EXISTS (SELECT 1 FROM submissions s WHERE s.unit_id = k.unit_id AND s.task_no = k.task_no
		               AND s.period::VARCHAR = k.period AND s.batch_id = k.batch_id AND s.source_file = k.source_file
		               AND s.source_sheet = k.source_sheet AND s.source_row = k.source_row) AS known,
		       coalesce(st.report_period::VARCHAR = k.period AND st.batch_id = k.batch_id AND st.source_file = k.source_file
		                AND st.source_sheet = k.source_sheet AND st.source_row = k.source_row, false) AS stands,
		       coalesce(st.report_period::VARCHAR, ''), coalesce(st.batch_id, 0), coalesce(st.source_file, ''),
		       coalesce(st.source_sheet, ''), coalesce(st.source_row, 0), st.submitted_on
		FROM k LEFT JOIN assignment_status_at(?) st ON st.unit_id = k.unit_id AND st.task_no = k.task_no
		ORDER BY k.i`, idx, units, tasks, periods, batches, files, sheets, srcRows, string(p))
	if err != nil {
		return nil, fmt.Errorf("review import: %w", err)
	}
	defer q.Close()
	out := make([]*plan.Fault, n)
	for q.Next() {
		var i, batch, row int
		var known, stands bool
		var period, file, sheet string
		var on sql.NullTime
		if err := q.Scan(&i, &known, &stands, &period, &batch, &file, &sheet, &row, &on); err != nil {
			return nil, fmt.Errorf("review import: %w", err)
		}
		switch {
		case !known:
			out[i] = &plan.Fault{Reason: plan.ReasonUnknownReport, Text: "the report this row judged is not in the database (a workbook of another database?)",
				Zh: "本行所审核的报送在数据库中不存在（可能是另一数据库生成的审核表），未导入"}
		case !stands && file == "":
			out[i] = &plan.Fault{Reason: plan.ReasonNotStanding, Text: fmt.Sprintf("the report this row judged does not stand at %s", p),
				Zh: fmt.Sprintf("本行所审核的报送在%s已不再有效，未导入", p.Name())}
		case !stands:
			date := "no 填报日期"
			zhDate := "未填填报日期"
			if on.Valid {
				date = "filed " + on.Time.Format(time.DateOnly)
				zhDate = "填报日期 " + on.Time.Format(time.DateOnly)
			}
			out[i] = &plan.Fault{Reason: plan.ReasonNotStanding,
				Text: fmt.Sprintf("a newer report stands for this task: %s (batch %d, %s); review it in a new workbook",
					sourceLine(file, sheet, row), batch, date),
				Zh: fmt.Sprintf("该单位此后重新报送了此项任务（%s，第%d批导入，%s），本行审核的报送已被取代，审核结果未导入：请重新生成审核表，对新的报送进行审核",
					sourceLine(file, sheet, row), batch, zhDate)}
		}
	}
	return out, q.Err()
}

// sourceLine is a report's lineage on one line: 东阿县.xlsx:填报表:5.
func sourceLine(file, sheet string, row int) string {
	s := store.Shown(file)
	if sheet != "" {
		s += ":" + store.Shown(sheet)
	}
	return s + ":" + strconv.Itoa(row)
}

func short(id string) string {
	if len(id) > 12 {
		return id[:12]
	}
	return id
}
