package cli

import (
	"context"
	"database/sql"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"plantrack/store"
	"plantrack/template"
)

func newStatusCmd(e *env) *cobra.Command {
	var dbPath, period, format string
	cmd := &cobra.Command{
		Use:   "status [--db FILE] [--period P] [--format table|csv|json]",
		Short: "The chase list: per unit, reports expected, received and on time, and the tasks missing",
		Long: `Print the chase list (催报清单) of a period: for every unit, the reports it owes (one per
assigned task), how many were received and how many on time (the first report for a task
filed by the period's end plus the grace days), the tasks still missing, and the day of its
latest report. Units are grouped so the office calls the ones behind first:

  not_reported  未报送     nothing received for the period
  incomplete    部分未报   some tasks missing
  late          逾期报送   everything received, some of it late
  complete      按时报齐   everything received on time

--period defaults to the latest period any report names. --format csv and json print the
same rows for other tools (json adds the totals).`,
		Example: `  plantrack status
  plantrack status --period 2021Q2 --format csv > 催报清单.csv`,
		Args: exactArgs(0, "no arguments"),
		RunE: func(cmd *cobra.Command, _ []string) error {
			if format != "table" && format != "csv" && format != "json" {
				return usageErrorf("--format %q: want table, csv or json", format)
			}
			db, err := openExisting(cmd, dbPath)
			if err != nil {
				return err
			}
			defer db.Close()
			p, err := dbPeriod(cmd.Context(), db, period)
			if err != nil {
				return err
			}
			st, err := chaseList(cmd.Context(), db.DB, string(p))
			if err != nil {
				return err
			}
			switch format {
			case "csv":
				return st.writeCSV(e.stdout)
			case "json":
				return st.writeJSON(e.stdout)
			}
			return st.writeTable(e.stdout)
		},
	}
	cmd.Flags().StringVar(&dbPath, "db", store.DefaultPath, "database file")
	cmd.Flags().StringVar(&period, "period", "", "the period to chase (2021Q2, 2021年第二季度; default: the latest reported)")
	cmd.Flags().StringVar(&format, "format", "table", "output format: table, csv or json")
	return cmd
}

// Groups of the chase list, the units behind first.
const (
	groupNotReported = "not_reported"
	groupIncomplete  = "incomplete"
	groupLate        = "late"
	groupComplete    = "complete"
)

var groupOrder = []string{groupNotReported, groupIncomplete, groupLate, groupComplete}

var groupNames = map[string]string{
	groupNotReported: "未报送", groupIncomplete: "部分未报", groupLate: "逾期报送", groupComplete: "按时报齐",
}

var kindNames = map[string]string{"county": "县市区", "zone": "开发区", "department": "市直部门", "other": "其他单位"}

// unitStatus is one line of the chase list.
type unitStatus struct {
	Group        string  `json:"group"`
	UnitID       string  `json:"unit_id"`
	UnitName     string  `json:"unit_name"`
	UnitKind     string  `json:"unit_kind"`
	Expected     int     `json:"expected"`
	Received     int     `json:"received"`
	OnTime       int     `json:"on_time"`
	Late         int     `json:"late"`
	MissingTasks []int   `json:"missing_tasks"`
	LastReport   *string `json:"last_submitted_on"` // the latest 填报日期 of its reports for the period
}

// chase is the chase list of a period.
type chase struct {
	Period   string       `json:"period"`
	DueOn    string       `json:"due_on"`
	Expected int          `json:"expected"`
	Received int          `json:"received"`
	OnTime   int          `json:"on_time"`
	Units    []unitStatus `json:"units"`
}

// chaseList reads the chase list of a period from the views: reporting_rate_at for the
// counts, assignment_status_at for the missing tasks.
func chaseList(ctx context.Context, db *sql.DB, period string) (*chase, error) {
	c := &chase{Period: period, Units: []unitStatus{}}
	var due time.Time
	if err := db.QueryRowContext(ctx, "SELECT due_on FROM periods WHERE period = ?::period", period).Scan(&due); err != nil {
		return nil, fmt.Errorf("status: %w", err)
	}
	c.DueOn = due.Format(time.DateOnly)
	rows, err := db.QueryContext(ctx, `
		SELECT r.unit_id, r.unit_name, r.unit_kind, r.expected_reports, r.actual_reports, r.on_time_reports,
		       coalesce(m.missing, []) AS missing, l.last_on
		FROM reporting_rate_at(?) r
		LEFT JOIN (SELECT unit_id, list(task_no ORDER BY task_no) AS missing
		           FROM assignment_status_at(?) WHERE NOT reported_in_period GROUP BY unit_id) m USING (unit_id)
		LEFT JOIN (SELECT unit_id, max(submitted_on) AS last_on
		           FROM reports WHERE period = ?::period GROUP BY unit_id) l USING (unit_id)
		WHERE r.period = ?::period
		ORDER BY r.sort_order, r.unit_id`, period, period, period, period)
	if err != nil {
		return nil, fmt.Errorf("status: %w", err)
	}
	defer rows.Close()
	groups := map[string][]unitStatus{}
	for rows.Next() {
		var u unitStatus
		var missing []any
		var last sql.NullTime
		if err := rows.Scan(&u.UnitID, &u.UnitName, &u.UnitKind, &u.Expected, &u.Received, &u.OnTime, &missing, &last); err != nil {
			return nil, fmt.Errorf("status: %w", err)
		}
		u.MissingTasks = []int{}
		for _, m := range missing {
			n, ok := m.(int32)
			if !ok {
				return nil, fmt.Errorf("status: task number %v is a %T", m, m)
			}
			u.MissingTasks = append(u.MissingTasks, int(n))
		}
		u.Late = u.Received - u.OnTime
		if last.Valid {
			s := last.Time.Format(time.DateOnly)
			u.LastReport = &s
		}
		switch {
		case u.Received == 0:
			u.Group = groupNotReported
		case u.Received < u.Expected:
			u.Group = groupIncomplete
		case u.Late > 0:
			u.Group = groupLate
		default:
			u.Group = groupComplete
		}
		c.Expected += u.Expected
		c.Received += u.Received
		c.OnTime += u.OnTime
		groups[u.Group] = append(groups[u.Group], u)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("status: %w", err)
	}
	for _, g := range groupOrder {
		c.Units = append(c.Units, groups[g]...)
	}
	return c, nil
}

func (c *chase) writeJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	return enc.Encode(c)
}

func (c *chase) writeCSV(w io.Writer) error {
	cw := csv.NewWriter(w)
	cw.Write([]string{"group", "unit_id", "unit_name", "unit_kind", "period", "expected", "received", "on_time", "late", "missing", "missing_tasks", "last_submitted_on"})
	for _, u := range c.Units {
		tasks := make([]string, len(u.MissingTasks))
		for i, t := range u.MissingTasks {
			tasks[i] = strconv.Itoa(t)
		}
		last := ""
		if u.LastReport != nil {
			last = *u.LastReport
		}
		cw.Write([]string{u.Group, u.UnitID, u.UnitName, u.UnitKind, c.Period, strconv.Itoa(u.Expected), strconv.Itoa(u.Received),
			strconv.Itoa(u.OnTime), strconv.Itoa(u.Late), strconv.Itoa(len(u.MissingTasks)), strings.Join(tasks, " "), last})
	}
	cw.Flush()
	return cw.Error()
}

// shownTasks bounds the missing tasks a table line lists.
const shownTasks = 12

func (c *chase) writeTable(w io.Writer) error {
	count := map[string]int{}
	for _, u := range c.Units {
		count[u.Group]++
	}
	rate := func(n int) string {
		if c.Expected == 0 {
			return "-"
		}
		return pct(float64(n) / float64(c.Expected))
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%s（%s）催报清单，报送截止 %s\n", template.PeriodName(c.Period), c.Period, c.DueOn)
	fmt.Fprintf(&b, "%d 个单位应报 %d 项，已报 %d 项（%s），按时 %d 项（%s）\n", len(c.Units), c.Expected, c.Received, rate(c.Received), c.OnTime, rate(c.OnTime))
	var parts []string
	for _, g := range groupOrder {
		parts = append(parts, fmt.Sprintf("%s %d 个", groupNames[g], count[g]))
	}
	b.WriteString(strings.Join(parts, "，") + "\n")
	if _, err := io.WriteString(w, b.String()); err != nil {
		return err
	}
	for _, g := range groupOrder {
		if count[g] == 0 {
			continue
		}
		fmt.Fprintf(w, "\n%s（%d 个单位）\n", groupNames[g], count[g])
		if g == groupComplete {
			var names []string
			for _, u := range c.Units {
				if u.Group == g {
					names = append(names, u.UnitName)
				}
			}
			if _, err := io.WriteString(w, strings.Join(names, "、")+"\n"); err != nil {
				return err
			}
			continue
		}
		t := &table{header: []string{"单位", "类别", "应报", "已报", "按时", "逾期", "最近报送", "未报任务"}}
		for _, u := range c.Units {
			if u.Group != g {
				continue
			}
			last := "-"
			if u.LastReport != nil {
				last = *u.LastReport
			}
			t.add(u.UnitName, kindNames[u.UnitKind], strconv.Itoa(u.Expected), strconv.Itoa(u.Received), strconv.Itoa(u.OnTime),
				strconv.Itoa(u.Late), last, missingText(u))
		}
		if err := t.write(w); err != nil {
			return err
		}
	}
	return nil
}

// missingText lists the tasks a unit still owes: 3、7、12, or 全部 14 项.
func missingText(u unitStatus) string {
	n := len(u.MissingTasks)
	switch {
	case n == 0:
		return ""
	case n == u.Expected && n > 1:
		return fmt.Sprintf("全部 %d 项", n)
	}
	var parts []string
	for i, t := range u.MissingTasks {
		if i == shownTasks {
			return strings.Join(parts, "、") + fmt.Sprintf("…共 %d 项", n)
		}
		parts = append(parts, strconv.Itoa(t))
	}
	return strings.Join(parts, "、")
}
