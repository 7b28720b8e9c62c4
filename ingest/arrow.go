package ingest

import (
	"sync/atomic"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// rowSchema is the Arrow form of accepted rows as they flow into DuckDB. The per-file
// lineage (batch, file, sha256) is added by the INSERT, not repeated in every row.
var rowSchema = arrow.NewSchema([]arrow.Field{
	{Name: "unit_id", Type: arrow.BinaryTypes.String},
	{Name: "unit_name", Type: arrow.BinaryTypes.String},
	{Name: "unit_raw", Type: arrow.BinaryTypes.String},
	{Name: "task_no", Type: arrow.PrimitiveTypes.Int32},
	{Name: "period", Type: arrow.BinaryTypes.String},
	{Name: "status", Type: arrow.BinaryTypes.String},
	{Name: "progress_pct", Type: arrow.PrimitiveTypes.Float64, Nullable: true},
	{Name: "achieved", Type: arrow.PrimitiveTypes.Float64, Nullable: true},
	{Name: "notes", Type: arrow.BinaryTypes.String, Nullable: true},
	{Name: "evidence", Type: arrow.BinaryTypes.String, Nullable: true},
	{Name: "submitted_on", Type: arrow.FixedWidthTypes.Date32, Nullable: true},
	{Name: "flags", Type: arrow.ListOf(arrow.BinaryTypes.String)},
	{Name: "source_sheet", Type: arrow.BinaryTypes.String},
	{Name: "source_row", Type: arrow.PrimitiveTypes.Int32},
}, nil)

// batchBuilder appends records to Arrow columns.
type batchBuilder struct {
	b     *array.RecordBuilder
	n     int
	unit  [3]*array.StringBuilder
	task  *array.Int32Builder
	per   *array.StringBuilder
	stat  *array.StringBuilder
	prog  *array.Float64Builder
	ach   *array.Float64Builder
	notes *array.StringBuilder
	evid  *array.StringBuilder
	date  *array.Date32Builder
	flags *array.ListBuilder
	flagv *array.StringBuilder
	sheet *array.StringBuilder
	row   *array.Int32Builder
	memo  *memo // the normalizer cache of the worker that owns this builder
}

func newBatchBuilder() *batchBuilder {
	b := array.NewRecordBuilder(memory.DefaultAllocator, rowSchema)
	fb := b.Field(11).(*array.ListBuilder)
	return &batchBuilder{
		b:     b,
		unit:  [3]*array.StringBuilder{b.Field(0).(*array.StringBuilder), b.Field(1).(*array.StringBuilder), b.Field(2).(*array.StringBuilder)},
		task:  b.Field(3).(*array.Int32Builder),
		per:   b.Field(4).(*array.StringBuilder),
		stat:  b.Field(5).(*array.StringBuilder),
		prog:  b.Field(6).(*array.Float64Builder),
		ach:   b.Field(7).(*array.Float64Builder),
		notes: b.Field(8).(*array.StringBuilder),
		evid:  b.Field(9).(*array.StringBuilder),
		date:  b.Field(10).(*array.Date32Builder),
		flags: fb,
		flagv: fb.ValueBuilder().(*array.StringBuilder),
		sheet: b.Field(12).(*array.StringBuilder),
		row:   b.Field(13).(*array.Int32Builder),
	}
}

func (bb *batchBuilder) add(r *record) {
	bb.n++
	bb.unit[0].Append(r.unitID)
	bb.unit[1].Append(r.unitName)
	bb.unit[2].Append(r.unitRaw)
	bb.task.Append(r.taskNo)
	bb.per.Append(r.period)
	bb.stat.Append(r.status)
	appendFloat(bb.prog, r.progress, r.hasProgress)
	appendFloat(bb.ach, r.achieved, r.hasAchieved)
	appendText(bb.notes, r.notes)
	appendText(bb.evid, r.evidence)
	if r.hasDate {
		bb.date.Append(arrow.Date32(r.submittedOn))
	} else {
		bb.date.AppendNull()
	}
	bb.flags.Append(true)
	for _, f := range r.flags {
		bb.flagv.Append(f)
	}
	bb.sheet.Append(r.sheet)
	bb.row.Append(r.row)
}

func appendFloat(b *array.Float64Builder, v float64, ok bool) {
	if ok {
		b.Append(v)
	} else {
		b.AppendNull()
	}
}

func appendText(b *array.StringBuilder, s string) {
	if s == "" {
		b.AppendNull()
	} else {
		b.Append(s)
	}
}

// finish returns the built batch (nil when empty) and resets the builder.
func (bb *batchBuilder) finish() arrow.RecordBatch {
	if bb.n == 0 {
		return nil
	}
	bb.n = 0
	return bb.b.NewRecordBatch()
}

func (bb *batchBuilder) release() { bb.b.Release() }

// chanReader is an array.RecordReader over batches arriving on a channel, so DuckDB pulls
// rows while workers are still parsing: no file is ever whole in memory.
type chanReader struct {
	refs int64
	ch   <-chan arrow.RecordBatch
	cur  arrow.RecordBatch
	err  func() error
}

func newChanReader(ch <-chan arrow.RecordBatch, err func() error) *chanReader {
	return &chanReader{refs: 1, ch: ch, err: err}
}

func (r *chanReader) Retain() { atomic.AddInt64(&r.refs, 1) }
func (r *chanReader) Release() {
	if atomic.AddInt64(&r.refs, -1) == 0 && r.cur != nil {
		r.cur.Release()
		r.cur = nil
	}
}
func (r *chanReader) Schema() *arrow.Schema { return rowSchema }
func (r *chanReader) Next() bool {
	if r.cur != nil {
		r.cur.Release()
		r.cur = nil
	}
	rec, ok := <-r.ch
	if !ok {
		return false
	}
	r.cur = rec
	return true
}
func (r *chanReader) RecordBatch() arrow.RecordBatch { return r.cur }
func (r *chanReader) Record() arrow.RecordBatch      { return r.cur }
func (r *chanReader) Err() error                     { return r.err() }
