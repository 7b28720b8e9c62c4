package reports

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/xuri/excelize/v2"

	"plantrack/plan"
	"plantrack/store"
	"plantrack/transform"
)

// The fixture: a plan of 2 sections and 3 tasks, four units (two counties, a department,
// an 'other' unit), 8 assignments, reports for 2021Q1 (batch 1) and 2021Q2 (batch 2) and
// five rejected rows. Due days: 2021-04-10 and 2021-07-10; at 2021Q2 half the year has
// elapsed (RAG green from 45% average progress, amber from 30%; overdue below 30%).
//
//	task 1 (part 1): 市司法局 lead; 甲县, 乙县 responsible
//	task 2 (part 1, target ≥2 次检查): 市司法局 lead; 甲县 responsible
//	task 3 (part 2): 市司法局 lead; 乙县, 市编办 responsible
var fixtureSQL = []string{
	`INSERT INTO plans (plan_id, year, title, source_file) VALUES ('fixture', 2021, '测试市2021年工作计划', 'plan.txt')`,
	`INSERT INTO sections (plan_year, section_no, section_title) VALUES (2021, 1, '甲部分'), (2021, 2, '乙部分')`,
	`INSERT INTO tasks (plan_year, task_no, section_no, label, task_text, lead_units, responsible, target_what, target_min, target_unit) VALUES
		(2021, 1, 1, '1', '任务一。', ['市司法局'], ['各县(市、区)人民政府'], NULL, NULL, NULL),
		(2021, 2, 1, '2', '年内至少开展2次检查。', ['市司法局'], ['甲县'], '检查', 2, '次'),
		(2021, 3, 2, '3', '任务三。', ['市司法局'], ['乙县', '市编办'], NULL, NULL, NULL)`,
	`INSERT INTO units (unit_id, unit_name, unit_kind, aliases, sort_order) VALUES
		('a', '甲县', 'county', [], 1),
		('b', '乙县', 'county', ['乙县人民政府'], 2),
		('justice', '市司法局', 'department', [], 3),
		('office', '市编办', 'other', [], 4)`,
	`INSERT INTO assignments (plan_year, task_no, unit_id, role, via) VALUES
		(2021, 1, 'justice', 'lead', '市司法局'), (2021, 1, 'a', 'responsible', '各县(市、区)人民政府'), (2021, 1, 'b', 'responsible', '各县(市、区)人民政府'),
		(2021, 2, 'justice', 'lead', '市司法局'), (2021, 2, 'a', 'responsible', '甲县'),
		(2021, 3, 'justice', 'lead', '市司法局'), (2021, 3, 'b', 'responsible', '乙县'), (2021, 3, 'office', 'responsible', '市编办')`,
	`INSERT INTO ingest_batches (batch_id, started_at, finished_at, files, rows_read, accepted, rejected, superseded, duplicates, skipped_rows) VALUES
		(1, TIMESTAMP '2021-04-06 09:00:00', TIMESTAMP '2021-04-06 09:00:01', 1, 1, 1, 0, 0, 0, 0),
		(2, TIMESTAMP '2021-07-16 09:00:00', TIMESTAMP '2021-07-16 09:00:01', 3, 12, 7, 5, 0, 0, 0)`,
	`INSERT INTO ingest_files (batch_id, source_file, file_sha256, format, encoding, status, rows_read, accepted, rejected, skipped_rows) VALUES
		(1, 'q1.csv', 'sha-q1', 'csv', 'utf-8', 'ingested', 1, 1, 0, 0),
		(2, 'q2.csv', 'sha-q2', 'csv', 'utf-8', 'ingested', 10, 7, 3, 0),
		(2, 'old.xlsx', 'sha-old', 'xlsx', '', 'rejected', 1, 0, 1, 0),
		(2, 'other-plan.xlsx', 'sha-other', 'xlsx', '', 'rejected', 1, 0, 1, 0)`,
	// 甲县 task 2 is in progress but achieved its target (completed), filed late; 乙县 also
	// reports task 2, which it is not assigned (listed, not counted); 乙县 task 3 and
	// 市司法局 task 2 are missing.
	`INSERT INTO submissions (unit_id, unit_name, task_no, period, status, progress_pct, achieved, notes, evidence, submitted_on, flags,
			batch_id, source_file, source_sheet, source_row, file_sha256) VALUES
		('a', '甲县', 1, '2021Q1', 'in_progress', 30, NULL, '起步', '', DATE '2021-04-05', [], 1, 'q1.csv', '', 2, 'sha-q1'),
		('a', '甲县', 1, '2021Q2', 'completed', 100, NULL, '已完成', '', DATE '2021-07-05', [], 2, 'q2.csv', '', 2, 'sha-q2'),
		('a', '甲县', 2, '2021Q2', 'in_progress', 50, 2, '检查两次', '', DATE '2021-07-15', [], 2, 'q2.csv', '', 3, 'sha-q2'),
		('b', '乙县', 1, '2021Q2', 'in_progress', 40, NULL, '', '', DATE '2021-07-08', [], 2, 'q2.csv', '', 4, 'sha-q2'),
		('b', '乙县', 2, '2021Q2', 'in_progress', 10, NULL, '', '', DATE '2021-07-08', ['unassigned'], 2, 'q2.csv', '', 5, 'sha-q2'),
		('justice', '市司法局', 1, '2021Q2', 'in_progress', 60, NULL, '', '', DATE '2021-07-09', [], 2, 'q2.csv', '', 6, 'sha-q2'),
		('justice', '市司法局', 3, '2021Q2', 'not_started', 0, NULL, '', '', DATE '2021-07-02', [], 2, 'q2.csv', '', 7, 'sha-q2'),
		('office', '市编办', 3, '2021Q2', 'completed', 100, NULL, '', '', DATE '2021-07-01', [], 2, 'q2.csv', '', 8, 'sha-q2')`,
	`INSERT INTO rejected_rows (batch_id, source_file, source_sheet, source_row, "column", value, reason, reason_code, raw, file_sha256) VALUES
		(2, 'q2.csv', '', 9, '完成进度', '120', 'out of 0–100', 'bad_progress', '{}', 'sha-q2'),
		(2, 'q2.csv', '', 10, '完成进度', '-5', 'out of 0–100', 'bad_progress', '{}', 'sha-q2'),
		(2, 'q2.csv', '', 11, '任务序号', '2', 'not assigned', 'task_not_assigned', '{}', 'sha-q2'),
		(2, 'old.xlsx', '', 0, '', '', 'a template for 2021Q1', 'wrong_period', '{}', 'sha-old'),
		(2, 'other-plan.xlsx', '', 0, '', '', 'a template for another plan', 'wrong_plan', '{}', 'sha-other')`,
}

// fixtureDB builds the fixture in a new database and applies the models.
func fixtureDB(t *testing.T) *store.DB {
	t.Helper()
	ctx := context.Background()
	db, err := store.Open(ctx, filepath.Join(t.TempDir(), "fixture.duckdb"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	for _, q := range fixtureSQL {
		if _, err := db.ExecContext(ctx, q); err != nil {
			t.Fatalf("%s: %v", firstLine(q), err)
		}
	}
	if err := transform.Apply(ctx, db); err != nil {
		t.Fatal(err)
	}
	return db
}

var approx = cmpopts.EquateApprox(0, 1e-9)

// Every figure below worked out by hand from the fixture, at its latest period 2021Q2.
func TestLoadFigures(t *testing.T) {
	db := fixtureDB(t)
	d, err := Load(context.Background(), db.DB, "", "")
	if err != nil {
		t.Fatal(err)
	}
	type section struct {
		No                  int
		Numeral, Title, RAG string
		Assigned, Completed int
		Rate, AvgProgress   float64
		Tasks               []int
	}
	var sections []section
	for _, s := range d.Sections {
		x := section{s.No, s.Numeral, s.Title, s.RAG, s.Assigned, s.Completed, s.Rate, s.AvgProgress, nil}
		for _, t := range s.Tasks {
			x.Tasks = append(x.Tasks, t.No)
		}
		sections = append(sections, x)
	}
	tests := []struct {
		name      string
		got, want any
	}{
		{"period, title, build date (the latest 填报日期)", []any{d.Period, d.Title, d.Year, d.BuildDate},
			[]any{"2021Q2", "测试市2021年工作计划", 2021, "2021-07-15"}},
		// 8 assignments, 3 completed (甲县 1 and 2, 市编办 3); progress 100+50+40+60+0+0+0+100;
		// 6 reported for Q2, 5 of them on time (甲县's task 2 was filed on the 15th).
		{"overall", d.Overall, Overall{Assigned: 8, Completed: 3, Expected: 8, Reported: 6, OnTime: 5,
			Rate: 3.0 / 8, AvgProgress: 350.0 / 8, Coverage: 6.0 / 8, OnTimeRate: 5.0 / 8, Review: Review{Claimed: 3}}},
		// Part 1: 50% average progress against 50% elapsed: green; part 2: 33.3%: amber.
		{"sections", sections, []section{
			{1, "一", "甲部分", "green", 5, 2, 2.0 / 5, 50, []int{1, 2}},
			{2, "二", "乙部分", "amber", 3, 1, 1.0 / 3, 100.0 / 3, []int{3}},
		}},
		{"tasks", d.Tasks, []Task{
			{No: 1, Section: 1, Text: "任务一。", RAG: "green", Lead: []string{"市司法局"}, Lagging: []string{"乙县", "市司法局"}, LaggingCount: 2,
				Assigned: 3, Completed: 1, Rate: 1.0 / 3, AvgProgress: 200.0 / 3, Review: Review{Claimed: 1}},
			{No: 2, Section: 1, Text: "年内至少开展2次检查。", RAG: "red", Lead: []string{"市司法局"}, Lagging: []string{"市司法局"}, LaggingCount: 1,
				Assigned: 2, Completed: 1, Rate: 0.5, AvgProgress: 25, Review: Review{Claimed: 1},
				// 甲县 reported 2 检查 (the floor), 市司法局 nothing.
				Target: &Target{What: "检查", Min: 2, Unit: "次", Reached: 1, Achieved: 2}},
			{No: 3, Section: 2, Text: "任务三。", RAG: "amber", Lead: []string{"市司法局"}, Lagging: []string{"乙县", "市司法局"}, LaggingCount: 2,
				Assigned: 3, Completed: 1, Rate: 1.0 / 3, AvgProgress: 100.0 / 3, Review: Review{Claimed: 1}},
		}},
		{"trend", d.Trend, []Trend{
			{Period: "2021Q1", Rate: 0, AvgProgress: 30.0 / 8, Coverage: 1.0 / 8},
			{Period: "2021Q2", Rate: 3.0 / 8, AvgProgress: 350.0 / 8, Coverage: 6.0 / 8},
		}},
		{"units", d.Units, []Unit{
			{ID: "a", Name: "甲县", Kind: "county", RAG: "green", Assigned: 2, Completed: 2, Rate: 1, AvgProgress: 75, OnTimeRate: 0.5, Review: Review{Claimed: 2}},
			{ID: "b", Name: "乙县", Kind: "county", RAG: "red", Assigned: 2, Completed: 0, Rate: 0, AvgProgress: 20, OnTimeRate: 0.5},
			{ID: "justice", Name: "市司法局", Kind: "department", RAG: "red", Assigned: 3, Completed: 0, Rate: 0, AvgProgress: 20, OnTimeRate: 2.0 / 3},
			{ID: "office", Name: "市编办", Kind: "other", RAG: "green", Assigned: 1, Completed: 1, Rate: 1, AvgProgress: 100, OnTimeRate: 1, Review: Review{Claimed: 1}},
		}},
		{"ranking (counties and zones)", d.Ranking, []Rank{
			{Rank: 1, ID: "a", Name: "甲县", Kind: "county", Rate: 1, AvgProgress: 75, OnTimeRate: 0.5},
			{Rank: 2, ID: "b", Name: "乙县", Kind: "county", Rate: 0, AvgProgress: 20, OnTimeRate: 0.5},
		}},
		{"grid", d.Grid, []Cell{{"a", "甲县", 1, 1}, {"b", "乙县", 1, 0}, {"b", "乙县", 2, 0}}},
		{"rejected, most first", d.Rejected, []Count{{"bad_progress", 2}, {"task_not_assigned", 1}, {"wrong_period", 1}, {"wrong_plan", 1}}},
		{"flags", d.Flags, []Count{{"unassigned", 1}}},
		// 甲县: one late report (task 2, Q2) of three (Q1 and Q2).
		{"late", []any{d.Late, d.LateUnits}, []any{[]Late{{Unit: "甲县", Late: 1, Reported: 3}}, 1}},
		{"unassigned", d.Unassigned, 1},
		{"sources", d.Sources, Sources{Submissions: 8, Rejected: 5, Batches: "1, 2"}},
		{"a unit's tasks", d.UnitTasks["a"], []UnitTask{
			{Task: 1, Text: "任务一。", Role: "responsible", Status: "completed", ReportPer: "2021Q2", Notes: "已完成", Progress: 100, Completed: true, ReportedInPeriod: true},
			{Task: 2, Text: "年内至少开展2次检查。", Role: "responsible", Status: "in_progress", ReportPer: "2021Q2", Notes: "检查两次", Progress: 50, Completed: true, ReportedInPeriod: true},
		}},
		{"unit names", d.UnitNames["b"], []string{"乙县", "乙县人民政府"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, tt.got, approx); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}

	// At 2021Q1 only 甲县 had reported task 1 (30%): part 1 averages 6% against 25% of the
	// year elapsed, red like part 2.
	q1, err := Load(context.Background(), db.DB, "2021Q1", "2021-04-30")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(Overall{Assigned: 8, Expected: 8, Reported: 1, OnTime: 1, AvgProgress: 30.0 / 8, Coverage: 1.0 / 8, OnTimeRate: 1.0 / 8}, q1.Overall, approx); diff != "" {
		t.Errorf("overall at 2021Q1 (-want +got):\n%s", diff)
	}
	if q1.BuildDate != "2021-04-30" || q1.Sections[0].RAG != "red" || q1.Sections[1].RAG != "red" {
		t.Errorf("2021Q1: build date %s, section RAG %s %s", q1.BuildDate, q1.Sections[0].RAG, q1.Sections[1].RAG)
	}
	if _, err := Load(context.Background(), db.DB, "2022Q1", ""); err == nil {
		t.Error("a period outside the plan year loaded")
	}
}

func TestChaseList(t *testing.T) {
	db := fixtureDB(t)
	day := func(s string) *string { return &s }
	tests := []struct {
		period plan.Period
		want   *Chase
	}{
		{"2021Q1", &Chase{Period: "2021Q1", DueOn: "2021-04-10", Expected: 8, Received: 1, OnTime: 1, Units: []ChaseUnit{
			{Group: "not_reported", UnitID: "b", UnitName: "乙县", UnitKind: "county", Expected: 2, MissingTasks: []int{1, 3}},
			{Group: "not_reported", UnitID: "justice", UnitName: "市司法局", UnitKind: "department", Expected: 3, MissingTasks: []int{1, 2, 3}},
			{Group: "not_reported", UnitID: "office", UnitName: "市编办", UnitKind: "other", Expected: 1, MissingTasks: []int{3}},
			{Group: "incomplete", UnitID: "a", UnitName: "甲县", UnitKind: "county", Expected: 2, Received: 1, OnTime: 1, MissingTasks: []int{2}, LastReport: day("2021-04-05")},
		}}},
		{"2021Q2", &Chase{Period: "2021Q2", DueOn: "2021-07-10", Expected: 8, Received: 6, OnTime: 5, Units: []ChaseUnit{
			{Group: "incomplete", UnitID: "b", UnitName: "乙县", UnitKind: "county", Expected: 2, Received: 1, OnTime: 1, MissingTasks: []int{3}, LastReport: day("2021-07-08")},
			{Group: "incomplete", UnitID: "justice", UnitName: "市司法局", UnitKind: "department", Expected: 3, Received: 2, OnTime: 2, MissingTasks: []int{2}, LastReport: day("2021-07-09")},
			{Group: "late", UnitID: "a", UnitName: "甲县", UnitKind: "county", Expected: 2, Received: 2, OnTime: 1, Late: 1, MissingTasks: []int{}, LastReport: day("2021-07-15")},
			{Group: "complete", UnitID: "office", UnitName: "市编办", UnitKind: "other", Expected: 1, Received: 1, OnTime: 1, MissingTasks: []int{}, LastReport: day("2021-07-01")},
		}}},
		{"2021Q3", &Chase{Period: "2021Q3", DueOn: "2021-10-10", Expected: 8, Units: []ChaseUnit{
			{Group: "not_reported", UnitID: "a", UnitName: "甲县", UnitKind: "county", Expected: 2, MissingTasks: []int{1, 2}},
			{Group: "not_reported", UnitID: "b", UnitName: "乙县", UnitKind: "county", Expected: 2, MissingTasks: []int{1, 3}},
			{Group: "not_reported", UnitID: "justice", UnitName: "市司法局", UnitKind: "department", Expected: 3, MissingTasks: []int{1, 2, 3}},
			{Group: "not_reported", UnitID: "office", UnitName: "市编办", UnitKind: "other", Expected: 1, MissingTasks: []int{3}},
		}}},
	}
	for _, tt := range tests {
		t.Run(string(tt.period), func(t *testing.T) {
			got, err := ChaseList(context.Background(), db.DB, tt.period)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got, cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}

	// The groups' order is the rule's (chase_groups() in 010_rules.sql).
	var order []any
	if err := db.QueryRow("SELECT chase_groups()").Scan(&order); err != nil {
		t.Fatal(err)
	}
	var codes []any
	for _, g := range ChaseGroups {
		codes = append(codes, g.Code)
	}
	if diff := cmp.Diff(order, codes); diff != "" {
		t.Errorf("ChaseGroups and chase_groups() differ (-sql +go):\n%s", diff)
	}

	// The writers only format: the table names groups and kinds in Chinese.
	c, err := ChaseList(context.Background(), db.DB, "2021Q1")
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := c.WriteTable(&b); err != nil {
		t.Fatal(err)
	}
	want := `2021年第一季度（2021Q1）催报清单，报送截止 2021-04-10
4 个单位应报 8 项，已报 1 项（12.5%），按时 1 项（12.5%）
未报送 3 个，部分未报 1 个，逾期报送 0 个，按时报齐 0 个

未报送（3 个单位）
单位      类别      应报  已报  按时  逾期  最近报送  未报任务
乙县      县市区    2     0     0     0     -         全部 2 项
市司法局  市直部门  3     0     0     0     -         全部 3 项
市编办    其他单位  1     0     0     0     -         3

部分未报（1 个单位）
单位  类别    应报  已报  按时  逾期  最近报送    未报任务
甲县  县市区  2     1     1     0     2021-04-05  2
`
	if diff := cmp.Diff(want, b.String()); diff != "" {
		t.Errorf("table (-want +got):\n%s", diff)
	}
	b.Reset()
	if err := c.WriteCSV(&b); err != nil {
		t.Fatal(err)
	}
	if lines := strings.Split(b.String(), "\n"); len(lines) != 6 || lines[4] != "incomplete,a,甲县,county,2021Q1,2,1,1,0,1,2,2021-04-05" {
		t.Errorf("csv:\n%s", b.String())
	}
}

// The pages and summary.xlsx say the fixture's figures in Chinese: every reason code by
// its label (the code only beside it), the 'other' kind as 其他单位.
func TestRenderFixture(t *testing.T) {
	db := fixtureDB(t)
	out := t.TempDir()
	if _, _, err := Render(context.Background(), db.DB, out, Options{}); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(filepath.Join(out, "whitepaper.html"))
	if err != nil {
		t.Fatal(err)
	}
	page := string(b)
	for _, r := range []plan.Reason{plan.ReasonProgress, plan.ReasonNotAssigned, plan.ReasonWrongPeriod, plan.ReasonWrongPlan} {
		if r.Label() == string(r) {
			t.Errorf("%s has no Chinese label", r)
		}
		if cell := "<td>" + r.Label() + "（" + string(r) + "）</td>"; !strings.Contains(page, cell) {
			t.Errorf("whitepaper.html lacks %s", cell)
		}
		if strings.Contains(page, "<td>"+string(r)) {
			t.Errorf("whitepaper.html names %s by its code alone", r)
		}
	}
	for _, s := range []string{
		"已完成 3 项，完成率 37.5%，平均进度 43.8%",
		"<td>非本期的模板（wrong_period）</td><td class=\"num\">1</td>",
		"<td>计划未分配该任务（unassigned）</td><td class=\"num\">1</td>",
		"<td>甲县</td><td class=\"num\">1/3</td>", // late reports
	} {
		if !strings.Contains(page, s) {
			t.Errorf("whitepaper.html lacks %q", s)
		}
	}
	index, _ := os.ReadFile(filepath.Join(out, "index.html"))
	if !strings.Contains(string(index), "<td>其他单位</td>") {
		t.Error("index.html does not call the 'other' unit 其他单位")
	}

	f, err := excelize.OpenFile(filepath.Join(out, "summary.xlsx"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	for _, c := range []struct {
		sheet, cell, want string
		raw               bool
	}{
		{"总体", "B2", "2021Q2", false},
		{"总体", "B3", "37.5%", false},
		{"总体", "B3", "0.375", true},
		{"总体", "C3", "3/8 项分工", false},
		{"总体", "B6", "62.5%", false},
		{"分部分", "E2", "40.0%", false},
		{"分部分", "G2", "绿", false},
		{"分部分", "G3", "黄", false},
		{"任务", "J2", "乙县、市司法局", false},
		{"任务", "I3", "红", false},
		{"单位", "A5", "市编办", false},
		{"单位", "B5", "其他单位", false},
		{"单位", "G4", "66.7%", false},
		{"县市区排名", "B3", "乙县", false},
		{"退回原因", "A2", "完成进度有误", false},
		{"退回原因", "C2", "2", false},
		{"退回原因", "A3", "非本单位的分工任务", false},
		{"退回原因", "A4", "非本期的模板", false},
		{"退回原因", "B4", "wrong_period", false},
		{"退回原因", "A5", "非本计划的模板", false},
	} {
		got, err := f.GetCellValue(c.sheet, c.cell, excelize.Options{RawCellValue: c.raw})
		if err != nil || got != c.want {
			t.Errorf("%s!%s = %q (%v), want %q", c.sheet, c.cell, got, err, c.want)
		}
	}
}

// clip keeps the first n characters (not bytes) and marks a cut with …
func TestClip(t *testing.T) {
	clip := funcs(nil, nil)["clip"].(func(string, int) string)
	for _, c := range []struct {
		name, s string
		n       int
		want    string
	}{
		{"shorter", "推进依法行政", 10, "推进依法行政"},
		{"exactly n", "推进依法行政", 6, "推进依法行政"},
		{"one over", "推进依法行政。", 6, "推进依法行政…"},
		{"mixed widths", "A类事项2次以上", 4, "A类事项…"},
		{"empty", "", 3, ""},
		{"zero", "任务", 0, "…"},
	} {
		t.Run(c.name, func(t *testing.T) {
			if got := clip(c.s, c.n); got != c.want {
				t.Errorf("clip(%q, %d) = %q, want %q", c.s, c.n, got, c.want)
			}
		})
	}
}
