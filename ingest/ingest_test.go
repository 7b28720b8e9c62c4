package ingest

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"plantrack/internal/testkit"
	"plantrack/plan"
	"plantrack/store"
)

func openDB(t testing.TB) *store.DB {
	t.Helper()
	db, err := store.Open(context.Background(), filepath.Join(t.TempDir(), "t.duckdb"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	t.Cleanup(func() { testkit.Accounted(t, db.DB) }) // runs first: every test's files are accounted for
	return db
}

const (
	acceptedSQL = `SELECT source_file, source_sheet, source_row, unit_id, unit_name, task_no, period, status,
		progress_pct, achieved, notes, evidence, submitted_on, flags FROM submissions ORDER BY source_file, source_sheet, source_row`
	rejectedSQL = `SELECT source_file, source_sheet, source_row, "column", value, reason_code, reason, raw
		FROM rejected_rows ORDER BY source_file, source_sheet, source_row`
)

// summaryText is the golden form of a Summary.
func summaryText(s *Summary) string {
	var b strings.Builder
	for _, sk := range s.Skipped {
		fmt.Fprintf(&b, "skipped %s: %s\n", sk.Path, sk.Reason)
	}
	for _, d := range s.Duplicates {
		fmt.Fprintf(&b, "duplicate %s = %s (batch %d)\n", d.Path, d.Previous, d.BatchID)
	}
	for _, f := range s.Files {
		fmt.Fprintf(&b, "file %s: %s %s rows=%d accepted=%d rejected=%d skipped=%d whole=%v %v\n",
			f.Path, f.Format, f.Encoding, f.RowsRead, f.Accepted, f.Rejected, f.Skipped, f.WholeFileRejected, f.Notes)
	}
	fmt.Fprintf(&b, "batch=%d rows=%d accepted=%d rejected=%d superseded=%d skipped_rows=%d\n",
		s.BatchID, s.RowsRead, s.Accepted, s.Rejected, s.Superseded, s.SkippedRows)
	for _, r := range s.Rejections {
		fmt.Fprintln(&b, r)
	}
	return b.String()
}

// TestCases ingests each testdata/cases/NAME/input folder into a new database and
// compares the stored accepted and rejected rows, and the summary, with the goldens there.
func TestCases(t *testing.T) {
	if testkit.Update() {
		writeFixtures(t)
	}
	dirs, err := filepath.Glob(filepath.Join("testdata", "cases", "*"))
	if err != nil || len(dirs) == 0 {
		t.Fatalf("no cases: %v", err)
	}
	for _, dir := range dirs {
		t.Run(filepath.Base(dir), func(t *testing.T) {
			db := openDB(t)
			sum, err := Ingest(context.Background(), db, plan.Only(testkit.Builtin(t)), []string{filepath.Join(dir, "input")}, Options{})
			if err != nil {
				t.Fatal(err)
			}
			testkit.Golden(t, filepath.Join(dir, "summary.txt"), summaryText(sum))
			testkit.Golden(t, filepath.Join(dir, "accepted.csv"), testkit.QueryCSV(t, db.DB, acceptedSQL))
			testkit.Golden(t, filepath.Join(dir, "rejected.csv"), testkit.QueryCSV(t, db.DB, rejectedSQL))
			// Nothing is dropped: every row read is accepted or rejected.
			if sum.RowsRead != sum.Accepted+sum.Rejected-wholeFiles(sum) {
				t.Errorf("rows read %d != accepted %d + rejected %d", sum.RowsRead, sum.Accepted, sum.Rejected)
			}
		})
	}
}

func wholeFiles(s *Summary) int64 {
	var n int64
	for _, f := range s.Files {
		for _, r := range s.Rejections {
			if r.File == f.Path && r.Row == 0 {
				n++
			}
		}
	}
	return n
}
