// Package sheet is how plantrack's workbooks (receipts, review workbooks, summary.xlsx)
// read and print the same in Excel, WPS and LibreOffice: rows tall enough for their
// wrapped text (none of them grows a row by itself reliably, merged cells never), and
// sheets printed on A4 landscape, one page wide, their header rows on every page.
package sheet

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/mattn/go-runewidth"
	"github.com/xuri/excelize/v2"
)

// wide measures text as it shows: a Chinese character, a full-width or an East Asian
// ambiguous one (“”、…) two columns, a Latin letter or a digit one. Fixed here rather than
// taken from the locale, so that the same workbook has the same row heights everywhere.
var wide = &runewidth.Condition{EastAsianWidth: true, StrictEmojiNeutral: true}

// Lines estimates how many lines a text wraps to in a column width characters wide
// (Excel's unit: the width of a digit of the default font, about half a Chinese character
// of an 11-point font). A line of the text never joins the next; a little of each line is
// left for the cell's padding and for breaks that fall before a word or a closing mark.
func Lines(text string, width float64) int {
	per := max(1, int((width-1)*0.9))
	n := 0
	for l := range strings.SplitSeq(text, "\n") {
		n += max(1, (wide.StringWidth(l)+per-1)/per)
	}
	return n
}

// RowHeight is the height in points of a row whose tallest cell takes lines lines of a
// size-point font (the CJK fonts' line spacing is a little under one and a half times the
// size), within Excel's largest row height.
func RowHeight(lines int, size float64) float64 {
	return min(409, float64(max(1, lines))*size*1.4+4)
}

// PrintSetup prints a sheet on A4 landscape, fit to one page wide and as many tall as it
// takes, centred, with rows first..last repeated at the top of every page and footer at
// the foot.
func PrintSetup(f *excelize.File, sh string, first, last int, footer string) error {
	landscape, a4, one, anyTall := "landscape", 9, 1, 0
	fit, center := true, true
	side, top, edge := 0.4, 0.6, 0.3
	for _, err := range []error{
		f.SetPageLayout(sh, &excelize.PageLayoutOptions{Orientation: &landscape, Size: &a4, FitToWidth: &one, FitToHeight: &anyTall}),
		f.SetSheetProps(sh, &excelize.SheetPropsOptions{FitToPage: &fit}),
		f.SetPageMargins(sh, &excelize.PageLayoutMarginsOptions{Left: &side, Right: &side, Top: &top, Bottom: &top,
			Header: &edge, Footer: &edge, Horizontally: &center}),
		f.SetDefinedName(&excelize.DefinedName{Name: "_xlnm.Print_Titles", RefersTo: fmt.Sprintf("'%s'!$%d:$%d", sh, first, last), Scope: sh}),
		f.SetHeaderFooter(sh, &excelize.HeaderFooterOptions{OddFooter: footer}),
	} {
		if err != nil {
			return err
		}
	}
	return nil
}

// Footer is a page footer: left on the left (an & doubled, since a single one starts a
// code; cut to fit the 255 characters a footer may hold), 第 n 页，共 m 页 on the right.
// extra is footer code added after left as it is (&A: the sheet's name).
func Footer(left, extra string) string {
	if r := []rune(left); len(r) > 100 {
		left = string(r[:99]) + "…"
	}
	return "&L" + strings.ReplaceAll(left, "&", "&&") + extra + "&R第 &P 页，共 &N 页"
}

// Cell names a cell: Cell(2, 3) is B3.
func Cell(col, row int) string {
	c, _ := excelize.CoordinatesToCellName(col, row)
	return c
}

// Col names a column: Col(2) is B.
func Col(col int) string {
	c, _ := excelize.ColumnNumberToName(col)
	return c
}

// Serial is a date's serial number in Excel's 1900 date system.
func Serial(t time.Time) int {
	return int(t.Sub(time.Date(1899, 12, 30, 0, 0, 0, 0, time.UTC)).Hours() / 24)
}

// WriteHidden writes a very hidden, protected sheet of key and value rows: what a
// workbook of plantrack's says of itself (a template's unit and plan, a review
// workbook's period). Every cell is text, so an id of digits stays an id.
func WriteHidden(f *excelize.File, name string, rows [][2]string) error {
	if _, err := f.NewSheet(name); err != nil {
		return err
	}
	for i, r := range rows {
		if err := f.SetCellStr(name, Cell(1, i+1), r[0]); err != nil {
			return err
		}
		if err := f.SetCellStr(name, Cell(2, i+1), r[1]); err != nil {
			return err
		}
	}
	if err := f.ProtectSheet(name, &excelize.SheetProtectionOptions{}); err != nil {
		return err
	}
	// Very hidden: Excel's Unhide does not list it (LibreOffice keeps it hidden).
	return f.SetSheetVisible(name, false, true)
}

// ReadHidden reads the key and value rows of a sheet written by WriteHidden, hidden or
// not; ok is false when the workbook has no sheet of that name.
func ReadHidden(f *excelize.File, name string) (kv map[string]string, ok bool, err error) {
	if !slices.Contains(f.GetSheetList(), name) {
		return nil, false, nil
	}
	rows, err := f.GetRows(name, excelize.Options{RawCellValue: true})
	if err != nil {
		return nil, true, err
	}
	kv = map[string]string{}
	for _, r := range rows {
		if len(r) >= 2 {
			kv[strings.TrimSpace(r[0])] = strings.TrimSpace(r[1])
		}
	}
	return kv, true, nil
}
