package ingest

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

// What a receipt (回执) tells a unit, in Chinese: every reason code and every flag maps to
// a sentence here, and nowhere else. The stored reasons stay English, with stable codes.

// ReasonChinese says in Chinese why a row, or a whole file, was rejected. code, column and
// value are those of the first problem (as rejected_rows stores them); reason is the
// English reason, which also names any further problems of the row ("; 完成状态 "x": …").
func ReasonChinese(code, column, value, reason string) string {
	first, rest := splitReason(reason)
	out := []string{reasonZH(code, column, value, first)}
	for _, p := range rest {
		out = append(out, reasonZH(codeOf(p.column, p.reason), p.column, p.value, p.reason))
	}
	return strings.Join(out, "；")
}

// FlagChinese explains an accepted row's flag in Chinese.
func FlagChinese(flag string) string {
	switch flag {
	case FlagUnassigned:
		return "该任务不是本单位的分工任务：已接收，但不计入统计"
	case FlagCompletedNot100:
		return "状态为已完成，但完成进度不足100%"
	case FlagNotStartedWithPct:
		return "状态为未启动，但完成进度大于0"
	case FlagProgressAssumed:
		return "未填完成进度，按已完成计为100%"
	case FlagNoProgress:
		return "推进中但未填完成进度，按0计算"
	case FlagNoDate:
		return "未填填报日期，无法判断是否按时报送"
	case FlagUnknownField:
		return "含有无法识别的栏目（已忽略）"
	}
	return flag
}

// StatusChinese is a stored status as units write it.
func StatusChinese(status string) string {
	switch status {
	case NotStarted:
		return "未启动"
	case InProgress:
		return "推进中"
	case Completed:
		return "已完成"
	}
	return status
}

type laterProblem struct{ column, value, reason string }

// splitReason takes apart a reason as layout.rejection joins them: the first problem's
// reason, then `column "value": reason` for each further one.
func splitReason(reason string) (string, []laterProblem) {
	first, rest, ok := strings.Cut(reason, "; ")
	if !ok {
		return reason, nil
	}
	var out []laterProblem
	for rest != "" {
		col, after, ok := strings.Cut(rest, ` "`)
		if !ok {
			break
		}
		q, err := strconv.QuotedPrefix(`"` + after)
		if err != nil {
			break
		}
		v, _ := strconv.Unquote(q)
		after = strings.TrimPrefix(after[len(q)-1:], ": ")
		r, next, _ := strings.Cut(after, "; ")
		out = append(out, laterProblem{column: col, value: v, reason: r})
		rest = next
	}
	return first, out
}

// codeOf is the reason code of a later problem: its column's field decides it.
func codeOf(column, reason string) string {
	f, ok := headerField(column)
	if !ok {
		return ""
	}
	switch f {
	case fTaskNo:
		switch {
		case strings.Contains(reason, "not assigned"):
			return ReasonNotAssigned
		case strings.HasPrefix(reason, "the plan has tasks"):
			return ReasonUnknownTask
		}
		return ReasonTaskNo
	case fUnit:
		return ReasonUnit
	case fPeriod:
		return ReasonPeriod
	case fStatus:
		return ReasonStatus
	case fProgress:
		return ReasonProgress
	case fAchieved:
		return ReasonAchieved
	case fSubmittedOn:
		return ReasonDate
	}
	return ""
}

var (
	planTasksRE  = regexp.MustCompile(`the plan has tasks (\d+)–(\d+)`)
	suggestRE    = regexp.MustCompile(`did you mean ([^,?]+)`)
	takesRE      = regexp.MustCompile(`this ingest takes (\d{4}Q[1-4])`)
	unitTmplRE   = regexp.MustCompile(`^the template's unit`)
	statusListZH = "请从下拉列表选择：未启动、推进中、基本完成、已完成"
)

// reasonZH is one problem in Chinese.
func reasonZH(code, column, value, reason string) string {
	missing := reason == "missing"
	col := func(def string) string {
		if column != "" {
			return "「" + column + "」"
		}
		return "「" + def + "」"
	}
	v := "“" + value + "”"
	switch code {
	case ReasonTaskNo:
		if missing {
			return col("任务序号") + "未填写"
		}
		return col("任务序号") + v + "不是任务序号，请填写数字"
	case ReasonUnknownTask:
		if m := planTasksRE.FindStringSubmatch(reason); m != nil {
			return fmt.Sprintf("%s%s不在工作计划中（计划共第%s–%s项任务）", col("任务序号"), v, m[1], m[2])
		}
		return col("任务序号") + v + "不在工作计划中"
	case ReasonNotAssigned:
		return fmt.Sprintf("第%s项任务不是本单位的分工任务：模板只收本单位的任务，请勿增加或改动任务行", strings.TrimSpace(value))
	case ReasonUnit:
		switch {
		case missing:
			return col("填报单位") + "未填写"
		case unitTmplRE.MatchString(reason):
			return "模板中的单位" + v + "不在单位名录中，请使用市司法局下发的模板"
		}
		s := col("填报单位") + v + "不在单位名录中，请填写单位全称"
		if m := suggestRE.FindStringSubmatch(reason); m != nil {
			s += "（是否为“" + strings.TrimSpace(m[1]) + "”？）"
		}
		return s
	case ReasonPeriod:
		switch {
		case missing:
			return col("报告期") + "未填写"
		case strings.HasPrefix(reason, "outside the plan year"):
			return col("报告期") + v + "不在本计划年度内"
		case strings.HasPrefix(reason, "month"):
			return col("报告期") + v + "的月份不存在"
		}
		return col("报告期") + v + "无法识别，请写成“2021年第二季度”或“2021Q2”"
	case ReasonStatus:
		if missing {
			return col("完成状态") + "未填写，" + statusListZH
		}
		return col("完成状态") + v + "不是规定用语，" + statusListZH
	case ReasonProgress:
		if strings.HasPrefix(reason, "out of") {
			return col("完成进度") + v + "超出0–100的范围"
		}
		return col("完成进度") + v + "不是数字，请填写0到100之间的整数"
	case ReasonAchieved:
		if reason == "negative" {
			return col("完成数量") + v + "不能为负数"
		}
		return col("完成数量") + v + "不是数字，请填写整数，如2"
	case ReasonDate:
		switch {
		case reason == "no such date":
			return col("填报日期") + v + "不是存在的日期"
		case strings.HasPrefix(reason, "year"):
			return col("填报日期") + v + "的年份有误"
		}
		return col("填报日期") + v + "无法识别，请写成“2021-07-05”或“2021年7月5日”"
	case ReasonDuplicate:
		return "栏目" + col("") + "在同一条记录中出现了两次，不知以哪个为准"
	case ReasonNotObject:
		return "这一项不是一条记录（应为 JSON 对象）"
	case ReasonWrongPlan:
		return "这不是本工作计划的模板（可能是往年或其他计划的模板），请使用市司法局本期下发的模板重新填报"
	case ReasonWrongPeriod:
		if m := takesRE.FindStringSubmatch(reason); m != nil {
			return fmt.Sprintf("这是%s的模板，本次收取的是%s的报表，请使用本期下发的模板重新填报", periodZH(value), periodZH(m[1]))
		}
		return fmt.Sprintf("这是%s的模板，不在本计划年度内，请使用本期下发的模板重新填报", periodZH(value))
	case ReasonFile:
		return fileReasonZH(reason)
	}
	if column != "" {
		return col("") + v + "有误"
	}
	return "无法接收"
}

// periodZH writes a canonical period as 2021年第二季度.
func periodZH(p string) string {
	if len(p) == 6 && p[4] == 'Q' && p[5] >= '1' && p[5] <= '4' {
		return p[:4] + "年第" + []string{"一", "二", "三", "四"}[p[5]-'1'] + "季度"
	}
	return p
}

// fileReasonZH says why a whole file (or sheet) could not be read.
func fileReasonZH(reason string) string {
	switch {
	case strings.Contains(reason, "Excel 97-2003"):
		return "这是旧版 Excel（.xls）文件，请在 Excel 中另存为 .xlsx 后重新报送"
	case strings.Contains(reason, "a text file"):
		return "文件名是 .xlsx，内容却是文本（可能是改了扩展名的 CSV），请改名为 .csv 或另存为 .xlsx"
	case strings.Contains(reason, "not an xlsx workbook"), strings.Contains(reason, "unreadable workbook"):
		return "文件不是有效的 Excel 工作簿，请重新保存后报送"
	case strings.Contains(reason, "would unpack to"):
		return "文件过大，不像是一份进度报表，请检查后重新报送"
	case strings.Contains(reason, "GBK/GB18030"), strings.Contains(reason, "bad UTF-8"):
		return "文件编码损坏（部分文字已丢失），请从原始文件重新保存后报送"
	case strings.Contains(reason, "no header row"), strings.Contains(reason, "no sheet has a header row"):
		return "未找到表头行（应有“任务序号”“完成状态”等栏目），请使用下发的模板填报"
	case strings.Contains(reason, " column and no "):
		if m := regexp.MustCompile(`^no (\S+) column`).FindStringSubmatch(reason); m != nil {
			return "缺少“" + m[1] + "”栏目，请使用下发的模板填报"
		}
	case strings.Contains(reason, "not a JSON array"), strings.Contains(reason, "unreadable JSON"):
		return "JSON 文件格式有误：应为由记录组成的数组"
	case strings.Contains(reason, "unreadable CSV"):
		return "CSV 文件格式有误（引号不配对等），请重新导出"
	case strings.Contains(reason, "template version"):
		return "模板版本比本系统新，请联系市司法局"
	case strings.Contains(reason, "template"):
		return "模板的隐藏信息已损坏，请使用市司法局下发的模板重新填报"
	}
	return "文件无法作为进度报表读取，请使用下发的模板重新填报"
}
