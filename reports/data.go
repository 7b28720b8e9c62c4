package reports

import (
	"context"
	"database/sql"
	"fmt"
	"math"
	"strconv"
	"strings"

	"plantrack/plan"
)

// Data is everything the pages show, read from the transform views at one period. Reports
// compute nothing of their own: every number here is a view's.
type Data struct {
	Title, Period, BuildDate string
	Year                     int
	Overall                  Overall
	Sections                 []Section
	Tasks                    []Task
	Trend                    []Trend
	Units                    []Unit // every unit with assignments, registry order
	Ranking                  []Rank // counties and zones
	Grid                     []Cell // counties and zones × sections
	Rejected                 []Count
	Flags                    []Count
	Late                     []Late // the maxLagging units with most late reports
	LateUnits                int    // all units with late reports
	Unassigned               int
	Sources                  Sources
	UnitTasks                map[string][]UnitTask
	UnitNames                map[string][]string // unit id → name and aliases (from the units table)
	// PriorPeriod is the same quarter a year before, when the database holds that year's
	// plan ("" otherwise); YoY holds year_over_year_at's figures by scope, key and metric.
	PriorPeriod string
	YoY         map[string]YoY // by yoyKey
	// ComparedKinds are the kinds the county comparison ranks (rule compared_kinds()).
	ComparedKinds []string
	// Editions are the editions published of this period before these pages were read,
	// with the figures that differ from theirs now.
	Editions []EditionNote
	// Reviewed is true once any claim standing at the period was reviewed (审核): the
	// pages then show 自报完成 (Claimed) beside 审核确认 (Approved) and 退回 (Returned).
	Reviewed bool
}

// Review counts the claims of completion of a group (the city, a section, a task, a
// unit) at the period, as the completion views count them: claimed (自报完成), approved
// on review (审核确认) and returned (退回, not counted as completed).
type Review struct {
	Claimed, Approved, Returned int
}

// Overall is the headline: completion, progress, coverage and on time at the period.
type Overall struct {
	Assigned, Completed, Expected, Reported, OnTime int
	Rate, AvgProgress, Coverage, OnTimeRate         float64
	Review
}

// Section is one part of the plan with its tasks.
type Section struct {
	No                  int
	Numeral, Title, RAG string
	Assigned, Completed int
	Rate, AvgProgress   float64
	Tasks               []Task
	Review
}

// Task is one task's completion, with the units that have not completed it.
type Task struct {
	No, Section         int
	Text, RAG           string
	Overdue             bool
	Lead, Lagging       []string // Lagging: the first maxLagging units not completed
	LaggingCount        int      // all units not completed
	Assigned, Completed int
	Rate, AvgProgress   float64
	Review
	Target *Target `json:",omitempty"` // nil: the task sets no numeric target
}

// Target is a task's numeric target (年内至少开展 2 次专项监督检查: What 专项监督检查, Min 2,
// Unit 次) and how the assignments stand against it (completion_by_task).
type Target struct {
	What, Unit string
	Min        float64
	Reached    int     // assignments whose 完成数量 reaches Min
	Achieved   float64 // the 完成数量 reported, added up
}

// Trend is the plan at the end of one quarter.
type Trend struct {
	Period                      string
	Rate, AvgProgress, Coverage float64
}

// Unit is one unit's completion at the period.
type Unit struct {
	ID, Name, Kind, RAG           string
	Assigned, Completed           int
	Rate, AvgProgress, OnTimeRate float64
	Review
}

// Rank is a county or zone's place.
type Rank struct {
	Rank                          int
	ID, Name, Kind                string
	Rate, AvgProgress, OnTimeRate float64
}

// Cell is a unit's completion in one section.
type Cell struct {
	UnitID, Unit string
	Section      int
	Rate         float64
}

// Count is a labelled count (rejections by reason, flags by kind).
type Count struct {
	Label string
	N     int
}

// Late is a unit with reports filed after the due day.
type Late struct {
	Unit           string
	Late, Reported int
}

// Sources says where the numbers come from, for the note under each figure.
type Sources struct {
	Submissions, Rejected int
	Batches               string
}

// UnitTask is one of a unit's assignments.
type UnitTask struct {
	Task                          int
	Text, Role, Status, ReportPer string
	Notes                         string
	Progress                      float64
	Completed, ReportedInPeriod   bool
	// Review is the latest decision on the standing report (approved, returned, "" when
	// not reviewed) and ReviewComment its 审核意见.
	Review, ReviewComment string
}

// maxLagging is how many lagging units a task names on the pages and in summary.xlsx.
const maxLagging = 50

// Load reads the pages' data at period ("" for the latest period). buildDate, when empty,
// is the latest 填报日期 in the data, so the same database gives the same pages.
func Load(ctx context.Context, db *sql.DB, period, buildDate string) (*Data, error) {
	d := &Data{UnitTasks: map[string][]UnitTask{}, UnitNames: map[string][]string{}}
	if period == "" {
		if err := db.QueryRowContext(ctx, "SELECT latest_period()::VARCHAR").Scan(&period); err != nil {
			return nil, fmt.Errorf("latest period: %w", err)
		}
	}
	if !plan.Period(period).Valid() {
		return nil, fmt.Errorf("period %q: write it as 2021Q4", period)
	}
	d.Period = period
	// The period is checked above, so it is safe to write into the macro calls.
	at := func(view string) string { return fmt.Sprintf("%s_at('%s')", view, period) }
	q := &querier{ctx: ctx, db: db}

	q.row(`SELECT title, year FROM plans WHERE year = `+strconv.Itoa(plan.Period(period).Year()), &d.Title, &d.Year)
	if buildDate == "" {
		q.row(`SELECT coalesce(max(submitted_on)::VARCHAR, '') FROM submissions`, &buildDate)
	}
	d.BuildDate = buildDate

	// The year-over-year figures first, while little else is held: a province's take most
	// of DuckDB's memory for a moment.
	d.YoY = map[string]YoY{}
	q.each(fmt.Sprintf(`SELECT scope, key, metric, current, previous, coalesce(prior_period::VARCHAR, '') FROM %s`, at("year_over_year")), func(s scanner) error {
		var scope, key, metric string
		var v YoY
		var prev sql.NullFloat64
		err := s.Scan(&scope, &key, &metric, &v.Current, &prev, &d.PriorPeriod)
		if prev.Valid {
			v.Previous, v.Known = prev.Float64, true
		}
		d.YoY[yoyKey(scope, key, metric)] = v
		return err
	})
	o := &d.Overall
	q.row(fmt.Sprintf(`SELECT count(*), count(*) FILTER (WHERE completed), coalesce(avg(progress_pct), 0),
		count(*) FILTER (WHERE reported_in_period) FROM %s`, at("assignment_status")), &o.Assigned, &o.Completed, &o.AvgProgress, &o.Reported)
	// Each unit's on-time rate and the period's totals, in one reading of reporting_rate
	// (a province's takes half a second).
	onTime := map[string]float64{}
	q.each(fmt.Sprintf(`SELECT unit_id, on_time_rate, sum(expected_reports) OVER (), sum(on_time_reports) OVER ()
		FROM %s WHERE period = '%s'`, at("reporting_rate"), period), func(s scanner) error {
		var id string
		var r float64
		err := s.Scan(&id, &r, &o.Expected, &o.OnTime)
		onTime[id] = r
		return err
	})
	o.Rate, o.Coverage, o.OnTimeRate = ratio(o.Completed, o.Assigned), ratio(o.Reported, o.Assigned), ratio(o.OnTime, o.Expected)
	q.row(fmt.Sprintf(`SELECT count(*) FILTER (WHERE claimed), count(*) FILTER (WHERE claimed AND review = 'approved'),
		count(*) FILTER (WHERE claimed AND review = 'returned') FROM %s`, at("assignment_status")), &o.Claimed, &o.Approved, &o.Returned)
	d.Reviewed = o.Approved+o.Returned > 0

	taskRAG := map[int]string{}
	overdue := map[int]bool{}
	q.each(fmt.Sprintf(`SELECT task_no, rag, overdue FROM %s`, at("rag_by_task")), func(s scanner) error {
		var no int
		var rag string
		var late bool
		err := s.Scan(&no, &rag, &late)
		taskRAG[no], overdue[no] = rag, late
		return err
	})
	// A province's task can have thousands of lagging units: pages name the first
	// maxLagging (registry order) and say how many there are.
	q.each(fmt.Sprintf(`SELECT task_no, section_no, task_text, lead_units, assigned, completed, completion_rate, avg_progress,
		lagging_units[1:%d], len(lagging_units), claimed, approved, returned,
		target_what, target_min, target_unit, target_reached, achieved_total FROM %s`, maxLagging, at("completion_by_task")), func(s scanner) error {
		var t Task
		var lead, lag any
		var what, unit sql.NullString
		var least sql.NullFloat64
		var reached int
		var total float64
		if err := s.Scan(&t.No, &t.Section, &t.Text, &lead, &t.Assigned, &t.Completed, &t.Rate, &t.AvgProgress, &lag, &t.LaggingCount,
			&t.Claimed, &t.Approved, &t.Returned, &what, &least, &unit, &reached, &total); err != nil {
			return err
		}
		if least.Valid {
			t.Target = &Target{What: what.String, Min: least.Float64, Unit: unit.String, Reached: reached, Achieved: total}
		}
		t.Lead, t.Lagging, t.RAG, t.Overdue = strs(lead), strs(lag), taskRAG[t.No], overdue[t.No]
		d.Tasks = append(d.Tasks, t)
		return nil
	})
	q.each(fmt.Sprintf(`SELECT s.section_no, s.section_title, s.assigned, s.completed, s.completion_rate, s.avg_progress, r.rag,
		s.claimed, s.approved, s.returned
		FROM %s s JOIN %s r USING (section_no) ORDER BY s.section_no`, at("completion_by_section"), at("rag_by_section")), func(s scanner) error {
		var sec Section
		if err := s.Scan(&sec.No, &sec.Title, &sec.Assigned, &sec.Completed, &sec.Rate, &sec.AvgProgress, &sec.RAG,
			&sec.Claimed, &sec.Approved, &sec.Returned); err != nil {
			return err
		}
		sec.Numeral = numeral(sec.No)
		for _, t := range d.Tasks {
			if t.Section == sec.No {
				sec.Tasks = append(sec.Tasks, t)
			}
		}
		d.Sections = append(d.Sections, sec)
		return nil
	})
	q.each(`SELECT period::VARCHAR, completion_rate, avg_progress, coverage FROM completion_trend WHERE period <= '`+period+`' AND plan_year = `+strconv.Itoa(plan.Period(period).Year()), func(s scanner) error {
		var t Trend
		err := s.Scan(&t.Period, &t.Rate, &t.AvgProgress, &t.Coverage)
		d.Trend = append(d.Trend, t)
		return err
	})
	q.each(fmt.Sprintf(`SELECT r.unit_id, r.unit_name, r.unit_kind, r.rag, c.assigned, c.completed, c.completion_rate, c.avg_progress,
		c.claimed, c.approved, c.returned
		FROM %s r JOIN %s c USING (unit_id) ORDER BY c.sort_order`, at("rag_by_unit"), at("completion_by_unit")), func(s scanner) error {
		var u Unit
		err := s.Scan(&u.ID, &u.Name, &u.Kind, &u.RAG, &u.Assigned, &u.Completed, &u.Rate, &u.AvgProgress, &u.Claimed, &u.Approved, &u.Returned)
		u.OnTimeRate = onTime[u.ID]
		d.Units = append(d.Units, u)
		return err
	})
	q.each(fmt.Sprintf(`SELECT rank, unit_id, unit_name, unit_kind, completion_rate, avg_progress, on_time_rate FROM %s`, at("county_ranking")), func(s scanner) error {
		var r Rank
		err := s.Scan(&r.Rank, &r.ID, &r.Name, &r.Kind, &r.Rate, &r.AvgProgress, &r.OnTimeRate)
		d.Ranking = append(d.Ranking, r)
		return err
	})
	q.each(fmt.Sprintf(`SELECT unit_id, unit_name, section_no, completion_rate FROM %s`, at("county_comparison")), func(s scanner) error {
		var c Cell
		err := s.Scan(&c.UnitID, &c.Unit, &c.Section, &c.Rate)
		d.Grid = append(d.Grid, c)
		return err
	})
	q.each(`SELECT reason_code, count(*) FROM rejected_rows GROUP BY 1 ORDER BY 2 DESC, 1`, func(s scanner) error {
		var c Count
		err := s.Scan(&c.Label, &c.N)
		d.Rejected = append(d.Rejected, c)
		return err
	})
	q.each(`SELECT flag, count(*) FROM report_flags GROUP BY 1 ORDER BY 2 DESC, 1`, func(s scanner) error {
		var c Count
		err := s.Scan(&c.Label, &c.N)
		d.Flags = append(d.Flags, c)
		return err
	})
	q.each(fmt.Sprintf(`SELECT unit_name, sum(late_reports)::INTEGER, sum(actual_reports)::INTEGER, count(*) OVER ()::INTEGER FROM %s
		GROUP BY unit_name, sort_order HAVING sum(late_reports) > 0 ORDER BY 2 DESC, sort_order LIMIT %d`, at("reporting_rate"), maxLagging), func(s scanner) error {
		var l Late
		err := s.Scan(&l.Unit, &l.Late, &l.Reported, &d.LateUnits)
		d.Late = append(d.Late, l)
		return err
	})
	q.row(`SELECT count(*) FROM unassigned_reports`, &d.Unassigned)
	q.row(`SELECT (SELECT count(*) FROM submissions), (SELECT count(*) FROM rejected_rows),
		coalesce((SELECT string_agg(batch_id::VARCHAR, ', ' ORDER BY batch_id) FROM ingest_batches), '')`,
		&d.Sources.Submissions, &d.Sources.Rejected, &d.Sources.Batches)
	// Each unit's rows share their task's text (one string per task, not per row: a
	// province has hundreds of thousands of rows).
	taskText := map[int]string{}
	for _, t := range d.Tasks {
		taskText[t.No] = t.Text
	}
	q.each(fmt.Sprintf(`SELECT st.unit_id, st.task_no, st.role, st.status, st.progress_pct, st.completed,
		st.reported_in_period, coalesce(st.report_period::VARCHAR, ''), coalesce(st.notes, ''),
		coalesce(st.review, ''), coalesce(st.review_comment, '') FROM %s st
		ORDER BY st.sort_order, st.task_no`, at("assignment_status")), func(s scanner) error {
		var id string
		var u UnitTask
		err := s.Scan(&id, &u.Task, &u.Role, &u.Status, &u.Progress, &u.Completed, &u.ReportedInPeriod, &u.ReportPer, &u.Notes,
			&u.Review, &u.ReviewComment)
		u.Text = taskText[u.Task]
		d.UnitTasks[id] = append(d.UnitTasks[id], u)
		return err
	})
	var kinds any
	q.row(`SELECT compared_kinds()`, &kinds)
	d.ComparedKinds = strs(kinds)
	editions := map[string][]Figure{}
	var names []string
	q.each(`SELECT e.name, f.view, f.key, f.metric, f.value FROM editions e JOIN edition_figures f ON f.edition = e.name
		WHERE e.period = '`+period+`' ORDER BY e.published_on, e.name, f.view, f.key, f.metric`, func(s scanner) error {
		var name string
		var f Figure
		err := s.Scan(&name, &f.View, &f.Key, &f.Metric, &f.Value)
		if _, ok := editions[name]; !ok {
			names = append(names, name)
		}
		editions[name] = append(editions[name], f)
		return err
	})
	q.each(`SELECT unit_id, unit_name, aliases FROM units ORDER BY sort_order`, func(s scanner) error {
		var id, name string
		var aliases any
		err := s.Scan(&id, &name, &aliases)
		d.UnitNames[id] = append([]string{name}, strs(aliases)...)
		return err
	})
	if q.err != nil {
		return nil, q.err
	}
	if len(names) > 0 {
		now := Figures(d)
		for i, n := range names {
			d.Editions = append(d.Editions, EditionNote{Name: n, Page: fmt.Sprintf("editions/%d.html", i+1), Changes: Changes(editions[n], now)})
		}
	}
	if len(d.Sections) == 0 {
		return nil, fmt.Errorf("period %s is not a quarter of the plan year %d", period, d.Year)
	}
	return d, nil
}

// querier runs queries until the first error, which it keeps.
type querier struct {
	ctx context.Context
	db  *sql.DB
	err error
}

type scanner interface{ Scan(...any) error }

func (q *querier) row(query string, dest ...any) {
	if q.err != nil {
		return
	}
	if err := q.db.QueryRowContext(q.ctx, query).Scan(dest...); err != nil {
		q.err = fmt.Errorf("%s: %w", firstLine(query), err)
	}
}

func (q *querier) each(query string, fn func(scanner) error) {
	if q.err != nil {
		return
	}
	rows, err := q.db.QueryContext(q.ctx, query)
	if err != nil {
		q.err = fmt.Errorf("%s: %w", firstLine(query), err)
		return
	}
	defer rows.Close()
	for rows.Next() {
		if err := fn(rows); err != nil {
			q.err = fmt.Errorf("%s: %w", firstLine(query), err)
			return
		}
	}
	if err := rows.Err(); err != nil {
		q.err = err
	}
}

func firstLine(s string) string { return strings.TrimSpace(strings.SplitN(s, "\n", 2)[0]) }

func ratio(a, b int) float64 {
	if b == 0 {
		return 0
	}
	return float64(a) / float64(b)
}

// strs reads a DuckDB list of text.
func strs(v any) []string {
	l, _ := v.([]any)
	out := make([]string, 0, len(l))
	for _, x := range l {
		out = append(out, fmt.Sprint(x))
	}
	return out
}

// Pct writes a 0–1 rate as a percentage with one decimal, halves rounding up (四舍五入).
func Pct(rate float64) string { return Pct1(rate * 100) }

// round1 rounds to one decimal, halves up.
func round1(v float64) float64 { return math.Floor(v*10+0.5) / 10 }

func numeral(n int) string { return plan.Numeral(n) }

// Unreviewed counts the claims not reviewed yet.
func (r Review) Unreviewed() int { return r.Claimed - r.Approved - r.Returned }
