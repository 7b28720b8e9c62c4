package reports

import (
	"bytes"
	"context"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"
)

// summary.xlsx printed the way its readers print it: LibreOffice turns it into PDF and
// poppler-utils (pdfinfo, pdftotext) reads the PDF back. The test needs the Debian packages
// libreoffice-calc, poppler-utils and fonts-noto-cjk, and fails without them: CI installs them.

// summaryOffice runs LibreOffice headless to convert files into dir as format (pdf, xlsx),
// with a profile of the test's own, so that tests running at once do not share one.
func summaryOffice(t *testing.T, format, dir string, files ...string) {
	t.Helper()
	bin, err := exec.LookPath("soffice")
	if err != nil {
		t.Fatalf("soffice (LibreOffice, Debian package libreoffice-calc) is needed to print: %v", err)
	}
	profile := (&url.URL{Scheme: "file", Path: filepath.Join(t.TempDir(), "profile")}).String()
	ctx, cancel := context.WithTimeout(context.Background(), 120*time.Second)
	defer cancel()
	args := append([]string{"-env:UserInstallation=" + profile, "--headless", "--convert-to", format, "--outdir", dir}, files...)
	out, err := exec.CommandContext(ctx, bin, args...).CombinedOutput()
	if err != nil {
		t.Fatalf("soffice %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	for _, f := range files {
		want := filepath.Join(dir, strings.TrimSuffix(filepath.Base(f), filepath.Ext(f))+"."+format)
		if _, err := os.Stat(want); err != nil {
			t.Fatalf("soffice wrote no %s:\n%s", want, out)
		}
	}
}

// summaryPoppler runs a poppler-utils tool and returns its output.
func summaryPoppler(t *testing.T, tool string, args ...string) string {
	t.Helper()
	if _, err := exec.LookPath(tool); err != nil {
		t.Fatalf("%s (Debian package poppler-utils) is needed to read the PDF: %v", tool, err)
	}
	out, err := exec.Command(tool, args...).Output()
	if err != nil {
		t.Fatalf("%s %s: %v", tool, strings.Join(args, " "), err)
	}
	return string(out)
}

var (
	summaryPageCount = regexp.MustCompile(`(?m)^Pages: +(\d+)$`)
	summaryPageSize  = regexp.MustCompile(`(?m)^Page +(\d+) size: +([\d.]+) x ([\d.]+) pts`)
	summaryWord      = regexp.MustCompile(`<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>`)
)

// summaryBox is a word of a PDF page and where it stands, in points from the top left.
type summaryBox struct {
	x0, y0, x1, y1 float64
	text           string
}

// summaryWords are a page's words (pdftotext -bbox).
func summaryWords(t *testing.T, pdf string, page int) []summaryBox {
	t.Helper()
	p := strconv.Itoa(page)
	var out []summaryBox
	for _, m := range summaryWord.FindAllStringSubmatch(summaryPoppler(t, "pdftotext", "-bbox", "-f", p, "-l", p, pdf, "-"), -1) {
		var b summaryBox
		for i, v := range []*float64{&b.x0, &b.y0, &b.x1, &b.y1} {
			*v, _ = strconv.ParseFloat(m[i+1], 64)
		}
		b.text = m[5]
		out = append(out, b)
	}
	return out
}

// find is the first word reading text.
func find(ws []summaryBox, text string) (summaryBox, bool) {
	for _, w := range ws {
		if w.text == text {
			return w, true
		}
	}
	return summaryBox{}, false
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
	summaryOffice(t, "pdf", pdfs, path)
	pdf := filepath.Join(pdfs, "summary.pdf")
	info := summaryPoppler(t, "pdfinfo", pdf)
	m := summaryPageCount.FindStringSubmatch(info)
	if m == nil {
		t.Fatalf("pdfinfo: no page count:\n%s", info)
	}
	n, _ := strconv.Atoi(m[1])
	sizes := summaryPageSize.FindAllStringSubmatch(summaryPoppler(t, "pdfinfo", "-f", "1", "-l", m[1], pdf), -1)
	if len(sizes) != n {
		t.Fatalf("pdfinfo: %d pages, %d sizes", n, len(sizes))
	}
	for _, s := range sizes {
		w, _ := strconv.ParseFloat(s[2], 64)
		h, _ := strconv.ParseFloat(s[3], 64)
		if w < 841 || w > 843 || h < 594 || h > 596.5 {
			t.Errorf("page %s is %s x %s points, want A4 landscape 842 x 595", s[1], s[2], s[3])
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
		p := strconv.Itoa(i)
		text := summaryPoppler(t, "pdftotext", "-layout", "-f", p, "-l", p, pdf, "-")
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
	ws := summaryWords(t, pdf, 3)
	head, ok1 := find(ws, "内容")
	right, ok2 := find(ws, "牵头单位")
	next, ok3 := find(ws, "年内至少开展2次检查。")
	if !ok1 || !ok2 || !ok3 {
		t.Fatalf("page 3 lacks the header 内容, 牵头单位 or the second task:\n%v", ws)
	}
	var cell strings.Builder
	for _, w := range ws { // pdftotext gives them line by line
		if w.x0 >= head.x0-1 && w.x1 <= right.x0 && w.y0 >= head.y1 && w.y1 <= next.y0 {
			cell.WriteString(w.text)
		}
	}
	if cell.String() != long {
		t.Errorf("the long task text on paper:\n%s\nwant\n%s", cell.String(), long)
	}

	// Saved again by LibreOffice, summary.xlsx is still known for plantrack's own.
	resaved := filepath.Join(dir, "resaved")
	summaryOffice(t, "xlsx", resaved, path)
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
