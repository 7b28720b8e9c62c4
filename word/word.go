// Package word writes the white paper, the briefing and the county 通报 as Word documents
// in 公文 layout (package docx), for the office to edit and send: whitepaper.docx (the
// annual report on 法治政府建设 in its five statutory parts), briefing.docx (one A4 page)
// and counties.docx (the county 通报). Every number is reports.Data's, as the pages show
// it: the documents compute nothing of their own, and no SQL is here. What only the
// office can write is marked 【待补充：…】, highlighted, never invented.
package word

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"plantrack/docx"
	"plantrack/plan"
	"plantrack/reports"
)

// Files are the documents Write writes, in order.
var Files = []string{"whitepaper.docx", "briefing.docx", "counties.docx"}

// Options choose what goes into the documents.
type Options struct {
	// Charts are the pages' charts drawn as pictures (reports.ChartImages of ChartNames),
	// by name; a chart not here is left out (nil: the documents carry no pictures, and
	// their tables still carry every number).
	Charts map[string]reports.Image
}

// ChartNames are the charts the documents carry, as the pages name them.
var ChartNames = []string{"sections", "trend", "ranking", "heatmap", "map"}

// Picture sizes: a chart fills pictureWidth of the 156 mm text, and is never taller than
// pictureMaxHeight, so that it and its caption fit on a page of the 225 mm 版心.
const (
	pictureWidth     = 150.0 // mm
	pictureMaxHeight = 190.0 // mm
)

// Write writes the three documents of d into out and returns their paths.
func Write(d *reports.Data, out string, opt Options) ([]string, error) {
	var paths []string
	for i, build := range []func(*reports.Data, Options) (*docx.Document, error){Whitepaper, Briefing, Counties} {
		doc, err := build(d, opt)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", Files[i], err)
		}
		b, err := doc.Bytes()
		if err != nil {
			return nil, fmt.Errorf("%s: %w", Files[i], err)
		}
		p := filepath.Join(out, Files[i])
		if err := os.MkdirAll(out, 0o755); err != nil {
			return nil, err
		}
		if err := os.WriteFile(p, b, 0o644); err != nil {
			return nil, err
		}
		paths = append(paths, p)
	}
	return paths, nil
}

// Parts are the five parts of the annual report on 法治政府建设, in order.
var Parts = []string{
	"一、主要举措和成效",
	"二、存在的不足和原因",
	"三、党政主要负责人履行推进法治建设第一责任人职责情况",
	"四、下一年度工作安排",
	"五、其他",
}

func pct(r float64) string { return reports.Pct(r) }

// pct1 is an average progress (already in percent) with one decimal, as the pages write it.
func pct1(v float64) string { return reports.Pct1(v) }

func clip(s string, n int) string { return reports.ClipRunes(s, n) }

func comma(phrase string) string {
	if phrase == "" {
		return ""
	}
	return "，" + phrase
}

// names joins up to n names with 、, and says how many there are in all when more.
func names(list []string, total, n int) string {
	shown := list[:min(n, len(list))]
	s := strings.Join(shown, "、")
	if total > len(shown) {
		s += fmt.Sprintf("等 %d 个单位", total)
	}
	return s
}

func ragName(rag string) string {
	switch rag {
	case "green":
		return "正常"
	case "amber":
		return "关注"
	case "red":
		return "滞后"
	}
	return rag
}

// chineseDate writes 2021-12-31 as 2021年12月31日.
func chineseDate(s string) string {
	var y, m, d int
	if _, err := fmt.Sscanf(s, "%d-%d-%d", &y, &m, &d); err != nil {
		return s
	}
	return fmt.Sprintf("%d年%d月%d日", y, m, d)
}

func periodName(p string) string { return plan.Period(p).Name() }

// figures adds a document's charts, numbered 图1, 图2, … in the order they appear.
type figures struct {
	opt Options
	d   *reports.Data
	n   int
}

// add adds the chart called name with its caption and source, when there is a picture of it.
func (f *figures) add(doc *docx.Document, name, caption string) {
	img, ok := f.opt.Charts[name]
	if !ok || img.Width <= 0 || img.Height <= 0 {
		return
	}
	f.n++
	caption = fmt.Sprintf("图%d　%s", f.n, caption)
	w := pictureWidth
	h := w * float64(img.Height) / float64(img.Width)
	if h > pictureMaxHeight {
		w, h = w*pictureMaxHeight/h, pictureMaxHeight
	}
	doc.Image(img.PNG, w, h, caption)
	doc.Para(docx.Caption, docx.T(caption))
	doc.Para(docx.Note, docx.T(fmt.Sprintf("数据来源：%d 条报送记录，批次 %s。", f.d.Sources.Submissions, f.d.Sources.Batches)))
}

// ends keeps the first and last n of a list longer than 2n.
func ends[T any](list []T, n int) []T {
	if len(list) <= 2*n {
		return list
	}
	return append(append([]T{}, list[:n]...), list[len(list)-n:]...)
}

func itoa(n int) string { return strconv.Itoa(n) }
