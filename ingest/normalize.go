package ingest

import (
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"

	"plantrack/plan"
)

// The field normalizers. Each takes a cell's text as the unit wrote it and returns the
// normalized value or a *plan.Fault saying, in English and Chinese, what is wrong with it.
// Periods and statuses are read by plan.ParsePeriod and plan.ParseStatus.

// fold normalizes a cell for matching: full-width forms to plain (８５％ → 85%), no
// surrounding or inner spaces.
func fold(s string) string { return plan.Fold(s) }

var numberRE = regexp.MustCompile(`^[+-]?(\d+(\.\d*)?|\.\d+)$`)

var (
	faultNotPercent = &plan.Fault{Reason: plan.ReasonProgress, Text: "not a percentage: write a number from 0 to 100",
		Zh: "{col}{value}不是数字，请填写0到100之间的整数"}
	faultPercentRange = &plan.Fault{Reason: plan.ReasonProgress, Text: "out of 0–100", Zh: "{col}{value}超出0–100的范围"}
	faultNegative     = &plan.Fault{Reason: plan.ReasonAchieved, Text: "negative", Zh: "{col}{value}不能为负数"}
	faultNotCount     = &plan.Fault{Reason: plan.ReasonAchieved, Text: "not a number", Zh: "{col}{value}不是数字，请填写整数，如2"}
	faultNotTaskNo    = &plan.Fault{Reason: plan.ReasonTaskNo, Text: "not a task number", Zh: "{col}{value}不是任务序号，请填写数字"}
)

// ParseProgress reads a completion percentage: "85%", "85", "85.5", "８５％". A cell
// Excel formats as a percentage holds a fraction (0.85): the reader passes it as "85%".
// ok is false when the cell is empty.
func ParseProgress(s string) (pct float64, ok bool, err error) {
	f := fold(s)
	if f == "" {
		return 0, false, nil
	}
	f = strings.TrimSuffix(f, "%")
	if !numberRE.MatchString(f) {
		return 0, true, faultNotPercent
	}
	v, err := strconv.ParseFloat(f, 64)
	if err != nil || math.IsNaN(v) {
		return 0, true, faultNotPercent
	}
	if v < 0 || v > 100 {
		return 0, true, faultPercentRange
	}
	return v, true, nil
}

// countRE allows a measure word after a count: "2次", "3 场".
var countRE = regexp.MustCompile(`^(\d+(?:\.\d+)?)(?:次|场|期|个|项|件|批|篇|家|轮|人次)?$`)

// ParseCount reads a non-negative count such as 完成数量; ok is false when empty.
func ParseCount(s string) (n float64, ok bool, err error) {
	f := fold(s)
	if f == "" {
		return 0, false, nil
	}
	m := countRE.FindStringSubmatch(f)
	if m == nil {
		if strings.HasPrefix(f, "-") {
			return 0, true, faultNegative
		}
		return 0, true, faultNotCount
	}
	v, err := strconv.ParseFloat(m[1], 64)
	if err != nil {
		return 0, true, faultNotCount
	}
	return v, true, nil
}

// ParseTaskNo reads a task number: "7", "７", "7.0" (Excel), "第7项".
func ParseTaskNo(s string) (int, error) {
	f := fold(s)
	if f == "" {
		return 0, plan.Missing(plan.ReasonTaskNo)
	}
	f = strings.TrimSuffix(strings.TrimPrefix(strings.TrimPrefix(f, "第"), "任务"), "项")
	f = strings.TrimSuffix(f, ".0")
	n, err := strconv.Atoi(f)
	if err != nil || n < 1 {
		return 0, faultNotTaskNo
	}
	return n, nil
}

// unknownTask is a task number the plan of the report's year does not have.
func unknownTask(year, tasks int) *plan.Fault {
	return &plan.Fault{Reason: plan.ReasonUnknownTask, Text: fmt.Sprintf("the plan has tasks 1–%d", tasks),
		Zh: fmt.Sprintf("{col}{value}不在%d年工作计划中（计划共第1–%d项任务）", year, tasks)}
}

// noPlan is a period of a year the database has no plan for.
func noPlan(p plan.Period, y *plan.Years) *plan.Fault {
	return &plan.Fault{Reason: plan.ReasonNoPlan, Text: fmt.Sprintf("no plan for %d: the plans are for %s", p.Year(), y.List()),
		Zh: fmt.Sprintf("{col}{value}所在的%d年没有工作计划（现有%s年的计划）", p.Year(), y.List())}
}
