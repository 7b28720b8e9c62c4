package store

import (
	"context"
	"database/sql/driver"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/duckdb/duckdb-go/v2"
)

// Batch is one ingest's transaction. Every row, file record and rejection of the batch is
// written through it, on one connection, and it is committed whole or not at all: a crash,
// Ctrl-C or kill before Commit leaves the database as it was.
type Batch struct {
	ID      int
	conn    *conn
	dc      driver.Conn
	ar      *duckdb.Arrow
	rows    *rowStream // the INSERT small files' rows stream into, while it runs
	files   *array.RecordBuilder
	rej     *array.RecordBuilder
	started time.Time
	ended   bool
}

// KnownFile is a file content an earlier batch (or an earlier file of this one) stored.
type KnownFile struct {
	Batch int
	Path  string
}

// FileRecord is an ingest_files row: what one file gave.
type FileRecord struct {
	Path, SHA256, Format, Encoding        string
	RowsRead, Accepted, Rejected, Skipped int64
	WholeFileRejected                     bool
}

// Rejection is a rejected_rows row: a row (or, with Row 0, a whole file or sheet) that
// could not be accepted, with its reason in English and Chinese and the whole original row.
type Rejection struct {
	File, Sheet string
	Row         int
	Column      string // the file's header for the bad value
	Value       string
	Reason      string // English, every problem of the row: the first, then `column "value": reason` for each further one
	ReasonZh    string // the same in Chinese, as the unit's receipt says it
	Code        string // the first problem's reason code (plan.Reason)
	Raw         string // JSON object: header → original text
}

// String prints a rejection like a compiler: 东阿县.xlsx:进度表:14: 完成进度 "120%": out of 0–100.
// It is one line whatever the file holds: the file, sheet and column are Shown (quoted
// when they hold a newline, an escape or another control character), the value quoted,
// and control characters in the reason escaped.
func (r Rejection) String() string {
	var b strings.Builder
	b.WriteString(Shown(r.File))
	if r.Sheet != "" {
		b.WriteString(":" + Shown(r.Sheet))
	}
	if r.Row > 0 {
		b.WriteString(":" + strconv.Itoa(r.Row))
	}
	b.WriteString(": ")
	if r.Column != "" {
		fmt.Fprintf(&b, "%s %q: ", Shown(r.Column), r.Value)
	}
	b.WriteString(ShownText(r.Reason))
	return b.String()
}

// BatchRecord is the ingest_batches row a batch commits with.
type BatchRecord struct {
	Files                                    int
	RowsRead, Accepted, Rejected, Superseded int64
	Duplicates                               int
	SkippedRows                              int64
}

// Begin starts a batch: a transaction on a connection of its own, numbered after the
// batches stored.
func (db *DB) Begin(ctx context.Context) (*Batch, error) {
	dc, err := db.Connector.Connect(ctx)
	if err != nil {
		return nil, fmt.Errorf("connect to %s: %w", db.Path, err)
	}
	ar, err := duckdb.NewArrowFromConn(dc)
	if err != nil {
		dc.Close()
		return nil, err
	}
	b := &Batch{conn: &conn{ctx: ctx, c: dc}, dc: dc, ar: ar, started: time.Now(),
		files: array.NewRecordBuilder(memory.DefaultAllocator, filesSchema),
		rej:   array.NewRecordBuilder(memory.DefaultAllocator, rejectedSchema)}
	if err := b.conn.exec("BEGIN TRANSACTION"); err != nil {
		b.release()
		return nil, err
	}
	if b.ID, err = b.conn.queryInt("SELECT coalesce(max(batch_id), 0) + 1 FROM ingest_batches"); err != nil {
		b.Rollback()
		return nil, err
	}
	return b, nil
}

// Context is the batch's: its statements stop when it is cancelled.
func (b *Batch) Context() context.Context { return b.conn.ctx }

// Started is when the batch began.
func (b *Batch) Started() time.Time { return b.started }

// KnownFiles are the file contents ingested before this batch, by SHA-256. A file refused
// whole (a template of another quarter, a damaged file) is not among them: it may be read
// again, under other options or once it has been mended.
func (b *Batch) KnownFiles() (map[string]KnownFile, error) {
	rows, err := b.conn.query("SELECT file_sha256, min(batch_id), arg_min(source_file, batch_id) FROM ingest_files WHERE status = 'ingested' GROUP BY file_sha256")
	if err != nil {
		return nil, err
	}
	out := map[string]KnownFile{}
	for _, r := range rows {
		out[r[0].(string)] = KnownFile{Batch: int(r[1].(int32)), Path: r[2].(string)}
	}
	return out, nil
}

// rowStream is an INSERT into submissions running on its own goroutine, reading the
// batches sent to ch.
type rowStream struct {
	ch   chan arrow.RecordBatch
	done chan error
}

// AddRows sends a small file's rows (RowSchema), each marked with the file, to the INSERT
// the batch's small files stream into, starting one if none runs: DuckDB writes one
// statement's rows straight into the file, where rows of many statements in a transaction
// are rewritten when the database closes. It takes the batches.
func (b *Batch) AddRows(batches []arrow.RecordBatch, path, sha string) error {
	if len(batches) == 0 {
		return nil
	}
	if b.rows == nil {
		if err := b.startRows(); err != nil {
			for _, r := range batches {
				r.Release()
			}
			return err
		}
	}
	str := func(s string) arrow.Array {
		sb := array.NewStringBuilder(memory.DefaultAllocator)
		defer sb.Release()
		sb.Append(s)
		return sb.NewArray()
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
			array.NewDictionaryArray(UnitDict, zeros, file), array.NewDictionaryArray(UnitDict, zeros, hash))
		out := array.NewRecordBatch(lineageSchema, cols, int64(n))
		cols[len(cols)-2].Release()
		cols[len(cols)-1].Release()
		zeros.Release()
		rec.Release()
		// The INSERT's goroutine takes every batch until the channel closes, even after
		// a failure (it drains them), so this never blocks for good.
		b.rows.ch <- out
	}
	return nil
}

// startRows starts the INSERT the small files' rows stream into.
func (b *Batch) startRows() error {
	ch := make(chan arrow.RecordBatch, 4)
	rr := NewStreamReader(lineageSchema, ch)
	const view = "plantrack_small"
	release, err := b.ar.RegisterView(rr, view)
	if err != nil {
		return err
	}
	rs := &rowStream{ch: ch, done: make(chan error, 1)}
	go func() {
		err := b.conn.exec(`INSERT INTO submissions
			SELECT unit_id, unit_name, task_no, period, status, progress_pct, achieved, notes,
			       evidence, submitted_on, flags, ?, source_file, source_sheet, source_row, file_sha256
			FROM `+view, b.ID)
		for r := range ch { // the INSERT stopped early: take what is still sent
			r.Release()
		}
		// The view points at the stream: drop it before the stream is freed.
		if dropErr := b.conn.exec("DROP VIEW IF EXISTS " + view); err == nil {
			err = dropErr
		}
		release()
		rs.done <- err
	}()
	b.rows = rs
	return nil
}

// EndRows ends the INSERT the small files' rows stream into, if one runs, and returns its
// error. A big file's InsertRows needs the connection to itself: it is called before.
func (b *Batch) EndRows() error {
	if b.rows == nil {
		return nil
	}
	close(b.rows.ch)
	err := <-b.rows.done
	b.rows = nil
	if err != nil {
		return fmt.Errorf("store rows: %w", err)
	}
	return nil
}

// InsertRows stores one file's accepted rows (RowSchema) from rr as they arrive, in a
// statement of its own, and returns when rr is exhausted. n names the statement's view, so
// that each file has its own.
func (b *Batch) InsertRows(rr array.RecordReader, path, sha string, n int) error {
	if err := b.EndRows(); err != nil {
		return err
	}
	view := fmt.Sprintf("plantrack_incoming_%d", n)
	return b.insertFrom(rr, view, `INSERT INTO submissions
		SELECT unit_id, unit_name, task_no, period, status, progress_pct, achieved, notes,
		       evidence, submitted_on, flags, ?, ?, source_sheet, source_row, ?
		FROM `+view, b.ID, path, sha)
}

// DeleteFileRows takes back the rows a file added in this batch (it turned out to be a
// duplicate, or not text in its encoding, after its rows streamed in).
func (b *Batch) DeleteFileRows(path string) error {
	return b.conn.exec("DELETE FROM submissions WHERE batch_id = ? AND source_file = ?", b.ID, path)
}

// AddFile records a file (its ingest_files row) and its rejections; they are stored by Flush.
func (b *Batch) AddFile(f FileRecord, rejections []Rejection) {
	status := "ingested"
	if f.WholeFileRejected {
		status = "rejected"
	}
	fb := b.files
	for i, s := range []string{f.Path, f.SHA256, f.Format, f.Encoding, status} {
		fb.Field(i).(*array.StringBuilder).Append(s)
	}
	for i, n := range []int64{f.RowsRead, f.Accepted, f.Rejected, f.Skipped} {
		fb.Field(5 + i).(*array.Int64Builder).Append(n)
	}
	r := b.rej
	str := func(i int) *array.StringBuilder { return r.Field(i).(*array.StringBuilder) }
	for _, x := range rejections {
		str(0).Append(f.Path)
		str(1).Append(x.Sheet)
		r.Field(2).(*array.Int32Builder).Append(int32(x.Row))
		str(3).Append(x.Column)
		str(4).Append(x.Value)
		str(5).Append(x.Reason)
		str(6).Append(x.ReasonZh)
		str(7).Append(x.Code)
		str(8).Append(x.Raw)
		str(9).Append(f.SHA256)
	}
}

// Flush ends the rows' INSERT and stores the file records and rejections added so far.
func (b *Batch) Flush() error {
	if err := b.EndRows(); err != nil {
		return err
	}
	for _, t := range []struct {
		b      *array.RecordBuilder
		view   string
		insert string
	}{
		{b.files, "plantrack_files", `INSERT INTO ingest_files SELECT ?, source_file, file_sha256, format, encoding, status,
			rows_read, accepted, rejected, skipped_rows FROM plantrack_files`},
		{b.rej, "plantrack_rejected", `INSERT INTO rejected_rows (batch_id, source_file, source_sheet, source_row, "column",
			value, reason, reason_zh, reason_code, raw, file_sha256) SELECT ?, source_file, source_sheet, source_row, "column",
			value, reason, reason_zh, reason_code, raw, file_sha256 FROM plantrack_rejected`},
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
		err = b.insertFrom(rr, t.view, t.insert, b.ID)
		rr.Release()
		if err != nil {
			return fmt.Errorf("store %s: %w", t.view, err)
		}
	}
	return nil
}

// Superseded counts the stored reports that reports of this batch replaced: of the reports
// for one (unit, task, period) all but one are superseded, so the batch's rows supersede
// as many as they are, less one for each (unit, task, period) no earlier batch reported.
// Only the batch's keys are grouped; the earlier rows are only looked up.
func (b *Batch) Superseded() (int64, error) {
	n, err := b.conn.queryInt(`WITH mine AS (
		    SELECT unit_id, task_no, period, count(*) AS n FROM submissions WHERE batch_id = $1 GROUP BY ALL)
		SELECT (coalesce(sum(n), 0) - count(*) FILTER (WHERE NOT EXISTS (
		    SELECT 1 FROM submissions o WHERE o.batch_id <> $1 AND o.unit_id = m.unit_id AND o.task_no = m.task_no AND o.period = m.period)))::BIGINT
		FROM mine m`, b.ID)
	return int64(n), err
}

// Commit records the batch in ingest_batches and commits it. beforeCommit, when set, runs
// with the batch complete but not committed (tests kill the process there).
func (b *Batch) Commit(rec BatchRecord, beforeCommit func()) error {
	if b.ended {
		return errors.New("batch already ended")
	}
	err := b.conn.exec(`INSERT INTO ingest_batches (batch_id, started_at, finished_at, files, rows_read, accepted, rejected,
		superseded, duplicates, skipped_rows) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		b.ID, b.started, time.Now(), rec.Files, rec.RowsRead, rec.Accepted, rec.Rejected, rec.Superseded, rec.Duplicates, rec.SkippedRows)
	if err != nil {
		return err
	}
	if beforeCommit != nil {
		beforeCommit()
	}
	if err := b.conn.exec("COMMIT"); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	b.ended = true
	b.release()
	return nil
}

// Rollback ends the batch without writing anything; after Commit it does nothing, so it
// may be deferred.
func (b *Batch) Rollback() {
	if b.ended {
		return
	}
	b.ended = true
	b.EndRows()
	// A cancelled context would refuse the rollback; the transaction must still end.
	(&conn{ctx: context.Background(), c: b.dc}).exec("ROLLBACK")
	b.release()
}

func (b *Batch) release() {
	b.files.Release()
	b.rej.Release()
	b.dc.Close()
}

// insertFrom runs insert with rr seen as view.
func (b *Batch) insertFrom(rr array.RecordReader, view, insert string, args ...any) error {
	release, err := b.ar.RegisterView(rr, view)
	if err != nil {
		return err
	}
	err = b.conn.exec(insert, args...)
	// The view points at the reader: drop it before the reader is freed.
	if dropErr := b.conn.exec("DROP VIEW IF EXISTS " + view); err == nil {
		err = dropErr
	}
	release()
	return err
}

// conn runs statements on one driver connection: a batch's transaction lives on it.
type conn struct {
	ctx context.Context
	c   driver.Conn
}

func named(args []any) []driver.NamedValue {
	nv := make([]driver.NamedValue, len(args))
	for i, a := range args {
		nv[i] = driver.NamedValue{Ordinal: i + 1, Value: a}
	}
	return nv
}

func (d *conn) exec(q string, args ...any) error {
	_, err := d.c.(driver.ExecerContext).ExecContext(d.ctx, q, named(args))
	return err
}

func (d *conn) query(q string, args ...any) ([][]driver.Value, error) {
	return connQuery(d.ctx, d.c, q, named(args))
}

func (d *conn) queryInt(q string, args ...any) (int, error) {
	rows, err := d.query(q, args...)
	if err != nil {
		return 0, err
	}
	if len(rows) != 1 || len(rows[0]) != 1 {
		return 0, fmt.Errorf("%s: want one value", q)
	}
	switch v := rows[0][0].(type) {
	case int64:
		return int(v), nil
	case int32:
		return int(v), nil
	case nil:
		return 0, nil
	default:
		return 0, fmt.Errorf("%s: got %T", q, v)
	}
}
