package word

import (
	"fmt"
	"slices"
	"strings"

	"plantrack/docx"
	"plantrack/plan"
	"plantrack/reports"
)

// addressees are the 主送机关 of the 通报: the kinds of unit it ranks.
func addressees(d *reports.Data) string {
	var out []string
	for _, k := range d.ComparedKinds {
		switch k {
		case plan.KindCounty:
			out = append(out, "各县（市、区）人民政府")
		case plan.KindZone:
			out = append(out, "市属开发区管委会")
		default:
			out = append(out, "各"+plan.KindName(k))
		}
	}
	if len(out) == 0 {
		return ""
	}
	return strings.Join(out, "，")
}

// Counties is the county 通报: the overall position, the ranking with its changes, the
// sections by county (the heat map), and the units behind.
func Counties(d *reports.Data, opt Options) (*docx.Document, error) {
	title := issuer(d) + "关于" + periodName(d.Period) + "法治政府建设工作推进情况的通报"
	doc := docx.New(title)
	fig := &figures{opt: opt, d: d}
	doc.Para(docx.Title, docx.T(title))
	if a := addressees(d); a != "" {
		doc.Para(docx.Salutation, docx.T(a+"："))
	} else {
		doc.Para(docx.Salutation, docx.Fill("主送机关"), docx.T("："))
	}
	doc.Text(fmt.Sprintf("按照《%s》要求，现将截至%s各县（市、区）、开发区工作推进情况通报如下。", d.Title, periodName(d.Period)))

	doc.Para(docx.Heading1, docx.T("一、总体情况"))
	doc.Text(overallSentence(d))

	doc.Para(docx.Heading1, docx.T("二、排名情况"))
	if len(d.Ranking) == 0 {
		doc.Text("本期没有参加排名的单位。")
	} else {
		doc.Text(rankingSentence(d))
		fig.add(doc, "ranking", "县市区、开发区完成率排名")
		doc.Table(rankingTable(d))
		doc.Para(docx.Note, docx.T("排名规则：完成率从高到低；相同时比平均进度，再比按时报送率；仍相同者并列。"+
			map[bool]string{true: "较上年：与上年同期（" + d.PriorPeriod + "）的名次相比，↑ 上升、↓ 下降、– 持平。", false: ""}[d.PriorPeriod != ""]))
	}

	doc.Para(docx.Heading1, docx.T("三、分部分完成情况"))
	fig.add(doc, "heatmap", "县市区、开发区分部分完成率")
	fig.add(doc, "map", "各县市区完成率")
	if len(d.Ranking) > 0 {
		doc.Table(gridTable(d))
		var legend []string
		for _, s := range d.Sections {
			legend = append(legend, s.Numeral+"、"+s.Title)
		}
		doc.Para(docx.Note, docx.T("表中各列为计划各部分："+strings.Join(legend, "；")+"。"))
	}

	doc.Para(docx.Heading1, docx.T("四、需要加快进度的单位"))
	behindUnits(doc, d)

	doc.Para(docx.Heading1, docx.T("五、工作要求"))
	doc.Para(docx.Body, docx.Fill("下一步工作要求"))
	doc.Para(docx.Signature, docx.Fill("发文机关"))
	doc.Para(docx.Signature, docx.T(chineseDate(d.BuildDate)))
	return doc, nil
}

// gridTable is the heat map as a table: each county and zone's completion rate in each
// section of the plan.
func gridTable(d *reports.Data) docx.Table {
	t := docx.Table{Header: []string{"单位"}, Widths: []float64{100}, Left: []int{0}, Size: 21}
	for _, s := range d.Sections {
		t.Header = append(t.Header, s.Numeral)
		t.Widths = append(t.Widths, 0)
	}
	rate := map[string]map[int]float64{}
	for _, c := range d.Grid {
		if rate[c.UnitID] == nil {
			rate[c.UnitID] = map[int]float64{}
		}
		rate[c.UnitID][c.Section] = c.Rate
	}
	for _, r := range ends(d.Ranking, 20) {
		row := []string{r.Name}
		for _, s := range d.Sections {
			v, ok := rate[r.ID][s.No]
			if ok {
				row = append(row, pct(v))
			} else {
				row = append(row, "—")
			}
		}
		t.Rows = append(t.Rows, row)
	}
	return t
}

// behindUnits names the counties and zones in red and the three last, with their tasks not
// completed and their late reports.
func behindUnits(doc *docx.Document, d *reports.Data) {
	var ids []string
	for _, u := range d.Units {
		if u.RAG == "red" && slices.Contains(d.ComparedKinds, u.Kind) {
			ids = append(ids, u.ID)
		}
	}
	if len(d.Ranking) > 3 {
		for _, r := range d.Ranking[len(d.Ranking)-3:] {
			if !slices.Contains(ids, r.ID) {
				ids = append(ids, r.ID)
			}
		}
	}
	if len(ids) == 0 {
		doc.Text("各县（市、区）、开发区均按时间进度推进。")
		return
	}
	late := map[string]reports.Late{}
	for _, l := range d.Late {
		late[l.Unit] = l
	}
	doc.Text(fmt.Sprintf("以下 %d 个单位完成率居后或明显低于时间进度，请加快推进：", len(ids)))
	t := docx.Table{Header: []string{"单位", "完成/分工", "完成率", "未完成任务", "逾期报送"}, Widths: []float64{90, 58, 48, 0, 56}, Left: []int{0, 3}, Size: 21}
	for _, u := range d.Units {
		if !slices.Contains(ids, u.ID) {
			continue
		}
		var open []string
		for _, ut := range d.UnitTasks[u.ID] {
			if !ut.Completed {
				open = append(open, itoa(ut.Task))
			}
		}
		lateCell := "—"
		if l, ok := late[u.Name]; ok {
			lateCell = fmt.Sprintf("%d/%d", l.Late, l.Reported)
		}
		openCell := "—"
		if len(open) > 0 {
			openCell = "任务" + strings.Join(open[:min(12, len(open))], "、")
			if len(open) > 12 {
				openCell += fmt.Sprintf("等 %d 项", len(open))
			}
		}
		t.Rows = append(t.Rows, []string{u.Name, fmt.Sprintf("%d/%d", u.Completed, u.Assigned), pct(u.Rate), openCell, lateCell})
	}
	doc.Table(t)
	doc.Para(docx.Note, docx.T("逾期报送：逾期次数/已报次数（reporting_rate 视图，以各期首次报送判定是否按时）。"))
}
