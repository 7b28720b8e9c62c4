package ingest

import (
	"slices"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"plantrack/plan"
	"plantrack/store"
)

// dicts are the dictionaries of one plan: unit ids and names in registry order, the plan
// year's four periods, the three statuses.
type dicts struct {
	unitIDs, unitNames, periods, statuses arrow.Array
	periodIndex                           map[plan.Period]int
}

func newDicts(y *plan.Years) *dicts {
	str := func(vals []string) arrow.Array {
		b := array.NewStringBuilder(memory.DefaultAllocator)
		defer b.Release()
		b.AppendValues(vals, nil)
		return b.NewArray()
	}
	var ids, names, periods []string
	for _, u := range y.Registry.Units {
		ids = append(ids, u.ID)
		names = append(names, u.Name)
	}
	for _, p := range y.Plans {
		for _, pe := range plan.YearPeriods(p.Catalog.Year) {
			periods = append(periods, string(pe))
		}
	}
	var statuses []string
	for _, st := range plan.Statuses {
		statuses = append(statuses, string(st))
	}
	index := map[plan.Period]int{}
	for i, pe := range periods {
		index[plan.Period(pe)] = i
	}
	return &dicts{unitIDs: str(ids), unitNames: str(names), periods: str(periods), statuses: str(statuses), periodIndex: index}
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
	bb.per.Append(int8(bb.d.periodIndex[r.period]))
	bb.stat.Append(int8(slices.Index(plan.Statuses, r.status)))
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
		bb.flagv.Append(string(f))
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
		dict(store.UnitDict, unitIdx, bb.d.unitIDs),
		dict(store.UnitDict, unitIdx, bb.d.unitNames),
		bb.task.NewArray(),
		dict(store.SmallDict, bb.per.NewArray(), bb.d.periods),
		dict(store.SmallDict, bb.stat.NewArray(), bb.d.statuses),
		bb.prog.NewArray(), bb.ach.NewArray(), bb.notes.NewArray(), bb.evid.NewArray(),
		bb.date.NewArray(), bb.flags.NewArray(), bb.sheet.NewArray(), bb.row.NewArray(),
	}
	rec := array.NewRecordBatch(store.RowSchema, cols, int64(n))
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
