package transform

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"plantrack/ingest"
	"plantrack/plan"
	"plantrack/sample"
	"plantrack/store"
)

// The fixture: three tasks in two sections, two counties, a zone and two departments.
const fixturePlan = `某市2021年工作计划
一、甲部分
1.任务一。〔牵头单位:市司法局;责任单位:各县(市、区)人民政府〕
2.年内至少开展2次检查。〔牵头单位:市司法局;责任单位:各县(市、区)人民政府〕
二、乙部分
3.任务三。〔牵头单位:市财政局;责任单位:市属开发区管委会〕
`

const fixtureUnits = `id,name,kind,aliases
a,甲县,county,
b,乙县,county,
z,某开发区,zone,
justice,市司法局,department,
finance,市财政局,department,
`

const fixtureGroups = `phrase,expands_to
各县(市、区)人民政府,kind:county
市属开发区管委会,kind:zone
`

// The reports, quarter by quarter. What each is for:
//   - 乙县 files task 1 twice for Q2: the later one (45) supersedes; the first was on time;
//   - 乙县 task 1 falls from 45 (Q2) to 30 (Q3): progress going backwards;
//   - 甲县 task 2 is in progress but achieved 2 ≥ the target 2: completed;
//   - 甲县 task 2 Q1 and 某开发区 task 3 Q4 are late (due the 10th after the quarter);
//   - 市财政局 reports on task 1, which the plan does not give it: listed, not counted;
//   - 市财政局 never reports its own task 3, nor 乙县 its task 2: missing.
const fixtureReports = `填报单位,报告期,任务序号,完成状态,完成进度,完成数量,填报日期
甲县,2021Q1,1,推进中,30,,2021-04-05
甲县,2021Q1,2,推进中,20,1,2021-04-20
乙县,2021Q1,1,未启动,0,,2021-04-08
市司法局,2021Q1,1,推进中,50,,2021-04-02
甲县,2021Q2,1,已完成,100,,2021-07-05
甲县,2021Q2,2,推进中,60,2,2021-07-06
乙县,2021Q2,1,推进中,40,,2021-07-09
乙县,2021Q2,1,推进中,45,,2021-07-12
某开发区,2021Q2,3,推进中,50,,2021-07-01
市财政局,2021Q2,1,推进中,10,,2021-07-01
乙县,2021Q3,1,推进中,30,,2021-10-05
市司法局,2021Q3,2,已完成,100,,2021-10-08
某开发区,2021Q4,3,已完成,100,,2022-01-20
`

func fixtureDB(t *testing.T) *store.DB {
	t.Helper()
	c, p1 := plan.Parse("plan.txt", []byte(fixturePlan))
	reg, p2 := plan.ReadRegistry("units.csv", []byte(fixtureUnits))
	groups, p3 := plan.ReadGroups("groups.csv", []byte(fixtureGroups))
	rel, p4 := plan.ReadRelated("related.csv", nil, reg)
	as, p5 := plan.Assign(c, reg, groups, rel)
	for _, ps := range []plan.Problems{p1, p2, p3, p4, p5} {
		if ps.Errors() > 0 {
			t.Fatal(ps)
		}
	}
	dir := t.TempDir()
	f := filepath.Join(dir, "reports.csv")
	os.WriteFile(f, []byte(fixtureReports), 0o644)
	return ingestInto(t, &plan.Bundle{Catalog: c, Registry: reg, Assignments: as, SHA256: "fixture"}, f)
}

func ingestInto(t *testing.T, p *plan.Bundle, paths ...string) *store.DB {
	t.Helper()
	db, err := store.Open(context.Background(), filepath.Join(t.TempDir(), "t.duckdb"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if _, err := ingest.Ingest(context.Background(), db, plan.Only(p), paths, ingest.Options{}); err != nil {
		t.Fatal(err)
	}
	if err := Apply(context.Background(), db); err != nil {
		t.Fatal(err)
	}
	return db
}

// rows runs a query and returns its rows as "a|b|c" strings, floats with four decimals.
func rows(t *testing.T, db *store.DB, q string) []string {
	t.Helper()
	rs, err := db.Query(q)
	if err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	defer rs.Close()
	cols, _ := rs.Columns()
	var out []string
	for rs.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rs.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		var cells []string
		for _, v := range vals {
			switch x := v.(type) {
			case float64:
				cells = append(cells, fmt.Sprintf("%.4f", x))
			case nil:
				cells = append(cells, "NULL")
			default:
				cells = append(cells, fmt.Sprint(x))
			}
		}
		out = append(out, strings.Join(cells, "|"))
	}
	if err := rs.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// Every expected value below was worked out by hand from the fixture.
func TestViewsOnFixture(t *testing.T) {
	db := fixtureDB(t)
	tests := []struct {
		name, query string
		want        []string
	}{
		{"latest period", `SELECT latest_period()`, []string{"2021Q4"}},
		{"assignment_status at the latest period",
			`SELECT task_no, unit_id, role, status, progress_pct, completed, reported_in_period, report_period FROM assignment_status ORDER BY task_no, sort_order`,
			[]string{
				"1|a|responsible|completed|100.0000|true|false|2021Q2",
				"1|b|responsible|in_progress|30.0000|false|false|2021Q3",
				"1|justice|lead|in_progress|50.0000|false|false|2021Q1",
				"2|a|responsible|in_progress|60.0000|true|false|2021Q2", // achieved 2 ≥ target 2
				"2|b|responsible|no_report|0.0000|false|false|NULL",
				"2|justice|lead|completed|100.0000|true|false|2021Q3",
				"3|z|responsible|completed|100.0000|true|true|2021Q4",
				"3|finance|lead|no_report|0.0000|false|false|NULL",
			}},
		{"completion_by_section", `SELECT section_no, assigned, completed, completion_rate, avg_progress, coverage FROM completion_by_section`,
			[]string{"1|6|3|0.5000|56.6667|0.0000", "2|2|1|0.5000|50.0000|0.5000"}},
		{"completion_by_section at Q2: the correction supersedes", `SELECT section_no, assigned, completed, completion_rate, avg_progress, coverage FROM completion_by_section_at('2021Q2')`,
			[]string{"1|6|2|0.3333|42.5000|0.5000", "2|2|0|0.0000|25.0000|0.5000"}},
		{"completion_by_task", `SELECT task_no, assigned, completed, completion_rate, avg_progress, lagging_units FROM completion_by_task`,
			[]string{"1|3|1|0.3333|60.0000|[乙县 市司法局]", "2|3|2|0.6667|53.3333|[乙县]", "3|2|1|0.5000|50.0000|[市财政局]"}},
		{"completion_by_unit", `SELECT unit_name, unit_kind, assigned, completed, completion_rate, avg_progress, coverage FROM completion_by_unit`,
			[]string{"甲县|county|2|2|1.0000|80.0000|0.0000", "乙县|county|2|0|0.0000|15.0000|0.0000", "某开发区|zone|1|1|1.0000|100.0000|1.0000",
				"市司法局|department|2|1|0.5000|75.0000|0.0000", "市财政局|department|1|0|0.0000|0.0000|0.0000"}},
		{"county_comparison", `SELECT unit_name, section_no, assigned, completed, completion_rate FROM county_comparison`,
			[]string{"甲县|1|2|2|1.0000", "乙县|1|2|0|0.0000", "某开发区|2|1|1|1.0000"}},
		{"county_ranking: ties on rate broken by progress", `SELECT rank, unit_name, completion_rate, avg_progress FROM county_ranking`,
			[]string{"1|某开发区|1.0000|100.0000", "2|甲县|1.0000|80.0000", "3|乙县|0.0000|15.0000"}},
		{"completion_trend", `SELECT period, assigned, completed, completion_rate, avg_progress, coverage FROM completion_trend`,
			[]string{"2021Q1|8|0|0.0000|12.5000|0.5000", "2021Q2|8|2|0.2500|38.1250|0.5000",
				"2021Q3|8|3|0.3750|48.7500|0.2500", "2021Q4|8|4|0.5000|55.0000|0.1250"}},
		{"reporting_rate: first report decides on time", `SELECT unit_name, period, expected_reports, actual_reports, on_time_reports FROM reporting_rate WHERE unit_id IN ('a', 'b', 'z')`,
			[]string{"甲县|2021Q1|2|2|1", "甲县|2021Q2|2|2|2", "甲县|2021Q3|2|0|0", "甲县|2021Q4|2|0|0",
				"乙县|2021Q1|2|1|1", "乙县|2021Q2|2|1|1", "乙县|2021Q3|2|1|1", "乙县|2021Q4|2|0|0",
				"某开发区|2021Q1|1|0|0", "某开发区|2021Q2|1|1|1", "某开发区|2021Q3|1|0|0", "某开发区|2021Q4|1|1|0"}},
		{"unassigned_reports", `SELECT unit_name, task_no, period FROM unassigned_reports`, []string{"市财政局|1|2021Q2"}},
		{"report_flags", `SELECT unit_name, task_no, period, flag FROM report_flags`,
			[]string{"乙县|1|2021Q3|progress_backwards", "市财政局|1|2021Q2|unassigned"}},
		{"rag_by_task at Q4 (elapsed 100%)", `SELECT task_no, rag FROM rag_by_task`, []string{"1|amber", "2|red", "3|red"}},
		{"rag_by_unit at Q2 (elapsed 50%)", `SELECT unit_name, avg_progress, rag FROM rag_by_unit_at('2021Q2')`,
			[]string{"甲县|80.0000|green", "乙县|22.5000|red", "某开发区|50.0000|green", "市司法局|25.0000|red", "市财政局|0.0000|red"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, rows(t, db, tt.query)); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

// Over the generated sample year: rates are rates, parts add up to wholes, at every quarter.
func TestPropertiesOnSampleYear(t *testing.T) {
	b, err := plan.Builtin()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if _, err := sample.Generate(dir, b, sample.Options{Seed: sample.DefaultSeed}); err != nil {
		t.Fatal(err)
	}
	db := ingestInto(t, b, dir)

	for _, q := range []string{"2021Q1", "2021Q2", "2021Q3", "2021Q4"} {
		t.Run(q, func(t *testing.T) {
			check := func(name, query string, want []string) {
				t.Helper()
				if diff := cmp.Diff(want, rows(t, db, query)); diff != "" {
					t.Errorf("%s (-want +got):\n%s", name, diff)
				}
			}
			at := func(view string) string { return fmt.Sprintf("%s_at('%s')", view, q) }
			for _, view := range []string{"completion_by_section", "completion_by_task", "completion_by_unit", "county_comparison", "county_ranking"} {
				check(view+": rates in [0,1], completed ≤ assigned",
					fmt.Sprintf(`SELECT count(*) FROM %s WHERE NOT (completion_rate BETWEEN 0 AND 1 AND completed <= assigned AND avg_progress BETWEEN 0 AND 100)`, at(view)),
					[]string{"0"})
			}
			check("reporting_rate: rates in [0,1]",
				fmt.Sprintf(`SELECT count(*) FROM %s WHERE NOT (reporting_rate BETWEEN 0 AND 1 AND on_time_rate BETWEEN 0 AND 1 AND on_time_reports <= actual_reports AND actual_reports <= expected_reports)`, at("reporting_rate")),
				[]string{"0"})
			check("sections equal the sum of their tasks",
				fmt.Sprintf(`SELECT count(*) FROM %s s JOIN (SELECT section_no, sum(assigned) a, sum(completed) c FROM %s GROUP BY 1) t USING (section_no)
					WHERE s.assigned <> t.a OR s.completed <> t.c`, at("completion_by_section"), at("completion_by_task")),
				[]string{"0"})
			check("by unit and by section give the same city total",
				fmt.Sprintf(`SELECT (SELECT sum(assigned) || '/' || sum(completed) FROM %s) = (SELECT sum(assigned) || '/' || sum(completed) FROM %s)`, at("completion_by_unit"), at("completion_by_section")),
				[]string{"true"})
			check("every assignment counted once",
				fmt.Sprintf(`SELECT (SELECT sum(assigned) FROM %s) = (SELECT count(*) FROM assignments)`, at("completion_by_section")),
				[]string{"true"})
		})
	}
	// The trend never loses completions when reports only add up, and Q4 is the latest view.
	if diff := cmp.Diff(rows(t, db, `SELECT assigned, completed FROM completion_trend WHERE period = '2021Q4'`),
		rows(t, db, `SELECT count(*), count(*) FILTER (WHERE completed) FROM assignment_status`)); diff != "" {
		t.Errorf("trend at Q4 differs from assignment_status:\n%s", diff)
	}
}

// The stored models refuse to answer once submissions change behind them, until they are
// rebuilt; then the change counts.
func TestStoredModelsRefuseStaleRows(t *testing.T) {
	db := fixtureDB(t)
	const completed = "SELECT count(*) FILTER (WHERE completed) FROM assignment_status"
	before := rows(t, db, completed)
	// A later completed report, for the latest quarter, on an assignment not completed.
	res, err := db.Exec(`INSERT INTO submissions
		SELECT s.* REPLACE ('completed'::status AS status, 100 AS progress_pct, latest_period() AS period,
		                    DATE '2030-01-01' AS submitted_on, 99 AS batch_id)
		FROM submissions s SEMI JOIN (SELECT unit_id, task_no FROM assignment_status WHERE NOT completed) USING (unit_id, task_no)
		LIMIT 1`)
	if err != nil {
		t.Fatal(err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		t.Fatalf("inserted %d rows", n)
	}
	for _, view := range []string{"assignment_status", "completion_by_unit", "reporting_rate", "report_flags", "completion_trend"} {
		var n int
		err := db.QueryRow("SELECT count(*) FROM " + view).Scan(&n)
		if err == nil || !strings.Contains(err.Error(), "run plantrack build") {
			t.Errorf("%s on stale stored models: %v", view, err)
		}
	}
	if err := Apply(context.Background(), db); err != nil {
		t.Fatal(err)
	}
	after := rows(t, db, completed)
	// A new plan catalog (an ingest --no-build with another plan) makes them refuse too.
	if _, err := db.Exec("UPDATE catalog_state SET fingerprint = 'another plan'"); err != nil {
		t.Fatal(err)
	}
	var m int
	if err := db.QueryRow("SELECT count(*) FROM completion_by_task").Scan(&m); err == nil || !strings.Contains(err.Error(), "run plantrack build") {
		t.Errorf("completion_by_task after the catalog changed: %v", err)
	}
	if err := Apply(context.Background(), db); err != nil {
		t.Fatal(err)
	}
	// A build cut short leaves models_built empty (it is emptied first, filled last).
	if _, err := db.Exec("DELETE FROM models_built"); err != nil {
		t.Fatal(err)
	}
	var n int
	if err := db.QueryRow("SELECT count(*) FROM assignment_status").Scan(&n); err == nil || !strings.Contains(err.Error(), "run plantrack build") {
		t.Errorf("assignment_status after a build cut short: %v", err)
	}
	var b, a int
	fmt.Sscan(before[0], &b)
	fmt.Sscan(after[0], &a)
	if a != b+1 {
		t.Errorf("completed after rebuild: %d, before the new report %d", a, b)
	}
}

// The rank of each report among those for its (unit, task, period): the latest 填报日期
// first, no date last; on one day the later batch, then the later file (by name), the
// later row, the later sheet. reports_latest holds version 1, and first_on_time says
// whether the earliest was on time.
func TestReportVersions(t *testing.T) {
	db := fixtureDB(t)
	if _, err := db.Exec(`DELETE FROM submissions WHERE unit_id = 'a' AND task_no = 1 AND period = '2021Q1'`); err != nil {
		t.Fatal(err)
	}
	insert := func(rows string) {
		t.Helper()
		if _, err := db.Exec(`INSERT INTO submissions
			SELECT 'a', '甲县', 1, '2021Q1', 'in_progress', 50, NULL, name, NULL, day::DATE, [], batch, file, sheet, row, 'x'
			FROM (VALUES ` + rows + `) v(name, day, batch, file, sheet, row)`); err != nil {
			t.Fatal(err)
		}
	}
	// In the order they are stored; the names say the rank they should get.
	insert(`('A4', '2021-04-05', 1, 'b.csv', '', 3), ('G9', NULL, 3, 'y.csv', '', 1), ('D6', '2021-04-05', 1, 'a.xlsx', '表2', 7),
		('F1', '2021-04-10', 1, 'z.csv', '', 1), ('I7', '2021-04-05', 1, 'a.xlsx', '表1', 7), ('H8', '2021-03-01', 1, 'c.csv', '', 2),
		('C5', '2021-04-05', 1, 'a.xlsx', '表1', 9), ('B3', '2021-04-05', 1, 'b.csv', '', 7), ('E2', '2021-04-05', 2, 'a.csv', '', 1)`)
	if err := Apply(context.Background(), db); err != nil {
		t.Fatal(err)
	}
	const key = `unit_id = 'a' AND task_no = 1 AND period = '2021Q1'`
	if diff := cmp.Diff([]string{"F1|1", "E2|2", "B3|3", "A4|4", "C5|5", "D6|6", "I7|7", "H8|8", "G9|9"},
		rows(t, db, `SELECT notes, version FROM reports WHERE `+key+` ORDER BY version`)); diff != "" {
		t.Errorf("versions (-want +got):\n%s", diff)
	}
	// The earliest has no date: the first report was not on time.
	if diff := cmp.Diff([]string{"F1|false"}, rows(t, db, `SELECT notes, first_on_time FROM reports_latest WHERE `+key)); diff != "" {
		t.Errorf("reports_latest (-want +got):\n%s", diff)
	}
	// Without it, the earliest is 2021-03-01, before the quarter's due day.
	if _, err := db.Exec(`DELETE FROM submissions WHERE notes = 'G9'`); err != nil {
		t.Fatal(err)
	}
	if err := Apply(context.Background(), db); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"F1|true"}, rows(t, db, `SELECT notes, first_on_time FROM reports_latest WHERE `+key)); diff != "" {
		t.Errorf("reports_latest without the undated report (-want +got):\n%s", diff)
	}
	// Every report of the fixture is ranked once per key, and the one that stands is in
	// reports_latest with the same columns.
	if diff := cmp.Diff([]string{"0|0"}, rows(t, db, `SELECT
		(SELECT count(*) FROM (SELECT unit_id, task_no, period FROM reports GROUP BY ALL HAVING max(version) <> count(*) OR min(version) <> 1)),
		(SELECT count(*) FROM (SELECT * EXCLUDE (version) FROM reports WHERE version = 1 EXCEPT ALL SELECT * EXCLUDE (first_on_time) FROM reports_latest))`)); diff != "" {
		t.Errorf("versions per key, version 1 against reports_latest (-want +got):\n%s", diff)
	}
}

// reports pairs each submission with its stored rank by position: a submissions table
// whose rows moved since the build (the same count, the same last batch, so models_fresh
// sees nothing) is refused, not paired wrongly.
func TestReportsRefuseMovedRows(t *testing.T) {
	db := fixtureDB(t)
	var n int
	if err := db.QueryRow(`SELECT count(*) FROM reports`).Scan(&n); err != nil || n == 0 {
		t.Fatalf("reports before: %d, %v", n, err)
	}
	// The first row taken out and put back: it is now the last.
	if _, err := db.Exec(`CREATE TEMP TABLE moved AS SELECT * FROM submissions LIMIT 1;
		DELETE FROM submissions WHERE rowid = (SELECT min(rowid) FROM submissions);
		INSERT INTO submissions SELECT * FROM moved`); err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{"SELECT count(*) FROM reports", "SELECT count(*) FROM reports WHERE version = 1"} {
		if err := db.QueryRow(q).Scan(&n); err == nil || !strings.Contains(err.Error(), "run plantrack build") {
			t.Errorf("%s after rows moved: %d, %v", q, n, err)
		}
	}
	if err := Apply(context.Background(), db); err != nil {
		t.Fatal(err)
	}
	if err := db.QueryRow(`SELECT count(*) FROM reports`).Scan(&n); err != nil {
		t.Errorf("reports after the rebuild: %v", err)
	}
}

// reports streams: no join or cross product of its plan holds the positional scan of
// submissions on its build side (DuckDB guesses that scan has no rows and would otherwise
// hold every report in memory; see 030_reports.sql).
func TestReportsStream(t *testing.T) {
	db := fixtureDB(t)
	var plan string
	if err := db.QueryRow(`EXPLAIN (FORMAT json) SELECT * FROM reports`).Scan(new(string), &plan); err != nil {
		t.Fatal(err)
	}
	type node struct {
		Name     string `json:"name"`
		Children []node `json:"children"`
	}
	var roots []node
	if err := json.Unmarshal([]byte(plan), &roots); err != nil {
		t.Fatalf("%v: %s", err, plan)
	}
	var has func(n node, name string) bool
	has = func(n node, name string) bool {
		if n.Name == name {
			return true
		}
		for _, c := range n.Children {
			if has(c, name) {
				return true
			}
		}
		return false
	}
	var walk func(n node)
	seen := false
	walk = func(n node) {
		if n.Name == "POSITIONAL_SCAN" {
			seen = true
		}
		if len(n.Children) == 2 && has(n.Children[1], "POSITIONAL_SCAN") {
			t.Errorf("%s builds on the positional scan:\n%s", n.Name, plan)
		}
		for _, c := range n.Children {
			walk(c)
		}
	}
	for _, r := range roots {
		walk(r)
	}
	if !seen {
		t.Errorf("no POSITIONAL_SCAN in the plan of reports:\n%s", plan)
	}
}

// The views at the latest period are pinned to it when the build ends, and move with it.
func TestViewsPinnedToLatest(t *testing.T) {
	db := fixtureDB(t)
	views := func() []string {
		return rows(t, db, `SELECT view_name || ' ' || regexp_extract(sql, 'FROM (\w+\(''\d{4}Q\d''\))', 1) FROM duckdb_views()
			WHERE view_name IN ('chase_list', 'assignment_status', 'year_over_year') ORDER BY 1`)
	}
	if diff := cmp.Diff([]string{"assignment_status assignment_status_at('2021Q4')", "chase_list chase_list_at('2021Q4')",
		"year_over_year year_over_year_at('2021Q4')"}, views()); diff != "" {
		t.Errorf("views after the build (-want +got):\n%s", diff)
	}
	// The same rows as the macro at the latest period.
	if diff := cmp.Diff(rows(t, db, `SELECT * FROM chase_list_at(latest_period())`), rows(t, db, `SELECT * FROM chase_list`)); diff != "" {
		t.Errorf("chase_list against chase_list_at(latest_period()) (-macro +view):\n%s", diff)
	}
	// Reports only for 2021Q2 and before: the views follow once rebuilt.
	if _, err := db.Exec(`DELETE FROM submissions WHERE period > '2021Q2'`); err != nil {
		t.Fatal(err)
	}
	var n int
	if err := db.QueryRow(`SELECT count(*) FROM chase_list`).Scan(&n); err == nil || !strings.Contains(err.Error(), "run plantrack build") {
		t.Errorf("chase_list before the rebuild: %d, %v", n, err)
	}
	if err := Apply(context.Background(), db); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"assignment_status assignment_status_at('2021Q2')", "chase_list chase_list_at('2021Q2')",
		"year_over_year year_over_year_at('2021Q2')"}, views()); diff != "" {
		t.Errorf("views after the rebuild (-want +got):\n%s", diff)
	}
}
