package ingest

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"plantrack/plan"
	"plantrack/store"
)

// record is an accepted, normalized row.
type record struct {
	unitID, unitName         string
	unitOrder                int // the unit's place in the registry: its dictionary index
	taskNo                   int32
	period                   plan.Period
	periodIdx                int8       // the period's place in the batches' period dictionary
	assigned                 *assignSet // the assignments of the period's plan year
	status                   plan.Status
	progress, achieved       float64
	hasProgress, hasAchieved bool
	notes, evidence          string
	submittedOn              int32 // days since 1970-01-01
	hasDate                  bool
	flags                    []plan.Flag
	sheet                    string
	row                      int32
}

// checker validates rows against the plans of the database, each report against the plan
// of its period's year. It is read-only after newChecker, so workers share it.
type checker struct {
	y        *plan.Years
	dicts    *dicts
	period   plan.Period // Options.Period: the period templates must be for, "" for any
	assigned map[assignKey]bool
	byYear   map[int]*assignSet // the same, as a set by unit order and task: what every row asks
	names    []string           // every unit name and alias, for suggestions
}

// assignSet is a plan year's assignments: a bit for each (unit, task), the unit by its
// place in the registry (plan.Unit.Order).
type assignSet struct {
	tasks int // the highest task number assigned
	bits  []uint64
}

func (s *assignSet) add(unit, task int) {
	i := unit*(s.tasks+1) + task
	for i/64 >= len(s.bits) {
		s.bits = append(s.bits, 0)
	}
	s.bits[i/64] |= 1 << (i % 64)
}

func (s *assignSet) has(unit int, task int32) bool {
	if s == nil || task < 0 || int(task) > s.tasks {
		return false
	}
	i := unit*(s.tasks+1) + int(task)
	return i/64 < len(s.bits) && s.bits[i/64]&(1<<(i%64)) != 0
}

type assignKey struct {
	year, task int
	unit       string
}

func newChecker(y *plan.Years) *checker {
	c := &checker{y: y, dicts: newDicts(y), assigned: map[assignKey]bool{}, byYear: map[int]*assignSet{}}
	for _, p := range y.Plans {
		set := &assignSet{}
		for _, a := range p.Assignments {
			c.assigned[assignKey{p.Catalog.Year, a.Task, a.UnitID}] = true
			set.tasks = max(set.tasks, a.Task)
		}
		for _, a := range p.Assignments {
			if u, ok := y.Registry.ByID(a.UnitID); ok && a.Task >= 0 {
				set.add(u.Order, a.Task)
			}
		}
		c.byYear[p.Catalog.Year] = set
	}
	for _, u := range y.Registry.Units {
		c.names = append(c.names, u.Name)
		c.names = append(c.names, u.Aliases...)
	}
	return c
}

// layout says where each field is in a file's rows, and the values a file gives once
// (in the line above its header) for rows that lack them.
type layout struct {
	col      [plan.NumFields]int // index into the row's cells, -1 when absent
	header   []string            // the file's header cells, for messages and raw JSON
	defaults [plan.NumFields]string
	// also are further columns naming a field (完成进度 and 完成率; 填报单位 and 单位名称):
	// they must agree with the first, or the row is rejected.
	also    [plan.NumFields][]int
	hasAlso bool
}

// name records that column i names field f: the first such column is the field's, any
// other must agree with it.
func (l *layout) name(f plan.Field, i int) {
	if l.col[f] < 0 {
		l.col[f] = i
		return
	}
	l.also[f] = append(l.also[f], i)
	l.hasAlso = true
}

// reportFields are the fields that make a row a report: a row with none of them filled
// (a task row of a template left blank, a list of tasks with nothing said) is not one.
var reportFields = []plan.Field{plan.FieldStatus, plan.FieldProgress, plan.FieldAchieved, plan.FieldNotes, plan.FieldEvidence}

// unfilled: the row says nothing of any task's progress.
func (l *layout) unfilled(cells []string) bool {
	for _, f := range reportFields {
		if cell(cells, l.col[f]) != "" {
			return false
		}
		for _, i := range l.also[f] {
			if cell(cells, i) != "" {
				return false
			}
		}
	}
	return true
}

// cell is the trimmed text of column i of a row ("" when the row is shorter).
func cell(cells []string, i int) string {
	if i >= 0 && i < len(cells) {
		return trim(cells[i])
	}
	return ""
}

// problem is one bad value in a row.
type problem struct {
	f     plan.Field
	value string
	fault *plan.Fault
}

// memo caches the normalizers' answers for one worker: a year of reports repeats the same
// few units, periods, statuses, dates and percentages millions of times.
type memo struct {
	task     map[string]parsed[int]
	unit     map[string]parsed[*plan.Unit]
	period   map[string]parsed[periodInfo]
	status   map[string]parsed[plan.Status]
	progress map[string]parsed[float64]
	count    map[string]parsed[float64]
	date     map[string]parsed[int32]
}

type parsed[T any] struct {
	v   T
	ok  bool        // the cell was not empty
	err *plan.Fault // what is wrong with it
}

// memoLimit bounds each cache: a file of a million distinct misspellings must not grow it.
const memoLimit = 4096

func newMemo() *memo {
	return &memo{task: map[string]parsed[int]{}, unit: map[string]parsed[*plan.Unit]{}, period: map[string]parsed[periodInfo]{},
		status: map[string]parsed[plan.Status]{}, progress: map[string]parsed[float64]{}, count: map[string]parsed[float64]{}, date: map[string]parsed[int32]{}}
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
	get := func(f plan.Field) string {
		if i := l.col[f]; i >= 0 && i < len(cells) && trim(cells[i]) != "" {
			return cells[i]
		}
		if l.hasAlso {
			for _, i := range l.also[f] {
				if v := cell(cells, i); v != "" {
					return v
				}
			}
		}
		return l.defaults[f]
	}
	var probs []problem
	bad := func(f plan.Field, v string, fault *plan.Fault) {
		probs = append(probs, problem{f: f, value: strings.Clone(v), fault: fault})
	}
	rec := record{sheet: sheet, row: int32(row)}
	if l.hasAlso {
		probs = c.conflicts(l, cells, m)
	}

	rawTask := get(plan.FieldTaskNo)
	if t := lookup(m.task, rawTask, c.parseTask); t.err != nil {
		bad(plan.FieldTaskNo, rawTask, t.err)
	} else {
		rec.taskNo = int32(t.v)
	}

	rawUnit := trim(get(plan.FieldUnit))
	if u := lookup(m.unit, rawUnit, c.parseUnit); u.err != nil {
		bad(plan.FieldUnit, rawUnit, u.err)
	} else {
		rec.unitID, rec.unitName, rec.unitOrder = u.v.ID, u.v.Name, u.v.Order
	}

	rawPeriod := get(plan.FieldPeriod)
	if p := lookup(m.period, rawPeriod, c.parsePeriod); p.err != nil {
		bad(plan.FieldPeriod, rawPeriod, p.err)
	} else {
		rec.period, rec.periodIdx, rec.assigned = p.v.p, p.v.idx, p.v.assigned
		// The task is one of the plan of the period's year.
		if cat := p.v.catalog; rec.taskNo > 0 && cat.Task(int(rec.taskNo)) == nil {
			bad(plan.FieldTaskNo, rawTask, unknownTask(p.v.year, len(cat.Tasks)))
		}
	}

	rawStatus := get(plan.FieldStatus)
	if st := lookup(m.status, rawStatus, parseStatus); st.err != nil {
		bad(plan.FieldStatus, rawStatus, st.err)
	} else {
		rec.status = st.v
	}

	rawProgress := get(plan.FieldProgress)
	if p := lookup(m.progress, rawProgress, parseProgress); p.err != nil {
		bad(plan.FieldProgress, rawProgress, p.err)
	} else {
		rec.progress, rec.hasProgress = p.v, p.ok
	}

	rawAchieved := get(plan.FieldAchieved)
	if a := lookup(m.count, rawAchieved, parseCount); a.err != nil {
		bad(plan.FieldAchieved, rawAchieved, a.err)
	} else {
		rec.achieved, rec.hasAchieved = a.v, a.ok
	}

	rawDate := get(plan.FieldSubmittedOn)
	if d := lookup(m.date, rawDate, parseDate); d.err != nil {
		bad(plan.FieldSubmittedOn, rawDate, d.err)
	} else {
		rec.submittedOn, rec.hasDate = d.v, d.ok
	}
	if len(probs) > 0 {
		return rec, probs
	}

	rec.notes = trim(get(plan.FieldNotes))
	rec.evidence = trim(get(plan.FieldEvidence))
	c.flag(&rec)
	return rec, nil
}

// conflicts finds the fields whose columns disagree: two cells that say different things
// (after reading: "85%" and "85" agree, as do 东阿县 and its alias), both filled in.
func (c *checker) conflicts(l *layout, cells []string, m *memo) []problem {
	var probs []problem
	for f := range plan.NumFields {
		if len(l.also[f]) == 0 {
			continue
		}
		first, firstCol := cell(cells, l.col[f]), l.col[f]
		for _, i := range l.also[f] {
			v := cell(cells, i)
			if v == "" {
				continue
			}
			if first == "" {
				first, firstCol = v, i
				continue
			}
			if c.agree(f, first, v, m) {
				continue
			}
			if f == plan.FieldUnit && lookup(m.unit, v, c.parseUnit).err != nil {
				continue // a 责任单位 column may list the plan's units: only a unit can disagree
			}
			a, b := strings.TrimSpace(l.header[firstCol]), strings.TrimSpace(l.header[i])
			probs = append(probs, problem{f: f, value: strings.Clone(first), fault: &plan.Fault{Reason: plan.ReasonConflict,
				Text: fmt.Sprintf("disagrees with %s %q: which one is meant?", b, v),
				Zh:   fmt.Sprintf("「%s」“%s”与「%s」“%s”不一致，不知以哪个为准", a, first, b, v)}})
			break
		}
	}
	return probs
}

// agree reports whether two cells of the same field say the same thing.
func (c *checker) agree(f plan.Field, a, b string, m *memo) bool {
	if fold(a) == fold(b) {
		return true
	}
	switch f {
	case plan.FieldUnit:
		return sameParse(m.unit, a, b, c.parseUnit)
	case plan.FieldPeriod:
		return sameParse(m.period, a, b, c.parsePeriod)
	case plan.FieldStatus:
		return sameParse(m.status, a, b, parseStatus)
	case plan.FieldTaskNo:
		return sameParse(m.task, a, b, c.parseTask)
	case plan.FieldProgress:
		return sameParse(m.progress, a, b, parseProgress)
	case plan.FieldAchieved:
		return sameParse(m.count, a, b, parseCount)
	case plan.FieldSubmittedOn:
		return sameParse(m.date, a, b, parseDate)
	}
	return false // notes and evidence: only the same text agrees
}

// sameParse: both cells read without fault, to the same value.
func sameParse[T comparable](cache map[string]parsed[T], a, b string, parse func(string) parsed[T]) bool {
	x, y := lookup(cache, a, parse), lookup(cache, b, parse)
	return x.err == nil && y.err == nil && x.v == y.v
}

// The normalizers in the form the memo caches.

// parseTask reads a task number; whether the plan of the report's year has it is checked
// once the period is known.
func (c *checker) parseTask(s string) parsed[int] {
	n, err := ParseTaskNo(s)
	if err != nil {
		return parsed[int]{err: asFault(err)}
	}
	return parsed[int]{v: n, ok: true}
}

func (c *checker) parseUnit(s string) parsed[*plan.Unit] {
	if s == "" {
		return parsed[*plan.Unit]{err: plan.Missing(plan.ReasonUnit)}
	}
	if u, ok := c.y.Registry.Lookup(s); ok {
		return parsed[*plan.Unit]{v: u, ok: true}
	}
	f := &plan.Fault{Reason: plan.ReasonUnit, Text: "unknown unit", Zh: "{col}{value}不在单位名录中，请填写单位全称"}
	if name, canonical := c.suggest(s); name != "" {
		if canonical != name {
			f.Text = fmt.Sprintf("unknown unit (did you mean %s, %s?)", name, canonical)
		} else {
			f.Text = fmt.Sprintf("unknown unit (did you mean %s?)", name)
		}
		f.Zh += "（是否为“" + name + "”？）"
	}
	return parsed[*plan.Unit]{ok: true, err: f}
}

// periodInfo is a period read from a cell, with what rows of it need of their plan year:
// found once per distinct cell (the memo keeps it), not once per row.
type periodInfo struct {
	p        plan.Period
	year     int
	catalog  *plan.Catalog
	idx      int8       // its place in the batches' period dictionary (dicts.periods)
	assigned *assignSet // the year's assignments
}

func (c *checker) parsePeriod(s string) parsed[periodInfo] {
	p, err := plan.ParsePeriod(s)
	if err != nil {
		return parsed[periodInfo]{ok: true, err: asFault(err)}
	}
	pi := periodInfo{p: p, year: p.Year()}
	b := c.y.Year(pi.year)
	if b == nil {
		return parsed[periodInfo]{v: pi, ok: true, err: noPlan(p, c.y)}
	}
	pi.catalog, pi.idx, pi.assigned = b.Catalog, int8(c.dicts.periodIndex[p]), c.byYear[pi.year]
	return parsed[periodInfo]{v: pi, ok: true}
}

func parseStatus(s string) parsed[plan.Status] {
	st, err := plan.ParseStatus(s)
	return parsed[plan.Status]{v: st, ok: true, err: asFault(err)}
}

func parseProgress(s string) parsed[float64] {
	v, ok, err := ParseProgress(s)
	return parsed[float64]{v: v, ok: ok, err: asFault(err)}
}

func parseCount(s string) parsed[float64] {
	v, ok, err := ParseCount(s)
	return parsed[float64]{v: v, ok: ok, err: asFault(err)}
}

// parseDate gives days since 1970-01-01; an empty cell is no error (the row is flagged).
func parseDate(s string) parsed[int32] {
	if strings.TrimSpace(s) == "" {
		return parsed[int32]{}
	}
	d, err := plan.ParseDate(s)
	if err != nil {
		return parsed[int32]{ok: true, err: asFault(err)}
	}
	return parsed[int32]{v: int32(d.Unix() / 86400), ok: true}
}

// asFault is a normalizer's error as the Fault it is (nil for none).
func asFault(err error) *plan.Fault {
	if err == nil {
		return nil
	}
	if f, ok := errors.AsType[*plan.Fault](err); ok {
		return f
	}
	return &plan.Fault{Reason: plan.ReasonFile, Text: err.Error()}
}

// flag marks accepted rows that contradict themselves or the plan, and fills progress
// where the status implies it.
func (c *checker) flag(rec *record) {
	// A progress between 0 and 1 is a fraction: 85% typed into a number cell (LibreOffice
	// and WPS store 0.85), or 0.85 written for 85%. Progress of under one percent is
	// not what units report; a completed task at 1 is 100% typed the same way.
	if rec.hasProgress && ((rec.progress > 0 && rec.progress < 1) || (rec.progress == 1 && rec.status == plan.StatusCompleted)) {
		rec.progress = math.Round(rec.progress*100*1e9) / 1e9
		rec.flags = append(rec.flags, plan.FlagProgressFraction)
	}
	switch {
	case rec.status == plan.StatusCompleted && !rec.hasProgress:
		rec.progress, rec.hasProgress = 100, true
		rec.flags = append(rec.flags, plan.FlagProgressAssumed)
	case rec.status == plan.StatusNotStarted && !rec.hasProgress:
		rec.progress, rec.hasProgress = 0, true
	case rec.status == plan.StatusInProgress && !rec.hasProgress:
		rec.flags = append(rec.flags, plan.FlagNoProgress)
	case rec.status == plan.StatusCompleted && rec.progress < 100:
		rec.flags = append(rec.flags, plan.FlagCompletedNot100)
	case rec.status == plan.StatusNotStarted && rec.progress > 0:
		rec.flags = append(rec.flags, plan.FlagNotStartedWithPct)
	}
	if !rec.hasDate {
		rec.flags = append(rec.flags, plan.FlagNoDate)
	}
	if !rec.assigned.has(rec.unitOrder, rec.taskNo) {
		rec.flags = append(rec.flags, plan.FlagUnassigned)
	}
}

// suggest names the closest registry name (or alias) to a misspelt unit, if one is close,
// and the unit's canonical name.
func (c *checker) suggest(s string) (name, canonical string) {
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
		return "", ""
	}
	if u, ok := c.y.Registry.Lookup(best); ok {
		return best, u.Name
	}
	return best, best
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
// and value, every problem in the reason, in English and in Chinese.
func (l *layout) rejection(file, sheet string, row int, cells []string, probs []problem) store.Rejection {
	first := probs[0]
	var reasons, zh []string
	for i, p := range probs {
		col := l.columnName(p.f)
		zh = append(zh, p.fault.Chinese(col, p.value))
		if i == 0 {
			reasons = append(reasons, p.fault.Text)
			continue
		}
		reasons = append(reasons, fmt.Sprintf("%s %q: %s", col, p.value, p.fault.Text))
	}
	return store.Rejection{File: file, Sheet: sheet, Row: row, Column: l.columnName(first.f), Value: first.value,
		Reason: strings.Join(reasons, "; "), ReasonZh: strings.Join(zh, "；"), Code: string(first.fault.Reason), Raw: rawJSON(l.header, cells)}
}

// columnName is the file's own header for a field, or the template's when the value came
// from the line above the header.
func (l *layout) columnName(f plan.Field) string {
	if i := l.col[f]; i >= 0 && i < len(l.header) {
		return strings.TrimSpace(l.header[i])
	}
	return f.Header()
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
	if i := l.col[plan.FieldTaskNo]; i >= 0 && i < len(cells) && plainNumber(cells[i]) {
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
	if i := l.col[plan.FieldTaskNo]; i >= 0 && i < len(cells) {
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

// trim is strings.TrimSpace with a fast answer for the usual cell, which begins and ends
// with a character that cannot be a space (a letter, a digit, a Chinese character).
func trim(s string) string {
	if s == "" || (!spaceLead(s[0]) && !spaceLead(s[lastRuneStart(s)])) {
		return s
	}
	return strings.TrimSpace(s)
}

// spaceLead: c may begin a white space character: an ASCII control or space, or the lead
// byte of U+0085 and U+00A0 (C2), U+1680 (E1), U+2000–U+205F (E2) or U+3000 (E3). Any
// other byte begins a character that is not a space (or is not UTF-8, which TrimSpace
// keeps too).
func spaceLead(c byte) bool { return c <= ' ' || c == 0xC2 || (c >= 0xE1 && c <= 0xE3) }

// lastRuneStart is where the last character of s (not empty) begins.
func lastRuneStart(s string) int {
	i := len(s) - 1
	for i > 0 && len(s)-i < utf8.UTFMax && s[i]&0xC0 == 0x80 {
		i--
	}
	return i
}
