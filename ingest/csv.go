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
	"sync"

	"github.com/apache/arrow-go/v18/arrow"
)

// chunkBytes is how much of a CSV one worker parses at a time: big enough that DuckDB gets
// batches of tens of thousands of rows, small enough that memory stays flat. (A variable
// so tests can cut files into tiny chunks.)
var chunkBytes = 4 << 20

// csvChunk is a run of whole CSV records.
type csvChunk struct {
	data []byte
	line int // file line of data's first byte, 1-based
	skip int // records at the start that are the header or above it
}

// readCSV streams a CSV file through the workers: a splitter cuts it into chunks at
// record boundaries, workers decode, parse and validate chunks in parallel, and their
// Arrow batches go to emit as they are ready. Row order across chunks is not kept: each
// row carries its line.
func (j *fileJob) readCSV(ctx context.Context, path string, emit func(arrow.RecordBatch) error) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()

	chunks := make(chan csvChunk, 2)
	splitErr := make(chan error, 1)
	first, err := j.firstChunk(f)
	if err != nil {
		return err
	}
	if first == nil {
		return nil // the whole file was rejected
	}
	go func() {
		defer close(chunks)
		splitErr <- splitCSV(ctx, f, j.scan.size, *first, chunks)
	}()

	type out struct {
		batch arrow.RecordBatch
		res   fileResult
	}
	outs := make(chan out, 2)
	var wg sync.WaitGroup
	workers := max(1, runtime.GOMAXPROCS(0))
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			bb := newBatchBuilder()
			defer bb.release()
			for ch := range chunks {
				var o out
				err := j.parseChunk(ch, bb, &o.res)
				if err != nil {
					o.res.err = err
				}
				o.batch = bb.finish()
				outs <- o
			}
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
		return err
	}
	if emitErr != nil {
		return emitErr
	}
	return j.res.err
}

// headerWindow is how much of a file the header must be found in.
const headerWindow = 1 << 20

// firstChunk reads the start of the file and finds the header. It returns nil when the
// file has no header (the file is rejected whole).
func (j *fileJob) firstChunk(f *os.File) (*csvChunk, error) {
	buf := make([]byte, min(int64(max(headerWindow, chunkBytes)), j.scan.size))
	n, err := io.ReadFull(f, buf)
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF) {
		return nil, err
	}
	data := bytes.TrimPrefix(buf[:n], []byte("\xEF\xBB\xBF"))
	text, err := j.decode(data)
	if err != nil {
		return nil, err
	}
	r := csv.NewReader(bytes.NewReader(text))
	r.FieldsPerRecord, r.LazyQuotes = -1, true
	var rows [][]string
	for len(rows) < headerSearchRows {
		rec, err := r.Read()
		if err != nil {
			break
		}
		rows = append(rows, rec)
	}
	l, at, err := findHeader(rows)
	if err != nil {
		j.rejectFile(err.Error())
		return nil, nil
	}
	if miss := l.missingColumns(); len(miss) > 0 {
		j.rejectFile(fmt.Sprintf("no %s column and no %s line above the header", miss[0], miss[0]))
		return nil, nil
	}
	j.layout = l
	return &csvChunk{data: data, line: 1, skip: at + 1}, nil
}

// splitCSV cuts the rest of the file into chunks that end at a newline outside quotes.
func splitCSV(ctx context.Context, f *os.File, size int64, first csvChunk, chunks chan<- csvChunk) error {
	pending := first.data
	left := size - int64(len(first.data)) // what is still to read (the BOM aside)
	line, skip := first.line, first.skip
	inQuote := false
	eof := false
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		if left <= 0 {
			eof = true
		}
		if !eof && len(pending) < chunkBytes {
			buf := make([]byte, max(0, min(int64(chunkBytes), left)))
			n, err := io.ReadFull(f, buf)
			left -= int64(n)
			pending = append(pending, buf[:n]...)
			if err != nil {
				if !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF) {
					return err
				}
				eof = true
			}
		}
		if len(pending) == 0 {
			return nil
		}
		cut := len(pending)
		if !eof {
			cut, inQuote = recordCut(pending, inQuote)
		}
		data := pending[:cut:cut]
		pending = append([]byte(nil), pending[cut:]...)
		chunks <- csvChunk{data: data, line: line, skip: skip}
		line += bytes.Count(data, []byte{'\n'})
		skip = 0
		if eof && len(pending) == 0 {
			return nil
		}
	}
}

// recordCut finds the end of the last whole record in b (just after a newline outside
// quotes), given whether b starts inside a quoted field. A file whose quotes never
// balance is cut at its last newline rather than read whole.
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
				return i + 1, false
			}
		}
	}
	if i := bytes.LastIndexByte(b, '\n'); i >= 0 {
		return i + 1, false
	}
	return len(b), false
}

// parseChunk parses and checks one chunk's records.
func (j *fileJob) parseChunk(ch csvChunk, bb *batchBuilder, res *fileResult) error {
	text, err := j.decode(ch.data)
	if err != nil {
		return err
	}
	r := csv.NewReader(bytes.NewReader(text))
	r.FieldsPerRecord, r.LazyQuotes, r.ReuseRecord = -1, true, true
	for i := 0; ; i++ {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			return nil
		}
		line, _ := r.FieldPos(0)
		row := ch.line + line - 1
		var pe *csv.ParseError
		if errors.As(err, &pe) {
			res.reject(Rejection{File: j.name, Row: ch.line + pe.StartLine - 1, Reason: "unreadable CSV: " + pe.Err.Error(), Code: ReasonFile, Raw: "{}"})
			continue
		}
		if err != nil {
			return err
		}
		if i < ch.skip {
			continue
		}
		j.row(rec, "", row, bb, res)
	}
}

// decode converts a chunk to UTF-8.
func (j *fileJob) decode(b []byte) ([]byte, error) {
	if j.scan.encoding != encGB18030 {
		return b, nil
	}
	out, err := decodeGB18030(b)
	if err != nil {
		return nil, fmt.Errorf("%s: decode GB18030: %w", j.name, err)
	}
	return out, nil
}
