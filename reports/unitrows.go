package reports

import (
	"fmt"
	"html/template"
	"strconv"
	"strings"
	"unicode/utf8"

	"plantrack/plan"
)

// A province's unit pages are tens of thousands, their tables of tasks millions of cells:
// html/template, which calls every cell's functions and its escaper through reflection,
// spent most of the report's time on them (20 s of CPU for 45,000 pages). The rows of
// those tables are written here instead, every text escaped as html/template escapes an
// element's content (TestTaskRowsAsTemplate holds the two to the same bytes); the rest of
// the page stays a template.

// Pct1 writes a percentage already in percent (an average progress, 0–100) with one
// decimal, halves up: 87.5%.
func Pct1(v float64) string { return strconv.FormatFloat(round1(v), 'f', 1, 64) + "%" }

// ClipRunes shortens s to n characters and an ellipsis (Clip counts display columns).
func ClipRunes(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	i := 0
	for range n {
		_, size := utf8.DecodeRuneInString(s[i:])
		i += size
	}
	return s[:i] + "…"
}

// textEscaper escapes text in an element's content as html/template does.
var textEscaper = strings.NewReplacer("\x00", "\uFFFD", `"`, "&#34;", "&", "&amp;", "'", "&#39;", "+", "&#43;", "<", "&lt;", ">", "&gt;")

// taskRows is the rows of a unit's table of tasks (unit.tmpl): number, text, role, status,
// progress, the period of the latest report, its notes, and with reviewed its review.
func taskRows(tasks []UnitTask, reviewed bool) template.HTML {
	var b strings.Builder
	text := func(s string) { textEscaper.WriteString(&b, s) }
	for _, t := range tasks {
		b.WriteString(`<tr><td class="num">`)
		b.WriteString(strconv.Itoa(t.Task))
		b.WriteString(`</td><td>`)
		text(ClipRunes(t.Text, 50))
		b.WriteString(`</td><td>`)
		text(plan.RoleShort(t.Role))
		b.WriteString(`</td><td>`)
		text(plan.Status(t.Status).Name())
		if t.Completed {
			b.WriteString(" ✓")
		}
		b.WriteString(`</td><td class="num">`)
		text(Pct1(t.Progress))
		b.WriteString(`</td><td>`)
		if t.ReportPer != "" {
			text(t.ReportPer)
		} else {
			b.WriteString("—")
		}
		b.WriteString(`</td><td>`)
		text(t.Notes)
		b.WriteString(`</td>`)
		if reviewed {
			b.WriteString(`<td>`)
			switch d := plan.Decision(t.Review); d {
			case plan.DecisionApproved:
				b.WriteString(d.Name())
			case plan.DecisionReturned:
				b.WriteString(d.Name())
				if t.ReviewComment != "" {
					b.WriteString("：")
					text(t.ReviewComment)
				}
			default:
				b.WriteString("—")
			}
			b.WriteString(`</td>`)
		}
		b.WriteString("</tr>\n")
	}
	return template.HTML(b.String())
}

// missingItems is the list items of the tasks a unit has not reported on in the period.
func missingItems(tasks []UnitTask) template.HTML {
	var b strings.Builder
	for _, t := range tasks {
		if !t.ReportedInPeriod {
			fmt.Fprintf(&b, "<li>任务 %d：", t.Task)
			textEscaper.WriteString(&b, ClipRunes(t.Text, 40))
			b.WriteString("</li>")
		}
	}
	return template.HTML(b.String())
}
