package ingest

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"os"
	"time"

	"github.com/apache/arrow-go/v18/arrow"

	"plantrack/plan"
	"plantrack/store"
)

// Options tune one ingest.
type Options struct {
	Strict bool         // roll back, and report ErrRejected, if any row is rejected
	Log    *slog.Logger // progress notes; nil for none
	// Progress, when set, is told how many of the input bytes have been read (a progress bar).
	Progress func(done, total int64)
	// BeforeCommit runs with the batch complete but not committed (tests kill the process here).
	BeforeCommit func()
	// Period, when set, is the period being collected: a plantrack template made for
	// another period is rejected whole (plan.ReasonWrongPeriod).
	Period plan.Period
}

// ErrRejected is returned under Options.Strict when rows were rejected; nothing was written.
var ErrRejected = errors.New("rows were rejected and --strict is set: nothing was written")

// Summary is what one ingest did.
type Summary struct {
	BatchID     int // 0 when nothing was added
	Files       []FileSummary
	Skipped     []Skipped   // files not read: other formats, lock files
	Duplicates  []Duplicate // files whose content was already ingested
	RowsRead    int64
	Accepted    int64
	Rejected    int64 // entries in rejected_rows: rows, or whole files
	Superseded  int64 // earlier reports that newer ones in this batch replaced
	SkippedRows int64 // note and totals rows
	Rejections  []store.Rejection
}

// FileSummary is what one file gave.
type FileSummary struct {
	Path, Format, Encoding, SHA256        string
	RowsRead, Accepted, Rejected, Skipped int64
	WholeFileRejected                     bool
	Notes                                 []string // sheets not read, and why
}

// Duplicate is a file whose exact content an earlier batch (or an earlier file of this
// one) already ingested.
type Duplicate struct {
	Path, SHA256 string
	BatchID      int // the batch that has it (this one, for an earlier file of the same call)
	Previous     string
}

// ownCategory begins the document category of every workbook plantrack writes other than
// its templates (plantrack-receipt, plantrack-summary): ingest passes them over.
const ownCategory = "plantrack-"

// fileResult accumulates what reading a file found.
type fileResult struct {
	skip                                  string // why the file is not a submission at all: it is listed, not read
	rowsRead, accepted, rejected, skipped int64
	rejections                            []store.Rejection
	notes                                 []string
	wholeFile                             bool
	err                                   error
}

func (r *fileResult) reject(x store.Rejection) {
	r.rejected++
	r.rejections = append(r.rejections, x)
}

func (r *fileResult) merge(o *fileResult) {
	r.rowsRead += o.rowsRead
	r.accepted += o.accepted
	r.rejected += o.rejected
	r.skipped += o.skipped
	r.rejections = append(r.rejections, o.rejections...)
	r.notes = append(r.notes, o.notes...)
	if r.err == nil {
		r.err = o.err
	}
}

// fileJob reads one file.
type fileJob struct {
	c      *checker
	name   string
	format string
	scan   fileScan
	layout *layout
	memo   *memo
	res    fileResult
	tmpl   *templateFile // set when the file is one of plantrack's templates
	// noRepeats: no two accepted rows are the same report (unit, task, period, 填报日期),
	// so none needs flag repeated_in_file (known for CSV files, which readCSV checks).
	noRepeats bool
	// onBytes, when set, hears how many more bytes of the file have been parsed.
	onBytes func(n int64)
}

// rejectFile rejects the whole file: err is a *plan.Fault saying why in both languages, or
// (an error of a library) said as it is, with a general request in Chinese.
func (j *fileJob) rejectFile(err error) {
	f, ok := errors.AsType[*plan.Fault](err)
	if !ok {
		f = plan.FileFault(err.Error(), "文件无法作为进度报表读取，请使用下发的模板重新填报")
	}
	j.rejectWhole(store.Rejection{Reason: f.Text, ReasonZh: f.Chinese("", ""), Code: string(f.Reason)})
}

// rejectWhole rejects the whole file for the reason r gives.
func (j *fileJob) rejectWhole(r store.Rejection) {
	j.res.wholeFile = true
	r.File, r.Raw = j.name, "{}"
	j.res.reject(r)
}

// row sorts one row: blank, note and totals rows are not submissions; a data row is
// accepted into bb or rejected with its reasons.
func (j *fileJob) row(cells []string, sheet string, row int, bb *batchBuilder, res *fileResult, extra ...plan.Flag) {
	switch classify(j.layout, cells) {
	case blankRow:
		return
	case noteRow, totalRow:
		res.skipped++
		return
	}
	if j.layout.unfilled(cells) {
		return // a task left blank (a template's, or any list of tasks): not a report, a blank row
	}
	res.rowsRead++
	m := j.memo
	if m == nil {
		m = workerMemo(bb)
	}
	rec, probs := j.c.check(j.layout, cells, sheet, row, m)
	if j.tmpl != nil {
		probs = j.tmpl.checkAssigned(j.c, j.layout, cells, &rec, probs)
	}
	if probs != nil {
		res.reject(j.layout.rejection(j.name, sheet, row, cells, probs))
		return
	}
	rec.flags = append(rec.flags, extra...)
	bb.add(&rec)
	res.accepted++
}

// workerMemo gives each CSV worker its own cache, kept with its batch builder.
func workerMemo(bb *batchBuilder) *memo {
	if bb.memo == nil {
		bb.memo = newMemo()
	}
	return bb.memo
}

func (j *fileJob) read(ctx context.Context, path string, emit func(arrow.RecordBatch) error) error {
	switch j.format {
	case "csv":
		return j.readCSV(ctx, path, emit)
	case "xlsx":
		j.memo = newMemo()
		return j.readXLSX(ctx, path, emit)
	default:
		j.memo = newMemo()
		return j.readJSON(ctx, path, emit)
	}
}

// Ingest reads paths (files and folders) into the database as one batch: all of it is
// committed, or none of it. The plan's catalog tables are refreshed in the same batch.
func Ingest(ctx context.Context, db *store.DB, y *plan.Years, paths []string, opt Options) (*Summary, error) {
	if opt.Log == nil {
		opt.Log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if len(y.Plans) == 0 {
		return nil, errors.New("no plan: give one with --plan")
	}
	if opt.Period != "" && (!opt.Period.Valid() || y.Year(opt.Period.Year()) == nil) {
		return nil, fmt.Errorf("period %q: want a quarter of a plan year (%s), such as %dQ2", opt.Period, y.List(), y.Plans[0].Catalog.Year)
	}
	ins, skipped, err := walk(paths)
	if err != nil {
		return nil, err
	}
	sizes, small := make([]int64, len(ins)), make([]bool, len(ins))
	r := &run{c: newChecker(y), opt: opt, sum: &Summary{Skipped: skipped}}
	r.c.period = opt.Period
	for i, in := range ins {
		if st, err := os.Stat(in.path); err == nil {
			sizes[i], small[i] = st.Size(), st.Size() <= smallFile
			r.total += st.Size()
		}
	}
	if r.b, err = db.Begin(ctx); err != nil {
		return nil, err
	}
	defer r.b.Rollback() // a no-op once committed
	if r.known, err = r.b.KnownFiles(); err != nil {
		return nil, err
	}
	// Small files are read ahead from now on, while the catalog is saved.
	ctx, cancel := context.WithCancel(ctx)
	defer cancel() // stops the readers ahead when this returns early
	ahead, release := readAheadAll(ctx, r.c, ins, sizes, small, maps.Clone(r.known))
	if err := r.b.SaveCatalog(y); err != nil {
		return nil, err
	}
	for i, in := range ins {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		var j *fileJob
		if small[i] {
			var ra *readAhead
			select {
			case ra = <-ahead[i]:
				release(in.format, sizes[i])
			case <-ctx.Done():
				return nil, ctx.Err()
			}
			r.done += sizes[i]
			j, err = r.takeAhead(in, ra)
		} else {
			j, err = r.stream(in, i) // a big file has the connection to itself
		}
		if err != nil {
			return nil, err
		}
		if j != nil {
			r.record(in, j)
		}
	}
	return r.commit()
}

// run is one Ingest under way: its batch, what it has read, and the contents known.
type run struct {
	b           *store.Batch
	c           *checker
	opt         Options
	known       map[string]store.KnownFile // by SHA-256: earlier batches' files and this one's
	noRepeats   []string                   // files with no repeated report: FlagRepeats passes them over
	sum         *Summary
	done, total int64 // bytes read, of all the inputs
}

// seen tells whether a content was read before (an earlier batch, or an earlier file of
// this one), listing the file as a duplicate; otherwise it is known from now on.
func (r *run) seen(path, sha string) bool {
	if prev, ok := r.known[sha]; ok {
		r.sum.Duplicates = append(r.sum.Duplicates, Duplicate{Path: path, SHA256: sha, BatchID: prev.Batch, Previous: prev.Path})
		return true
	}
	r.known[sha] = store.KnownFile{Batch: r.b.ID, Path: path}
	return false
}

// takeAhead stores a small file read ahead: its rows, unless it is a duplicate (nil job)
// or not text in its encoding (rejected whole).
func (r *run) takeAhead(in input, ra *readAhead) (*fileJob, error) {
	if ra.err != nil {
		return nil, ra.err
	}
	j := ra.j
	if r.seen(in.path, j.scan.sha256) {
		ra.release()
		return nil, nil
	}
	if r.skipped(in, j) {
		ra.release()
		return nil, nil
	}
	if j.scan.badAt >= 0 {
		ra.release()
		j.res = fileResult{}
		j.rejectFile(badEncodingError(j.scan))
	}
	if j.res.wholeFile {
		ra.release() // a file refused whole keeps none of its rows
	}
	batches := ra.batches
	ra.batches = nil
	if err := r.b.AddRows(batches, in.path, j.scan.sha256); err != nil {
		return nil, fmt.Errorf("store rows: %w", err)
	}
	return j, nil
}

// stream reads a file too big to read ahead, in its turn: a CSV streams through the
// workers into submissions as it is parsed (hashed alongside); another file is hashed
// first. It returns the file's job, or nil when the file was a duplicate.
func (r *run) stream(in input, n int) (*fileJob, error) {
	j := &fileJob{c: r.c, name: in.path, format: in.format}
	if progress := r.opt.Progress; progress != nil {
		fileDone := int64(0)
		j.onBytes = func(n int64) {
			fileDone += n
			progress(r.done+fileDone, r.total)
		}
	}
	streamed := in.format == "csv"
	if !streamed {
		var err error
		if j.scan, err = scanFile(in.path, in.format != "xlsx"); err != nil {
			return nil, fmt.Errorf("read %w", err)
		}
		if r.seen(in.path, j.scan.sha256) {
			r.done += j.scan.size
			return nil, nil
		}
	}
	if streamed || j.scan.badAt < 0 {
		if err := loadRows(r.b, j, in.path, n); err != nil {
			return nil, err
		}
	}
	sc := j.scan
	r.done += sc.size
	if r.skipped(in, j) {
		return nil, r.b.DeleteFileRows(in.path)
	}
	if streamed && r.seen(in.path, sc.sha256) {
		// Read for nothing: take back what the file added.
		return nil, r.b.DeleteFileRows(in.path)
	}
	if sc.badAt >= 0 {
		j.res = fileResult{}
		j.rejectFile(badEncodingError(sc))
	}
	if j.res.wholeFile {
		// A file refused whole keeps none of the rows that streamed in before it was (a
		// CSV, or a workbook whose sheet turned out broken after rows of it were stored).
		if err := r.b.DeleteFileRows(in.path); err != nil {
			return nil, err
		}
	}
	return j, nil
}

// skipped lists a file that turned out to be no submission (plantrack's own receipt, a
// template with nothing filled in): it is not recorded, so it is not "ingested" either.
func (r *run) skipped(in input, j *fileJob) bool {
	if j.res.skip == "" {
		if j.tmpl == nil || j.res.rowsRead > 0 || j.res.rejected > 0 {
			return false
		}
		j.res.skip = "a plantrack template with nothing filled in"
	}
	if k, ok := r.known[j.scan.sha256]; ok && k.Batch == r.b.ID && k.Path == in.path {
		delete(r.known, j.scan.sha256)
	}
	r.sum.Skipped = append(r.sum.Skipped, Skipped{Path: in.path, Reason: j.res.skip})
	return true
}

// record adds what a file gave to the batch (its ingest_files row and rejections) and to
// the summary.
func (r *run) record(in input, j *fileJob) {
	fs := FileSummary{Path: in.path, Format: in.format, Encoding: j.scan.encoding, SHA256: j.scan.sha256,
		RowsRead: j.res.rowsRead, Accepted: j.res.accepted, Rejected: j.res.rejected, Skipped: j.res.skipped,
		WholeFileRejected: j.res.wholeFile, Notes: j.res.notes}
	if j.noRepeats {
		r.noRepeats = append(r.noRepeats, in.path)
	}
	r.b.AddFile(store.FileRecord{Path: fs.Path, SHA256: fs.SHA256, Format: fs.Format, Encoding: fs.Encoding,
		RowsRead: fs.RowsRead, Accepted: fs.Accepted, Rejected: fs.Rejected, Skipped: fs.Skipped, WholeFileRejected: fs.WholeFileRejected},
		j.res.rejections)
	if r.opt.Progress != nil {
		r.opt.Progress(r.done, r.total)
	}
	sum := r.sum
	sum.Files = append(sum.Files, fs)
	sum.RowsRead += fs.RowsRead
	sum.Accepted += fs.Accepted
	sum.Rejected += fs.Rejected
	sum.SkippedRows += fs.Skipped
	sum.Rejections = append(sum.Rejections, j.res.rejections...)
	r.opt.Log.Info("read", "file", in.path, "rows", fs.RowsRead, "accepted", fs.Accepted, "rejected", fs.Rejected,
		"elapsed", time.Since(r.b.Started()).Round(time.Millisecond))
}

// commit ends the batch: nothing new leaves the database as it was; under Strict any
// rejection does too (ErrRejected); otherwise the batch is committed.
func (r *run) commit() (*Summary, error) {
	sum := r.sum
	if err := r.b.Flush(); err != nil {
		return nil, err
	}
	if len(r.noRepeats) < len(sum.Files) {
		if err := r.b.FlagRepeats(r.noRepeats); err != nil {
			return nil, fmt.Errorf("flag repeated reports: %w", err)
		}
	}
	if len(sum.Files) == 0 {
		return sum, nil // the deferred rollback leaves the database as it was
	}
	var err error
	if sum.Superseded, err = r.b.Superseded(); err != nil {
		return nil, err
	}
	if r.opt.Strict && sum.Rejected > 0 {
		return sum, ErrRejected
	}
	err = r.b.Commit(store.BatchRecord{Files: len(sum.Files), RowsRead: sum.RowsRead, Accepted: sum.Accepted, Rejected: sum.Rejected,
		Superseded: sum.Superseded, Duplicates: len(sum.Duplicates), SkippedRows: sum.SkippedRows}, r.opt.BeforeCommit)
	if err != nil {
		return nil, err
	}
	r.opt.Log.Info("committed", "batch", r.b.ID, "elapsed", time.Since(r.b.Started()).Round(time.Millisecond))
	sum.BatchID = r.b.ID
	return sum, nil
}

// loadRows streams a file's accepted rows into the batch as they are parsed.
func loadRows(b *store.Batch, j *fileJob, path string, n int) error {
	ctx := b.Context()
	// A CSV is not hashed before it is read (that would be a second pass in line), but its
	// rows need the hash when they are stored: hash it alongside, while the workers start
	// parsing, and store rows once the hash is known.
	streamed := j.format == "csv"
	hashed := make(chan fileHash, 1)
	if streamed {
		go func() { hashed <- hashFile(path) }()
	}
	ch := make(chan arrow.RecordBatch, 1)
	done := make(chan error, 1)
	go func() {
		defer close(ch)
		done <- j.read(ctx, path, func(b arrow.RecordBatch) error {
			select {
			case ch <- b:
				return nil
			case <-ctx.Done():
				b.Release()
				return ctx.Err()
			}
		})
	}()
	drain := func() error {
		for r := range ch {
			r.Release()
		}
		return <-done
	}
	sha := j.scan.sha256
	if streamed {
		h := <-hashed
		if h.err != nil {
			drain()
			return fmt.Errorf("read %w", h.err)
		}
		sha = h.sha256
	}
	insErr := b.InsertRows(store.NewStreamReader(store.RowSchema, ch), path, sha, n)
	// The INSERT may have stopped early: let the reader finish.
	if readErr := drain(); readErr != nil {
		return fmt.Errorf("%s: %w", path, readErr)
	}
	if insErr != nil {
		return fmt.Errorf("%s: store rows: %w", path, insErr)
	}
	if streamed {
		j.scan.sha256 = sha // the reader has returned: j.scan is ours again
	}
	return nil
}
