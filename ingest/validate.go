package ingest

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"plantrack/plan"
)

// field is a submission column.
type field int

const (
	fUnit field = iota
	fPeriod
	fTaskNo
	fStatus
	fProgress
	fAchieved
	fNotes
	fEvidence
	fSubmittedOn
	nFields
)

// fieldNames are the template's headers; fieldKeys the English names accepted too (and used
// in JSON).
var (
	fieldNames = [nFields]string{"填报单位", "报告期", "任务序号", "完成状态", "完成进度", "完成数量", "工作进展", "佐证材料", "填报日期"}
	fieldKeys  = [nFields]string{"unit", "period", "task_no", "status", "progress", "achieved", "notes", "evidence", "submitted_on"}
)

// headerWords maps every accepted header (folded) to its field: the template's, the English
// key, and the variants offices write.
var headerWords = func() map[string]field {
	m := map[string]field{}
	for f := range nFields {
		m[fold(fieldNames[f])] = f
		m[fieldKeys[f]] = f
	}
	for w, f := range map[string]field{
		"单位": fUnit, "单位名称": fUnit, "报送单位": fUnit, "责任单位": fUnit,
		"报告期间": fPeriod, "季度": fPeriod, "填报期间": fPeriod, "报送期次": fPeriod, "期次": fPeriod,
		"任务编号": fTaskNo, "任务号": fTaskNo, "task": fTaskNo,
		"状态": fStatus, "进展状态": fStatus, "完成情况": fStatus,
		"进度": fProgress, "完成率": fProgress, "完成比例": fProgress, "完成进度(%)": fProgress, "进度(%)": fProgress,
		"完成次数": fAchieved, "完成数": fAchieved,
		"进展情况": fNotes, "工作进展情况": fNotes, "主要进展": fNotes,
		"佐证": fEvidence, "佐证资料": fEvidence, "附件": fEvidence,
		"报送日期": fSubmittedOn, "填报时间": fSubmittedOn, "报送时间": fSubmittedOn,
	} {
		m[fold(w)] = f
	}
	return m
}()

// headerField finds the field a header cell names: "完成进度（%）" and "*任务序号" count.
func headerField(cell string) (field, bool) {
	k := strings.ToLower(strings.TrimLeft(fold(cell), "*"))
	if f, ok := headerWords[k]; ok {
		return f, true
	}
	f, ok := headerWords[strings.TrimSuffix(k, "(%)")]
	return f, ok
}

// Flags on accepted rows: accepted, counted, and worth a look.
const (
	FlagUnassigned        = "unassigned"           // the plan does not assign this task to this unit: kept, not counted
	FlagCompletedNot100   = "completed_not_100"    // status completed but progress below 100
	FlagNotStartedWithPct = "not_started_with_pct" // status not started but progress above 0
	FlagProgressAssumed   = "progress_assumed_100" // completed with no progress given: taken as 100
	FlagNoProgress        = "no_progress"          // in progress with no progress given
	FlagNoDate            = "no_submitted_on"      // no 填报日期: cannot be on time
	FlagUnknownField      = "unknown_field"        // JSON keys plantrack does not know: kept in the file only
)

// Reasons for rejection: stable codes for grouping (rejected_rows.reason_code).
const (
	ReasonFile        = "bad_file"      // the whole file: not readable as a submission
	ReasonTaskNo      = "bad_task_no"   // missing or not a number
	ReasonUnknownTask = "unknown_task"  // not a task of the plan
	ReasonUnit        = "unknown_unit"  // missing or not in the registry
	ReasonPeriod      = "bad_period"    // missing, unreadable or outside the plan year
	ReasonStatus      = "bad_status"    // missing or not a status word
	ReasonProgress    = "bad_progress"  // not a percentage in 0–100
	ReasonAchieved    = "bad_achieved"  // not a non-negative count
	ReasonDate        = "bad_date"      // not a date
	ReasonDuplicate   = "duplicate_key" // JSON object with the same key twice
	ReasonNotObject   = "not_an_object" // a JSON array element that is not an object
	// plantrack's own templates (see ingest/template.go):
	ReasonWrongPlan   = "wrong_plan"        // the whole file: a template made for another plan
	ReasonWrongPeriod = "wrong_period"      // the whole file: a template for a period this ingest does not take
	ReasonNotAssigned = "task_not_assigned" // a template row on a task its unit is not assigned
)

// record is an accepted, normalized row.
type record struct {
	unitID, unitName         string
	unitOrder                int // the unit's place in the registry: its dictionary index
	taskNo                   int32
	period                   string
	status                   string
	progress, achieved       float64
	hasProgress, hasAchieved bool
	notes, evidence          string
	submittedOn              int32 // days since 1970-01-01
	hasDate                  bool
	flags                    []string
	sheet                    string
	row                      int32
}

// Rejection is a row (or, with Row 0, a whole file) that could not be accepted.
type Rejection struct {
	File, Sheet string
	Row         int
	Column      string // the file's header for the bad value
	Value       string
	Reason      string
	Code        string
	Raw         string // JSON object: header → original text
}

// String prints a rejection like a compiler: 东阿县.xlsx:进度表:14: 完成进度 "120%": out of 0–100.
func (r Rejection) String() string {
	var b strings.Builder
	b.WriteString(r.File)
	if r.Sheet != "" {
		b.WriteString(":" + r.Sheet)
	}
	if r.Row > 0 {
		b.WriteString(":" + strconv.Itoa(r.Row))
	}
	b.WriteString(": ")
	if r.Column != "" {
		fmt.Fprintf(&b, "%s %q: ", r.Column, r.Value)
	}
	b.WriteString(r.Reason)
	return b.String()
}

// Plan is what validation checks rows against.
type Plan struct {
	Catalog     *plan.Catalog
	Registry    *plan.Registry
	Assignments []plan.Assignment
	SHA256      string // of the plan text
}

// checker validates rows against a plan. It is read-only after newChecker, so workers
// share it.
type checker struct {
	p        Plan
	dicts    *dicts
	year     string
	period   string // Options.Period: the period templates must be for, "" for any
	assigned map[assignKey]bool
	names    []string // every unit name and alias, for suggestions
}

type assignKey struct {
	task int
	unit string
}

func newChecker(p Plan) *checker {
	c := &checker{p: p, dicts: newDicts(p), year: strconv.Itoa(p.Catalog.Year), assigned: map[assignKey]bool{}}
	for _, a := range p.Assignments {
		c.assigned[assignKey{a.Task, a.UnitID}] = true
	}
	for _, u := range p.Registry.Units {
		c.names = append(c.names, u.Name)
		c.names = append(c.names, u.Aliases...)
	}
	return c
}

// layout says where each field is in a file's rows, and the values a file gives once
// (in the line above its header) for rows that lack them.
type layout struct {
	col      [nFields]int // index into the row's cells, -1 when absent
	header   []string     // the file's header cells, for messages and raw JSON
	defaults [nFields]string
}

// problem is one bad value in a row.
type problem struct {
	f      field
	value  string
	reason string
	code   string
}

// memo caches the normalizers' answers for one worker: a year of reports repeats the same
// few units, periods, statuses, dates and percentages millions of times.
type memo struct {
	task     map[string]parsed[int]
	unit     map[string]parsed[*plan.Unit]
	period   map[string]parsed[string]
	status   map[string]parsed[string]
	progress map[string]parsed[float64]
	count    map[string]parsed[float64]
	date     map[string]parsed[int32]
}

type parsed[T any] struct {
	v   T
	ok  bool // the cell was not empty
	err error
}

// memoLimit bounds each cache: a file of a million distinct misspellings must not grow it.
const memoLimit = 4096

func newMemo() *memo {
	return &memo{task: map[string]parsed[int]{}, unit: map[string]parsed[*plan.Unit]{}, period: map[string]parsed[string]{},
		status: map[string]parsed[string]{}, progress: map[string]parsed[float64]{}, count: map[string]parsed[float64]{}, date: map[string]parsed[int32]{}}
}

func lookup[T any](m map[string]parsed[T], key string, parse func(string) parsed[T]) parsed[T] {
	if p, ok := m[key]; ok {
		return p
	}
	p := parse(key)
	if len(m) < memoLimit {
		m[strings.Clone(key)] = p // the key may view a chunk being parsed
	}
	return p
}

// check turns a data row into a record or a rejection.
func (c *checker) check(l *layout, cells []string, sheet string, row int, m *memo) (record, []problem) {
	get := func(f field) string {
		if i := l.col[f]; i >= 0 && i < len(cells) && trim(cells[i]) != "" {
			return cells[i]
		}
		return l.defaults[f]
	}
	var probs []problem
	bad := func(f field, v, code string, err error) {
		probs = append(probs, problem{f: f, value: strings.Clone(v), reason: err.Error(), code: code})
	}
	rec := record{sheet: sheet, row: int32(row)}

	rawTask := get(fTaskNo)
	if t := lookup(m.task, rawTask, c.parseTask); t.err != nil {
		code := ReasonTaskNo
		if t.ok {
			code = ReasonUnknownTask
		}
		bad(fTaskNo, rawTask, code, t.err)
	} else {
		rec.taskNo = int32(t.v)
	}

	rawUnit := trim(get(fUnit))
	if u := lookup(m.unit, rawUnit, c.parseUnit); u.err != nil {
		bad(fUnit, rawUnit, ReasonUnit, u.err)
	} else {
		rec.unitID, rec.unitName, rec.unitOrder = u.v.ID, u.v.Name, u.v.Order
	}

	rawPeriod := get(fPeriod)
	if p := lookup(m.period, rawPeriod, c.parsePeriod); p.err != nil {
		bad(fPeriod, rawPeriod, ReasonPeriod, p.err)
	} else {
		rec.period = p.v
	}

	rawStatus := get(fStatus)
	if st := lookup(m.status, rawStatus, parseStatus); st.err != nil {
		bad(fStatus, rawStatus, ReasonStatus, st.err)
	} else {
		rec.status = st.v
	}

	rawProgress := get(fProgress)
	if p := lookup(m.progress, rawProgress, parseProgress); p.err != nil {
		bad(fProgress, rawProgress, ReasonProgress, p.err)
	} else {
		rec.progress, rec.hasProgress = p.v, p.ok
	}

	rawAchieved := get(fAchieved)
	if a := lookup(m.count, rawAchieved, parseCount); a.err != nil {
		bad(fAchieved, rawAchieved, ReasonAchieved, a.err)
	} else {
		rec.achieved, rec.hasAchieved = a.v, a.ok
	}

	rawDate := get(fSubmittedOn)
	if d := lookup(m.date, rawDate, parseDate); d.err != nil {
		bad(fSubmittedOn, rawDate, ReasonDate, d.err)
	} else {
		rec.submittedOn, rec.hasDate = d.v, d.ok
	}
	if len(probs) > 0 {
		return rec, probs
	}

	rec.notes = trim(get(fNotes))
	rec.evidence = trim(get(fEvidence))
	c.flag(&rec)
	return rec, nil
}

// The normalizers in the form the memo caches.

func (c *checker) parseTask(s string) parsed[int] {
	n, err := ParseTaskNo(s)
	if err != nil {
		return parsed[int]{err: err}
	}
	if c.p.Catalog.Task(n) == nil {
		return parsed[int]{ok: true, err: fmt.Errorf("the plan has tasks 1–%d", len(c.p.Catalog.Tasks))}
	}
	return parsed[int]{v: n, ok: true}
}

func (c *checker) parseUnit(s string) parsed[*plan.Unit] {
	if s == "" {
		return parsed[*plan.Unit]{err: errors.New("missing")}
	}
	if u, ok := c.p.Registry.Lookup(s); ok {
		return parsed[*plan.Unit]{v: u, ok: true}
	}
	return parsed[*plan.Unit]{ok: true, err: fmt.Errorf("unknown unit%s", c.suggest(s))}
}

func (c *checker) parsePeriod(s string) parsed[string] {
	p, err := ParsePeriod(s)
	if err == nil && p[:4] != c.year {
		err = fmt.Errorf("outside the plan year %s", c.year)
	}
	return parsed[string]{v: p, ok: true, err: err}
}

func parseStatus(s string) parsed[string] {
	st, err := ParseStatus(s)
	return parsed[string]{v: st, ok: true, err: err}
}

func parseProgress(s string) parsed[float64] {
	v, ok, err := ParseProgress(s)
	return parsed[float64]{v: v, ok: ok, err: err}
}

func parseCount(s string) parsed[float64] {
	v, ok, err := ParseCount(s)
	return parsed[float64]{v: v, ok: ok, err: err}
}

// parseDate gives days since 1970-01-01; an empty cell is no error (the row is flagged).
func parseDate(s string) parsed[int32] {
	if strings.TrimSpace(s) == "" {
		return parsed[int32]{}
	}
	d, err := ParseDate(s)
	if err != nil {
		return parsed[int32]{ok: true, err: err}
	}
	return parsed[int32]{v: int32(d.Unix() / 86400), ok: true}
}

// flag marks accepted rows that contradict themselves or the plan, and fills progress
// where the status implies it.
func (c *checker) flag(rec *record) {
	switch {
	case rec.status == Completed && !rec.hasProgress:
		rec.progress, rec.hasProgress = 100, true
		rec.flags = append(rec.flags, FlagProgressAssumed)
	case rec.status == NotStarted && !rec.hasProgress:
		rec.progress, rec.hasProgress = 0, true
	case rec.status == InProgress && !rec.hasProgress:
		rec.flags = append(rec.flags, FlagNoProgress)
	case rec.status == Completed && rec.progress < 100:
		rec.flags = append(rec.flags, FlagCompletedNot100)
	case rec.status == NotStarted && rec.progress > 0:
		rec.flags = append(rec.flags, FlagNotStartedWithPct)
	}
	if !rec.hasDate {
		rec.flags = append(rec.flags, FlagNoDate)
	}
	if !c.assigned[assignKey{int(rec.taskNo), rec.unitID}] {
		rec.flags = append(rec.flags, FlagUnassigned)
	}
}

// suggest names the closest registry name to a misspelt unit, if one is close.
func (c *checker) suggest(s string) string {
	best, bestD := "", 3
	rs := []rune(fold(s))
	for _, n := range c.names {
		nr := []rune(n)
		// One edit in a short name, two in a long one: 市外星局 is not 市教体局.
		limit := min(bestD, max(2, len(nr)/3+1))
		if d := editDistance(rs, nr, limit); d < limit {
			best, bestD = n, d
		}
	}
	if best == "" {
		return ""
	}
	if u, ok := c.p.Registry.Lookup(best); ok && u.Name != best {
		return fmt.Sprintf(" (did you mean %s, %s?)", best, u.Name)
	}
	return fmt.Sprintf(" (did you mean %s?)", best)
}

// editDistance is the Levenshtein distance, giving up (returning limit) once it reaches limit.
func editDistance(a, b []rune, limit int) int {
	if d := len(a) - len(b); d >= limit || -d >= limit {
		return limit
	}
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		rowMin := cur[0]
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			rowMin = min(rowMin, cur[j])
		}
		if rowMin >= limit {
			return limit
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

// rejection builds the stored rejection for a row's problems: the first problem's column
// and value, every problem in the reason.
func (l *layout) rejection(file, sheet string, row int, cells []string, probs []problem) Rejection {
	first := probs[0]
	var reasons []string
	for i, p := range probs {
		if i == 0 {
			reasons = append(reasons, p.reason)
			continue
		}
		reasons = append(reasons, fmt.Sprintf("%s %q: %s", l.columnName(p.f), p.value, p.reason))
	}
	return Rejection{File: file, Sheet: sheet, Row: row, Column: l.columnName(first.f), Value: first.value,
		Reason: strings.Join(reasons, "; "), Code: first.code, Raw: rawJSON(l.header, cells)}
}

// columnName is the file's own header for a field, or the template's when the value came
// from the line above the header.
func (l *layout) columnName(f field) string {
	if i := l.col[f]; i >= 0 && i < len(l.header) {
		return strings.TrimSpace(l.header[i])
	}
	return fieldNames[f]
}

// rawJSON keeps a whole original row as a JSON object in the file's column order.
func rawJSON(header, cells []string) string {
	var b strings.Builder
	b.WriteByte('{')
	n := max(len(header), len(cells))
	for i := range n {
		h := ""
		if i < len(header) {
			h = strings.TrimSpace(header[i])
		}
		if h == "" {
			h = "column " + strconv.Itoa(i+1)
		}
		v := ""
		if i < len(cells) {
			v = cells[i]
		}
		if i > 0 {
			b.WriteByte(',')
		}
		k, _ := json.Marshal(h)
		val, _ := json.Marshal(v)
		b.Write(k)
		b.WriteByte(':')
		b.Write(val)
	}
	b.WriteByte('}')
	return b.String()
}

// rowKind sorts the rows of a sheet that are not submissions from those that are.
type rowKind int

const (
	dataRow  rowKind = iota
	blankRow         // nothing in it
	noteRow          // 注：… / 说明 / 填表说明 below the data
	totalRow         // 合计 / 小计 / 总计
)

var totalWords = []string{"合计", "小计", "总计", "总计:", "合计:"}

func classify(l *layout, cells []string) rowKind {
	// Nearly every row has a plain task number: decide those without looking further.
	if i := l.col[fTaskNo]; i >= 0 && i < len(cells) && plainNumber(cells[i]) {
		return dataRow
	}
	var first string
	nonEmpty := 0
	for _, c := range cells {
		if strings.TrimSpace(c) != "" {
			if nonEmpty == 0 {
				first = fold(c)
			}
			nonEmpty++
		}
	}
	if nonEmpty == 0 {
		return blankRow
	}
	task := ""
	if i := l.col[fTaskNo]; i >= 0 && i < len(cells) {
		task = strings.TrimSpace(cells[i])
	}
	if _, err := ParseTaskNo(task); err == nil {
		return dataRow
	}
	for _, c := range cells {
		if slices.Contains(totalWords, fold(c)) {
			return totalRow
		}
	}
	// The task cell holds no number here: a row opening with 注 or 填表人 is a note.
	for _, p := range []string{"注", "说明", "备注", "填表说明", "填报说明", "填表人", "审核人", "联系人", "联系电话"} {
		if strings.HasPrefix(first, p) {
			return noteRow
		}
	}
	return dataRow
}

// plainNumber: one to three ASCII digits, nothing else.
func plainNumber(s string) bool {
	if len(s) == 0 || len(s) > 3 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// trim is strings.TrimSpace with a fast answer for the usual cell, which has no space at
// either end.
func trim(s string) string {
	if s == "" {
		return s
	}
	first, last := s[0], s[len(s)-1]
	if first > ' ' && first < utf8.RuneSelf && last > ' ' && last < utf8.RuneSelf {
		return s
	}
	if r, _ := utf8.DecodeRuneInString(s); !unicode.IsSpace(r) && r != '\uFEFF' {
		if r, _ := utf8.DecodeLastRuneInString(s); !unicode.IsSpace(r) {
			return s
		}
	}
	return strings.TrimSpace(s)
}
