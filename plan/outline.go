package plan

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
)

// markKind is a kind of heading number, shallowest first: a plan's parts nest in this
// order (一、 › （一） › 1.), though a plan may skip a level.
type markKind int

const (
	markChapter markKind = iota // 一、 二、 …
	markParen                   // （一）（二）… or (一)
	markArabic                  // 1. 2. … (or 1．, 1、)
)

// mark is a heading number found in the text: runes [at, end).
type mark struct {
	kind    markKind
	at, end int
	n       int
	label   string
	// strong: the number stands at the start of a source line or right after 。；〕, where
	// a writer puts a heading. A strong number that is not the one expected is reported.
	strong bool
}

// label writes heading n of a kind as plans write it.
func (k markKind) label(n int) string {
	switch k {
	case markChapter:
		return chineseNumeral(n) + "、"
	case markParen:
		return "（" + chineseNumeral(n) + "）"
	}
	return strconv.Itoa(n) + "."
}

// series names the numbering of a kind in messages.
func (k markKind) series() string {
	switch k {
	case markChapter:
		return "一、 二、 …"
	case markParen:
		return "（一）（二）…"
	}
	return "1. 2. …"
}

const numeralRunes = "〇零一二两三四五六七八九十"

func numeralRune(c rune) bool { return strings.ContainsRune(numeralRunes, c) }

// scan finds every heading number of the text: 一、 and （一） at a boundary (see boundary),
// 1. anywhere it is not part of a longer number (2.5, 2020.1).
func (p *parser) scan() {
	r := p.t.r
	p.byNum = map[[2]int][]int{}
	for i := 0; i < len(r); i++ {
		m, ok := p.markAt(i)
		if !ok {
			continue
		}
		m.strong = i == 0 || p.lineStart(i) || strings.ContainsRune("。；;〕】", r[i-1])
		k := [2]int{int(m.kind), m.n}
		p.byNum[k] = append(p.byNum[k], len(p.marks))
		p.marks = append(p.marks, m)
	}
}

func (p *parser) markAt(i int) (mark, bool) {
	r := p.t.r
	c := r[i]
	numeral := func(from int) (int, int, bool) {
		j := from
		for j < len(r) && j-from < 4 && numeralRune(r[j]) {
			j++
		}
		if j == from {
			return 0, j, false
		}
		n, ok := chineseNumber(string(r[from:j]))
		return n, j, ok && n > 0 && chineseNumeral(n) == string(r[from:j])
	}
	switch {
	case numeralRune(c) && (i == 0 || !numeralRune(r[i-1])):
		n, j, ok := numeral(i)
		if ok && j < len(r) && r[j] == '、' && p.boundary(i) {
			return mark{kind: markChapter, at: i, end: j + 1, n: n, label: string(r[i : j+1])}, true
		}
	case c == '(' || c == '（':
		n, j, ok := numeral(i + 1)
		if ok && j < len(r) && (r[j] == ')' || r[j] == '）') && p.boundary(i) {
			return mark{kind: markParen, at: i, end: j + 1, n: n, label: string(r[i : j+1])}, true
		}
	case digit(c) >= 0 && (i == 0 || (digit(r[i-1]) < 0 && r[i-1] != '.' && r[i-1] != '．')):
		j, v := i, 0
		for j < len(r) && digit(r[j]) >= 0 && j-i < 4 {
			v = v*10 + digit(r[j])
			j++
		}
		if v == 0 || j >= len(r) || digit(r[j]) >= 0 || !strings.ContainsRune(".．、", r[j]) {
			break
		}
		if j+1 < len(r) && digit(r[j+1]) >= 0 {
			break // 2.5 is a number, not an item
		}
		return mark{kind: markArabic, at: i, end: j + 1, n: v, label: string(r[i : j+1])}, true
	}
	return mark{}, false
}

// lineStart reports whether rune i is the first of its source line.
func (p *parser) lineStart(i int) bool {
	return i == 0 || (p.t.gap[i] && p.t.lineOf(i) != p.t.lineOf(i-1))
}

// next returns the index of the first mark of kind and number n at or after rune from
// and before rune limit, or -1.
func (p *parser) next(kind markKind, n, from, limit int) int {
	list := p.byNum[[2]int{int(kind), n}]
	k := sort.Search(len(list), func(k int) bool { return p.marks[list[k]].at >= from })
	if k < len(list) && p.marks[list[k]].at < limit {
		return list[k]
	}
	return -1
}

// node is a numbered part of the plan: a chapter (一、), or an item (（一）, 1.) under it.
type node struct {
	mark
	parent     int // index of the enclosing node; -1 for a chapter
	children   []int
	contentEnd int // where the next numbered part begins: [end, contentEnd) is its own text
}

// outline reads the plan's numbered parts from the first chapter heading to limit. At every
// step it looks for the headings that may come next: the next chapter; the next sibling of
// every open item; and, under the innermost part, a first item of a deeper kind, numbered 1
// or continuing that kind's numbering from the previous part (plans do both). The nearest
// one wins. A strong number met before it (see mark.strong) is a heading out of sequence:
// it is taken as a part all the same, so that nothing after it is lost, and reported.
func (p *parser) outline(first, limit int, problem func(line int, format string, args ...any)) []node {
	var nodes []node
	var open []int                 // indices of the open nodes, the chapter first
	last := map[markKind]int{}     // the last number of each kind, anywhere
	lastNode := map[markKind]int{} // the node that number belongs to
	push := func(m mark) {
		for len(open) > 0 && nodes[open[len(open)-1]].kind >= m.kind {
			open = open[:len(open)-1]
		}
		parent := -1
		if len(open) > 0 {
			parent = open[len(open)-1]
			nodes[parent].children = append(nodes[parent].children, len(nodes))
		}
		nodes = append(nodes, node{mark: m, parent: parent})
		open = append(open, len(nodes)-1)
		last[m.kind], lastNode[m.kind] = m.n, len(nodes)-1
	}
	openOf := func(kind markKind) int {
		for _, i := range open {
			if nodes[i].kind == kind {
				return i
			}
		}
		return -1
	}
	// expected lists the numbers each kind may take next; a kind missing from it cannot
	// come next at all.
	expected := func() map[markKind][]int {
		want := map[markKind][]int{markChapter: {last[markChapter] + 1}}
		inner := nodes[open[len(open)-1]].kind
		for _, kind := range []markKind{markParen, markArabic} {
			if i := openOf(kind); i >= 0 {
				want[kind] = []int{nodes[i].n + 1}
			} else if kind > inner {
				want[kind] = []int{1}
				if last[kind] > 0 {
					want[kind] = append(want[kind], last[kind]+1)
				}
			}
		}
		return want
	}

	push(p.marks[first])
	pos := p.marks[first].end
	for {
		want := expected()
		best := -1
		for kind, ns := range want {
			for _, n := range ns {
				if i := p.next(kind, n, pos, limit); i >= 0 && (best < 0 || p.marks[i].at < p.marks[best].at) {
					best = i
				}
			}
		}
		end := limit
		if best >= 0 {
			end = p.marks[best].at
		}
		if s := p.stray(pos, end); s >= 0 {
			m := p.marks[s]
			problem(p.t.lineOf(m.at), "%s", p.outOfSequence(m, want[m.kind], nodes, open, last, lastNode))
			push(m)
			pos = m.end
			continue
		}
		if best < 0 {
			break
		}
		push(p.marks[best])
		pos = p.marks[best].end
	}
	for i := range nodes {
		nodes[i].contentEnd = limit
		if i+1 < len(nodes) {
			nodes[i].contentEnd = nodes[i+1].at
		}
	}
	return nodes
}

// stray returns the first strong mark in [from, to), or -1.
func (p *parser) stray(from, to int) int {
	k := sort.Search(len(p.marks), func(k int) bool { return p.marks[k].at >= from })
	for ; k < len(p.marks) && p.marks[k].at < to; k++ {
		if p.marks[k].strong {
			return k
		}
	}
	return -1
}

// outOfSequence says why a strong heading number was not the one expected: a gap, a
// repeat, or a kind of heading that cannot stand where it does.
func (p *parser) outOfSequence(m mark, want []int, nodes []node, open []int, last, lastNode map[markKind]int) string {
	inner := nodes[open[len(open)-1]]
	if len(want) == 0 {
		return fmt.Sprintf("numbered item %s cannot be placed: it stands in item %s, and %s items do not come under %s items",
			m.label, inner.label, m.kind.series(), inner.kind.series())
	}
	var labels []string
	maxWant := 0
	for _, n := range want {
		labels = append(labels, m.kind.label(n))
		maxWant = max(maxWant, n)
	}
	after := "the start of " + inner.label
	if i, ok := lastNode[m.kind]; ok {
		after = nodes[i].label
	}
	what := "numbering repeats"
	if m.n > maxWant {
		what = "numbering gap"
	}
	return fmt.Sprintf("%s: %s comes after %s, where %s was expected", what, m.label, after, strings.Join(labels, " or "))
}
