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

// batchBuilder gathers records column by column in plain slices, which finish hands over
// as Arrow arrays without copying: appending a row is a few appends, with no per-value
// bookkeeping of Arrow's builders. Each batch gets new slices (the arrays handed over keep
// theirs), sized like the batch before.
type batchBuilder struct {
	d          *dicts
	n          int
	unit, task []int32
	per, stat  []int8
	prog, ach  []float64
	date, row  []int32
	// validity bitmaps of the nullable columns, a bit a row (Arrow's LSB order)
	progOK, achOK, dateOK bitmap
	notes, evid, sheet    textColumn
	flagOff               []int32 // row i's flags are flags.at(flagOff[i]…flagOff[i+1])
	flags                 textColumn
	memo                  *memo // the normalizer cache of the worker that owns this builder
	// keys, when tracked, are the repeat keys (repeatKey) of every row added, for the file
	// to tell whether any two of its rows are repeats; overflow: a row's key did not fit.
	track    bool
	keys     []uint64
	overflow bool
	// The last batch's rows and text bytes: the next one's slices are made as big.
	lastRows, lastNotes, lastEvid int
}

// bitmap is an Arrow validity bitmap being filled, with its count of nulls.
type bitmap struct {
	bits  []byte
	nulls int
}

func (b *bitmap) add(i int, ok bool) {
	if i%8 == 0 {
		b.bits = append(b.bits, 0)
	}
	if ok {
		b.bits[i/8] |= 1 << (i % 8)
	} else {
		b.nulls++
	}
}

// textColumn is an Arrow string column being filled: offsets, bytes and, when nullable,
// its validity (an empty text is null).
type textColumn struct {
	off      []int32
	data     []byte
	nullable bool
	ok       bitmap
}

func (c *textColumn) reset(rows, bytes int) {
	c.off = append(make([]int32, 0, rows+1), 0)
	c.data = make([]byte, 0, bytes)
	c.ok = bitmap{bits: make([]byte, 0, rows/8+1)}
}

func (c *textColumn) add(s string) {
	if c.nullable {
		c.ok.add(len(c.off)-1, s != "")
	}
	c.data = append(c.data, s...)
	c.off = append(c.off, int32(len(c.data)))
}

// array hands the column over as an Arrow string array of n rows.
func (c *textColumn) array(n int) arrow.Array {
	var valid *memory.Buffer
	nulls := 0
	if c.nullable && c.ok.nulls > 0 {
		valid, nulls = memory.NewBufferBytes(c.ok.bits), c.ok.nulls
	}
	data := array.NewData(arrow.BinaryTypes.String, n,
		[]*memory.Buffer{valid, memory.NewBufferBytes(arrow.Int32Traits.CastToBytes(c.off)), memory.NewBufferBytes(c.data)}, nil, nulls, 0)
	defer data.Release()
	return array.MakeFromData(data)
}

func newBatchBuilder(d *dicts) *batchBuilder {
	bb := &batchBuilder{d: d}
	bb.notes.nullable, bb.evid.nullable = true, true
	bb.reset()
	return bb
}

// reset makes the slices of the next batch, as big as the last batch's.
func (bb *batchBuilder) reset() {
	rows := bb.lastRows + bb.lastRows/8
	bb.unit, bb.task = make([]int32, 0, rows), make([]int32, 0, rows)
	bb.per, bb.stat = make([]int8, 0, rows), make([]int8, 0, rows)
	bb.prog, bb.ach = make([]float64, 0, rows), make([]float64, 0, rows)
	bb.date, bb.row = make([]int32, 0, rows), make([]int32, 0, rows)
	bb.progOK = bitmap{bits: make([]byte, 0, rows/8+1)}
	bb.achOK = bitmap{bits: make([]byte, 0, rows/8+1)}
	bb.dateOK = bitmap{bits: make([]byte, 0, rows/8+1)}
	bb.notes.reset(rows, bb.lastNotes+bb.lastNotes/8)
	bb.evid.reset(rows, bb.lastEvid+bb.lastEvid/8)
	bb.sheet.reset(rows, 0)
	bb.flagOff = append(make([]int32, 0, rows+1), 0)
	bb.flags.reset(rows/4, 0)
}

// repeatKey packs what makes two rows of a file repeats of one report (store.FlagRepeats:
// the same unit, task, period and 填报日期) into a number; false when a part does not fit.
func repeatKey(r *record) (uint64, bool) {
	date := uint64(0) // no date
	if r.hasDate {
		date = uint64(int64(r.submittedOn) + 1)
	}
	if r.unitOrder < 0 || r.unitOrder >= 1<<24 || r.taskNo < 0 || r.taskNo >= 1<<12 || r.periodIdx < 0 || date >= 1<<20 {
		return 0, false
	}
	return uint64(r.unitOrder)<<40 | uint64(r.taskNo)<<28 | uint64(r.periodIdx)<<20 | date, true
}

func (bb *batchBuilder) add(r *record) {
	if bb.track {
		if k, ok := repeatKey(r); ok {
			bb.keys = append(bb.keys, k)
		} else {
			bb.overflow = true
		}
	}
	i := bb.n
	bb.n++
	bb.unit = append(bb.unit, int32(r.unitOrder))
	bb.task = append(bb.task, r.taskNo)
	bb.per = append(bb.per, r.periodIdx)
	bb.stat = append(bb.stat, int8(slices.Index(plan.Statuses, r.status)))
	bb.prog = append(bb.prog, r.progress)
	bb.progOK.add(i, r.hasProgress)
	bb.ach = append(bb.ach, r.achieved)
	bb.achOK.add(i, r.hasAchieved)
	bb.notes.add(r.notes)
	bb.evid.add(r.evidence)
	bb.date = append(bb.date, r.submittedOn)
	bb.dateOK.add(i, r.hasDate)
	for _, f := range r.flags {
		bb.flags.add(string(f))
	}
	bb.flagOff = append(bb.flagOff, int32(len(bb.flags.off)-1))
	bb.sheet.add(r.sheet)
	bb.row = append(bb.row, r.row)
}

// fixed hands a column of fixed-width values over as an Arrow array, with its validity.
func fixed(t arrow.DataType, values []byte, n int, ok *bitmap) arrow.Array {
	var valid *memory.Buffer
	nulls := 0
	if ok != nil && ok.nulls > 0 {
		valid, nulls = memory.NewBufferBytes(ok.bits), ok.nulls
	}
	data := array.NewData(t, n, []*memory.Buffer{valid, memory.NewBufferBytes(values)}, nil, nulls, 0)
	defer data.Release()
	return array.MakeFromData(data)
}

// finish returns the built batch (nil when empty) and starts the next.
func (bb *batchBuilder) finish() arrow.RecordBatch {
	if bb.n == 0 {
		return nil
	}
	n := bb.n
	dict := func(t *arrow.DictionaryType, idx arrow.Array, values arrow.Array) arrow.Array {
		defer idx.Release()
		return array.NewDictionaryArray(t, idx, values)
	}
	unitIdx := fixed(arrow.PrimitiveTypes.Int32, arrow.Int32Traits.CastToBytes(bb.unit), n, nil)
	unitIdx.Retain() // used by two columns
	flagValues := bb.flags.array(len(bb.flags.off) - 1)
	flagList := array.NewData(store.RowSchema.Field(10).Type, n,
		[]*memory.Buffer{nil, memory.NewBufferBytes(arrow.Int32Traits.CastToBytes(bb.flagOff))}, []arrow.ArrayData{flagValues.Data()}, 0, 0)
	flagValues.Release()
	cols := []arrow.Array{
		dict(store.UnitDict, unitIdx, bb.d.unitIDs),
		dict(store.UnitDict, unitIdx, bb.d.unitNames),
		fixed(arrow.PrimitiveTypes.Int32, arrow.Int32Traits.CastToBytes(bb.task), n, nil),
		dict(store.SmallDict, fixed(arrow.PrimitiveTypes.Int8, arrow.Int8Traits.CastToBytes(bb.per), n, nil), bb.d.periods),
		dict(store.SmallDict, fixed(arrow.PrimitiveTypes.Int8, arrow.Int8Traits.CastToBytes(bb.stat), n, nil), bb.d.statuses),
		fixed(arrow.PrimitiveTypes.Float64, arrow.Float64Traits.CastToBytes(bb.prog), n, &bb.progOK),
		fixed(arrow.PrimitiveTypes.Float64, arrow.Float64Traits.CastToBytes(bb.ach), n, &bb.achOK),
		bb.notes.array(n), bb.evid.array(n),
		fixed(arrow.FixedWidthTypes.Date32, arrow.Int32Traits.CastToBytes(bb.date), n, &bb.dateOK),
		array.MakeFromData(flagList),
		bb.sheet.array(n),
		fixed(arrow.PrimitiveTypes.Int32, arrow.Int32Traits.CastToBytes(bb.row), n, nil),
	}
	flagList.Release()
	rec := array.NewRecordBatch(store.RowSchema, cols, int64(n))
	for _, c := range cols {
		c.Release()
	}
	bb.lastRows, bb.lastNotes, bb.lastEvid = n, len(bb.notes.data), len(bb.evid.data)
	bb.n = 0
	bb.reset()
	return rec
}

// release lets go of the builder: its slices are the garbage collector's.
func (bb *batchBuilder) release() {}
