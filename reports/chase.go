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
	"unicode"
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
	// Returned counts the unit's claims of completion the office returned on review (退回)
	// that still stand at the period; ReturnedTasks names them with the 审核意见. Both
	// are left out of the JSON when none was returned.
	Returned      int            `json:"returned,omitempty"`
	ReturnedTasks []ReturnedTask `json:"returned_tasks,omitempty"`
}

// ReturnedTask is a task whose standing report was returned on review, with the reason.
type ReturnedTask struct {
	Task    int    `json:"task_no"`
	Comment string `json:"comment"` // 审核意见
}

// Chase is the chase list (催报清单) of a period, its units in the list's order.
type Chase struct {
	Period   plan.Period `json:"period"`
	DueOn    string      `json:"due_on"`
	Expected int         `json:"expected"`
	Received int         `json:"received"`
	OnTime   int         `json:"on_time"`
	Returned int         `json:"returned,omitempty"` // claims returned on review, all units
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
		       total_expected, total_received, total_on_time, returned, returned_tasks, returned_comments, total_returned
		FROM chase_list_at(?)
		ORDER BY group_order, sort_order, unit_id`, string(period))
	if err != nil {
		return nil, fmt.Errorf("chase list: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var u ChaseUnit
		var missing, returned, comments []any
		var last sql.NullTime
		if err := rows.Scan(&u.Group, &u.UnitID, &u.UnitName, &u.UnitKind, &u.Expected, &u.Received, &u.OnTime, &u.Late, &missing, &last,
			&c.Expected, &c.Received, &c.OnTime, &u.Returned, &returned, &comments, &c.Returned); err != nil {
			return nil, fmt.Errorf("chase list: %w", err)
		}
		for i, r := range returned {
			n, ok := r.(int32)
			if !ok || i >= len(comments) {
				return nil, fmt.Errorf("chase list: returned task %v is a %T", r, r)
			}
			u.ReturnedTasks = append(u.ReturnedTasks, ReturnedTask{Task: int(n), Comment: fmt.Sprint(comments[i])})
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
	header := []string{"group", "unit_id", "unit_name", "unit_kind", "period", "expected", "received", "on_time", "late", "missing", "missing_tasks", "last_submitted_on"}
	// Once a claim of the period was returned on review, the returned ones too.
	if c.Returned > 0 {
		header = append(header, "returned", "returned_tasks")
	}
	cw.Write(header)
	for _, u := range c.Units {
		tasks := make([]string, len(u.MissingTasks))
		for i, t := range u.MissingTasks {
			tasks[i] = strconv.Itoa(t)
		}
		last := ""
		if u.LastReport != nil {
			last = *u.LastReport
		}
		rec := []string{SpreadsheetText(u.Group), SpreadsheetText(u.UnitID), SpreadsheetText(u.UnitName), SpreadsheetText(u.UnitKind),
			SpreadsheetText(string(c.Period)), strconv.Itoa(u.Expected), strconv.Itoa(u.Received),
			strconv.Itoa(u.OnTime), strconv.Itoa(u.Late), strconv.Itoa(len(u.MissingTasks)), strings.Join(tasks, " "), last}
		if c.Returned > 0 {
			var ret []string
			for _, r := range u.ReturnedTasks {
				ret = append(ret, strconv.Itoa(r.Task))
			}
			rec = append(rec, strconv.Itoa(u.Returned), strings.Join(ret, " "))
		}
		cw.Write(rec)
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
	if c.Returned > 0 {
		fmt.Fprintf(&b, "审核退回 %d 项（%d 个单位），须整改后重新报送，见文末\n", c.Returned, c.returnedUnits())
	}
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
	return c.writeReturned(w)
}

// returnedUnits counts the units with a claim returned on review.
func (c *Chase) returnedUnits() int {
	n := 0
	for _, u := range c.Units {
		if u.Returned > 0 {
			n++
		}
	}
	return n
}

// writeReturned lists the claims returned on review, unit by unit in the list's order,
// each with its 审核意见 on one line: what each unit must put right and report again.
func (c *Chase) writeReturned(w io.Writer) error {
	if c.Returned == 0 {
		return nil
	}
	fmt.Fprintf(w, "\n审核退回（%d 个单位，%d 项，须整改后重新报送）\n", c.returnedUnits(), c.Returned)
	t := &Table{Header: []string{"单位", "任务", "审核意见"}}
	for _, u := range c.Units {
		for _, r := range u.ReturnedTasks {
			comment := oneLine(r.Comment)
			if comment == "" {
				comment = "-"
			}
			t.Add(u.UnitName, strconv.Itoa(r.Task), comment)
		}
	}
	return t.Write(w)
}

// oneLine is a text from a file on one line of a table: line breaks and tabs as spaces,
// other control and format characters (an escape, a bidi override) written as escapes.
func oneLine(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch {
		case r == '\n' || r == '\r' || r == '\t':
			b.WriteByte(' ')
		case unicode.IsControl(r) || unicode.Is(unicode.Cf, r) || unicode.In(r, unicode.Zl, unicode.Zp):
			q := strconv.QuoteRune(r)
			b.WriteString(q[1 : len(q)-1])
		default:
			b.WriteRune(r)
		}
	}
	return strings.TrimSpace(b.String())
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
