package review_test

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/xuri/excelize/v2"

	"plantrack/ingest"
	"plantrack/internal/testkit"
	"plantrack/plan"
	"plantrack/review"
	"plantrack/sample"
	"plantrack/store"
	"plantrack/transform"
)

var (
	sampleOnce sync.Once
	sampleFile string
)

// sampleDB is a copy of a database of the sample year (sample.Generate on the built-in
// plan, ingested and built), made once.
func sampleDB(t *testing.T) *store.DB {
	t.Helper()
	sampleOnce.Do(func() {
		dir, err := os.MkdirTemp("", "plantrack-review")
		if err != nil {
			t.Fatal(err)
		}
		p := testkit.Builtin(t)
		in := filepath.Join(dir, "submissions")
		if _, err := sample.Generate(in, p, sample.Options{Seed: sample.DefaultSeed}); err != nil {
			t.Fatal(err)
		}
		path := filepath.Join(dir, "sample.duckdb")
		db, err := store.Open(context.Background(), path)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := ingest.Ingest(context.Background(), db, plan.Only(p), []string{in}, ingest.Options{}); err != nil {
			t.Fatal(err)
		}
		if err := transform.Apply(context.Background(), db); err != nil {
			t.Fatal(err)
		}
		db.Close()
		sampleFile = path
	})
	if sampleFile == "" {
		t.Fatal("the sample database failed earlier")
	}
	b, err := os.ReadFile(sampleFile)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "t.duckdb")
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
	db, err := store.Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func rows(t *testing.T, db *store.DB, q string, args ...any) []string {
	t.Helper()
	rs, err := db.Query(q, args...)
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
			case nil:
				cells = append(cells, "NULL")
			case time.Time:
				cells = append(cells, x.Format(time.DateOnly))
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

// claim is a standing report at 2021Q2 that claims completion, in the workbook's order.
type claim struct {
	unit    string
	task    int
	section string
}

func claims(t *testing.T, db *store.DB, p string) []claim {
	t.Helper()
	var out []claim
	for _, r := range rows(t, db, `SELECT unit_id, task_no, section_no FROM assignment_status_at(?) WHERE has_report AND claimed
		ORDER BY sort_order, unit_id, task_no`, p) {
		var c claim
		parts := strings.Split(r, "|")
		fmt.Sscan(parts[1], &c.task)
		c.unit, c.section = parts[0], parts[2]
		out = append(out, c)
	}
	return out
}

// importFiles reads, checks and stores review workbooks as plantrack review import does.
func importFiles(t *testing.T, db *store.DB, paths ...string) (store.ReviewImport, []store.Rejection) {
	t.Helper()
	var wbs []*review.Workbook
	for _, p := range paths {
		wbs = append(wbs, review.Read(p))
	}
	rs, problems, err := review.Check(context.Background(), db.DB, wbs)
	if err != nil {
		t.Fatal(err)
	}
	res, err := db.ImportReviews(context.Background(), len(paths), int64(len(problems)), rs)
	if err != nil {
		t.Fatal(err)
	}
	return res, problems
}

// fill writes entries into a review workbook at in and saves it at out.
func fill(t *testing.T, in, out string, date time.Time, entries map[review.Key]review.Entry) {
	t.Helper()
	f, err := excelize.OpenFile(in)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := review.Fill(f, date, entries); err != nil {
		t.Fatal(err)
	}
	if err := f.SaveAs(out); err != nil {
		t.Fatal(err)
	}
}

func codes(ps []store.Rejection) []string {
	var out []string
	for _, p := range ps {
		out = append(out, fmt.Sprintf("%s:%d:%s", filepath.Base(p.File), p.Row, p.Code))
	}
	return out
}

// The review of the sample year's second quarter, end to end: the workbook lists every
// standing claim of completion; a reviewer approves most and returns some (filled with
// excelize, as Excel would save it); the import stores each decision against its report;
// the completion views lose exactly the returned ones; importing again adds nothing; a
// second round, re-saved by LibreOffice, imports and changes only what it changed; a
// newer report on a returned assignment makes the old decision not count, and importing
// the old workbook again rejects that row.
func TestReviewWalk(t *testing.T) {
	ctx := context.Background()
	db := sampleDB(t)
	dir := t.TempDir()
	const p = "2021Q2"
	cs := claims(t, db, p)
	if len(cs) < 30 {
		t.Fatalf("the sample year has %d claims at %s: too few to review", len(cs), p)
	}

	// The workbook: one row per claim, deterministic, nothing decided yet.
	blank := filepath.Join(dir, "审核表.xlsx")
	sum, err := review.Write(ctx, db.DB, blank, review.Spec{Period: p})
	if err != nil {
		t.Fatal(err)
	}
	if sum.Rows != len(cs) || sum.Approved != 0 || sum.Returned != 0 {
		t.Errorf("summary %+v, want %d rows, none decided", sum, len(cs))
	}
	again := filepath.Join(dir, "again.xlsx")
	review.Write(ctx, db.DB, again, review.Spec{Period: p})
	if a, b := must(os.ReadFile(blank)), must(os.ReadFile(again)); !bytes.Equal(a, b) {
		t.Error("the same database and period give different bytes")
	}
	wb := review.Read(blank)
	if len(wb.Problems) > 0 || len(wb.Rows) != 0 || wb.Undecided != len(cs) {
		t.Fatalf("blank workbook read back: %d problems %v, %d decided, %d undecided", len(wb.Problems), wb.Problems, len(wb.Rows), wb.Undecided)
	}
	planID := rows(t, db, "SELECT plan_id FROM plans WHERE year = 2021")[0]
	if m := wb.Meta; m.PlanID != planID || m.Period != p || m.Rows != len(cs) || m.Sheet != review.DataSheet {
		t.Errorf("meta %+v", m)
	}

	// The reviewer: every seventh claim returned with a comment, every eleventh left
	// undecided, the rest approved; in the words of the drop-down and the others read.
	entries := map[review.Key]review.Entry{}
	returned := map[string]int{} // by section
	var nReturned, nApproved int
	for i, c := range cs {
		k := review.Key{UnitID: c.unit, Task: c.task}
		switch {
		case i%7 == 3:
			word := "退回"
			if i%2 == 0 {
				word = "不同意"
			}
			entries[k] = review.Entry{Decision: word, Comment: fmt.Sprintf("佐证材料不足，请补充任务%d的会议纪要", c.task)}
			returned[c.section]++
			nReturned++
		case i%11 == 5:
		default:
			word := "通过"
			if i%5 == 0 {
				word = "同意"
			}
			entries[k] = review.Entry{Decision: word}
			nApproved++
		}
	}
	before := rows(t, db, `SELECT section_no, completed, claimed, approved, returned FROM completion_by_section_at(?)`, p)
	rateBefore := rows(t, db, `SELECT count(*) FILTER (WHERE completed) FROM assignment_status_at(?)`, p)[0]
	filled := filepath.Join(dir, "filled.xlsx")
	day := time.Date(2021, 7, 20, 0, 0, 0, 0, time.UTC)
	fill(t, blank, filled, day, entries)
	res, problems := importFiles(t, db, filled)
	if len(problems) > 0 || res.BatchID != 1 || res.Added != nApproved+nReturned || res.Unchanged != 0 {
		t.Fatalf("import: %+v %v; want batch 1, %d added", res, problems, nApproved+nReturned)
	}
	if got := rows(t, db, `SELECT count(*), count(*) FILTER (WHERE decision = 'approved'), count(*) FILTER (WHERE decision = 'returned'),
		count(DISTINCT reviewed_on), min(reviewed_on), count(*) FILTER (WHERE decision = 'returned' AND comment LIKE '佐证材料不足%') FROM reviews`); got[0] !=
		fmt.Sprintf("%d|%d|%d|1|2021-07-20|%d", nApproved+nReturned, nApproved, nReturned, nReturned) {
		t.Errorf("reviews: %v", got)
	}
	if got := rows(t, db, `SELECT batch_id, files, decisions, rejected FROM review_batches`); !slices.Equal(got, []string{fmt.Sprintf("1|1|%d|0", nApproved+nReturned)}) {
		t.Errorf("review_batches: %v", got)
	}
	// Each review names its report: the standing one of its assignment, row for row.
	if got := rows(t, db, `SELECT count(*) FROM reviews r JOIN assignment_status_at(?) st ON st.unit_id = r.unit_id AND st.task_no = r.task_no
		AND st.report_period = r.period AND st.batch_id = r.report_batch AND st.source_file = r.report_file
		AND st.source_sheet = r.report_sheet AND st.source_row = r.report_row`, p); got[0] != fmt.Sprint(nApproved+nReturned) {
		t.Errorf("reviews tied to the standing reports: %v of %d", got, nApproved+nReturned)
	}

	// The views: completed falls by exactly the returned, section by section; approved and
	// returned are counted; claims do not change.
	var want []string
	approvedBy := map[string]int{}
	for i, c := range cs {
		if e, ok := entries[review.Key{UnitID: c.unit, Task: c.task}]; ok && i%7 != 3 && e.Decision != "" {
			approvedBy[c.section]++
		}
	}
	for _, r := range before {
		f := strings.Split(r, "|")
		var completed, claimed int
		fmt.Sscan(f[1], &completed)
		fmt.Sscan(f[2], &claimed)
		want = append(want, fmt.Sprintf("%s|%d|%d|%d|%d", f[0], completed-returned[f[0]], claimed, approvedBy[f[0]], returned[f[0]]))
	}
	if diff := cmp.Diff(want, rows(t, db, `SELECT section_no, completed, claimed, approved, returned FROM completion_by_section_at(?)`, p)); diff != "" {
		t.Errorf("completion_by_section after review (-want +got):\n%s", diff)
	}
	var b0 int
	fmt.Sscan(rateBefore, &b0)
	if got := rows(t, db, `SELECT (SELECT count(*) FILTER (WHERE completed) FROM assignment_status_at(?)),
		(SELECT sum(approved) || '|' || sum(returned) FROM completion_by_unit_at(?))`, p, p); got[0] != fmt.Sprintf("%d|%d|%d", b0-nReturned, nApproved, nReturned) {
		t.Errorf("completed, approved, returned after review: %v; want %d|%d|%d", got, b0-nReturned, nApproved, nReturned)
	}
	// The rule: with require_review() true, only approved claims count.
	db.Exec(`CREATE OR REPLACE MACRO require_review() AS true`)
	if got := rows(t, db, `SELECT count(*) FILTER (WHERE completed) FROM assignment_status_at(?)`, p); got[0] != fmt.Sprint(nApproved+b0-len(cs)) {
		t.Errorf("require_review: %v completed, want %d (the approved, and completions that are no claim: none)", got, nApproved+b0-len(cs))
	}
	db.Exec(`CREATE OR REPLACE MACRO require_review() AS false`)

	// The same file again: nothing new.
	res, problems = importFiles(t, db, filled)
	if len(problems) > 0 || res.BatchID != 0 || res.Added != 0 || res.Unchanged != nApproved+nReturned {
		t.Errorf("the same file again: %+v %v", res, problems)
	}
	if got := rows(t, db, `SELECT (SELECT count(*) FROM reviews), (SELECT count(*) FROM review_batches)`); got[0] != fmt.Sprintf("%d|1", nApproved+nReturned) {
		t.Errorf("after importing again: %v", got)
	}

	// A second round: the new workbook shows the decisions; the reviewer returns one more
	// and decides the undecided; LibreOffice saves it.
	second := filepath.Join(dir, "second.xlsx")
	sum, err = review.Write(ctx, db.DB, second, review.Spec{Period: p})
	if err != nil {
		t.Fatal(err)
	}
	if sum.Approved != nApproved || sum.Returned != nReturned {
		t.Errorf("second workbook shows %d approved, %d returned; want %d, %d", sum.Approved, sum.Returned, nApproved, nReturned)
	}
	shown := review.Read(second)
	if len(shown.Rows) != nApproved+nReturned || shown.Undecided != len(cs)-nApproved-nReturned {
		t.Errorf("second workbook: %d decided shown, %d not", len(shown.Rows), shown.Undecided)
	}
	more := map[review.Key]review.Entry{}
	var flipped review.Key
	for i, c := range cs {
		k := review.Key{UnitID: c.unit, Task: c.task}
		switch {
		case i%7 == 3:
		case i%11 == 5:
			more[k] = review.Entry{Decision: "approve"}
		case flipped == review.Key{}:
			flipped = k
			more[k] = review.Entry{Decision: "return", Comment: "复核：未见验收报告"}
		}
	}
	edited := filepath.Join(dir, "edited.xlsx")
	fill(t, second, edited, time.Date(2021, 7, 25, 0, 0, 0, 0, time.UTC), more)
	saved := testkit.SOffice(t, edited, "xlsx", filepath.Join(dir, "libreoffice"))
	res, problems = importFiles(t, db, saved)
	if len(problems) > 0 || res.BatchID != 2 || res.Added != len(more) || res.Unchanged != nApproved+nReturned-1 {
		t.Errorf("the LibreOffice file: %+v %v; want batch 2, %d added, %d unchanged", res, problems, len(more), nApproved+nReturned-1)
	}
	if got := rows(t, db, `SELECT decision, comment, reviewed_on FROM review_latest WHERE unit_id = ? AND task_no = ?`, flipped.UnitID, flipped.Task); !slices.Equal(got, []string{"returned|复核：未见验收报告|2021-07-25"}) {
		t.Errorf("the decision changed in LibreOffice: %v", got)
	}
	nReturned++ // one approval became a return, the undecided are approved
	nApproved = len(cs) - nReturned
	if got := rows(t, db, `SELECT sum(approved), sum(returned) FROM completion_by_section_at(?)`, p); got[0] != fmt.Sprintf("%d|%d", nApproved, nReturned) {
		t.Errorf("after the second round: %v, want %d|%d", got, nApproved, nReturned)
	}

	// A newer report on a returned assignment: the old decision no longer counts, the
	// claim counts again (unreviewed), and the old workbook's row for it is rejected.
	var back claim
	for i, c := range cs {
		if i%7 == 3 {
			back = c
			break
		}
	}
	name := rows(t, db, `SELECT unit_name FROM units WHERE unit_id = ?`, back.unit)[0]
	late := filepath.Join(dir, "补报")
	os.MkdirAll(late, 0o755)
	os.WriteFile(filepath.Join(late, "补报.csv"), []byte(fmt.Sprintf("填报单位,报告期,任务序号,完成状态,完成进度,佐证材料,填报日期\n%s,%s,%d,已完成,100,会议纪要.pdf,2021-07-28\n", name, p, back.task)), 0o644)
	years := plan.Only(testkit.Builtin(t))
	if _, err := ingest.Ingest(ctx, db, years, []string{late}, ingest.Options{}); err != nil {
		t.Fatal(err)
	}
	if err := transform.Apply(ctx, db); err != nil {
		t.Fatal(err)
	}
	if got := rows(t, db, `SELECT claimed, completed, coalesce(review, '-') FROM assignment_status_at(?) WHERE unit_id = ? AND task_no = ?`, p, back.unit, back.task); !slices.Equal(got, []string{"true|true|-"}) {
		t.Errorf("the newer report: %v, want claimed, completed, unreviewed", got)
	}
	if got := rows(t, db, `SELECT sum(returned) FROM completion_by_section_at(?)`, p); got[0] != fmt.Sprint(nReturned-1) {
		t.Errorf("returned after the newer report: %v, want %d", got, nReturned-1)
	}
	// (Its approval of the claim returned in the second round was imported before: it
	// does not overturn the later decision.)
	res, problems = importFiles(t, db, filled)
	if res.Added != 0 || len(problems) != 1 || problems[0].Code != string(plan.ReasonNotStanding) ||
		!strings.Contains(problems[0].Reason, "补报.csv") || !strings.Contains(problems[0].ReasonZh, "重新报送") {
		t.Errorf("the old workbook again: %+v %v", res, problems)
	}
	// The newer report is in the next workbook, undecided.
	third := filepath.Join(dir, "third.xlsx")
	review.Write(ctx, db.DB, third, review.Spec{Period: p, Units: []string{back.unit}})
	if wb := review.Read(third); wb.Undecided != 1 || len(wb.Rows) != len(slices.DeleteFunc(slices.Clone(cs), func(c claim) bool { return c.unit != back.unit }))-1 {
		t.Errorf("%s's workbook: %d undecided, %d decided", back.unit, wb.Undecided, len(wb.Rows))
	}
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

// edit opens a workbook, changes it, and saves it at out: the hand of a clerk (or of a
// file from elsewhere) on a review workbook.
func edit(t *testing.T, in, out string, change func(f *excelize.File)) string {
	t.Helper()
	f, err := excelize.OpenFile(in)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	change(f)
	if err := f.SaveAs(out); err != nil {
		t.Fatal(err)
	}
	return out
}

// What a review import refuses, and why, row by row: each case is a workbook made from the
// blank one, imported alone into a fresh copy of the sample database.
func TestImportRejects(t *testing.T) {
	ctx := context.Background()
	db := sampleDB(t)
	dir := t.TempDir()
	const p = "2021Q2"
	blank := filepath.Join(dir, "blank.xlsx")
	if _, err := review.Write(ctx, db.DB, blank, review.Spec{Period: p}); err != nil {
		t.Fatal(err)
	}
	cs := claims(t, db, p)
	first, second := review.Key{UnitID: cs[0].unit, Task: cs[0].task}, review.Key{UnitID: cs[1].unit, Task: cs[1].task}
	at := func(row int) func(col int) string {
		return func(col int) string { c, _ := excelize.CoordinatesToCellName(col, row); return c }
	}
	row1 := at(review.HeaderRow + 1)
	filled := func(name string, es map[review.Key]review.Entry) string {
		out := filepath.Join(dir, name)
		fill(t, blank, out, time.Date(2021, 7, 20, 0, 0, 0, 0, time.UTC), es)
		return out
	}
	template := filepath.Join(dir, "模板.xlsx")
	f := excelize.NewFile()
	f.NewSheet("plantrack")
	f.SetCellStr("plantrack", "A1", "plantrack_template")
	f.SetCellStr("plantrack", "B1", "1")
	f.SaveAs(template)
	f.Close()
	os.WriteFile(filepath.Join(dir, "notes.xlsx"), []byte("填报单位,报告期\n"), 0o644)

	tests := []struct {
		name   string
		files  func() []string
		added  int
		want   []string // file:row:code
		text   string   // a word of the first rejection's Chinese sentence
		stored []string // decision|comment of the reviews stored, in row order
	}{
		{"decision words of every kind", func() []string {
			return []string{filled("words.xlsx", map[review.Key]review.Entry{first: {Decision: " 同 意 "}, second: {Decision: "RETURNED", Comment: "缺佐证"}})}
		}, 2, nil, "", []string{"approved|", "returned|缺佐证"}},
		{"an unknown word", func() []string {
			return []string{filled("word.xlsx", map[review.Key]review.Entry{first: {Decision: "也许"}, second: {Decision: "通过"}})}
		}, 1, []string{"word.xlsx:4:bad_decision"}, "不是规定用语", nil},
		{"a comment without a decision", func() []string {
			return []string{filled("comment.xlsx", map[review.Key]review.Entry{first: {Comment: "请补充材料"}})}
		}, 0, []string{"comment.xlsx:4:bad_decision"}, "未填写", nil},
		{"a workbook of another plan", func() []string {
			return []string{edit(t, filled("plan.xlsx", map[review.Key]review.Entry{first: {Decision: "通过"}}), filepath.Join(dir, "other-plan.xlsx"), func(f *excelize.File) {
				f.SetCellStr(review.MetaSheet, "B2", strings.Repeat("ab", 32))
			})}
		}, 0, []string{"other-plan.xlsx:0:wrong_plan"}, "另一份工作计划", nil},
		{"a report the database does not hold", func() []string {
			return []string{edit(t, filled("unknown.xlsx", map[review.Key]review.Entry{first: {Decision: "通过"}, second: {Decision: "通过"}}), filepath.Join(dir, "unknown2.xlsx"), func(f *excelize.File) {
				f.SetCellStr(review.DataSheet, row1(review.ColReportRow), "9999")
			})}
		}, 1, []string{"unknown2.xlsx:4:unknown_report"}, "不存在", nil},
		{"a damaged key", func() []string {
			return []string{edit(t, filled("damaged.xlsx", map[review.Key]review.Entry{first: {Decision: "通过"}}), filepath.Join(dir, "damaged2.xlsx"), func(f *excelize.File) {
				f.SetCellStr(review.DataSheet, row1(review.ColReportBatch), "第一批")
			})}
		}, 0, []string{"damaged2.xlsx:4:unknown_report"}, "已损坏", nil},
		{"two workbooks deciding one report otherwise", func() []string {
			return []string{filled("a.xlsx", map[review.Key]review.Entry{first: {Decision: "通过"}, second: {Decision: "通过"}}),
				filled("b.xlsx", map[review.Key]review.Entry{first: {Decision: "退回", Comment: "不符"}, second: {Decision: "通过"}})}
		}, 1, []string{"a.xlsx:4:conflicting_review", "b.xlsx:4:conflicting_review"}, "不同的审核结果", nil},
		{"a date that is none", func() []string {
			return []string{edit(t, filled("date.xlsx", map[review.Key]review.Entry{first: {Decision: "通过"}}), filepath.Join(dir, "date2.xlsx"), func(f *excelize.File) {
				f.SetCellStr(review.DataSheet, review.DateCell, "七月底")
			})}
		}, 1, []string{"date2.xlsx:2:bad_date"}, "不是日期", nil},
		{"a template, and a text file named .xlsx", func() []string {
			return []string{template, filepath.Join(dir, "notes.xlsx")}
		}, 0, []string{"模板.xlsx:0:bad_file", "notes.xlsx:0:bad_file"}, "不是 plantrack 生成的审核表", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			db := sampleDB(t)
			res, problems := importFiles(t, db, tt.files()...)
			if res.Added != tt.added {
				t.Errorf("added %d, want %d", res.Added, tt.added)
			}
			if diff := cmp.Diff(tt.want, codes(problems)); diff != "" {
				t.Errorf("rejected (-want +got):\n%s", diff)
			}
			if tt.text != "" && (len(problems) == 0 || !strings.Contains(problems[0].ReasonZh, tt.text)) {
				t.Errorf("first rejection %v, want one saying %q", problems, tt.text)
			}
			if got := rows(t, db, "SELECT count(*) FROM reviews"); got[0] != fmt.Sprint(tt.added) {
				t.Errorf("reviews stored: %v", got)
			}
			if tt.stored != nil {
				if diff := cmp.Diff(tt.stored, rows(t, db, "SELECT decision, comment FROM reviews ORDER BY source_row")); diff != "" {
					t.Errorf("stored (-want +got):\n%s", diff)
				}
			}
		})
	}
}

// A rejection prints like a compiler message: file, sheet, row, column and value, then
// the reason.
func TestRejectionLine(t *testing.T) {
	r := store.Rejection{File: "审核表.xlsx", Sheet: review.DataSheet, Row: 7, Column: "审核结果", Value: "也许", Reason: "not a decision: write 通过 or 退回"}
	if got, want := r.String(), `审核表.xlsx:审核表:7: 审核结果 "也许": not a decision: write 通过 or 退回`; got != want {
		t.Errorf("got %s, want %s", got, want)
	}
}

// The workbook as a reviewer gets it: only 审核结果 and 审核意见 (and the 审核日期) open, a
// drop-down of 通过 / 退回, the report's key in hidden columns, the plan and period in a
// very hidden sheet, A4 landscape one page wide, rows tall enough for their text, the
// category that makes ingest pass it over; --unit and --section narrow it.
func TestWorkbookLayout(t *testing.T) {
	ctx := context.Background()
	db := sampleDB(t)
	dir := t.TempDir()
	const p = "2021Q2"
	path := filepath.Join(dir, "审核表.xlsx")
	sum, err := review.Write(ctx, db.DB, path, review.Spec{Period: p})
	if err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenFile(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sh := review.DataSheet
	if got := f.GetSheetList(); !slices.Equal(got, []string{sh, review.MetaSheet}) {
		t.Errorf("sheets %v", got)
	}
	if v, _ := f.GetSheetVisible(review.MetaSheet); v {
		t.Error("the meta sheet is visible")
	}
	if dp, _ := f.GetDocProps(); dp.Category != review.Category || !strings.HasPrefix(dp.Category, "plantrack-") {
		t.Errorf("category %q", dp.Category)
	}
	header, _ := f.GetRows(sh)
	if got := header[review.HeaderRow-1]; !slices.Equal(got, review.Headers[:]) {
		t.Errorf("header %v", got)
	}
	last := review.HeaderRow + sum.Rows
	cellName := func(col, row int) string { c, _ := excelize.CoordinatesToCellName(col, row); return c }
	for col := 1; col <= len(review.Headers); col++ {
		name, _ := excelize.ColumnNumberToName(col)
		visible, _ := f.GetColVisible(sh, name)
		if want := col < review.ColUnitID; visible != want {
			t.Errorf("column %s %s visible %v", name, review.Headers[col-1], visible)
		}
		id, _ := f.GetCellStyle(sh, cellName(col, last))
		st, _ := f.GetStyle(id)
		open := st.Protection != nil && !st.Protection.Locked
		if want := col == review.ColDecision || col == review.ColComment; open != want {
			t.Errorf("column %s %s unlocked %v", name, review.Headers[col-1], open)
		}
	}
	if id, _ := f.GetCellStyle(sh, review.DateCell); func() bool { st, _ := f.GetStyle(id); return st.Protection == nil || st.Protection.Locked }() {
		t.Error("the 审核日期 cell is locked")
	}
	dvs, _ := f.GetDataValidations(sh)
	found := false
	for _, dv := range dvs {
		if dv.Sqref == fmt.Sprintf("N%d:N%d", review.HeaderRow+1, last) && dv.Type == "list" && strings.Contains(dv.Formula1, "通过,退回") {
			found = true
		}
	}
	if !found {
		t.Errorf("no 通过/退回 drop-down on N%d:N%d: %+v", review.HeaderRow+1, last, dvs)
	}
	pl, _ := f.GetPageLayout(sh)
	if *pl.Orientation != "landscape" || *pl.Size != 9 || *pl.FitToWidth != 1 {
		t.Errorf("page layout %s %d %d", *pl.Orientation, *pl.Size, *pl.FitToWidth)
	}
	// The row of the longest 工作进展 or task text is taller than a row of one line.
	tallest := 0.0
	for row := review.HeaderRow + 1; row <= last; row++ {
		h, _ := f.GetRowHeight(sh, row)
		tallest = max(tallest, h)
	}
	if tallest < 60 {
		t.Errorf("the tallest row is %.1f points: wrapped text is cut", tallest)
	}

	// Narrowed: one unit, one section.
	cs := claims(t, db, p)
	unit := cs[0].unit
	for _, c := range []struct {
		spec review.Spec
		keep func(claim) bool
	}{
		{review.Spec{Period: p, Units: []string{unit}, Scope: "某单位"}, func(c claim) bool { return c.unit == unit }},
		{review.Spec{Period: p, Sections: []int{3}, Scope: "三、某部分"}, func(c claim) bool { return c.section == "3" }},
	} {
		out := filepath.Join(dir, "narrow.xlsx")
		sum, err := review.Write(ctx, db.DB, out, c.spec)
		if err != nil {
			t.Fatal(err)
		}
		want := len(slices.DeleteFunc(slices.Clone(cs), func(x claim) bool { return !c.keep(x) }))
		if sum.Rows != want || want == 0 {
			t.Errorf("%+v: %d rows, want %d", c.spec, sum.Rows, want)
		}
		f, _ := excelize.OpenFile(out)
		line, _ := f.GetCellValue(review.DataSheet, "A2")
		f.Close()
		if !strings.Contains(line, "审核范围："+c.spec.Scope) {
			t.Errorf("scope line %q", line)
		}
	}

	// Ingest passes it over, in a folder being collected.
	in := filepath.Join(dir, "collected")
	os.MkdirAll(in, 0o755)
	os.WriteFile(filepath.Join(in, "审核表.xlsx"), must(os.ReadFile(path)), 0o644)
	s, err := ingest.Ingest(ctx, db, plan.Only(testkit.Builtin(t)), []string{in}, ingest.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Skipped) != 1 || !strings.Contains(s.Skipped[0].Reason, "review") || s.RowsRead != 0 {
		t.Errorf("ingest of a review workbook: %+v", s)
	}
}
