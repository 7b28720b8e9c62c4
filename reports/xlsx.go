package reports

import (
	"fmt"
	"strings"

	"github.com/xuri/excelize/v2"

	"plantrack/plan"
	"plantrack/sheet"
)

// SummaryCategory is the document property category of summary.xlsx: like every
// workbook plantrack writes that is not for reading in, it starts with "plantrack-", so
// that ingest passes over it (the property outlives a save in Excel, WPS or LibreOffice).
const SummaryCategory = "plantrack-summary"

// writeSummary writes the pages' tables as one workbook for people who work in Excel:
// one sheet per table, a frozen bold header, percentages as percent cells (so they sum and
// sort as numbers), widths that fit Chinese text, rows as tall as their wrapped text.
// Every sheet prints on A4 landscape, one page wide, its header on every page. Fixed
// document properties keep the file byte-identical for the same data.
func writeSummary(path string, d *Data) error {
	f := excelize.NewFile()
	defer f.Close()
	stamp := "2000-01-01T00:00:00Z"
	if d.BuildDate != "" {
		stamp = d.BuildDate + "T00:00:00Z"
	}
	if err := f.SetDocProps(&excelize.DocProperties{Title: d.Title + " 汇总表", Creator: "plantrack", Category: SummaryCategory,
		Created: stamp, Modified: stamp}); err != nil {
		return err
	}
	head, _ := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}, Fill: excelize.Fill{Type: "pattern", Color: []string{"#F2F2F2"}, Pattern: 1},
		Alignment: &excelize.Alignment{Vertical: "center", WrapText: true}})
	// Every cell at the top of its row, so that a row's figures stand beside the first line
	// of its wrapped text.
	top := &excelize.Alignment{Vertical: "top"}
	pct, _ := f.NewStyle(&excelize.Style{NumFmt: 176, CustomNumFmt: strptr("0.0%"), Alignment: top})
	num1, _ := f.NewStyle(&excelize.Style{CustomNumFmt: strptr("0.0"), Alignment: top})
	wrap, _ := f.NewStyle(&excelize.Style{Alignment: &excelize.Alignment{WrapText: true, Vertical: "top"}})
	plain, _ := f.NewStyle(&excelize.Style{Alignment: top})

	type col struct {
		title string
		width float64
		style int // 0: plain
	}
	footer := sheet.Footer(d.Title+" 汇总表", "　&A")
	sheet := func(name string, cols []col, rows [][]any) error {
		if _, err := f.NewSheet(name); err != nil {
			return err
		}
		var errs []error
		check := func(err error) {
			if err != nil {
				errs = append(errs, err)
			}
		}
		for i, c := range cols {
			cell, _ := excelize.CoordinatesToCellName(i+1, 1)
			f.SetCellValue(name, cell, c.title)
			letter, _ := excelize.ColumnNumberToName(i + 1)
			f.SetColWidth(name, letter, letter, c.width)
			if c.style == 0 {
				c.style = plain
			}
			if len(rows) > 0 {
				last, _ := excelize.CoordinatesToCellName(i+1, len(rows)+1)
				first, _ := excelize.CoordinatesToCellName(i+1, 2)
				f.SetCellStyle(name, first, last, c.style)
			}
		}
		last, _ := excelize.CoordinatesToCellName(len(cols), 1)
		f.SetCellStyle(name, "A1", last, head)
		// Each row as tall as its longest wrapped cell: a header wraps, and of the rows
		// the columns styled to wrap (the others hold short words and numbers).
		lines := 1
		for _, c := range cols {
			lines = max(lines, sheet.Lines(c.title, c.width))
		}
		check(f.SetRowHeight(name, 1, sheet.RowHeight(lines, 11)))
		for r, row := range rows {
			cell, _ := excelize.CoordinatesToCellName(1, r+2)
			if err := f.SetSheetRow(name, cell, &row); err != nil {
				return err
			}
			lines := 1
			for i, v := range row {
				if s, ok := v.(string); ok && i < len(cols) && cols[i].style == wrap {
					lines = max(lines, sheet.Lines(s, cols[i].width))
				}
			}
			check(f.SetRowHeight(name, r+2, sheet.RowHeight(lines, 11)))
		}
		check(f.SetPanes(name, &excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}))
		check(sheet.PrintSetup(f, name, 1, 1, footer))
		if len(errs) > 0 {
			return errs[0]
		}
		return nil
	}

	o := d.Overall
	if err := sheet("总体", []col{{"指标", 20, 0}, {"数值", 14, 0}, {"说明", 50, 0}}, [][]any{
		{"统计期", d.Period, d.Title},
		{"完成率", o.Rate, fmt.Sprintf("%d/%d 项分工", o.Completed, o.Assigned)},
		{"平均进度", round1(o.AvgProgress) / 100, "未报送按 0 计"},
		{"报送覆盖率", o.Coverage, "本期已报送的分工占比"},
		{"按时报送率", o.OnTimeRate, fmt.Sprintf("%d/%d 份应报", o.OnTime, o.Expected)},
	}); err != nil {
		return err
	}
	for r := 3; r <= 6; r++ {
		cell := fmt.Sprintf("B%d", r)
		f.SetCellStyle("总体", cell, cell, pct)
	}

	var rows [][]any
	for _, s := range d.Sections {
		rows = append(rows, []any{s.No, s.Title, s.Assigned, s.Completed, s.Rate, round1(s.AvgProgress), ragText(s.RAG)})
	}
	if err := sheet("分部分", []col{{"部分", 6, 0}, {"标题", 32, 0}, {"分工", 8, 0}, {"已完成", 8, 0}, {"完成率", 10, pct}, {"平均进度", 10, num1}, {"状态", 8, 0}}, rows); err != nil {
		return err
	}
	rows = nil
	for _, t := range d.Tasks {
		rows = append(rows, []any{t.No, t.Section, t.Text, strings.Join(t.Lead, "、"), t.Assigned, t.Completed, t.Rate, round1(t.AvgProgress), ragText(t.RAG), strings.Join(t.Lagging, "、") + moreLagging(t)})
	}
	if err := sheet("任务", []col{{"任务", 6, 0}, {"部分", 6, 0}, {"内容", 60, wrap}, {"牵头单位", 24, wrap}, {"分工", 8, 0}, {"已完成", 8, 0},
		{"完成率", 10, pct}, {"平均进度", 10, num1}, {"状态", 8, 0}, {"未完成单位", 40, wrap}}, rows); err != nil {
		return err
	}
	rows = nil
	for _, u := range d.Units {
		rows = append(rows, []any{u.Name, plan.KindName(u.Kind), u.Assigned, u.Completed, u.Rate, round1(u.AvgProgress), u.OnTimeRate, ragText(u.RAG)})
	}
	if err := sheet("单位", []col{{"单位", 26, 0}, {"类别", 10, 0}, {"分工", 8, 0}, {"已完成", 8, 0}, {"完成率", 10, pct}, {"平均进度", 10, num1}, {"按时报送率", 12, pct}, {"状态", 8, 0}}, rows); err != nil {
		return err
	}
	rows = nil
	for _, r := range d.Ranking {
		rows = append(rows, []any{r.Rank, r.Name, plan.KindName(r.Kind), r.Rate, round1(r.AvgProgress), r.OnTimeRate})
	}
	if err := sheet("县市区排名", []col{{"名次", 6, 0}, {"单位", 26, 0}, {"类别", 10, 0}, {"完成率", 10, pct}, {"平均进度", 10, num1}, {"按时报送率", 12, pct}}, rows); err != nil {
		return err
	}
	rows = nil
	for _, c := range d.Rejected {
		rows = append(rows, []any{plan.Reason(c.Label).Label(), c.Label, c.N})
	}
	if err := sheet("退回原因", []col{{"原因", 24, 0}, {"代码", 16, 0}, {"条数", 8, 0}}, rows); err != nil {
		return err
	}
	if err := f.DeleteSheet("Sheet1"); err != nil {
		return err
	}
	f.SetActiveSheet(0)
	return f.SaveAs(path)
}

func strptr(s string) *string { return &s }

func ragText(r string) string {
	switch r {
	case "green":
		return "绿"
	case "amber":
		return "黄"
	case "red":
		return "红"
	}
	return r
}

// moreLagging says how many lagging units a task has beyond those named.
func moreLagging(t Task) string {
	if t.LaggingCount > len(t.Lagging) {
		return fmt.Sprintf(" 等%d个单位", t.LaggingCount)
	}
	return ""
}
