package reports

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"plantrack/store"
)

// Review on the fixture (every figure by hand): the office approves 甲县's task 1 and
// returns 市编办's task 3, the two claims standing at 2021Q2 that are status 已完成 (甲县's
// task 2 claims through its target, and is not reviewed). The returned claim no longer
// counts: 3 completed become 2; the pages say 自报完成 beside 审核确认, the unit's page the
// decision and its comment, and the chase list the returned task with the comment.
func TestReviewOnFixture(t *testing.T) {
	ctx := context.Background()
	db := fixtureDB(t)
	dir := t.TempDir()

	// Before any review the pages say nothing of it.
	before := filepath.Join(dir, "before")
	if _, _, err := Render(ctx, db.DB, before, Options{}); err != nil {
		t.Fatal(err)
	}
	for _, page := range []string{"whitepaper.html", "units/office.html"} {
		if b, _ := os.ReadFile(filepath.Join(before, page)); bytes.Contains(b, []byte("审核")) {
			t.Errorf("%s speaks of review before any", page)
		}
	}

	day := time.Date(2021, 7, 20, 0, 0, 0, 0, time.UTC)
	res, err := db.ImportReviews(ctx, 1, 0, []store.Review{
		{UnitID: "a", TaskNo: 1, Period: "2021Q2", ReportBatch: 2, ReportFile: "q2.csv", ReportRow: 2, Decision: "approved", ReviewedOn: day, SourceFile: "审核表.xlsx", SourceRow: 4},
		{UnitID: "office", TaskNo: 3, Period: "2021Q2", ReportBatch: 2, ReportFile: "q2.csv", ReportRow: 8, Decision: "returned",
			Comment: "缺少验收材料\n请补充", ReviewedOn: day, SourceFile: "审核表.xlsx", SourceRow: 5},
	})
	if err != nil || res.Added != 2 || res.BatchID != 1 {
		t.Fatalf("import: %+v %v", res, err)
	}
	d, err := Load(ctx, db.DB, "", "")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(Overall{Assigned: 8, Completed: 2, Expected: 8, Reported: 6, OnTime: 5, Rate: 2.0 / 8, AvgProgress: 350.0 / 8,
		Coverage: 6.0 / 8, OnTimeRate: 5.0 / 8, Review: Review{Claimed: 3, Approved: 1, Returned: 1}}, d.Overall, approx); diff != "" {
		t.Errorf("overall (-want +got):\n%s", diff)
	}
	if !d.Reviewed || d.Overall.Unreviewed() != 1 {
		t.Errorf("reviewed %v, unreviewed %d", d.Reviewed, d.Overall.Unreviewed())
	}
	type counts struct{ Completed, Claimed, Approved, Returned int }
	var sections, units []counts
	for _, s := range d.Sections {
		sections = append(sections, counts{s.Completed, s.Claimed, s.Approved, s.Returned})
	}
	for _, u := range d.Units {
		units = append(units, counts{u.Completed, u.Claimed, u.Approved, u.Returned})
	}
	if diff := cmp.Diff([]counts{{2, 2, 1, 0}, {0, 1, 0, 1}}, sections); diff != "" {
		t.Errorf("sections (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]counts{{2, 2, 1, 0}, {0, 0, 0, 0}, {0, 0, 0, 0}, {0, 1, 0, 1}}, units); diff != "" {
		t.Errorf("units (-want +got):\n%s", diff)
	}
	if got := d.UnitTasks["office"][0]; got.Review != "returned" || got.ReviewComment != "缺少验收材料\n请补充" || got.Completed {
		t.Errorf("市编办's task: %+v", got)
	}
	if d.Tasks[2].Lagging[len(d.Tasks[2].Lagging)-1] != "市编办" {
		t.Errorf("task 3 lagging: %v", d.Tasks[2].Lagging)
	}

	after := filepath.Join(dir, "after")
	if _, err := Write(ctx, d, after); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ page, want string }{
		{"whitepaper.html", "单位自报完成 3 项，经审核确认 1 项、退回 1 项（退回的不计为完成），1 项尚未审核。"},
		{"whitepaper.html", "完成率 0.0%（0/3）　自报完成 1，审核确认 0，退回 1</h3>"},
		{"whitepaper.html", `<th class="num">自报完成</th><th class="num">审核确认</th>`},
		{"whitepaper.html", `<td class="num">1</td><td class="num">0（退回 1）</td>`},
		{"units/office.html", "· 自报完成 1 · 审核确认 0 · 退回 1 ·"},
		{"units/office.html", "<td>退回：缺少验收材料\n请补充</td>"},
		{"units/a.html", "<td>通过</td>"},
	} {
		b, _ := os.ReadFile(filepath.Join(after, c.page))
		if !strings.Contains(string(b), c.want) {
			t.Errorf("%s lacks %q", c.page, c.want)
		}
	}

	c, err := ChaseList(ctx, db.DB, "2021Q2")
	if err != nil {
		t.Fatal(err)
	}
	if c.Returned != 1 {
		t.Errorf("chase list: %d returned", c.Returned)
	}
	for _, u := range c.Units {
		want := []ReturnedTask(nil)
		if u.UnitID == "office" {
			want = []ReturnedTask{{Task: 3, Comment: "缺少验收材料\n请补充"}}
		}
		if diff := cmp.Diff(want, u.ReturnedTasks, cmpopts.EquateEmpty()); diff != "" || u.Returned != len(want) {
			t.Errorf("%s returned %d (-want +got):\n%s", u.UnitID, u.Returned, diff)
		}
	}
	var table, csv, js bytes.Buffer
	c.WriteTable(&table)
	c.WriteCSV(&csv)
	c.WriteJSON(&js)
	if !strings.Contains(table.String(), "审核退回 1 项（1 个单位），须整改后重新报送，见文末\n") ||
		!strings.HasSuffix(table.String(), "\n审核退回（1 个单位，1 项，须整改后重新报送）\n单位    任务  审核意见\n市编办  3     缺少验收材料 请补充\n") {
		t.Errorf("table:\n%s", table.String())
	}
	if lines := strings.Split(csv.String(), "\n"); !strings.HasSuffix(lines[0], ",last_submitted_on,returned,returned_tasks") ||
		!strings.Contains(csv.String(), "complete,office,市编办,other,2021Q2,1,1,1,0,0,,2021-07-01,1,3\n") {
		t.Errorf("csv:\n%s", csv.String())
	}
	if !strings.Contains(js.String(), `"returned": 1,`) || !strings.Contains(js.String(), `"returned_tasks": [`) {
		t.Errorf("json:\n%s", js.String())
	}

	// Without reviews the chase list's CSV and JSON are as before.
	plain, err := ChaseList(ctx, fixtureDB(t).DB, "2021Q2")
	if err != nil {
		t.Fatal(err)
	}
	csv.Reset()
	js.Reset()
	plain.WriteCSV(&csv)
	plain.WriteJSON(&js)
	if strings.Contains(csv.String(), "returned") || strings.Contains(js.String(), "returned") {
		t.Errorf("no review, but:\n%s\n%s", csv.String(), js.String())
	}
}
