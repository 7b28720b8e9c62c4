package ingest

import (
	"archive/zip"
	"bytes"
	"context"
	"fmt"
	"io"
	"math"
	"os"
	"regexp"
	"strconv"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/xuri/excelize/v2"

	"plantrack/plan"
	"plantrack/store"
	"plantrack/template"
)

// Limits that keep a hostile or broken workbook from taking the machine's memory: a real
// submission unpacks to a few hundred kilobytes.
const (
	xlsxUnzipLimit = 256 << 20 // all parts together, unpacked
	xlsxXMLInRAM   = 16 << 20  // larger sheets are spooled to a temporary file by excelize
)

// openXLSX checks that a file is really a workbook of sane size before excelize reads it.
func openXLSX(path string) (*excelize.File, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	head := make([]byte, 8)
	n, _ := io.ReadFull(f, head)
	head = head[:n]
	switch {
	case bytes.HasPrefix(head, []byte("\xD0\xCF\x11\xE0")):
		return nil, plan.FileFault("an Excel 97-2003 (.xls) workbook or other OLE file: open it in Excel and save it as .xlsx",
			"这是旧版 Excel（.xls）文件，请在 Excel 中另存为 .xlsx 后重新报送")
	case !bytes.HasPrefix(head, []byte("PK\x03\x04")) && looksLikeText(head):
		return nil, plan.FileFault("not an xlsx workbook but a text file (a CSV named .xlsx?): rename it to .csv",
			"文件名是 .xlsx，内容却是文本（可能是改了扩展名的 CSV），请改名为 .csv 或另存为 .xlsx")
	case !bytes.HasPrefix(head, []byte("PK\x03\x04")):
		return nil, notWorkbook(fmt.Sprintf("not an xlsx workbook: it starts with bytes % x, not a zip header", head))
	}
	st, err := f.Stat()
	if err != nil {
		return nil, err
	}
	zr, err := zip.NewReader(f, st.Size())
	if err != nil {
		return nil, notWorkbook("not an xlsx workbook: " + err.Error())
	}
	var total uint64
	hasWorkbook := false
	for _, zf := range zr.File {
		total += zf.UncompressedSize64
		if zf.Name == "xl/workbook.xml" {
			hasWorkbook = true
		}
	}
	if total > xlsxUnzipLimit {
		return nil, plan.FileFault(fmt.Sprintf("refused: it would unpack to %d MB (the limit is %d MB); a real submission is far smaller", total>>20, xlsxUnzipLimit>>20),
			"文件过大，不像是一份进度报表，请检查后重新报送")
	}
	if !hasWorkbook {
		return nil, notWorkbook("not an xlsx workbook: the zip holds no xl/workbook.xml")
	}
	// archive/zip refuses entries that unpack to more than their header says, so the
	// limit above holds for what excelize reads too.
	return excelize.OpenFile(path, excelize.Options{RawCellValue: true, UnzipSizeLimit: xlsxUnzipLimit, UnzipXMLSizeLimit: xlsxXMLInRAM})
}

// notWorkbook is a file that is no readable workbook.
func notWorkbook(text string) *plan.Fault {
	return plan.FileFault(text, "文件不是有效的 Excel 工作簿，请重新保存后报送")
}

// readXLSX reads every sheet that has a header; sheets without one (instructions, notes)
// are listed in the result, not silently passed over.
func (j *fileJob) readXLSX(ctx context.Context, path string, emit func(arrow.RecordBatch) error) error {
	wb, err := openXLSX(path)
	if err != nil {
		j.rejectFile(err)
		return nil
	}
	defer wb.Close()
	props, err := wb.GetWorkbookProps()
	if err != nil {
		j.rejectFile(notWorkbook(fmt.Sprintf("unreadable workbook: %v", err)))
		return nil
	}
	date1904 := props.Date1904 != nil && *props.Date1904
	if !j.recogniseTemplate(wb) {
		return nil // a template this ingest refuses: rejected whole
	}
	if j.tmpl == nil {
		// plantrack's own workbooks (receipts, summary.xlsx) are not submissions, even
		// when they sit in the folder being collected and were saved again since.
		if dp, err := wb.GetDocProps(); err == nil && strings.HasPrefix(dp.Category, ownCategory) {
			j.res.skip = fmt.Sprintf("plantrack's own %s, not a submission", strings.TrimPrefix(dp.Category, ownCategory))
			return nil
		}
	}
	bb := newBatchBuilder(j.c.dicts)
	defer bb.release()
	found := false
	for _, sheet := range wb.GetSheetList() {
		if err := ctx.Err(); err != nil {
			return err
		}
		if j.tmpl != nil && sheet == template.MetaSheet {
			continue
		}
		rows, err := sheetRows(wb, sheet, date1904)
		if err != nil {
			j.rejectFile(notWorkbook(fmt.Sprintf("sheet %s: %v", sheet, err)))
			return nil
		}
		l, at, err := findHeader(rows)
		if err != nil {
			j.res.notes = append(j.res.notes, fmt.Sprintf("sheet %s: no header row, not read", sheet))
			continue
		}
		if j.tmpl != nil {
			j.tmpl.force(l, sheet, rows)
		}
		if miss := l.missingColumns(); len(miss) > 0 {
			f := missingColumn(miss[0], ": the sheet is not read")
			j.res.reject(store.Rejection{File: j.name, Sheet: sheet, Reason: f.Text, ReasonZh: f.Chinese("", ""), Code: string(f.Reason), Raw: "{}"})
			continue
		}
		found = true
		j.layout = l
		for i := at + 1; i < len(rows); i++ {
			j.row(rows[i], sheet, i+1, bb, &j.res)
		}
		if b := bb.finish(); b != nil {
			if err := emit(b); err != nil {
				return err
			}
		}
	}
	if !found && len(j.res.rejections) == 0 {
		j.rejectFile(plan.FileFault("no sheet has a header row with 任务序号", "未找到表头行（应有“任务序号”“完成状态”等栏目），请使用下发的模板填报"))
	}
	return nil
}

// sheetRows returns a sheet's cells as text the normalizers read: dates as 2021-07-05,
// percent cells as 85%, numbers as written, and every cell of a merged range holding the
// range's value (excelize gives it to the top-left cell only).
func sheetRows(wb *excelize.File, sheet string, date1904 bool) ([][]string, error) {
	rows, err := wb.GetRows(sheet, excelize.Options{RawCellValue: true})
	if err != nil {
		return nil, err
	}
	formats := map[int]numFormat{}
	for r, row := range rows {
		for c, v := range row {
			if v == "" || !looksNumeric(v) {
				continue
			}
			axis, _ := excelize.CoordinatesToCellName(c+1, r+1)
			typ, err := wb.GetCellType(sheet, axis)
			if err != nil || (typ != excelize.CellTypeNumber && typ != excelize.CellTypeUnset && typ != excelize.CellTypeDate) {
				continue // text that looks like a number stays text
			}
			style, err := wb.GetCellStyle(sheet, axis)
			if err != nil {
				continue
			}
			nf, ok := formats[style]
			if !ok {
				nf = styleFormat(wb, style)
				formats[style] = nf
			}
			row[c] = formatNumber(v, nf, date1904)
		}
	}
	// A merged range gives its value to the cells that hold data, never more: a range
	// declared over the whole sheet (J2:XFD1048576) must not make a million rows of
	// sixteen thousand cells. Rows and columns are bounded by the last that holds text.
	lastRow, width := 0, 0
	for r, row := range rows {
		for c := len(row) - 1; c >= 0; c-- {
			if strings.TrimSpace(row[c]) != "" {
				lastRow, width = r+1, max(width, c+1)
				break
			}
		}
	}
	rows = rows[:lastRow]
	merges, err := wb.GetMergeCells(sheet, true)
	if err != nil {
		return nil, err
	}
	for _, m := range merges {
		c0, r0, err1 := excelize.CellNameToCoordinates(m.GetStartAxis())
		c1, r1, err2 := excelize.CellNameToCoordinates(m.GetEndAxis())
		if err1 != nil || err2 != nil || r0 > len(rows) || c0 > width {
			continue
		}
		c1, r1 = min(c1, width), min(r1, len(rows))
		v := ""
		if c0-1 < len(rows[r0-1]) {
			v = rows[r0-1][c0-1]
		}
		for r := r0; r <= r1 && r <= len(rows); r++ {
			for len(rows[r-1]) < c1 {
				rows[r-1] = append(rows[r-1], "")
			}
			for c := c0; c <= c1; c++ {
				rows[r-1][c-1] = v
			}
		}
	}
	return rows, nil
}

type numFormat int

const (
	fmtNumber numFormat = iota
	fmtPercent
	fmtDate
)

// Built-in number formats (ECMA-376 18.8.30) that are dates, including the CJK ones.
func builtinDate(id int) bool {
	return (id >= 14 && id <= 22) || (id >= 27 && id <= 36) || (id >= 45 && id <= 47) || (id >= 50 && id <= 58)
}

var (
	quotedRE   = regexp.MustCompile(`"[^"]*"|\[[^\]]*\]|\\.`)
	dateCodeRE = regexp.MustCompile(`[yYdD]|[mM].*[dDyY]|[yYdD].*[mM]`)
)

func styleFormat(wb *excelize.File, style int) numFormat {
	st, err := wb.GetStyle(style)
	if err != nil || st == nil {
		return fmtNumber
	}
	code := ""
	if st.CustomNumFmt != nil {
		code = quotedRE.ReplaceAllString(*st.CustomNumFmt, "")
	}
	switch {
	case st.NumFmt == 9 || st.NumFmt == 10 || strings.Contains(code, "%"):
		return fmtPercent
	case builtinDate(st.NumFmt) || (code != "" && dateCodeRE.MatchString(code)):
		return fmtDate
	}
	return fmtNumber
}

func looksNumeric(s string) bool {
	_, err := strconv.ParseFloat(s, 64)
	return err == nil
}

func formatNumber(raw string, nf numFormat, date1904 bool) string {
	v, err := strconv.ParseFloat(raw, 64)
	if err != nil {
		return raw
	}
	switch nf {
	case fmtPercent:
		// 0.85 formatted as a percentage means 85; round away float noise (0.85*100 = 85.00000000000001).
		return strconv.FormatFloat(math.Round(v*100*1e9)/1e9, 'f', -1, 64) + "%"
	case fmtDate:
		t, err := excelize.ExcelDateToTime(v, date1904)
		if err != nil {
			return raw
		}
		return t.Format("2006-01-02")
	}
	return raw
}

// looksLikeText: the first bytes are printable ASCII or the start of UTF-8/GBK text.
func looksLikeText(b []byte) bool {
	for _, c := range b {
		if c < 0x20 && c != '\t' && c != '\r' && c != '\n' {
			return false
		}
	}
	return len(b) > 0
}
