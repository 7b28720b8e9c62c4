package reports

import (
	"io"
	"strings"

	"github.com/mattn/go-runewidth"
)

// Table writes rows in aligned columns for a terminal, measuring Chinese characters as
// two columns wide as terminals show them. The chase list and the command line's
// summaries print with it.
type Table struct {
	Header []string
	Rows   [][]string
}

// Add appends a row.
func (t *Table) Add(cells ...string) { t.Rows = append(t.Rows, cells) }

// Write writes the header and the rows, columns two spaces apart, no trailing spaces.
func (t *Table) Write(w io.Writer) error {
	widths := make([]int, len(t.Header))
	for _, r := range append([][]string{t.Header}, t.Rows...) {
		for i, c := range r {
			widths[i] = max(widths[i], runewidth.StringWidth(c))
		}
	}
	var b strings.Builder
	for _, r := range append([][]string{t.Header}, t.Rows...) {
		var line strings.Builder
		for i, c := range r {
			line.WriteString(c)
			if i < len(r)-1 {
				line.WriteString(strings.Repeat(" ", widths[i]-runewidth.StringWidth(c)+2))
			}
		}
		b.WriteString(strings.TrimRight(line.String(), " "))
		b.WriteString("\n")
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// Clip shortens s to at most w display columns, marking the cut with …
func Clip(s string, w int) string {
	if runewidth.StringWidth(s) <= w {
		return s
	}
	return runewidth.Truncate(s, w, "…")
}
