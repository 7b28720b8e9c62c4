package cli

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"plantrack/review"
)

// The office's review of the sample year's second quarter, command by command: plantrack
// review writes the workbook, a reviewer returns three claims with comments and approves
// the rest, plantrack review import stores them (again: nothing new), the completion rate
// falls by exactly the returned, the chase list and the units' receipts name the returned
// tasks with the comments, and a unit's newer report takes its task out of the returned
// (the old workbook's row for it is then rejected: the report no longer stands).
func TestReviewCommands(t *testing.T) {
	src := filepath.Join(demoOut(t), "plantrack.duckdb")
	dir := t.TempDir()
	db := filepath.Join(dir, "t.duckdb")
	b, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(db, b, 0o644)
	sql := func(q string) string {
		t.Helper()
		out, stderr, code := run(t, "sql", "--db", db, q)
		if code != ExitOK {
			t.Fatalf("%s: %s", q, stderr)
		}
		return strings.TrimSpace(out[strings.Index(out, "\n")+1:])
	}

	// The workbook.
	blank := filepath.Join(dir, "审核表.xlsx")
	out, stderr, code := run(t, "review", "--db", db, "--period", "2021年第二季度", "--out", blank)
	claims := sql(`SELECT count(*) AS n FROM assignment_status_at('2021Q2') WHERE has_report AND claimed`)
	if code != ExitOK || !strings.Contains(out, "2021Q2 (2021年第二季度), "+claims+" reports claiming completion") {
		t.Fatalf("review: exit %d\n%s%s", code, out, stderr)
	}
	for _, c := range []struct {
		args []string
		code int
		msg  string
	}{
		{[]string{"review", "--db", db, "--period", "2021Q2", "--unit", "外星局"}, ExitUsage, `--unit "外星局": no such unit`},
		{[]string{"review", "--db", db, "--period", "2021Q2", "--section", "九"}, ExitUsage, "has no section 9"},
		{[]string{"review", "--db", db, "--period", "2023Q1"}, ExitUsage, "not a quarter of the plan year"},
		{[]string{"review", "--db", db, "stray"}, ExitUsage, "want no arguments"},
		{[]string{"review", "import", "--db", db}, ExitUsage, "want one or more review workbooks"},
		{[]string{"review", "import", "--db", db, filepath.Join(dir, "nope.xlsx")}, ExitError, "nope.xlsx: no such file"},
	} {
		if _, stderr, code := run(t, c.args...); code != c.code || !strings.Contains(stderr, c.msg) {
			t.Errorf("%v: exit %d, want %d with %q:\n%s", c.args[1:], code, c.code, c.msg, stderr)
		}
	}
	narrow := filepath.Join(dir, "东阿县.xlsx")
	if out, _, code := run(t, "review", "--db", db, "--period", "2021Q2", "--unit", "东阿县人民政府", "--section", "三", "--out", narrow); code != ExitOK ||
		!strings.Contains(out, sql(`SELECT count(*) AS n FROM assignment_status_at('2021Q2') WHERE has_report AND claimed AND unit_name = '东阿县' AND section_no = 3`)+" reports") {
		t.Errorf("review --unit --section: %s", out)
	}

	// The reviewer returns three claims of three units, approves the rest.
	rows := strings.Split(sql(`SELECT unit_id || '|' || task_no || '|' || unit_name AS k FROM assignment_status_at('2021Q2')
		WHERE has_report AND claimed ORDER BY sort_order, unit_id, task_no`), "\n")
	entries := map[review.Key]review.Entry{}
	type returnedClaim struct {
		unitID, unit, comment string
		task                  int
	}
	var returned []returnedClaim
	seen := map[string]bool{}
	for _, r := range rows {
		f := strings.Split(r, "|")
		var task int
		fmt.Sscan(f[1], &task)
		k := review.Key{UnitID: f[0], Task: task}
		if len(returned) < 3 && !seen[f[0]] && len(rows) > 10 && len(entries)%4 == 1 {
			seen[f[0]] = true
			c := returnedClaim{f[0], f[2], fmt.Sprintf("任务%d佐证材料不足，请补充验收报告", task), task}
			returned = append(returned, c)
			entries[k] = review.Entry{Decision: "退回", Comment: c.comment}
			continue
		}
		entries[k] = review.Entry{Decision: "通过"}
	}
	if len(returned) != 3 {
		t.Fatalf("%d claims returned", len(returned))
	}
	f, err := excelize.OpenFile(blank)
	if err != nil {
		t.Fatal(err)
	}
	if err := review.Fill(f, time.Date(2021, 7, 20, 0, 0, 0, 0, time.UTC), entries); err != nil {
		t.Fatal(err)
	}
	filled := filepath.Join(dir, "审核表-已填.xlsx")
	f.SaveAs(filled)
	f.Close()

	rate := func() string {
		return sql(`SELECT count(*) FILTER (WHERE completed) || '/' || count(*) AS r FROM assignment_status_at('2021Q2')`)
	}
	var done, all int
	fmt.Sscanf(rate(), "%d/%d", &done, &all)
	out, stderr, code = run(t, "review", "import", "--db", db, filled)
	if want := fmt.Sprintf("review import 1: 1 files; %s rows decided (%d 通过, 3 退回), 0 not decided; %s stored, 0 unchanged; 0 rejected\n",
		claims, len(rows)-3, claims); code != ExitOK || out != want || stderr != "" {
		t.Errorf("review import: exit %d\n%s%s\nwant %s", code, out, stderr, want)
	}
	if got, want := rate(), fmt.Sprintf("%d/%d", done-3, all); got != want {
		t.Errorf("completed after review %s, want %s", got, want)
	}
	out, _, _ = run(t, "review", "import", "--db", db, filled)
	if !strings.HasPrefix(out, "review import: nothing new: 1 files;") || !strings.Contains(out, "0 stored, "+claims+" unchanged") {
		t.Errorf("the same workbook again: %s", out)
	}

	// The chase list and the receipts name the returned tasks with the comments.
	status, _, _ := run(t, "status", "--db", db, "--period", "2021Q2")
	if !strings.Contains(status, "审核退回 3 项（3 个单位），须整改后重新报送") {
		t.Errorf("status:\n%s", status)
	}
	for _, r := range returned {
		if !strings.Contains(status, fmt.Sprintf("%d", r.task)) || !strings.Contains(status, r.comment) {
			t.Errorf("status lacks %s's task %d: %q", r.unit, r.task, r.comment)
		}
	}
	receipts := filepath.Join(dir, "receipts")
	if _, stderr, code := run(t, "ingest", "--db", db, "--receipts", receipts, filepath.Join(filepath.Dir(src), "submissions", "2021Q2")); code != ExitOK {
		t.Fatalf("ingest --receipts: %s", stderr)
	}
	found := map[string]bool{}
	filepath.WalkDir(receipts, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		f, err := excelize.OpenFile(p)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		rows, _ := f.GetRows("回执")
		var text strings.Builder
		for _, r := range rows {
			text.WriteString(strings.Join(r, "|") + "\n")
		}
		for _, r := range returned {
			if strings.Contains(text.String(), "三、审核退回的任务") && strings.Contains(text.String(), r.unit+"|2021年第二季度|"+fmt.Sprint(r.task)+"|") &&
				strings.Contains(text.String(), r.comment) {
				found[r.unit] = true
			}
		}
		return nil
	})
	for _, r := range returned {
		if !found[r.unit] {
			t.Errorf("no receipt names %s's returned task %d", r.unit, r.task)
		}
	}

	// A newer report on the first returned task: the old decision no longer counts.
	r := returned[0]
	late := filepath.Join(dir, "补报")
	os.MkdirAll(late, 0o755)
	os.WriteFile(filepath.Join(late, "补报.csv"), fmt.Appendf(nil, "填报单位,报告期,任务序号,完成状态,完成进度,佐证材料,填报日期\n%s,2021Q2,%d,已完成,100,验收报告.pdf,2021-07-28\n", r.unit, r.task), 0o644)
	if _, stderr, code := run(t, "ingest", "--db", db, late); code != ExitOK {
		t.Fatal(stderr)
	}
	if got, want := rate(), fmt.Sprintf("%d/%d", done-2, all); got != want {
		t.Errorf("completed after the newer report %s, want %s", got, want)
	}
	status, _, _ = run(t, "status", "--db", db, "--period", "2021Q2")
	if !strings.Contains(status, "审核退回 2 项（2 个单位）") || strings.Contains(status, returned[0].comment) {
		t.Errorf("status after the newer report:\n%s", status)
	}
	out, stderr, code = run(t, "review", "import", "--db", db, filled)
	if code != ExitOK || !strings.Contains(out, "0 stored") || !strings.Contains(out, "1 rejected") ||
		!strings.Contains(stderr, "审核表-已填.xlsx:审核表:") || !strings.Contains(stderr, `审核结果 "退回": a newer report stands for this task`) ||
		!strings.Contains(stderr, "[report_not_standing] 该单位此后重新报送了此项任务") || strings.Count(stderr, "\n") != 1 {
		t.Errorf("the old workbook after the newer report: exit %d\n%s%s", code, out, stderr)
	}
	if _, stderr, code := run(t, "review", "import", "--db", db, "--strict", filled); code != ExitRejected || !strings.Contains(stderr, "--strict") {
		t.Errorf("--strict: exit %d %s", code, stderr)
	}
	if got := sql(`SELECT count(*) || '/' || (SELECT count(*) FROM review_batches) AS n FROM reviews`); got != claims+"/1" {
		t.Errorf("reviews/imports stored: %s", got)
	}
}
