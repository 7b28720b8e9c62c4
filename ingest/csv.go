package ingest

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime"
	"slices"
	"strings"
	"sync"
	"unsafe"

	"plantrack/plan"
	"plantrack/store"

	"github.com/apache/arrow-go/v18/arrow"
)

// chunkBytes is how much of a CSV one worker parses at a time: big enough that DuckDB gets
// batches of tens of thousands of rows, small enough that memory stays flat. (A variable
// so tests can cut files into tiny chunks.)
var chunkBytes = 4 << 20

// maxRecordBytes bounds one CSV record: a chunk grows until a record ends in it, so a
// record of any length up to this is read whole; a longer one (a quote never closed, most
// likely) gets the file refused, saying so. (A variable so tests can lower it.)
var maxRecordBytes = 64 << 20

// errRecordTooLong is a record longer than maxRecordBytes.
type errRecordTooLong struct{ line int }

func (e errRecordTooLong) Error() string {
	return fmt.Sprintf("the record starting on line %d is longer than %d MB (a quote never closed?)", e.line, maxRecordBytes>>20)
}

// tooLong is the Fault of a file with a record longer than maxRecordBytes.
func tooLong(e errRecordTooLong) *plan.Fault {
	return plan.FileFault(e.Error()+"; nothing of the file is taken",
		fmt.Sprintf("第 %d 行开始的一条记录超过 %d MB（可能有引号未闭合），整个文件未接收：请检查后重新导出", e.line, maxRecordBytes>>20))
}

// csvChunk is a run of whole CSV records.
type csvChunk struct {
	data []byte
	line int    // file line of data's first byte, 1-based
	skip int    // records at the start that are the header or above it
	enc  string // how to decode it
}

// readCSV streams a CSV file through the workers: a splitter cuts it into chunks at
// record boundaries (hashing it and checking its encoding as it goes), workers decode,
// parse and validate chunks in parallel, and their Arrow batches go to emit as they are
// ready. Row order across chunks is not kept: each row carries its line. The file's
// encoding verdict is in j.scan when it returns: a caller must drop what was emitted if
// the file turns out not to be text, or a duplicate (Ingest does, in its transaction).
func (j *fileJob) readCSV(ctx context.Context, path string, emit func(arrow.RecordBatch) error) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return err
	}
	sp := &splitter{f: f, left: st.Size(), check: textCheck{badAt: -1}, onBytes: j.onBytes}
	defer func() { j.scan = sp.result() }()

	first, err := sp.next(max(headerWindow, chunkBytes))
	if tl, ok := errors.AsType[errRecordTooLong](err); ok {
		j.rejectFile(tooLong(tl))
		return sp.drain()
	}
	if err != nil && !errors.Is(err, io.EOF) {
		return err
	}
	if sp.check.badAt >= 0 {
		return sp.drain()
	}
	rows, err := headerRows(bytes.TrimPrefix(first.data, utf8BOM), sp.check.enc)
	if err != nil {
		return err
	}
	l, at, err := findHeader(rows)
	if err != nil {
		j.rejectFile(err)
		return sp.drain()
	}
	if miss := l.missingColumns(); len(miss) > 0 {
		j.rejectFile(missingColumn(miss[0], ""))
		return sp.drain()
	}
	j.layout = l
	first.skip = at + 1

	chunks := make(chan csvChunk, 2)
	splitErr := make(chan error, 1)
	go func() {
		defer close(chunks)
		splitErr <- sp.run(ctx, first, chunks)
	}()

	type out struct {
		batch arrow.RecordBatch
		res   fileResult
	}
	outs := make(chan out, 2)
	var wg sync.WaitGroup
	workers := max(1, runtime.GOMAXPROCS(0))
	keys := make([][]uint64, workers) // each worker's repeat keys, sorted
	overflow := make([]bool, workers)
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			bb := newBatchBuilder(j.c.dicts)
			bb.track = true
			defer bb.release()
			for ch := range chunks {
				var o out
				o.res.err = j.parseChunk(ch, bb, &o.res)
				o.batch = bb.finish()
				outs <- o
			}
			keys[w], overflow[w] = radixSort(bb.keys), bb.overflow
		}()
	}
	go func() { wg.Wait(); close(outs) }()

	var emitErr error
	for o := range outs {
		j.res.merge(&o.res)
		if o.batch == nil {
			continue
		}
		if emitErr == nil && j.res.err == nil {
			emitErr = emit(o.batch)
		} else {
			o.batch.Release()
		}
	}
	if err := <-splitErr; err != nil {
		if tl, ok := errors.AsType[errRecordTooLong](err); ok {
			j.res = fileResult{}
			j.rejectFile(tooLong(tl)) // the rows emitted so far are taken back (rejected whole)
			return nil
		}
		return err
	}
	if emitErr != nil {
		return emitErr
	}
	j.noRepeats = !slices.Contains(overflow, true) && !repeated(keys)
	return j.res.err
}

// radixSort sorts keys a byte at a time from the lowest (passing over the bytes all keys
// share), in a few linear passes where a comparison sort of a million keys takes several
// times as long. It returns the sorted keys: a or a slice of the same length.
func radixSort(a []uint64) []uint64 {
	if len(a) < 256 {
		slices.Sort(a)
		return a
	}
	b := make([]uint64, len(a))
	for shift := 0; shift < 64; shift += 8 {
		var count [256]int
		for _, k := range a {
			count[(k>>shift)&0xFF]++
		}
		if count[(a[0]>>shift)&0xFF] == len(a) {
			continue
		}
		pos := 0
		for i, c := range count {
			count[i], pos = pos, pos+c
		}
		for _, k := range a {
			d := (k >> shift) & 0xFF
			b[count[d]] = k
			count[d]++
		}
		a, b = b, a
	}
	return a
}

// repeated tells whether any key is in the sorted lists twice.
func repeated(lists [][]uint64) bool {
	var all []uint64
	for _, l := range lists {
		for i := 1; i < len(l); i++ {
			if l[i] == l[i-1] {
				return true
			}
		}
		if len(all) == 0 {
			all = l
			continue
		}
		// Merge, stopping at a key both lists hold.
		merged := make([]uint64, 0, len(all)+len(l))
		a, b := all, l
		for len(a) > 0 && len(b) > 0 {
			switch {
			case a[0] == b[0]:
				return true
			case a[0] < b[0]:
				merged, a = append(merged, a[0]), a[1:]
			default:
				merged, b = append(merged, b[0]), b[1:]
			}
		}
		all = append(append(merged, a...), b...)
	}
	return false
}

var utf8BOM = []byte("\xEF\xBB\xBF")

// headerWindow is how much of a file the header must be found in.
const headerWindow = 1 << 20

// headerRows parses the first records of a file's first chunk.
func headerRows(data []byte, enc string) ([][]string, error) {
	if enc == encGB18030 {
		var err error
		if data, err = decodeGB18030(data); err != nil {
			return nil, err
		}
	}
	r := csv.NewReader(bytes.NewReader(data))
	r.FieldsPerRecord, r.LazyQuotes = -1, true
	var rows [][]string
	for len(rows) < headerSearchRows {
		rec, err := r.Read()
		if err != nil {
			break
		}
		rows = append(rows, rec)
	}
	return rows, nil
}

// splitter reads a CSV file in chunks that end at a newline outside quotes, following
// their encoding on the way (loadRows hashes the file alongside).
type splitter struct {
	f       *os.File
	check   textCheck
	size    int64
	left    int64 // bytes not yet read, by the size the file had when opened
	pending []byte
	inQuote bool
	eof     bool
	line    int
	onBytes func(int64)
}

// next returns the next chunk of at least want bytes (less at the end of the file), or
// io.EOF when there is none.
func (sp *splitter) next(want int) (csvChunk, error) {
	if sp.line == 0 {
		sp.line = 1
	}
	cut := 0
	for {
		for !sp.eof && len(sp.pending) < want {
			if sp.left <= 0 {
				sp.eof = true
				break
			}
			// Read straight into pending's room, grown to want at once.
			k := int(min(int64(want-len(sp.pending)), sp.left))
			if cap(sp.pending)-len(sp.pending) < k {
				sp.pending = append(make([]byte, 0, len(sp.pending)+k), sp.pending...)
			}
			n, err := io.ReadFull(sp.f, sp.pending[len(sp.pending):len(sp.pending)+k])
			sp.size += int64(n)
			sp.left -= int64(n)
			sp.pending = sp.pending[:len(sp.pending)+n]
			if err != nil {
				if !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF) {
					return csvChunk{}, err
				}
				sp.eof = true
			}
		}
		if len(sp.pending) == 0 {
			return csvChunk{}, io.EOF
		}
		if sp.eof {
			cut = len(sp.pending)
			break
		}
		var ok bool
		if cut, ok = recordCut(sp.pending, sp.inQuote); ok {
			break
		}
		// No record ends in what is read: it is longer than a chunk. Read on, never
		// cutting a record (or a character) in two.
		if len(sp.pending) >= maxRecordBytes {
			return csvChunk{}, errRecordTooLong{line: sp.line}
		}
		want = min(2*len(sp.pending), maxRecordBytes+1)
	}
	data := sp.pending[:cut:cut]
	sp.pending = append([]byte(nil), sp.pending[cut:]...)
	ch := csvChunk{data: data, line: sp.line, enc: sp.check.enc}
	sp.check.chunk(data)
	ch.enc = sp.check.enc
	sp.line += bytes.Count(data, []byte{'\n'})
	if sp.onBytes != nil {
		sp.onBytes(int64(len(data)))
	}
	return ch, nil
}

// run sends first and every following chunk, until the end of the file or of its text.
func (sp *splitter) run(ctx context.Context, first csvChunk, chunks chan<- csvChunk) error {
	ch := first
	for {
		if sp.check.badAt >= 0 {
			return sp.drain() // not text in its encoding: the file will be rejected whole
		}
		if ch.line == 1 {
			ch.data = bytes.TrimPrefix(ch.data, utf8BOM)
		}
		chunks <- ch
		if err := ctx.Err(); err != nil {
			return err
		}
		var err error
		ch, err = sp.next(chunkBytes)
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
	}
}

// drain skips the rest of the file without parsing it.
func (sp *splitter) drain() error {
	n, err := io.Copy(io.Discard, sp.f)
	sp.size += n
	return err
}

func (sp *splitter) result() fileScan {
	enc := sp.check.enc
	if enc == "" {
		enc = encUTF8 // plain ASCII
	}
	return fileScan{size: sp.size, encoding: enc, badAt: sp.check.badAt}
}

// recordCut finds the end of the last whole record in b (just after a newline outside
// quotes), given whether b starts inside a quoted field; false when no record ends in b.
func recordCut(b []byte, startInQuote bool) (int, bool) {
	quotes := bytes.Count(b, []byte{'"'})
	inQuoteAtEnd := startInQuote != (quotes%2 == 1)
	state := inQuoteAtEnd
	for i := len(b) - 1; i >= 0; i-- {
		switch b[i] {
		case '"':
			state = !state // the state before this quote
		case '\n':
			if !state {
				return i + 1, true
			}
		}
	}
	return 0, false
}

// parseChunk parses and checks one chunk's records.
func (j *fileJob) parseChunk(ch csvChunk, bb *batchBuilder, res *fileResult) error {
	text, err := decodeAs(ch.data, ch.enc)
	if err != nil {
		return fmt.Errorf("%s: %w", j.name, err)
	}
	n := 0
	return eachRecord(text, ch.line, func(rec []string, line int, perr error) {
		n++
		if perr != nil {
			res.rowsRead++
			res.reject(store.Rejection{File: j.name, Row: line, Reason: "unreadable CSV: " + perr.Error(),
				ReasonZh: "CSV 文件格式有误（引号不配对等），请重新导出", Code: string(plan.ReasonFile), Raw: "{}"})
			return
		}
		if n <= ch.skip {
			return
		}
		if f := j.recordFault(rec, line); f != nil {
			res.rowsRead++
			res.reject(store.Rejection{File: j.name, Row: line, Value: clipText(strings.Join(rec, ","), 80), Reason: f.Text,
				ReasonZh: f.Chinese("", ""), Code: string(f.Reason), Raw: rawJSON(j.layout.header, rec)})
			return
		}
		j.row(rec, "", line, bb, res)
	})
}

// recordFault finds what is wrong with a CSV record as a record, before its values are
// read: cells beyond the header that would be lost, or a quote left open that swallowed
// the lines after it into one cell.
func (j *fileJob) recordFault(rec []string, line int) *plan.Fault {
	width := len(j.layout.header)
	for i := width; i < len(rec); i++ {
		if strings.TrimSpace(rec[i]) != "" {
			return &plan.Fault{Reason: plan.ReasonExtraFields,
				Text: fmt.Sprintf("%d fields, and the header has %d: the cells past the header would be lost", len(rec), width),
				Zh:   fmt.Sprintf("这一行有 %d 栏，表头只有 %d 栏：多出的内容无处存放，请核对是否多了逗号", len(rec), width)}
		}
	}
	// A cell spanning lines is a note written over several lines, unless its lines look
	// like records of the file: then a quote was left open and took them in.
	need := max(2, width-2)
	for _, cell := range rec {
		if strings.IndexByte(cell, '\n') < 0 {
			continue
		}
		for k, l := range strings.Split(cell, "\n")[1:] {
			if strings.Count(l, ",") >= need {
				return &plan.Fault{Reason: plan.ReasonSwallowed,
					Text: fmt.Sprintf("a quote opened on line %d is still open on line %d, whose text looks like a record: close the quote", line, line+k+1),
					Zh:   fmt.Sprintf("第 %d 行的引号没有闭合，把第 %d 行起的内容也吞进了同一格：请补上引号后重新导出", line, line+k+1)}
			}
		}
	}
	return nil
}

// eachRecord calls fn with each record of text and the line it starts on, as
// encoding/csv (with LazyQuotes) reads them: empty lines are skipped, \r\n ends a line
// like \n. Lines without a quote, nearly all of them, are split at their commas; a record
// with quotes is read by splitQuoted. The cells view text (nothing changes it while the
// chunk is parsed): whatever outlives the chunk (cache keys) is cloned. rec is reused
// from record to record.
func eachRecord(text []byte, firstLine int, fn func(rec []string, line int, err error)) error {
	var rec []string
	var scratch []byte
	line := firstLine
	for pos := 0; pos < len(text); {
		rest := text[pos:]
		eol := bytes.IndexByte(rest, '\n')
		lineBytes, next := rest, len(rest)
		if eol >= 0 {
			lineBytes, next = rest[:eol], eol+1
		}
		if bytes.IndexByte(lineBytes, '"') < 0 {
			lineBytes = bytes.TrimSuffix(lineBytes, []byte{'\r'})
			if len(lineBytes) > 0 {
				rec = splitComma(unsafe.String(&lineBytes[0], len(lineBytes)), rec[:0])
				fn(rec, line, nil)
			}
			pos += next
			line++
			continue
		}
		var used, lines int
		rec, scratch, used, lines = splitQuoted(rest, rec[:0], scratch)
		fn(rec, line, nil)
		line += lines
		pos += used
	}
	return nil
}

// splitQuoted reads the record at the start of b, a line holding a quote, exactly as
// encoding/csv with LazyQuotes does: a field opening with a quote runs to the quote
// before a comma or the end of a line (or to the end of b), taking in commas and line
// ends; "" within it is one quote, and any other quote is kept as it is; \r\n is read as
// \n (and a \r ending b is dropped). A quoted field that reads as its bytes (no "", no
// \r\n: nearly all) is a view of b like any other; only the others are copied, through
// scratch. It returns the fields, scratch for reuse, the bytes the record took (through
// its line end) and how many line ends those hold.
func splitQuoted(b []byte, out []string, scratch []byte) (fields []string, scratchOut []byte, used, lines int) {
	n := len(b)
	// The current line: its text ends at ce (a \r before its \n, or before the end of b,
	// left out), the next line starts at next; nl tells whether it ends with \n.
	ce, next, nl := 0, 0, false
	lineAt := func(ls int) {
		if e := bytes.IndexByte(b[ls:], '\n'); e >= 0 {
			ce, next, nl = ls+e, ls+e+1, true
		} else {
			ce, next, nl = n, n, false
		}
		if ce > ls && b[ce-1] == '\r' {
			ce--
		}
	}
	view := func(x []byte) string { return unsafe.String(unsafe.SliceData(x), len(x)) }
	lineAt(0)
	p := 0
	for {
		if p >= ce || b[p] != '"' {
			// An unquoted field: up to the next comma or the end of the line.
			if i := bytes.IndexByte(b[p:ce], ','); i >= 0 {
				out = append(out, view(b[p:p+i]))
				p += i + 1
				continue
			}
			out = append(out, view(b[p:ce]))
			if nl {
				lines++
			}
			return out, scratch, next, lines
		}
		p++
		start, mark, copied := p, p, false
		scratch = scratch[:0]
		field := func(end int) string {
			if !copied {
				return view(b[start:end])
			}
			scratch = append(scratch, b[mark:end]...)
			return string(scratch)
		}
	quoted:
		for {
			i := bytes.IndexByte(b[p:ce], '"')
			if i < 0 {
				// The line ends inside the quotes: the field takes in the line end and
				// runs on into the next line, or ends with b.
				if !nl {
					out = append(out, field(ce))
					return out, scratch, n, lines
				}
				if b[ce] == '\r' { // \r\n is read as \n
					scratch = append(scratch, b[mark:ce]...)
					mark, copied = ce+1, true
				}
				lines++
				if next == n {
					out = append(out, field(n))
					return out, scratch, n, lines
				}
				p = next
				lineAt(p)
				continue
			}
			q := p + i
			switch a := q + 1; {
			case a < ce && b[a] == '"': // "" is one quote
				scratch = append(scratch, b[mark:a]...)
				mark, copied = a+1, true
				p = a + 1
			case a < ce && b[a] == ',': // the field ends, another follows
				out = append(out, field(q))
				p = a + 1
				break quoted
			case a >= ce: // the field ends the line and the record
				out = append(out, field(q))
				if nl {
					lines++
				}
				return out, scratch, next, lines
			default: // a quote inside the field is kept
				p = a
			}
		}
	}
}

// splitComma splits a quote-free line at its commas.
func splitComma(s string, out []string) []string {
	for {
		i := strings.IndexByte(s, ',')
		if i < 0 {
			return append(out, s)
		}
		out = append(out, s[:i])
		s = s[i+1:]
	}
}

// decode converts a file's bytes to UTF-8.
func (j *fileJob) decode(b []byte) ([]byte, error) {
	out, err := decodeAs(b, j.scan.encoding)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", j.name, err)
	}
	return out, nil
}

func decodeAs(b []byte, enc string) ([]byte, error) {
	if enc != encGB18030 {
		return b, nil
	}
	out, err := decodeGB18030(b)
	if err != nil {
		return nil, fmt.Errorf("decode GB18030: %w", err)
	}
	return out, nil
}
