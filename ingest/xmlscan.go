package ingest

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strconv"
	"unicode/utf8"
)

// xmlScan reads the XML of a workbook's parts tag by tag as it inflates, holding a window of
// it, never the whole: a worksheet of a million rows is half a gigabyte of XML. It is no
// general XML parser, only what SpreadsheetML needs: tags with their attributes (a
// namespace prefix dropped), text with its entities and CDATA, comments and processing
// instructions passed over. encoding/xml reads the same several times slower, and
// excelize's row iterator, built on it, does not say a cell's type and style.
type xmlScan struct {
	r        io.Reader
	buf      []byte
	pos, end int
	eof      bool
	err      error // the reader's, other than io.EOF

	// The tag last read by tag.
	name         []byte // local name, without a prefix
	attrs        []byte // its attributes as written
	closing      bool   // </name>
	selfClosing  bool   // <name/>
	text, seg    []byte // scratch for elemText
	consumed     int64  // bytes passed, for progress
	onConsumed   func(n int64)
	lastReported int64
}

const (
	xmlWindow   = 256 << 10
	xmlMaxToken = 16 << 20 // a tag, comment or CDATA section longer than this is no workbook's
)

var errXMLTruncated = errors.New("the XML ends in the middle")

func newXMLScan(r io.Reader) *xmlScan {
	return &xmlScan{r: r, buf: make([]byte, xmlWindow)}
}

// more reads on, keeping buf[pos:end]; false at the end of the input or on an error.
func (x *xmlScan) more() bool {
	if x.eof || x.err != nil {
		return false
	}
	if x.pos > 0 {
		x.consumed += int64(x.pos)
		if x.onConsumed != nil && x.consumed-x.lastReported >= 1<<20 {
			x.onConsumed(x.consumed - x.lastReported)
			x.lastReported = x.consumed
		}
		x.end = copy(x.buf, x.buf[x.pos:x.end])
		x.pos = 0
	}
	if x.end == len(x.buf) {
		if len(x.buf) >= xmlMaxToken {
			x.err = fmt.Errorf("an XML token longer than %d MB", xmlMaxToken>>20)
			return false
		}
		x.buf = append(x.buf, make([]byte, len(x.buf))...)
	}
	for {
		n, err := x.r.Read(x.buf[x.end:])
		x.end += n
		switch {
		case errors.Is(err, io.EOF):
			x.eof = true
			return n > 0
		case err != nil:
			x.err = err
			return n > 0
		case n > 0:
			return true
		}
	}
}

// fail is the error that ended a read: the reader's, or the XML cut short.
func (x *xmlScan) fail() error {
	if x.err != nil {
		return x.err
	}
	return errXMLTruncated
}

// has makes sure n bytes from pos are in the window; false when the input ends first.
func (x *xmlScan) has(n int) bool {
	for x.end-x.pos < n {
		if !x.more() {
			return false
		}
	}
	return true
}

// skipPast moves past the next occurrence of term and returns what stood before it
// (valid until the next read).
func (x *xmlScan) skipPast(term string) ([]byte, error) {
	from := 0
	for {
		if i := bytes.Index(x.buf[x.pos+from:x.end], []byte(term)); i >= 0 {
			before := x.buf[x.pos : x.pos+from+i]
			x.pos += from + i + len(term)
			return before, nil
		}
		// Keep the last bytes: term may start in them.
		from = max(0, x.end-x.pos-len(term)+1)
		if x.end-x.pos > xmlMaxToken {
			return nil, fmt.Errorf("no %s within %d MB", term, xmlMaxToken>>20)
		}
		if !x.more() {
			return nil, x.fail()
		}
	}
}

// markup handles what starts at pos with "<!" or "<?": a comment, a processing
// instruction or a DOCTYPE is passed over, a CDATA section's content returned (valid until
// the next read). isMarkup is false for a tag.
func (x *xmlScan) markup() (cdata []byte, isCDATA, isMarkup bool, err error) {
	if !x.has(2) {
		return nil, false, false, x.fail()
	}
	switch x.buf[x.pos+1] {
	case '?':
		_, err := x.skipPast("?>")
		return nil, false, true, err
	case '!':
	default:
		return nil, false, false, nil
	}
	x.has(9) // fewer at the end of the input: then none of the prefixes matches
	rest := x.buf[x.pos:x.end]
	switch {
	case bytes.HasPrefix(rest, []byte("<!--")):
		x.pos += 4
		_, err := x.skipPast("-->")
		return nil, false, true, err
	case bytes.HasPrefix(rest, []byte("<![CDATA[")):
		x.pos += 9
		cdata, err := x.skipPast("]]>")
		return cdata, true, true, err
	}
	_, err = x.skipPast(">") // a DOCTYPE: no workbook has one
	return nil, false, true, err
}

// readTag reads the tag at pos (a '<' that starts no markup) into name, attrs, closing and
// selfClosing.
func (x *xmlScan) readTag() error {
	from := 1 // where to look for the '>' ending the tag, from pos
	for {
		if i := bytes.IndexByte(x.buf[x.pos+from:x.end], '>'); i >= 0 {
			gt := x.pos + from + i
			if t := x.buf[x.pos+1 : gt]; outsideQuotes(t) {
				x.setTag(t)
				x.pos = gt + 1
				return nil
			}
			from += i + 1 // a '>' within an attribute's value
			continue
		}
		from = x.end - x.pos
		if from > xmlMaxToken {
			return fmt.Errorf("a tag longer than %d MB", xmlMaxToken>>20)
		}
		if !x.more() {
			return x.fail()
		}
	}
}

// outsideQuotes: the end of t is outside any attribute value.
func outsideQuotes(t []byte) bool {
	if bytes.IndexByte(t, '\'') < 0 {
		return bytes.Count(t, []byte{'"'})%2 == 0
	}
	var quote byte
	for _, c := range t {
		switch {
		case quote != 0:
			if c == quote {
				quote = 0
			}
		case c == '"' || c == '\'':
			quote = c
		}
	}
	return quote == 0
}

func (x *xmlScan) setTag(t []byte) {
	x.closing = len(t) > 0 && t[0] == '/'
	if x.closing {
		t = t[1:]
	}
	x.selfClosing = len(t) > 0 && t[len(t)-1] == '/'
	if x.selfClosing {
		t = t[:len(t)-1]
	}
	n, colon := 0, -1
	for ; n < len(t); n++ {
		c := t[n]
		if c <= ' ' && isXMLSpace(c) {
			break
		}
		if c == ':' {
			colon = n
		}
	}
	x.name, x.attrs = t[colon+1:n], t[n:]
}

func isXMLSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

// tag reads the next tag, passing over the text and markup before it; false at the end of
// the input (then err says whether it ended well).
func (x *xmlScan) tag() (bool, error) {
	for {
		i := bytes.IndexByte(x.buf[x.pos:x.end], '<')
		if i < 0 {
			x.pos = x.end
			if !x.more() {
				return false, x.err
			}
			continue
		}
		x.pos += i
		_, _, isMarkup, err := x.markup()
		if err != nil {
			return false, err
		}
		if isMarkup {
			continue
		}
		return true, x.readTag()
	}
}

// is reports whether the tag last read is a start (or self-closing) tag of that name.
func (x *xmlScan) is(name string) bool { return !x.closing && string(x.name) == name }

// isEnd reports whether the tag last read is the end tag of that name.
func (x *xmlScan) isEnd(name string) bool { return x.closing && string(x.name) == name }

// skip passes over the content of the start tag last read, to its end tag.
func (x *xmlScan) skip() error {
	if x.selfClosing {
		return nil
	}
	for depth := 1; ; {
		ok, err := x.tag()
		if !ok {
			if err == nil {
				err = errXMLTruncated
			}
			return err
		}
		switch {
		case x.closing:
			depth--
		case !x.selfClosing:
			depth++
		}
		if depth == 0 {
			return nil
		}
	}
}

// elemText reads the text of the start tag last read, to its end tag: entities decoded,
// CDATA as it is, line ends as \n, the text of any element inside left out (as
// encoding/xml reads a ",chardata" field). The result is valid until the next read.
func (x *xmlScan) elemText() ([]byte, error) {
	x.text = x.text[:0]
	if x.selfClosing {
		return x.text, nil
	}
	depth := 0
	x.seg = x.seg[:0]
	for {
		i := bytes.IndexByte(x.buf[x.pos:x.end], '<')
		if i < 0 {
			if depth == 0 {
				x.seg = append(x.seg, x.buf[x.pos:x.end]...)
			}
			x.pos = x.end
			if !x.more() {
				return nil, x.fail()
			}
			continue
		}
		if depth == 0 {
			if len(x.seg) == 0 && len(x.text) == 0 && x.plainEnd(i) {
				// The usual case, <v>12</v>: the text as it stands in the window.
				t := x.buf[x.pos : x.pos+i]
				x.pos += i
				if err := x.readTag(); err != nil {
					return nil, err
				}
				return t, nil
			}
			x.seg = append(x.seg, x.buf[x.pos:x.pos+i]...)
		}
		x.pos += i
		cdata, isCDATA, isMarkup, err := x.markup()
		if err != nil {
			return nil, err
		}
		if isMarkup {
			if isCDATA && depth == 0 {
				if err := x.flushText(); err != nil {
					return nil, err
				}
				x.text = appendLines(x.text, cdata)
			}
			continue
		}
		if err := x.readTag(); err != nil {
			return nil, err
		}
		switch {
		case x.closing && depth == 0:
			if err := x.flushText(); err != nil {
				return nil, err
			}
			return x.text, nil
		case x.closing:
			depth--
		case !x.selfClosing:
			depth++
		}
	}
}

// plainEnd: the text of i bytes at pos needs no decoding, and an end tag follows it whole
// in the window (so reading it moves nothing).
func (x *xmlScan) plainEnd(i int) bool {
	t := x.buf[x.pos : x.pos+i]
	return x.pos+i+1 < x.end && x.buf[x.pos+i+1] == '/' && bytes.IndexByte(x.buf[x.pos+i:x.end], '>') >= 0 &&
		bytes.IndexByte(t, '&') < 0 && bytes.IndexByte(t, '\r') < 0
}

// flushText decodes the text segment gathered so far onto text.
func (x *xmlScan) flushText() error {
	if len(x.seg) == 0 {
		return nil
	}
	var err error
	x.text, err = appendDecoded(x.text, x.seg)
	x.seg = x.seg[:0]
	return err
}

// appendLines appends b with its line ends made \n, as an XML processor must.
func appendLines(dst, b []byte) []byte {
	for {
		i := bytes.IndexByte(b, '\r')
		if i < 0 {
			return append(dst, b...)
		}
		dst = append(dst, b[:i]...)
		dst = append(dst, '\n')
		b = b[i+1:]
		if len(b) > 0 && b[0] == '\n' {
			b = b[1:]
		}
	}
}

// appendDecoded appends text with its entity and character references replaced.
func appendDecoded(dst, b []byte) ([]byte, error) {
	for {
		i := bytes.IndexByte(b, '&')
		if i < 0 {
			return appendLines(dst, b), nil
		}
		dst = appendLines(dst, b[:i])
		b = b[i:]
		j := bytes.IndexByte(b, ';')
		if j < 0 || j > 12 {
			return dst, fmt.Errorf("a bare & in the XML text %q", clipText(string(b), 20))
		}
		ref := string(b[1:j])
		switch ref {
		case "lt":
			dst = append(dst, '<')
		case "gt":
			dst = append(dst, '>')
		case "amp":
			dst = append(dst, '&')
		case "apos":
			dst = append(dst, '\'')
		case "quot":
			dst = append(dst, '"')
		default:
			var n uint64
			var err error
			switch {
			case len(ref) > 2 && (ref[:2] == "#x" || ref[:2] == "#X"):
				n, err = strconv.ParseUint(ref[2:], 16, 32)
			case len(ref) > 1 && ref[0] == '#':
				n, err = strconv.ParseUint(ref[1:], 10, 32)
			default:
				err = errors.New("unknown entity")
			}
			if err != nil || n > utf8.MaxRune {
				return dst, fmt.Errorf("the XML reference &%s; is none a workbook may hold", ref)
			}
			dst = utf8.AppendRune(dst, rune(n))
		}
		b = b[j+1:]
	}
}

// attr is the value of the attribute of the tag last read whose local name is key (its
// prefix dropped: r:id is id), references decoded; ok is false when there is none.
func (x *xmlScan) attr(key string) (string, bool) {
	var v string
	found := false
	x.eachAttr(func(name, value []byte) bool {
		if string(name) == key {
			v, found = decodedAttr(value), true
			return false
		}
		return true
	})
	return v, found
}

// eachAttr calls f with each attribute of the tag last read (local name, raw value) until
// f returns false.
func (x *xmlScan) eachAttr(f func(name, value []byte) bool) {
	for a := x.attrs; ; {
		name, value, rest, ok := nextAttr(a)
		if !ok || !f(name, value) {
			return
		}
		a = rest
	}
}

// nextAttr reads the first attribute of a: its local name and raw value, and what follows.
func nextAttr(a []byte) (name, value, rest []byte, ok bool) {
	i := 0
	for i < len(a) && isXMLSpace(a[i]) {
		i++
	}
	start, colon := i, -1
	for i < len(a) && a[i] != '=' && !isXMLSpace(a[i]) {
		if a[i] == ':' {
			colon = i
		}
		i++
	}
	name = a[max(start, colon+1):i]
	for i < len(a) && isXMLSpace(a[i]) {
		i++
	}
	if i >= len(a) || a[i] != '=' {
		return nil, nil, nil, false
	}
	i++
	for i < len(a) && isXMLSpace(a[i]) {
		i++
	}
	if i >= len(a) || (a[i] != '"' && a[i] != '\'') {
		return nil, nil, nil, false
	}
	end := bytes.IndexByte(a[i+1:], a[i])
	if end < 0 {
		return nil, nil, nil, false
	}
	return name, a[i+1 : i+1+end], a[i+2+end:], true
}

func decodedAttr(v []byte) string {
	if bytes.IndexByte(v, '&') < 0 && bytes.IndexByte(v, '\r') < 0 {
		return string(v)
	}
	d, err := appendDecoded(nil, v)
	if err != nil {
		return string(v)
	}
	return string(d)
}
