package cli

import (
	"bytes"
	"encoding/json"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"plantrack/review"
)

// The life of a published figure: publish the sample year's last quarter, ingest a late
// correction, and the edition still renders the same bytes, while diff names every figure
// that moved and the file and row that moved it, and today's pages say how many moved.
func TestEditionCycle(t *testing.T) {
	src := filepath.Join(demoOut(t), "plantrack.duckdb")
	dir := t.TempDir()
	db := filepath.Join(dir, "t.duckdb")
	b, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(db, b, 0o644)

	// A review round first: three claims of completion go back, and stop counting.
	before, _, _ := run(t, "sql", "--db", db, "SELECT count(*) FILTER (WHERE completed) AS n FROM assignment_status_at('2021Q4')")
	wb := filepath.Join(dir, "审核表.xlsx")
	if _, stderr, code := run(t, "review", "--db", db, "--period", "2021Q4", "--out", wb); code != ExitOK {
		t.Fatalf("review: %s", stderr)
	}
	f, err := excelize.OpenFile(wb)
	if err != nil {
		t.Fatal(err)
	}
	keys, err := review.Keys(f)
	if err != nil || len(keys) < 10 {
		t.Fatalf("review rows: %v %v", keys, err)
	}
	entries := map[review.Key]review.Entry{}
	for i, k := range keys {
		entries[k] = review.Entry{Decision: "通过"}
		if i < 3 {
			entries[k] = review.Entry{Decision: "退回", Comment: "佐证不足"}
		}
	}
	if err := review.Fill(f, time.Date(2022, 1, 20, 0, 0, 0, 0, time.UTC), entries); err != nil {
		t.Fatal(err)
	}
	f.Save()
	f.Close()
	if out, stderr, code := run(t, "review", "import", "--db", db, wb); code != ExitOK || !strings.Contains(out, "3 退回") {
		t.Fatalf("review import: %s %s", out, stderr)
	}
	after, _, _ := run(t, "sql", "--db", db, "SELECT count(*) FILTER (WHERE completed) AS n FROM assignment_status_at('2021Q4')")
	nb, _ := strconv.Atoi(strings.TrimSpace(strings.TrimPrefix(before, "n\n")))
	na, _ := strconv.Atoi(strings.TrimSpace(strings.TrimPrefix(after, "n\n")))
	if nb-na != 3 {
		t.Errorf("completed %d before the review, %d after: want 3 fewer", nb, na)
	}

	// The pages of the day of publication.
	day := filepath.Join(dir, "day")
	run(t, "report", "--db", db, "--period", "2021Q4", "--date", "2022-03-20", "--out", day)
	if out, stderr, code := run(t, "publish", "--db", db, "--period", "2021年第四季度", "--name", "2021年度白皮书", "--date", "2022-03-20"); code != ExitOK || !strings.Contains(out, "published 《2021年度白皮书》: 2021Q4") {
		t.Fatalf("publish: exit %d %s %s", code, out, stderr)
	}
	if _, stderr, code := run(t, "publish", "--db", db, "--period", "2021Q4", "--name", "2021年度白皮书"); code != ExitUsage || !strings.Contains(stderr, "an edition of that name exists") {
		t.Errorf("a second edition of the same name: exit %d %s", code, stderr)
	}
	first := filepath.Join(dir, "first")
	if _, stderr, code := run(t, "report", "--db", db, "--edition", "2021年度白皮书", "--out", first); code != ExitOK {
		t.Fatalf("report --edition: %s", stderr)
	}

	// A late correction: the first assignment not completed at 2021Q4 reports completion.
	lag, _, _ := run(t, "sql", "--db", db, "SELECT unit_id || '|' || unit_name || '|' || task_no AS a FROM assignment_status_at('2021Q4') WHERE NOT completed ORDER BY sort_order, task_no LIMIT 1")
	parts := strings.Split(strings.TrimSpace(strings.TrimPrefix(lag, "a\n")), "|")
	if len(parts) != 3 {
		t.Fatalf("no assignment behind: %q", lag)
	}
	unitID, unit, task := parts[0], parts[1], parts[2]
	late := filepath.Join(dir, "late")
	os.MkdirAll(late, 0o755)
	os.WriteFile(filepath.Join(late, "补报.csv"), []byte("填报单位,报告期,任务序号,完成状态,完成进度,填报日期\n"+unit+",2021Q4,"+task+",已完成,100,2022-04-02\n"), 0o644)
	if _, stderr, code := run(t, "ingest", "--db", db, late); code != ExitOK {
		t.Fatal(stderr)
	}
	again := filepath.Join(dir, "again")
	if _, stderr, code := run(t, "report", "--db", db, "--edition", "2021年度白皮书", "--out", again); code != ExitOK {
		t.Fatal(stderr)
	}
	n := 0
	filepath.WalkDir(first, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(first, p)
		x, _ := os.ReadFile(p)
		y, err := os.ReadFile(filepath.Join(again, rel))
		if err != nil || !bytes.Equal(x, y) {
			t.Errorf("%s: the edition's page changed after a late correction", rel)
		}
		if z, err := os.ReadFile(filepath.Join(day, rel)); err != nil || !bytes.Equal(x, z) {
			t.Errorf("%s: the edition's page is not the page of the day", rel)
		}
		n++
		return nil
	})
	if n < 50 {
		t.Errorf("compared %d files", n)
	}

	out, stderr, code := run(t, "diff", "--db", db, "--edition", "2021年度白皮书", "--format", "json")
	if code != ExitOK {
		t.Fatal(stderr)
	}
	var diff struct {
		Changes []struct {
			View, Key, Metric  string
			Published, Current *float64
			Sources            []struct {
				Kind, File string
				Batch, Row int
			}
		}
	}
	if err := json.Unmarshal([]byte(out), &diff); err != nil {
		t.Fatal(err)
	}
	found := map[string]bool{}
	for _, c := range diff.Changes {
		found[c.View+"/"+c.Key+"/"+c.Metric] = true
		if c.View == "completion_by_unit" && c.Key == unitID && c.Metric == "completed" {
			if *c.Current != *c.Published+1 || len(c.Sources) != 1 || c.Sources[0].Row != 2 || !strings.HasSuffix(c.Sources[0].File, "补报.csv") {
				t.Errorf("%s's completed: %+v", unitID, c)
			}
		}
	}
	for _, want := range []string{"completion_by_unit/" + unitID + "/completed", "completion_by_task/" + task + "/completed", "assignment_status//completed"} {
		if !found[want] {
			t.Errorf("diff does not list %s:\n%s", want, out)
		}
	}
	table, _, _ := run(t, "diff", "--db", db, "--edition", "2021年度白皮书")
	if !strings.Contains(table, "处数字变化") || !strings.Contains(table, "补报.csv:2") {
		t.Errorf("diff table:\n%s", table)
	}
	// A later review decision is named as what changed a figure, too.
	f, _ = excelize.OpenFile(wb)
	review.Fill(f, time.Date(2022, 4, 20, 0, 0, 0, 0, time.UTC), map[review.Key]review.Entry{keys[0]: {Decision: "通过", Comment: "已补充佐证"}})
	f.Save()
	f.Close()
	if out, stderr, code := run(t, "review", "import", "--db", db, wb); code != ExitOK {
		t.Fatalf("second review import: %s %s", out, stderr)
	}
	byReview, _, _ := run(t, "diff", "--db", db, "--edition", "2021年度白皮书", "--format", "csv")
	if !strings.Contains(byReview, "review 2 ") || !strings.Contains(byReview, "completion_by_unit,"+keys[0].UnitID+",approved") {
		t.Errorf("diff does not name the later review:\n%s", byReview)
	}

	// Today's pages of the quarter say how many figures moved, and list them.
	now := filepath.Join(dir, "now")
	run(t, "report", "--db", db, "--period", "2021Q4", "--out", now)
	wp, _ := os.ReadFile(filepath.Join(now, "whitepaper.html"))
	if want := "与《2021年度白皮书》相比有 "; !strings.Contains(string(wp), want) {
		t.Errorf("the white paper does not say what moved since the edition")
	}
	if _, err := os.Stat(filepath.Join(now, "editions", "1.html")); err != nil {
		t.Errorf("no list of the changes: %v", err)
	}
}
