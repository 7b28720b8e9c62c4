package store

import (
	"context"
	"fmt"

	"plantrack/plan"
)

// StoredPlan is a plan year the database holds: its id and, when its source files were
// kept, the plan resolved again from them (nil for a database of an earlier plantrack,
// which kept no sources).
type StoredPlan struct {
	Year   int
	ID     string
	Title  string
	Bundle *plan.Bundle
}

// Plans lists the plan years the database holds, in year order.
func (db *DB) Plans(ctx context.Context) ([]StoredPlan, error) {
	rows, err := db.QueryContext(ctx, `SELECT p.year, p.plan_id, p.title, s.role, s.name, s.data
		FROM plans p LEFT JOIN plan_sources s ON s.plan_year = p.year ORDER BY p.year, s.role`)
	if err != nil {
		return nil, fmt.Errorf("read the plans: %w", err)
	}
	defer rows.Close()
	var out []StoredPlan
	sources := map[int]map[string]plan.Source{}
	for rows.Next() {
		var year int
		var id, title string
		var role, name *string
		var data []byte
		if err := rows.Scan(&year, &id, &title, &role, &name, &data); err != nil {
			return nil, err
		}
		if len(out) == 0 || out[len(out)-1].Year != year {
			out = append(out, StoredPlan{Year: year, ID: id, Title: title})
			sources[year] = map[string]plan.Source{}
		}
		if role != nil {
			sources[year][*role] = plan.Source{Name: *name, Data: data}
		}
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for i, p := range out {
		src := sources[p.Year]
		if _, ok := src["plan"]; !ok {
			continue
		}
		b := plan.Resolve(src["plan"], src["units"], src["groups"], src["related"])
		if b.SHA256 != p.ID {
			return nil, fmt.Errorf("the stored sources of the %d plan do not give plan %s", p.Year, p.ID)
		}
		out[i].Bundle = b
	}
	return out, nil
}
