package ingest

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"plantrack/internal/testkit"
	"plantrack/plan"
	"plantrack/template"
)

// writeTemplate makes unit's template for period under the plan id planID, fills it as the
// unit would, and saves it at path.
func writeTemplate(t *testing.T, p *plan.Bundle, planID, unit, period, path string, entries map[int]template.Entry) {
	t.Helper()
	u, ok := p.Registry.Lookup(unit)
	if !ok {
		t.Fatalf("no unit %s", unit)
	}
	under := *p
	under.SHA256 = planID
	f, err := template.Build(template.Spec{Plan: &under, Unit: *u, Period: plan.Period(period)})
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := template.Fill(f, time.Date(2021, 7, 6, 0, 0, 0, 0, time.UTC), entries); err != nil {
		t.Fatal(err)
	}
	os.MkdirAll(filepath.Dir(path), 0o755)
	if err := f.SaveAs(path); err != nil {
		t.Fatal(err)
	}
}

var someEntries = map[int]template.Entry{
	1: {Status: "推进中", Progress: 60, Notes: "学习2次"},
	5: {Status: "已完成", Progress: 100, Achieved: 2, Evidence: "通知.pdf"},
}

// A template knows its unit and period from its hidden sheet, whatever the file is called
// and whatever a unit writes above the table; untouched rows are not reports.
func TestTemplateRecognised(t *testing.T) {
	p := testkit.Builtin(t)
	dir := t.TempDir()
	writeTemplate(t, p, p.SHA256, "东阿县", "2021Q2", filepath.Join(dir, "新建 Microsoft Excel 工作表.xlsx"), someEntries)
	db := openDB(t)
	sum, err := Ingest(context.Background(), db, plan.Only(p), []string{dir}, Options{Period: "2021Q2"})
	if err != nil {
		t.Fatal(err)
	}
	if sum.Accepted != 2 || sum.Rejected != 0 || sum.RowsRead != 2 || sum.SkippedRows != 1 || len(sum.Files[0].Notes) != 0 {
		t.Errorf("summary:\n%s", summaryText(sum))
	}
	got := testkit.QueryCSV(t, db.DB, `SELECT unit_id, period, task_no, status, progress_pct, achieved, submitted_on, flags, source_sheet, source_row FROM submissions ORDER BY task_no`)
	want := "unit_id,period,task_no,status,progress_pct,achieved,submitted_on,flags,source_sheet,source_row\n" +
		"dong-e,2021Q2,1,in_progress,60,,2021-07-06,[],填报表,4\n" +
		"dong-e,2021Q2,5,completed,100,2,2021-07-06,[],填报表,8\n"
	if got != want {
		t.Errorf("submissions:\n%s\nwant\n%s", got, want)
	}
}

// A template for another plan, for another period than the one collected, or outside the
// plan year is refused whole, with a reason that says so; nothing of it is accepted.
func TestTemplateRefused(t *testing.T) {
	p := testkit.Builtin(t)
	dir := t.TempDir()
	other := strings.Repeat("ab", 32)
	writeTemplate(t, p, other, "东阿县", "2021Q2", filepath.Join(dir, "去年的模板.xlsx"), someEntries)
	writeTemplate(t, p, p.SHA256, "冠县", "2021Q1", filepath.Join(dir, "冠县.xlsx"), someEntries)
	writeTemplate(t, p, p.SHA256, "莘县", "2021Q2", filepath.Join(dir, "莘县.xlsx"), someEntries)
	db := openDB(t)
	sum, err := Ingest(context.Background(), db, plan.Only(p), []string{dir}, Options{Period: "2021Q2"})
	if err != nil {
		t.Fatal(err)
	}
	if sum.Accepted != 2 || sum.Rejected != 2 {
		t.Errorf("summary:\n%s", summaryText(sum))
	}
	got := testkit.QueryCSV(t, db.DB, `SELECT source_file, source_row, "column", value, reason_code, reason FROM rejected_rows ORDER BY source_file`)
	want := "source_file,source_row,column,value,reason_code,reason\n" +
		filepath.ToSlash(filepath.Join(dir, "冠县.xlsx")) + ",0,报告期,2021Q1,wrong_period,\"a template for 2021Q1, and this ingest takes 2021Q2: the unit filled in another period's template\"\n" +
		filepath.ToSlash(filepath.Join(dir, "去年的模板.xlsx")) + ",0,plan_sha256,abababababab,wrong_plan,\"a template made for another plan (聊城市2021年法治政府建设工作计划, plan id abababababab), not for 聊城市2021年法治政府建设工作计划 (plan id " + p.SHA256[:12] + "): send the unit this plan's template\"\n"
	if got != want {
		t.Errorf("rejected:\n%s\nwant\n%s", got, want)
	}
	for _, f := range sum.Files {
		if whole := !strings.HasSuffix(f.Path, "莘县.xlsx"); f.WholeFileRejected != whole {
			t.Errorf("%s: rejected whole %v", f.Path, f.WholeFileRejected)
		}
	}
	if n := testkit.QueryCSV(t, db.DB, "SELECT count(*) AS n FROM submissions WHERE unit_id <> 'shenxian'"); n != "n\n0\n" {
		t.Errorf("rows of refused templates accepted: %s", n)
	}

	// Without --period, a template of any quarter of the plan year is taken.
	db2 := openDB(t)
	sum, err = Ingest(context.Background(), db2, plan.Only(p), []string{filepath.Join(dir, "冠县.xlsx")}, Options{})
	if err != nil || sum.Accepted != 2 {
		t.Errorf("Q1 template without a period: %v\n%s", err, summaryText(sum))
	}
	if _, err := Ingest(context.Background(), db2, plan.Only(p), []string{dir}, Options{Period: "2020Q4"}); err == nil || !strings.Contains(err.Error(), "want a quarter of a plan year (2021)") {
		t.Errorf("a period outside the plan year: %v", err)
	}
}

// A template whose hidden sheet is damaged, or of a newer version, is not guessed at.
func TestTemplateDamaged(t *testing.T) {
	p := testkit.Builtin(t)
	dir := t.TempDir()
	path := filepath.Join(dir, "东阿县.xlsx")
	writeTemplate(t, p, p.SHA256, "东阿县", "2021Q2", path, someEntries)
	wb, err := excelize.OpenFile(path)
	if err != nil {
		t.Fatal(err)
	}
	wb.SetCellStr(template.MetaSheet, "B1", "9")
	wb.SetCellStr(template.MetaSheet, "B2", "nobody")
	newer := filepath.Join(dir, "newer.xlsx")
	if err := wb.SaveAs(newer); err != nil {
		t.Fatal(err)
	}
	wb.SetCellStr(template.MetaSheet, "B1", "1")
	if err := wb.SaveAs(filepath.Join(dir, "nobody.xlsx")); err != nil {
		t.Fatal(err)
	}
	wb.Close()
	os.Remove(path)
	db := openDB(t)
	sum, err := Ingest(context.Background(), db, plan.Only(p), []string{dir}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	got := testkit.QueryCSV(t, db.DB, `SELECT reason_code, value, reason FROM rejected_rows ORDER BY source_file`)
	want := "reason_code,value,reason\n" +
		"bad_file,,not a readable plantrack template: template version 9 is newer than this plantrack reads (1): update plantrack\n" +
		"unknown_unit,nobody,the template's unit nobody (东阿县) is not in the registry\n"
	if got != want || sum.Accepted != 0 {
		t.Errorf("rejected:\n%s\nwant\n%s", got, want)
	}
}

// Every rejection says in Chinese, in rejected_rows.reason_zh, what the unit must fix: each
// problem of the row, with the file's own column name and the value found.
func TestReasonChinese(t *testing.T) {
	p := testkit.Builtin(t)
	const header = "填报单位,报告期,任务序号,完成状态,完成进度（%）,填报日期\n"
	for _, c := range []struct{ name, row, code, want string }{
		{"progress out of range", "东阿县,2021Q2,1,推进中,120%,2021-07-05", "bad_progress", "「完成进度（%）」“120%”超出0–100的范围"},
		{"three problems", "东阿县,2021Q2,1,搞定了,120,7月5日", "bad_status",
			"「完成状态」“搞定了”不是规定用语，请从下拉列表选择：未启动、推进中、基本完成、已完成；「完成进度（%）」“120”超出0–100的范围；「填报日期」“7月5日”无法识别，请写成“2021-07-05”或“2021年7月5日”"},
		{"misspelt unit", "东阿具,2021Q2,1,推进中,50,2021-07-05", "unknown_unit", "「填报单位」“东阿具”不在单位名录中，请填写单位全称（是否为“东阿县”？）"},
		{"unknown task", "东阿县,2021Q2,99,推进中,50,2021-07-05", "unknown_task", "「任务序号」“99”不在2021年工作计划中（计划共第1–31项任务）"},
		{"missing period", "东阿县,,1,推进中,50,2021-07-05", "bad_period", "「报告期」未填写"},
		{"period of a year without a plan", "东阿县,2020Q4,1,推进中,50,2021-07-05", "no_plan_for_year", "「报告期」“2020Q4”所在的2020年没有工作计划（现有2021年的计划）"},
		{"no such month", "东阿县,2021-13,1,推进中,50,2021-07-05", "bad_period", "「报告期」“2021-13”的月份不存在"},
		{"negative count", "东阿县,2021Q2,1,推进中,50,2021-07-05,-2", "bad_achieved", "「完成数量」“-2”不能为负数"},
	} {
		t.Run(c.name, func(t *testing.T) {
			h := header
			if strings.Count(c.row, ",") == 6 {
				h = strings.TrimSuffix(header, "\n") + ",完成数量\n"
			}
			path := writeFile(t, t.TempDir(), "r.csv", h+c.row+"\n")
			db := openDB(t)
			if _, err := Ingest(context.Background(), db, plan.Only(p), []string{path}, Options{}); err != nil {
				t.Fatal(err)
			}
			got := testkit.QueryCSV(t, db.DB, `SELECT reason_code, reason_zh FROM rejected_rows`)
			if want := "reason_code,reason_zh\n" + c.code + "," + c.want + "\n"; got != want {
				t.Errorf("got\n%s\nwant\n%s", got, want)
			}
		})
	}
}
