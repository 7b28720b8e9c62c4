package reports

import (
	"cmp"
	"fmt"
	"io"
	"slices"
	"strconv"

	"plantrack/plan"
)

// WriteHeadline prints the headline numbers of the pages' data, as the demo shows them: the
// city's completion rate, each section's, and the three best and three worst counties and
// zones. It formats; every number is d's, read from the views.
func WriteHeadline(w io.Writer, d *Data) error {
	o := d.Overall
	fmt.Fprintf(w, "\n%s 全市完成率 %s (%d/%d)，平均进度 %.1f%%\n", d.Period, Pct(o.Rate), o.Completed, o.Assigned, o.AvgProgress)
	if d.PriorPeriod != "" {
		fmt.Fprintf(w, "与上年同期（%s）相比：完成率%s，按时报送率 %s%s\n", d.PriorPeriod, d.Compared("city", "", "completion_rate"),
			Pct(o.OnTimeRate), withComma(d.Compared("city", "", "on_time_rate")))
	}
	fmt.Fprintln(w)
	secs := &Table{Header: []string{"部分", "标题", "完成率", "完成/分工"}}
	for _, s := range d.Sections {
		secs.Add(plan.Numeral(s.No), s.Title, Pct(s.Rate), fmt.Sprintf("%d/%d", s.Completed, s.Assigned))
	}
	if err := secs.Write(w); err != nil {
		return err
	}
	// Equal ranks are listed by unit id: the best from the top, the worst from the bottom.
	ranked := slices.SortedFunc(slices.Values(d.Ranking), func(a, b Rank) int { return cmp.Or(a.Rank-b.Rank, cmp.Compare(a.ID, b.ID)) })
	best := ranked[:min(3, len(ranked))]
	worst := slices.Clone(ranked[max(0, len(ranked)-3):])
	slices.SortStableFunc(worst, func(a, b Rank) int { return cmp.Or(a.Rank-b.Rank, cmp.Compare(a.Name, b.Name)) })
	rank := &Table{Header: []string{"", "名次", "县市区/开发区", "完成率", "平均进度"}}
	for _, g := range []struct {
		label string
		rows  []Rank
	}{{"最好", best}, {"最差", worst}} {
		for _, r := range g.rows {
			rank.Add(g.label, strconv.Itoa(r.Rank), r.Name, Pct(r.Rate), fmt.Sprintf("%.1f%%", r.AvgProgress))
		}
	}
	fmt.Fprintln(w)
	return rank.Write(w)
}

// withComma puts a phrase after a figure: "，较上年同期提高 1.0 个百分点"; "" stays "".
func withComma(phrase string) string {
	if phrase == "" {
		return ""
	}
	return "，" + phrase
}
