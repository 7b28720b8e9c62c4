package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"plantrack/internal/testkit"
	"plantrack/reports"
)

// TestStatusGolden prints the chase list of the sample year: at the latest period, as a
// table, CSV and JSON for the quarters that have units behind.
func TestStatusGolden(t *testing.T) {
	db := filepath.Join(demoOut(t), "plantrack.duckdb")
	for _, c := range []struct {
		golden string
		args   []string
	}{
		{"latest.txt", nil},
		{"2021Q1.txt", []string{"--period", "2021Q1"}},
		{"2021Q3.txt", []string{"--period", "2021年第三季度"}},
		{"2021Q1.csv", []string{"--period", "2021Q1", "--format", "csv"}},
		{"2021Q2.json", []string{"--period", "2021-06", "--format", "json"}},
	} {
		stdout, stderr, code := run(t, append([]string{"status", "--db", db}, c.args...)...)
		if code != ExitOK || stderr != "" {
			t.Errorf("%v: exit %d\n%s", c.args, code, stderr)
		}
		testkit.Golden(t, filepath.Join("testdata", "status", c.golden), stdout)
	}
}

// The chase list agrees with the views: for every quarter and unit, the missing tasks
// are the expected reports not received, and the totals are reporting_rate's.
func TestStatusAgreesWithViews(t *testing.T) {
	db := filepath.Join(demoOut(t), "plantrack.duckdb")
	for q := 1; q <= 4; q++ {
		p := "2021Q" + strconv.Itoa(q)
		stdout, stderr, code := run(t, "status", "--db", db, "--period", p, "--format", "json")
		if code != ExitOK {
			t.Fatalf("%s: %s", p, stderr)
		}
		var c reports.Chase
		if err := json.Unmarshal([]byte(stdout), &c); err != nil {
			t.Fatal(err)
		}
		if string(c.Period) != p || len(c.Units) != 45 {
			t.Errorf("%s: period %s, %d units", p, c.Period, len(c.Units))
		}
		rank := map[string]int{}
		for i, g := range reports.ChaseGroups {
			rank[g.Code] = i
		}
		last := 0
		for _, u := range c.Units {
			if u.Expected-u.Received != len(u.MissingTasks) || u.Late != u.Received-u.OnTime {
				t.Errorf("%s %s: %+v", p, u.UnitName, u)
			}
			if rank[u.Group] < last {
				t.Errorf("%s: %s (%s) listed after a later group", p, u.UnitName, u.Group)
			}
			last = rank[u.Group]
		}
		want, _, _ := run(t, "sql", "--db", db, "SELECT sum(expected_reports) AS e, sum(actual_reports) AS a, sum(on_time_reports) AS o FROM reporting_rate_at('"+p+"') WHERE period = '"+p+"'")
		if got := "e,a,o\n" + strconv.Itoa(c.Expected) + "," + strconv.Itoa(c.Received) + "," + strconv.Itoa(c.OnTime) + "\n"; got != want {
			t.Errorf("%s: totals %q, reporting_rate says %q", p, got, want)
		}
	}
}

func TestStatusUsage(t *testing.T) {
	db := filepath.Join(demoOut(t), "plantrack.duckdb")
	for _, c := range []struct {
		args []string
		code int
		msg  string
	}{
		{[]string{"--format", "xml"}, ExitUsage, `--format "xml": want table, csv or json`},
		{[]string{"--period", "2021Q5"}, ExitUsage, "not a period"},
		{[]string{"--period", "2020Q4"}, ExitUsage, "period 2020Q4 is not a quarter of the plan year"},
		{[]string{"extra"}, ExitUsage, "want no arguments"},
	} {
		_, stderr, code := run(t, append([]string{"status", "--db", db}, c.args...)...)
		if code != c.code || !strings.Contains(stderr, c.msg) {
			t.Errorf("%v: exit %d, stderr %s", c.args, code, stderr)
		}
	}
	_, stderr, code := run(t, "status", "--db", filepath.Join(t.TempDir(), "none.duckdb"))
	if code != ExitError || !strings.Contains(stderr, "no database at") {
		t.Errorf("no database: exit %d, %s", code, stderr)
	}
}

// The demo's round trip: some units answer with their templates, filled with their
// figures; ingest reads them as templates, and every file gets a receipt.
func TestDemoTemplates(t *testing.T) {
	out := demoOut(t)
	blank, _ := filepath.Glob(filepath.Join(out, "templates", "*", "*.xlsx"))
	if len(blank) != 20 {
		t.Errorf("%d blank templates, want 5 units × 4 quarters", len(blank))
	}
	db := filepath.Join(out, "plantrack.duckdb")
	var filled []string
	for _, b := range blank {
		rel, _ := filepath.Rel(filepath.Join(out, "templates"), b)
		filled = append(filled, "'"+filepath.ToSlash(filepath.Join(out, "submissions", rel))+"'")
	}
	// Every task of the five units, every quarter, from their filled templates.
	got, _, _ := run(t, "sql", "--db", db, `SELECT count(DISTINCT source_file) AS files, count(DISTINCT unit_id) AS units,
		count(*) = 4 * (SELECT count(*) FROM assignments a WHERE a.unit_id IN (SELECT unit_id FROM submissions WHERE source_file IN (`+strings.Join(filled, ",")+`))) AS every_task
		FROM submissions WHERE source_file IN (`+strings.Join(filled, ",")+`) AND source_sheet = '填报表'`)
	if got != "files,units,every_task\n20,5,true\n" {
		t.Errorf("rows read from templates: %q", got)
	}
	files, _, _ := run(t, "sql", "--db", db, "SELECT count(*) AS n FROM ingest_files")
	receipts, _ := filepath.Glob(filepath.Join(out, "receipts", "*", "*-回执.xlsx"))
	if files != "n\n"+strconv.Itoa(len(receipts))+"\n" || len(receipts) != 178 {
		t.Errorf("%d receipts for %s files", len(receipts), files)
	}
	// A template unit's receipt: nothing rejected, nothing missing.
	front := receiptRows(t, filepath.Join(out, "receipts", "2021Q2", "东昌府区-回执.xlsx"), "回执")
	text := ""
	for _, r := range front {
		text += strings.Join(r, " ") + "\n"
	}
	for _, want := range []string{"plantrack 填报模板（第1版，东昌府区，2021年第二季度）", "一、退回的行：无", "二、本期尚未报送的任务：无"} {
		if !strings.Contains(text, want) {
			t.Errorf("receipt lacks %q:\n%s", want, text)
		}
	}
	if _, err := os.Stat(filepath.Join(out, "submissions", "2021Q2", "市政府办公室.xlsx")); err != nil {
		t.Errorf("a department's filled template: %v", err)
	}
}
