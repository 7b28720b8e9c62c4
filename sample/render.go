package sample

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/simplifiedchinese"

	"plantrack/plan"
)

// render returns the file's bytes and fills in its row counts and cells of interest.
func (fs *fileSpec) render(c *plan.Catalog) ([]byte, error) {
	fs.Rows = len(fs.recs)
	switch fs.Format {
	case "csv":
		return fs.csv()
	case "json":
		return fs.json()
	case "xlsx":
		return fs.xlsx(c)
	}
	return nil, fmt.Errorf("unknown format %q", fs.Format)
}

// note records the marks of a row once its row number and written values are known.
func (fs *fileSpec) note(r record, row int, colName func(int) string, value func(int) string) {
	for _, m := range r.marks {
		cell := Cell{Row: row, Column: colName(m.col), Value: value(m.col), Why: m.why}
		switch m.kind {
		case markBad:
			fs.Bad = append(fs.Bad, cell)
		case markFlag:
			fs.Flagged = append(fs.Flagged, cell)
		case markTricky:
			fs.Tricky = append(fs.Tricky, cell)
		}
	}
}

func zhName(col int) string { return columns[col].zh }

// texts is a row as CSV writes it.
func (fs *fileSpec) texts(r record) []string {
	achieved := ""
	if r.achieved >= 0 {
		achieved = strconv.Itoa(r.achieved)
	}
	return []string{r.unit, r.period, strconv.Itoa(r.task), r.status, progressText(r.progress, fs.st.progress),
		achieved, r.notes, r.evidence, dateText(r.date, fs.st.date)}
}

func (fs *fileSpec) csv() ([]byte, error) {
	fs.HeaderRow = 1
	var b bytes.Buffer
	w := csv.NewWriter(&b)
	// Excel on Windows writes CRLF; a UTF-8 file without BOM comes from a script.
	w.UseCRLF = fs.Encoding != "utf-8"
	header := make([]string, numCols)
	for i, c := range columns {
		header[i] = c.zh
	}
	if err := w.Write(header); err != nil {
		return nil, err
	}
	for i, r := range fs.recs {
		rec := fs.texts(r)
		if err := w.Write(rec); err != nil {
			return nil, err
		}
		fs.note(r, i+2, zhName, func(col int) string { return rec[col] })
	}
	w.Flush()
	if err := w.Error(); err != nil {
		return nil, err
	}
	switch fs.Encoding {
	case "utf-8-bom":
		return append([]byte("\ufeff"), b.Bytes()...), nil
	case "gbk":
		out, err := simplifiedchinese.GBK.NewEncoder().Bytes(b.Bytes())
		if err != nil {
			return nil, fmt.Errorf("encode gbk: %w", err)
		}
		return out, nil
	}
	return b.Bytes(), nil
}

// jsonRow keeps the keys in the order units write them.
type jsonRow struct {
	Unit        string `json:"unit"`
	Period      string `json:"period"`
	TaskNo      int    `json:"task_no"`
	Status      string `json:"status"`
	Progress    any    `json:"progress"`
	Achieved    any    `json:"achieved"`
	Notes       string `json:"notes"`
	Evidence    string `json:"evidence"`
	SubmittedOn string `json:"submitted_on"`
}

func (fs *fileSpec) json() ([]byte, error) {
	rows := make([]jsonRow, 0, len(fs.recs))
	for i, r := range fs.recs {
		jr := jsonRow{Unit: r.unit, Period: r.period, TaskNo: r.task, Status: r.status,
			Notes: r.notes, Evidence: r.evidence, SubmittedOn: dateText(r.date, fs.st.date)}
		switch {
		case fs.st.progress != progNum:
			jr.Progress = progressText(r.progress, fs.st.progress)
		case r.progress >= 0:
			jr.Progress = r.progress
		}
		switch {
		case r.achieved >= 0 && fs.st.achievedText:
			jr.Achieved = strconv.Itoa(r.achieved)
		case r.achieved >= 0:
			jr.Achieved = r.achieved
		case fs.st.achievedText:
			jr.Achieved = ""
		}
		rows = append(rows, jr)
		fs.note(r, i+1, func(col int) string { return columns[col].en }, func(col int) string {
			switch col {
			case colUnit:
				return jr.Unit
			case colPeriod:
				return jr.Period
			case colTask:
				return strconv.Itoa(jr.TaskNo)
			case colStatus:
				return jr.Status
			case colProgress:
				return jsonText(jr.Progress)
			case colNotes:
				return jr.Notes
			}
			return ""
		})
	}
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(rows); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

func jsonText(v any) string {
	switch v := v.(type) {
	case nil:
		return "null"
	case string:
		return v
	}
	return fmt.Sprint(v)
}

var sheetNames = []string{"Sheet1", "进度表", "", "填报表"}

// xlsx lays out a workbook as offices make them: title, 填报单位 line, header, data,
// maybe a 合计 row, a blank row, a note, maybe a 说明 sheet.
func (fs *fileSpec) xlsx(c *plan.Catalog) ([]byte, error) {
	st := fs.st
	f := excelize.NewFile()
	defer f.Close()
	if st.date1904 {
		t := true
		if err := f.SetWorkbookProps(&excelize.WorkbookPropsOptions{Date1904: &t}); err != nil {
			return nil, err
		}
	}
	sheet := sheetNames[st.sheetName]
	if sheet == "" {
		sheet = fmt.Sprintf("%d年第%s季度", c.Year, quarterNames[fs.q])
	}
	fs.Sheet = sheet
	first := sheet
	if st.notesSheet == notesBefore {
		first = "说明"
	}
	if err := f.SetSheetName("Sheet1", first); err != nil {
		return nil, err
	}
	if first != sheet {
		if _, err := f.NewSheet(sheet); err != nil {
			return nil, err
		}
	}
	if st.notesSheet != notesNone {
		if st.notesSheet == notesAfter {
			if _, err := f.NewSheet("说明"); err != nil {
				return nil, err
			}
		}
		if err := writeInstructions(f, "说明"); err != nil {
			return nil, err
		}
	}
	x := &xlsxWriter{f: f, sheet: sheet, fs: fs}
	if err := x.styles(); err != nil {
		return nil, err
	}
	if err := x.write(c); err != nil {
		return nil, err
	}
	idx, err := f.GetSheetIndex(sheet)
	if err != nil {
		return nil, err
	}
	f.SetActiveSheet(idx)
	// Fixed properties: excelize would otherwise keep its template's, and a workbook
	// should look saved by its unit on the day it was filed.
	app := "Microsoft Excel"
	if st.date1904 {
		app = "Microsoft Macintosh Excel"
	}
	if err := f.SetAppProps(&excelize.AppProperties{Application: app, AppVersion: "16.0300"}); err != nil {
		return nil, err
	}
	if err := f.SetDocProps(&excelize.DocProperties{
		Creator:        "Administrator",
		LastModifiedBy: st.formal,
		Created:        fs.date.AddDate(0, 0, -3).Format("2006-01-02") + "T08:30:00Z",
		Modified:       fs.date.Format("2006-01-02") + "T09:15:00Z",
		Title:          c.Title + "进度表",
		Language:       "zh-CN",
	}); err != nil {
		return nil, err
	}
	b, err := f.WriteToBuffer()
	if err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

func writeInstructions(f *excelize.File, sheet string) error {
	lines := []string{
		"填报说明",
		"1. 每项任务填写一行，任务序号与工作计划一致。",
		"2. 完成状态填写：未启动、推进中、基本完成、已完成。",
		"3. 完成进度按百分比填写，已完成的填100%。",
		"4. 有量化指标的任务，请在“完成数量”栏填写已完成的次数。",
		"5. 佐证材料请另行报送电子版，此处填写文件名。",
		"6. 请于每季度结束后10日内报送市司法局（市委依法治市办）。",
	}
	for i, l := range lines {
		if err := f.SetCellStr(sheet, fmt.Sprintf("A%d", i+1), l); err != nil {
			return err
		}
	}
	return f.SetColWidth(sheet, "A", "A", 70)
}

type xlsxWriter struct {
	f     *excelize.File
	sheet string
	fs    *fileSpec
	cols  []int // the submission columns present, in order

	// Style ids.
	title, info, header, plain, wrap, pct, num, date, total, totalPct int
}

func (x *xlsxWriter) styles() error {
	border := []excelize.Border{
		{Type: "left", Color: "000000", Style: 1}, {Type: "top", Color: "000000", Style: 1},
		{Type: "right", Color: "000000", Style: 1}, {Type: "bottom", Color: "000000", Style: 1},
	}
	center := &excelize.Alignment{Horizontal: "center", Vertical: "center", WrapText: true}
	font := &excelize.Font{Family: "宋体", Size: 11}
	bold := &excelize.Font{Family: "宋体", Size: 11, Bold: true}
	pctFmt := 9
	if x.fs.st.progress == progCell10 {
		pctFmt = 10
	}
	dateStyle := &excelize.Style{Border: border, Font: font, Alignment: center, NumFmt: 14}
	if x.fs.st.dateFmt != "" {
		dateStyle.CustomNumFmt = &x.fs.st.dateFmt
	}
	for _, s := range []struct {
		id    *int
		style *excelize.Style
	}{
		{&x.title, &excelize.Style{Font: &excelize.Font{Family: "方正小标宋简体", Size: 16, Bold: true}, Alignment: center}},
		{&x.info, &excelize.Style{Font: font, Alignment: &excelize.Alignment{Horizontal: "left", Vertical: "center"}}},
		{&x.header, &excelize.Style{Border: border, Font: bold, Alignment: center,
			Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"D9D9D9"}}}},
		{&x.plain, &excelize.Style{Border: border, Font: font, Alignment: center}},
		{&x.wrap, &excelize.Style{Border: border, Font: font, Alignment: &excelize.Alignment{Horizontal: "left", Vertical: "center", WrapText: true}}},
		{&x.pct, &excelize.Style{Border: border, Font: font, Alignment: center, NumFmt: pctFmt}},
		{&x.num, &excelize.Style{Border: border, Font: font, Alignment: center, NumFmt: 1}},
		{&x.date, dateStyle},
		{&x.total, &excelize.Style{Border: border, Font: bold, Alignment: center}},
		{&x.totalPct, &excelize.Style{Border: border, Font: bold, Alignment: center, NumFmt: pctFmt}},
	} {
		id, err := x.f.NewStyle(s.style)
		if err != nil {
			return err
		}
		*s.id = id
	}
	return nil
}

var colWidths = [numCols]float64{26, 15, 9, 11, 11, 10, 48, 22, 16}

func (x *xlsxWriter) write(c *plan.Catalog) error {
	f, sh, fs, st := x.f, x.sheet, x.fs, x.fs.st
	for col := range numCols {
		if st.omitUnitDate && (col == colUnit || col == colDate) {
			continue
		}
		x.cols = append(x.cols, col)
	}
	last, _ := excelize.ColumnNumberToName(len(x.cols))
	ref := func(i, row int) string { n, _ := excelize.CoordinatesToCellName(i+1, row); return n }
	line := func(row int, text string, style int) error {
		return firstErr(f.SetCellStr(sh, ref(0, row), text),
			f.MergeCell(sh, ref(0, row), fmt.Sprintf("%s%d", last, row)),
			f.SetCellStyle(sh, ref(0, row), fmt.Sprintf("%s%d", last, row), style))
	}

	row := 1
	title := fmt.Sprintf("%s进度表（%d年第%s季度）", c.Title, c.Year, quarterNames[fs.q])
	if err := firstErr(line(row, title, x.title), f.SetRowHeight(sh, row, 32)); err != nil {
		return err
	}
	if st.subtitle {
		row++
		if err := line(row, "（季度结束后10日内报送，已完成的任务须附佐证材料）", x.info); err != nil {
			return err
		}
	}
	row++
	if err := line(row, fmt.Sprintf("填报单位：%s    填报日期：%s", st.formal, cnDate(fs.date)), x.info); err != nil {
		return err
	}
	row++
	fs.HeaderRow = row
	for i, col := range x.cols {
		if err := f.SetCellStr(sh, ref(i, row), columns[col].zh); err != nil {
			return err
		}
		name, _ := excelize.ColumnNumberToName(i + 1)
		if err := f.SetColWidth(sh, name, name, colWidths[col]); err != nil {
			return err
		}
	}
	if err := firstErr(f.SetCellStyle(sh, ref(0, row), ref(len(x.cols)-1, row), x.header), f.SetRowHeight(sh, row, 28)); err != nil {
		return err
	}

	firstData := row + 1
	sum, n, achieved := 0, 0, -1
	for k, r := range fs.recs {
		row++
		values := map[int]string{}
		for i, col := range x.cols {
			v, err := x.put(ref(i, row), col, r, k == 0)
			if err != nil {
				return err
			}
			values[col] = v
		}
		fs.note(r, row, zhName, func(col int) string { return values[col] })
		if r.progress >= 0 && r.progress <= 100 {
			sum, n = sum+r.progress, n+1
		}
		if r.achieved >= 0 {
			achieved = max(achieved, 0) + r.achieved
		}
	}
	if st.mergeUnit && row > firstData {
		if err := f.MergeCell(sh, ref(0, firstData), ref(0, row)); err != nil {
			return err
		}
	}
	if st.totals {
		row++
		if err := x.totalsRow(row, len(fs.recs), sum, n, achieved); err != nil {
			return err
		}
	}
	row += 2 // a blank row, then the note
	if err := line(row, "注：进度按百分比填写。", x.info); err != nil {
		return err
	}
	if st.trailing {
		// Template rows nobody filled: borders, no values.
		if err := f.SetCellStyle(sh, ref(0, row+1), ref(len(x.cols)-1, row+3), x.plain); err != nil {
			return err
		}
	}
	return nil
}

// cell writes one value of a data row and returns it as a Cell.Value.
func (x *xlsxWriter) put(at string, col int, r record, firstRow bool) (string, error) {
	f, sh, st := x.f, x.sheet, x.fs.st
	text := func(s string, style int) (string, error) {
		if s != "" {
			if err := f.SetCellStr(sh, at, s); err != nil {
				return "", err
			}
		}
		return s, f.SetCellStyle(sh, at, at, style)
	}
	number := func(v float64, style int) (string, error) {
		return strconv.FormatFloat(v, 'f', -1, 64), firstErr(f.SetCellFloat(sh, at, v, -1, 64), f.SetCellStyle(sh, at, at, style))
	}
	switch col {
	case colUnit:
		if st.mergeUnit && !firstRow {
			return text("", x.plain)
		}
		return text(r.unit, x.plain)
	case colPeriod:
		return text(r.period, x.plain)
	case colTask:
		return number(float64(r.task), x.plain)
	case colStatus:
		return text(r.status, x.plain)
	case colProgress:
		switch {
		case r.progress < 0:
			return text("", x.plain)
		case st.progress == progCell9 || st.progress == progCell10:
			return number(float64(r.progress)/100, x.pct)
		case st.progress == progNum:
			return number(float64(r.progress), x.num)
		}
		return text(progressText(r.progress, st.progress), x.plain)
	case colAchieved:
		if r.achieved < 0 {
			return text("", x.plain)
		}
		return number(float64(r.achieved), x.num)
	case colNotes:
		return text(r.notes, x.wrap)
	case colEvidence:
		return text(r.evidence, x.wrap)
	case colDate:
		if st.date == dateCell {
			return number(float64(serial(r.date, st.date1904)), x.date)
		}
		return text(dateText(r.date, st.date), x.plain)
	}
	return "", fmt.Errorf("no column %d", col)
}

func (x *xlsxWriter) totalsRow(row, tasks, sum, n, achieved int) error {
	f, sh, st := x.f, x.sheet, x.fs.st
	for i, col := range x.cols {
		at, _ := excelize.CoordinatesToCellName(i+1, row)
		var err error
		switch {
		case i == 0:
			err = f.SetCellStr(sh, at, "合计")
		case col == colTask:
			err = f.SetCellStr(sh, at, fmt.Sprintf("共%d项", tasks))
		case col == colProgress && n > 0 && (st.progress == progCell9 || st.progress == progCell10):
			err = f.SetCellFloat(sh, at, float64(sum)/float64(n)/100, 4, 64)
		case col == colProgress && n > 0 && st.progress == progNum:
			err = f.SetCellInt(sh, at, int64(sum/n))
		case col == colProgress && n > 0:
			err = f.SetCellStr(sh, at, progressText(sum/n, st.progress))
		case col == colAchieved && achieved >= 0:
			err = f.SetCellInt(sh, at, int64(achieved))
		}
		style := x.total
		if col == colProgress {
			style = x.totalPct
		}
		if err := firstErr(err, f.SetCellStyle(sh, at, at, style)); err != nil {
			return err
		}
	}
	return nil
}

// serial is an Excel date serial number: days since 1899-12-30 (which absorbs Excel's
// 1900 leap-year bug for dates after February 1900), or since 1904-01-01 in a workbook
// using the 1904 date system.
func serial(t time.Time, date1904 bool) int {
	epoch := time.Date(1899, 12, 30, 0, 0, 0, 0, time.UTC)
	if date1904 {
		epoch = time.Date(1904, 1, 1, 0, 0, 0, 0, time.UTC)
	}
	return int(t.Sub(epoch).Hours() / 24)
}

// firstErr returns the first non-nil error.
func firstErr(errs ...error) error {
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}
