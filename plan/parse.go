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

// Parse reads a plan document. It accepts the two layouts Chinese work plans use:
//
//   - items numbered 1. 2. … through the whole plan (or from 1. in each section), each
//     ending in a bracketed unit list 〔牵头单位:…;责任单位:…〕, as in the Liaocheng 2021 plan;
//   - items numbered （一）（二）… in each section, followed by lines 牵头单位：… and 责任单位：….
//
// Sections are 一、 二、 … in order. It tolerates the noise of a PDF-to-text dump: spaces and
// line breaks inside words, 〔〕 or () brackets, : or ：, «» ‹› for 《》〈〉. Tasks are numbered
// 1…N in plan order whatever their own labels. The returned problems locate everything
// found wrong; the catalog is usable when none of them is an Error.
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

	first := p.findSection(0, 1)
	if first < 0 {
		add(Error, 0, 0, "no section heading 一、 found: a plan is sections 一、 二、 … holding numbered tasks")
		return c, probs
	}
	c.Title, c.Year = planTitle(t.slice(0, first), s)
	if c.Year == 0 {
		add(Warning, 1, 0, "no year (such as 2021年) found in the title %q", c.Title)
	}

	style := itemUnknown
	lastArabic := 0
	for sec, at := 1, first; at >= 0; sec++ {
		hdrEnd := at + utf8.RuneCountInString(chineseNumeral(sec)) + 1
		next := p.findSection(hdrEnd, sec+1)
		end := next
		if end < 0 {
			end = len(t.r)
		}
		var items []marker
		pos := hdrEnd
		for {
			m, ok := p.nextItem(pos, end, &style, len(items) == 0, lastArabic, len(items)+1)
			if !ok {
				break
			}
			items = append(items, m)
			if style == itemArabic {
				lastArabic = m.n
			}
			pos = m.end
		}
		// The title runs to the first item; a section without items keeps its first line.
		titleEnd := end
		if len(items) > 0 {
			titleEnd = items[0].at
		} else if nl := p.newlines(hdrEnd, end); slices.Contains(nl, true) {
			titleEnd = hdrEnd + slices.Index(nl, true)
		}
		title := sectionTitle(t.slice(hdrEnd, titleEnd))
		c.Sections = append(c.Sections, Section{No: sec, Title: title})
		if len(items) == 0 {
			add(Warning, t.lineOf(at), 0, "section %s、%s holds no numbered task", chineseNumeral(sec), title)
		}
		for i, m := range items {
			itemEnd := end
			if i+1 < len(items) {
				itemEnd = items[i+1].at
			}
			lastOfPlan := next < 0 && i == len(items)-1
			task, leftover := p.task(m, itemEnd, lastOfPlan)
			task.No = len(c.Tasks) + 1
			task.Section = sec
			c.Tasks = append(c.Tasks, task)
			if leftover != "" {
				add(Warning, task.Line, task.No, "text after the unit list is not part of the task: %q", leftover)
			}
			if len(task.LeadPhrases) == 0 && len(task.Responsible) == 0 {
				add(Warning, task.Line, task.No, "names no 牵头单位 or 责任单位")
			} else if len(task.LeadPhrases) == 0 {
				add(Warning, task.Line, task.No, "names no 牵头单位 (lead unit)")
			}
		}
		at = next
	}
	return c, probs
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

type itemStyle int

const (
	itemUnknown itemStyle = iota
	itemArabic            // 1. 2. 3.
	itemChinese           // （一）（二）
)

// marker is a section or item number found in the text: runes [at, end).
type marker struct {
	at, end int
	n       int
	label   string
}

type parser struct{ t *text }

// boundary reports whether a heading may start at rune i: at the start, after a line
// break or space, or after a closing bracket or sentence end.
func (p *parser) boundary(i int) bool {
	if i == 0 || p.t.gap[i] {
		return true
	}
	return strings.ContainsRune("〕)）】]。.．；;:：!！?？”\"》", p.t.r[i-1])
}

// findSection finds heading n (一、 for 1) at a boundary, from rune from on.
func (p *parser) findSection(from, n int) int {
	want := []rune(chineseNumeral(n) + "、")
	r := p.t.r
	for i := from; i+len(want) <= len(r); i++ {
		if r[i] != want[0] || !runesAt(r, i, want) {
			continue
		}
		if i > 0 && strings.ContainsRune("〇零一二两三四五六七八九十", r[i-1]) {
			continue
		}
		if p.boundary(i) {
			return i
		}
	}
	return -1
}

// nextItem finds the next item marker in [from, limit). The first item of the plan decides
// the style; a section's first item may continue the plan's numbering or restart at 1.
func (p *parser) nextItem(from, limit int, style *itemStyle, firstInSection bool, lastArabic, nextInSection int) (marker, bool) {
	var cands []marker
	if *style != itemChinese {
		wants := []int{lastArabic + 1}
		if firstInSection && lastArabic > 0 {
			wants = append(wants, 1)
		}
		for _, w := range wants {
			if m, ok := p.findArabic(from, limit, w); ok {
				cands = append(cands, m)
			}
		}
	}
	if *style != itemArabic {
		if m, ok := p.findChinese(from, limit, nextInSection); ok {
			cands = append(cands, m)
		}
	}
	if len(cands) == 0 {
		return marker{}, false
	}
	best := cands[0]
	for _, m := range cands[1:] {
		if m.at < best.at {
			best = m
		}
	}
	if *style == itemUnknown {
		if strings.ContainsAny(best.label, "(（") {
			*style = itemChinese
		} else {
			*style = itemArabic
		}
	}
	return best, true
}

// findArabic finds "n." (or n．, n、) not inside a longer number.
func (p *parser) findArabic(from, limit, n int) (marker, bool) {
	r := p.t.r
	for i := from; i < limit; i++ {
		if digit(r[i]) < 0 || (i > 0 && (digit(r[i-1]) >= 0 || r[i-1] == '.' || r[i-1] == '．')) {
			continue
		}
		j, v := i, 0
		for j < limit && digit(r[j]) >= 0 {
			v = v*10 + digit(r[j])
			j++
		}
		if v != n || j >= limit || !strings.ContainsRune(".．、", r[j]) {
			continue
		}
		if j+1 < len(r) && digit(r[j+1]) >= 0 {
			continue // 2.5 is a number, not an item
		}
		return marker{at: i, end: j + 1, n: n, label: string(r[i : j+1])}, true
	}
	return marker{}, false
}

// findChinese finds "（n）" or "(n)" with n in Chinese numerals, at a boundary.
func (p *parser) findChinese(from, limit, n int) (marker, bool) {
	r := p.t.r
	num := []rune(chineseNumeral(n))
	for i := from; i+len(num)+2 <= limit; i++ {
		if (r[i] != '(' && r[i] != '（') || !runesAt(r, i+1, num) {
			continue
		}
		close := r[i+1+len(num)]
		if close != ')' && close != '）' || !p.boundary(i) {
			continue
		}
		return marker{at: i, end: i + len(num) + 2, n: n, label: string(r[i : i+len(num)+2])}, true
	}
	return marker{}, false
}

// task reads one item: its text runs from the marker to the first unit field; the fields
// name the lead and responsible units.
func (p *parser) task(m marker, end int, lastOfPlan bool) (Task, string) {
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
	{"牵头单位", true}, {"牵头部门", true},
	{"责任单位", false}, {"责任部门", false}, {"配合单位", false}, {"配合部门", false},
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

func isOpen(c rune) bool  { return strings.ContainsRune("〔(（【[", c) }
func isClose(c rune) bool { return strings.ContainsRune("〕)）】]", c) }

// splitPhrases splits a unit list on 、 , ， outside brackets: "各县(市、区)人民政府" stays
// whole.
func splitPhrases(r []rune) []string {
	var out []string
	depth, start := 0, 0
	flush := func(end int) {
		s := strings.Trim(string(r[start:end]), " 、,，;；。.:：")
		if s != "" {
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
// above the body), else the document's first line.
func planTitle(preamble, src string) (string, int) {
	title := ""
	if ms := titleRE.FindAllString(preamble, -1); len(ms) > 0 {
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
