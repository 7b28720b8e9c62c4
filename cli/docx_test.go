package cli

import (
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
	for _, f := range []string{"briefing.docx", "counties.docx"} {
		if r := read(f); !strings.Contains(r.Text(), reports.Pct(o.Rate)) {
			t.Errorf("%s lacks the completion rate %s", f, reports.Pct(o.Rate))
		}
	}
}
