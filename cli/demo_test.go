package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"plantrack/template"
)

// The demo replaces its database, never one another process is writing: it refuses, as
// busy, and the other's batch is left to commit.
func TestDemoLeavesABusyDatabase(t *testing.T) {
	out := t.TempDir()
	db := filepath.Join(out, "plantrack.duckdb")
	dir := t.TempDir()
	child(t, "ingest", "--db", db, submissionFiles(t, dir, 1, "冠县"))
	_, stderr, code := run(t, "demo", "--out", out)
	if code != ExitBusy || !strings.Contains(stderr, "demo would replace") || !strings.Contains(stderr, "database is in use") {
		t.Errorf("exit %d: %s", code, stderr)
	}
	if _, err := os.Stat(db); err != nil {
		t.Errorf("the database is gone: %v", err)
	}
	if _, err := os.Stat(filepath.Join(out, "submissions")); !os.IsNotExist(err) {
		t.Errorf("the demo went on: %v", err)
	}
}

// The demo, as a new user runs it, shows two years: the Liaocheng 2021 year and a second
// year against a second plan in the other common layout, with the change since the year
// before in words; the 2021 figures are those of the one-year demo.
func TestDemoTwoYears(t *testing.T) {
	out := t.TempDir()
	stdout, stderr, code := run(t, "demo", "--out", out)
	if code != ExitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	for _, want := range []string{
		"聊城市2021年法治政府建设工作计划: 7 个部分, 31 项任务, 800 项分工",
		"聊城市2022年法治政府建设工作要点: 7 个部分, 16 项任务, 551 项分工",
		"2021Q4 全市完成率 79.3% (634/800)",
		"2022Q4 全市完成率",
		"与上年同期（2021Q4）相比：完成率较上年同期",
		"reports: 49 pages for 2022Q4",
		"review of 2022Q4: 446 claims of completion",
		"63 returned (review import 1)",
		"published 《演示版白皮书》: 2022Q4",
	} {
		if !strings.Contains(stdout, want) {
			t.Errorf("demo output lacks %q:\n%s", want, stdout)
		}
	}
	db := filepath.Join(out, "plantrack.duckdb")
	one := demoOut(t)
	for _, q := range []string{
		"SELECT * FROM completion_by_section_at('2021Q4') ORDER BY ALL",
		"SELECT * FROM county_ranking_at('2021Q2') ORDER BY ALL",
		"SELECT * FROM chase_list_at('2021Q3') ORDER BY ALL",
	} {
		two, _, _ := run(t, "sql", "--db", db, q)
		single, _, _ := run(t, "sql", "--db", filepath.Join(one, "plantrack.duckdb"), q)
		if two != single || len(two) < 100 {
			t.Errorf("%s: the second year changed the first's figures", q)
		}
	}
	page, err := os.ReadFile(filepath.Join(out, "whitepaper.html"))
	if err != nil || !strings.Contains(string(page), "与上年同期（2021Q4）相比") || !strings.Contains(string(page), "（按上年延续的任务比较）") {
		t.Errorf("the white paper does not compare with last year: %v", err)
	}
	counties, _ := os.ReadFile(filepath.Join(out, "counties.html"))
	if !strings.Contains(string(counties), "<th class=\"num\">较上年</th>") {
		t.Error("the county ranking has no change of rank")
	}

	// Next year's templates come from next year's plan, read from the database.
	tdir := t.TempDir()
	if _, stderr, code := run(t, "template", "--db", db, "--period", "2022年第一季度", "--unit", "东阿县", "--out", tdir); code != ExitOK {
		t.Fatalf("template of 2022: %s", stderr)
	}
	m, err := template.ReadFile(filepath.Join(tdir, "东阿县.xlsx"))
	plans, _, _ := run(t, "sql", "--db", db, "SELECT plan_id FROM plans WHERE year = 2022")
	if err != nil || m == nil || m.Period != "2022Q1" || !strings.Contains(plans, m.PlanSHA256) {
		t.Errorf("2022 template: %+v %v (plans %s)", m, err, plans)
	}
}
