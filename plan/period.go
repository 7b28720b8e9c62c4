package plan

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	"golang.org/x/text/unicode/norm"
)

// Period is a reporting quarter in canonical form: 2021Q2. Every command, file and table
// writes periods this way; Name gives the form units read (2021年第二季度).
type Period string

var (
	quarterQRE  = regexp.MustCompile(`^(\d{4})[-/. ]?[Qq]([1-4])$`)
	monthRE     = regexp.MustCompile(`^(\d{4})(?:[-/.]|年)(\d{1,2})(?:月(?:份)?)?$`)
	cnQuarterRE = regexp.MustCompile(`^(\d{4})年(?:第)?([1-4一二三四])季度?$`)
	canonicalRE = regexp.MustCompile(`^\d{4}Q[1-4]$`)
)

var cnDigit = map[string]int{"1": 1, "2": 2, "3": 3, "4": 4, "一": 1, "二": 2, "三": 3, "四": 4}

// ParsePeriod reads a reporting period in any form offices write it: 2021Q2, 2021-Q2,
// 2021年第二季度, 2021年二季度, or a month (2021-06, 2021年6月) standing for its quarter.
// Its errors are Faults with ReasonPeriod.
func ParsePeriod(s string) (Period, error) {
	f := fold(s)
	if f == "" {
		return "", missing(ReasonPeriod)
	}
	if m := quarterQRE.FindStringSubmatch(f); m != nil {
		return Period(m[1] + "Q" + m[2]), nil
	}
	if m := cnQuarterRE.FindStringSubmatch(f); m != nil {
		return Period(fmt.Sprintf("%sQ%d", m[1], cnDigit[m[2]])), nil
	}
	if m := monthRE.FindStringSubmatch(f); m != nil {
		mon, _ := strconv.Atoi(m[2])
		if mon < 1 || mon > 12 {
			return "", &Fault{Reason: ReasonPeriod, Text: fmt.Sprintf("month %d does not exist", mon), Zh: "{col}{value}的月份不存在"}
		}
		return Period(fmt.Sprintf("%sQ%d", m[1], (mon+2)/3)), nil
	}
	return "", &Fault{Reason: ReasonPeriod, Text: "not a period: write 2021Q2, 2021年第二季度 or 2021-06",
		Zh: "{col}{value}无法识别，请写成“2021年第二季度”或“2021Q2”"}
}

// PeriodOf is the period of a year and quarter.
func PeriodOf(year, quarter int) Period { return Period(fmt.Sprintf("%dQ%d", year, quarter)) }

// YearPeriods are a plan year's four quarters.
func YearPeriods(year int) []Period {
	return []Period{PeriodOf(year, 1), PeriodOf(year, 2), PeriodOf(year, 3), PeriodOf(year, 4)}
}

// Valid reports whether p is in canonical form.
func (p Period) Valid() bool { return canonicalRE.MatchString(string(p)) }

// Year is the period's year (0 when p is not canonical).
func (p Period) Year() int {
	if !p.Valid() {
		return 0
	}
	y, _ := strconv.Atoi(string(p[:4]))
	return y
}

// Quarter is 1–4 (0 when p is not canonical).
func (p Period) Quarter() int {
	if !p.Valid() {
		return 0
	}
	return int(p[5] - '0')
}

// Name is the period as units read it: 2021Q2 → 2021年第二季度.
func (p Period) Name() string {
	if !p.Valid() {
		return string(p)
	}
	return fmt.Sprintf("%d年第%s季度", p.Year(), Numeral(p.Quarter()))
}

// End is the period's last day (2021Q2 → 2021-06-30).
func (p Period) End() time.Time {
	return time.Date(p.Year(), time.Month(p.Quarter()*3)+1, 0, 0, 0, 0, 0, time.UTC)
}

func (p Period) String() string { return string(p) }

// fold normalizes a cell for matching: full-width forms to plain (８５％ → 85%), no
// surrounding or inner spaces.
func fold(s string) string {
	s = norm.NFKC.String(s)
	return strings.Join(strings.Fields(s), "")
}

// Fold is the form in which cells are matched against the words of this file: full-width
// forms plain, no spaces.
func Fold(s string) string { return fold(s) }
