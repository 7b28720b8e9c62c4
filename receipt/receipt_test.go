package receipt

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"plantrack/ingest"
	"plantrack/internal/testkit"
	"plantrack/plan"
	"plantrack/store"
	"plantrack/transform"
)

// sheetText reads a receipt's sheet as lines of cells joined by " | ".
func sheetText(t *testing.T, path, sheet string) []string {
	t.Helper()
	f, err := excelize.OpenFile(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := f.GetRows(sheet)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, r := range rows {
		out = append(out, strings.Join(r, " | "))
	}
	return out
}

func hasLine(lines []string, want string) bool {
	return slices.ContainsFunc(lines, func(l string) bool { return strings.Contains(l, want) })
}

// Receipts of files that are not templates: a CSV of two units with bad rows, a text file
// named .xlsx, a JSON object with a key twice; and of a file the database never saw.
func TestReceipts(t *testing.T) {
	p := testkit.Builtin(t)
	dir := t.TempDir()
	in := filepath.Join(dir, "in")
	os.MkdirAll(in, 0o755)
	files := map[string]string{
		"汇总.csv": "填报单位,报告期,任务序号,完成状态,完成进度,填报日期\n" +
			"东阿县,2021Q2,1,推进中,60,2021-07-05\n" +
			"东阿县,2021Q2,2,已完成,,2021-07-05\n" +
			"冠县,2021年第二季度,1,已完成,100,\n" +
			"冠具,2021Q2,3,推进中,50,2021-07-05\n" +
			"冠县,2021Q2,2,搞定了,120,2021-07-05\n",
		"假的.xlsx": "填报单位,报告期\n东阿县,2021Q1\n",
		"市司法局.json": `[{"unit":"市司法局","period":"2021Q2","task_no":14,"status":"推进中","status":"已完成"},
			{"unit":"市司法局","period":"2021Q2","task_no":15,"status":"推进中","progress":40,"submitted_on":"2021-07-02"}]`,
	}
	for name, body := range files {
		if err := os.WriteFile(filepath.Join(in, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	db, sum := ingestBuilt(t, dir, p, in)
	var ins []Input
	for _, f := range sum.Files {
		ins = append(ins, Input{Path: f.Path, SHA256: f.SHA256, Out: filepath.Join(dir, "r", Name(f.Path))})
	}
	ins = append(ins, Input{Path: filepath.Join(in, "未导入.csv"), SHA256: "00", Out: filepath.Join(dir, "r", "未导入-回执.xlsx")})
	if err := Write(context.Background(), db.DB, ins, Options{}); err != nil {
		t.Fatal(err)
	}
	r := func(name string) string { return filepath.Join(dir, "r", name) }

	// The CSV: two units, their rejected rows in Chinese, what each still owes.
	front := sheetText(t, r("汇总-回执.xlsx"), "回执")
	for _, want := range []string{
		"报送文件：汇总.csv",
		"填报单位：东阿县、冠县　　报告期：2021年第二季度",
		"文件类型：CSV 文件",
		"处理结果：第1批导入。共读取5行：接收3行，退回2行。",
		"一、退回的行（共2处，请修改后重新报送）",
		` | 5 | 3 | 「填报单位」“冠具”不在单位名录中，请填写单位全称（是否为“冠县”？） | 填报单位 | 冠具 | 填报单位：冠具`,
		` | 6 | 2 | 「完成状态」“搞定了”不是规定用语，请从下拉列表选择：未启动、推进中、基本完成、已完成；「完成进度」“120”超出0–100的范围 | 完成状态 | 搞定了 |`,
	} {
		if !hasLine(front, want) {
			t.Errorf("汇总 receipt lacks %q:\n%s", want, strings.Join(front, "\n"))
		}
	}
	owed := map[string][]int{}
	for _, a := range p.Assignments {
		u, _ := p.Registry.ByID(a.UnitID)
		owed[u.Name] = append(owed[u.Name], a.Task)
	}
	n := 0
	for _, unit := range []string{"东阿县", "冠县"} {
		done := map[string][]int{"东阿县": {1, 2}, "冠县": {1}}[unit]
		for _, task := range owed[unit] {
			line := unit + " | 2021年第二季度 | " + strconv.Itoa(task) + " | "
			if got := hasLine(front, line); got == slices.Contains(done, task) {
				t.Errorf("汇总 receipt: task %d of %s listed missing: %v", task, unit, got)
			}
			if !slices.Contains(done, task) {
				n++
			}
		}
	}
	if !hasLine(front, "二、本期尚未报送的任务（共"+strconv.Itoa(n)+"项，请补报）") {
		t.Errorf("汇总 receipt: want %d missing tasks:\n%s", n, strings.Join(front, "\n"))
	}
	// 回执 opens first: the active tab.
	if f, err := excelize.OpenFile(r("汇总-回执.xlsx")); err != nil {
		t.Fatal(err)
	} else {
		if f.GetActiveSheetIndex() != 0 || f.GetSheetName(0) != "回执" {
			t.Errorf("active sheet %d (%s), want 回执", f.GetActiveSheetIndex(), f.GetSheetName(f.GetActiveSheetIndex()))
		}
		f.Close()
	}
	acc := sheetText(t, r("汇总-回执.xlsx"), "已接收")
	for _, want := range []string{
		"已接收的行（共3行）",
		" | 3 | 东阿县 | 2021年第二季度 | 2 | 已完成 | 100 |  | 2021-07-05 | 未填完成进度，按已完成计为100%",
		" | 4 | 冠县 | 2021年第二季度 | 1 | 已完成 | 100 |  |  | 未填填报日期，无法判断是否按时报送",
	} {
		if !hasLine(acc, want) {
			t.Errorf("汇总 accepted sheet lacks %q:\n%s", want, strings.Join(acc, "\n"))
		}
	}

	// A text file named .xlsx: refused whole; no unit to say what is missing.
	front = sheetText(t, r("假的-回执.xlsx"), "回执")
	for _, want := range []string{
		"整个文件未被接收，原因见下表。",
		" | 整个文件 |  | 文件名是 .xlsx，内容却是文本（可能是改了扩展名的 CSV），请改名为 .csv 或另存为 .xlsx",
		"二、本期尚未报送的任务：未能确定填报单位和报告期",
	} {
		if !hasLine(front, want) {
			t.Errorf("假的 receipt lacks %q:\n%s", want, strings.Join(front, "\n"))
		}
	}

	// JSON: the object with a key twice, and the missing tasks of 市司法局.
	front = sheetText(t, r("市司法局-回执.xlsx"), "回执")
	for _, want := range []string{"文件类型：JSON 文件", ` | 1 | 14 | 栏目「status」在同一条记录中出现了两次，不知以哪个为准 | status |`, "市司法局 | 2021年第二季度 | 14 | "} {
		if !hasLine(front, want) {
			t.Errorf("市司法局 receipt lacks %q:\n%s", want, strings.Join(front, "\n"))
		}
	}
	if hasLine(front, "市司法局 | 2021年第二季度 | 15 | ") {
		t.Error("市司法局 receipt lists task 15, which it reported, as missing")
	}

	front = sheetText(t, r("未导入-回执.xlsx"), "回执")
	if !hasLine(front, "数据库中没有此文件的记录") {
		t.Errorf("receipt of a file never ingested:\n%s", strings.Join(front, "\n"))
	}

	// The same database and files, the same bytes.
	again := make([]Input, len(ins))
	for i, x := range ins {
		x.Out = filepath.Join(dir, "again", filepath.Base(x.Out))
		again[i] = x
	}
	if err := Write(context.Background(), db.DB, again, Options{}); err != nil {
		t.Fatal(err)
	}
	for i := range ins {
		a, _ := os.ReadFile(ins[i].Out)
		b, _ := os.ReadFile(again[i].Out)
		if !bytes.Equal(a, b) || len(a) == 0 {
			t.Errorf("%s differs the second time", filepath.Base(ins[i].Out))
		}
	}
}

func TestName(t *testing.T) {
	for in, want := range map[string]string{"a/东阿县.xlsx": "东阿县-回执.xlsx", "x.csv": "x-回执.xlsx", "a/b.c.json": "b.c-回执.xlsx"} {
		if got := Name(in); got != want {
			t.Errorf("Name(%s) = %s", in, got)
		}
	}
}

// ingestBuilt ingests paths against the plan into a new database in dir and builds the
// models, as plantrack ingest does; the database closes when the test ends.
func ingestBuilt(t *testing.T, dir string, p *plan.Bundle, paths ...string) (*store.DB, *ingest.Summary) {
	t.Helper()
	db, err := store.Open(context.Background(), filepath.Join(dir, "t.duckdb"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	sum, err := ingest.Ingest(context.Background(), db, plan.Only(p), paths, ingest.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := transform.Apply(context.Background(), db); err != nil {
		t.Fatal(err)
	}
	return db, sum
}
