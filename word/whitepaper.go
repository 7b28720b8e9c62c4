package word

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"plantrack/docx"
	"plantrack/plan"
	"plantrack/reports"
)

// maxRows is how many rows a table of units lists; the rest are counted.
const maxRows = 50

// issuer is the city or county the plan is of, from its title: 聊城市2021年…计划 → 聊城市.
func issuer(d *reports.Data) string {
	if i := strings.Index(d.Title, itoa(d.Year)); i > 0 {
		return strings.TrimSpace(d.Title[:i])
	}
	return ""
}

// Whitepaper is the annual report on 法治政府建设 in its five parts. Parts 一 and 二 are
// written from the data, section by section of the plan; part 三 from the plan's section
// on 第一责任人职责 where it has one; parts 四 and 五 are outlines.
func Whitepaper(d *reports.Data, opt Options) (*docx.Document, error) {
	title := issuer(d) + itoa(d.Year) + "年度法治政府建设情况报告"
	doc := docx.New(title)
	doc.Para(docx.Title, docx.T(title))
	doc.Para(docx.Subtitle, docx.T("（数据截至"+periodName(d.Period)+"）"))
	doc.Para(docx.Salutation, docx.Fill("主送机关"), docx.T("："))
	doc.Para(docx.Body, docx.T(fmt.Sprintf("按照《%s》部署，现将%d年度法治政府建设情况报告如下。", d.Title, d.Year)), docx.Fill("年度工作总体情况概述"))
	if err := achievements(doc, d, &figures{opt: opt, d: d}); err != nil {
		return nil, err
	}
	shortcomings(doc, d)
	firstResponsible(doc, d)
	nextYear(doc, d)
	other(doc, d)
	return doc, nil
}

// overallSentence is the headline of part 一, as the white paper page writes it.
func overallSentence(d *reports.Data) string {
	o := d.Overall
	return fmt.Sprintf("截至%s，计划 %d 项任务共分解为 %d 项单位分工，已完成 %d 项，完成率 %s%s，平均进度 %s；报送覆盖率 %s，按时报送率 %s%s。",
		periodName(d.Period), len(d.Tasks), o.Assigned, o.Completed, pct(o.Rate), comma(d.Compared("city", "", "completion_rate")),
		pct1(o.AvgProgress), pct(o.Coverage), pct(o.OnTimeRate), comma(d.Compared("city", "", "on_time_rate")))
}

func reviewSentence(r reports.Review) string {
	return fmt.Sprintf("单位自报完成 %d 项，经审核确认 %d 项、退回 %d 项（退回的不计为完成），%d 项尚未审核。", r.Claimed, r.Approved, r.Returned, r.Unreviewed())
}

// counter numbers the subheadings of a part: （一）, （二）, …
type counter int

func (c *counter) next(title string) string {
	*c++
	return "（" + plan.Numeral(int(*c)) + "）" + title
}

func achievements(doc *docx.Document, d *reports.Data, fig *figures) error {
	doc.Para(docx.Heading1, docx.T(Parts[0]))
	doc.Text(overallSentence(d))
	if d.Reviewed {
		doc.Text(reviewSentence(d.Overall.Review))
	}
	if d.PriorPeriod != "" {
		doc.Text(fmt.Sprintf("以上与上年同期（%s）相比；各部分的变化按上年延续的任务比较。", d.PriorPeriod))
	}
	fig.add(doc, "sections", "分部分完成率")
	fig.add(doc, "trend", "季度趋势")
	var c counter
	for _, s := range d.Sections {
		doc.Para(docx.Heading2, docx.T(c.next(s.Title)))
		doc.Text(fmt.Sprintf("本部分 %d 项任务、%d 项单位分工，已完成 %d 项，完成率 %s%s，平均进度 %s。",
			len(s.Tasks), s.Assigned, s.Completed, pct(s.Rate), comma(d.Compared("section", itoa(s.No), "completion_rate")), pct1(s.AvgProgress)))
		if d.Reviewed && s.Claimed > 0 {
			doc.Text(reviewSentence(s.Review))
		}
		var done, open []string
		for _, t := range s.Tasks {
			if t.Assigned > 0 && t.Completed == t.Assigned {
				done = append(done, fmt.Sprintf("任务%d“%s”", t.No, clip(t.Text, 24)))
			} else {
				open = append(open, itoa(t.No))
			}
		}
		if len(done) > 0 {
			doc.Text(fmt.Sprintf("已全部完成 %d 项：%s。", len(done), strings.Join(done, "；")))
		} else {
			doc.Text("本部分暂无全部完成的任务。")
		}
		if len(open) > 0 {
			doc.Text(fmt.Sprintf("尚未全部完成 %d 项（任务%s），推进情况见下表。", len(open), strings.Join(open, "、")))
		}
		for _, t := range s.Tasks {
			if t.Target != nil {
				doc.Text(targetSentence(t))
			}
		}
		doc.Para(docx.Body, docx.Fill("本部分的主要举措、典型做法和成效"))
		doc.Table(taskTable(d, s.Tasks))
	}
	if len(d.Ranking) > 0 {
		doc.Para(docx.Heading2, docx.T(c.next("县市区、开发区推进情况")))
		doc.Text(rankingSentence(d))
		fig.add(doc, "ranking", "县市区、开发区完成率排名")
		doc.Table(rankingTable(d))
	}
	return nil
}

// targetSentence counts a task's assignments against its numeric target, as
// completion_by_task does: 任务5要求至少 2 次专项监督检查，6 项单位分工中 4 项报送的完成数量已达到，合计 11 次。
func targetSentence(t reports.Task) string {
	g := t.Target
	return fmt.Sprintf("任务%d要求至少 %s %s%s，%d 项单位分工中 %d 项报送的完成数量已达到，合计 %s %s。",
		t.No, num(g.Min), g.Unit, g.What, t.Assigned, g.Reached, num(g.Achieved), g.Unit)
}

// num writes a count as offices do: 2, 2.5; never 2.000.
func num(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }

func taskTable(d *reports.Data, tasks []reports.Task) docx.Table {
	t := docx.Table{Header: []string{"任务", "内容", "牵头单位", "完成/分工", "完成率", "平均进度"}, Widths: []float64{32, 0, 70, 58, 44, 52}, Left: []int{1, 2}, Size: 21}
	if d.Reviewed {
		t.Header = append(t.Header, "自报/确认")
		t.Widths = append(t.Widths, 58)
	}
	for _, x := range tasks {
		row := []string{itoa(x.No), clip(x.Text, 40), strings.Join(x.Lead, "、"), fmt.Sprintf("%d/%d", x.Completed, x.Assigned), pct(x.Rate), pct1(x.AvgProgress)}
		if d.Reviewed {
			row = append(row, fmt.Sprintf("%d/%d", x.Claimed, x.Approved))
		}
		t.Rows = append(t.Rows, row)
	}
	return t
}

// rankingSentence names the best and the worst three, and the moves since a year before.
func rankingSentence(d *reports.Data) string {
	var best, worst []string
	for _, r := range d.Ranking[:min(3, len(d.Ranking))] {
		best = append(best, fmt.Sprintf("%s（%s）", r.Name, pct(r.Rate)))
	}
	if len(d.Ranking) > 3 {
		for _, r := range d.Ranking[len(d.Ranking)-3:] {
			worst = append(worst, fmt.Sprintf("%s（%s）", r.Name, pct(r.Rate)))
		}
	}
	s := fmt.Sprintf("%d 个县市区、开发区中，完成率居前的是%s", len(d.Ranking), strings.Join(best, "、"))
	if len(worst) > 0 {
		s += "；居后的是" + strings.Join(worst, "、")
	}
	s += "。"
	if d.PriorPeriod != "" {
		var up, down []string
		for _, r := range d.Ranking {
			switch m := d.RankMove(r.ID); {
			case strings.HasPrefix(m, "↑"):
				up = append(up, r.Name+"上升"+strings.TrimPrefix(m, "↑")+"位")
			case strings.HasPrefix(m, "↓"):
				down = append(down, r.Name+"下降"+strings.TrimPrefix(m, "↓")+"位")
			}
		}
		if len(up)+len(down) > 0 {
			s += "与上年同期（" + d.PriorPeriod + "）相比，" + strings.Join(append(up, down...), "，") + "。"
		} else {
			s += "名次与上年同期（" + d.PriorPeriod + "）相同。"
		}
	}
	return s
}

func rankingTable(d *reports.Data) docx.Table {
	t := docx.Table{Header: []string{"名次", "单位", "类别", "完成率", "平均进度", "按时报送率"}, Widths: []float64{34, 0, 48, 48, 52, 64}, Left: []int{1}, Size: 21}
	if d.PriorPeriod != "" {
		t.Header = slices.Insert(t.Header, 1, "较上年")
		t.Widths = slices.Insert(t.Widths, 1, 44.0)
	}
	for _, r := range ends(d.Ranking, 20) {
		row := []string{itoa(r.Rank), r.Name, plan.KindName(r.Kind), pct(r.Rate), pct1(r.AvgProgress), pct(r.OnTimeRate)}
		if d.PriorPeriod != "" {
			row = slices.Insert(row, 1, d.RankMove(r.ID))
		}
		t.Rows = append(t.Rows, row)
	}
	return t
}

// behind are the tasks behind the time schedule: not green, or overdue.
func behind(d *reports.Data) []reports.Task {
	var out []reports.Task
	for _, t := range d.Tasks {
		if t.RAG != "green" || t.Overdue {
			out = append(out, t)
		}
	}
	return out
}

func redUnits(d *reports.Data) []reports.Unit {
	var out []reports.Unit
	for _, u := range d.Units {
		if u.RAG == "red" {
			out = append(out, u)
		}
	}
	return out
}

func shortcomings(doc *docx.Document, d *reports.Data) {
	doc.Para(docx.Heading1, docx.T(Parts[1]))
	var c counter
	doc.Para(docx.Heading2, docx.T(c.next("部分任务推进滞后")))
	if late := behind(d); len(late) > 0 {
		overdue := 0
		for _, t := range late {
			if t.Overdue {
				overdue++
			}
		}
		doc.Text(fmt.Sprintf("对照时间进度，%d 项任务进度偏慢，其中 %d 项明显滞后：", len(late), overdue))
		t := docx.Table{Header: []string{"任务", "内容", "完成率", "平均进度", "状态", "未完成单位"}, Widths: []float64{32, 0, 44, 52, 34, 0}, Left: []int{1, 5}, Size: 21}
		for _, x := range late {
			state := ragName(x.RAG)
			if x.Overdue {
				state = "滞后"
			}
			t.Rows = append(t.Rows, []string{itoa(x.No), clip(x.Text, 30), pct(x.Rate), pct1(x.AvgProgress), state, names(x.Lagging, x.LaggingCount, 8)})
		}
		doc.Table(t)
	} else {
		doc.Text("各项任务均按时间进度推进。")
	}
	doc.Para(docx.Heading2, docx.T(c.next("部分单位进度偏慢")))
	if red := redUnits(d); len(red) > 0 {
		doc.Text(fmt.Sprintf("%d 个单位完成率或进度明显低于时间进度：", len(red)))
		t := docx.Table{Header: []string{"单位", "类别", "完成/分工", "完成率", "平均进度"}, Widths: []float64{0, 56, 58, 48, 52}, Left: []int{0}, Size: 21}
		for _, u := range red[:min(maxRows, len(red))] {
			t.Rows = append(t.Rows, []string{u.Name, plan.KindName(u.Kind), fmt.Sprintf("%d/%d", u.Completed, u.Assigned), pct(u.Rate), pct1(u.AvgProgress)})
		}
		doc.Table(t)
		if len(red) > maxRows {
			doc.Para(docx.Note, docx.T(fmt.Sprintf("列出前 %d 个，全部见 summary.xlsx 的“单位”表。", maxRows)))
		}
	} else {
		doc.Text("没有明显滞后的单位。")
	}
	o := d.Overall
	doc.Para(docx.Heading2, docx.T(c.next("报送不及时、不规范")))
	doc.Text(fmt.Sprintf("本期 %d 项单位分工中，%d 项已报送，报送覆盖率 %s，%d 项未报送；应报 %d 次，按时 %d 次，按时报送率 %s%s。",
		o.Assigned, o.Reported, pct(o.Coverage), o.Assigned-o.Reported, o.Expected, o.OnTime, pct(o.OnTimeRate), comma(d.Compared("city", "", "on_time_rate"))))
	if d.LateUnits > 0 {
		var worst []string
		for _, l := range d.Late[:min(5, len(d.Late))] {
			worst = append(worst, fmt.Sprintf("%s（逾期 %d 次）", l.Unit, l.Late))
		}
		doc.Text(fmt.Sprintf("%d 个单位有逾期报送，逾期较多的是%s。", d.LateUnits, strings.Join(worst, "、")))
	}
	rej := fmt.Sprintf("共接收有效报送 %d 条，退回不合格报送 %d 条", d.Sources.Submissions, d.Sources.Rejected)
	var reasons []string
	for _, r := range d.Rejected {
		reasons = append(reasons, fmt.Sprintf("%s %d 条", plan.Reason(r.Label).Label(), r.N))
	}
	if len(reasons) > 0 {
		rej += "，其中" + strings.Join(reasons, "，")
	}
	if d.Unassigned > 0 {
		rej += fmt.Sprintf("；另有 %d 条报送了计划未分配的任务（保留，不计入）", d.Unassigned)
	}
	doc.Text(rej + "。")
	if len(d.Late) > 0 {
		t := docx.Table{Header: []string{"单位", "逾期次数", "已报次数"}, Widths: []float64{0, 60, 60}, Left: []int{0}, Size: 21}
		for _, l := range d.Late[:min(10, len(d.Late))] {
			t.Rows = append(t.Rows, []string{l.Unit, itoa(l.Late), itoa(l.Reported)})
		}
		doc.Table(t)
	}
	if d.Reviewed {
		doc.Para(docx.Heading2, docx.T(c.next("审核退回")))
		doc.Text(reviewSentence(o.Review))
		t := docx.Table{Header: []string{"单位", "任务", "审核意见"}, Widths: []float64{100, 0, 0}, Left: []int{0, 1, 2}, Size: 21}
		n := 0
		for _, u := range d.Units {
			for _, ut := range d.UnitTasks[u.ID] {
				if ut.Review != "returned" {
					continue
				}
				n++
				if n <= maxRows {
					t.Rows = append(t.Rows, []string{u.Name, fmt.Sprintf("%d. %s", ut.Task, clip(ut.Text, 20)), ut.ReviewComment})
				}
			}
		}
		if n > 0 {
			doc.Table(t)
			if n > maxRows {
				doc.Para(docx.Note, docx.T(fmt.Sprintf("列出前 %d 项，共 %d 项。", maxRows, n)))
			}
		}
	}
	doc.Para(docx.Heading2, docx.T(c.next("原因分析")))
	doc.Para(docx.Body, docx.Fill("存在不足的主要原因（主观、客观原因）"))
}

// FirstResponsibleSection is the plan's section on 第一责任人职责, or nil.
func FirstResponsibleSection(d *reports.Data) *reports.Section {
	for i := range d.Sections {
		if strings.Contains(d.Sections[i].Title, "第一责任人") {
			return &d.Sections[i]
		}
	}
	return nil
}

func firstResponsible(doc *docx.Document, d *reports.Data) {
	doc.Para(docx.Heading1, docx.T(Parts[2]))
	s := FirstResponsibleSection(d)
	if s == nil {
		doc.Text("本年度计划未单列第一责任人职责部分。")
	} else {
		doc.Text(fmt.Sprintf("计划第%s部分“%s”%d 项任务、%d 项单位分工，已完成 %d 项，完成率 %s%s，平均进度 %s。",
			s.Numeral, s.Title, len(s.Tasks), s.Assigned, s.Completed, pct(s.Rate), comma(d.Compared("section", itoa(s.No), "completion_rate")), pct1(s.AvgProgress)))
		for _, t := range s.Tasks {
			doc.Text(fmt.Sprintf("任务%d：%s完成率 %s（%d/%d）。", t.No, clip(t.Text, 40), pct(t.Rate), t.Completed, t.Assigned))
		}
	}
	doc.Para(docx.Body, docx.Fill("党政主要负责人研究部署法治建设、年终述法、集体学法等履行第一责任人职责的情况"))
}

func nextYear(doc *docx.Document, d *reports.Data) {
	doc.Para(docx.Heading1, docx.T(Parts[3]))
	var open []reports.Task
	for _, t := range d.Tasks {
		if t.Completed < t.Assigned {
			open = append(open, t)
		}
	}
	if len(open) > 0 {
		doc.Text(fmt.Sprintf("%d年度计划中尚未全部完成的 %d 项任务结转下一年度继续推进：", d.Year, len(open)))
		for i, t := range open {
			doc.Text(fmt.Sprintf("%d. 任务%d“%s”，完成率 %s，%d 个单位未完成。", i+1, t.No, clip(t.Text, 30), pct(t.Rate), t.LaggingCount))
		}
	} else {
		doc.Text(fmt.Sprintf("%d年度计划任务已全部完成。", d.Year))
	}
	doc.Para(docx.Body, docx.Fill("下一年度法治政府建设的工作思路和重点安排"))
}

func other(doc *docx.Document, d *reports.Data) {
	doc.Para(docx.Heading1, docx.T(Parts[4]))
	doc.Para(docx.Body, docx.Fill("需要报告的其他事项"))
	doc.Text(fmt.Sprintf("本报告数据截至%s，来自各单位报送的 %d 条有效记录（批次 %s），由 plantrack 汇总。", periodName(d.Period), d.Sources.Submissions, d.Sources.Batches))
	for _, e := range d.Editions {
		doc.Text(fmt.Sprintf("本期已发布《%s》，其后有 %d 处数字变化。", e.Name, len(e.Changes)))
	}
	doc.Para(docx.Signature, docx.Fill("报告单位"))
	doc.Para(docx.Signature, docx.T(chineseDate(d.BuildDate)))
}
