package sheet

import (
	"testing"

	"github.com/xuri/excelize/v2"
)

func TestLinesAndHeights(t *testing.T) {
	for _, c := range []struct {
		text  string
		width float64
		lines int
	}{
		{"", 10, 1},
		{"短", 10, 1},
		{"一二三四五六七八九十", 10, 3}, // 20 columns in 8 a line
		{"ab\ncd", 40, 2},
		{"“引号”", 3, 8}, // ambiguous quotes are two columns too
	} {
		if got := Lines(c.text, c.width); got != c.lines {
			t.Errorf("Lines(%q, %v) = %d, want %d", c.text, c.width, got, c.lines)
		}
	}
	if h := RowHeight(2, 11); h != 2*11*1.4+4 {
		t.Errorf("RowHeight(2, 11) = %v", h)
	}
	if h := RowHeight(1000, 11); h != 409 {
		t.Errorf("RowHeight is not capped at Excel's 409: %v", h)
	}
	if f := Footer("A&B", "&A"); f != "&LA&&B&A&R第 &P 页，共 &N 页" {
		t.Errorf("Footer %q", f)
	}
}

func TestPrintSetup(t *testing.T) {
	f := excelize.NewFile()
	defer f.Close()
	if err := PrintSetup(f, "Sheet1", 1, 2, Footer("回执", "")); err != nil {
		t.Fatal(err)
	}
	pl, err := f.GetPageLayout("Sheet1")
	if err != nil || *pl.Orientation != "landscape" || *pl.Size != 9 || *pl.FitToWidth != 1 || *pl.FitToHeight != 0 {
		t.Errorf("page layout %+v %v", pl, err)
	}
	names := f.GetDefinedName()
	if len(names) != 1 || names[0].RefersTo != "'Sheet1'!$1:$2" {
		t.Errorf("print titles %+v", names)
	}
}
