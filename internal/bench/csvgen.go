package bench

import (
	"bufio"
	"fmt"
	"os"
	"time"

	"plantrack/plan"
)

// Quoting of the notes column (工作进展) in WriteSubmissionsCSV's files.
const (
	QuotedNone  = "none"  // no note is quoted: they hold only the full-width comma ，
	QuotedThird = "third" // every third note is quoted, holding an ASCII comma, as Excel writes such a cell
	QuotedAll   = "all"   // every note is quoted, holding an ASCII comma
)

// WriteSubmissionsCSV writes the big-file benchmark's CSV to path: rows submissions, UTF-8
// without BOM, the nine Chinese headers, on keys (unit, task, period) keys of the built-in
// plan (plan.Builtin, the Liaocheng 2021 year). Every row is valid and assigned; with
// rows much larger than keys nearly all of them are superseded (1,000,000 rows on 1,240
// keys: 99.9%), which is what the metric models' ranking of reports has to sort out.
//
// quoted says how the notes column is written: QuotedNone, QuotedThird or QuotedAll. A
// quoted note holds an ASCII comma (a cell Excel must quote); an unquoted one the
// full-width ，, the same length in bytes less one, so the three files differ in their
// quoting, not in their content.
//
// keys runs from 1 to 4 × the plan's assignments (800 assignments, so 3,200): the keys
// are keys/4 (rounded up) assignments spread evenly over the plan, each in its four
// quarters (the last assignment in fewer when keys is not a multiple of 4). Row i reports
// on key i mod keys, so every key has its reports spread through the file and the later
// row of a key stands. The n-th report on a key is dated n days after its quarter's first
// day, so no two reports on a key share a 填报日期 (none is flagged repeated_in_file) and
// the later one stands by its date too; with many reports on a key the dates run on past
// the plan year (806 reports a key reach into 2023), which nothing checks. The same
// arguments write the same bytes. Rows are about 160 bytes: 1,000,000 rows are about
// 160 MB.
func WriteSubmissionsCSV(path string, rows int, quoted string, keys int) error {
	if quoted != QuotedNone && quoted != QuotedThird && quoted != QuotedAll {
		return fmt.Errorf("submissions CSV: quoted %q: want %q, %q or %q", quoted, QuotedNone, QuotedThird, QuotedAll)
	}
	p, ks, err := submissionKeys(keys)
	if err != nil {
		return fmt.Errorf("submissions CSV: %w", err)
	}
	if rows < 0 {
		return fmt.Errorf("submissions CSV: %d rows", rows)
	}
	year := p.Catalog.Year
	// The dates of each quarter's reports: its first day, the day after, and so on.
	versions := (rows + keys - 1) / keys
	dates := make([][]string, 5)
	for q := 1; q <= 4; q++ {
		first := time.Date(year, time.Month(3*q-2), 1, 0, 0, 0, 0, time.UTC)
		for v := range versions {
			dates[q] = append(dates[q], first.AddDate(0, 0, v).Format("2006-01-02"))
		}
	}

	f, err := os.Create(path)
	if err != nil {
		return err
	}
	w := bufio.NewWriterSize(f, 1<<20)
	w.WriteString("填报单位,报告期,任务序号,完成状态,完成进度,完成数量,工作进展,佐证材料,填报日期\n")
	// A small linear congruential sequence: the same bytes on every run and Go version.
	x := uint64(0x9E3779B97F4A7C15)
	next := func(n int) int {
		x = x*6364136223846793005 + 1442695040888963407
		return int((x >> 33) % uint64(n))
	}
	notes := [...][2]string{
		{"组织开展法治宣传教育进机关、进乡村、进社区活动第%d场", "覆盖群众约%d人次"},
		{"召开专题会议研究部署法治政府建设重点任务第%d次", "形成会议纪要%d份"},
		{"完成行政规范性文件合法性审核%d件", "提出修改完善意见%d条，均已采纳"},
		{"开展行政执法案卷评查%d卷", "发现问题%d个并逐项督促整改到位"},
	}
	evidence := [...]string{"", "会议纪要.pdf", "工作台账.xlsx"}
	for i := range rows {
		k := &ks[i%keys]
		version := i / keys
		pct := min(100, 10*k.quarter+version%70+next(20))
		status := "推进中"
		switch {
		case pct >= 100:
			status = "已完成"
		case pct < 5:
			status, pct = "未启动", 0
		}
		achieved := ""
		if i%5 == 0 {
			achieved = fmt.Sprint(1 + next(9))
		}
		n := notes[i%len(notes)]
		a, b := fmt.Sprintf(n[0], 1+next(500)), fmt.Sprintf(n[1], 1+next(5000))
		note := a + "，" + b
		if quoted == QuotedAll || (quoted == QuotedThird && i%3 == 0) {
			note = `"` + a + ", " + b + `"`
		}
		fmt.Fprintf(w, "%s,%s,%d,%s,%d%%,%s,%s,%s,%s\n", k.unit, k.period, k.task, status, pct, achieved, note,
			evidence[i%len(evidence)], dates[k.quarter][version])
	}
	if err := w.Flush(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// submissionKey is a (unit, task, quarter) of the built-in plan the generated files report on.
type submissionKey struct {
	unit, period  string
	task, quarter int
}

// submissionKeys picks keys keys of the built-in plan: keys/4 (rounded up) assignments
// spread evenly over the plan, each in its four quarters.
func submissionKeys(keys int) (*plan.Bundle, []submissionKey, error) {
	p, err := plan.Builtin()
	if err != nil {
		return nil, nil, err
	}
	as := p.Assignments
	if keys < 1 || keys > 4*len(as) {
		return nil, nil, fmt.Errorf("%d keys: want 1 to %d (4 quarters × %d assignments)", keys, 4*len(as), len(as))
	}
	picked := (keys + 3) / 4
	ks := make([]submissionKey, 0, keys)
	for k := range keys {
		a := as[(k/4)*len(as)/picked]
		q := 1 + k%4
		ks = append(ks, submissionKey{unit: a.Unit, task: a.Task, quarter: q, period: fmt.Sprintf("%dQ%d", p.Catalog.Year, q)})
	}
	return p, ks, nil
}
