package plan

import (
	"regexp"
	"strconv"
	"time"
)

var dateREs = []*regexp.Regexp{
	regexp.MustCompile(`^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:[T ]\d{1,2}:\d{2}(?::\d{2})?(?:\.\d+)?Z?)?$`),
	regexp.MustCompile(`^(\d{4})年(\d{1,2})月(\d{1,2})[日号]?$`),
	regexp.MustCompile(`^(\d{4})(\d{2})(\d{2})$`),
}

var (
	faultNoSuchDate = &Fault{Reason: ReasonDate, Text: "no such date", Zh: "{col}{value}不是存在的日期"}
	faultDateYear   = &Fault{Reason: ReasonDate, Text: "year out of 2000–2099", Zh: "{col}{value}的年份有误"}
	faultNotDate    = &Fault{Reason: ReasonDate, Text: "not a date: write 2021-07-05 or 2021年7月5日",
		Zh: "{col}{value}无法识别，请写成“2021-07-05”或“2021年7月5日”"}
)

// ParseDate reads a date as offices write it (填报日期, 审核日期, --date): 2021-07-05,
// 2021/7/5, 2021.7.5, 2021年7月5日, 20210705, full-width digits too. Excel date cells reach
// it already written as 2021-07-05. Its errors are Faults with ReasonDate.
func ParseDate(s string) (time.Time, error) {
	f := fold(s)
	if f == "" {
		return time.Time{}, missing(ReasonDate)
	}
	for _, re := range dateREs {
		m := re.FindStringSubmatch(f)
		if m == nil {
			continue
		}
		y, _ := strconv.Atoi(m[1])
		mo, _ := strconv.Atoi(m[2])
		d, _ := strconv.Atoi(m[3])
		t := time.Date(y, time.Month(mo), d, 0, 0, 0, 0, time.UTC)
		if t.Year() != y || int(t.Month()) != mo || t.Day() != d {
			return time.Time{}, faultNoSuchDate
		}
		if y < 2000 || y > 2099 {
			return time.Time{}, faultDateYear
		}
		return t, nil
	}
	return time.Time{}, faultNotDate
}
