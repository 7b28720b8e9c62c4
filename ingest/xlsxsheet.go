package ingest

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"
	"unsafe"

	"github.com/xuri/excelize/v2"
)

// sheetReader reads a worksheet's rows in order as its XML inflates. A cell reads as
// excelize's GetRows reads it with RawCellValue (shared and inline strings as their text,
// rich text runs joined, _xHHHH_ escapes undone, numbers and booleans as written, a cell
// holding only a formula as ""), except that a number in a percent or date style reads
// as formatNumber writes it: 0.85 as 85%, a date serial as 2021-07-05. The style is the
// cell's, else its row's, else its column's, as excelize's GetCellStyle finds it.
type sheetReader struct {
	x        *xmlScan
	sst      func() (*sharedStrings, error) // the shared strings, read when first needed
	numFmt   func(style int) numFormat
	date1904 bool

	cols   []colStyle
	inData bool // within <sheetData>
	done   bool
	row    int // the last row read
	width  int // the most cells a row had: the room a row is given

	interned  map[string]string
	formatted [fmtDate + 1]map[string]string // by format: raw number → as formatted
}

type colStyle struct{ min, max, style int }

// next returns the next row the sheet has an element for, with its number; io.EOF after
// the last.
func (s *sheetReader) next() (int, []string, error) {
	x := s.x
	if s.done {
		return 0, nil, io.EOF
	}
	for !s.inData {
		ok, err := x.tag()
		switch {
		case err != nil:
			return 0, nil, err
		case !ok: // no sheetData: no rows (a chart sheet, say)
			s.done = true
			return 0, nil, io.EOF
		case x.is("col"):
			var c colStyle
			x.eachAttr(func(name, value []byte) bool {
				switch string(name) {
				case "min":
					c.min, _ = strconv.Atoi(string(value))
				case "max":
					c.max, _ = strconv.Atoi(string(value))
				case "style":
					c.style, _ = strconv.Atoi(string(value))
				}
				return true
			})
			s.cols = append(s.cols, c)
		case x.is("sheetData"):
			if x.selfClosing {
				s.done = true
				return 0, nil, io.EOF
			}
			s.inData = true
		}
	}
	for {
		ok, err := x.tag()
		switch {
		case err != nil:
			return 0, nil, err
		case !ok:
			return 0, nil, errXMLTruncated
		case x.isEnd("sheetData"):
			s.done = true
			return 0, nil, io.EOF
		case x.is("row"):
			return s.readRow()
		case !x.closing:
			if err := x.skip(); err != nil {
				return 0, nil, err
			}
		}
	}
}

// readRow reads the row whose start tag was just read.
func (s *sheetReader) readRow() (int, []string, error) {
	x := s.x
	n, rowStyle := s.row+1, 0
	var rowErr error
	for a := x.attrs; ; {
		name, value, rest, ok := nextAttr(a)
		if !ok {
			break
		}
		a = rest
		if len(name) != 1 {
			continue
		}
		switch name[0] {
		case 'r':
			r, err := strconv.Atoi(string(value))
			switch {
			case err != nil || r < 1:
				rowErr = fmt.Errorf("row number %q", value)
			case r > excelize.TotalRows:
				rowErr = fmt.Errorf("row %d: a sheet has at most %d rows", r, excelize.TotalRows)
			case r <= s.row:
				rowErr = fmt.Errorf("row %d after row %d: rows out of order", r, s.row)
			}
			n = r
		case 's':
			rowStyle, _ = strconv.Atoi(string(value))
		}
	}
	if rowErr != nil {
		return 0, nil, rowErr
	}
	if n > excelize.TotalRows {
		return 0, nil, fmt.Errorf("a sheet has at most %d rows", excelize.TotalRows)
	}
	s.row = n
	if x.selfClosing {
		return n, nil, nil
	}
	cells := make([]string, 0, s.width)
	col := 0
	for {
		c, v, keep, ok, err := s.plainCell(col, rowStyle)
		if err != nil {
			return 0, nil, fmt.Errorf("row %d: %w", n, err)
		}
		if !ok {
			ok, err := x.tag()
			switch {
			case err != nil:
				return 0, nil, err
			case !ok:
				return 0, nil, errXMLTruncated
			case x.isEnd("row"):
				s.width = max(s.width, len(cells))
				return n, cells, nil
			case x.is("c"):
				if c, v, keep, err = s.readCell(col, rowStyle); err != nil {
					return 0, nil, fmt.Errorf("row %d: %w", n, err)
				}
			case !x.closing:
				if err := x.skip(); err != nil {
					return 0, nil, err
				}
				continue
			default:
				continue
			}
		}
		{
			col = c
			if keep {
				// As excelize places a value: after blanks up to its column.
				for len(cells) < col-1 {
					cells = append(cells, "")
				}
				cells = append(cells, v)
			}
		}
	}
}

// plainCell reads a cell written the usual way, straight from the window: <c r="B2" s="3"
// t="s"><v>12</v></c>, <c …><is><t>text</t></is></c> or <c …/>, no prefix, no references
// to decode. ok is false, and nothing read, for any other cell or tag: tag and readCell
// read those. Nine in ten tags of a sheet are a plain cell's, and read so they cost a
// fraction.
func (s *sheetReader) plainCell(prev, rowStyle int) (col int, val string, keep, ok bool, err error) {
	x := s.x
	if x.end-x.pos < 4096 {
		x.has(4096) // fewer at the end of the part
	}
	b := x.buf[x.pos:x.end]
	i := 0
	for i < len(b) && isXMLSpace(b[i]) {
		i++
	}
	if len(b)-i < 4 || b[i] != '<' || b[i+1] != 'c' || !isXMLSpace(b[i+2]) {
		return 0, "", false, false, nil
	}
	col = prev + 1
	style := 0
	var typ []byte
	i += 3
	for {
		for i < len(b) && isXMLSpace(b[i]) {
			i++
		}
		if i+1 >= len(b) {
			return 0, "", false, false, nil
		}
		if b[i] == '>' {
			i++
			break
		}
		if b[i] == '/' && b[i+1] == '>' {
			x.pos += i + 2
			return col, "", false, true, nil
		}
		name := i
		for i < len(b) && b[i] != '=' && b[i] != '"' && !isXMLSpace(b[i]) {
			i++
		}
		if i+1 >= len(b) || b[i] != '=' || b[i+1] != '"' {
			return 0, "", false, false, nil
		}
		key := b[name:i]
		i += 2
		end := bytes.IndexByte(b[i:], '"')
		if end < 0 {
			return 0, "", false, false, nil
		}
		value := b[i : i+end]
		i += end + 1
		if len(key) == 1 {
			switch key[0] {
			case 'r':
				if col, err = refColumn(value); err != nil {
					return 0, "", false, false, err
				}
			case 's':
				if style, err = strconv.Atoi(string(value)); err != nil {
					return 0, "", false, false, nil
				}
			case 't':
				typ = value
			}
		}
	}
	// The content: <v>…</v>, <is><t>…</t></is> or nothing.
	rest := b[i:]
	var text []byte
	inline := false
	switch {
	case bytes.HasPrefix(rest, []byte("</c>")):
		x.pos += i + 4
		return col, "", false, true, nil
	case bytes.HasPrefix(rest, []byte("<v>")):
		rest = rest[3:]
		lt := bytes.IndexByte(rest, '<')
		if lt < 0 || !bytes.HasPrefix(rest[lt:], []byte("</v></c>")) {
			return 0, "", false, false, nil
		}
		text, i = rest[:lt], i+3+lt+8
	case bytes.HasPrefix(rest, []byte("<is><t>")):
		rest = rest[7:]
		lt := bytes.IndexByte(rest, '<')
		if lt < 0 || !bytes.HasPrefix(rest[lt:], []byte("</t></is></c>")) {
			return 0, "", false, false, nil
		}
		text, i, inline = rest[:lt], i+7+lt+13, true
	default:
		return 0, "", false, false, nil
	}
	if bytes.IndexByte(text, '&') >= 0 || bytes.IndexByte(text, '\r') >= 0 {
		return 0, "", false, false, nil
	}
	t := cellType(typ)
	if inline {
		if t != "inlineStr" {
			return 0, "", false, false, nil
		}
		str, err := s.intern(text)
		if err != nil {
			return 0, "", false, false, err
		}
		x.pos += i
		str = unescapeBSTR(str)
		v, keep, err := s.cellValue(col, style, rowStyle, t, nil, false, false, &str)
		return col, v, keep, true, err
	}
	x.pos += i
	v, keep, err := s.cellValue(col, style, rowStyle, t, text, true, false, nil)
	return col, v, keep, true, err
}

// readCell reads the cell whose start tag was just read, the one after column prev: its
// column, its value and whether the row keeps it (a value, or a formula).
func (s *sheetReader) readCell(prev, rowStyle int) (int, string, bool, error) {
	x := s.x
	col, style := prev+1, 0
	var typ string
	for a := x.attrs; ; {
		name, value, rest, ok := nextAttr(a)
		if !ok {
			break
		}
		a = rest
		if len(name) != 1 {
			continue
		}
		switch name[0] {
		case 'r':
			c, err := refColumn(value)
			if err != nil {
				return 0, "", false, err
			}
			col = c
		case 's':
			style, _ = strconv.Atoi(string(value))
		case 't':
			typ = cellType(value)
		}
	}
	if x.selfClosing {
		return col, "", false, nil
	}
	var v []byte
	formula, haveV := false, false
	var inline *string
	for {
		ok, err := x.tag()
		switch {
		case err != nil:
			return 0, "", false, err
		case !ok:
			return 0, "", false, errXMLTruncated
		case x.isEnd("c"):
			val, keep, err := s.cellValue(col, style, rowStyle, typ, v, haveV, formula, inline)
			return col, val, keep, err
		case x.is("v"):
			t, err := x.elemText()
			if err != nil {
				return 0, "", false, err
			}
			v, haveV = append(v[:0], t...), true
		case x.is("f"):
			formula = true
			if err := x.skip(); err != nil {
				return 0, "", false, err
			}
		case x.is("is"):
			t, err := readRichText(x)
			if err != nil {
				return 0, "", false, err
			}
			inline = &t
		case !x.closing:
			if err := x.skip(); err != nil {
				return 0, "", false, err
			}
		}
	}
}

// cellValue is a cell's text by its type, as excelize gives it with RawCellValue, and a
// number in a percent or date style as formatNumber writes it; keep says whether the row
// keeps the cell (it has a value, or a formula).
func (s *sheetReader) cellValue(col, style, rowStyle int, typ string, v []byte, haveV, formula bool, inline *string) (string, bool, error) {
	switch typ {
	case "s":
		if !haveV || len(v) == 0 {
			return "", formula, nil
		}
		sst, err := s.sst()
		if err != nil {
			return "", false, err
		}
		i, _ := strconv.Atoi(string(bytes.TrimSpace(v))) // as excelize: not a number is string 0
		if i < 0 || i >= sst.len() {
			return "", formula, nil // excelize drops a cell naming no shared string
		}
		v := sst.at(i)
		return v, v != "" || formula, nil
	case "inlineStr":
		if inline != nil {
			return *inline, *inline != "" || formula, nil
		}
	}
	if len(v) == 0 {
		return "", formula, nil
	}
	if !byStyle(typ) {
		t, err := s.intern(v)
		return t, true, err
	}
	if style == 0 {
		style = rowStyle
	}
	if style == 0 {
		style = s.colStyle(col)
	}
	nf := s.numFmt(style)
	if nf == fmtNumber {
		t, err := s.intern(v) // a number as written
		return t, true, err
	}
	// The same few percents and dates, over and over: each formatted once.
	if t, ok := s.formatted[nf][string(v)]; ok {
		return t, true, nil
	}
	t, err := s.intern(v)
	if err != nil {
		return "", false, err
	}
	if looksNumeric(t) {
		t = formatNumber(t, nf, s.date1904)
	}
	if s.formatted[nf] == nil {
		s.formatted[nf] = map[string]string{}
	}
	if m := s.formatted[nf]; len(m) < internLimit {
		m[string(v)] = t
	}
	return t, true, nil
}

// internLimit bounds the values a sheetReader keeps to give out again.
const internLimit = 1 << 14

// intern is v as a string, checked to be UTF-8; short values, which repeat (units,
// statuses, task numbers), are made a string once.
func (s *sheetReader) intern(v []byte) (string, error) {
	if len(v) > 64 {
		if !utf8.Valid(v) {
			return "", errors.New("a cell's text is not UTF-8")
		}
		return string(v), nil
	}
	if t, ok := s.interned[string(v)]; ok {
		return t, nil
	}
	if !utf8.Valid(v) {
		return "", errors.New("a cell's text is not UTF-8")
	}
	t := string(v)
	if s.interned == nil {
		s.interned = map[string]string{}
	}
	if len(s.interned) < internLimit {
		s.interned[t] = t
	}
	return t, nil
}

// cellType is a cell's t attribute, without allocating for the usual ones.
func cellType(t []byte) string {
	for _, known := range [...]string{"s", "n", "str", "inlineStr", "b", "d", "e"} {
		if string(t) == known {
			return known
		}
	}
	return string(t)
}

// byStyle says whether a number of this cell type is read by its style: numbers and dates
// (and cells of no or an unknown type), not text, booleans or errors.
func byStyle(typ string) bool {
	switch typ {
	case "s", "str", "inlineStr", "b", "e":
		return false
	}
	return true
}

func (s *sheetReader) colStyle(col int) int {
	for _, c := range s.cols {
		if c.min <= col && col <= c.max && c.style != 0 {
			return c.style
		}
	}
	return 0
}

// refColumn is the column of a cell reference such as C12 (as excelize reads one).
func refColumn(ref []byte) (int, error) {
	col, i := 0, 0
	for i < len(ref) && i < 3 && 'A' <= ref[i] && ref[i] <= 'Z' {
		col = col*26 + int(ref[i]-'A'+1)
		i++
	}
	digits := len(ref) - i
	if i > 0 && digits > 0 && digits <= 7 && ref[i] != '0' && col <= excelize.MaxColumns {
		plain := true
		for _, c := range ref[i:] {
			plain = plain && '0' <= c && c <= '9'
		}
		if plain {
			return col, nil
		}
	}
	c, _, err := excelize.CellNameToCoordinates(string(ref))
	if err != nil {
		return 0, fmt.Errorf("cell reference %q: %w", ref, err)
	}
	return c, nil
}

// readRichText reads a string item (<si>, or a cell's <is>) whose start tag was just read,
// as excelize's xlsxSI.String does: its text and then the text of its runs, phonetic runs
// left out, _xHHHH_ escapes undone.
func readRichText(x *xmlScan) (string, error) {
	b, err := appendRichText(nil, x)
	return string(b), err
}

// appendRichText appends the text readRichText reads to dst.
func appendRichText(dst []byte, x *xmlScan) ([]byte, error) {
	if x.selfClosing {
		return dst, nil
	}
	start := len(dst)
	var runs []byte
	haveDirect := false
	for {
		ok, err := x.tag()
		switch {
		case err != nil:
			return dst, err
		case !ok:
			return dst, errXMLTruncated
		case x.closing: // the item's end
			dst = append(dst, runs...)
			item := dst[start:]
			if !utf8.Valid(item) {
				return dst, errors.New("a string's text is not UTF-8")
			}
			if bytes.Contains(item, []byte("_x")) {
				dst = append(dst[:start], unescapeBSTR(string(item))...)
			}
			return dst, nil
		case x.is("t"):
			t, err := x.elemText()
			if err != nil {
				return dst, err
			}
			if haveDirect {
				dst = dst[:start] // a second <t> replaces the first, as in excelize
			}
			dst, haveDirect = append(dst, t...), true
		case x.is("r"):
			if x.selfClosing {
				continue
			}
			var run []byte
			for {
				ok, err := x.tag()
				if err != nil || !ok {
					return dst, cmpErr(err, errXMLTruncated)
				}
				if x.closing {
					break
				}
				if x.is("t") {
					t, err := x.elemText()
					if err != nil {
						return dst, err
					}
					run = append(run[:0], t...)
				} else if err := x.skip(); err != nil {
					return dst, err
				}
			}
			runs = append(runs, run...)
		default:
			if err := x.skip(); err != nil {
				return dst, err
			}
		}
	}
}

func cmpErr(err, otherwise error) error {
	if err != nil {
		return err
	}
	return otherwise
}

var bstrRE = regexp.MustCompile(`_x[a-fA-F\d]{4}_`)

// unescapeBSTR undoes the _xHHHH_ escapes of characters XML cannot hold (_x000D_ is a
// carriage return), as excelize does (its bstrUnmarshal).
func unescapeBSTR(s string) string {
	if !strings.Contains(s, "_x") {
		return s
	}
	var b strings.Builder
	cursor := 0
	for _, m := range bstrRE.FindAllStringIndex(s, -1) {
		b.WriteString(s[cursor:m[0]])
		cursor = m[1]
		if s[m[0]:m[1]] == "_x005F_" {
			b.WriteString("_")
			continue
		}
		v, _ := strconv.Unquote(`"\u` + s[m[0]+2:m[1]-1] + `"`)
		b.WriteString(v)
	}
	b.WriteString(s[cursor:])
	return b.String()
}

// sharedStrings is a workbook's shared string table: the strings one after another in one
// block, each ending at its offset in ends. A million strings so take their bytes and four
// more each, and the collector has no pointer in them to follow.
type sharedStrings struct {
	text []byte
	ends []uint32
}

func (t *sharedStrings) len() int { return len(t.ends) }

// at is string i, viewing the block (which nothing changes once read).
func (t *sharedStrings) at(i int) string {
	start := uint32(0)
	if i > 0 {
		start = t.ends[i-1]
	}
	if start == t.ends[i] {
		return ""
	}
	return unsafe.String(&t.text[start], int(t.ends[i]-start))
}

// readSST reads a workbook's shared strings from their part, of size bytes unpacked (the
// strings take fewer: the block is made that big once, and only what is written of it
// is ever touched).
func readSST(r io.Reader, size uint64) (*sharedStrings, error) {
	x := newXMLScan(r)
	t := &sharedStrings{text: make([]byte, 0, min(size, math.MaxUint32))}
	for {
		ok, err := x.tag()
		if err != nil {
			return nil, err
		}
		if !ok {
			return t, nil
		}
		if x.is("si") {
			if t.text, err = appendRichText(t.text, x); err != nil {
				return nil, err
			}
			if len(t.text) > math.MaxUint32 {
				return nil, errors.New("shared strings of more than 4 GB")
			}
			t.ends = append(t.ends, uint32(len(t.text)))
		}
	}
}

// mergeRange is a merged range of cells, its corners 1-based.
type mergeRange struct{ r0, c0, r1, c1 int }

// maxMerges bounds the merged ranges of a sheet read.
const maxMerges = 1 << 20

// readMerges reads the merged ranges of a sheet from x on: they follow its rows. Only the
// tags named mergeCell are read: any other tag is passed by looking for the next '<' (no
// attribute value or text may hold one), so the rows are passed over quickly.
func readMerges(x *xmlScan) ([]mergeRange, error) {
	var out []mergeRange
	for {
		i := bytes.IndexByte(x.buf[x.pos:x.end], '<')
		if i < 0 {
			x.pos = x.end
			if !x.more() {
				if x.err != nil {
					return nil, x.err
				}
				return disjointMerges(out), nil
			}
			continue
		}
		x.pos += i
		x.has(64) // a tag's name, unless the part ends first
		b := x.buf[x.pos+1 : x.end]
		if len(b) > 0 && (b[0] == '!' || b[0] == '?') {
			if _, _, _, err := x.markup(); err != nil {
				return nil, err
			}
			continue
		}
		n := 0
		for n < len(b) && n < 64 && b[n] != '>' && b[n] != '/' && !isXMLSpace(b[n]) {
			n++
		}
		name := b[:n]
		if j := bytes.LastIndexByte(name, ':'); j >= 0 {
			name = name[j+1:]
		}
		if string(name) != "mergeCell" {
			x.pos++
			continue
		}
		if err := x.readTag(); err != nil {
			return nil, err
		}
		if len(out) == maxMerges {
			return nil, fmt.Errorf("more than %d merged ranges", maxMerges)
		}
		ref, _ := x.attr("ref")
		m, err := parseMerge(ref)
		if err != nil {
			return nil, err
		}
		out = append(out, m)
	}
}

func parseMerge(ref string) (mergeRange, error) {
	a, b, ok := strings.Cut(ref, ":")
	if !ok {
		return mergeRange{}, fmt.Errorf("merged range %q", ref)
	}
	c0, r0, err := excelize.CellNameToCoordinates(a)
	if err != nil {
		return mergeRange{}, fmt.Errorf("merged range %q: %w", ref, err)
	}
	c1, r1, err := excelize.CellNameToCoordinates(b)
	if err != nil {
		return mergeRange{}, fmt.Errorf("merged range %q: %w", ref, err)
	}
	return mergeRange{min(r0, r1), min(c0, c1), max(r0, r1), max(c0, c1)}, nil
}

// disjointMerges joins overlapping ranges into the range around them until none overlap, as
// excelize's GetMergeCells does (Excel would not save them): then every cell is in one
// range at most, and the order of the ranges does not matter.
func disjointMerges(ms []mergeRange) []mergeRange {
	for {
		slices.SortFunc(ms, func(a, b mergeRange) int {
			if a.r0 != b.r0 {
				return a.r0 - b.r0
			}
			return a.c0 - b.c0
		})
		changed := false
		out := ms[:0:0]
		var open []int // ranges of out that reach the current range's first row
		for _, m := range ms {
			open = slices.DeleteFunc(open, func(i int) bool { return out[i].r1 < m.r0 })
			joined := false
			for _, i := range open {
				o := &out[i]
				if o.c0 <= m.c1 && m.c0 <= o.c1 { // rows overlap: o starts above and reaches m
					o.r1, o.c0, o.c1 = max(o.r1, m.r1), min(o.c0, m.c0), max(o.c1, m.c1)
					joined, changed = true, true
					break
				}
			}
			if !joined {
				out = append(out, m)
				open = append(open, len(out)-1)
			}
		}
		ms = out
		if !changed {
			return ms
		}
	}
}

// mergeFill gives every cell of a merged range the value of its top-left cell (excelize
// gives it to that cell only), row by row, rows in order. A range fills only the columns
// up to width, the widest that holds text, never more: a range declared over the whole
// sheet (J2:XFD1048576) must not make rows of sixteen thousand cells.
type mergeFill struct {
	ms    []mergeRange // disjoint, by first row
	next  int          // the first of ms not yet open
	open  []int        // ms reaching the current row
	vals  []string     // each range's value, from its first row
	width int
}

func newMergeFill(ms []mergeRange) *mergeFill {
	return &mergeFill{ms: ms, vals: make([]string, len(ms))}
}

// fill fills row n's cells (the row's text as read, before any filling) and returns them.
func (m *mergeFill) fill(n int, cells []string) []string {
	for m.next < len(m.ms) && m.ms[m.next].r0 <= n {
		m.open = append(m.open, m.next)
		m.next++
	}
	m.open = slices.DeleteFunc(m.open, func(i int) bool { return m.ms[i].r1 < n })
	for _, i := range m.open {
		r := m.ms[i]
		if r.r0 == n && r.c0-1 < len(cells) {
			m.vals[i] = cells[r.c0-1]
		}
		if r.c0 > m.width {
			continue
		}
		last := min(r.c1, m.width)
		for len(cells) < last {
			cells = append(cells, "")
		}
		for c := r.c0; c <= last; c++ {
			cells[c-1] = m.vals[i]
		}
	}
	return cells
}

// textWidth is the column of the last cell of a row holding text, 0 for none.
func textWidth(cells []string) int {
	for c := len(cells) - 1; c >= 0; c-- {
		if strings.TrimSpace(cells[c]) != "" {
			return c + 1
		}
	}
	return 0
}
