package transform

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"plantrack/ingest"
	"plantrack/internal/testkit"
	"plantrack/plan"
	"plantrack/sample"
)

// The views every figure of a period comes from, asked at a period.
var periodViews = []string{"assignment_status_at", "completion_by_section_at", "completion_by_task_at", "completion_by_unit_at",
	"county_comparison_at", "county_ranking_at", "reporting_rate_at", "missing_tasks_at", "chase_list_at", "rag_by_task_at",
	"rag_by_unit_at", "rag_by_section_at"}

// A second year's plan and reports in the same database: reports route to the plan of
// their period's year, a year with no plan is refused, and no figure of the first year
// moves.
func TestSecondYearChangesNoFigureOfTheFirst(t *testing.T) {
	ctx := context.Background()
	y2021 := testkit.Builtin(t)
	dir := t.TempDir()
	if _, err := sample.Generate(dir, y2021, sample.Options{Seed: sample.DefaultSeed}); err != nil {
		t.Fatal(err)
	}
	db := ingestInto(t, y2021, dir)
	figures := func() map[string]string {
		out := map[string]string{}
		for _, v := range periodViews {
			for _, p := range plan.YearPeriods(2021) {
				q := "SELECT * FROM " + v + "('" + string(p) + "') ORDER BY ALL"
				out[q] = testkit.QueryCSV(t, db.DB, q)
			}
		}
		for _, q := range []string{"SELECT * FROM completion_trend WHERE plan_year = 2021 ORDER BY ALL", "SELECT * FROM unassigned_reports WHERE period <= '2021Q4' ORDER BY ALL",
			"SELECT * FROM report_flags WHERE period <= '2021Q4' ORDER BY ALL"} {
			out[q] = testkit.QueryCSV(t, db.DB, q)
		}
		return out
	}
	before := figures()

	// The 2022 plan (another layout) and a quarter of its reports.
	p2022, err := plan.Load(plan.Files{Plan: filepath.Join("testdata", "plan-2022.txt")})
	if err != nil || p2022.Problems.Errors() > 0 || p2022.Catalog.Year != 2022 {
		t.Fatalf("2022 plan: %v %v", err, p2022.Problems)
	}
	years, err := plan.NewYears(y2021, p2022)
	if err != nil {
		t.Fatal(err)
	}
	reports := filepath.Join(t.TempDir(), "2022Q1.csv")
	os.WriteFile(reports, []byte("填报单位,报告期,任务序号,完成状态,完成进度,填报日期\n"+
		"市司法局,2022Q1,1,已完成,100,2022-04-06\n"+ // lead of 2022's task 1
		"东阿县,2022Q1,1,推进中,50,2022-04-08\n"+ // a county: 各县（市、区）人民政府
		"东阿县,2022Q1,4,推进中,50,2022-04-08\n"+ // 2022's task 4 is the police's, not a county's
		"市司法局,2022Q1,6,推进中,50,2022-04-08\n"+ // 2022's plan has 5 tasks
		"市司法局,2023Q1,1,推进中,50,2023-04-08\n"), 0o644) // no plan for 2023
	sum, err := ingest.Ingest(ctx, db, years, []string{reports}, ingest.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := Apply(ctx, db); err != nil {
		t.Fatal(err)
	}
	if sum.Accepted != 3 || sum.Rejected != 2 {
		t.Errorf("accepted %d, rejected %d; want 3, 2", sum.Accepted, sum.Rejected)
	}
	if got := testkit.QueryCSV(t, db.DB, `SELECT source_row, reason_code FROM rejected_rows WHERE source_file LIKE '%2022Q1.csv' ORDER BY ALL`); got != "source_row,reason_code\n5,unknown_task\n6,no_plan_for_year\n" {
		t.Errorf("2022 rejections:\n%s", got)
	}
	if got := testkit.QueryCSV(t, db.DB, `SELECT list_contains(flags, 'unassigned') AS unassigned FROM submissions WHERE period = '2022Q1' ORDER BY source_row`); got != "unassigned\nfalse\nfalse\ntrue\n" {
		t.Errorf("2022 assignments:\n%s", got)
	}

	after := figures()
	for q, want := range before {
		if after[q] != want {
			t.Errorf("%s changed after a second year was added", q)
		}
	}
	// 2022's figures are 2022's plan's.
	if got := strings.Join(rows(t, db, `SELECT section_no, assigned, completed FROM completion_by_section_at('2022Q1')`), " "); !strings.HasPrefix(got, "1|") || strings.Count(got, " ") != 2 {
		t.Errorf("2022 sections: %s", got)
	}
	if got := rows(t, db, `SELECT count(*) FILTER (WHERE completed), count(*) FROM assignment_status_at('2022Q1') WHERE task_no = 1 AND unit_id = 'justice'`); got[0] != "1|1" {
		t.Errorf("2022 task 1 of 市司法局: %v", got)
	}
	if got := rows(t, db, `SELECT string_agg(DISTINCT plan_year::VARCHAR, ',' ORDER BY plan_year::VARCHAR) FROM periods`); got[0] != "2021,2022" {
		t.Errorf("periods of %v", got)
	}
	if got := rows(t, db, `SELECT latest_period()::VARCHAR`); got[0] != "2022Q1" {
		t.Errorf("latest period %v", got)
	}

	// Year over year: 2022Q1 beside 2021Q1; 2021 has no year before it.
	if got := rows(t, db, `SELECT prior_period::VARCHAR, current, previous, change FROM year_over_year_at('2022Q1') WHERE scope = 'city' AND metric = 'completion_rate'`); len(got) != 1 ||
		got[0] != "2021Q1|"+strings.Join(rows(t, db, `SELECT count(*) FILTER (WHERE completed) / count(*) FROM assignment_status_at('2022Q1')`), "")+"|"+
			strings.Join(rows(t, db, `SELECT count(*) FILTER (WHERE completed) / count(*) FROM assignment_status_at('2021Q1')`), "")+"|"+
			strings.Join(rows(t, db, `SELECT (SELECT count(*) FILTER (WHERE completed) / count(*) FROM assignment_status_at('2022Q1')) - (SELECT count(*) FILTER (WHERE completed) / count(*) FROM assignment_status_at('2021Q1'))`), "") {
		t.Errorf("city completion year over year: %v", got)
	}
	if got := rows(t, db, `SELECT count(*) FILTER (WHERE previous IS NOT NULL), count(*) FROM year_over_year_at('2022Q1') WHERE scope = 'county' AND metric = 'rank'`); got[0] != "11|11" {
		t.Errorf("county ranks beside last year's: %v", got)
	}
	if got := rows(t, db, `SELECT count(*) FILTER (WHERE previous IS NOT NULL OR prior_period IS NOT NULL) FROM year_over_year_at('2021Q4')`); got[0] != "0" {
		t.Errorf("2021 compares with a year the database does not hold: %v", got)
	}

	// The plans are kept with their files: read back, they are the same plans.
	stored, err := db.Plans(ctx)
	if err != nil || len(stored) != 2 || stored[0].Bundle == nil || stored[1].Bundle == nil ||
		stored[0].ID != y2021.SHA256 || stored[1].Bundle.SHA256 != p2022.SHA256 || len(stored[1].Bundle.Assignments) != len(p2022.Assignments) {
		t.Errorf("stored plans: %+v, %v", stored, err)
	}
}
