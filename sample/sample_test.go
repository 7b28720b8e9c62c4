package sample

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"
	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/simplifiedchinese"

	"plantrack/plan"
)

// builtIn is the Liaocheng 2021 plan resolved against its registry, as the CLI loads it.
type builtIn struct {
	p   *plan.Bundle
	c   *plan.Catalog
	reg *plan.Registry
	as  []plan.Assignment
}

func loadBuiltIn(t *testing.T) builtIn {
	t.Helper()
	b, err := plan.Builtin()
	if err != nil || b.Problems.Errors() > 0 {
		t.Fatalf("built-in plan: %v %v", err, b.Problems)
	}
	return builtIn{b, b.Catalog, b.Registry, b.Assignments}
}

// sampleYear is one generated year, shared by the tests that only read it.
type sampleYear struct {
	builtIn
	dir   string
	m     Manifest
	files []readFile
}

var (
	yearOnce sync.Once
	year     sampleYear
	yearErr  error
)

func generated(t *testing.T) *sampleYear {
	t.Helper()
	yearOnce.Do(func() {
		year.builtIn = loadBuiltIn(t)
		year.dir, yearErr = os.MkdirTemp("", "plantrack-sample-")
		if yearErr != nil {
			return
		}
		year.m, yearErr = Generate(year.dir, year.p, Options{Seed: DefaultSeed})
		if yearErr != nil {
			return
		}
		for _, f := range year.m.Files {
			rf, err := readBack(year.dir, f)
			if err != nil {
				yearErr = fmt.Errorf("read back %s: %w", f.Path, err)
				return
			}
			year.files = append(year.files, rf)
		}
	})
	if yearErr != nil {
		t.Fatal(yearErr)
	}
	return &year
}

func TestMain(m *testing.M) {
	code := m.Run()
	if year.dir != "" {
		os.RemoveAll(year.dir)
	}
	os.Exit(code)
}

// readFile is a generated file read back independently of the generator: the cells of its
// data rows by header name (Chinese, or the English key in JSON), with row numbers.
type readFile struct {
	File
	raw     []byte
	rows    []readRow
	header  []string
	xlsx    *xlsxFacts
	valueOK bool
}

type readRow struct {
	row   int
	cells map[string]string // raw text; an XLSX number cell as its stored number
	kind  map[string]string // JSON: "string", "number", "null"; XLSX: the cell's number format
}

type xlsxFacts struct {
	sheets   []string
	date1904 bool
	merges   []string
	info     string // the 填报单位 line
	note     bool   // a 注： row under the data
	totals   bool
	widths   map[string]float64
	colOf    map[string]int
	numFmts  map[string]map[int]bool // column → number formats of its data cells
	trailing []string
}

func readBack(dir string, f File) (readFile, error) {
	raw, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(f.Path)))
	if err != nil {
		return readFile{}, err
	}
	rf := readFile{File: f, raw: raw}
	switch f.Format {
	case "csv":
		err = rf.readCSV()
	case "json":
		err = rf.readJSON()
	case "xlsx":
		err = rf.readXLSX()
	default:
		err = fmt.Errorf("format %q", f.Format)
	}
	return rf, err
}

func (rf *readFile) readCSV() error {
	text := rf.raw
	switch rf.Encoding {
	case "utf-8-bom":
		if !bytes.HasPrefix(text, []byte("\xef\xbb\xbf")) {
			return fmt.Errorf("no BOM")
		}
		text = text[3:]
	case "gbk":
		var err error
		if text, err = simplifiedchinese.GBK.NewDecoder().Bytes(text); err != nil {
			return err
		}
	}
	r := csv.NewReader(bytes.NewReader(text))
	header, err := r.Read()
	if err != nil {
		return err
	}
	rf.header = header
	for n := 2; ; n++ {
		rec, err := r.Read()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		row := readRow{row: n, cells: map[string]string{}}
		for i, h := range header {
			row.cells[h] = rec[i]
		}
		rf.rows = append(rf.rows, row)
	}
}

func (rf *readFile) readJSON() error {
	var objs []map[string]any
	if err := json.Unmarshal(rf.raw, &objs); err != nil {
		return err
	}
	for i, o := range objs {
		row := readRow{row: i + 1, cells: map[string]string{}, kind: map[string]string{}}
		for k, v := range o {
			switch v := v.(type) {
			case string:
				row.cells[k], row.kind[k] = v, "string"
			case float64:
				row.cells[k], row.kind[k] = strconv.FormatFloat(v, 'f', -1, 64), "number"
			case nil:
				row.cells[k], row.kind[k] = "", "null"
			default:
				return fmt.Errorf("row %d: %s is %T", i+1, k, v)
			}
		}
		rf.rows = append(rf.rows, row)
	}
	return nil
}

func (rf *readFile) readXLSX() error {
	f, err := excelize.OpenReader(bytes.NewReader(rf.raw))
	if err != nil {
		return err
	}
	defer f.Close()
	props, err := f.GetWorkbookProps()
	if err != nil {
		return err
	}
	x := &xlsxFacts{sheets: f.GetSheetList(), widths: map[string]float64{}, colOf: map[string]int{}, numFmts: map[string]map[int]bool{}}
	if props.Date1904 != nil {
		x.date1904 = *props.Date1904
	}
	rf.xlsx = x
	sheet := rf.Sheet
	rows, err := f.GetRows(sheet, excelize.Options{RawCellValue: true})
	if err != nil {
		return err
	}
	merges, err := f.GetMergeCells(sheet)
	if err != nil {
		return err
	}
	for _, m := range merges {
		x.merges = append(x.merges, m.GetStartAxis()+":"+m.GetEndAxis())
	}
	headerAt := -1
	for i, r := range rows {
		if slices.Contains(r, "任务序号") {
			headerAt = i
			break
		}
		if len(r) > 0 && strings.HasPrefix(r[0], "填报单位：") {
			x.info = r[0]
		}
	}
	if headerAt < 0 {
		return fmt.Errorf("no header row")
	}
	rf.header = rows[headerAt]
	for i, h := range rf.header {
		name, _ := excelize.ColumnNumberToName(i + 1)
		x.colOf[h] = i
		if x.widths[h], err = f.GetColWidth(sheet, name); err != nil {
			return err
		}
	}
	i := headerAt + 1
	for ; i < len(rows) && strings.Join(rows[i], "") != ""; i++ {
		if rows[i][0] == "合计" {
			x.totals = true
			continue
		}
		row := readRow{row: i + 1, cells: map[string]string{}, kind: map[string]string{}}
		for j, h := range rf.header {
			if j < len(rows[i]) {
				row.cells[h] = rows[i][j]
			}
			at, _ := excelize.CoordinatesToCellName(j+1, i+1)
			style, err := f.GetCellStyle(sheet, at)
			if err != nil {
				return err
			}
			s, err := f.GetStyle(style)
			if err != nil {
				return err
			}
			fmtID := s.NumFmt
			if s.CustomNumFmt != nil {
				fmtID = -1 // custom
			}
			row.kind[h] = strconv.Itoa(fmtID)
			if x.numFmts[h] == nil {
				x.numFmts[h] = map[int]bool{}
			}
			x.numFmts[h][fmtID] = true
		}
		rf.rows = append(rf.rows, row)
	}
	for ; i < len(rows); i++ {
		if len(rows[i]) > 0 && strings.HasPrefix(rows[i][0], "注：") {
			x.note = true
		}
	}
	return nil
}

// value returns a row's value for a column given by its Chinese header and English key.
func (r readRow) value(col int) string {
	if v, ok := r.cells[columns[col].zh]; ok {
		return v
	}
	return r.cells[columns[col].en]
}

func (r readRow) kindOf(col int) string {
	if v, ok := r.kind[columns[col].zh]; ok {
		return v
	}
	return r.kind[columns[col].en]
}

func TestDeterministic(t *testing.T) {
	b := loadBuiltIn(t)
	gen := func(seed int64) (string, Manifest) {
		dir := t.TempDir()
		m, err := Generate(dir, b.p, Options{Seed: seed})
		if err != nil {
			t.Fatal(err)
		}
		return dir, m
	}
	dir1, m1 := gen(7)
	dir2, m2 := gen(7)
	if diff := cmp.Diff(m1, m2); diff != "" {
		t.Fatalf("same seed, different manifests (-first +second):\n%s", diff)
	}
	for _, f := range m1.Files {
		a, err := os.ReadFile(filepath.Join(dir1, f.Path))
		if err != nil {
			t.Fatal(err)
		}
		b, err := os.ReadFile(filepath.Join(dir2, f.Path))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(a, b) {
			t.Errorf("%s differs between two runs with the same seed", f.Path)
		}
	}
	if _, m3 := gen(8); cmp.Equal(m1, m3) {
		t.Errorf("seeds 7 and 8 gave the same manifest")
	}
}

func TestFormats(t *testing.T) {
	y := generated(t)
	count := map[string]int{}
	for _, f := range y.m.Files {
		count[f.Format+"/"+f.Encoding]++
	}
	for _, want := range []string{"csv/utf-8", "csv/utf-8-bom", "csv/gbk", "xlsx/", "json/"} {
		if count[want] == 0 {
			t.Errorf("no %s file; got %v", want, count)
		}
	}
	for _, rf := range y.files {
		u, _ := y.reg.ByID(rf.Unit)
		switch {
		case rf.Unit == "":
		case u.Kind == plan.KindCounty && rf.Format != "xlsx":
			t.Errorf("%s: a county file is %s, want xlsx", rf.Path, rf.Format)
		case u.Kind == plan.KindZone && rf.Format == "csv":
			t.Errorf("%s: a zone file is csv, want xlsx or json", rf.Path)
		case (u.Kind == plan.KindDepartment || u.Kind == plan.KindOther) && rf.Format == "xlsx":
			t.Errorf("%s: a department file is xlsx", rf.Path)
		}
		switch rf.Encoding {
		case "gbk":
			if utf8.Valid(rf.raw) {
				t.Errorf("%s: a GBK file is valid UTF-8", rf.Path)
			}
		case "utf-8":
			if !utf8.Valid(rf.raw) || bytes.HasPrefix(rf.raw, []byte("\xef\xbb\xbf")) {
				t.Errorf("%s: not UTF-8 without BOM", rf.Path)
			}
		}
		if rf.Format == "json" && !bytes.HasPrefix(rf.raw, []byte("[\n  {\n    \"unit\": ")) {
			t.Errorf("%s: not a 2-space indented array of objects: %.40q", rf.Path, rf.raw)
		}
		if rf.Format != "json" && !slices.Contains(rf.header, "任务序号") {
			t.Errorf("%s: header %v", rf.Path, rf.header)
		}
	}
}

// TestCounts checks the manifest against the files: rows, bad rows and the cells it names.
func TestCounts(t *testing.T) {
	y := generated(t)
	total, bad := 0, 0
	for _, rf := range y.files {
		if rf.Rows != len(rf.rows) {
			t.Errorf("%s: manifest says %d rows, the file has %d", rf.Path, rf.Rows, len(rf.rows))
		}
		if rf.BadRows != len(rf.Bad) {
			t.Errorf("%s: BadRows %d, %d bad cells", rf.Path, rf.BadRows, len(rf.Bad))
		}
		total += len(rf.rows)
		bad += rf.BadRows
		for _, cells := range [][]Cell{rf.Bad, rf.Flagged, rf.Tricky} {
			for _, c := range cells {
				i := slices.IndexFunc(rf.rows, func(r readRow) bool { return r.row == c.Row })
				if i < 0 {
					t.Errorf("%s: no data row %d for %+v", rf.Path, c.Row, c)
					continue
				}
				if got := rf.rows[i].cells[c.Column]; got != c.Value {
					t.Errorf("%s row %d %s = %q, manifest says %q", rf.Path, c.Row, c.Column, got, c.Value)
				}
			}
		}
	}
	// Every assigned (unit, task) is reported each quarter unless the unit missed it.
	want := 4 * len(y.as)
	for _, ms := range y.m.Missing {
		want -= assignedTasks(y.as, ms.Unit)
	}
	extra := 0
	for _, rf := range y.files {
		if rf.Corrects != "" {
			extra += rf.Rows
		}
	}
	// + the correction's rows, the task 99 row, the unassigned row, the unknown unit's row
	if got := total - extra - 3; got != want {
		t.Errorf("%d rows besides corrections and extra rows, want %d (4 × %d assignments, minus missing)", got, want, len(y.as))
	}
	if bad < 5 || bad > 10 {
		t.Errorf("%d bad rows, want 5–10", bad)
	}
}

func assignedTasks(as []plan.Assignment, unit string) int {
	n := 0
	for _, a := range as {
		if a.UnitID == unit {
			n++
		}
	}
	return n
}

// TestBadRows pins the rows validation must reject, so that ingest tests can rely on them.
func TestBadRows(t *testing.T) {
	y := generated(t)
	type badRow struct{ Format, Column, Value string }
	var got []badRow
	for _, f := range y.m.Files {
		for _, c := range f.Bad {
			got = append(got, badRow{f.Format, c.Column, c.Value})
		}
	}
	want := []badRow{
		{"csv", "填报单位", "市外星事务局"},
		{"csv", "完成进度", "120"}, // the unit's progress style decides % or full width
		{"csv", "报告期", fmt.Sprintf("%dQ5", y.c.Year)},
		{"json", "status", "搞定了"},
		{"xlsx", "任务序号", "99"},
		{"xlsx", "完成进度", "1.5"},
	}
	norm := func(rows []badRow) []badRow {
		out := slices.Clone(rows)
		for i := range out {
			out[i].Value = strings.NewReplacer("%", "", "％", "", "１", "1", "２", "2", "０", "0").Replace(out[i].Value)
		}
		slices.SortFunc(out, func(a, b badRow) int { return strings.Compare(fmt.Sprint(a), fmt.Sprint(b)) })
		return out
	}
	if diff := cmp.Diff(norm(want), norm(got)); diff != "" {
		t.Errorf("bad rows (-want +got):\n%s", diff)
	}
}

// TestHabits checks that each habit of real offices occurs somewhere in the year.
func TestHabits(t *testing.T) {
	y := generated(t)
	anyRow := func(pred func(rf readFile, r readRow) bool) bool {
		for _, rf := range y.files {
			for _, r := range rf.rows {
				if pred(rf, r) {
					return true
				}
			}
		}
		return false
	}
	anyFile := func(pred func(rf readFile) bool) bool { return slices.ContainsFunc(y.files, pred) }
	textMatches := func(col int, re string) func(readFile, readRow) bool {
		rx := regexp.MustCompile(re)
		return func(rf readFile, r readRow) bool { return rf.Format != "xlsx" && rx.MatchString(r.value(col)) }
	}
	xlsxCell := func(col int, numFmt string) func(readFile, readRow) bool {
		return func(rf readFile, r readRow) bool {
			return rf.Format == "xlsx" && r.kindOf(col) == numFmt && r.value(col) != ""
		}
	}
	completed := []string{"已完成", "完成", "全面完成"}
	tests := []struct {
		name string
		ok   bool
	}{
		{"progress 85%", anyRow(textMatches(colProgress, `^[0-9]+%$`))},
		{"progress 85", anyRow(textMatches(colProgress, `^[0-9]+$`))},
		{"progress ８５％", anyRow(textMatches(colProgress, `^[０-９]+％$`))},
		{"progress as a JSON number", anyRow(func(rf readFile, r readRow) bool { return r.kind["progress"] == "number" })},
		{"progress as an XLSX 0% cell", anyRow(xlsxCell(colProgress, "9"))},
		{"progress as an XLSX 0.00% cell", anyRow(xlsxCell(colProgress, "10"))},
		{"progress empty when completed", anyRow(func(rf readFile, r readRow) bool {
			return r.value(colProgress) == "" && slices.Contains(completed, r.value(colStatus))
		})},
		{"date 2021-07-05", anyRow(textMatches(colDate, `^\d{4}-\d\d-\d\d$`))},
		{"date 2021/7/5", anyRow(textMatches(colDate, `^\d{4}/\d{1,2}/\d{1,2}$`))},
		{"date 2021年7月5日", anyRow(textMatches(colDate, `^\d{4}年\d{1,2}月\d{1,2}日$`))},
		{"date as an XLSX cell of format 14", anyRow(xlsxCell(colDate, "14"))},
		{"date as an XLSX cell of a custom format", anyRow(xlsxCell(colDate, "-1"))},
		{"period 2021Q2", anyRow(textMatches(colPeriod, `^\d{4}Q[1-4]$`))},
		{"period 2021-Q2", anyRow(textMatches(colPeriod, `^\d{4}-Q[1-4]$`))},
		{"period 2021年第二季度", anyRow(textMatches(colPeriod, `^\d{4}年第[一二三四]季度$`))},
		{"period 2021年二季度", anyRow(textMatches(colPeriod, `^\d{4}年[一二三四]季度$`))},
		{"period 2021-06", anyRow(textMatches(colPeriod, `^\d{4}-(03|06|09|12)$`))},
		{"period 2021年6月", anyRow(textMatches(colPeriod, `^\d{4}年(3|6|9|12)月$`))},
		{"unit by alias", anyRow(func(rf readFile, r readRow) bool {
			u, ok := y.reg.Lookup(r.value(colUnit))
			return ok && u.Name != r.value(colUnit)
		})},
		{"unit by canonical name", anyRow(func(rf readFile, r readRow) bool {
			u, ok := y.reg.Lookup(r.value(colUnit))
			return ok && u.Name == r.value(colUnit)
		})},
		{"achieved as a JSON string", anyRow(func(rf readFile, r readRow) bool {
			return r.kind["achieved"] == "string" && r.cells["achieved"] != ""
		})},
		{"achieved as a JSON number", anyRow(func(rf readFile, r readRow) bool { return r.kind["achieved"] == "number" })},
		{"evidence given", anyRow(func(rf readFile, r readRow) bool { return strings.Contains(r.value(colEvidence), ".pdf") })},
		{"evidence empty", anyRow(func(rf readFile, r readRow) bool { return r.value(colEvidence) == "" })},
		{"a multi-line note", anyRow(func(rf readFile, r readRow) bool { return strings.Contains(r.value(colNotes), "\n") })},
		{"a late file", anyFile(func(rf readFile) bool { return rf.Late })},
		{"a 1904 workbook with date cells", anyRow(func(rf readFile, r readRow) bool {
			return rf.xlsx != nil && rf.xlsx.date1904 && rf.Date1904 && r.kindOf(colDate) != "0" && r.value(colDate) != ""
		})},
		{"a mixed file", anyFile(func(rf readFile) bool { return rf.Unit == "" })},
		{"a correction", anyFile(func(rf readFile) bool { return rf.Corrects != "" })},
		{"a flagged completed-at-40 row", anyFile(func(rf readFile) bool {
			return slices.ContainsFunc(rf.Flagged, func(c Cell) bool { return strings.Contains(c.Value, "40") || c.Value == "４０％" })
		})},
		{"a flagged unassigned row", anyFile(func(rf readFile) bool {
			return slices.ContainsFunc(rf.Flagged, func(c Cell) bool { return c.Column == "任务序号" || c.Column == "task_no" })
		})},
		{"xlsx: merged title on A1", anyFile(func(rf readFile) bool {
			return rf.xlsx != nil && slices.ContainsFunc(rf.xlsx.merges, func(m string) bool { return strings.HasPrefix(m, "A1:") })
		})},
		{"xlsx: header on row 3", anyFile(func(rf readFile) bool { return rf.Format == "xlsx" && rf.HeaderRow == 3 })},
		{"xlsx: header on row 4", anyFile(func(rf readFile) bool { return rf.Format == "xlsx" && rf.HeaderRow == 4 })},
		{"xlsx: no 填报单位 and 填报日期 columns", anyFile(func(rf readFile) bool {
			return rf.xlsx != nil && !slices.Contains(rf.header, "填报单位") && !slices.Contains(rf.header, "填报日期") &&
				strings.Contains(rf.xlsx.info, "填报日期：")
		})},
		{"xlsx: note row", anyFile(func(rf readFile) bool { return rf.xlsx != nil && rf.xlsx.note })},
		{"xlsx: totals row", anyFile(func(rf readFile) bool { return rf.xlsx != nil && rf.xlsx.totals })},
		{"xlsx: no totals row", anyFile(func(rf readFile) bool { return rf.xlsx != nil && !rf.xlsx.totals })},
		{"xlsx: 说明 sheet after the data", anyFile(func(rf readFile) bool {
			return rf.xlsx != nil && len(rf.xlsx.sheets) == 2 && rf.xlsx.sheets[1] == "说明"
		})},
		{"xlsx: 说明 sheet before the data", anyFile(func(rf readFile) bool {
			return rf.xlsx != nil && len(rf.xlsx.sheets) == 2 && rf.xlsx.sheets[0] == "说明"
		})},
		{"xlsx: 填报单位 merged down the data rows", anyFile(func(rf readFile) bool {
			if rf.xlsx == nil || len(rf.rows) < 2 {
				return false
			}
			col, ok := rf.xlsx.colOf["填报单位"]
			if !ok {
				return false
			}
			name, _ := excelize.ColumnNumberToName(col + 1)
			want := fmt.Sprintf("%s%d:%s%d", name, rf.rows[0].row, name, rf.rows[len(rf.rows)-1].row)
			return slices.Contains(rf.xlsx.merges, want) && rf.rows[1].value(colUnit) == ""
		})},
		{"xlsx: notes column widened", anyFile(func(rf readFile) bool { return rf.xlsx != nil && rf.xlsx.widths["工作进展"] >= 40 })},
	}
	for _, w := range append(slices.Clone(inProgressWords), append([]string{"未启动", "基本完成"}, completedWords...)...) {
		tests = append(tests, struct {
			name string
			ok   bool
		}{"status " + w, anyRow(func(rf readFile, r readRow) bool { return r.value(colStatus) == w })})
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if !tt.ok {
				t.Error("does not occur in the sample year")
			}
		})
	}
}

// TestDates checks that every row's 填报日期 is the file's, whatever its form, that
// normal reports are within the grace days, and late ones 20–40 days after the quarter.
func TestDates(t *testing.T) {
	y := generated(t)
	for _, rf := range y.files {
		filed, err := time.Parse(time.DateOnly, rf.SubmittedOn)
		if err != nil {
			t.Fatalf("%s: SubmittedOn %q", rf.Path, rf.SubmittedOn)
		}
		q, _ := strconv.Atoi(rf.Period[len(rf.Period)-1:])
		end := time.Date(y.c.Year, time.Month(3*q+1), 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, -1)
		days := int(filed.Sub(end).Hours() / 24)
		switch {
		case rf.Late && (days < 20 || days > 40):
			t.Errorf("%s: late by %d days, want 20–40", rf.Path, days)
		case !rf.Late && (days < 1 || days > GraceDays):
			t.Errorf("%s: filed %d days after the quarter, want 1–%d", rf.Path, days, GraceDays)
		}
		if rf.xlsx != nil && !strings.Contains(rf.xlsx.info, fmt.Sprintf("%d年%d月%d日", filed.Year(), filed.Month(), filed.Day())) {
			t.Errorf("%s: 填报单位 line %q does not carry the date %s", rf.Path, rf.xlsx.info, rf.SubmittedOn)
		}
		for _, r := range rf.rows {
			v := r.value(colDate)
			if v == "" {
				continue // no date column: the line above the header holds it
			}
			got, err := parseDate(v, r.kindOf(colDate), rf.Date1904)
			if err != nil {
				t.Errorf("%s row %d: %v", rf.Path, r.row, err)
				continue
			}
			if rf.Unit != "" && !got.Equal(filed) {
				t.Errorf("%s row %d: 填报日期 %s, file filed %s", rf.Path, r.row, got.Format(time.DateOnly), rf.SubmittedOn)
			}
		}
	}
}

// parseDate reads a 填报日期 the way ingest must: text in three forms, or an Excel serial.
func parseDate(v, kind string, date1904 bool) (time.Time, error) {
	if kind == "14" || kind == "-1" {
		n, err := strconv.Atoi(v)
		if err != nil {
			return time.Time{}, err
		}
		epoch := time.Date(1899, 12, 30, 0, 0, 0, 0, time.UTC)
		if date1904 {
			epoch = time.Date(1904, 1, 1, 0, 0, 0, 0, time.UTC)
		}
		return epoch.AddDate(0, 0, n), nil
	}
	for _, layout := range []string{"2006-01-02", "2006/1/2", "2006年1月2日"} {
		if t, err := time.Parse(layout, v); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("date %q", v)
}

// TestTimeliness checks the late, missing and re-sent reports.
func TestTimeliness(t *testing.T) {
	y := generated(t)
	if n := len(y.m.Missing); n < 1 || n > 2 {
		t.Errorf("%d missing reports, want 1 or 2", n)
	}
	for _, ms := range y.m.Missing {
		for _, f := range y.m.Files {
			if f.Unit == ms.Unit && f.Period == ms.Period {
				t.Errorf("%s %s is missing but has %s", ms.Unit, ms.Period, f.Path)
			}
		}
	}
	for _, f := range y.m.Files {
		if f.Corrects == "" {
			continue
		}
		i := slices.IndexFunc(y.m.Files, func(g File) bool { return g.Path == f.Corrects })
		if i < 0 {
			t.Fatalf("%s corrects %s, which is not written", f.Path, f.Corrects)
		}
		first := y.m.Files[i]
		if first.Unit != f.Unit || first.Period != f.Period || first.SubmittedOn >= f.SubmittedOn {
			t.Errorf("correction %+v does not follow %+v", f, first)
		}
	}
	// Some units lag: no progress of theirs reaches 60 all year.
	best := map[string]int{}
	for _, rf := range y.files {
		for _, r := range rf.rows {
			unit := rf.Unit
			if u, ok := y.reg.Lookup(r.value(colUnit)); ok && unit == "" {
				unit = u.ID // a row of a mixed file
			}
			if unit == "" {
				continue
			}
			p := progressOf(r)
			if r.value(colProgress) == "" && slices.Contains([]string{"已完成", "完成", "全面完成"}, r.value(colStatus)) {
				p = 100
			}
			best[unit] = max(best[unit], p)
		}
	}
	var lagging []string
	for _, u := range y.reg.Units {
		if p, ok := best[u.ID]; ok && p < 60 {
			lagging = append(lagging, u.ID)
		}
	}
	if len(lagging) == 0 || len(lagging) > len(best)/4 {
		t.Errorf("%d lagging units of %d", len(lagging), len(best))
	}
	slices.Sort(lagging)
	if diff := cmp.Diff(slices.Sorted(slices.Values(y.m.Lagging)), lagging); diff != "" {
		t.Errorf("lagging units (-manifest +files):\n%s", diff)
	}
	if y.m.Lagging == nil || slices.ContainsFunc(y.m.Files, func(f File) bool { return f.Corrects != "" && f.Late }) {
		t.Errorf("a correction is late, or no unit lags")
	}
}

// progressOf reads a progress value in any of its forms, as a percentage.
func progressOf(r readRow) int {
	v := r.value(colProgress)
	v = strings.NewReplacer("％", "", "%", "", "０", "0", "１", "1", "２", "2", "３", "3", "４", "4",
		"５", "5", "６", "6", "７", "7", "８", "8", "９", "9").Replace(v)
	f, err := strconv.ParseFloat(v, 64)
	if err != nil {
		return 0
	}
	if k := r.kindOf(colProgress); k == "9" || k == "10" {
		f *= 100
	}
	return int(f + 0.5)
}
