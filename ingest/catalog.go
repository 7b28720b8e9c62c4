package ingest

import (
	"encoding/json"
	"fmt"
	"strings"
)

// saveCatalog replaces the plan tables (plan, sections, tasks, units, assignments) with
// the plan this batch was checked against, so the database and its submissions always
// agree. A database holds one plan: another plan's title or year is refused.
func saveCatalog(conn *dconn, p Plan) error {
	c := p.Catalog
	rows, err := conn.query("SELECT title, year FROM plan")
	if err != nil {
		return err
	}
	if len(rows) > 0 {
		title, _ := rows[0][0].(string)
		year, _ := rows[0][1].(int32)
		if title != c.Title || int(year) != c.Year {
			return fmt.Errorf("the database holds the plan %s (%d), not %s (%d): use another --db for another plan", title, year, c.Title, c.Year)
		}
	}
	stmts := []struct {
		table string
		cols  int
		rows  [][]any
	}{
		{"plan", 4, [][]any{{c.Title, c.Year, c.File, p.SHA256}}},
		{"sections", 2, nil},
		{"tasks", 9, nil},
		{"units", 5, nil},
		{"assignments", 4, nil},
	}
	for _, s := range c.Sections {
		stmts[1].rows = append(stmts[1].rows, []any{s.No, s.Title})
	}
	for _, t := range c.Tasks {
		var what, least, unit any // NULL when the task has no numeric target
		if len(t.Targets) > 0 {
			what, least, unit = t.Targets[0].What, float64(t.Targets[0].Min), t.Targets[0].Unit
		}
		stmts[2].rows = append(stmts[2].rows, []any{t.No, t.Section, t.Label, t.Text, jsonList(t.Lead), jsonList(t.Responsible), what, least, unit})
	}
	for _, u := range p.Registry.Units {
		stmts[3].rows = append(stmts[3].rows, []any{u.ID, u.Name, u.Kind, jsonList(u.Aliases), u.Order})
	}
	for _, a := range p.Assignments {
		stmts[4].rows = append(stmts[4].rows, []any{a.Task, a.UnitID, a.Role, a.Via})
	}
	for _, s := range stmts {
		if err := conn.exec("DELETE FROM " + s.table); err != nil {
			return err
		}
		if err := insertRows(conn, s.table, s.cols, s.rows); err != nil {
			return err
		}
	}
	return nil
}

// insertRows inserts rows in statements of a few hundred. List columns arrive as JSON
// text and are cast by the table's column type.
func insertRows(conn *dconn, table string, cols int, rows [][]any) error {
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
