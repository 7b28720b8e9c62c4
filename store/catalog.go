package store

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"plantrack/plan"
)

// SaveCatalog replaces the plan tables (plans, plan_sources, sections, tasks, units,
// assignments) with the plans this batch was checked against, every year's, so the
// database and its submissions always agree.
func (b *Batch) SaveCatalog(y *plan.Years) error {
	conn := b.conn
	// Rewriting a province's catalog (hundreds of thousands of assignments) on every
	// batch would cost more than the batch: it is rewritten only when it changed.
	fp := catalogPrint(y)
	rows, err := conn.query("SELECT fingerprint FROM catalog_state")
	if err != nil {
		return err
	}
	if len(rows) == 1 && rows[0][0] == fp {
		// The same catalog, unless its tables were changed by other means since.
		n, err := conn.query("SELECT (SELECT count(*) FROM units), (SELECT count(*) FROM assignments)")
		if err != nil {
			return err
		}
		assigned := 0
		for _, p := range y.Plans {
			assigned += len(p.Assignments)
		}
		if n[0][0].(int64) == int64(len(y.Registry.Units)) && n[0][1].(int64) == int64(assigned) {
			return nil
		}
	}
	if err := conn.exec("DELETE FROM catalog_state"); err != nil {
		return err
	}
	if err := conn.exec("INSERT INTO catalog_state VALUES (?)", fp); err != nil {
		return err
	}
	stmts := []struct {
		table string
		cols  int
		rows  [][]any
	}{
		{"plans", 4, nil},
		{"plan_sources", 4, nil},
		{"sections", 3, nil},
		{"tasks", 10, nil},
		{"carried_tasks", 4, nil},
	}
	for _, p := range y.Plans {
		c := p.Catalog
		stmts[0].rows = append(stmts[0].rows, []any{p.SHA256, c.Year, c.Title, c.File})
		for i, role := range []string{"plan", "units", "groups", "related"} {
			var data any // NULL: no such file
			if p.Sources[i].Data != nil {
				data = p.Sources[i].Data
			}
			stmts[1].rows = append(stmts[1].rows, []any{c.Year, role, p.Sources[i].Name, data})
		}
		for _, s := range c.Sections {
			stmts[2].rows = append(stmts[2].rows, []any{c.Year, s.No, s.Title})
		}
		for _, t := range c.Tasks {
			var what, least, unit any // NULL when the task has no numeric target
			if len(t.Targets) > 0 {
				what, least, unit = t.Targets[0].What, float64(t.Targets[0].Min), t.Targets[0].Unit
			}
			stmts[3].rows = append(stmts[3].rows, []any{c.Year, t.No, t.Section, t.Label, t.Text, jsonList(t.Lead), jsonList(t.Responsible), what, least, unit})
		}
	}
	// A year's tasks carried over from the year before's, for year-over-year figures.
	for i := 1; i < len(y.Plans); i++ {
		prev, cur := y.Plans[i-1], y.Plans[i]
		if prev.Catalog.Year != cur.Catalog.Year-1 {
			continue
		}
		for _, c := range plan.Compare(prev.Catalog, cur.Catalog, cur.Registry).Carried {
			stmts[4].rows = append(stmts[4].rows, []any{cur.Catalog.Year, c.New, c.Old, c.Similarity})
		}
	}
	for _, s := range stmts {
		if err := conn.exec("DELETE FROM " + s.table); err != nil {
			return err
		}
		if err := insertRows(conn, s.table, s.cols, s.rows); err != nil {
			return err
		}
	}
	// Units and assignments run to tens of thousands in a province: they go as Arrow.
	units := array.NewRecordBuilder(memory.DefaultAllocator, unitsSchema)
	defer units.Release()
	for _, u := range y.Registry.Units {
		units.Field(0).(*array.StringBuilder).Append(u.ID)
		units.Field(1).(*array.StringBuilder).Append(u.Name)
		units.Field(2).(*array.StringBuilder).Append(u.Kind)
		lb := units.Field(3).(*array.ListBuilder)
		lb.Append(true)
		for _, a := range u.Aliases {
			lb.ValueBuilder().(*array.StringBuilder).Append(a)
		}
		units.Field(4).(*array.Int32Builder).Append(int32(u.Order))
	}
	if err := b.replaceArrow("units", units); err != nil {
		return err
	}
	as := array.NewRecordBuilder(memory.DefaultAllocator, assignmentsSchema)
	defer as.Release()
	for _, p := range y.Plans {
		for _, a := range p.Assignments {
			as.Field(0).(*array.Int32Builder).Append(int32(p.Catalog.Year))
			as.Field(1).(*array.Int32Builder).Append(int32(a.Task))
			as.Field(2).(*array.StringBuilder).Append(a.UnitID)
			as.Field(3).(*array.StringBuilder).Append(a.Role)
			as.Field(4).(*array.StringBuilder).Append(a.Via)
		}
	}
	return b.replaceArrow("assignments", as)
}

// catalogPrint is a SHA-256 of everything saveCatalog writes.
func catalogPrint(y *plan.Years) string {
	h := sha256.New()
	put := func(vals ...string) {
		for _, v := range vals {
			h.Write([]byte(v))
			h.Write([]byte{0})
		}
		h.Write([]byte{'\n'})
	}
	for _, p := range y.Plans {
		c := p.Catalog
		put("plan", c.Title, strconv.Itoa(c.Year), c.File, p.SHA256)
		for _, src := range p.Sources {
			put("source", src.Name, strconv.Itoa(len(src.Data)))
			h.Write(src.Data)
		}
		for _, s := range c.Sections {
			put("section", strconv.Itoa(s.No), s.Title)
		}
		for _, t := range c.Tasks {
			put("task", strconv.Itoa(t.No), strconv.Itoa(t.Section), t.Label, t.Text, strings.Join(t.Lead, "\x01"), strings.Join(t.Responsible, "\x01"))
			for _, g := range t.Targets[:min(1, len(t.Targets))] {
				put("target", g.What, strconv.Itoa(g.Min), g.Unit)
			}
		}
		for _, a := range p.Assignments {
			put("assignment", strconv.Itoa(a.Task), a.UnitID, a.Role, a.Via)
		}
	}
	for _, u := range y.Registry.Units {
		put("unit", u.ID, u.Name, u.Kind, strings.Join(u.Aliases, "\x01"), strconv.Itoa(u.Order))
	}
	return hex.EncodeToString(h.Sum(nil))
}

// replaceArrow replaces a table's rows with a built record, whose columns match the
// table's in order.
func (b *Batch) replaceArrow(table string, rb *array.RecordBuilder) error {
	if err := b.conn.exec("DELETE FROM " + table); err != nil {
		return err
	}
	rec := rb.NewRecordBatch()
	defer rec.Release()
	rr, err := array.NewRecordReader(rec.Schema(), []arrow.RecordBatch{rec})
	if err != nil {
		return err
	}
	defer rr.Release()
	if err := b.insertFrom(rr, "plantrack_new_"+table, "INSERT INTO "+table+" SELECT * FROM plantrack_new_"+table); err != nil {
		return fmt.Errorf("save %s: %w", table, err)
	}
	return nil
}

// insertRows inserts rows in statements of a few hundred. List columns arrive as JSON
// text and are cast by the table's column type.
func insertRows(conn *conn, table string, cols int, rows [][]any) error {
	const perStmt = 200
	for len(rows) > 0 {
		n := min(perStmt, len(rows))
		var b strings.Builder
		b.WriteString("INSERT INTO " + table + " VALUES ")
		args := make([]any, 0, n*cols)
		for i, r := range rows[:n] {
			if i > 0 {
				b.WriteByte(',')
			}
			b.WriteByte('(')
			for k := range cols {
				if k > 0 {
					b.WriteByte(',')
				}
				if _, isList := r[k].(listArg); isList {
					b.WriteString("CAST(CAST(? AS JSON) AS VARCHAR[])")
					args = append(args, string(r[k].(listArg)))
				} else {
					b.WriteByte('?')
					args = append(args, r[k])
				}
			}
			b.WriteByte(')')
		}
		if err := conn.exec(b.String(), args...); err != nil {
			return fmt.Errorf("save %s: %w", table, err)
		}
		rows = rows[n:]
	}
	return nil
}

// listArg is a string list passed as JSON.
type listArg string

func jsonList(l []string) listArg {
	if l == nil {
		l = []string{}
	}
	b, _ := json.Marshal(l)
	return listArg(b)
}
