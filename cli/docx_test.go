package cli

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"plantrack/docx"
	"plantrack/reports"
	"plantrack/store"
	"plantrack/word"
)

// report --docx writes the three Word documents beside the pages, from the same data: the
// white paper's five parts and its figures are the views'.
func TestReportDocx(t *testing.T) {
	db := filepath.Join(demoOut(t), "plantrack.duckdb")
	// The demo writes them too.
	for _, f := range word.Files {
		if _, err := os.Stat(filepath.Join(demoOut(t), f)); err != nil {
			t.Errorf("demo: %v", err)
		}
	}
	out := t.TempDir()
	stdout, stderr, code := run(t, "report", "--db", db, "--out", out, "--period", "2021Q4", "--docx")
	if code != ExitOK {
		t.Fatalf("report --docx: %s", stderr)
	}
	if !strings.Contains(stdout, "3 Word documents") {
		t.Errorf("stdout: %s", stdout)
	}
	s, err := store.OpenReadOnly(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	d, err := reports.Load(context.Background(), s.DB, "2021Q4", "")
	s.Close()
	if err != nil {
		t.Fatal(err)
	}
	read := func(name string) *docx.Read {
		b, err := os.ReadFile(filepath.Join(out, name))
		if err != nil {
			t.Fatal(err)
		}
		r, err := docx.Open(b)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		return r
	}
	wp := read("whitepaper.docx")
	if got := wp.Styled(docx.Heading1); !slices.Equal(got, word.Parts) {
		t.Errorf("white paper headings %q", got)
	}
	o := d.Overall
	want := []string{fmt.Sprintf("共分解为 %d 项单位分工，已完成 %d 项，完成率 %s", o.Assigned, o.Completed, reports.Pct(o.Rate))}
	for _, sec := range d.Sections {
		want = append(want, fmt.Sprintf("（%s）%s\n本部分 %d 项任务、%d 项单位分工，已完成 %d 项，完成率 %s", sec.Numeral, sec.Title, len(sec.Tasks), sec.Assigned, sec.Completed, reports.Pct(sec.Rate)))
	}
	for _, r := range d.Ranking {
		want = append(want, fmt.Sprintf("%d\n%s\n", r.Rank, r.Name))
	}
	for _, w := range want {
		if !strings.Contains(wp.Text(), w) {
			t.Errorf("whitepaper.docx lacks %q", w)
		}
	}
	if word.FirstResponsibleSection(d) == nil || !strings.Contains(wp.Text(), "第一责任人职责”") {
		t.Error("part 三 does not draw on the plan's section on 第一责任人职责")
	}
	// Tasks with a numeric target are counted against it.
	targets := 0
	for _, task := range d.Tasks {
		if g := task.Target; g != nil {
			targets++
			w := fmt.Sprintf("任务%d要求至少 %v %s%s，%d 项单位分工中 %d 项报送的完成数量已达到", task.No, g.Min, g.Unit, g.What, task.Assigned, g.Reached)
			if !strings.Contains(wp.Text(), w) {
				t.Errorf("whitepaper.docx lacks %q", w)
			}
		}
	}
	if targets == 0 {
		t.Error("the sample year has no task with a numeric target to count")
	}
	for _, f := range []string{"briefing.docx", "counties.docx"} {
		if r := read(f); !strings.Contains(r.Text(), reports.Pct(o.Rate)) {
			t.Errorf("%s lacks the completion rate %s", f, reports.Pct(o.Rate))
		}
	}
	// The pages' charts as pictures: the white paper's sections, trend and ranking; the
	// 通报's ranking, heat map and Liaocheng's map.
	for f, n := range map[string]int{"whitepaper.docx": 3, "briefing.docx": 0, "counties.docx": 3} {
		if r := read(f); r.Images != n {
			t.Errorf("%s: %d pictures, want %d", f, r.Images, n)
		}
	}
	// The same database and period give the same bytes, pictures included.
	again := t.TempDir()
	if _, stderr, code := run(t, "report", "--db", db, "--out", again, "--period", "2021Q4", "--docx"); code != ExitOK {
		t.Fatalf("report --docx again: %s", stderr)
	}
	for _, f := range word.Files {
		a, _ := os.ReadFile(filepath.Join(out, f))
		b, _ := os.ReadFile(filepath.Join(again, f))
		if !bytes.Equal(a, b) {
			t.Errorf("%s differs between two runs", f)
		}
	}
}
