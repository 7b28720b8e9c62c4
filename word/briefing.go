package word

import (
	"fmt"
	"slices"
	"strings"

	"plantrack/docx"
	"plantrack/reports"
)

// Briefing is the leaders' briefing on one A4 page, as briefing.html: the headline, the
// sections, the best and worst three counties and zones, the lagging tasks by lead unit.
func Briefing(d *reports.Data, _ Options) (*docx.Document, error) {
	title := issuer(d) + "法治政府建设工作简报"
	doc := docx.New(title)
	doc.Para(docx.Title, docx.T(title))
	doc.Para(docx.Subtitle, docx.T(fmt.Sprintf("（%s　数据截至%s）", chineseDate(d.BuildDate), periodName(d.Period))))
	// One page: the parts' headings lead their paragraphs.
	s := overallSentence(d)
	if r := d.Overall.Review; d.Reviewed {
		s += fmt.Sprintf("自报完成 %d 项，审核确认 %d 项，退回 %d 项。", r.Claimed, r.Approved, r.Returned)
	}
	doc.Para(docx.Body, docx.B("一、总体情况。"), docx.T(s))
	doc.Para(docx.Heading1, docx.T("二、分部分进展"))
	t := docx.Table{Header: []string{"部分", "完成率", "平均进度", "状态"}, Widths: []float64{0, 48, 52, 40}, Left: []int{0}, Size: 21}
	for _, sec := range d.Sections {
		t.Rows = append(t.Rows, []string{sec.Numeral + "、" + sec.Title, pct(sec.Rate), pct1(sec.AvgProgress), ragName(sec.RAG)})
	}
	doc.Table(t)
	if len(d.Ranking) > 0 {
		var best, worst []string
		for _, r := range d.Ranking[:min(3, len(d.Ranking))] {
			best = append(best, fmt.Sprintf("%s %s", r.Name, pct(r.Rate)))
		}
		if len(d.Ranking) > 3 {
			for _, r := range d.Ranking[len(d.Ranking)-3:] {
				worst = append(worst, fmt.Sprintf("%s %s", r.Name, pct(r.Rate)))
			}
		}
		line := "前三：" + strings.Join(best, "，")
		if len(worst) > 0 {
			line += "；后三：" + strings.Join(worst, "，")
		}
		doc.Para(docx.Body, docx.B("三、县市区、开发区。"), docx.T(line+"。"))
	} else {
		doc.Para(docx.Body, docx.B("三、县市区、开发区。"), docx.T("无排名。"))
	}
	groups := overdueByLead(d)
	var lines []string
	const shown = 4
	for _, g := range groups[:min(shown, len(groups))] {
		var tasks []string
		for _, x := range g.tasks {
			tasks = append(tasks, fmt.Sprintf("任务%d（%s）", x.No, pct(x.Rate)))
		}
		lines = append(lines, g.lead+"："+strings.Join(tasks, "、"))
	}
	text := "无明显滞后的任务。"
	if len(lines) > 0 {
		text = strings.Join(lines, "；") + "。"
	}
	if len(groups) > shown {
		text += fmt.Sprintf("另有 %d 个牵头单位的滞后任务，见白皮书第二部分。", len(groups)-shown)
	}
	doc.Para(docx.Body, docx.B("四、滞后任务（按牵头单位）。"), docx.T(text))
	return doc, nil
}

type leadGroup struct {
	lead  string
	tasks []reports.Task
}

// overdueByLead groups the overdue tasks by lead unit, as briefing.html does.
func overdueByLead(d *reports.Data) []leadGroup {
	var out []leadGroup
	for _, t := range d.Tasks {
		if !t.Overdue {
			continue
		}
		for _, l := range t.Lead {
			i := slices.IndexFunc(out, func(g leadGroup) bool { return g.lead == l })
			if i < 0 {
				out = append(out, leadGroup{lead: l})
				i = len(out) - 1
			}
			out[i].tasks = append(out[i].tasks, t)
		}
	}
	return out
}
