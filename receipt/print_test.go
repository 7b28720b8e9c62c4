package receipt

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"plantrack/internal/testkit"
	"plantrack/store"
	"plantrack/transform"
)

// These tests print receipts the way a unit does: LibreOffice turns them into PDF, and
// poppler-utils (pdfinfo, pdftotext) reads the PDF back. They need the Debian packages
// libreoffice-calc, poppler-utils and fonts-noto-cjk, and fail without them: CI installs them.

// pdfPages checks that every page of a PDF is A4 landscape (842 × 595 points) and returns
// how many there are.
func pdfPages(t *testing.T, pdf string) int {
	t.Helper()
	sizes := testkit.PDFPages(t, pdf)
	for i, s := range sizes {
		if s[0] < 841 || s[0] > 843 || s[1] < 594 || s[1] > 596.5 {
			t.Errorf("%s page %d is %g x %g points, want A4 landscape 842 x 595", filepath.Base(pdf), i+1, s[0], s[1])
		}
	}
	return len(sizes)
}

// squeeze drops all white space: a cell's wrapped lines read as one text again.
func squeeze(s string) string {
	return strings.Join(strings.Fields(s), "")
}

// A receipt with long wrapped reasons and long task texts prints on A4 landscape, one page
// wide: the title and the last column on the first page, every wrapped text whole and
// inside its row; a small receipt prints one page a sheet. Its Category survives a save in
// LibreOffice.
func TestReceiptPrints(t *testing.T) {
	p := testkit.Builtin(t)
	dir := t.TempDir()
	in := filepath.Join(dir, "in")
	os.MkdirAll(in, 0o755)
	// A status word far too long: the reason quotes it, so it wraps over many lines.
	long := strings.Repeat("甲乙丙丁戊己庚辛壬癸", 9) + "完"
	files := map[string]string{
		"市司法局.csv": "填报单位,报告期,任务序号,完成状态,完成进度,工作进展,填报日期\n" +
			"市司法局,2021Q2,1," + long + ",50,按计划推进,2021-07-05\n" +
			"市司法局,2021Q2,2,推进中,120,已开展法治专题讲座两次，其余工作按计划推进中,2021-07-05\n" +
			"市司法局,2021Q2,3,推进中,60," + strings.Repeat("组织开展行政执法案卷评查，", 8) + ",2021-07-05\n" +
			"市司法局,2021Q2,4,已完成,100,完成,2021-07-05\n",
		// Two tasks, one reported.
		"市委编办.csv": "填报单位,报告期,任务序号,完成状态,完成进度,填报日期\n市委编办,2021Q2,8,推进中,60,2021-07-05\n",
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
	if err := Write(context.Background(), db.DB, ins, Options{}); err != nil {
		t.Fatal(err)
	}
	big, small := filepath.Join(dir, "r", "市司法局-回执.xlsx"), filepath.Join(dir, "r", "市委编办-回执.xlsx")

	// The long reason as the receipt holds it, and the page setup every sheet has.
	f, err := excelize.OpenFile(big)
	if err != nil {
		t.Fatal(err)
	}
	var reason string
	rows, _ := f.GetRows(frontSheet)
	for _, r := range rows {
		if len(r) > 3 && strings.Contains(r[3], long) {
			reason = r[3]
		}
	}
	if reason == "" || !strings.HasSuffix(reason, "已完成") {
		t.Fatalf("no long reason in the receipt:\n%q", rows)
	}
	titles := map[string]string{}
	for _, n := range f.GetDefinedName() {
		if n.Name == "_xlnm.Print_Titles" {
			titles[n.Scope] = n.RefersTo
		}
	}
	for sh, want := range map[string]string{frontSheet: "'回执'!$1:$1", acceptedSheet: "'已接收'!$1:$2"} {
		if titles[sh] != want {
			t.Errorf("print titles of %s: %q, want %q", sh, titles[sh], want)
		}
		pl, err := f.GetPageLayout(sh)
		if err != nil || pl.Orientation == nil || *pl.Orientation != "landscape" || pl.Size == nil || *pl.Size != 9 ||
			pl.FitToWidth == nil || *pl.FitToWidth != 1 || pl.FitToHeight == nil || *pl.FitToHeight != 0 {
			t.Errorf("page layout of %s: %+v %v", sh, pl, err)
		}
	}
	f.Close()

	pdfs := filepath.Join(dir, "pdf")
	testkit.Convert(t, "pdf", pdfs, big, small)

	// The small receipt: one page a sheet.
	smallPDF := filepath.Join(pdfs, "市委编办-回执.pdf")
	if n := pdfPages(t, smallPDF); n != 2 {
		t.Errorf("市委编办-回执 prints on %d pages, want 2 (回执 and 已接收, one page each)", n)
	}
	first := testkit.PDFText(t, smallPDF, 1)
	for _, want := range []string{"进度报送回执", "报送文件：市委编办.csv", "二、本期尚未报送的任务（共1项，请补报）", "所属部分", "第 1 页，共 2 页"} {
		if !strings.Contains(first, want) {
			t.Errorf("市委编办-回执 page 1 lacks %q:\n%s", want, first)
		}
	}
	if second := testkit.PDFText(t, smallPDF, 2); !strings.Contains(second, "已接收的行（共1行）") || !strings.Contains(second, "提示") {
		t.Errorf("市委编办-回执 page 2:\n%s", second)
	}

	// The big one: several pages, every one A4 landscape.
	bigPDF := filepath.Join(pdfs, "市司法局-回执.pdf")
	n := pdfPages(t, bigPDF)
	if n < 3 || n > 8 {
		t.Errorf("市司法局-回执 prints on %d pages, want 3 to 8", n)
	}
	first = testkit.PDFText(t, bigPDF, 1)
	for _, want := range []string{"聊城市2021年法治政府建设工作计划 进度报送回执", "报送文件：市司法局.csv", "退回原因", "该行原始内容",
		fmt.Sprintf("第 1 页，共 %d 页", n)} {
		if !strings.Contains(first, want) {
			t.Errorf("市司法局-回执 page 1 lacks %q:\n%s", want, first)
		}
	}
	// The title repeats at the top of every page of 回执, the header of 已接收 on its own.
	front, accepted := 0, 0
	for i := 1; i <= n; i++ {
		text := testkit.PDFText(t, bigPDF, i)
		top := strings.TrimSpace(text)
		switch {
		case strings.HasPrefix(top, "聊城市2021年法治政府建设工作计划 进度报送回执"):
			front++
		case strings.HasPrefix(top, "已接收的行（共2行）"):
			accepted++
			if !strings.Contains(text, "填报日期") || !strings.Contains(text, "提示") {
				t.Errorf("page %d of 已接收 lacks its header:\n%s", i, text)
			}
		default:
			t.Errorf("page %d starts neither with the title nor with the header of 已接收:\n%s", i, text)
		}
		if !strings.Contains(text, fmt.Sprintf("第 %d 页，共 %d 页", i, n)) || !strings.Contains(text, "回执：市司法局.csv") {
			t.Errorf("page %d lacks its footer:\n%s", i, text)
		}
	}
	if front < 2 || accepted != 1 {
		t.Errorf("回执 on %d pages, 已接收 on %d: want the missing tasks to need 2 pages or more, the accepted rows 1", front, accepted)
	}

	// The long reason is whole inside its cell: what stands in the column 退回原因 (between
	// the headers 任务序号 and 出错栏目) below the header and above the next rejected row is
	// all of it. Were the row too short, LibreOffice would cut it, or let it run over the
	// rows beside.
	ws := testkit.PDFWords(t, bigPDF, 1)
	var left, right, head, next testkit.Word
	for _, w := range ws {
		switch {
		case w.Text == "任务序号" && left.Text == "":
			left = w
		case w.Text == "出错栏目" && right.Text == "":
			right = w
		case w.Text == "退回原因" && head.Text == "":
			head = w
		case strings.HasPrefix(w.Text, "「完成进度") && next.Text == "":
			next = w
		}
	}
	if left.Text == "" || right.Text == "" || head.Text == "" || next.Text == "" {
		t.Fatalf("page 1 lacks the headers 任务序号, 退回原因, 出错栏目 or the second rejected row:\n%v", ws)
	}
	var cell strings.Builder
	for _, w := range ws {
		if w.X0 >= left.X1 && w.X1 <= right.X0 && w.Y0 >= head.Y1 && w.Y1 <= next.Y0 {
			cell.WriteString(w.Text)
		}
	}
	if cell.String() != squeeze(reason) {
		t.Errorf("the long reason on paper:\n%s\nwant\n%s", cell.String(), reason)
	}

	// Saved again by LibreOffice, the receipt is still known for one.
	resaved := filepath.Join(dir, "resaved")
	testkit.Convert(t, "xlsx", resaved, big)
	g, err := excelize.OpenFile(filepath.Join(resaved, "市司法局-回执.xlsx"))
	if err != nil {
		t.Fatal(err)
	}
	defer g.Close()
	props, err := g.GetDocProps()
	if err != nil || props.Category != Category || props.Creator != "plantrack" {
		t.Errorf("after a LibreOffice save: %+v %v; want Category %q, Creator plantrack", props, err, Category)
	}
}

// A file ingest did not read (.ods, .xls, .et …) gets a receipt all the same: it says in
// Chinese the file was not read and what to do, names the file and its checksum, and holds
// no rows.
func TestRefusedReceipt(t *testing.T) {
	dir := t.TempDir()
	db, err := store.Open(context.Background(), filepath.Join(dir, "t.duckdb"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := transform.Apply(context.Background(), db); err != nil {
		t.Fatal(err)
	}
	body := map[string]string{"东阿县.ods": "PK ods", "冠县.xls": "xls", "莘县.et": "et", "说明.docx": "docx"}
	var ins []Input
	for name, b := range body {
		path := filepath.Join(dir, "in", name)
		os.MkdirAll(filepath.Dir(path), 0o755)
		if err := os.WriteFile(path, []byte(b), 0o644); err != nil {
			t.Fatal(err)
		}
		in := Input{Path: path, Out: filepath.Join(dir, "r", Name(name)), Refused: "not a file plantrack reads"}
		if name == "东阿县.ods" {
			in.Refused = "an OpenDocument spreadsheet (.ods): plantrack reads .xlsx"
			in.RefusedZh = "OpenDocument 电子表格（.ods），plantrack 只读取 .xlsx"
		}
		ins = append(ins, in)
	}
	if err := Write(context.Background(), db.DB, ins, Options{}); err != nil {
		t.Fatal(err)
	}
	for name, want := range map[string][]string{
		"东阿县.ods": {"文件类型：OpenDocument 电子表格（.ods）",
			" | 整个文件 |  | OpenDocument 电子表格（.ods），plantrack 只读取 .xlsx。请在 Excel 或 WPS 中将文件另存为 .xlsx 格式后重新报送。"},
		"冠县.xls": {"文件类型：Excel 97-2003 工作簿（.xls）",
			" | 整个文件 |  | 无法读取此类文件：Excel 97-2003 工作簿（.xls）。请在 Excel 或 WPS 中将文件另存为 .xlsx 格式后重新报送。"},
		"莘县.et":   {"文件类型：WPS 表格（.et）", "请在 Excel 或 WPS 中将文件另存为 .xlsx 格式后重新报送。"},
		"说明.docx": {"文件类型：.docx 文件", "请使用下发的 .xlsx 填报模板（或 CSV、JSON 文件）填报后重新报送。"},
	} {
		sum := sha256.Sum256([]byte(body[name]))
		out := filepath.Join(dir, "r", Name(name))
		front := sheetText(t, out, frontSheet)
		want = append(want,
			"报送文件："+name+"（校验码 "+hex.EncodeToString(sum[:])[:12]+"）",
			"处理结果：未导入：此文件未被读取，其中的内容均未接收，原因见下表。",
			"一、退回的行（共1处，请修改后重新报送）",
			"二、本期尚未报送的任务：未能确定填报单位和报告期")
		for _, w := range want {
			if !hasLine(front, w) {
				t.Errorf("receipt of %s lacks %q:\n%s", name, w, strings.Join(front, "\n"))
			}
		}
		if acc := sheetText(t, out, acceptedSheet); len(acc) != 2 || !hasLine(acc, "已接收的行（共0行）") {
			t.Errorf("receipt of %s, accepted rows:\n%s", name, strings.Join(acc, "\n"))
		}
		f, err := excelize.OpenFile(out)
		if err != nil {
			t.Fatal(err)
		}
		if props, err := f.GetDocProps(); err != nil || props.Category != "plantrack-receipt" || props.Creator != "plantrack" {
			t.Errorf("receipt of %s: %+v %v", name, props, err)
		}
		f.Close()
	}
}
