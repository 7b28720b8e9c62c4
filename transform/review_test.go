package transform

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"plantrack/plan"
	"plantrack/sample"
	"plantrack/store"
)

// The rule of 010_rules.sql: a claim counts unless returned; with require_review() only
// an approved one.
func TestReviewRule(t *testing.T) {
	db := fixtureDB(t)
	q := `SELECT review_completed(true, NULL), review_completed(true, 'approved'), review_completed(true, 'returned'),
		review_completed(false, 'approved'), review_completed(false, NULL)`
	if got := rows(t, db, q); got[0] != "true|true|false|false|false" {
		t.Errorf("require_review() false: %v", got)
	}
	if _, err := db.Exec(`CREATE OR REPLACE MACRO require_review() AS true`); err != nil {
		t.Fatal(err)
	}
	if got := rows(t, db, q); got[0] != "false|true|false|false|false" {
		t.Errorf("require_review() true: %v", got)
	}
	if got := rows(t, db, `SELECT claims_completion('completed', NULL, NULL), claims_completion('in_progress', 2, 2),
		claims_completion('in_progress', 1, 2), claims_completion('in_progress', 5, NULL)`); got[0] != "true|true|false|false" {
		t.Errorf("claims_completion: %v", got)
	}
}

// Reviews on the fixture, by hand: 甲县's task 1 report for Q2 (已完成) stands from Q2 to
// Q4. Returned, it counts at none of them; approved in a later import, the latest
// decision, it counts again. 甲县's task 2 (in progress, 2 次 ≥ the target) is approved:
// counted as before, and approved.
func TestReviewsOnFixture(t *testing.T) {
	ctx := context.Background()
	db := fixtureDB(t)
	lineage := func(unit string, task int) store.Review {
		t.Helper()
		var r store.Review
		err := db.QueryRow(`SELECT unit_id, task_no, report_period::VARCHAR, batch_id, source_file, source_sheet, source_row
			FROM assignment_status_at('2021Q2') WHERE unit_id = ? AND task_no = ?`, unit, task).Scan(
			&r.UnitID, &r.TaskNo, &r.Period, &r.ReportBatch, &r.ReportFile, &r.ReportSheet, &r.ReportRow)
		if err != nil {
			t.Fatal(err)
		}
		r.SourceFile = "审核表.xlsx"
		return r
	}
	a1, a2 := lineage("a", 1), lineage("a", 2)
	a1.Decision, a1.Comment, a1.SourceRow = "returned", "无佐证", 4
	a2.Decision, a2.SourceRow = "approved", 5
	if res, err := db.ImportReviews(ctx, 1, 0, []store.Review{a1, a2}); err != nil || res.Added != 2 {
		t.Fatalf("import: %+v %v", res, err)
	}
	check := func(name, query string, want []string) {
		t.Helper()
		if diff := cmp.Diff(want, rows(t, db, query)); diff != "" {
			t.Errorf("%s (-want +got):\n%s", name, diff)
		}
	}
	check("trend: one completion fewer from Q2 on", `SELECT period, completed FROM completion_trend`,
		[]string{"2021Q1|0", "2021Q2|1", "2021Q3|2", "2021Q4|3"})
	check("completion_by_task at Q4: claimed, approved, returned",
		`SELECT task_no, completed, claimed, approved, returned, lagging_units FROM completion_by_task`,
		[]string{"1|0|1|0|1|[甲县 乙县 市司法局]", "2|2|2|1|0|[乙县]", "3|1|1|0|0|[市财政局]"})
	check("assignment_status: the review beside the claim",
		`SELECT unit_id, task_no, claimed, completed, review, review_comment FROM assignment_status WHERE review IS NOT NULL ORDER BY task_no`,
		[]string{"a|1|true|false|returned|无佐证", "a|2|true|true|approved|"})
	check("chase list at Q2: the returned task with its comment",
		`SELECT unit_id, returned, returned_tasks, returned_comments, total_returned FROM chase_list_at('2021Q2') WHERE unit_id IN ('a', 'b')`,
		[]string{"b|0|[]|[]|1", "a|1|[1]|[无佐证]|1"})
	check("standing_reports_at says the same for receipts",
		`SELECT unit_id, task_no, claimed, review, review_comment FROM standing_reports_at('2021Q3') WHERE review IS NOT NULL ORDER BY task_no`,
		[]string{"a|1|true|returned|无佐证", "a|2|true|approved|"})

	// Approved in a later import: the latest decision decides.
	a1.Decision, a1.Comment = "approved", "已补充"
	if res, err := db.ImportReviews(ctx, 1, 0, []store.Review{a1}); err != nil || res.Added != 1 || res.BatchID != 2 {
		t.Fatalf("second import: %+v %v", res, err)
	}
	check("trend after the approval", `SELECT period, completed FROM completion_trend`,
		[]string{"2021Q1|0", "2021Q2|2", "2021Q3|3", "2021Q4|4"})
	check("review_latest", `SELECT unit_id, task_no, decision, comment, batch_id FROM review_latest ORDER BY task_no`,
		[]string{"a|1|approved|已补充|2", "a|2|approved||1"})
}

// standing_reports_at (read from submissions, for receipts) and assignment_status_at (the
// stored models) name the same standing report and claim for every assignment, at every
// quarter of the sample year.
func TestStandingReportsAgree(t *testing.T) {
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
		a := fmt.Sprintf(`SELECT unit_id, task_no, period, batch_id, source_file, source_sheet, source_row, claimed FROM standing_reports_at('%s')`, q)
		s := fmt.Sprintf(`SELECT unit_id, task_no, report_period, batch_id, source_file, source_sheet, source_row, claimed FROM assignment_status_at('%s') WHERE has_report`, q)
		got := rows(t, db, fmt.Sprintf(`SELECT (SELECT count(*) FROM (%s EXCEPT %s)), (SELECT count(*) FROM (%s EXCEPT %s)), (SELECT count(*) FROM (%s))`, a, s, s, a, a))
		if f := strings.Split(got[0], "|"); f[0] != "0" || f[1] != "0" || f[2] == "0" {
			t.Errorf("%s: %v differ either way, of %v", q, f[:2], f[2])
		}
	}
}
