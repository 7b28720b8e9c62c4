package receipt

import (
	"fmt"
	"strings"

	"github.com/mattn/go-runewidth"
	"github.com/xuri/excelize/v2"
)

// How a receipt reads and prints the same in Excel, WPS and LibreOffice: every row that
// holds wrapped text gets a height for its lines (none of them grows a row by itself
// reliably, merged cells never), and every sheet prints on A4 landscape, one page wide,
// its header rows again on every page.

// wide measures text as it shows: a Chinese character, a full-width or an East Asian
// ambiguous one (“”、…) two columns, a Latin letter or a digit one. Fixed here rather than
// taken from the locale, so that the same receipt has the same row heights everywhere.
var wide = &runewidth.Condition{EastAsianWidth: true, StrictEmojiNeutral: true}

// textLines estimates how many lines a text wraps to in a column width characters wide
// (Excel's unit: the width of a digit of the default font, about half a Chinese character
// of an 11-point font). A line of the text never joins the next; a little of each line is
// left for the cell's padding and for breaks that fall before a word or a closing mark.
func textLines(text string, width float64) int {
	per := max(1, int((width-1)*0.9))
	n := 0
	for l := range strings.SplitSeq(text, "\n") {
		n += max(1, (wide.StringWidth(l)+per-1)/per)
	}
	return n
}

// lineHeight is the height of a line of text in points for a font of size points: the
// line spacing of the CJK fonts (宋体, and Noto CJK where LibreOffice stands in for it) is
// a little under one and a half times the size.
func lineHeight(size float64) float64 { return size * 1.4 }

// rowHeight is the height of a row whose tallest cell takes lines lines of a size-point
// font, within Excel's largest row height.
func rowHeight(lines int, size float64) float64 {
	return min(409, float64(max(1, lines))*lineHeight(size)+4)
}

// printSetup prints a sheet on A4 landscape, fit to one page wide and as many tall as it
// takes, with rows first..last repeated at the top of every page and footer at the foot.
func printSetup(f *excelize.File, sh string, first, last int, footer string) error {
	landscape, a4, one, anyTall := "landscape", 9, 1, 0
	fit, center := true, true
	side, top, edge := 0.4, 0.6, 0.3
	return firstErr(
		f.SetPageLayout(sh, &excelize.PageLayoutOptions{Orientation: &landscape, Size: &a4, FitToWidth: &one, FitToHeight: &anyTall}),
		f.SetSheetProps(sh, &excelize.SheetPropsOptions{FitToPage: &fit}),
		f.SetPageMargins(sh, &excelize.PageLayoutMarginsOptions{Left: &side, Right: &side, Top: &top, Bottom: &top,
			Header: &edge, Footer: &edge, Horizontally: &center}),
		f.SetDefinedName(&excelize.DefinedName{Name: "_xlnm.Print_Titles", RefersTo: fmt.Sprintf("'%s'!$%d:$%d", sh, first, last), Scope: sh}),
		f.SetHeaderFooter(sh, &excelize.HeaderFooterOptions{OddFooter: footer}),
	)
}

// footerText is a page footer: the text on the left, 第 n 页，共 m 页 on the right. An &
// of the text is doubled (a single one starts a code), and a long text is cut to fit the
// 255 characters a footer may hold.
func footerText(left string) string {
	if r := []rune(left); len(r) > 100 {
		left = string(r[:99]) + "…"
	}
	return "&L" + strings.ReplaceAll(left, "&", "&&") + "&R第 &P 页，共 &N 页"
}

func firstErr(errs ...error) error {
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}
