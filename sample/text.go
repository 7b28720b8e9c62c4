package sample

import (
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"plantrack/plan"
)

// style is how one unit's clerk fills the table: the same habits every quarter.
type style struct {
	name         string // the unit name written in rows
	formal       string // the name on an XLSX 填报单位 line
	progress     int
	date         int
	period       int
	inWord       string
	doneWord     string
	blankDone    bool // progress left empty once a task is completed
	achievedText bool // JSON: 完成数量 as a string

	// XLSX layout.
	dateFmt      string // custom number format of date cells, "" for built-in 14
	omitUnitDate bool   // no 填报单位/填报日期 columns: the line above the header says them
	totals       bool   // a 合计 row under the data
	subtitle     bool   // a second title line, so the header is on row 4
	trailing     bool   // bordered empty rows left at the bottom of the template
	mergeUnit    bool   // the 填报单位 column merged down over all data rows
	date1904     bool
	notesSheet   int
	sheetName    int
}

// Progress styles.
const (
	progPct    = iota // "85%"
	progBare          // "85"
	progFull          // "８５％"
	progNum           // a JSON number or an XLSX number cell 85
	progCell9         // an XLSX cell 0.85 with number format 9 (0%)
	progCell10        // an XLSX cell 0.85 with number format 10 (0.00%)
)

// Date styles.
const (
	dateISO   = iota // 2021-07-05
	dateSlash        // 2021/7/5
	dateCN           // 2021年7月5日
	dateCell         // an XLSX date cell
)

// Period styles.
const (
	periodQ       = iota // 2021Q2
	periodDashQ          // 2021-Q2
	periodCNFull         // 2021年第二季度
	periodCNShort        // 2021年二季度
	periodMonth          // 2021-06
	periodCNMonth        // 2021年6月
)

// Where an XLSX workbook has its 说明 sheet.
const (
	notesNone = iota
	notesAfter
	notesBefore
)

var (
	inProgressWords = []string{"推进中", "进行中", "正在推进"}
	completedWords  = []string{"已完成", "完成", "全面完成"}
	quarterNames    = []string{"", "一", "二", "三", "四"}
)

// Columns of a submission, in the order units write them.
const (
	colUnit = iota
	colPeriod
	colTask
	colStatus
	colProgress
	colAchieved
	colNotes
	colEvidence
	colDate
	numCols
)

var columns = [numCols]struct{ zh, en string }{
	{"填报单位", "unit"}, {"报告期", "period"}, {"任务序号", "task_no"}, {"完成状态", "status"},
	{"完成进度", "progress"}, {"完成数量", "achieved"}, {"工作进展", "notes"}, {"佐证材料", "evidence"},
	{"填报日期", "submitted_on"},
}

func periodText(year, q, style int) string {
	switch style {
	case periodDashQ:
		return fmt.Sprintf("%d-Q%d", year, q)
	case periodCNFull:
		return fmt.Sprintf("%d年第%s季度", year, quarterNames[q])
	case periodCNShort:
		return fmt.Sprintf("%d年%s季度", year, quarterNames[q])
	case periodMonth:
		return fmt.Sprintf("%d-%02d", year, 3*q)
	case periodCNMonth:
		return fmt.Sprintf("%d年%d月", year, 3*q)
	}
	return fmt.Sprintf("%dQ%d", year, q)
}

// progressText is progress as text; XLSX number cells are written elsewhere.
func progressText(p, style int) string {
	switch {
	case p < 0:
		return ""
	case style == progBare || style == progNum:
		return strconv.Itoa(p)
	case style == progFull:
		return fullWidth(strconv.Itoa(p) + "%")
	}
	return strconv.Itoa(p) + "%"
}

func dateText(t time.Time, style int) string {
	switch style {
	case dateSlash:
		return fmt.Sprintf("%d/%d/%d", t.Year(), t.Month(), t.Day())
	case dateCN, dateCell:
		return cnDate(t)
	}
	return t.Format(time.DateOnly)
}

func cnDate(t time.Time) string { return fmt.Sprintf("%d年%d月%d日", t.Year(), t.Month(), t.Day()) }

// fullWidth turns ASCII digits and % into their full-width forms, as Chinese input methods
// type them.
func fullWidth(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= '!' && r <= '~' {
			return r - '!' + '！'
		}
		return r
	}, s)
}

// topics are the clauses of a task's text short enough to name it in a note.
func topics(task *plan.Task) []string {
	var out []string
	for _, cl := range strings.FieldsFunc(task.Text, func(r rune) bool { return strings.ContainsRune("。，,；;.．：:！？\n", r) }) {
		cl = strings.ReplaceAll(strings.TrimSpace(cl), " ", "")
		if n := utf8.RuneCountInString(cl); n >= 6 && n <= 20 && balanced(cl) {
			out = append(out, cl)
		}
	}
	if len(out) == 0 {
		out = []string{fmt.Sprintf("第%d项任务", task.No)}
	}
	return out
}

// balanced reports whether every bracket or quote opened in s is closed in s.
func balanced(s string) bool {
	for _, p := range []string{"《》", "〈〉", "()", "（）", "“”", "〔〕", "【】"} {
		r := []rune(p)
		if strings.Count(s, string(r[0])) != strings.Count(s, string(r[1])) {
			return false
		}
	}
	return strings.Count(s, "\"")%2 == 0
}

var (
	notesNotStarted = []string{"尚未启动，正在研究制定工作方案。", "已列入下一阶段工作安排，待上级文件下发后推进。"}
	notesEarly      = []string{"%s：已制定工作方案，明确责任分工。", "%s：召开专题会议研究部署，工作已启动。", "%s：正在梳理任务清单，分解落实到科室。"}
	notesMiddle     = []string{"%s：有序推进，已完成阶段性任务。", "%s：定期调度工作进展，按时间节点推进。", "%s：开展自查自纠，发现的问题已整改。"}
	notesLagging    = []string{"%s：受疫情影响进度滞后，正在加快推进。", "%s：人员力量不足，已协调解决，正在推进。"}
	notesNearly     = []string{"%s：主体工作基本完成，正在总结完善。", "%s：已完成大部分任务，剩余工作年底前完成。"}
	notesDone       = []string{"%s：已全面完成，形成长效工作机制。", "%s：按计划完成各项任务，相关材料已归档。", "已完成全年任务，工作总结已报送。"}

	evidenceEarly  = []string{"", "工作方案.docx", "会议纪要.pdf", ""}
	evidenceMiddle = []string{"", "会议纪要.pdf", "工作台账.xlsx", "现场照片.jpg", "自查报告.docx"}
	evidenceDone   = []string{"", "工作总结.docx", "会议纪要.pdf；现场照片.zip", "总结报告.pdf"}
	evidenceTarget = []string{"签到表.pdf", "讲座照片.zip", "会议纪要.pdf"}
)

// note is a short report on a task at progress p, with done counts toward its target.
func (g *gen) note(task *plan.Task, p, done int, lag bool) (notes, evidence string) {
	pick := func(s []string) string { return s[g.rng.IntN(len(s))] }
	ts := topics(task)
	topic := ts[g.rng.IntN(len(ts))]
	var tmpl string
	switch {
	case p == 0:
		return pick(notesNotStarted), ""
	case lag:
		tmpl, evidence = pick(notesLagging), pick(evidenceEarly)
	case p <= 40:
		tmpl, evidence = pick(notesEarly), pick(evidenceEarly)
	case p < 90:
		tmpl, evidence = pick(notesMiddle), pick(evidenceMiddle)
	case p < 100:
		tmpl, evidence = pick(notesNearly), pick(evidenceMiddle)
	default:
		tmpl, evidence = pick(notesDone), pick(evidenceDone)
	}
	notes = tmpl
	if strings.Contains(tmpl, "%s") {
		notes = fmt.Sprintf(tmpl, topic)
	}
	if len(task.Targets) > 0 && done > 0 {
		t := task.Targets[0]
		notes += fmt.Sprintf("年内已开展%d%s%s。", done, t.Unit, t.What)
		evidence = pick(evidenceTarget)
	}
	return notes, evidence
}
