package cli

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"strconv"

	"plantrack/plan"
	"plantrack/reports"
)

// pct writes a 0–1 rate as the reports do (reports.Pct: one decimal, halves up).
func pct(rate float64) string { return reports.Pct(rate) }

// printMetrics prints the headline numbers at the latest period: the city's completion
// rate, each section's, and the three best and three worst counties and zones. Every
// number comes from the transform views.
func printMetrics(ctx context.Context, w io.Writer, db *sql.DB) error {
	var period string
	var assigned, completed int
	var avg float64
	err := db.QueryRowContext(ctx, `SELECT latest_period()::VARCHAR, count(*), count(*) FILTER (WHERE completed), avg(progress_pct)
		FROM assignment_status`).Scan(&period, &assigned, &completed, &avg)
	if err != nil {
		return fmt.Errorf("metrics: %w", err)
	}
	fmt.Fprintf(w, "\n%s 全市完成率 %s (%d/%d)，平均进度 %.1f%%\n\n", period, pct(float64(completed)/float64(assigned)), completed, assigned, avg)

	secs := &reports.Table{Header: []string{"部分", "标题", "完成率", "完成/分工"}}
	rows, err := db.QueryContext(ctx, `SELECT section_no, section_title, completion_rate, completed, assigned FROM completion_by_section`)
	if err != nil {
		return err
	}
	for rows.Next() {
		var no, done, all int
		var title string
		var rate float64
		if err := rows.Scan(&no, &title, &rate, &done, &all); err != nil {
			rows.Close()
			return err
		}
		secs.Add(chineseNumeral(no), title, pct(rate), fmt.Sprintf("%d/%d", done, all))
	}
	rows.Close()
	if err := secs.Write(w); err != nil {
		return err
	}

	rank := &reports.Table{Header: []string{"", "名次", "县市区/开发区", "完成率", "平均进度"}}
	for _, q := range []struct{ label, sql string }{
		{"最好", `SELECT rank, unit_name, completion_rate, avg_progress FROM county_ranking ORDER BY rank, unit_id LIMIT 3`},
		{"最差", `SELECT * FROM (SELECT rank, unit_name, completion_rate, avg_progress FROM county_ranking ORDER BY rank DESC, unit_id DESC LIMIT 3) ORDER BY rank, unit_name`},
	} {
		rows, err := db.QueryContext(ctx, q.sql)
		if err != nil {
			return err
		}
		for rows.Next() {
			var r int
			var name string
			var rate, prog float64
			if err := rows.Scan(&r, &name, &rate, &prog); err != nil {
				rows.Close()
				return err
			}
			rank.Add(q.label, strconv.Itoa(r), name, pct(rate), fmt.Sprintf("%.1f%%", prog))
		}
		rows.Close()
	}
	fmt.Fprintln(w)
	return rank.Write(w)
}

// chineseNumeral names a section as plans do: 1 → 一.
func chineseNumeral(n int) string { return plan.Numeral(n) }
