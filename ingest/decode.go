package ingest

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"unicode/utf8"

	"plantrack/plan"

	"golang.org/x/text/encoding/simplifiedchinese"
)

// Text encodings of CSV and JSON files.
const (
	encUTF8    = "utf-8"
	encUTF8BOM = "utf-8-bom"
	encGB18030 = "gb18030" // GB18030 is a superset of GBK and GB2312: one decoder reads all three
)

// fileScan is what one pass over a file's bytes learns before anything is parsed.
type fileScan struct {
	sha256   string
	size     int64
	encoding string // for text files
	badAt    int64  // byte offset of the first byte no encoding explains; -1 when none
}

// scanFile hashes a file and, for text files, decides its encoding: UTF-8 when every
// byte sequence is UTF-8, GB18030 when every sequence is GB18030. A file that is neither,
// or that holds U+FFFD (the mark of an earlier lossy conversion), is refused with the
// offset of the first bad byte: decoders that substitute U+FFFD silently lose text.
func scanFile(path string, text bool) (fileScan, error) {
	f, err := os.Open(path)
	if err != nil {
		return fileScan{}, err
	}
	defer f.Close()
	h := sha256.New()
	sc := fileScan{badAt: -1}
	var u utf8State
	var g gbState
	buf := make([]byte, 1<<20)
	first := true
	for {
		n, err := f.Read(buf)
		if n > 0 {
			chunk := buf[:n]
			h.Write(chunk)
			if text {
				if first && bytes.HasPrefix(chunk, []byte("\xEF\xBB\xBF")) {
					sc.encoding = encUTF8BOM
				}
				u.feed(chunk, sc.size)
			}
			sc.size += int64(n)
			first = false
		}
		if err == io.EOF {
			break
		}
		if err != nil {
			return sc, err
		}
	}
	sc.sha256 = hex.EncodeToString(h.Sum(nil))
	if !text {
		return sc, nil
	}
	u.end(sc.size)
	if u.badAt >= 0 {
		// Not UTF-8: a second pass checks GB18030 (files this size are small).
		if err := g.scan(f); err != nil {
			return sc, err
		}
	}
	switch {
	case u.badAt < 0 && u.replacementAt < 0:
		if sc.encoding == "" {
			sc.encoding = encUTF8
		}
	case u.badAt < 0:
		sc.encoding, sc.badAt = encUTF8, u.replacementAt
	case u.mostlyValid():
		// UTF-8 with a few broken bytes: read as GB18030 it would turn to nonsense.
		sc.encoding, sc.badAt = encUTF8, u.badAt
	case g.badAt < 0:
		sc.encoding = encGB18030
	default:
		sc.encoding, sc.badAt = encGB18030, g.badAt
	}
	return sc, nil
}

// badEncodingError says where a file stops being text in its encoding.
func badEncodingError(sc fileScan) *plan.Fault {
	const zh = "文件编码损坏（部分文字已丢失），请从原始文件重新保存后报送"
	if sc.encoding == encGB18030 {
		return plan.FileFault(fmt.Sprintf("byte %d is not GBK/GB18030 text (nor is the file UTF-8): save the file as UTF-8 or GBK", sc.badAt), zh)
	}
	return plan.FileFault(fmt.Sprintf("bad UTF-8 at byte %d (an invalid byte or a U+FFFD replacement character): the file lost text when it was converted; save it again from the original", sc.badAt), zh)
}

// utf8State validates UTF-8 across chunk boundaries.
type utf8State struct {
	carry         []byte
	badAt         int64
	replacementAt int64
	valid, bad    int // multi-byte sequences seen, good and bad
	started       bool
}

func (s *utf8State) feed(chunk []byte, off int64) {
	if !s.started {
		s.badAt, s.replacementAt, s.started = -1, -1, true
	}
	b, base := withCarry(&s.carry, chunk, off)
	// Fast path: a valid chunk needs no counting. An incomplete last character waits
	// for the next chunk.
	end := len(b)
	for p := len(b) - 1; p >= 0 && p >= len(b)-utf8.UTFMax; p-- {
		if utf8.RuneStart(b[p]) {
			if !utf8.FullRune(b[p:]) {
				end = p
			}
			break
		}
	}
	if utf8.Valid(b[:end]) {
		if k := bytes.Index(b[:end], []byte("\xEF\xBF\xBD")); k >= 0 && s.replacementAt < 0 {
			s.replacementAt = base + int64(k)
		}
		s.valid++ // the heuristic needs only to know good text was seen
		s.carry = append(s.carry, b[end:]...)
		return
	}
	i := 0
	for i < len(b) {
		c := b[i]
		if c < utf8.RuneSelf {
			// Skip ASCII runs fast: most of a CSV is digits and commas.
			j := i + 1
			for j < len(b) && b[j] < utf8.RuneSelf {
				j++
			}
			i = j
			continue
		}
		if !utf8.FullRune(b[i:]) {
			s.carry = append(s.carry, b[i:]...)
			return
		}
		r, size := utf8.DecodeRune(b[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			s.bad++
			if s.badAt < 0 {
				s.badAt = base + int64(i)
			}
		case r == utf8.RuneError:
			s.valid++
			if s.replacementAt < 0 {
				s.replacementAt = base + int64(i)
			}
		default:
			s.valid++
		}
		i += size
	}
}

func (s *utf8State) end(size int64) {
	if !s.started {
		s.badAt, s.replacementAt = -1, -1
	}
	if len(s.carry) > 0 {
		s.bad++
		if s.badAt < 0 {
			s.badAt = size - int64(len(s.carry))
		}
	}
}

// mostlyValid: far more good multi-byte sequences than broken ones. GBK text read as
// UTF-8 is the other way round: most of its byte pairs are not UTF-8.
func (s *utf8State) mostlyValid() bool { return s.valid >= 4*s.bad }

// gbState validates GB18030 byte structure: ASCII, or a lead byte 81–FE followed by a
// trail byte 40–7E or 80–FE, or a four-byte sequence 81–FE 30–39 81–FE 30–39.
type gbState struct {
	carry   []byte
	badAt   int64
	started bool
}

func (s *gbState) feed(chunk []byte, off int64) {
	if !s.started {
		s.badAt, s.started = -1, true
	}
	if s.badAt >= 0 {
		return
	}
	b, base := withCarry(&s.carry, chunk, off)
	i := 0
	for i < len(b) {
		c := b[i]
		if c < 0x80 {
			i++
			continue
		}
		if c == 0x80 || c == 0xFF {
			s.badAt = base + int64(i)
			return
		}
		if i+1 >= len(b) {
			s.carry = append(s.carry, b[i:]...)
			return
		}
		t := b[i+1]
		switch {
		case (t >= 0x40 && t <= 0x7E) || (t >= 0x80 && t <= 0xFE):
			i += 2
		case t >= 0x30 && t <= 0x39:
			if i+3 >= len(b) {
				s.carry = append(s.carry, b[i:]...)
				return
			}
			if b[i+2] < 0x81 || b[i+2] > 0xFE || b[i+3] < 0x30 || b[i+3] > 0x39 {
				s.badAt = base + int64(i)
				return
			}
			i += 4
		default:
			s.badAt = base + int64(i)
			return
		}
	}
}

// scan validates a whole file from its start.
func (s *gbState) scan(f *os.File) error {
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return err
	}
	buf := make([]byte, 1<<20)
	var off int64
	for {
		n, err := f.Read(buf)
		s.feed(buf[:n], off)
		off += int64(n)
		if err == io.EOF {
			s.end(off)
			return nil
		}
		if err != nil {
			return err
		}
	}
}

func (s *gbState) end(size int64) {
	if !s.started {
		s.badAt = -1
	}
	if len(s.carry) > 0 && s.badAt < 0 {
		s.badAt = size - int64(len(s.carry))
	}
}

// decodeGB18030 converts a chunk that ends on a line boundary to UTF-8. Chunks split only
// at '\n', which in GB18030 is never part of a multi-byte character.
func decodeGB18030(b []byte) ([]byte, error) {
	return simplifiedchinese.GB18030.NewDecoder().Bytes(b)
}

// textCheck follows the encoding of a file read in chunks that end at line ends (so on
// character boundaries): it is decided by the first chunk holding a non-ASCII byte, and
// every later chunk must agree.
type textCheck struct {
	enc   string // "" while everything has been ASCII
	badAt int64  // offset of the first byte the encoding does not explain; -1 when none
	off   int64
}

func (c *textCheck) chunk(b []byte) {
	base := c.off
	c.off += int64(len(b))
	if c.badAt >= 0 {
		return
	}
	if base == 0 && bytes.HasPrefix(b, utf8BOM) {
		c.enc = encUTF8BOM
	}
	if c.enc == "" && isASCII(b) {
		return
	}
	var u utf8State
	switch c.enc {
	case "":
		u.feed(b, base)
		u.end(base + int64(len(b)))
		switch {
		case u.badAt < 0 && u.replacementAt < 0:
			c.enc = encUTF8
		case u.badAt < 0:
			c.enc, c.badAt = encUTF8, u.replacementAt
		case u.mostlyValid():
			c.enc, c.badAt = encUTF8, u.badAt
		default:
			var g gbState
			g.feed(b, base)
			g.end(base + int64(len(b)))
			c.enc, c.badAt = encGB18030, g.badAt
		}
	case encUTF8, encUTF8BOM:
		if utf8.Valid(b) {
			if k := bytes.Index(b, []byte("\xEF\xBF\xBD")); k >= 0 {
				c.badAt = base + int64(k)
			}
			return
		}
		u.feed(b, base)
		u.end(base + int64(len(b)))
		c.badAt = u.badAt
	case encGB18030:
		var g gbState
		g.feed(b, base)
		g.end(base + int64(len(b)))
		c.badAt = g.badAt
	}
}

func isASCII(b []byte) bool {
	for len(b) >= 8 {
		if binary.LittleEndian.Uint64(b)&0x8080808080808080 != 0 {
			return false
		}
		b = b[8:]
	}
	for _, c := range b {
		if c >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// fileHash is a file's SHA-256.
type fileHash struct {
	sha256 string
	err    error
}

func hashFile(path string) fileHash {
	f, err := os.Open(path)
	if err != nil {
		return fileHash{err: err}
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return fileHash{err: err}
	}
	return fileHash{sha256: hex.EncodeToString(h.Sum(nil))}
}

// withCarry puts the incomplete character left from the previous chunk in front of this
// one, and says at which file offset the result starts.
func withCarry(carry *[]byte, chunk []byte, off int64) ([]byte, int64) {
	if len(*carry) == 0 {
		return chunk, off
	}
	b := append(append([]byte{}, *carry...), chunk...)
	base := off - int64(len(*carry))
	*carry = nil
	return b, base
}
