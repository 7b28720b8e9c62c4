package reports

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"plantrack/internal/testkit"

	"github.com/xuri/excelize/v2"
)

// summary.xlsx printed the way its readers print it: LibreOffice turns it into PDF and
// poppler-utils (pdfinfo, pdftotext) reads the PDF back. The test needs the Debian packages
// libreoffice-calc, poppler-utils and fonts-noto-cjk, and fails without them: CI installs them.

// find is the first word reading text.
func find(ws []testkit.Word, text string) (testkit.Word, bool) {
	for _, w := range ws {
		if w.Text == text {
			return w, true
		}
	}
	return testkit.Word{}, false
}

// summary.xlsx prints every sheet on A4 landscape, one page wide, its header at the top of
// every page; a long task text is whole and inside its row; its Category survives a save
// in LibreOffice.
func TestSummaryPrints(t *testing.T) {
	db := fixtureDB(t)
	d, err := Load(context.Background(), db.DB, "", "")
	if err != nil {
		t.Fatal(err)
	}
	// A task text of a real plan's length, and units enough for the sheet 单位 to need a
	// second page.
	long := "加强对习近平法治思想的学习宣传和贯彻落实。" + strings.Repeat("甲乙丙丁戊己庚辛壬癸", 12) + "结束。"
	d.Tasks[0].Text = long
	units := d.Units
	for i := range 36 {
		u := units[i%len(units)]
		u.Name = fmt.Sprintf("%s%02d", u.Name, i)
		d.Units = append(d.Units, u)
	}
	dir := t.TempDir()
	path := filepath.Join(dir, "summary.xlsx")
	if err := writeSummary(path, d); err != nil {
		t.Fatal(err)
	}
	again := filepath.Join(dir, "again.xlsx")
	if err := writeSummary(again, d); err != nil {
		t.Fatal(err)
	}
	if a, b := readAll(t, path), readAll(t, again); !bytes.Equal(a, b) {
		t.Error("summary.xlsx differs the second time")
	}

	f, err := excelize.OpenFile(path)
	if err != nil {
		t.Fatal(err)
	}
	sheets := f.GetSheetList()
	titles := map[string]string{}
	for _, n := range f.GetDefinedName() {
		if n.Name == "_xlnm.Print_Titles" {
			titles[n.Scope] = n.RefersTo
		}
	}
	for _, sh := range sheets {
		if want := "'" + sh + "'!$1:$1"; titles[sh] != want {
			t.Errorf("print titles of %s: %q, want %q", sh, titles[sh], want)
		}
		pl, err := f.GetPageLayout(sh)
		if err != nil || pl.Orientation == nil || *pl.Orientation != "landscape" || pl.Size == nil || *pl.Size != 9 ||
			pl.FitToWidth == nil || *pl.FitToWidth != 1 || pl.FitToHeight == nil || *pl.FitToHeight != 0 {
			t.Errorf("page layout of %s: %+v %v", sh, pl, err)
		}
	}
	if h, err := f.GetRowHeight("任务", 2); err != nil || h < 4*11*1.4 {
		t.Errorf("the long task's row is %v points tall (%v), want 4 lines or more", h, err)
	}
	f.Close()

	pdfs := filepath.Join(dir, "pdf")
	testkit.Convert(t, "pdf", pdfs, path)
	pdf := filepath.Join(pdfs, "summary.pdf")
	sizes := testkit.PDFPages(t, pdf)
	n := len(sizes)
	for i, s := range sizes {
		if s[0] < 841 || s[0] > 843 || s[1] < 594 || s[1] > 596.5 {
			t.Errorf("page %d is %g x %g points, want A4 landscape 842 x 595", i+1, s[0], s[1])
		}
	}

	// Each sheet on its pages (the footer names the sheet), each page opening with the
	// sheet's header, the last column's included.
	heads := map[string][]string{
		"总体": {"指标", "说明"}, "分部分": {"部分", "状态"}, "任务": {"内容", "未完成单位"}, "单位": {"单位", "按时报送率", "状态"},
		"县市区排名": {"名次", "按时报送率"}, "退回原因": {"原因", "条数"},
	}
	pages := map[string]int{}
	for i := 1; i <= n; i++ {
		text := testkit.PDFText(t, pdf, i)
		sheet := ""
		for _, sh := range sheets {
			if strings.Contains(strings.Join(strings.Fields(text), ""), "测试市2021年工作计划汇总表"+sh+"第") {
				sheet = sh
			}
		}
		if sheet == "" {
			t.Errorf("page %d names no sheet in its footer:\n%s", i, text)
			continue
		}
		pages[sheet]++
		first := strings.Fields(strings.SplitN(strings.TrimSpace(text), "\n", 2)[0])
		for _, h := range heads[sheet] {
			if !strings.Contains(strings.Join(first, " "), h) {
				t.Errorf("page %d (%s) does not open with the header %s: %q", i, sheet, h, first)
			}
		}
		if !strings.Contains(text, fmt.Sprintf("第 %d 页，共 %d 页", i, n)) {
			t.Errorf("page %d lacks 第 %d 页，共 %d 页:\n%s", i, i, n, text)
		}
	}
	want := map[string]int{"总体": 1, "分部分": 1, "任务": 1, "单位": 2, "县市区排名": 1, "退回原因": 1}
	for sh, w := range want {
		if pages[sh] != w {
			t.Errorf("sheet %s prints on %d pages, want %d (all: %v)", sh, pages[sh], w, pages)
		}
	}
	if n != 7 {
		t.Errorf("summary.xlsx prints on %d pages, want 7", n)
	}

	// The long task text (on page 3, the sheet 任务) is whole inside its cell: what stands
	// in the column 内容 between the header and the next task's text is all of it. Were
	// the row too short, LibreOffice would cut it, or let it run over the next row.
	ws := testkit.PDFWords(t, pdf, 3)
	head, ok1 := find(ws, "内容")
	right, ok2 := find(ws, "牵头单位")
	next, ok3 := find(ws, "年内至少开展2次检查。")
	if !ok1 || !ok2 || !ok3 {
		t.Fatalf("page 3 lacks the header 内容, 牵头单位 or the second task:\n%v", ws)
	}
	var cell strings.Builder
	for _, w := range ws { // pdftotext gives them line by line
		if w.X0 >= head.X0-1 && w.X1 <= right.X0 && w.Y0 >= head.Y1 && w.Y1 <= next.Y0 {
			cell.WriteString(w.Text)
		}
	}
	if cell.String() != long {
		t.Errorf("the long task text on paper:\n%s\nwant\n%s", cell.String(), long)
	}

	// Saved again by LibreOffice, summary.xlsx is still known for plantrack's own.
	resaved := filepath.Join(dir, "resaved")
	testkit.Convert(t, "xlsx", resaved, path)
	g, err := excelize.OpenFile(filepath.Join(resaved, "summary.xlsx"))
	if err != nil {
		t.Fatal(err)
	}
	defer g.Close()
	props, err := g.GetDocProps()
	if err != nil || props.Category != SummaryCategory || props.Creator != "plantrack" {
		t.Errorf("after a LibreOffice save: %+v %v; want Category %q, Creator plantrack", props, err, SummaryCategory)
	}
}

func readAll(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
