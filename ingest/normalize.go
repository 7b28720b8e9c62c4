package ingest

import (
	"errors"
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"
	"time"

	"golang.org/x/text/unicode/norm"
)

// The field normalizers. Each takes a cell's text as the unit wrote it and returns the
// normalized value or an error whose text is the reason shown to the unit.

// Statuses, as stored in submissions.status.
const (
	NotStarted = "not_started"
	InProgress = "in_progress"
	Completed  = "completed"
)

// statusWords are the words units write for each status (DESIGN.md "Submissions").
var statusWords = map[string]string{
	"未启动": NotStarted, "未开始": NotStarted, "not_started": NotStarted,
	"推进中": InProgress, "进行中": InProgress, "正在推进": InProgress, "基本完成": InProgress, "in_progress": InProgress,
	"已完成": Completed, "完成": Completed, "全面完成": Completed, "completed": Completed,
}

// fold normalizes a cell for matching: full-width forms to plain (８５％ → 85%), no
// surrounding or inner spaces.
func fold(s string) string {
	s = norm.NFKC.String(s)
	return strings.Join(strings.Fields(s), "")
}

// ParseStatus reads a status word.
func ParseStatus(s string) (string, error) {
	if st, ok := statusWords[strings.ToLower(fold(s))]; ok {
		return st, nil
	}
	if fold(s) == "" {
		return "", errors.New("missing")
	}
	return "", errors.New("not a status: write 未启动, 推进中 or 已完成")
}

var (
	quarterQRE  = regexp.MustCompile(`^(\d{4})[-/. ]?[Qq]([1-4])$`)
	monthRE     = regexp.MustCompile(`^(\d{4})(?:[-/.]|年)(\d{1,2})(?:月(?:份)?)?$`)
	cnQuarterRE = regexp.MustCompile(`^(\d{4})年(?:第)?([1-4一二三四])季度?$`)
)

var cnDigit = map[string]int{"1": 1, "2": 2, "3": 3, "4": 4, "一": 1, "二": 2, "三": 3, "四": 4}

// ParsePeriod reads a reporting period: 2021Q2, 2021-Q2, 2021年第二季度, 2021年二季度, or a
// month (2021-06, 2021年6月) standing for its quarter. It returns the canonical 2021Q2.
func ParsePeriod(s string) (string, error) {
	f := fold(s)
	if f == "" {
		return "", errors.New("missing")
	}
	if m := quarterQRE.FindStringSubmatch(f); m != nil {
		return m[1] + "Q" + m[2], nil
	}
	if m := cnQuarterRE.FindStringSubmatch(f); m != nil {
		return fmt.Sprintf("%sQ%d", m[1], cnDigit[m[2]]), nil
	}
	if m := monthRE.FindStringSubmatch(f); m != nil {
		mon, _ := strconv.Atoi(m[2])
		if mon < 1 || mon > 12 {
			return "", fmt.Errorf("month %d does not exist", mon)
		}
		return fmt.Sprintf("%sQ%d", m[1], (mon+2)/3), nil
	}
	return "", errors.New("not a period: write 2021Q2, 2021年第二季度 or 2021-06")
}

// PeriodEnd is the last day of a canonical period (2021Q2 → 2021-06-30).
func PeriodEnd(period string) time.Time {
	y, _ := strconv.Atoi(period[:4])
	q := int(period[5] - '0')
	return time.Date(y, time.Month(q*3)+1, 0, 0, 0, 0, 0, time.UTC)
}

var numberRE = regexp.MustCompile(`^[+-]?(\d+(\.\d*)?|\.\d+)$`)

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
		return 0, true, errors.New("not a percentage: write a number from 0 to 100")
	}
	v, err := strconv.ParseFloat(f, 64)
	if err != nil || math.IsNaN(v) {
		return 0, true, errors.New("not a percentage: write a number from 0 to 100")
	}
	if v < 0 || v > 100 {
		return 0, true, errors.New("out of 0–100")
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
			return 0, true, errors.New("negative")
		}
		return 0, true, errors.New("not a number")
	}
	v, err := strconv.ParseFloat(m[1], 64)
	if err != nil {
		return 0, true, errors.New("not a number")
	}
	return v, true, nil
}

// ParseTaskNo reads a task number: "7", "７", "7.0" (Excel), "第7项".
func ParseTaskNo(s string) (int, error) {
	f := fold(s)
	if f == "" {
		return 0, errors.New("missing")
	}
	f = strings.TrimSuffix(strings.TrimPrefix(strings.TrimPrefix(f, "第"), "任务"), "项")
	f = strings.TrimSuffix(f, ".0")
	n, err := strconv.Atoi(f)
	if err != nil || n < 1 {
		return 0, errors.New("not a task number")
	}
	return n, nil
}

var dateREs = []*regexp.Regexp{
	regexp.MustCompile(`^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:[T ]\d{1,2}:\d{2}(?::\d{2})?(?:\.\d+)?Z?)?$`),
	regexp.MustCompile(`^(\d{4})年(\d{1,2})月(\d{1,2})[日号]?$`),
	regexp.MustCompile(`^(\d{4})(\d{2})(\d{2})$`),
}

// ParseDate reads a date: 2021-07-05, 2021/7/5, 2021.7.5, 2021年7月5日, 20210705. Excel
// date cells reach it already written as 2021-07-05.
func ParseDate(s string) (time.Time, error) {
	f := fold(s)
	if f == "" {
		return time.Time{}, errors.New("missing")
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
			return time.Time{}, errors.New("no such date")
		}
		if y < 2000 || y > 2099 {
			return time.Time{}, errors.New("year out of 2000–2099")
		}
		return t, nil
	}
	return time.Time{}, errors.New("not a date: write 2021-07-05 or 2021年7月5日")
}
