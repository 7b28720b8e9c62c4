package plan

import "strings"

// The words of the domain other than periods and reasons: statuses, unit kinds, roles,
// the columns of a submission and the flags on accepted rows, each with its Chinese
// wording. Receipts, pages, the chase list and templates all say them from here.

// Status is a report's completion status, as stored in submissions.status.
type Status string

const (
	StatusNotStarted Status = "not_started"
	StatusInProgress Status = "in_progress"
	StatusCompleted  Status = "completed"
	// StatusNoReport is an assignment with no report yet: views say it, nothing stores it.
	StatusNoReport Status = "no_report"
)

// Statuses are the stored statuses, in the order of the database's enum.
var Statuses = []Status{StatusNotStarted, StatusInProgress, StatusCompleted}

// StatusWords are the words of the templates' status drop-down, each one ParseStatus reads.
var StatusWords = []string{"未启动", "推进中", "基本完成", "已完成"}

// statusWords are the words units write for each status (DESIGN.md "Submissions").
var statusWords = map[string]Status{
	"未启动": StatusNotStarted, "未开始": StatusNotStarted, "not_started": StatusNotStarted,
	"推进中": StatusInProgress, "进行中": StatusInProgress, "正在推进": StatusInProgress, "基本完成": StatusInProgress, "in_progress": StatusInProgress,
	"已完成": StatusCompleted, "完成": StatusCompleted, "全面完成": StatusCompleted, "completed": StatusCompleted,
}

const statusHintZH = "请从下拉列表选择：未启动、推进中、基本完成、已完成"

// ParseStatus reads a status word. Its errors are Faults with ReasonStatus.
func ParseStatus(s string) (Status, error) {
	f := fold(s)
	if st, ok := statusWords[strings.ToLower(f)]; ok {
		return st, nil
	}
	if f == "" {
		return "", &Fault{Reason: ReasonStatus, Text: "missing", Zh: "{col}未填写，" + statusHintZH}
	}
	return "", &Fault{Reason: ReasonStatus, Text: "not a status: write 未启动, 推进中 or 已完成", Zh: "{col}{value}不是规定用语，" + statusHintZH}
}

// Name is the status as units write it.
func (s Status) Name() string {
	switch s {
	case StatusNotStarted:
		return "未启动"
	case StatusInProgress:
		return "推进中"
	case StatusCompleted:
		return "已完成"
	case StatusNoReport:
		return "未报送"
	}
	return string(s)
}

// KindName is a unit kind as the pages and the chase list say it.
func KindName(kind string) string {
	switch kind {
	case KindDepartment:
		return "市直部门"
	case KindCounty:
		return "县市区"
	case KindZone:
		return "开发区"
	case KindTown:
		return "乡镇（街道）"
	case KindOther:
		return "其他单位"
	}
	return kind
}

// RoleName is a role as the plan writes it: 牵头单位, 责任单位.
func RoleName(role string) string {
	if role == RoleLead {
		return "牵头单位"
	}
	return "责任单位"
}

// RoleShort is a role in a table cell: 牵头, 责任.
func RoleShort(role string) string {
	if role == RoleLead {
		return "牵头"
	}
	return "责任"
}

// Field is a column of a submission.
type Field int

const (
	FieldUnit Field = iota
	FieldPeriod
	FieldTaskNo
	FieldStatus
	FieldProgress
	FieldAchieved
	FieldNotes
	FieldEvidence
	FieldSubmittedOn
	NumFields
)

// fieldHeaders are the Chinese headers (the templates'); fieldKeys the English names,
// accepted too and used in JSON.
var (
	fieldHeaders = [NumFields]string{"填报单位", "报告期", "任务序号", "完成状态", "完成进度", "完成数量", "工作进展", "佐证材料", "填报日期"}
	fieldKeys    = [NumFields]string{"unit", "period", "task_no", "status", "progress", "achieved", "notes", "evidence", "submitted_on"}
)

// Header is the field's Chinese column header: 完成进度.
func (f Field) Header() string { return fieldHeaders[f] }

// FieldHeaders are every field's Chinese header, in field order.
func FieldHeaders() []string { return fieldHeaders[:] }

// Key is the field's English name: progress.
func (f Field) Key() string { return fieldKeys[f] }

// headerWords maps every accepted header (folded) to its field: the Chinese header, the
// English key, and the variants offices write.
var headerWords = func() map[string]Field {
	m := map[string]Field{}
	for f := range NumFields {
		m[fold(fieldHeaders[f])] = f
		m[fieldKeys[f]] = f
	}
	for w, f := range map[string]Field{
		"单位": FieldUnit, "单位名称": FieldUnit, "报送单位": FieldUnit, "责任单位": FieldUnit,
		"报告期间": FieldPeriod, "季度": FieldPeriod, "填报期间": FieldPeriod, "报送期次": FieldPeriod, "期次": FieldPeriod,
		"任务编号": FieldTaskNo, "任务号": FieldTaskNo, "task": FieldTaskNo,
		"状态": FieldStatus, "进展状态": FieldStatus, "完成情况": FieldStatus,
		"进度": FieldProgress, "完成率": FieldProgress, "完成比例": FieldProgress, "完成进度(%)": FieldProgress, "进度(%)": FieldProgress,
		"完成次数": FieldAchieved, "完成数": FieldAchieved,
		"进展情况": FieldNotes, "工作进展情况": FieldNotes, "主要进展": FieldNotes,
		"佐证": FieldEvidence, "佐证资料": FieldEvidence, "附件": FieldEvidence,
		"报送日期": FieldSubmittedOn, "填报时间": FieldSubmittedOn, "报送时间": FieldSubmittedOn,
	} {
		m[fold(w)] = f
	}
	return m
}()

// FieldOf finds the field a header cell names: "完成进度（%）" and "*任务序号" count.
func FieldOf(header string) (Field, bool) {
	k := strings.ToLower(strings.TrimLeft(fold(header), "*"))
	if f, ok := headerWords[k]; ok {
		return f, true
	}
	f, ok := headerWords[strings.TrimSuffix(k, "(%)")]
	return f, ok
}

// Flag marks an accepted row that deserves a look: accepted, counted, and listed.
type Flag string

const (
	FlagUnassigned        Flag = "unassigned"           // the plan does not assign this task to this unit: kept, not counted
	FlagCompletedNot100   Flag = "completed_not_100"    // status completed but progress below 100
	FlagNotStartedWithPct Flag = "not_started_with_pct" // status not started but progress above 0
	FlagProgressAssumed   Flag = "progress_assumed_100" // completed with no progress given: taken as 100
	FlagNoProgress        Flag = "no_progress"          // in progress with no progress given
	FlagNoDate            Flag = "no_submitted_on"      // no 填报日期: cannot be on time
	FlagUnknownField      Flag = "unknown_field"        // JSON keys plantrack does not know: kept in the file only
	FlagProgressFraction  Flag = "progress_fraction"    // progress written as a fraction (0.85, 85% typed into a number cell): read as 85
	FlagRepeated          Flag = "repeated_in_file"     // the same unit, task, period and date twice in one file: which row is meant cannot be told
	// FlagProgressBackwards is found by the report_flags model, not by ingest.
	FlagProgressBackwards Flag = "progress_backwards" // progress lower than the unit's previous report on the task
)

// flagWords are each flag's label (a table cell) and its explanation (a receipt's note).
var flagWords = map[Flag][2]string{
	FlagUnassigned:        {"计划未分配该任务", "该任务不是本单位的分工任务：已接收，但不计入统计"},
	FlagCompletedNot100:   {"已完成但进度不足100%", "状态为已完成，但完成进度不足100%"},
	FlagNotStartedWithPct: {"未启动但有进度", "状态为未启动，但完成进度大于0"},
	FlagProgressAssumed:   {"已完成未填进度（按100%计）", "未填完成进度，按已完成计为100%"},
	FlagNoProgress:        {"未填进度", "推进中但未填完成进度，按0计算"},
	FlagNoDate:            {"未填填报日期", "未填填报日期，无法判断是否按时报送"},
	FlagUnknownField:      {"含未知字段", "含有无法识别的栏目（已忽略）"},
	FlagRepeated:          {"同一文件重复报送", "同一文件中同一任务同一期有不止一行（填报日期也相同），无法判断以哪一行为准：请核对后只保留一行重新报送"},
	FlagProgressFraction:  {"进度按百分比读取", "完成进度填的是小数（如0.85，多为输入“85%”所致），已按85%读取；今后请直接填写85"},
	FlagProgressBackwards: {"进度较上期倒退", "完成进度低于本单位上一期的报送"},
}

// Label is the flag in a table cell.
func (f Flag) Label() string {
	if w, ok := flagWords[f]; ok {
		return w[0]
	}
	return string(f)
}

// Explain says in a sentence what the flag means for the unit.
func (f Flag) Explain() string {
	if w, ok := flagWords[f]; ok {
		return w[1]
	}
	return string(f)
}
