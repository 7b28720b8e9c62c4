package reports

import (
	"cmp"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
)

// Figure is one number the pages show: the view it comes from, its key (a section, task,
// unit, reason … or "" for the whole) and its metric. An edition freezes them; diff
// compares them with the figures the views give now.
type Figure struct {
	View, Key, Metric string
	Value             float64
}

// Figures lists every number the pages of d show, in a fixed order.
func Figures(d *Data) []Figure {
	var fs []Figure
	add := func(view, key, metric string, v float64) {
		fs = append(fs, Figure{View: view, Key: key, Metric: metric, Value: v})
	}
	n := func(i int) float64 { return float64(i) }
	o := d.Overall
	for _, f := range []struct {
		metric string
		v      float64
	}{{"assigned", n(o.Assigned)}, {"completed", n(o.Completed)}, {"completion_rate", o.Rate}, {"avg_progress", o.AvgProgress},
		{"reported", n(o.Reported)}, {"coverage", o.Coverage}, {"expected_reports", n(o.Expected)}, {"on_time_reports", n(o.OnTime)}, {"on_time_rate", o.OnTimeRate}} {
		add("assignment_status", "", f.metric, f.v)
	}
	review := func(view, key string, r Review) {
		add(view, key, "claimed", n(r.Claimed))
		add(view, key, "approved", n(r.Approved))
		add(view, key, "returned", n(r.Returned))
	}
	review("assignment_status", "", o.Review)
	for _, s := range d.Sections {
		k := strconv.Itoa(s.No)
		add("completion_by_section", k, "assigned", n(s.Assigned))
		add("completion_by_section", k, "completed", n(s.Completed))
		add("completion_by_section", k, "completion_rate", s.Rate)
		add("completion_by_section", k, "avg_progress", s.AvgProgress)
		review("completion_by_section", k, s.Review)
	}
	for _, t := range d.Tasks {
		k := strconv.Itoa(t.No)
		add("completion_by_task", k, "assigned", n(t.Assigned))
		add("completion_by_task", k, "completed", n(t.Completed))
		add("completion_by_task", k, "completion_rate", t.Rate)
		add("completion_by_task", k, "avg_progress", t.AvgProgress)
		add("completion_by_task", k, "lagging_units", n(t.LaggingCount))
		review("completion_by_task", k, t.Review)
	}
	for _, u := range d.Units {
		add("completion_by_unit", u.ID, "assigned", n(u.Assigned))
		add("completion_by_unit", u.ID, "completed", n(u.Completed))
		add("completion_by_unit", u.ID, "completion_rate", u.Rate)
		add("completion_by_unit", u.ID, "avg_progress", u.AvgProgress)
		add("completion_by_unit", u.ID, "on_time_rate", u.OnTimeRate)
		review("completion_by_unit", u.ID, u.Review)
	}
	for _, r := range d.Ranking {
		add("county_ranking", r.ID, "rank", n(r.Rank))
	}
	for _, c := range d.Grid {
		add("county_comparison", c.UnitID+"/"+strconv.Itoa(c.Section), "completion_rate", c.Rate)
	}
	for _, t := range d.Trend {
		add("completion_trend", t.Period, "completion_rate", t.Rate)
		add("completion_trend", t.Period, "avg_progress", t.AvgProgress)
		add("completion_trend", t.Period, "coverage", t.Coverage)
	}
	for _, c := range d.Rejected {
		add("rejected_rows", c.Label, "rows", n(c.N))
	}
	for _, c := range d.Flags {
		add("report_flags", c.Label, "reports", n(c.N))
	}
	for _, l := range d.Late {
		add("late_reports", l.Unit, "late_reports", n(l.Late))
	}
	add("unassigned_reports", "", "reports", n(d.Unassigned))
	for _, k := range slices.Sorted(mapsKeys(d.YoY)) {
		add("year_over_year", k, "previous", d.YoY[k].Previous)
	}
	return fs
}

func mapsKeys[V any](m map[string]V) func(func(string) bool) {
	return func(yield func(string) bool) {
		for k := range m {
			if !yield(k) {
				return
			}
		}
	}
}

// EditionNote is an edition of the pages' period and the figures that differ from its now.
type EditionNote struct {
	Name, Page string // Page: the list of changes, beside the pages
	Changes    []Change
}

// Change is a figure whose value differs between an edition and now (nil: not shown).
type Change struct {
	View, Key, Metric  string
	Published, Current *float64
}

// Changes lists the figures that differ between published and current, in view, key and
// metric order.
func Changes(published, current []Figure) []Change {
	type k struct{ v, key, m string }
	at := map[k]*Change{}
	for _, f := range published {
		v := f.Value
		at[k{f.View, f.Key, f.Metric}] = &Change{View: f.View, Key: f.Key, Metric: f.Metric, Published: &v}
	}
	for _, f := range current {
		v := f.Value
		c, ok := at[k{f.View, f.Key, f.Metric}]
		if !ok {
			c = &Change{View: f.View, Key: f.Key, Metric: f.Metric}
			at[k{f.View, f.Key, f.Metric}] = c
		}
		c.Current = &v
	}
	var out []Change
	for _, c := range at {
		if c.Published == nil || c.Current == nil || *c.Published != *c.Current {
			out = append(out, *c)
		}
	}
	slices.SortFunc(out, func(a, b Change) int {
		return cmp.Or(cmp.Compare(a.View, b.View), cmp.Compare(a.Key, b.Key), cmp.Compare(a.Metric, b.Metric))
	})
	return out
}

// Frozen is the form in which an edition keeps its pages' data: every field as the
// renderer read it, so the pages render the same bytes on any later day.
func Frozen(d *Data) ([]byte, error) { return json.Marshal(d) }

// Thaw reads data frozen by Frozen.
func Thaw(b []byte) (*Data, error) {
	d := &Data{}
	if err := json.Unmarshal(b, d); err != nil {
		return nil, fmt.Errorf("an edition's pages: %w", err)
	}
	return d, nil
}

// Source is a submission row or a review that an edition does not rest on: what may have
// changed a figure since.
type Source struct {
	Kind      string `json:"kind"` // report | review
	Batch     int    `json:"batch"`
	File      string `json:"file"`
	Sheet     string `json:"sheet"`
	Row       int    `json:"row"`
	UnitID    string `json:"unit_id"`
	TaskNo    int    `json:"task_no"`
	SectionNo int    `json:"section_no"`
}

// NewSources lists the reports (ingest batches not in batches) and reviews (review
// imports not in reviews) of period's year up to period that an edition published on
// those batches does not rest on.
func NewSources(ctx context.Context, db *sql.DB, period string, batches, reviews []int) ([]Source, error) {
	q := &querier{ctx: ctx, db: db}
	var out []Source
	q.each(fmt.Sprintf(`SELECT 'report', s.batch_id, s.source_file, s.source_sheet, s.source_row, s.unit_id, s.task_no, coalesce(t.section_no, 0)
		FROM submissions s JOIN periods pe ON pe.period = s.period
		LEFT JOIN tasks t ON t.plan_year = pe.plan_year AND t.task_no = s.task_no
		WHERE s.period <= '%[1]s' AND pe.plan_year = (SELECT plan_year FROM periods WHERE period = '%[1]s') AND NOT list_contains(%[2]s, s.batch_id)
		UNION ALL
		SELECT 'review', r.batch_id, r.source_file, '', r.source_row, r.unit_id, r.task_no, coalesce(t.section_no, 0)
		FROM reviews r JOIN periods pe ON pe.period = r.period
		LEFT JOIN tasks t ON t.plan_year = pe.plan_year AND t.task_no = r.task_no
		WHERE r.period <= '%[1]s' AND pe.plan_year = (SELECT plan_year FROM periods WHERE period = '%[1]s') AND NOT list_contains(%[3]s, r.batch_id)
		ORDER BY 1, 2, 3, 4, 5`, period, intList(batches), intList(reviews)), func(s scanner) error {
		var x Source
		err := s.Scan(&x.Kind, &x.Batch, &x.File, &x.Sheet, &x.Row, &x.UnitID, &x.TaskNo, &x.SectionNo)
		out = append(out, x)
		return err
	})
	return out, q.err
}

// intList writes ids as a SQL list literal: [1, 2].
func intList(ids []int) string {
	b, _ := json.Marshal(append([]int{}, ids...))
	return string(b) + "::INTEGER[]"
}

// Touches reports whether a source may have changed a figure: a unit's figures by its
// rows, a task's and a section's by theirs, the whole's by any.
func (s Source) Touches(c Change) bool {
	switch c.View {
	case "completion_by_unit", "county_ranking":
		return s.UnitID == c.Key
	case "completion_by_task":
		return strconv.Itoa(s.TaskNo) == c.Key
	case "completion_by_section":
		return strconv.Itoa(s.SectionNo) == c.Key
	case "county_comparison":
		return s.UnitID+"/"+strconv.Itoa(s.SectionNo) == c.Key
	}
	return true
}
