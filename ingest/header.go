package ingest

import (
	"fmt"
	"regexp"
	"strings"

	"plantrack/plan"
)

// headerSearchRows is how far down a sheet the header may be: offices put a title, a
// 填报单位/填报日期 line and sometimes a blank row above it.
const headerSearchRows = 10

// findHeader finds the header among the first rows: the first row naming at least three
// known columns, one of them 任务序号. The rows above it may give the unit, date and
// period for every row (填报单位：东阿县人民政府  填报日期：2021年7月5日, or a title with
// 2021年第二季度). It returns the header's index in rows.
func findHeader(rows [][]string) (*layout, int, error) {
	for i, row := range rows {
		if i >= headerSearchRows {
			break
		}
		l := &layout{header: row}
		for f := range plan.NumFields {
			l.col[f] = -1
		}
		known := 0
		for j, cell := range row {
			f, ok := plan.FieldOf(cell)
			if !ok {
				continue
			}
			if l.col[f] < 0 {
				known++
			}
			l.name(f, j)
		}
		if known < 3 || l.col[plan.FieldTaskNo] < 0 {
			continue
		}
		for _, above := range rows[:i] {
			l.readPreamble(above)
		}
		return l, i, nil
	}
	return nil, 0, plan.FileFault(fmt.Sprintf("no header row in the first %d rows: want a row with 任务序号 and at least two more of %s", headerSearchRows, strings.Join(plan.FieldHeaders(), " ")),
		"未找到表头行（应有“任务序号”“完成状态”等栏目），请使用下发的模板填报")
}

var (
	preUnitRE   = regexp.MustCompile(`(?:填报单位|报送单位|单位名称)\s*(?:[(（]盖章[)）])?\s*[:：]\s*([^\s:：]+)`)
	preDateRE   = regexp.MustCompile(`(?:填报日期|报送日期|填报时间)\s*[:：]\s*([^\s:：]+)`)
	prePeriodRE = regexp.MustCompile(`(?:报告期|填报期间|报送期次)\s*[:：]\s*([^\s:：]+)`)
	// A title such as 聊城市2021年法治政府建设工作进度表（2021年第二季度）names the period.
	colonSpaceRE  = regexp.MustCompile(`([:：])\s+`)
	nextLabelRE   = regexp.MustCompile(`填报日期|报送日期|填报时间|报告期|填报期间|联系人|联系电话`)
	titlePeriodRE = regexp.MustCompile(`(\d{4}年(?:第)?[一二三四1-4]季度|\d{4}\s*[-]?\s*[Qq][1-4])`)
)

// readPreamble takes the unit, date and period a line above the header gives.
func (l *layout) readPreamble(row []string) {
	var parts []string
	for _, c := range row {
		if c = strings.TrimSpace(c); c != "" {
			parts = append(parts, c)
		}
	}
	line := strings.Join(parts, " ")
	// "填报单位：" in one cell and the name in the next is written "填报单位： 东阿县".
	line = colonSpaceRE.ReplaceAllString(line, "$1")
	if m := preUnitRE.FindStringSubmatch(line); m != nil && l.defaults[plan.FieldUnit] == "" {
		// "填报单位：东阿县填报日期：…" with no space between: the name stops at the next label.
		l.defaults[plan.FieldUnit] = nextLabelRE.Split(m[1], 2)[0]
	}
	if m := preDateRE.FindStringSubmatch(line); m != nil && l.defaults[plan.FieldSubmittedOn] == "" {
		l.defaults[plan.FieldSubmittedOn] = m[1]
	}
	if m := prePeriodRE.FindStringSubmatch(line); m != nil && l.defaults[plan.FieldPeriod] == "" {
		l.defaults[plan.FieldPeriod] = m[1]
	} else if m := titlePeriodRE.FindStringSubmatch(line); m != nil && l.defaults[plan.FieldPeriod] == "" {
		l.defaults[plan.FieldPeriod] = m[1]
	}
}

// missingColumn is a file (or, with tail, a sheet) without a column it must have.
func missingColumn(col, tail string) *plan.Fault {
	return plan.FileFault(fmt.Sprintf("no %s column and no %s line above the header%s", col, col, tail), "缺少“"+col+"”栏目，请使用下发的模板填报")
}

// missingColumns names the fields a file gives neither as a column nor above the header.
func (l *layout) missingColumns() []string {
	var out []string
	for _, f := range []plan.Field{plan.FieldUnit, plan.FieldPeriod, plan.FieldTaskNo, plan.FieldStatus} {
		if l.col[f] < 0 && l.defaults[f] == "" {
			out = append(out, f.Header())
		}
	}
	return out
}
