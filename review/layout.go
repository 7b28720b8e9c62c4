package review

import (
	"strings"

	"github.com/mattn/go-runewidth"
)

// Row heights as receipt/layout.go sets them: Excel, WPS and LibreOffice do not grow a row
// for its wrapped text reliably, so every row gets a height for its lines, estimated the
// same way everywhere.

// wide measures text as it shows: a Chinese character, a full-width or an East Asian
// ambiguous one two columns, a Latin letter or a digit one.
var wide = &runewidth.Condition{EastAsianWidth: true, StrictEmojiNeutral: true}

// textLines estimates how many lines a text wraps to in a column width characters wide,
// leaving a little of each line for the cell's padding and for breaks before a word.
func textLines(text string, width float64) int {
	per := max(1, int((width-1)*0.9))
	n := 0
	for l := range strings.SplitSeq(text, "\n") {
		n += max(1, (wide.StringWidth(l)+per-1)/per)
	}
	return n
}

// rowHeight is the height in points of a row whose tallest cell takes lines lines of a
// size-point CJK font (line spacing a little under one and a half times the size),
// within Excel's largest row height.
func rowHeight(lines int, size float64) float64 {
	return min(409, float64(max(1, lines))*size*1.4+4)
}
