package ingest

import (
	"context"
	"fmt"
	"runtime"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/duckdb/duckdb-go/v2"
	"golang.org/x/sync/semaphore"
)

// A quarter is hundreds of small files. Read one after another, each with statements of
// its own, they cost far more in waiting than in reading; so files up to smallFile are
// read whole, ahead of their turn, on every core, and their rows stream into one INSERT
// (DuckDB writes one statement's rows straight to the file; rows of many statements in
// a transaction are rewritten when the database closes); file records and rejections
// are stored together at the end. Bigger files stream through the CSV workers in their
// turn, so none is ever whole in memory.
const smallFile = 4 << 20

// readAhead is a small file read whole before its turn.
type readAhead struct {
	j       *fileJob
	batches []arrow.RecordBatch
	err     error
}

func (ra *readAhead) release() {
	for _, b := range ra.batches {
		b.Release()
	}
	ra.batches = nil
}

// aheadBytes bounds the bytes of small files read and not yet stored.
const aheadBytes = 64 << 20

// aheadWeight is what a file counts against aheadBytes: a workbook is zipped, its rows
// take several times its size.
func aheadWeight(format string, size int64) int64 {
	if format == "xlsx" {
		size *= 8
	}
	return min(size, aheadBytes)
}

// readAheadAll starts reading the small files (small[i]) of ins, in order, on every core,
// up to aheadBytes of them ahead of the caller. The caller takes file i from out[i] and
// then hands its format and size back to release. prior are the contents earlier batches hold: those
// files are hashed, not read.
func readAheadAll(ctx context.Context, c *checker, ins []input, sizes []int64, small []bool, prior map[string]knownFile) (out []chan *readAhead, release func(format string, size int64)) {
	workers := max(1, runtime.GOMAXPROCS(0))
	out = make([]chan *readAhead, len(ins))
	for i := range out {
		out[i] = make(chan *readAhead, 1)
	}
	room := semaphore.NewWeighted(aheadBytes)
	running := make(chan struct{}, workers)
	go func() {
		for i, in := range ins {
			if !small[i] {
				continue
			}
			if err := room.Acquire(ctx, aheadWeight(in.format, sizes[i])); err != nil {
				return
			}
			select {
			case running <- struct{}{}:
			case <-ctx.Done():
				return
			}
			go func() {
				defer func() { <-running }()
				out[i] <- readSmall(ctx, &fileJob{c: c, name: in.path, format: in.format}, in.path, prior)
			}()
		}
	}()
	return out, func(format string, size int64) { room.Release(aheadWeight(format, size)) }
}

// readSmall hashes a file and decides its encoding, then reads its rows unless an earlier
// batch has its content or it is not text in its encoding.
func readSmall(ctx context.Context, j *fileJob, path string, prior map[string]knownFile) *readAhead {
	ra := &readAhead{j: j}
	sc, err := scanFile(path, j.format != "xlsx")
	if err != nil {
		ra.err = fmt.Errorf("read %w", err)
		return ra
	}
	j.scan = sc
	if _, ok := prior[sc.sha256]; ok || sc.badAt >= 0 {
		return ra
	}
	err = j.read(ctx, path, func(b arrow.RecordBatch) error {
		ra.batches = append(ra.batches, b)
		return nil
	})
	j.scan = sc // the CSV reader leaves its own verdict, without the hash: the scan's is the same
	if err != nil {
		ra.release()
		ra.err = fmt.Errorf("%s: %w", path, err)
	}
	return ra
}

// pending holds the INSERT the small files' rows stream into, while it runs, and the
// file records and rejections of every file of the batch.
type pending struct {
	conn    *dconn
	ar      *duckdb.Arrow
	batchID int
	rows    *rowStream // nil when no INSERT runs
	files   *array.RecordBuilder
	rej     *array.RecordBuilder
}

// rowStream is an INSERT into submissions running on its own goroutine, reading the
// batches sent to ch.
type rowStream struct {
	ch   chan arrow.RecordBatch
	done chan error
}

// lineageSchema is rowSchema with the file each row came from.
var lineageSchema = arrow.NewSchema(append(rowSchema.Fields(),
	arrow.Field{Name: "source_file", Type: unitDict},
	arrow.Field{Name: "file_sha256", Type: unitDict},
), nil)

var filesSchema = arrow.NewSchema([]arrow.Field{
	{Name: "source_file", Type: arrow.BinaryTypes.String},
	{Name: "file_sha256", Type: arrow.BinaryTypes.String},
	{Name: "format", Type: arrow.BinaryTypes.String},
	{Name: "encoding", Type: arrow.BinaryTypes.String},
	{Name: "status", Type: arrow.BinaryTypes.String},
	{Name: "rows_read", Type: arrow.PrimitiveTypes.Int64},
	{Name: "accepted", Type: arrow.PrimitiveTypes.Int64},
	{Name: "rejected", Type: arrow.PrimitiveTypes.Int64},
	{Name: "skipped_rows", Type: arrow.PrimitiveTypes.Int64},
}, nil)

// rejectedSchema is the Arrow form of rejections on their way to rejected_rows.
var rejectedSchema = arrow.NewSchema([]arrow.Field{
	{Name: "source_file", Type: arrow.BinaryTypes.String},
	{Name: "source_sheet", Type: arrow.BinaryTypes.String},
	{Name: "source_row", Type: arrow.PrimitiveTypes.Int32},
	{Name: "column", Type: arrow.BinaryTypes.String},
	{Name: "value", Type: arrow.BinaryTypes.String},
	{Name: "reason", Type: arrow.BinaryTypes.String},
	{Name: "reason_code", Type: arrow.BinaryTypes.String},
	{Name: "raw", Type: arrow.BinaryTypes.String},
	{Name: "file_sha256", Type: arrow.BinaryTypes.String},
}, nil)

func newPending(conn *dconn, ar *duckdb.Arrow, batchID int) *pending {
	return &pending{
		conn: conn, ar: ar, batchID: batchID,
		files: array.NewRecordBuilder(memory.DefaultAllocator, filesSchema),
		rej:   array.NewRecordBuilder(memory.DefaultAllocator, rejectedSchema),
	}
}

// release ends a running INSERT (an error has been returned: the batch rolls back).
func (p *pending) release() {
	p.endRows()
	p.files.Release()
	p.rej.Release()
}

// addRows sends a small file's rows, each marked with the file, to the running INSERT,
// starting one if none runs. It takes the batches.
func (p *pending) addRows(batches []arrow.RecordBatch, path, sha string) error {
	if len(batches) == 0 {
		return nil
	}
	if p.rows == nil {
		if err := p.startRows(); err != nil {
			for _, b := range batches {
				b.Release()
			}
			return err
		}
	}
	str := func(s string) arrow.Array {
		b := array.NewStringBuilder(memory.DefaultAllocator)
		defer b.Release()
		b.Append(s)
		return b.NewArray()
	}
	file, hash := str(path), str(sha)
	defer file.Release()
	defer hash.Release()
	for _, rec := range batches {
		n := int(rec.NumRows())
		idx := array.NewInt32Builder(memory.DefaultAllocator)
		idx.AppendValues(make([]int32, n), nil)
		zeros := idx.NewArray()
		idx.Release()
		cols := append(rec.Columns()[:len(rec.Columns()):len(rec.Columns())],
			array.NewDictionaryArray(unitDict, zeros, file), array.NewDictionaryArray(unitDict, zeros, hash))
		out := array.NewRecordBatch(lineageSchema, cols, int64(n))
		cols[len(cols)-2].Release()
		cols[len(cols)-1].Release()
		zeros.Release()
		rec.Release()
		// The INSERT's goroutine takes every batch until the channel closes, even after
		// a failure (it drains them), so this never blocks for good.
		p.rows.ch <- out
	}
	return nil
}

// startRows starts the INSERT the small files' rows stream into.
func (p *pending) startRows() error {
	ch := make(chan arrow.RecordBatch, 4)
	rr := newChanReader(ch, func() error { return nil })
	rr.schema = lineageSchema
	const view = "plantrack_small"
	release, err := p.ar.RegisterView(rr, view)
	if err != nil {
		return err
	}
	rs := &rowStream{ch: ch, done: make(chan error, 1)}
	go func() {
		err := p.conn.exec(`INSERT INTO submissions
			SELECT unit_id, unit_name, task_no, period, status, progress_pct, achieved, notes,
			       evidence, submitted_on, flags, ?, source_file, source_sheet, source_row, file_sha256
			FROM `+view, p.batchID)
		for b := range ch { // the INSERT stopped early: take what is still sent
			b.Release()
		}
		// The view points at the stream: drop it before the stream is freed.
		if dropErr := p.conn.exec("DROP VIEW IF EXISTS " + view); err == nil {
			err = dropErr
		}
		release()
		rs.done <- err
	}()
	p.rows = rs
	return nil
}

// endRows ends the running INSERT, if any, and returns its error.
func (p *pending) endRows() error {
	if p.rows == nil {
		return nil
	}
	close(p.rows.ch)
	err := <-p.rows.done
	p.rows = nil
	return err
}

// addFile records a file (its ingest_files row) and its rejections.
func (p *pending) addFile(j *fileJob) {
	status := "ingested"
	if j.res.wholeFile {
		status = "rejected"
	}
	f := p.files
	for i, s := range []string{j.name, j.scan.sha256, j.format, j.scan.encoding, status} {
		f.Field(i).(*array.StringBuilder).Append(s)
	}
	for i, n := range []int64{j.res.rowsRead, j.res.accepted, j.res.rejected, j.res.skipped} {
		f.Field(5 + i).(*array.Int64Builder).Append(n)
	}
	r := p.rej
	str := func(i int) *array.StringBuilder { return r.Field(i).(*array.StringBuilder) }
	for _, x := range j.res.rejections {
		str(0).Append(j.name)
		str(1).Append(x.Sheet)
		r.Field(2).(*array.Int32Builder).Append(int32(x.Row))
		str(3).Append(x.Column)
		str(4).Append(x.Value)
		str(5).Append(x.Reason)
		str(6).Append(x.Code)
		str(7).Append(x.Raw)
		str(8).Append(j.scan.sha256)
	}
}

// flushFiles stores the file records and rejections of the batch.
func (p *pending) flushFiles(conn *dconn, ar *duckdb.Arrow, batchID int) error {
	for _, t := range []struct {
		b      *array.RecordBuilder
		view   string
		insert string
	}{
		{p.files, "plantrack_files", `INSERT INTO ingest_files SELECT ?, source_file, file_sha256, format, encoding, status,
			rows_read, accepted, rejected, skipped_rows FROM plantrack_files`},
		{p.rej, "plantrack_rejected", `INSERT INTO rejected_rows SELECT ?, source_file, source_sheet, source_row, "column",
			value, reason, reason_code, raw, file_sha256 FROM plantrack_rejected`},
	} {
		rec := t.b.NewRecordBatch()
		if rec.NumRows() == 0 {
			rec.Release()
			continue
		}
		rr, err := array.NewRecordReader(rec.Schema(), []arrow.RecordBatch{rec})
		rec.Release()
		if err != nil {
			return err
		}
		err = insertFrom(conn, ar, rr, t.view, t.insert, batchID)
		rr.Release()
		if err != nil {
			return fmt.Errorf("store %s: %w", t.view, err)
		}
	}
	return nil
}

// insertFrom runs insert with rr seen as view.
func insertFrom(conn *dconn, ar *duckdb.Arrow, rr array.RecordReader, view, insert string, args ...any) error {
	release, err := ar.RegisterView(rr, view)
	if err != nil {
		return err
	}
	err = conn.exec(insert, args...)
	// The view points at the reader: drop it before the reader is freed.
	if dropErr := conn.exec("DROP VIEW IF EXISTS " + view); err == nil {
		err = dropErr
	}
	release()
	return err
}
