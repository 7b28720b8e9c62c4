package ingest

// Templates as clerks return them after LibreOffice (and so WPS and Excel users) saved
// them: each file is written, changed as a clerk changes it, saved by LibreOffice driven
// headless, and ingested.

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"plantrack/internal/testkit"
	"plantrack/plan"
	"plantrack/template"
)

// edited opens a template written by writeTemplate, lets edit change it as a clerk would,
// saves it, and returns LibreOffice's re-save of it.
func edited(t *testing.T, name string, edit func(f *excelize.File, rows map[int]int)) string {
	t.Helper()
	p := testkit.Builtin(t)
	dir := t.TempDir()
	path := filepath.Join(dir, name)
	writeTemplate(t, p, p.SHA256, "东阿县", "2021Q2", path, someEntries)
	if edit != nil {
		f, err := excelize.OpenFile(path)
		if err != nil {
			t.Fatal(err)
		}
		m, err := template.ReadMeta(f)
		if err != nil || m == nil {
			t.Fatalf("meta %v %v", m, err)
		}
		rows, err := template.TaskRows(f, m)
		if err != nil {
			t.Fatal(err)
		}
		edit(f, rows)
		if err := f.Save(); err != nil {
			t.Fatal(err)
		}
		f.Close()
	}
	return testkit.SOffice(t, path, "xlsx", filepath.Join(dir, "saved"))
}

func TestLibreOfficeSaves(t *testing.T) {
	type want struct {
		accepted, rejected int
		rows               string // task:progress:flags of the rows stored, in task order
		skipped            string // a reason the file was listed for, instead
	}
	for _, c := range []struct {
		name string
		file string
		edit func(f *excelize.File, rows map[int]int)
		want want
	}{
		{"saved as it was", "东阿县.xlsx", nil,
			want{accepted: 2, rows: "1:60:[] 5:100:[]"}},
		{"85 percent typed into the progress cell", "东阿县.xlsx", func(f *excelize.File, rows map[int]int) {
			// What LibreOffice stores when a clerk types 85% into a cell formatted 0.
			f.SetCellFloat(template.DataSheet, cellName(template.ColProgress, rows[1]), 0.85, -1, 64)
		}, want{accepted: 2, rows: "1:85:[progress_fraction] 5:100:[]"}},
		{"a task row duplicated", "东阿县.xlsx", func(f *excelize.File, rows map[int]int) {
			f.UnprotectSheet(template.DataSheet)
			if err := f.DuplicateRow(template.DataSheet, rows[1]); err != nil {
				t.Fatal(err)
			}
		}, want{accepted: 3, rows: "1:60:[repeated_in_file] 1:60:[repeated_in_file] 5:100:[]"}},
		{"the sheet copied into a new workbook", "新表.xlsx", func(f *excelize.File, _ map[int]int) {
			// The hidden sheet is gone: the title and 填报单位 line still say who and when,
			// and the tasks left blank are no reports.
			f.DeleteSheet(template.MetaSheet)
		}, want{accepted: 2, rows: "1:60:[] 5:100:[]"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			saved := edited(t, c.file, c.edit)
			db, sum := ingestDir(t, Options{}, saved)
			if sum.Accepted != int64(c.want.accepted) || sum.Rejected != int64(c.want.rejected) {
				t.Fatalf("accepted %d, rejected %d; want %d, %d: %v", sum.Accepted, sum.Rejected, c.want.accepted, c.want.rejected, sum.Rejections)
			}
			got := one(t, db, `SELECT string_agg(task_no || ':' || progress_pct::INTEGER || ':' || flags::VARCHAR, ' ' ORDER BY task_no, source_row) FROM submissions`)
			if got != c.want.rows {
				t.Errorf("rows %q, want %q", got, c.want.rows)
			}
			if got := one(t, db, `SELECT string_agg(DISTINCT unit_id || ' ' || period, ',') FROM submissions`); got != "dong-e 2021Q2" {
				t.Errorf("unit and period %q", got)
			}
		})
	}
}

// A template LibreOffice saved as .ods is listed with what the unit must do, not read; its
// hidden sheet, only hidden after a LibreOffice save, still marks it as a template.
func TestLibreOfficeFormats(t *testing.T) {
	p := testkit.Builtin(t)
	dir := t.TempDir()
	path := filepath.Join(dir, "东阿县.xlsx")
	writeTemplate(t, p, p.SHA256, "东阿县", "2021Q2", path, someEntries)
	ods := testkit.SOffice(t, path, "ods", filepath.Join(dir, "ods"))
	_, sum := ingestDir(t, Options{}, ods)
	if len(sum.Skipped) != 1 || !strings.Contains(sum.Skipped[0].Reason, "OpenDocument") || sum.Skipped[0].ReasonZh == "" || len(sum.Files) != 0 {
		t.Errorf("ods: %+v", sum)
	}

	saved := testkit.SOffice(t, path, "xlsx", filepath.Join(dir, "saved"))
	f, err := excelize.OpenFile(saved)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	m, err := template.ReadMeta(f)
	if err != nil || m == nil || m.UnitID != "dong-e" {
		t.Fatalf("meta after a LibreOffice save: %+v %v", m, err)
	}
	if v, _ := f.GetSheetVisible(template.MetaSheet); v {
		t.Errorf("the meta sheet became visible")
	}
	if _, err := os.Stat(saved); err != nil {
		t.Fatal(err)
	}
	db := openDB(t)
	if sum, err := Ingest(context.Background(), db, plan.Only(p), []string{saved}, Options{Period: "2021Q2"}); err != nil || sum.Accepted != 2 {
		t.Errorf("ingest of the re-saved template: %v %+v", err, sum)
	}
}

func cellName(col, row int) string {
	n, _ := excelize.CoordinatesToCellName(col, row)
	return n
}
