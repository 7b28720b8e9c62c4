package plan

import (
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// quoteMarks maps the marks a PDF-to-text dump uses for Chinese book-title quotes back to
// the marks the document had: «…» for 《…》 and ‹…› for 〈…〉.
var quoteMarks = map[rune]rune{'«': '《', '»': '》', '‹': '〈', '›': '〉'}

// text is a plan document after noise removal, with a map back to the source so that every
// problem can name the line it came from.
type text struct {
	r    []rune
	off  []int  // byte offset in the source of each rune in r
	gap  []bool // whitespace stood before this rune in the source
	line []int  // byte offsets at which source lines start
}

// cleanText drops the whitespace a PDF dump scatters inside Chinese words ("市司法 局",
// "牵头单 位", "2021 年") and restores quote marks. Whitespace between two Latin letters or
// digits survives as one space; everywhere else it goes, since Chinese text has none.
func cleanText(src string) *text {
	t := &text{line: []int{0}}
	for i, c := range src {
		if c == '\n' {
			t.line = append(t.line, i+1)
		}
	}
	pendingSpace := false
	for i, c := range src {
		if c == '\uFEFF' {
			continue
		}
		if unicode.IsSpace(c) {
			pendingSpace = true
			continue
		}
		if q, ok := quoteMarks[c]; ok {
			c = q
		}
		if pendingSpace && len(t.r) > 0 && latin(t.r[len(t.r)-1]) && latin(c) {
			t.r = append(t.r, ' ')
			t.off = append(t.off, i)
			t.gap = append(t.gap, false)
		}
		t.r = append(t.r, c)
		t.off = append(t.off, i)
		t.gap = append(t.gap, pendingSpace)
		pendingSpace = false
	}
	return t
}

func latin(c rune) bool { return c < 0x80 && (unicode.IsLetter(c) || unicode.IsDigit(c)) }

// lineOf returns the 1-based source line of rune index i.
func (t *text) lineOf(i int) int {
	if i >= len(t.off) {
		i = len(t.off) - 1
	}
	if i < 0 {
		return 1
	}
	b := t.off[i]
	lo, hi := 0, len(t.line)
	for hi-lo > 1 {
		mid := (lo + hi) / 2
		if t.line[mid] <= b {
			lo = mid
		} else {
			hi = mid
		}
	}
	return lo + 1
}

func (t *text) slice(from, to int) string { return string(t.r[from:to]) }

// Key is the form in which names and phrases are compared: compatibility-normalised
// (full-width letters, digits and brackets become their plain forms), without whitespace,
// with the dump's quote marks restored. "各县（市、区） 人民政府" and "各县(市、区)人民政府"
// have the same key.
func Key(s string) string {
	s = norm.NFKC.String(s)
	var b strings.Builder
	for _, c := range s {
		if unicode.IsSpace(c) || c == '\uFEFF' {
			continue
		}
		if q, ok := quoteMarks[c]; ok {
			c = q
		}
		b.WriteRune(c)
	}
	return b.String()
}

// chineseNumber reads 一 … 九十九 (and 两, 〇); ok is false for anything else.
func chineseNumber(s string) (n int, ok bool) {
	digits := map[rune]int{'〇': 0, '零': 0, '一': 1, '二': 2, '两': 2, '三': 3, '四': 4, '五': 5, '六': 6, '七': 7, '八': 8, '九': 9}
	rs := []rune(s)
	if len(rs) == 0 || len(rs) > 3 {
		return 0, false
	}
	tens, units, seenTen := 0, 0, false
	for i, c := range rs {
		if c == '十' {
			if seenTen {
				return 0, false
			}
			seenTen = true
			tens = units
			if i == 0 {
				tens = 1
			}
			units = 0
			continue
		}
		d, ok := digits[c]
		if !ok {
			return 0, false
		}
		units = units*10 + d
	}
	if seenTen {
		return tens*10 + units, true
	}
	return units, true
}
