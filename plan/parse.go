package plan

import (
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/encoding/simplifiedchinese"
)

// Parse reads a plan document. Plans number their parts in up to three levels, in this
// order: chapters 一、 二、 …; parts （一）（二）…; items 1. 2. …. A level may be missing,
// and a level's numbering may run on through the plan or restart under each part above it.
// The tasks are the numbered items that name their units: bracketed 〔牵头单位:…;责任单位:…〕
// after the text (as in the Liaocheng 2021 plan), or lines 牵头单位：… 责任单位：… (配合单位 is
// a responsible unit; 责任单位 alone is fine). What stands before the first 一、 (a 通知, its
// 主送 line, the title) is the preamble; chapters whose items name no units (一、总体要求,
// 三、保障措施) hold no tasks.
//
// The catalog's sections are the parts that hold tasks directly: the chapters in a
// two-level plan, the （一） parts of a three-level one (a chapter whose tasks sit right
// under it, beside chapters split into （一） parts, is a section of its own). Sections and
// tasks are numbered 1… in plan order, whatever their own labels.
//
// Nothing is dropped quietly: a number out of sequence (a gap, a repeat), a numbered item
// that cannot be placed, units that belong to no numbered item and a task without units
// are errors with their line. It tolerates the noise of a PDF-to-text dump: spaces and line
// breaks inside words, 〔〕 or () brackets, : or ：, «» ‹› for 《》〈〉. The returned
// problems locate everything found wrong; the catalog is usable when none is an Error.
func Parse(file string, src []byte) (*Catalog, Problems) {
	c := &Catalog{File: file, Sections: []Section{}, Tasks: []Task{}}
	var probs Problems
	add := func(sev Severity, line, task int, format string, args ...any) {
		probs = append(probs, Problem{Severity: sev, File: file, Line: line, Task: task, Message: fmt.Sprintf(format, args...)})
	}
	s, err := decodeText(src)
	if err != nil {
		add(Error, 0, 0, "%v", err)
		return c, probs
	}
	t := cleanText(s)
	p := &parser{t: t}
	p.scan()

	first := p.next(markChapter, 1, 0, len(t.r))
	if first < 0 {
		add(Error, 0, 0, "no section heading 一、 found: a plan is sections 一、 二、 … holding numbered tasks")
		return c, probs
	}
	start := p.marks[first].at
	c.Title, c.Year = planTitle(p.lines(0, start), t.slice(0, start), s)
	if c.Year == 0 {
		add(Warning, 1, 0, "no year (such as 2021年) found in the title %q", c.Title)
	}
	p.preamble(start, func(line int, format string, args ...any) { add(Error, line, 0, format, args...) })
	limit := p.bodyEnd(start)
	nodes := p.outline(first, limit, func(line int, format string, args ...any) { add(Error, line, 0, format, args...) })
	p.tasks(c, nodes, limit, add)
	if len(c.Tasks) == 0 {
		add(Error, 0, 0, "no task found: a task is a numbered item （一） or 1. naming its 牵头单位 or 责任单位")
	}
	slices.SortStableFunc(probs, func(a, b Problem) int { return a.Line - b.Line })
	return c, probs
}

// tasks reads the tasks and sections out of the outline.
func (p *parser) tasks(c *Catalog, nodes []node, limit int, add func(Severity, int, int, string, ...any)) {
	r := p.t.r
	fields := make([][]field, len(nodes))
	under := make([]bool, len(nodes)) // some part under the node names units
	for i := range nodes {
		fields[i], _, _ = unitFields(r[nodes[i].end:nodes[i].contentEnd], p.newlines(nodes[i].end, nodes[i].contentEnd))
	}
	for i := len(nodes) - 1; i >= 0; i-- {
		if par := nodes[i].parent; par >= 0 && (under[i] || len(fields[i]) > 0) {
			under[par] = true
		}
	}
	// subtreeEnd is where the text of a node and everything under it ends.
	subtreeEnd := func(i int) int {
		for len(nodes[i].children) > 0 {
			i = nodes[i].children[len(nodes[i].children)-1]
		}
		return nodes[i].contentEnd
	}
	sectionOf := map[int]int{} // node → section number
	anyLead := false
	var noUnits []int // tasks without units, reported once all are read
	addTask := func(i, sec, end int) {
		n := nodes[i]
		if _, ok := sectionOf[sec]; !ok {
			sectionOf[sec] = len(c.Sections) + 1
			title := sectionTitle(p.t.slice(nodes[sec].end, nodes[sec].contentEnd))
			c.Sections = append(c.Sections, Section{No: len(c.Sections) + 1, Title: title})
		}
		task, leftover := p.task(n.mark, end, end >= limit)
		task.No = len(c.Tasks) + 1
		task.Section = sectionOf[sec]
		c.Tasks = append(c.Tasks, task)
		if leftover != "" {
			add(Warning, task.Line, task.No, "text after the unit list is not part of the task: %q", leftover)
		}
		anyLead = anyLead || len(task.LeadPhrases) > 0
		if len(task.LeadPhrases) == 0 && len(task.Responsible) == 0 {
			noUnits = append(noUnits, task.No)
		}
	}
	var walk func(i, sec int)
	walk = func(i, sec int) {
		n := nodes[i]
		switch {
		case len(fields[i]) > 0 && under[i]:
			add(Error, p.t.lineOf(n.at), 0, "item %s names units, and so do the numbered items under it: say which task each unit list belongs to", n.label)
			addTask(i, sec, n.contentEnd)
			for _, ch := range n.children {
				walk(ch, sec)
			}
		case len(fields[i]) > 0:
			// The items under it (if any) are points of this task.
			addTask(i, sec, subtreeEnd(i))
		case len(n.children) > 0:
			for _, ch := range n.children {
				walk(ch, i)
			}
		default:
			addTask(i, sec, n.contentEnd)
		}
	}
	for i, n := range nodes {
		if n.kind != markChapter {
			continue
		}
		heading := n.label + sectionTitle(p.t.slice(n.end, n.contentEnd))
		if len(fields[i]) > 0 {
			add(Error, p.t.lineOf(n.at), 0, "section heading %s names units itself: they belong to no task (a task is a numbered item （一） or 1. under it)", heading)
		}
		if !under[i] {
			if len(n.children) > 0 {
				add(Warning, p.t.lineOf(n.at), 0, "section %s: its %d numbered item(s) name no 牵头单位 or 责任单位, so they are not tasks and it is not a section of the catalog", heading, len(n.children))
			}
			continue
		}
		for _, ch := range n.children {
			walk(ch, i)
		}
	}
	for _, no := range noUnits {
		task := c.Tasks[no-1]
		add(Error, task.Line, no, "item %s names no 牵头单位 or 责任单位: a task needs its units", task.Label)
	}
	if anyLead {
		for _, task := range c.Tasks {
			if len(task.LeadPhrases) == 0 && len(task.Responsible) > 0 {
				add(Warning, task.Line, task.No, "names no 牵头单位 (lead unit)")
			}
		}
	}
}

// preamble reports the numbered items before the first chapter that name units: tasks
// that stand outside every section. (A 通知 may number its own points; those name no units.)
func (p *parser) preamble(start int, problem func(line int, format string, args ...any)) {
	var items []mark
	for _, m := range p.marks {
		if m.at >= start {
			break
		}
		if m.strong && m.kind != markChapter {
			items = append(items, m)
		}
	}
	for k, m := range items {
		end := start
		if k+1 < len(items) {
			end = items[k+1].at
		}
		if fs, _, _ := unitFields(p.t.r[m.end:end], p.newlines(m.end, end)); len(fs) > 0 {
			problem(p.t.lineOf(m.at), "numbered item %s stands before the first section heading 一、 and cannot be placed", m.label)
		}
	}
}

// bodyEnd is where the plan's body ends: at a line starting 附件 (the attachments, whose
// lists are numbered too), else at the end of the text.
func (p *parser) bodyEnd(from int) int {
	r := p.t.r
	want := []rune("附件")
	for i := from; i < len(r); i++ {
		if r[i] == want[0] && runesAt(r, i, want) && p.lineStart(i) {
			return i
		}
	}
	return len(r)
}

type parser struct {
	t     *text
	marks []mark           // every heading number, in text order
	byNum map[[2]int][]int // (kind, number) → indices into marks
}

// boundary reports whether a heading may start at rune i: at the start, after a line
// break or space, or after a closing bracket or sentence end.
func (p *parser) boundary(i int) bool {
	if i == 0 || p.t.gap[i] {
		return true
	}
	return strings.ContainsRune("〕)）】]。.．；;:：!！?？”\"》", p.t.r[i-1])
}

// decodeText accepts UTF-8 (with or without BOM) and, failing that, GB18030 (a superset of
// GBK), the encodings Chinese office documents are saved in.
func decodeText(src []byte) (string, error) {
	if utf8.Valid(src) {
		return strings.TrimPrefix(string(src), "\uFEFF"), nil
	}
	out, err := simplifiedchinese.GB18030.NewDecoder().Bytes(src)
	if err != nil || !utf8.Valid(out) || strings.ContainsRune(string(out), utf8.RuneError) {
		return "", fmt.Errorf("the file is neither UTF-8 nor GBK/GB18030 text")
	}
	return string(out), nil
}

// task reads one item: its text runs from the marker to the first unit field; the fields
// name the lead and responsible units.
func (p *parser) task(m mark, end int, lastOfPlan bool) (Task, string) {
	content := p.t.r[m.end:end]
	t := Task{Label: m.label, Line: p.t.lineOf(m.at), Lead: []string{}, Responsible: []string{}, Targets: []Target{}}
	fields, textEnd, fieldsEnd := unitFields(content, p.newlines(m.end, end))
	t.Text = strings.TrimSpace(string(content[:textEnd]))
	for _, f := range fields {
		if f.lead {
			t.LeadPhrases = append(t.LeadPhrases, f.phrases...)
		} else {
			t.Responsible = append(t.Responsible, f.phrases...)
		}
	}
	t.Lead = append(t.Lead, t.LeadPhrases...)
	t.Targets = findTargets(t.Text)
	leftover := strings.Trim(string(content[fieldsEnd:]), " 。.;；,，、")
	if lastOfPlan {
		leftover = ""
	}
	return t, leftover
}

// lines returns the text of runes [from, to) with its source line breaks.
func (p *parser) lines(from, to int) string {
	var b strings.Builder
	for i, nl := range p.newlines(from, to) {
		if nl {
			b.WriteByte('\n')
		}
		b.WriteRune(p.t.r[from+i])
	}
	return b.String()
}

// newlines marks the runes in [from, to) that a line break stood before in the source.
func (p *parser) newlines(from, to int) []bool {
	nl := make([]bool, to-from)
	src := p.t
	for i := from; i < to; i++ {
		if !src.gap[i] || i == 0 {
			continue
		}
		// A line break lies between the previous rune and this one.
		prevLine := src.lineOf(i - 1)
		nl[i-from] = src.lineOf(i) != prevLine
	}
	return nl
}

// field is one 牵头单位/责任单位 list.
type field struct {
	lead    bool
	phrases []string
}

var fieldWords = []struct {
	word string
	lead bool
}{
	{"牵头单位", true}, {"牵头部门", true}, {"主责单位", true},
	{"责任单位", false}, {"责任部门", false}, {"配合单位", false}, {"配合部门", false},
	{"协办单位", false}, {"参与单位", false},
}

// unitFields finds the unit lists in an item's content: bracketed blocks 〔牵头单位:…;责任单位:…〕
// or lines 牵头单位：…. textEnd is where the task text stops (the first field or its
// bracket); fieldsEnd is where the last field stops.
func unitFields(r []rune, nl []bool) (fields []field, textEnd, fieldsEnd int) {
	type hit struct {
		at, valueAt int
		lead        bool
	}
	var hits []hit
	for i := 0; i < len(r); i++ {
		for _, w := range fieldWords {
			wr := []rune(w.word)
			if runesAt(r, i, wr) && i+len(wr) < len(r) && (r[i+len(wr)] == ':' || r[i+len(wr)] == '：') {
				hits = append(hits, hit{at: i, valueAt: i + len(wr) + 1, lead: w.lead})
			}
		}
	}
	textEnd, fieldsEnd = len(r), len(r)
	if len(hits) == 0 {
		return nil, textEnd, fieldsEnd
	}
	textEnd = hits[0].at
	if textEnd > 0 && isOpen(r[textEnd-1]) {
		textEnd--
	}
	for k, h := range hits {
		// A bracketed block ends at its matching bracket; a field line ends at a line
		// break that does not follow a list separator, or at ；/。.
		blockEnd := len(r)
		if open := blockStart(r, hits[0].at, h.at); open >= 0 {
			blockEnd = matchClose(r, open)
		}
		stop := blockEnd
		if k+1 < len(hits) && hits[k+1].at < stop {
			stop = hits[k+1].at
		}
		depth := 0
		end := stop
		for i := h.valueAt; i < stop; i++ {
			c := r[i]
			switch {
			case isOpen(c):
				depth++
			case isClose(c):
				depth--
			}
			if depth > 0 {
				continue
			}
			if c == '；' || c == ';' || c == '。' {
				end = i
				break
			}
			if i > h.valueAt && nl[i] && !strings.ContainsRune("、,，", r[i-1]) && blockEnd == len(r) {
				end = i
				break
			}
		}
		fields = append(fields, field{lead: h.lead, phrases: splitPhrases(r[h.valueAt:end])})
		fieldsEnd = end
		if blockEnd < len(r) && (k+1 == len(hits) || hits[k+1].at > blockEnd) {
			fieldsEnd = blockEnd + 1
		}
	}
	return fields, textEnd, fieldsEnd
}

// blockStart returns the index of the opening bracket of the block that holds the field at
// `at`, or -1 when the field is not bracketed.
func blockStart(r []rune, firstField, at int) int {
	depth := 0
	for i := at - 1; i >= 0; i-- {
		switch {
		case isClose(r[i]):
			depth++
		case isOpen(r[i]):
			if depth == 0 {
				// Only a bracket that opens right before a field word starts a block.
				j := i + 1
				for _, w := range fieldWords {
					if runesAt(r, j, []rune(w.word)) {
						return i
					}
				}
				return -1
			}
			depth--
		}
	}
	return -1
}

func matchClose(r []rune, open int) int {
	depth := 0
	for i := open; i < len(r); i++ {
		switch {
		case isOpen(r[i]):
			depth++
		case isClose(r[i]):
			depth--
			if depth == 0 {
				return i
			}
		}
	}
	return len(r)
}

// dutyTails are the words a unit list ends with that name no unit: 县直有关部门按职责分工
// 分别负责, …等单位.
var dutyTails = []string{
	"按照职责分工分别负责", "按职责分工分别负责", "按照职责分工负责", "按职责分工负责", "按职能分工负责",
	"按照职责分别负责", "按职责分别负责", "按各自职责负责", "按职责负责", "按职责分工落实",
	"分别负责", "负责落实", "配合落实", "负责", "配合", "参与", "等部门", "等单位", "等",
}

// cutDuty cuts those words off a phrase; a phrase of nothing else is "".
func cutDuty(s string) string {
	for _, tail := range dutyTails {
		if strings.HasSuffix(s, tail) {
			return strings.TrimRight(strings.TrimSuffix(s, tail), " 、,，")
		}
	}
	return s
}

func isOpen(c rune) bool  { return strings.ContainsRune("〔(（【[", c) }
func isClose(c rune) bool { return strings.ContainsRune("〕)）】]", c) }

// splitPhrases splits a unit list on 、 , ， outside brackets: "各县(市、区)人民政府" stays
// whole.
func splitPhrases(r []rune) []string {
	var out []string
	depth, start := 0, 0
	flush := func(end int) {
		s := strings.Trim(string(r[start:end]), " 、,，;；。.:：")
		if s = cutDuty(s); s != "" {
			out = append(out, s)
		}
	}
	for i, c := range r {
		switch {
		case isOpen(c):
			depth++
		case isClose(c):
			depth--
		case depth == 0 && (c == '、' || c == ',' || c == '，'):
			flush(i)
			start = i + 1
		}
	}
	flush(len(r))
	return out
}

var titleRE = regexp.MustCompile(`[\p{Han}0-9]*?[0-9]{4}年[\p{Han}0-9]*?(?:工作计划|工作要点|实施方案|工作方案|工作安排|计划|要点|方案)`)
var yearRE = regexp.MustCompile(`(?:19|20)[0-9]{2}`)

// planTitle takes the last title-like phrase before the first section (the heading just
// above the body), looked for line by line (a 通知's sender and date lines stand right
// above it), else across the line breaks of a dump that split it, else the document's
// first line.
func planTitle(lines, preamble, src string) (string, int) {
	title := ""
	if ms := titleRE.FindAllString(lines, -1); len(ms) > 0 {
		title = ms[len(ms)-1]
	} else if ms := titleRE.FindAllString(preamble, -1); len(ms) > 0 {
		title = ms[len(ms)-1]
	} else {
		for _, l := range strings.Split(src, "\n") {
			if l = Key(l); l != "" {
				title = l
				break
			}
		}
	}
	year := 0
	if y := yearRE.FindString(title); y != "" {
		year, _ = strconv.Atoi(y)
	}
	return title, year
}

// sectionTitle trims a heading's text; a section without items keeps its first sentence.
func sectionTitle(s string) string {
	if i := strings.IndexAny(s, "。:："); i >= 0 {
		s = s[:i]
	}
	if utf8.RuneCountInString(s) > 60 {
		s = string([]rune(s)[:60]) + "…"
	}
	return strings.TrimSpace(s)
}

func runesAt(r []rune, i int, want []rune) bool {
	if i < 0 || i+len(want) > len(r) {
		return false
	}
	for k, c := range want {
		if r[i+k] != c {
			return false
		}
	}
	return true
}

// digit returns the value of an ASCII or full-width digit, else -1.
func digit(c rune) int {
	switch {
	case c >= '0' && c <= '9':
		return int(c - '0')
	case c >= '０' && c <= '９':
		return int(c - '０')
	}
	return -1
}

// Numeral writes 1…99 as 一…九十九, as plans number their sections.
func Numeral(n int) string { return chineseNumeral(n) }

// chineseNumeral writes 1…99 as 一…九十九.
func chineseNumeral(n int) string {
	ds := []rune("零一二三四五六七八九")
	switch {
	case n < 10:
		return string(ds[n])
	case n < 20:
		if n == 10 {
			return "十"
		}
		return "十" + string(ds[n-10])
	default:
		s := string(ds[n/10]) + "十"
		if n%10 != 0 {
			s += string(ds[n%10])
		}
		return s
	}
}
