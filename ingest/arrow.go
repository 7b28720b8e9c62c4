package ingest

import (
	"fmt"
	"slices"
	"sync/atomic"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// Dictionary types for the columns with few values: a row carries a small index, not a
// copy of the text, and DuckDB reads them as dictionary vectors.
var (
	unitDict  = &arrow.DictionaryType{IndexType: arrow.PrimitiveTypes.Int32, ValueType: arrow.BinaryTypes.String} // a province has tens of thousands of units
	smallDict = &arrow.DictionaryType{IndexType: arrow.PrimitiveTypes.Int8, ValueType: arrow.BinaryTypes.String}
)

// rowSchema is the Arrow form of accepted rows as they flow into DuckDB. The per-file
// lineage (batch, file, sha256) is added by the INSERT, not repeated in every row.
var rowSchema = arrow.NewSchema([]arrow.Field{
	{Name: "unit_id", Type: unitDict},
	{Name: "unit_name", Type: unitDict},
	{Name: "task_no", Type: arrow.PrimitiveTypes.Int32},
	{Name: "period", Type: smallDict},
	{Name: "status", Type: smallDict},
	{Name: "progress_pct", Type: arrow.PrimitiveTypes.Float64, Nullable: true},
	{Name: "achieved", Type: arrow.PrimitiveTypes.Float64, Nullable: true},
	{Name: "notes", Type: arrow.BinaryTypes.String, Nullable: true},
	{Name: "evidence", Type: arrow.BinaryTypes.String, Nullable: true},
	{Name: "submitted_on", Type: arrow.FixedWidthTypes.Date32, Nullable: true},
	{Name: "flags", Type: arrow.ListOf(arrow.BinaryTypes.String)},
	{Name: "source_sheet", Type: arrow.BinaryTypes.String},
	{Name: "source_row", Type: arrow.PrimitiveTypes.Int32},
}, nil)

// dicts are the dictionaries of one plan: unit ids and names in registry order, the plan
// year's four periods, the three statuses.
type dicts struct {
	unitIDs, unitNames, periods, statuses arrow.Array
}

var statusOrder = []string{NotStarted, InProgress, Completed}

func newDicts(p Plan) *dicts {
	str := func(vals []string) arrow.Array {
		b := array.NewStringBuilder(memory.DefaultAllocator)
		defer b.Release()
		b.AppendValues(vals, nil)
		return b.NewArray()
	}
	var ids, names, periods []string
	for _, u := range p.Registry.Units {
		ids = append(ids, u.ID)
		names = append(names, u.Name)
	}
	for q := 1; q <= 4; q++ {
		periods = append(periods, fmt.Sprintf("%dQ%d", p.Catalog.Year, q))
	}
	return &dicts{unitIDs: str(ids), unitNames: str(names), periods: str(periods), statuses: str(statusOrder)}
}

// batchBuilder appends records to Arrow columns.
type batchBuilder struct {
	d     *dicts
	n     int
	unit  *array.Int32Builder
	task  *array.Int32Builder
	per   *array.Int8Builder
	stat  *array.Int8Builder
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

func newBatchBuilder(d *dicts) *batchBuilder {
	mem := memory.DefaultAllocator
	fb := array.NewListBuilder(mem, arrow.BinaryTypes.String)
	return &batchBuilder{
		d:     d,
		unit:  array.NewInt32Builder(mem),
		task:  array.NewInt32Builder(mem),
		per:   array.NewInt8Builder(mem),
		stat:  array.NewInt8Builder(mem),
		prog:  array.NewFloat64Builder(mem),
		ach:   array.NewFloat64Builder(mem),
		notes: array.NewStringBuilder(mem),
		evid:  array.NewStringBuilder(mem),
		date:  array.NewDate32Builder(mem),
		flags: fb,
		flagv: fb.ValueBuilder().(*array.StringBuilder),
		sheet: array.NewStringBuilder(mem),
		row:   array.NewInt32Builder(mem),
	}
}

func (bb *batchBuilder) add(r *record) {
	bb.n++
	bb.unit.Append(int32(r.unitOrder))
	bb.task.Append(r.taskNo)
	bb.per.Append(int8(r.period[5] - '1'))
	bb.stat.Append(int8(slices.Index(statusOrder, r.status)))
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
	n := bb.n
	bb.n = 0
	dict := func(t *arrow.DictionaryType, idx arrow.Array, values arrow.Array) arrow.Array {
		defer idx.Release()
		return array.NewDictionaryArray(t, idx, values)
	}
	unitIdx := bb.unit.NewArray()
	unitIdx.Retain() // used by two columns
	cols := []arrow.Array{
		dict(unitDict, unitIdx, bb.d.unitIDs),
		dict(unitDict, unitIdx, bb.d.unitNames),
		bb.task.NewArray(),
		dict(smallDict, bb.per.NewArray(), bb.d.periods),
		dict(smallDict, bb.stat.NewArray(), bb.d.statuses),
		bb.prog.NewArray(), bb.ach.NewArray(), bb.notes.NewArray(), bb.evid.NewArray(),
		bb.date.NewArray(), bb.flags.NewArray(), bb.sheet.NewArray(), bb.row.NewArray(),
	}
	rec := array.NewRecordBatch(rowSchema, cols, int64(n))
	for _, c := range cols {
		c.Release()
	}
	return rec
}

func (bb *batchBuilder) release() {
	for _, b := range []array.Builder{bb.unit, bb.task, bb.per, bb.stat, bb.prog, bb.ach, bb.notes, bb.evid, bb.date, bb.flags, bb.sheet, bb.row} {
		b.Release()
	}
}

// chanReader is an array.RecordReader over batches arriving on a channel, so DuckDB pulls
// rows while workers are still parsing: no file is ever whole in memory.
type chanReader struct {
	refs   int64
	schema *arrow.Schema
	ch     <-chan arrow.RecordBatch
	cur    arrow.RecordBatch
	err    func() error
}

func newChanReader(ch <-chan arrow.RecordBatch, err func() error) *chanReader {
	return &chanReader{refs: 1, schema: rowSchema, ch: ch, err: err}
}

func (r *chanReader) Retain() { atomic.AddInt64(&r.refs, 1) }
func (r *chanReader) Release() {
	if atomic.AddInt64(&r.refs, -1) == 0 && r.cur != nil {
		r.cur.Release()
		r.cur = nil
	}
}
func (r *chanReader) Schema() *arrow.Schema { return r.schema }
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
