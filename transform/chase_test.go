package transform

import (
	"context"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// The chase list's models on the fixture (see fixtureReports); every value worked out by
// hand. Due days: 2021Q1 2021-04-10, 2021Q2 2021-07-10, 2021Q4 2022-01-10.
func TestChaseModelsOnFixture(t *testing.T) {
	db := fixtureDB(t)
	tests := []struct {
		name, query string
		want        []string
	}{
		{"reporting_rate: late reports are the actual ones not on time",
			`SELECT unit_id, period, actual_reports, on_time_reports, late_reports FROM reporting_rate WHERE late_reports > 0 OR unit_id = 'b'`,
			[]string{"a|2021Q1|2|1|1", "b|2021Q1|1|1|0", "b|2021Q2|1|1|0", "b|2021Q3|1|1|0", "b|2021Q4|0|0|0", "z|2021Q4|1|0|1"}},
		{"missing_tasks at Q2: every unit with assignments, every quarter up to Q2",
			`SELECT unit_id, period, assigned, missing_tasks FROM missing_tasks_at('2021Q2')`,
			[]string{
				"a|2021Q1|2|[]", "a|2021Q2|2|[]",
				"b|2021Q1|2|[2]", "b|2021Q2|2|[2]",
				"z|2021Q1|1|[3]", "z|2021Q2|1|[]",
				"justice|2021Q1|2|[2]", "justice|2021Q2|2|[1 2]",
				"finance|2021Q1|1|[3]", "finance|2021Q2|1|[3]", // its report on task 1 is not its task
			}},
		{"chase_list at Q1: groups in order, then registry order",
			`SELECT chase_group, group_order, unit_id, expected, received, on_time, late, missing_tasks, last_submitted_on, total_expected, total_received, total_on_time FROM chase_list_at('2021Q1')`,
			[]string{
				"not_reported|1|z|1|0|0|0|[3]|NULL|8|4|3",
				"not_reported|1|finance|1|0|0|0|[3]|NULL|8|4|3",
				"incomplete|2|b|2|1|1|0|[2]|2021-04-08 00:00:00 +0000 UTC|8|4|3",
				"incomplete|2|justice|2|1|1|0|[2]|2021-04-02 00:00:00 +0000 UTC|8|4|3",
				"late|3|a|2|2|1|1|[]|2021-04-20 00:00:00 +0000 UTC|8|4|3",
			}},
		{"chase_list at Q2: the first report decides on time, the latest is the last date",
			`SELECT chase_group, unit_id, received, on_time, late, missing_tasks, last_submitted_on FROM chase_list_at('2021Q2')`,
			[]string{
				"not_reported|justice|0|0|0|[1 2]|NULL",
				"not_reported|finance|0|0|0|[3]|NULL",
				"incomplete|b|1|1|0|[2]|2021-07-12 00:00:00 +0000 UTC",
				"complete|a|2|2|0|[]|2021-07-06 00:00:00 +0000 UTC",
				"complete|z|1|1|0|[]|2021-07-01 00:00:00 +0000 UTC",
			}},
		{"chase_list at the latest period (Q4)", `SELECT chase_group, unit_id FROM chase_list`,
			[]string{"not_reported|a", "not_reported|b", "not_reported|justice", "not_reported|finance", "late|z"}},
		{"chase_group rule", `SELECT chase_group(3, 0, 0), chase_group(3, 2, 0), chase_group(3, 3, 1), chase_group(3, 3, 0), chase_groups()`,
			[]string{"not_reported|incomplete|late|complete|[not_reported incomplete late complete]"}},
		{"rag_by_section at Q4 (elapsed 100%)", `SELECT section_no, section_title, avg_progress, rag FROM rag_by_section`,
			[]string{"1|甲部分|56.6667|red", "2|乙部分|50.0000|red"}},
		{"rag_by_section at Q2 (elapsed 50%)", `SELECT section_no, avg_progress, rag FROM rag_by_section_at('2021Q2')`,
			[]string{"1|42.5000|amber", "2|25.0000|red"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, rows(t, db, tt.query)); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

// missing_tasks reads submissions, not the stored models: receipts written after
// ingest --no-build see the new rows; the chase list, which counts from the stored
// models, refuses until they are rebuilt.
func TestMissingTasksWithoutBuild(t *testing.T) {
	db := fixtureDB(t)
	if _, err := db.Exec(`INSERT INTO submissions
		SELECT s.* REPLACE (2 AS task_no, DATE '2021-07-08' AS submitted_on, 99 AS batch_id)
		FROM submissions s WHERE unit_id = 'b' AND period = '2021Q2' LIMIT 1`); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"[]"}, rows(t, db, `SELECT missing_tasks FROM missing_tasks_at('2021Q2') WHERE unit_id = 'b' AND period = '2021Q2'`)); diff != "" {
		t.Errorf("missing_tasks before a build (-want +got):\n%s", diff)
	}
	var n int
	if err := db.QueryRow(`SELECT count(*) FROM chase_list_at('2021Q2')`).Scan(&n); err == nil {
		t.Error("chase_list answered from stale stored models")
	}
	if err := Apply(context.Background(), db); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"complete|2|2"}, rows(t, db, `SELECT chase_group, received, on_time FROM chase_list_at('2021Q2') WHERE unit_id = 'b'`)); diff != "" {
		t.Errorf("chase_list after the build (-want +got):\n%s", diff)
	}
}

// Every view the models create is listed by Views (export writes each), the chase list's
// and section RAG's latest-period views among them.
func TestViewsListsNewModels(t *testing.T) {
	vs, err := Views()
	if err != nil {
		t.Fatal(err)
	}
	has := map[string]bool{}
	for _, v := range vs {
		has[v] = true
	}
	for _, v := range []string{"reporting_rate", "missing_tasks", "chase_list", "rag_by_section", "rag_by_task", "rag_by_unit"} {
		if !has[v] {
			t.Errorf("Views() lacks %s: %v", v, vs)
		}
	}
}
