package ingest

import (
	"archive/zip"
	"context"
	"encoding/csv"
	"errors"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"

	"plantrack/internal/testkit"
	"plantrack/plan"
)

const header = "填报单位,报告期,任务序号,完成状态,完成进度,完成数量,工作进展,佐证材料,填报日期\n"

func writeFile(t testing.TB, dir, name, content string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// counts returns submissions, rejected_rows and ingest_batches row counts.
func counts(t *testing.T, dbq func(string) string) string {
	return dbq("SELECT (SELECT count(*) FROM submissions) || '/' || (SELECT count(*) FROM rejected_rows) || '/' || (SELECT count(*) FROM ingest_batches)")
}

func TestIdempotentAndSupersede(t *testing.T) {
	db := openDB(t)
	dir := t.TempDir()
	p := testkit.Builtin(t)
	q := func(s string) string {
		return strings.TrimSpace(strings.SplitN(testkit.QueryCSV(t, db.DB, s), "\n", 2)[1])
	}
	first := writeFile(t, dir, "a.csv", header+"东阿县,2021Q2,1,推进中,50,,,,2021-07-05\n东阿县,2021Q2,2,推进中,30,,,,2021-07-05\n")

	s1, err := Ingest(context.Background(), db, plan.Only(p), []string{first}, Options{})
	if err != nil || s1.BatchID != 1 || s1.Accepted != 2 {
		t.Fatalf("first ingest: %+v, %v", s1, err)
	}
	// The same content again, under another name: nothing is added.
	copyPath := writeFile(t, dir, "a-copy.csv", header+"东阿县,2021Q2,1,推进中,50,,,,2021-07-05\n东阿县,2021Q2,2,推进中,30,,,,2021-07-05\n")
	s2, err := Ingest(context.Background(), db, plan.Only(p), []string{first, copyPath}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if s2.BatchID != 0 || len(s2.Duplicates) != 2 || len(s2.Files) != 0 {
		t.Errorf("second ingest added something: %+v", s2)
	}
	if got := counts(t, q); got != "2/0/1" {
		t.Errorf("after re-ingest: submissions/rejected/batches = %s, want 2/0/1", got)
	}
	// A correction filed later supersedes task 1; both reports stay stored.
	fix := writeFile(t, dir, "a-更正.csv", header+"东阿县,2021Q2,1,已完成,100,,,,2021-07-08\n")
	s3, err := Ingest(context.Background(), db, plan.Only(p), []string{fix}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if s3.BatchID != 2 || s3.Superseded != 1 {
		t.Errorf("correction: batch %d superseded %d, want 2 and 1", s3.BatchID, s3.Superseded)
	}
	if got := q("SELECT string_agg(status || '@' || batch_id, ' ' ORDER BY batch_id) FROM submissions WHERE task_no = 1"); got != "in_progress@1 completed@2" {
		t.Errorf("task 1 reports: %s", got)
	}
}

func TestStrictWritesNothing(t *testing.T) {
	db := openDB(t)
	dir := t.TempDir()
	q := func(s string) string {
		return strings.TrimSpace(strings.SplitN(testkit.QueryCSV(t, db.DB, s), "\n", 2)[1])
	}
	f := writeFile(t, dir, "a.csv", header+"东阿县,2021Q2,1,推进中,50,,,,2021-07-05\n东阿县,2021Q2,2,推进中,300,,,,2021-07-05\n")
	sum, err := Ingest(context.Background(), db, plan.Only(testkit.Builtin(t)), []string{f}, Options{Strict: true})
	if !errors.Is(err, ErrRejected) || sum.Rejected != 1 {
		t.Fatalf("strict: %v, %+v", err, sum)
	}
	if got := counts(t, q); got != "0/0/0" {
		t.Errorf("strict wrote %s (submissions/rejected/batches)", got)
	}
	if got := q("SELECT count(*) FROM tasks"); got != "0" {
		t.Errorf("strict wrote the catalog: %s tasks", got)
	}
}

func TestCancelledIngestWritesNothing(t *testing.T) {
	db := openDB(t)
	dir := t.TempDir()
	q := func(s string) string {
		return strings.TrimSpace(strings.SplitN(testkit.QueryCSV(t, db.DB, s), "\n", 2)[1])
	}
	f := writeFile(t, dir, "a.csv", header+"东阿县,2021Q2,1,推进中,50,,,,2021-07-05\n")
	ctx, cancel := context.WithCancel(context.Background())
	_, err := Ingest(ctx, db, plan.Only(testkit.Builtin(t)), []string{f}, Options{BeforeCommit: cancel})
	if !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled ingest: %v", err)
	}
	if got := counts(t, q); got != "0/0/0" {
		t.Errorf("a cancelled batch wrote %s (submissions/rejected/batches)", got)
	}
}

// A zip bomb named .xlsx is refused from its headers, before anything is unpacked.
func TestZipBombRefused(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "炸弹.xlsx")
	out, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	zw := zip.NewWriter(out)
	w, _ := zw.Create("xl/workbook.xml")
	w.Write([]byte("<workbook/>"))
	w, _ = zw.Create("xl/worksheets/sheet1.xml")
	zeros := make([]byte, 1<<20)
	for range 300 { // 300 MB of zeros: about 300 KB on disk
		w.Write(zeros)
	}
	zw.Close()
	out.Close()

	db := openDB(t)
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	sum, err := Ingest(context.Background(), db, plan.Only(testkit.Builtin(t)), []string{path}, Options{})
	runtime.ReadMemStats(&after)
	if err != nil {
		t.Fatal(err)
	}
	if len(sum.Rejections) != 1 || !strings.Contains(sum.Rejections[0].Reason, "refused: it would unpack to 300 MB") {
		t.Fatalf("rejections: %v", sum.Rejections)
	}
	if grew := after.TotalAlloc - before.TotalAlloc; grew > 32<<20 {
		t.Errorf("refusing the bomb allocated %d MB", grew>>20)
	}
}

// collectCSV reads a CSV file through the chunked, parallel path and returns every
// accepted row and rejection as sorted text.
func collectCSV(t testing.TB, path string, chunk int) ([]string, []string, fileResult) {
	t.Helper()
	old := chunkBytes
	chunkBytes = chunk
	defer func() { chunkBytes = old }()
	sc, err := scanFile(path, true)
	if err != nil {
		t.Fatal(err)
	}
	j := &fileJob{c: newChecker(plan.Only(testkit.Builtin(t))), name: "f.csv", format: "csv", scan: sc}
	var rows []string
	if sc.badAt >= 0 {
		return nil, nil, j.res
	}
	err = j.read(context.Background(), path, func(b arrow.RecordBatch) error {
		defer b.Release()
		for i := range int(b.NumRows()) {
			var cells []string
			for c := range int(b.NumCols()) {
				cells = append(cells, b.Column(c).(interface{ ValueStr(int) string }).ValueStr(i))
			}
			rows = append(rows, strings.Join(cells, "|"))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	var rejs []string
	for _, r := range j.res.rejections {
		rejs = append(rejs, r.String()+" "+r.Raw)
	}
	sort.Strings(rows)
	sort.Strings(rejs)
	return rows, rejs, j.res
}

// Cutting a CSV into chunks, however small, changes nothing: the same rows, rejections
// and line numbers as reading it whole.
func TestCSVChunkingChangesNothing(t *testing.T) {
	dir := t.TempDir()
	var b strings.Builder
	b.WriteString("聊城市进度表,,,,,,,,\n")
	b.WriteString(header)
	for i := range 300 {
		note := "普通说明"
		switch i % 7 {
		case 1:
			note = "\"带,逗号\"\"引号\"\"和\n换行\""
		case 3:
			note = "\"\n\n\""
		}
		status := []string{"推进中", "已完成", "未启动", "坏词"}[i%4]
		b.WriteString("东阿县,2021Q" + string(rune('1'+i%4)) + "," + strconv.Itoa(1+i%33) + "," + status + "," + strconv.Itoa(i%130) + ",," + note + ",,2021-07-05\n")
	}
	path := writeFile(t, dir, "big.csv", b.String())
	wantRows, wantRej, wantRes := collectCSV(t, path, 1<<30)
	if len(wantRows) == 0 || len(wantRej) == 0 {
		t.Fatalf("fixture has %d rows, %d rejections", len(wantRows), len(wantRej))
	}
	for _, chunk := range []int{17, 64, 200, 1000, 4096} {
		rows, rej, res := collectCSV(t, path, chunk)
		if strings.Join(rows, "\n") != strings.Join(wantRows, "\n") || strings.Join(rej, "\n") != strings.Join(wantRej, "\n") {
			t.Errorf("chunk %d: %d rows, %d rejections; whole file: %d, %d", chunk, len(rows), len(rej), len(wantRows), len(wantRej))
		}
		if res.rowsRead != wantRes.rowsRead || res.accepted+res.rejected != res.rowsRead {
			t.Errorf("chunk %d: read %d accepted %d rejected %d", chunk, res.rowsRead, res.accepted, res.rejected)
		}
	}
}

// FuzzCSV feeds arbitrary bytes through the CSV path: it never panics, every row read is
// accepted or rejected, and small chunks give what one big chunk gives.
func FuzzCSV(f *testing.F) {
	f.Add([]byte(header + "东阿县,2021Q2,1,推进中,50,,,,2021-07-05\n"))
	f.Add([]byte(header + "东阿县,2021Q2,1,推进中,50,,\"a\nb\",,2021-07-05\n合计,,,,\n"))
	f.Add([]byte("x\n" + header + "东阿县,\"2021Q2,1,推进中\n"))
	f.Add([]byte("\xEF\xBB\xBF" + header + "冠县,2021年第二季度,５,已完成,８５％,2,,,2021年7月5日\r\n"))
	f.Add([]byte(header + "\"\"\"\n,,,\n\"unterminated"))
	f.Fuzz(func(t *testing.T, data []byte) {
		dir := t.TempDir()
		path := filepath.Join(dir, "f.csv")
		if err := os.WriteFile(path, data, 0o644); err != nil {
			t.Fatal(err)
		}
		rows, rej, res := collectCSV(t, path, 1<<30)
		if res.accepted+res.rejected < res.rowsRead || int64(len(rows)) != res.accepted {
			t.Fatalf("read %d, accepted %d (%d rows out), rejected %d", res.rowsRead, res.accepted, len(rows), res.rejected)
		}
		rows2, rej2, _ := collectCSV(t, path, 7)
		if strings.Join(rows, "\n") != strings.Join(rows2, "\n") || strings.Join(rej, "\n") != strings.Join(rej2, "\n") {
			t.Fatalf("chunked read differs:\n%q\n%q", rows, rows2)
		}
	})
}

// FuzzNormalizers: each normalizer either refuses a value or returns one in its domain,
// and reading its own output gives the same value back.
func FuzzNormalizers(f *testing.F) {
	for _, s := range []string{"2021Q2", "2021年第二季度", "2021-06", "85%", "８５％", "0.5", "2021/7/5", "2021年7月5日", "第7项", "已完成", "", " ", "1e400", "-0", "100.0000001", "2021年13月"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if p, err := plan.ParsePeriod(s); err == nil {
			if !p.Valid() {
				t.Fatalf("plan.ParsePeriod(%q) = %q", s, p)
			}
			if again, err := plan.ParsePeriod(string(p)); err != nil || again != p {
				t.Fatalf("plan.ParsePeriod(%q) = %q, %v", p, again, err)
			}
		}
		if v, ok, err := ParseProgress(s); err == nil && ok {
			if v < 0 || v > 100 {
				t.Fatalf("ParseProgress(%q) = %v", s, v)
			}
		}
		if v, ok, err := ParseCount(s); err == nil && ok && v < 0 {
			t.Fatalf("ParseCount(%q) = %v", s, v)
		}
		if d, err := plan.ParseDate(s); err == nil {
			if d.Year() < 2000 || d.Year() > 2099 {
				t.Fatalf("plan.ParseDate(%q) = %v", s, d)
			}
			if again, err := plan.ParseDate(d.Format("2006-01-02")); err != nil || !again.Equal(d) {
				t.Fatalf("ParseDate round trip %v: %v %v", d, again, err)
			}
		}
		if n, err := ParseTaskNo(s); err == nil && n < 1 {
			t.Fatalf("ParseTaskNo(%q) = %d", s, n)
		}
		if st, err := plan.ParseStatus(s); err == nil && st != plan.StatusNotStarted && st != plan.StatusInProgress && st != plan.StatusCompleted {
			t.Fatalf("plan.ParseStatus(%q) = %q", s, st)
		}
	})
}

// FuzzEachRecord: the fast record splitter reads what encoding/csv reads, at the same lines.
func FuzzEachRecord(f *testing.F) {
	for _, s := range []string{"a,b\nc,d\n", "a,\"b\nc\",d\r\n\r\n\ne", "\"\"\"\n,,\n\"x", "x\ry,z\n", "a,b\"c,d\n\"e\"\"f\",g"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		type rec struct {
			fields string
			line   int
		}
		var want []rec
		r := csv.NewReader(strings.NewReader(s))
		r.FieldsPerRecord, r.LazyQuotes = -1, true
		for {
			fields, err := r.Read()
			if err == io.EOF {
				break
			}
			if err != nil {
				return // a parse error: lines may legitimately differ after it
			}
			line, _ := r.FieldPos(0)
			want = append(want, rec{strings.Join(fields, "\x00"), line})
		}
		var got []rec
		eachRecord([]byte(s), 1, func(fields []string, line int, err error) {
			got = append(got, rec{strings.Join(fields, "\x00"), line})
		})
		if len(got) != len(want) {
			t.Fatalf("%q: %d records, encoding/csv %d\n%v\n%v", s, len(got), len(want), got, want)
		}
		for i := range got {
			if got[i] != want[i] {
				t.Fatalf("%q: record %d = %v, encoding/csv %v", s, i, got[i], want[i])
			}
		}
	})
}

// The catalog tables are rewritten when the plan or registry changes, and left alone
// (same fingerprint) when they do not.
func TestCatalogRewrittenOnlyWhenChanged(t *testing.T) {
	db := openDB(t)
	dir := t.TempDir()
	p := testkit.Builtin(t)
	q := func(s string) string {
		return strings.TrimSpace(strings.SplitN(testkit.QueryCSV(t, db.DB, s), "\n", 2)[1])
	}
	ingest := func(p *plan.Bundle, name, content string) {
		t.Helper()
		if _, err := Ingest(context.Background(), db, plan.Only(p), []string{writeFile(t, dir, name, content)}, Options{}); err != nil {
			t.Fatal(err)
		}
	}
	ingest(p, "a.csv", header+"东阿县,2021Q2,1,推进中,50,,,,2021-07-05\n")
	fp := q("SELECT fingerprint FROM catalog_state")
	units := q("SELECT count(*) FROM units")
	ingest(p, "b.csv", header+"东阿县,2021Q2,2,推进中,50,,,,2021-07-05\n")
	if got := q("SELECT fingerprint FROM catalog_state"); got != fp {
		t.Errorf("same plan, new fingerprint %s, was %s", got, fp)
	}
	if got := q("SELECT count(*) || '/' || (SELECT count(*) FROM catalog_state) FROM units"); got != units+"/1" {
		t.Errorf("units/fingerprints after the same plan again: %s, want %s/1", got, units)
	}
	// Rows deleted by hand are put back by the next batch, though the plan is the same.
	if _, err := db.Exec("DELETE FROM assignments WHERE task_no = 1"); err != nil {
		t.Fatal(err)
	}
	assigned := q("SELECT count(*) FROM assignments")
	ingest(p, "b2.csv", header+"东阿县,2021Q2,4,推进中,50,,,,2021-07-05\n")
	if got := q("SELECT count(*) FROM assignments"); got == assigned || got != strconv.Itoa(len(p.Assignments)) {
		t.Errorf("assignments after a hand deletion and a batch: %s, want %d", got, len(p.Assignments))
	}
	// A new alias changes the registry: the units table takes it.
	reg := *p.Registry
	reg.Units = append([]plan.Unit(nil), reg.Units...)
	reg.Units[0].Aliases = append(append([]string(nil), reg.Units[0].Aliases...), "新别名")
	p.Registry = &reg
	ingest(p, "c.csv", header+"东阿县,2021Q2,3,推进中,50,,,,2021-07-05\n")
	if got := q("SELECT count(*) FROM units WHERE list_contains(aliases, '新别名')"); got != "1" {
		t.Errorf("units with the new alias: %s", got)
	}
	if got := q("SELECT fingerprint FROM catalog_state"); got == fp {
		t.Error("the fingerprint did not change with the registry")
	}
}
