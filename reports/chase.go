package reports

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
	"unicode/utf8"

	"plantrack/plan"
)

// ChaseGroup is a group of the chase list: its code (chase_group in the chase_list model)
// and its Chinese name.
type ChaseGroup struct{ Code, Name string }

// ChaseGroups are the chase list's groups in the list's order, the units behind first:
// the order of chase_groups() in transform/models/010_rules.sql, where the rule that puts
// a unit in a group is.
var ChaseGroups = []ChaseGroup{
	{"not_reported", "未报送"}, // nothing received for the period
	{"incomplete", "部分未报"},  // some tasks missing
	{"late", "逾期报送"},        // everything received, some of it late
	{"complete", "按时报齐"},    // everything received on time
}

// ChaseUnit is one line of the chase list: a unit with assignments at the period.
type ChaseUnit struct {
	Group        string  `json:"group"` // a ChaseGroup's code
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

// Chase is the chase list (催报清单) of a period, its units in the list's order.
type Chase struct {
	Period   plan.Period `json:"period"`
	DueOn    string      `json:"due_on"`
	Expected int         `json:"expected"`
	Received int         `json:"received"`
	OnTime   int         `json:"on_time"`
	Units    []ChaseUnit `json:"units"`
}

// ChaseList reads the chase list of a period from the chase_list_at model (every count,
// the groups and their order are the model's) and the period's due day from periods.
func ChaseList(ctx context.Context, db *sql.DB, period plan.Period) (*Chase, error) {
	c := &Chase{Period: period, Units: []ChaseUnit{}}
	var due time.Time
	if err := db.QueryRowContext(ctx, "SELECT due_on FROM periods WHERE period = ?::period", string(period)).Scan(&due); err != nil {
		return nil, fmt.Errorf("chase list: %w", err)
	}
	c.DueOn = due.Format(time.DateOnly)
	rows, err := db.QueryContext(ctx, `
		SELECT chase_group, unit_id, unit_name, unit_kind, expected, received, on_time, late, missing_tasks, last_submitted_on,
		       total_expected, total_received, total_on_time
		FROM chase_list_at(?)
		ORDER BY group_order, sort_order, unit_id`, string(period))
	if err != nil {
		return nil, fmt.Errorf("chase list: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var u ChaseUnit
		var missing []any
		var last sql.NullTime
		if err := rows.Scan(&u.Group, &u.UnitID, &u.UnitName, &u.UnitKind, &u.Expected, &u.Received, &u.OnTime, &u.Late, &missing, &last,
			&c.Expected, &c.Received, &c.OnTime); err != nil {
			return nil, fmt.Errorf("chase list: %w", err)
		}
		u.MissingTasks = make([]int, 0, len(missing))
		for _, m := range missing {
			n, ok := m.(int32)
			if !ok {
				return nil, fmt.Errorf("chase list: task number %v is a %T", m, m)
			}
			u.MissingTasks = append(u.MissingTasks, int(n))
		}
		if last.Valid {
			s := last.Time.Format(time.DateOnly)
			u.LastReport = &s
		}
		c.Units = append(c.Units, u)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("chase list: %w", err)
	}
	return c, nil
}

// WriteJSON writes the chase list with its totals as indented JSON.
func (c *Chase) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	return enc.Encode(c)
}

// WriteCSV writes one row per unit, the missing tasks space-separated. The office opens it
// in Excel or WPS: its text columns go through SpreadsheetText, so a unit named
// =HYPERLINK(…) shows as text; counts and dates are written as they are.
func (c *Chase) WriteCSV(w io.Writer) error {
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
		cw.Write([]string{SpreadsheetText(u.Group), SpreadsheetText(u.UnitID), SpreadsheetText(u.UnitName), SpreadsheetText(u.UnitKind),
			SpreadsheetText(string(c.Period)), strconv.Itoa(u.Expected), strconv.Itoa(u.Received),
			strconv.Itoa(u.OnTime), strconv.Itoa(u.Late), strconv.Itoa(len(u.MissingTasks)), strings.Join(tasks, " "), last})
	}
	cw.Flush()
	return cw.Error()
}

// SpreadsheetText is a text cell of a CSV that a person opens in Excel or WPS, made inert
// (OWASP, CSV injection): a value whose first character starts a formula (= + - @, a tab
// or a carriage return, or the full-width ＝ ＋ － ＠ an IME types), also after leading
// spaces or line breaks, gets a leading single quote, so the spreadsheet shows the text
// instead of running it (=HYPERLINK(…), =cmd|' /C calc'!A0). Every CSV plantrack writes
// for people passes its text columns (names, ids, notes) through it; numbers and dates
// are written as they are, so a count of -5 stays a number.
func SpreadsheetText(s string) string {
	rest := strings.TrimLeft(s, " \n\u3000")
	if rest == "" {
		return s
	}
	r, _ := utf8.DecodeRuneInString(rest)
	switch r {
	case '=', '+', '-', '@', '\t', '\r', '＝', '＋', '－', '＠':
		return "'" + s
	}
	return s
}

// shownTasks bounds the missing tasks a table line lists.
const shownTasks = 12

// WriteTable writes the chase list for a terminal: the totals, then each group that has
// units, in a table (the units on time by name only).
func (c *Chase) WriteTable(w io.Writer) error {
	count := map[string]int{}
	for _, u := range c.Units {
		count[u.Group]++
	}
	rate := func(n int) string {
		if c.Expected == 0 {
			return "-"
		}
		return Pct(float64(n) / float64(c.Expected))
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%s（%s）催报清单，报送截止 %s\n", c.Period.Name(), c.Period, c.DueOn)
	fmt.Fprintf(&b, "%d 个单位应报 %d 项，已报 %d 项（%s），按时 %d 项（%s）\n", len(c.Units), c.Expected, c.Received, rate(c.Received), c.OnTime, rate(c.OnTime))
	var parts []string
	for _, g := range ChaseGroups {
		parts = append(parts, fmt.Sprintf("%s %d 个", g.Name, count[g.Code]))
	}
	b.WriteString(strings.Join(parts, "，") + "\n")
	if _, err := io.WriteString(w, b.String()); err != nil {
		return err
	}
	for _, g := range ChaseGroups {
		if count[g.Code] == 0 {
			continue
		}
		fmt.Fprintf(w, "\n%s（%d 个单位）\n", g.Name, count[g.Code])
		if g.Code == "complete" {
			var names []string
			for _, u := range c.Units {
				if u.Group == g.Code {
					names = append(names, u.UnitName)
				}
			}
			if _, err := io.WriteString(w, strings.Join(names, "、")+"\n"); err != nil {
				return err
			}
			continue
		}
		t := &Table{Header: []string{"单位", "类别", "应报", "已报", "按时", "逾期", "最近报送", "未报任务"}}
		for _, u := range c.Units {
			if u.Group != g.Code {
				continue
			}
			last := "-"
			if u.LastReport != nil {
				last = *u.LastReport
			}
			t.Add(u.UnitName, plan.KindName(u.UnitKind), strconv.Itoa(u.Expected), strconv.Itoa(u.Received), strconv.Itoa(u.OnTime),
				strconv.Itoa(u.Late), last, missingText(u))
		}
		if err := t.Write(w); err != nil {
			return err
		}
	}
	return nil
}

// missingText lists the tasks a unit still owes: 3、7、12, or 全部 14 项.
func missingText(u ChaseUnit) string {
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
