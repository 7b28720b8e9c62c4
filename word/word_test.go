package word

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"plantrack/docx"
	"plantrack/internal/testkit"
	"plantrack/reports"
)

// fixture is a small year: two sections (the second on 第一责任人职责), three tasks, two
// counties and a zone ranked, a department, late and rejected reports, a review round.
func fixture() *reports.Data {
	t1 := reports.Task{No: 1, Section: 1, Text: "加强对习近平法治思想的学习宣传。", RAG: "green", Lead: []string{"市司法局"}, Assigned: 4, Completed: 4, Rate: 1, AvgProgress: 100, Review: reports.Review{Claimed: 4, Approved: 4}}
	t2 := reports.Task{No: 2, Section: 1, Text: "年内至少开展2次专项检查。", RAG: "red", Overdue: true, Lead: []string{"市司法局"}, Lagging: []string{"乙县", "丙区"}, LaggingCount: 2, Assigned: 3, Completed: 1, Rate: 1.0 / 3, AvgProgress: 41.25, Review: reports.Review{Claimed: 2, Approved: 1, Returned: 1},
		Target: &reports.Target{What: "专项检查", Min: 2, Unit: "次", Reached: 2, Achieved: 5}}
	t3 := reports.Task{No: 3, Section: 2, Text: "巩固党政主要负责人年终述法成果。", RAG: "amber", Lead: []string{"市政府办公室"}, Lagging: []string{"丙区"}, LaggingCount: 1, Assigned: 3, Completed: 2, Rate: 2.0 / 3, AvgProgress: 70, Review: reports.Review{Claimed: 2, Approved: 2}}
	return &reports.Data{
		Title: "测试市2021年法治政府建设工作计划", Period: "2021Q4", BuildDate: "2022-01-10", Year: 2021,
		Overall: reports.Overall{Assigned: 10, Completed: 7, Expected: 12, Reported: 9, OnTime: 10, Rate: 0.7, AvgProgress: 72.5, Coverage: 0.9, OnTimeRate: 10.0 / 12,
			Review: reports.Review{Claimed: 8, Approved: 7, Returned: 1}},
		Sections: []reports.Section{
			{No: 1, Numeral: "一", Title: "深入学习宣传贯彻习近平法治思想", RAG: "amber", Assigned: 7, Completed: 5, Rate: 5.0 / 7, AvgProgress: 74.6, Tasks: []reports.Task{t1, t2}, Review: reports.Review{Claimed: 6, Approved: 5, Returned: 1}},
			{No: 2, Numeral: "二", Title: "压实法治建设第一责任人职责", RAG: "amber", Assigned: 3, Completed: 2, Rate: 2.0 / 3, AvgProgress: 70, Tasks: []reports.Task{t3}, Review: reports.Review{Claimed: 2, Approved: 2}},
		},
		Tasks: []reports.Task{t1, t2, t3},
		Units: []reports.Unit{
			{ID: "a", Name: "甲县", Kind: "county", RAG: "green", Assigned: 3, Completed: 3, Rate: 1, AvgProgress: 100},
			{ID: "b", Name: "乙县", Kind: "county", RAG: "amber", Assigned: 3, Completed: 2, Rate: 2.0 / 3, AvgProgress: 80},
			{ID: "c", Name: "丙区", Kind: "zone", RAG: "red", Assigned: 3, Completed: 1, Rate: 1.0 / 3, AvgProgress: 40},
			{ID: "j", Name: "市司法局", Kind: "department", RAG: "green", Assigned: 1, Completed: 1, Rate: 1, AvgProgress: 100},
		},
		Ranking: []reports.Rank{
			{Rank: 1, ID: "a", Name: "甲县", Kind: "county", Rate: 1, AvgProgress: 100, OnTimeRate: 1},
			{Rank: 2, ID: "b", Name: "乙县", Kind: "county", Rate: 2.0 / 3, AvgProgress: 80, OnTimeRate: 0.75},
			{Rank: 3, ID: "c", Name: "丙区", Kind: "zone", Rate: 1.0 / 3, AvgProgress: 40, OnTimeRate: 0.5},
		},
		Grid: []reports.Cell{
			{UnitID: "a", Unit: "甲县", Section: 1, Rate: 1}, {UnitID: "a", Unit: "甲县", Section: 2, Rate: 1},
			{UnitID: "b", Unit: "乙县", Section: 1, Rate: 0.5}, {UnitID: "b", Unit: "乙县", Section: 2, Rate: 1},
			{UnitID: "c", Unit: "丙区", Section: 1, Rate: 0.5}, {UnitID: "c", Unit: "丙区", Section: 2, Rate: 0},
		},
		Rejected:  []reports.Count{{Label: "bad_progress", N: 2}},
		Late:      []reports.Late{{Unit: "丙区", Late: 2, Reported: 3}},
		LateUnits: 1,
		Sources:   reports.Sources{Submissions: 37, Rejected: 2, Batches: "1, 2"},
		UnitTasks: map[string][]reports.UnitTask{
			"b": {{Task: 2, Text: t2.Text, Review: "returned", ReviewComment: "佐证材料不足"}},
			"c": {{Task: 2, Text: t2.Text}, {Task: 3, Text: t3.Text}, {Task: 1, Text: t1.Text, Completed: true}},
		},
		ComparedKinds: []string{"county", "zone"},
		PriorPeriod:   "2020Q4",
		YoY:           map[string]reports.YoY{}, // filled below
		Reviewed:      true,
	}
}

func open(t *testing.T, doc *docx.Document) *docx.Read {
	t.Helper()
	b, err := doc.Bytes()
	if err != nil {
		t.Fatal(err)
	}
	r, err := docx.Open(b)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func TestWhitepaperParts(t *testing.T) {
	d := fixture()
	doc, err := Whitepaper(d, Options{})
	if err != nil {
		t.Fatal(err)
	}
	r := open(t, doc)
	if got := r.Styled(docx.Heading1); !slices.Equal(got, Parts) {
		t.Errorf("headings:\n%q\nwant the five parts\n%q", got, Parts)
	}
	// Parts 一 and 二: a subheading for each section, then the counties; the shortcomings.
	h2 := r.Styled(docx.Heading2)
	for _, want := range []string{"（一）深入学习宣传贯彻习近平法治思想", "（二）压实法治建设第一责任人职责", "（三）县市区、开发区推进情况", "（一）部分任务推进滞后", "（四）审核退回", "（五）原因分析"} {
		if !slices.Contains(h2, want) {
			t.Errorf("no subheading %s in %q", want, h2)
		}
	}
	text := r.Text()
	for _, want := range []string{
		// The figures are Data's, written as the pages write them.
		"计划 3 项任务共分解为 10 项单位分工，已完成 7 项，完成率 70.0%",
		"平均进度 72.5%；报送覆盖率 90.0%，按时报送率 83.3%",
		"单位自报完成 8 项，经审核确认 7 项、退回 1 项",
		"本部分 2 项任务、7 项单位分工，已完成 5 项，完成率 71.4%",
		"已全部完成 1 项：任务1",
		"任务2要求至少 2 次专项检查，3 项单位分工中 2 项报送的完成数量已达到，合计 5 次。",
		"完成率居前的是甲县（100.0%）",
		"丙区\n2\n3\n", // late table
		"乙县\n2. 年内至少开展2次专项检查。\n佐证材料不足\n",
		"不合格报送 2 条，其中完成进度有误 2 条",
		// Part 三 from the plan's section on 第一责任人职责.
		"计划第二部分“压实法治建设第一责任人职责”1 项任务、3 项单位分工，已完成 2 项，完成率 66.7%",
		// Part 四 carries forward what is not completed.
		"尚未全部完成的 2 项任务结转下一年度",
		"2022年1月10日",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("white paper lacks %q", want)
		}
	}
	var fills []string
	for _, p := range r.Paragraphs {
		fills = append(fills, p.Highlighted...)
	}
	for _, want := range []string{"【待补充：主送机关】", "【待补充：本部分的主要举措、典型做法和成效】", "【待补充：存在不足的主要原因（主观、客观原因）】",
		"【待补充：下一年度法治政府建设的工作思路和重点安排】", "【待补充：需要报告的其他事项】", "【待补充：报告单位】"} {
		if !slices.Contains(fills, want) {
			t.Errorf("no highlighted %s", want)
		}
	}
	for _, f := range fills {
		if !strings.HasPrefix(f, "【待补充：") {
			t.Errorf("highlighted text that is not a placeholder: %q", f)
		}
	}
}

func TestWhitepaperYearOverYear(t *testing.T) {
	d := fixture()
	d.YoY = map[string]reports.YoY{
		"city//completion_rate": {Current: 0.7, Previous: 0.673, Known: true},
		"county/a/rank":         {Current: 1, Previous: 3, Known: true},
		"county/c/rank":         {Current: 3, Previous: 1, Known: true},
	}
	r := open(t, must(Whitepaper(d, Options{})))
	for _, want := range []string{"完成率 70.0%，" + d.Compared("city", "", "completion_rate"), "甲县上升2位，丙区下降2位"} {
		if !strings.Contains(r.Text(), want) {
			t.Errorf("white paper lacks %q", want)
		}
	}
	c := open(t, must(Counties(d, Options{})))
	if !strings.Contains(c.Text(), "名次\n较上年\n") || !strings.Contains(c.Text(), "1\n↑2\n甲县\n") {
		t.Errorf("the 通报's ranking lacks the change in rank:\n%s", c.Text())
	}
}

func must(d *docx.Document, err error) *docx.Document {
	if err != nil {
		panic(err)
	}
	return d
}

func TestCountiesAndBriefing(t *testing.T) {
	d := fixture()
	c := open(t, must(Counties(d, Options{})))
	if got := c.Styled(docx.Heading1); !slices.Equal(got, []string{"一、总体情况", "二、排名情况", "三、分部分完成情况", "四、需要加快进度的单位", "五、工作要求"}) {
		t.Errorf("通报 headings %q", got)
	}
	for _, want := range []string{"各县（市、区）人民政府，市属开发区管委会：", "丙区\n50.0%\n0.0%\n", "丙区\n1/3\n33.3%\n任务2、3\n2/3\n"} {
		if !strings.Contains(c.Text(), want) {
			t.Errorf("通报 lacks %q", want)
		}
	}
	b := open(t, must(Briefing(d, Options{})))
	for _, want := range []string{"一、深入学习宣传贯彻习近平法治思想\n71.4%\n74.6%\n关注\n", "前三：甲县 100.0%，乙县 66.7%，丙区 33.3%", "市司法局：任务2（33.3%）"} {
		if !strings.Contains(b.Text(), want) {
			t.Errorf("briefing lacks %q:\n%s", want, b.Text())
		}
	}
}

func TestWriteDeterministic(t *testing.T) {
	a, b := t.TempDir(), t.TempDir()
	for _, dir := range []string{a, b} {
		if _, err := Write(fixture(), dir, Options{}); err != nil {
			t.Fatal(err)
		}
	}
	for _, f := range Files {
		x, _ := os.ReadFile(filepath.Join(a, f))
		y, _ := os.ReadFile(filepath.Join(b, f))
		if len(x) == 0 || !bytes.Equal(x, y) {
			t.Errorf("%s differs between two writes", f)
		}
	}
}

// drawn is the fixture's charts drawn by Chromium, as report --docx draws them.
func drawn(t *testing.T, d *reports.Data) Options {
	t.Helper()
	images, err := reports.ChartImages(context.Background(), nil, d, ChartNames)
	if err != nil {
		t.Fatal(err)
	}
	return Options{Charts: images}
}

// The charts are pictures in the documents, numbered in order with their captions, each
// scaled to the text's width; without pictures the captions are not there either.
func TestCharts(t *testing.T) {
	d := fixture()
	opt := drawn(t, d)
	for _, c := range []struct {
		build    func(*reports.Data, Options) (*docx.Document, error)
		captions []string
	}{
		{Whitepaper, []string{"图1　分部分完成率", "图2　季度趋势", "图3　县市区、开发区完成率排名"}},
		{Counties, []string{"图1　县市区、开发区完成率排名", "图2　县市区、开发区分部分完成率"}}, // no map: the fixture's counties are not Liaocheng's
		{Briefing, nil},
	} {
		r := open(t, must(c.build(d, opt)))
		if got := r.Styled(docx.Caption); !slices.Equal(got, c.captions) {
			t.Errorf("captions %q, want %q", got, c.captions)
		}
		if r.Images != len(c.captions) {
			t.Errorf("%d pictures, want %d", r.Images, len(c.captions))
		}
		// 150 mm wide: 5,400,000 EMU.
		if len(c.captions) > 0 && !strings.Contains(string(r.Parts["word/document.xml"]), `cx="5400000"`) {
			t.Errorf("no picture 150 mm wide")
		}
		bare := open(t, must(c.build(d, Options{})))
		if bare.Images != 0 || len(bare.Styled(docx.Caption)) != 0 {
			t.Errorf("without charts: %d pictures, captions %q", bare.Images, bare.Styled(docx.Caption))
		}
	}
}

// LibreOffice opens the documents and prints them: A4 pages, the Chinese headings and the
// numbers in the PDF's text, the pictures, the briefing on one page.
func TestLibreOffice(t *testing.T) {
	dir := t.TempDir()
	d := fixture()
	files, err := Write(d, dir, drawn(t, d))
	if err != nil {
		t.Fatal(err)
	}
	pictures := map[string]int{"whitepaper.docx": 3, "briefing.docx": 0, "counties.docx": 2}
	pdfs := testkit.Convert(t, "pdf", filepath.Join(dir, "pdf"), files...)
	for i, pdf := range pdfs {
		pages := testkit.PDFPages(t, pdf)
		for _, p := range pages {
			if p[0] < 594 || p[0] > 596 || p[1] < 841 || p[1] > 843 {
				t.Errorf("%s: page %v pt, want A4 595×842", Files[i], p)
			}
		}
		var text strings.Builder
		for p := range pages {
			text.WriteString(testkit.PDFText(t, pdf, p+1))
		}
		flat := strings.Join(strings.Fields(text.String()), "")
		var want []string
		switch Files[i] {
		case "whitepaper.docx":
			want = append(slices.Clone(Parts), "完成率70.0%", "【待补充：主送机关】", "—1—")
		case "briefing.docx":
			want = []string{"一、总体情况。", "71.4%", "74.6%"}
			if len(pages) != 1 {
				t.Errorf("briefing: %d pages, want one", len(pages))
			}
		case "counties.docx":
			want = []string{"二、排名情况", "甲县", "100.0%", "33.3%"}
		}
		for _, w := range want {
			if !strings.Contains(flat, strings.Join(strings.Fields(w), "")) {
				t.Errorf("%s: the PDF lacks %q:\n%s", Files[i], w, text.String())
			}
		}
		// pdfimages -list: two header lines, then a line for each image and each soft mask.
		var images int
		for _, l := range strings.Split(testkit.Poppler(t, "pdfimages", "-list", pdf), "\n")[2:] {
			if f := strings.Fields(l); len(f) > 2 && f[2] == "image" {
				images++
			}
		}
		if images != pictures[Files[i]] {
			t.Errorf("%s: %d pictures in the PDF, want %d", Files[i], images, pictures[Files[i]])
		}
		// The Chinese is drawn in a CJK font, never boxes: the fonts embedded are CJK ones.
		if fonts := testkit.Poppler(t, "pdffonts", pdf); !strings.Contains(fonts, "CJK") {
			t.Errorf("%s: no CJK font in the PDF:\n%s", Files[i], fonts)
		}
	}
}
