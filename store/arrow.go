package store

import (
	"sync/atomic"

	"github.com/apache/arrow-go/v18/arrow"
)

// The Arrow forms of what a batch writes. Readers build their records against these
// schemas; the store turns them into rows of the contract tables.

// Dictionary types for the columns with few values: a row carries a small index, not a
// copy of the text, and DuckDB reads them as dictionary vectors.
var (
	UnitDict  = &arrow.DictionaryType{IndexType: arrow.PrimitiveTypes.Int32, ValueType: arrow.BinaryTypes.String} // a province has tens of thousands of units
	SmallDict = &arrow.DictionaryType{IndexType: arrow.PrimitiveTypes.Int8, ValueType: arrow.BinaryTypes.String}
)

// RowSchema is the Arrow form of accepted rows as they flow into submissions. The per-file
// lineage (batch, file, sha256) is added by the store, not repeated in every row.
var RowSchema = arrow.NewSchema([]arrow.Field{
	{Name: "unit_id", Type: UnitDict},
	{Name: "unit_name", Type: UnitDict},
	{Name: "task_no", Type: arrow.PrimitiveTypes.Int32},
	{Name: "period", Type: SmallDict},
	{Name: "status", Type: SmallDict},
	{Name: "progress_pct", Type: arrow.PrimitiveTypes.Float64, Nullable: true},
	{Name: "achieved", Type: arrow.PrimitiveTypes.Float64, Nullable: true},
	{Name: "notes", Type: arrow.BinaryTypes.String, Nullable: true},
	{Name: "evidence", Type: arrow.BinaryTypes.String, Nullable: true},
	{Name: "submitted_on", Type: arrow.FixedWidthTypes.Date32, Nullable: true},
	{Name: "flags", Type: arrow.ListOf(arrow.BinaryTypes.String)},
	{Name: "source_sheet", Type: arrow.BinaryTypes.String},
	{Name: "source_row", Type: arrow.PrimitiveTypes.Int32},
}, nil)

// lineageSchema is RowSchema with the file each row came from.
var lineageSchema = arrow.NewSchema(append(RowSchema.Fields(),
	arrow.Field{Name: "source_file", Type: UnitDict},
	arrow.Field{Name: "file_sha256", Type: UnitDict},
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
	{Name: "reason_zh", Type: arrow.BinaryTypes.String},
	{Name: "reason_code", Type: arrow.BinaryTypes.String},
	{Name: "raw", Type: arrow.BinaryTypes.String},
	{Name: "file_sha256", Type: arrow.BinaryTypes.String},
}, nil)

var (
	unitsSchema = arrow.NewSchema([]arrow.Field{
		{Name: "unit_id", Type: arrow.BinaryTypes.String}, {Name: "unit_name", Type: arrow.BinaryTypes.String},
		{Name: "unit_kind", Type: arrow.BinaryTypes.String}, {Name: "aliases", Type: arrow.ListOf(arrow.BinaryTypes.String)},
		{Name: "sort_order", Type: arrow.PrimitiveTypes.Int32},
	}, nil)
	assignmentsSchema = arrow.NewSchema([]arrow.Field{
		{Name: "plan_year", Type: arrow.PrimitiveTypes.Int32},
		{Name: "task_no", Type: arrow.PrimitiveTypes.Int32}, {Name: "unit_id", Type: arrow.BinaryTypes.String},
		{Name: "role", Type: arrow.BinaryTypes.String}, {Name: "via", Type: arrow.BinaryTypes.String},
	}, nil)
)

// StreamReader is an array.RecordReader over batches arriving on a channel, so DuckDB
// pulls rows while readers are still parsing: no file is ever whole in memory. It takes
// each batch it receives and releases it when it moves on.
type StreamReader struct {
	refs   int64
	schema *arrow.Schema
	ch     <-chan arrow.RecordBatch
	cur    arrow.RecordBatch
}

// NewStreamReader reads batches of schema from ch until ch is closed.
func NewStreamReader(schema *arrow.Schema, ch <-chan arrow.RecordBatch) *StreamReader {
	return &StreamReader{refs: 1, schema: schema, ch: ch}
}

func (r *StreamReader) Retain() { atomic.AddInt64(&r.refs, 1) }
func (r *StreamReader) Release() {
	if atomic.AddInt64(&r.refs, -1) == 0 && r.cur != nil {
		r.cur.Release()
		r.cur = nil
	}
}
func (r *StreamReader) Schema() *arrow.Schema { return r.schema }
func (r *StreamReader) Next() bool {
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
func (r *StreamReader) RecordBatch() arrow.RecordBatch { return r.cur }
func (r *StreamReader) Record() arrow.RecordBatch      { return r.cur }
func (r *StreamReader) Err() error                     { return nil }
