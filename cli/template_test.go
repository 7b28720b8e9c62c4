package cli

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"plantrack/ingest"
	"plantrack/plan"
	"plantrack/template"
)

// mistake is one thing a unit gets wrong in its template, and what ingest must say.
type mistake struct {
	name   string
	code   string                  // rejected_rows.reason_code
	column string                  // rejected_rows.column
	value  string                  // rejected_rows.value
	zh     string                  // what the receipt says, in part
	entry  func(e *template.Entry) // a wrong value typed or pasted in
	// edit changes the filled workbook instead; it returns the task number ingest will
	// read on the row.
	edit func(t *testing.T, f *excelize.File, row, other int) int
}

var mistakes = []mistake{
	{name: "progress 120 pasted in", code: "bad_progress", column: "完成进度（%）", value: "120", zh: "「完成进度（%）」“120”超出0–100的范围",
		entry: func(e *template.Entry) { e.Progress = "120" }},
	{name: "a status of its own", code: "bad_status", column: "完成状态", value: "搞定了", zh: "「完成状态」“搞定了”不是规定用语",
		entry: func(e *template.Entry) { e.Status = "搞定了" }},
	{name: "a count in words", code: "bad_achieved", column: "完成数量", value: "两次", zh: "「完成数量」“两次”不是数字",
		entry: func(e *template.Entry) { e.Achieved = "两次" }},
	{name: "notes but no status", code: "bad_status", column: "完成状态", value: "", zh: "「完成状态」未填写",
		entry: func(e *template.Entry) { e.Status = "" }},
	{name: "progress in words", code: "bad_progress", column: "完成进度（%）", value: "八成", zh: "「完成进度（%）」“八成”不是数字",
		entry: func(e *template.Entry) { e.Progress = "八成" }},
	{name: "sheet unprotected, task number changed", code: "task_not_assigned", column: "任务序号", zh: "不是本单位的分工任务",
		edit: func(t *testing.T, f *excelize.File, row, other int) int {
			if err := f.UnprotectSheet(template.DataSheet); err != nil {
				t.Fatal(err)
			}
			at, _ := excelize.CoordinatesToCellName(template.ColTask, row)
			if err := f.SetCellInt(template.DataSheet, at, int64(other)); err != nil {
				t.Fatal(err)
			}
			return other
		}},
}

// filled is one template as a unit sent it back, and what it should give.
type filled struct {
	file       string // as collected
	unit       string // unit id
	rows       int    // rows the unit filled
	mistake    mistake
	badRow     int    // the sheet row of the mistake
	badValue   string // rejected_rows.value
	missing    []int  // tasks with no accepted report: the one left blank, the one with the mistake
	acceptedNo int
}

// fillAll fills every template in dir the way a unit would, one mistake each, into out;
// some files are renamed on the way, as units do.
func fillAll(t *testing.T, dir, out string, assigned map[string][]int) []filled {
	t.Helper()
	names, err := filepath.Glob(filepath.Join(dir, "*.xlsx"))
	if err != nil || len(names) == 0 {
		t.Fatalf("no templates in %s: %v", dir, err)
	}
	sort.Strings(names)
	os.MkdirAll(out, 0o755)
	var all []filled
	for i, name := range names {
		f, err := excelize.OpenFile(name)
		if err != nil {
			t.Fatal(err)
		}
		m, err := template.ReadMeta(f)
		if err != nil || m == nil {
			t.Fatalf("%s: %v", name, err)
		}
		rows, err := template.TaskRows(f, m)
		if err != nil {
			t.Fatal(err)
		}
		tasks := m.Tasks
		if !slices.Equal(tasks, assigned[m.UnitID]) {
			t.Fatalf("%s holds tasks %v, the unit is assigned %v", name, tasks, assigned[m.UnitID])
		}
		mk := mistakes[i%len(mistakes)]
		other := 0 // a task the unit is not assigned
		for n := 1; n <= 31 && other == 0; n++ {
			if !slices.Contains(tasks, n) {
				other = n
			}
		}
		if mk.code == "task_not_assigned" && other == 0 {
			mk = mistakes[0]
		}
		// Every task but the last is reported (a unit of one task reports it); the mistake
		// is on the first.
		reported, missing := tasks[:len(tasks)-1], []int{tasks[0], tasks[len(tasks)-1]}
		if len(tasks) == 1 {
			reported, missing = tasks, tasks
		}
		entries := map[int]template.Entry{}
		for k, task := range reported {
			p := 20 + 10*(k%8)
			e := template.Entry{Status: "推进中", Progress: p, Notes: fmt.Sprintf("第%d项任务按计划推进，完成%d%%", task, p)}
			if k%5 == 0 {
				e = template.Entry{Status: "已完成", Progress: 100, Notes: "已完成", Evidence: "总结.docx"}
			}
			if k%7 == 3 {
				e.Achieved = 1 + k%3
			}
			entries[task] = e
		}
		bad := tasks[0]
		if mk.entry != nil {
			e := entries[bad]
			mk.entry(&e)
			entries[bad] = e
		}
		if err := template.Fill(f, time.Date(2021, 7, 5+i%4, 0, 0, 0, 0, time.UTC), entries); err != nil {
			t.Fatal(err)
		}
		read := 0
		if mk.edit != nil {
			read = mk.edit(t, f, rows[bad], other)
		}
		fl := filled{file: filepath.Base(name), unit: m.UnitID, rows: len(entries), mistake: mk, badRow: rows[bad],
			badValue: mk.value, missing: missing}
		if read != 0 {
			fl.badValue = strconv.Itoa(read)
		}
		if i%4 == 1 { // renamed by the unit: the hidden sheet still says whose it is
			fl.file = fmt.Sprintf("报送材料-%02d.xlsx", i)
		}
		fl.acceptedNo = fl.rows - 1
		if err := f.SaveAs(filepath.Join(out, fl.file)); err != nil {
			t.Fatal(err)
		}
		f.Close()
		all = append(all, fl)
	}
	return all
}

// readTable reads the table under the header row that starts with header[0] and matches
// header, down to the first blank row.
func readTable(t *testing.T, rows [][]string, header ...string) [][]string {
	t.Helper()
	for i, r := range rows {
		if len(r) >= len(header) && slices.Equal(r[:len(header)], header) {
			var out [][]string
			for _, d := range rows[i+1:] {
				if len(d) == 0 || strings.Join(d, "") == "" {
					break
				}
				out = append(out, d)
			}
			return out
		}
	}
	return nil
}

func receiptRows(t *testing.T, path, sheet string) [][]string {
	t.Helper()
	f, err := excelize.OpenFile(path)
	if err != nil {
		t.Fatalf("receipt: %v", err)
	}
	defer f.Close()
	rows, err := f.GetRows(sheet)
	if err != nil {
		t.Fatal(err)
	}
	return rows
}

// TestTemplateRoundTrip is the quarter as units live it: make every unit's template, fill
// each as the unit would with one mistake, collect and ingest them with receipts. Every
// good row is accepted, every mistake rejected with its reason, and each receipt lists
// exactly that mistake and the tasks still missing.
func TestTemplateRoundTrip(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "t.duckdb")
	stdout, stderr, code := run(t, "template", "--period", "2021年第二季度", "--out", filepath.Join(dir, "templates"))
	if code != ExitOK || !strings.Contains(stdout, "wrote 45 templates for 2021Q2 (2021年第二季度)") {
		t.Fatalf("template: exit %d\n%s%s", code, stdout, stderr)
	}
	c, err := plan.Load(plan.Files{})
	if err != nil {
		t.Fatal(err)
	}
	assigned := map[string][]int{}
	for _, a := range c.Assignments {
		assigned[a.UnitID] = append(assigned[a.UnitID], a.Task)
	}
	for _, ts := range assigned {
		slices.Sort(ts)
	}
	collected := filepath.Join(dir, "collected", "2021Q2")
	files := fillAll(t, filepath.Join(dir, "templates"), collected, assigned)
	if len(files) != len(assigned) {
		t.Fatalf("%d templates for %d assigned units", len(files), len(assigned))
	}
	kinds := map[string]bool{}
	for _, f := range files {
		kinds[f.mistake.name] = true
	}
	if len(kinds) != len(mistakes) {
		t.Errorf("only %d kinds of mistake made", len(kinds))
	}

	receipts := filepath.Join(dir, "receipts")
	stdout, stderr, code = run(t, "ingest", "--db", db, "--period", "2021Q2", "--receipts", receipts, filepath.Join(dir, "collected"))
	if code != ExitOK {
		t.Fatalf("ingest: exit %d\n%s%s", code, stdout, stderr)
	}
	wantAccepted, rowsRead := 0, 0
	for _, f := range files {
		wantAccepted += f.acceptedNo
		rowsRead += f.rows
	}
	summary := fmt.Sprintf("batch 1: %d files read, 0 duplicate, 0 skipped; %d rows: %d accepted, %d rejected, 0 superseded; %d note/total rows skipped",
		len(files), rowsRead, wantAccepted, len(files), len(files))
	if !strings.Contains(stdout, summary) || !strings.Contains(stdout, fmt.Sprintf("wrote %d receipts (回执) to %s", len(files), receipts)) {
		t.Errorf("ingest output lacks %q:\n%s", summary, stdout)
	}

	// The database: every good row, nothing flagged unassigned; one rejection per file.
	got, _, _ := run(t, "sql", "--db", db, `SELECT count(*) AS n, count(*) FILTER (WHERE list_contains(flags, 'unassigned')) AS unassigned,
		count(*) FILTER (WHERE period <> '2021Q2') AS other_period, count(*) FILTER (WHERE submitted_on IS NULL) AS no_date FROM submissions`)
	if want := fmt.Sprintf("n,unassigned,other_period,no_date\n%d,0,0,0\n", wantAccepted); got != want {
		t.Errorf("submissions:\n%s\nwant\n%s", got, want)
	}
	byFile := map[string]filled{}
	for _, f := range files {
		byFile[f.file] = f
	}
	rej, _, _ := run(t, "sql", "--db", db, `SELECT source_file, source_sheet, source_row, "column", value, reason_code FROM rejected_rows ORDER BY source_file`)
	lines := strings.Split(strings.TrimSpace(rej), "\n")[1:]
	if len(lines) != len(files) {
		t.Errorf("%d rejected rows, want one per file (%d):\n%s", len(lines), len(files), rej)
	}
	for _, l := range lines {
		parts := strings.Split(l, ",")
		f, ok := byFile[filepath.Base(parts[0])]
		if !ok {
			t.Errorf("rejection in an unknown file: %s", l)
			continue
		}
		want := []string{template.DataSheet, strconv.Itoa(f.badRow), f.mistake.column, f.badValue, f.mistake.code}
		if !slices.Equal(parts[1:], want) {
			t.Errorf("%s (%s): rejected %v, want %v", f.file, f.mistake.name, parts[1:], want)
		}
	}
	// Each file's rows are its template's unit's, renamed or not.
	units, _, _ := run(t, "sql", "--db", db, `SELECT source_file, min(unit_id) AS unit, count(DISTINCT unit_id) AS n FROM submissions GROUP BY ALL ORDER BY 1`)
	for _, l := range strings.Split(strings.TrimSpace(units), "\n")[1:] {
		parts := strings.Split(l, ",")
		if f := byFile[filepath.Base(parts[0])]; parts[1] != f.unit || parts[2] != "1" {
			t.Errorf("%s: rows of %s (%s units), want %s", parts[0], parts[1], parts[2], f.unit)
		}
	}

	// The receipts: exactly the mistake, in Chinese next to what was written; exactly the
	// tasks still missing; every accepted row.
	for _, f := range files {
		path := filepath.Join(receipts, "2021Q2", strings.TrimSuffix(f.file, ".xlsx")+"-回执.xlsx")
		front := receiptRows(t, path, "回执")
		rej := readTable(t, front, "工作表", "行号", "任务序号", "退回原因", "出错栏目", "填写内容", "该行原始内容")
		if len(rej) != 1 {
			t.Errorf("%s: %d rejections in the receipt, want 1: %v", f.file, len(rej), rej)
			continue
		}
		r := rej[0]
		for len(r) < 7 {
			r = append(r, "")
		}
		if r[0] != template.DataSheet || r[1] != strconv.Itoa(f.badRow) || !strings.Contains(r[3], f.mistake.zh) || r[4] != f.mistake.column || r[5] != f.badValue ||
			!strings.Contains(r[6], "任务序号："+r[2]) || !strings.Contains(r[6], "任务内容：") {
			t.Errorf("%s (%s): receipt says %q, want row %d, reason containing %q", f.file, f.mistake.name, r, f.badRow, f.mistake.zh)
		}
		miss := readTable(t, front, "填报单位", "报告期", "任务序号", "任务内容", "分工", "所属部分")
		var tasks []int
		for _, m := range miss {
			n, _ := strconv.Atoi(m[2])
			tasks = append(tasks, n)
			if m[1] != "2021年第二季度" {
				t.Errorf("%s: missing row %v", f.file, m)
			}
		}
		slices.Sort(tasks)
		if !slices.Equal(tasks, f.missing) {
			t.Errorf("%s (%s): receipt lists missing tasks %v, want %v", f.file, f.mistake.name, tasks, f.missing)
		}
		acc := readTable(t, receiptRows(t, path, "已接收"), "工作表", "行号", "填报单位", "报告期", "任务序号", "完成状态")
		if len(acc) != f.acceptedNo {
			t.Errorf("%s: %d accepted rows in the receipt, want %d", f.file, len(acc), f.acceptedNo)
		}
	}

	// Receipts are deterministic: the same files again add nothing and give the same bytes.
	again := filepath.Join(dir, "receipts-again")
	stdout, stderr, code = run(t, "ingest", "--db", db, "--receipts", again, filepath.Join(dir, "collected"))
	if code != ExitOK || !strings.Contains(stdout, "nothing new to ingest") {
		t.Fatalf("second ingest: exit %d\n%s%s", code, stdout, stderr)
	}
	for _, f := range files {
		rel := filepath.Join("2021Q2", strings.TrimSuffix(f.file, ".xlsx")+"-回执.xlsx")
		a, _ := os.ReadFile(filepath.Join(receipts, rel))
		b, err := os.ReadFile(filepath.Join(again, rel))
		if err != nil || !bytes.Equal(a, b) {
			t.Errorf("%s: receipt differs the second time (%v)", rel, err)
		}
	}
}

// Under --strict a rejected row writes nothing: no batch, and no receipts. A template for
// another quarter than --period is refused whole, and its receipt says so in Chinese.
func TestReceiptsStrictAndWrongPeriod(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "t.duckdb")
	if _, stderr, code := run(t, "template", "--period", "2021Q1", "--unit", "东阿县", "--unit", "market-regulation", "--out", filepath.Join(dir, "q1")); code != ExitOK {
		t.Fatal(stderr)
	}
	f, err := excelize.OpenFile(filepath.Join(dir, "q1", "东阿县.xlsx"))
	if err != nil {
		t.Fatal(err)
	}
	if err := template.Fill(f, time.Date(2021, 7, 5, 0, 0, 0, 0, time.UTC), map[int]template.Entry{1: {Status: "推进中", Progress: "120"}, 2: {Status: "推进中", Progress: 50}}); err != nil {
		t.Fatal(err)
	}
	sent := filepath.Join(dir, "sent")
	os.MkdirAll(sent, 0o755)
	if err := f.SaveAs(filepath.Join(sent, "东阿县二季度.xlsx")); err != nil {
		t.Fatal(err)
	}
	f.Close()

	receipts := filepath.Join(dir, "receipts")
	stdout, _, code := run(t, "ingest", "--db", db, "--strict", "--receipts", receipts, sent)
	if code != ExitRejected || !strings.Contains(stdout, "nothing written") {
		t.Errorf("--strict: exit %d\n%s", code, stdout)
	}
	if _, err := os.Stat(receipts); !os.IsNotExist(err) {
		t.Errorf("--strict wrote receipts: %v", err)
	}

	// --no-build on a database never built: the receipts still say what is missing.
	stdout, stderr, code := run(t, "ingest", "--db", db, "--no-build", "--period", "2021Q2", "--receipts", receipts, sent)
	if code != ExitOK || !strings.Contains(stdout, "(1 rejected whole)") || !strings.Contains(stderr, "a template for 2021Q1, and this ingest takes 2021Q2") {
		t.Errorf("wrong period: exit %d\n%s%s", code, stdout, stderr)
	}
	front := receiptRows(t, filepath.Join(receipts, "东阿县二季度-回执.xlsx"), "回执")
	rej := readTable(t, front, "工作表", "行号", "任务序号", "退回原因")
	if len(rej) != 1 || rej[0][1] != "整个文件" || rej[0][3] != "这是2021年第一季度的模板，本次收取的是2021年第二季度的报表，请使用本期下发的模板重新填报" {
		t.Errorf("receipt of a Q1 template: %q", rej)
	}
	// What the unit owes is the period being collected: every task, nothing was taken.
	miss := readTable(t, front, "填报单位", "报告期", "任务序号")
	if len(miss) != 30 || miss[0][1] != "2021年第二季度" {
		t.Errorf("missing: %d rows, %v", len(miss), miss)
	}

	// Refused whole, the file may be read again: under its own quarter it is taken, and
	// its receipt now says so.
	stdout, stderr, code = run(t, "ingest", "--db", db, "--period", "2021Q1", "--receipts", receipts, sent)
	if code != ExitOK || strings.Contains(stdout, "already ingested") || !strings.Contains(stdout, "1 accepted, 1 rejected") {
		t.Errorf("read again under 2021Q1: exit %d\n%s%s", code, stdout, stderr)
	}
	front = receiptRows(t, filepath.Join(receipts, "东阿县二季度-回执.xlsx"), "回执")
	if rej := readTable(t, front, "工作表", "行号", "任务序号", "退回原因"); len(rej) != 1 || rej[0][1] == "整个文件" {
		t.Errorf("receipt after the second read still refuses the file: %q", rej)
	}

	if _, stderr, code := run(t, "ingest", "--db", db, "--period", "2021Q7", sent); code != ExitUsage || !strings.Contains(stderr, `--period "2021Q7"`) {
		t.Errorf("bad --period: exit %d, %s", code, stderr)
	}
	if _, stderr, code := run(t, "template", "--unit", "市外星事务局"); code != ExitUsage || !strings.Contains(stderr, "no such unit") {
		t.Errorf("unknown --unit: exit %d, %s", code, stderr)
	}
}

// Receipts mirror the folders the inputs were found in; two inputs of the same name given
// as files do not overwrite each other's receipt.
func TestReceiptInputs(t *testing.T) {
	sum := &ingest.Summary{
		Files:      []ingest.FileSummary{{Path: "collected/2021Q2/东阿县.xlsx"}, {Path: "a/市司法局.csv"}, {Path: "b/市司法局.csv"}, {Path: "2021Q3/冠县.json"}},
		Duplicates: []ingest.Duplicate{{Path: "collected/莘县.xlsx"}},
	}
	got := map[string]string{}
	for _, in := range receiptInputs([]string{"collected/", "a/市司法局.csv", "b/市司法局.csv", "."}, sum, "r") {
		got[in.Path] = filepath.ToSlash(in.Out)
	}
	want := map[string]string{
		"collected/2021Q2/东阿县.xlsx": "r/2021Q2/东阿县-回执.xlsx",
		"collected/莘县.xlsx":         "r/莘县-回执.xlsx",
		"a/市司法局.csv":                "r/市司法局-回执.xlsx",
		"b/市司法局.csv":                "r/市司法局-回执-2.xlsx",
		"2021Q3/冠县.json":            "r/2021Q3/冠县-回执.xlsx",
	}
	for p, w := range want {
		if got[p] != w {
			t.Errorf("%s: receipt %s, want %s", p, got[p], w)
		}
	}
}
