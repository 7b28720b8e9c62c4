package receipt

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"plantrack/internal/testkit"
)

// A table longer than a sheet goes on in sheets of its own, named after the first with their
// number, the table's header at their top (and, for 已接收, a title saying which rows each
// holds), and so does what follows it: nothing is cut off. Here sheets end at row 12
// (Excel's end at 1,048,576).
func TestReceiptGoesOnInMoreSheets(t *testing.T) {
	defer func(n int) { lastRow = n }(lastRow)
	lastRow = 12
	p := testkit.Builtin(t)
	dir := t.TempDir()
	var csv strings.Builder
	csv.WriteString("填报单位,报告期,任务序号,完成状态,完成进度,填报日期\n")
	var wantAccepted, wantRejected []string // source rows, in order
	for i := range 17 {
		status := "推进中"
		if i%4 == 1 {
			status = "搞定了" // rejected: no status word
			wantRejected = append(wantRejected, fmt.Sprint(i+2))
		} else {
			wantAccepted = append(wantAccepted, fmt.Sprint(i+2))
		}
		fmt.Fprintf(&csv, "东阿县,2021Q2,%d,%s,50,2021-07-05\n", 1+i%3, status)
	}
	in := filepath.Join(dir, "东阿县.csv")
	if err := os.WriteFile(in, []byte(csv.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	db, sum := ingestBuilt(t, dir, p, in)
	out := filepath.Join(dir, "r", Name(in))
	if err := Write(context.Background(), db.DB, []Input{{Path: in, SHA256: sum.Files[0].SHA256, Out: out}}, Options{}); err != nil {
		t.Fatal(err)
	}

	f, err := excelize.OpenFile(out)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sheets := f.GetSheetList()
	var front []string
	for _, sh := range sheets {
		if strings.HasPrefix(sh, frontSheet) {
			front = append(front, sh)
		}
	}
	if want := []string{"已接收", "已接收（2）"}; len(front) < 3 || !slices.Equal(sheets[len(front):], want) {
		t.Fatalf("sheets %q: want 回执, 回执（2）… then %q", sheets, want)
	}
	for i, sh := range front {
		if want := sheetName(frontSheet, i+1); sh != want {
			t.Errorf("sheet %d is %s, want %s", i+1, sh, want)
		}
	}
	titles := map[string]string{}
	for _, n := range f.GetDefinedName() {
		if n.Name == "_xlnm.Print_Titles" {
			titles[n.Scope] = n.RefersTo
		}
	}
	var rejected, accepted []string
	for _, sh := range sheets {
		rows, err := f.GetRows(sh)
		if err != nil {
			t.Fatal(err)
		}
		if len(rows) > lastRow {
			t.Errorf("%s has %d rows, past the last, %d", sh, len(rows), lastRow)
		}
		wantTitles := fmt.Sprintf("'%s'!$1:$1", sh)
		if strings.HasPrefix(sh, acceptedSheet) {
			wantTitles = fmt.Sprintf("'%s'!$1:$2", sh)
		}
		if titles[sh] != wantTitles {
			t.Errorf("print titles of %s: %q, want %q", sh, titles[sh], wantTitles)
		}
		switch {
		case sh == acceptedSheet || sh == sheetName(acceptedSheet, 2):
			part := map[string]int{acceptedSheet: 0, sheetName(acceptedSheet, 2): 1}[sh]
			want := fmt.Sprintf("已接收的行（共13行，本表为第%d至%d行）", 1+10*part, min(13, 10+10*part))
			if rows[0][0] != want || rows[1][0] != "工作表" || rows[1][9] != "提示" {
				t.Errorf("%s starts %q / %q; want %q and the header", sh, rows[0], rows[1], want)
			}
			for _, r := range rows[2:] {
				accepted = append(accepted, r[1])
			}
		case sh != frontSheet:
			// A sheet 回执 goes on in starts with the table going on, or the next section.
			if h := rows[0]; len(h) == 0 || (h[0] != "工作表" && h[0] != "填报单位" && !strings.HasPrefix(h[0], "二、") && !strings.HasPrefix(h[0], "三、")) {
				t.Errorf("%s starts %q, neither a table's header nor a section", sh, h)
			}
			fallthrough
		default:
			inRejected := false
			for _, r := range rows {
				switch {
				case len(r) > 0 && r[0] == "工作表":
					inRejected = true
				case len(r) == 0 || (len(r) > 0 && strings.HasPrefix(r[0], "二、")):
					inRejected = false
				case inRejected && len(r) > 1:
					rejected = append(rejected, r[1])
				}
			}
		}
	}
	if !slices.Equal(accepted, wantAccepted) || !slices.Equal(rejected, wantRejected) {
		t.Errorf("accepted rows %q, want %q; rejected %q, want %q", accepted, wantAccepted, rejected, wantRejected)
	}
}
