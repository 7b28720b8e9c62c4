package ingest

// What real files and real people do to an ingest (issue 12): each test is one class of
// input, generated here, and asserts the rows accepted, the reasons of the rows rejected
// and the values stored. openDB checks, for every file of every test, that each row read
// is accepted or rejected (testkit.Accounted).

import (
	"archive/zip"
	"bytes"
	"context"
	"database/sql"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"plantrack/internal/testkit"
	"plantrack/plan"
	"plantrack/store"
)

// ingestDir ingests paths into a fresh database and returns it with the summary.
func ingestDir(t *testing.T, opt Options, paths ...string) (*store.DB, *Summary) {
	t.Helper()
	db := openDB(t)
	sum, err := Ingest(context.Background(), db, plan.Only(testkit.Builtin(t)), paths, opt)
	if err != nil {
		t.Fatal(err)
	}
	return db, sum
}

// one is the single value of a query, as text.
func one(t *testing.T, db *store.DB, q string) string {
	t.Helper()
	var v sql.NullString
	if err := db.QueryRow("SELECT (" + q + ")::VARCHAR").Scan(&v); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return v.String
}

func skippedReason(sum *Summary, path string) string {
	for _, s := range sum.Skipped {
		if filepath.Base(s.Path) == filepath.Base(path) {
			return s.Reason
		}
	}
	return ""
}

// Anything that is not a regular file is listed before it is opened: a FIFO would block
// the read forever. Empty files and spreadsheets of other programs are listed too, the
// latter with what the unit must do.
func TestFilesNotRead(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "pipe.csv")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Fatal(err)
	}
	good := writeFile(t, dir, "good.csv", header+"东阿县,2021Q2,1,推进中,50,,,,2021-07-05\n")
	writeFile(t, dir, "empty.json", "")
	writeFile(t, dir, "empty.csv", "")
	writeFile(t, dir, "旧表.xls", "\xD0\xCF\x11\xE0 old")
	writeFile(t, dir, "表.ods", "PK ods")
	done := make(chan struct{})
	var sum *Summary
	var db *store.DB
	go func() {
		defer close(done)
		db, sum = ingestDir(t, Options{}, dir)
	}()
	select {
	case <-done:
	case <-time.After(60 * time.Second):
		t.Fatal("ingest hangs on a FIFO")
	}
	if sum == nil {
		t.FailNow()
	}
	for _, c := range []struct{ file, reason string }{
		{fifo, "not a regular file (a named pipe), not opened"},
		{"empty.json", "an empty file (0 bytes)"},
		{"empty.csv", "an empty file (0 bytes)"},
		{"旧表.xls", "Excel 97-2003 workbook: open it in Excel and save it as .xlsx"},
		{"表.ods", "OpenDocument spreadsheet (LibreOffice): save it as .xlsx"},
	} {
		if got := skippedReason(sum, c.file); got != c.reason {
			t.Errorf("%s: skipped %q, want %q", c.file, got, c.reason)
		}
	}
	for _, s := range sum.Skipped {
		if strings.HasSuffix(s.Path, ".ods") != (s.ReasonZh != "") && !strings.HasSuffix(s.Path, ".xls") {
			t.Errorf("%s: Chinese reason %q", s.Path, s.ReasonZh)
		}
	}
	if len(sum.Files) != 1 || sum.Files[0].Path != filepath.ToSlash(good) || sum.Accepted != 1 || len(sum.Duplicates) != 0 {
		t.Errorf("files %+v, accepted %d, duplicates %v", sum.Files, sum.Accepted, sum.Duplicates)
	}
	_ = db
}

// xlsxWithMerge writes a small workbook whose sheet declares the merged range ref.
func xlsxWithMerge(t *testing.T, path, ref string) {
	t.Helper()
	f := excelize.NewFile()
	f.SetSheetRow("Sheet1", "A1", &[]any{"填报单位", "报告期", "任务序号", "完成状态", "完成进度"})
	f.SetSheetRow("Sheet1", "A2", &[]any{"东阿县", "2021Q2", 1, "推进中", 50})
	f.SetSheetRow("Sheet1", "A3", &[]any{"东阿县", "2021Q2", 2, "推进中", 60})
	if err := f.MergeCell("Sheet1", "J2", "K3"); err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		t.Fatal(err)
	}
	// excelize will not write a range that big itself: patch the sheet's XML.
	zr, err := zip.NewReader(bytes.NewReader(buf.Bytes()), int64(buf.Len()))
	if err != nil {
		t.Fatal(err)
	}
	out, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer out.Close()
	zw := zip.NewWriter(out)
	for _, zf := range zr.File {
		r, _ := zf.Open()
		b, _ := io.ReadAll(r)
		r.Close()
		if zf.Name == "xl/worksheets/sheet1.xml" {
			b = bytes.Replace(b, []byte("J2:K3"), []byte(ref), 1)
		}
		w, _ := zw.Create(zf.Name)
		w.Write(b)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
}

// A merged range declared over most of the sheet fills only the cells that hold data.
func TestMergedRangeOverTheSheet(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "merged.xlsx")
	xlsxWithMerge(t, path, "J2:XFD1048576")
	if st, _ := os.Stat(path); st.Size() > 16<<10 {
		t.Fatalf("the workbook is %d bytes", st.Size())
	}
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	db, sum := ingestDir(t, Options{}, path)
	runtime.ReadMemStats(&after)
	if sum.Accepted != 2 || sum.Rejected != 0 {
		t.Errorf("accepted %d, rejected %d; want 2, 0", sum.Accepted, sum.Rejected)
	}
	if mb := (after.TotalAlloc - before.TotalAlloc) >> 20; mb > 200 {
		t.Errorf("reading a 2-row workbook allocated %d MB", mb)
	}
	if got := one(t, db, `SELECT string_agg(progress_pct::VARCHAR, ' ' ORDER BY task_no) FROM submissions`); got != "50.0 60.0" {
		t.Errorf("progress %q", got)
	}
}

// A CSV record longer than a chunk is one record, its text whole (CJK characters are not
// cut in two); one longer than the documented limit gets the file refused, saying so.
func TestLongRecords(t *testing.T) {
	defer func(c, m int) { chunkBytes, maxRecordBytes = c, m }(chunkBytes, maxRecordBytes)
	chunkBytes, maxRecordBytes = 256, 64<<10
	long := strings.Repeat("依法行政，", 2000) // 30,000 bytes, no newline
	dir := t.TempDir()
	path := writeFile(t, dir, "long.csv", header+
		"东阿县,2021Q2,1,推进中,50,,\""+long+"\",,2021-07-05\n"+
		"东阿县,2021Q2,2,推进中,60,,\"第一行\n"+long+"\",,2021-07-05\n"+
		"东阿县,2021Q2,3,推进中,70,,短,,2021-07-05\n")
	db, sum := ingestDir(t, Options{}, path)
	if sum.Accepted != 3 || sum.Rejected != 0 {
		t.Fatalf("accepted %d, rejected %d: %v", sum.Accepted, sum.Rejected, sum.Rejections)
	}
	if got := one(t, db, `SELECT string_agg(length(notes)::VARCHAR, ' ' ORDER BY task_no) FROM submissions`); got != "10000 10004 1" {
		t.Errorf("note lengths %q, want 10000 10004 1", got)
	}

	// Past the limit (here 1.5 MB: the first chunk of a file is 1 MB, read whole).
	maxRecordBytes = 3 << 19
	huge := strings.Repeat("依法行政，", 150000) // 2.25 MB
	path = writeFile(t, dir, "huge.csv", header+
		"东阿县,2021Q2,1,推进中,50,,短,,2021-07-05\n"+
		"东阿县,2021Q2,2,推进中,60,,\""+huge+"\",,2021-07-05\n"+
		"东阿县,2021Q2,3,推进中,70,,短,,2021-07-05\n")
	db, sum = ingestDir(t, Options{}, path)
	if sum.Accepted != 0 || sum.Rejected != 1 || !sum.Files[0].WholeFileRejected {
		t.Fatalf("over the limit: accepted %d, rejected %d", sum.Accepted, sum.Rejected)
	}
	if got := one(t, db, `SELECT reason FROM rejected_rows`); !strings.Contains(got, "the record starting on line 3 is longer than 1 MB") {
		t.Errorf("reason %q", got)
	}
	if got := one(t, db, `SELECT count(*) FROM submissions`); got != "0" {
		t.Errorf("%s rows kept of a file refused whole", got)
	}
}

// Structure errors a CSV parser would pass over quietly reject the row, naming the line.
func TestCSVStructure(t *testing.T) {
	for _, c := range []struct {
		name, body         string
		accepted, rejected int
		code, reason       string
	}{
		{"quote left open swallows rows", header +
			"东阿县,2021Q2,1,推进中,50,,\"开会,,,\n" +
			"东阿县,2021Q2,2,推进中,60,,学习,,2021-07-05\n" +
			"东阿县,2021Q2,3,推进中,70,,\"培训\",,2021-07-05\n", 0, 1, "unclosed_quote",
			"a quote opened on line 2 is still open on line 3, whose text looks like a record: close the quote"},
		{"extra fields", header +
			"东阿县,2021Q2,1,推进中,50,,学习,,2021-07-05,多出来,的\n" +
			"东阿县,2021Q2,2,推进中,60,,学习,,2021-07-05,,\n", 1, 1, "extra_fields",
			"11 fields, and the header has 9: the cells past the header would be lost"},
		{"a note over lines is a note", header +
			"东阿县,2021Q2,1,推进中,50,,\"第一，学习\n第二，培训\",,2021-07-05\n", 1, 0, "", ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			db, sum := ingestDir(t, Options{}, writeFile(t, t.TempDir(), "s.csv", c.body))
			if sum.Accepted != int64(c.accepted) || sum.Rejected != int64(c.rejected) {
				t.Fatalf("accepted %d, rejected %d; want %d, %d", sum.Accepted, sum.Rejected, c.accepted, c.rejected)
			}
			if c.rejected > 0 {
				if got := one(t, db, `SELECT source_row || ' ' || reason_code || ' ' || reason FROM rejected_rows`); got != "2 "+c.code+" "+c.reason {
					t.Errorf("rejection %q", got)
				}
			}
		})
	}
}

// A JSON file with a syntax error is refused whole: nothing before the error is taken,
// nothing after it is lost without a word.
func TestInvalidJSON(t *testing.T) {
	body := `[{"unit":"东阿县","period":"2021Q2","task_no":1,"status":"推进中","progress":50},
{"unit":"东阿县","period":"2021Q2","task_no":2,"status":"推进中" "progress":60},
{"unit":"东阿县","period":"2021Q2","task_no":3,"status":"推进中","progress":70}]`
	db, sum := ingestDir(t, Options{}, writeFile(t, t.TempDir(), "bad.json", body))
	if sum.Accepted != 0 || sum.Rejected != 1 || !sum.Files[0].WholeFileRejected {
		t.Fatalf("accepted %d, rejected %d", sum.Accepted, sum.Rejected)
	}
	if got := one(t, db, `SELECT reason_code || ' | ' || reason || ' | ' || reason_zh FROM rejected_rows`); !strings.HasPrefix(got, "bad_file | invalid JSON at line 2 (byte ") ||
		!strings.Contains(got, "JSON 文件格式有误（第 2 行）") {
		t.Errorf("rejection %q", got)
	}
}

// Two columns for one field must agree: as read (85 and 85%, a unit and its alias) they
// may differ in writing; when they say different things the row is rejected.
func TestConflictingColumns(t *testing.T) {
	const h = "填报单位,单位名称,报告期,季度,任务序号,完成状态,完成进度,完成率,填报日期\n"
	path := writeFile(t, t.TempDir(), "two.csv", h+
		"东阿县,东阿县人民政府,2021Q2,2021年第二季度,1,推进中,85,85%,2021-07-05\n"+ // agree
		"东阿县,,2021Q2,,2,推进中,,60,2021-07-05\n"+ // one of each pair empty: the other holds
		"东阿县,东阿县,2021Q2,2021Q2,3,推进中,85,90,2021-07-05\n"+ // progress disagrees
		"东阿县,冠县,2021Q2,2021Q2,4,推进中,50,50,2021-07-05\n"+ // unit disagrees
		"东阿县,东阿县,2021Q2,2021Q3,5,推进中,50,50,2021-07-05\n") // period disagrees
	db, sum := ingestDir(t, Options{}, path)
	if sum.Accepted != 2 || sum.Rejected != 3 {
		t.Fatalf("accepted %d, rejected %d; want 2, 3", sum.Accepted, sum.Rejected)
	}
	if got := one(t, db, `SELECT string_agg(task_no || ':' || progress_pct, ' ' ORDER BY task_no) FROM submissions`); got != "1:85.0 2:60.0" {
		t.Errorf("accepted %q", got)
	}
	got := testkit.QueryCSV(t, db.DB, `SELECT source_row, reason_code, "column", value, reason_zh FROM rejected_rows ORDER BY source_row`)
	want := "source_row,reason_code,column,value,reason_zh\n" +
		"4,conflicting_columns,完成进度,85,「完成进度」“85”与「完成率」“90”不一致，不知以哪个为准\n" +
		"5,conflicting_columns,填报单位,东阿县,「填报单位」“东阿县”与「单位名称」“冠县”不一致，不知以哪个为准\n" +
		"6,conflicting_columns,报告期,2021Q2,「报告期」“2021Q2”与「季度」“2021Q3”不一致，不知以哪个为准\n"
	if got != want {
		t.Errorf("rejections:\n%s\nwant\n%s", got, want)
	}
}

// A row that says nothing of progress is no report, in any file: a list of the unit's
// tasks with nothing filled in (a template's sheet copied without its hidden sheet).
func TestRowsWithNothingSaid(t *testing.T) {
	path := writeFile(t, t.TempDir(), "copied.csv", header+
		"东阿县,2021Q2,1,,,,,,2021-07-05\n"+
		"东阿县,2021Q2,2,推进中,40,,,,2021-07-05\n"+
		"东阿县,2021Q2,3,,,,,,\n")
	_, sum := ingestDir(t, Options{}, path)
	if sum.Accepted != 1 || sum.Rejected != 0 || sum.RowsRead != 1 {
		t.Errorf("accepted %d, rejected %d, read %d; want 1, 0, 1", sum.Accepted, sum.Rejected, sum.RowsRead)
	}
}

// The same task twice in one file with the same date: which row is meant cannot be told,
// so both say so (flag repeated_in_file). A year of monthly reports compiled in one file
// differs in dates: the later stands, nothing is flagged.
func TestRepeatedInFile(t *testing.T) {
	path := writeFile(t, t.TempDir(), "twice.csv", header+
		"东阿县,2021Q2,1,推进中,50,,,,2021-07-05\n"+
		"东阿县,2021Q2,1,推进中,70,,,,2021-07-05\n"+
		"东阿县,2021-04,2,推进中,20,,,,2021-05-05\n"+
		"东阿县,2021-05,2,推进中,30,,,,2021-06-05\n"+
		"东阿县,2021Q2,3,推进中,30,,,,\n"+
		"东阿县,2021Q2,3,推进中,30,,,,\n")
	db, _ := ingestDir(t, Options{}, path)
	got := testkit.QueryCSV(t, db.DB, `SELECT source_row, list_contains(flags, 'repeated_in_file') AS repeated FROM submissions ORDER BY source_row`)
	want := "source_row,repeated\n2,true\n3,true\n4,false\n5,false\n6,true\n7,true\n"
	if got != want {
		t.Errorf("flags:\n%s\nwant\n%s", got, want)
	}
}

// A progress between 0 and 1 is a fraction (85% typed into a number cell, or 0.85 for
// 85%): read as the percent it was typed as, and flagged.
func TestProgressFractions(t *testing.T) {
	path := writeFile(t, t.TempDir(), "f.csv", header+
		"东阿县,2021Q2,1,推进中,0.85,,,,2021-07-05\n"+
		"东阿县,2021Q2,2,已完成,1,,,,2021-07-05\n"+
		"东阿县,2021Q2,3,推进中,1,,,,2021-07-05\n"+
		"东阿县,2021Q2,4,推进中,85,,,,2021-07-05\n")
	db, _ := ingestDir(t, Options{}, path)
	got := testkit.QueryCSV(t, db.DB, `SELECT task_no, progress_pct, list_contains(flags, 'progress_fraction') AS fraction FROM submissions ORDER BY task_no`)
	want := "task_no,progress_pct,fraction\n1,85,true\n2,100,true\n3,1,false\n4,85,false\n"
	if got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
}

// plantrack's own workbooks in the folder being collected (receipts, summary.xlsx) are
// listed, not read: they would supersede the units' reports.
func TestOwnWorkbooksSkipped(t *testing.T) {
	dir := t.TempDir()
	f := excelize.NewFile()
	f.SetSheetRow("Sheet1", "A1", &[]any{"填报单位", "报告期", "任务序号", "完成状态", "完成进度"})
	f.SetSheetRow("Sheet1", "A2", &[]any{"东阿县", "2021Q2", 1, "推进中", 10})
	if err := f.SetDocProps(&excelize.DocProperties{Creator: "plantrack", Category: "plantrack-receipt"}); err != nil {
		t.Fatal(err)
	}
	receipt := filepath.Join(dir, "东阿县-回执.xlsx")
	if err := f.SaveAs(receipt); err != nil {
		t.Fatal(err)
	}
	writeFile(t, dir, "东阿县.csv", header+"东阿县,2021Q2,1,推进中,50,,,,2021-07-05\n")
	db, sum := ingestDir(t, Options{}, dir)
	if got := skippedReason(sum, receipt); got != "plantrack's own receipt, not a submission" {
		t.Errorf("receipt skipped %q", got)
	}
	if got := one(t, db, `SELECT count(*) || ' ' || min(progress_pct) FROM submissions`); got != "1 50.0" || len(sum.Files) != 1 {
		t.Errorf("submissions %q, files %d", got, len(sum.Files))
	}
	// Read again: still listed, never "already ingested".
	sum2, err := Ingest(context.Background(), db, plan.Only(testkit.Builtin(t)), []string{receipt}, Options{})
	if err != nil || skippedReason(sum2, receipt) == "" || len(sum2.Duplicates) != 0 {
		t.Errorf("second read: %v %+v", err, sum2)
	}
}

// A file refused whole (a template of another quarter under --period) may be read again:
// only files whose rows were taken count as ingested.
func TestRefusedFileReadAgain(t *testing.T) {
	p := testkit.Builtin(t)
	dir := t.TempDir()
	path := filepath.Join(dir, "冠县.xlsx")
	writeTemplate(t, p, p.SHA256, "冠县", "2021Q1", path, someEntries)
	db := openDB(t)
	sum, err := Ingest(context.Background(), db, plan.Only(p), []string{path}, Options{Period: "2021Q2"})
	if err != nil || sum.Rejected != 1 || sum.Accepted != 0 {
		t.Fatalf("under --period 2021Q2: %v, accepted %d, rejected %d", err, sum.Accepted, sum.Rejected)
	}
	sum, err = Ingest(context.Background(), db, plan.Only(p), []string{path}, Options{Period: "2021Q1"})
	if err != nil || len(sum.Duplicates) != 0 || sum.Accepted != 2 {
		t.Fatalf("under --period 2021Q1: %v, duplicates %v, accepted %d", err, sum.Duplicates, sum.Accepted)
	}
	// Now it is ingested: a third read adds nothing.
	sum, err = Ingest(context.Background(), db, plan.Only(p), []string{path}, Options{})
	if err != nil || len(sum.Duplicates) != 1 || sum.BatchID != 0 {
		t.Errorf("third read: %v, duplicates %v, batch %d", err, sum.Duplicates, sum.BatchID)
	}
}
