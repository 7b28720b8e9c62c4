package plan

import "strings"

// Reason is why a row, or a whole file, was rejected: a stable code stored in
// rejected_rows.reason_code. A Reason is an error, so a Fault's reason is found with
// errors.Is(err, plan.ReasonProgress).
type Reason string

const (
	ReasonFile        Reason = "bad_file"            // the whole file: not readable as a submission
	ReasonTaskNo      Reason = "bad_task_no"         // missing or not a number
	ReasonUnknownTask Reason = "unknown_task"        // not a task of the plan
	ReasonUnit        Reason = "unknown_unit"        // missing or not in the registry
	ReasonPeriod      Reason = "bad_period"          // missing or unreadable
	ReasonNoPlan      Reason = "no_plan_for_year"    // a period of a year the database has no plan for
	ReasonStatus      Reason = "bad_status"          // missing or not a status word
	ReasonProgress    Reason = "bad_progress"        // not a percentage in 0–100
	ReasonAchieved    Reason = "bad_achieved"        // not a non-negative count
	ReasonDate        Reason = "bad_date"            // not a date
	ReasonDuplicate   Reason = "duplicate_key"       // JSON object with the same key twice
	ReasonNotObject   Reason = "not_an_object"       // a JSON array element that is not an object
	ReasonConflict    Reason = "conflicting_columns" // two columns for the same field (完成进度 and 完成率) disagree
	ReasonExtraFields Reason = "extra_fields"        // a CSV record with more fields than its header: its cells would be lost
	ReasonSwallowed   Reason = "unclosed_quote"      // a quote left open swallows the lines after it into one cell
	// plantrack's own templates:
	ReasonWrongPlan   Reason = "wrong_plan"        // the whole file: a template made for another plan
	ReasonWrongPeriod Reason = "wrong_period"      // the whole file: a template for a period this ingest does not take
	ReasonNotAssigned Reason = "task_not_assigned" // a template row on a task its unit is not assigned
)

// Reasons are every reason, in the order pages list them when counts are equal.
var Reasons = []Reason{ReasonFile, ReasonTaskNo, ReasonUnknownTask, ReasonUnit, ReasonPeriod, ReasonNoPlan, ReasonStatus, ReasonProgress,
	ReasonAchieved, ReasonDate, ReasonDuplicate, ReasonNotObject, ReasonConflict, ReasonExtraFields, ReasonSwallowed,
	ReasonWrongPlan, ReasonWrongPeriod, ReasonNotAssigned}

// reasonLabels name each reason in a table cell.
var reasonLabels = map[Reason]string{
	ReasonFile: "文件无法读取", ReasonTaskNo: "任务序号有误", ReasonUnknownTask: "任务序号不在计划中", ReasonUnit: "填报单位不明",
	ReasonPeriod: "报告期有误", ReasonNoPlan: "该年度没有工作计划", ReasonStatus: "完成状态有误", ReasonProgress: "完成进度有误", ReasonAchieved: "完成数量有误",
	ReasonDate: "填报日期有误", ReasonDuplicate: "重复字段", ReasonNotObject: "格式有误",
	ReasonConflict: "同一栏目的两列不一致", ReasonExtraFields: "多出的栏目", ReasonSwallowed: "引号未闭合",
	ReasonWrongPlan: "非本计划的模板", ReasonWrongPeriod: "非本期的模板", ReasonNotAssigned: "非本单位的分工任务",
}

func (r Reason) Error() string { return string(r) }

// Label is the reason in a table cell: 完成进度有误.
func (r Reason) Label() string {
	if l, ok := reasonLabels[r]; ok {
		return l
	}
	return string(r)
}

// Fault is what is wrong with one value, or with a whole file: its reason code and
// the sentence saying it, in English (logs, compiler-style messages, rejected_rows.reason)
// and in Chinese (receipts, rejected_rows.reason_zh). The Chinese sentence is written
// where the problem is found, never translated back from the English.
type Fault struct {
	Reason Reason
	Text   string // English: "out of 0–100"
	// Zh is the Chinese sentence, with {col} where the column goes (「完成进度（%）」) and
	// {value} where the value goes (“120”).
	Zh string
}

func (p *Fault) Error() string { return p.Text }
func (p *Fault) Unwrap() error { return p.Reason }

// Chinese says the problem in Chinese for a column and the value found in it.
func (p *Fault) Chinese(column, value string) string {
	zh := p.Zh
	if zh == "" {
		zh = "{col}{value}有误"
		if column == "" {
			zh = "无法接收"
		}
	}
	col := ""
	if column != "" {
		col = "「" + column + "」"
	}
	return strings.NewReplacer("{col}", col, "{value}", "“"+value+"”").Replace(zh)
}

// missing is the Fault of an empty cell that must not be empty.
func missing(r Reason) *Fault {
	return &Fault{Reason: r, Text: "missing", Zh: "{col}未填写"}
}

// Missing is the Fault of an empty cell that must not be empty.
func Missing(r Reason) *Fault { return missing(r) }

// FileFault is a whole file that cannot be read as a submission (ReasonFile).
func FileFault(text, zh string) *Fault {
	return &Fault{Reason: ReasonFile, Text: text, Zh: zh}
}
