package ingest

import (
	"context"
	"encoding/csv"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"plantrack/plan"
	"plantrack/store"
)

var update = flag.Bool("update", false, "rewrite golden files and XLSX fixtures under testdata/")

var (
	planOnce sync.Once
	testPlan *plan.Bundle
)

// liaocheng is the built-in plan, registry and assignments.
func liaocheng(t testing.TB) *plan.Bundle {
	planOnce.Do(func() {
		b, err := plan.Builtin()
		if err != nil || b.Problems.Errors() > 0 {
			t.Fatalf("built-in plan: %v %v", err, b.Problems)
		}
		testPlan = b
	})
	return testPlan
}

func openDB(t testing.TB) *store.DB {
	t.Helper()
	db, err := store.Open(context.Background(), filepath.Join(t.TempDir(), "t.duckdb"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// queryCSV runs a query and returns its result as CSV text, for goldens and comparisons.
func queryCSV(t testing.TB, db *store.DB, q string) string {
	t.Helper()
	rows, err := db.Query(q)
	if err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	defer rows.Close()
	cols, _ := rows.Columns()
	var b strings.Builder
	w := csv.NewWriter(&b)
	w.Write(cols)
	vals := make([]any, len(cols))
	ptrs := make([]any, len(cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		rec := make([]string, len(cols))
		for i, v := range vals {
			switch x := v.(type) {
			case nil:
			case time.Time:
				rec[i] = x.Format("2006-01-02")
			case float64:
				rec[i] = strconv.FormatFloat(x, 'f', -1, 64)
			case []any:
				var parts []string
				for _, p := range x {
					parts = append(parts, fmt.Sprint(p))
				}
				rec[i] = "[" + strings.Join(parts, " ") + "]"
			default:
				rec[i] = fmt.Sprint(x)
			}
		}
		w.Write(rec)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	w.Flush()
	return b.String()
}

func golden(t *testing.T, path, got string) {
	t.Helper()
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (go test -update writes it)", err)
	}
	if diff := cmp.Diff(string(want), got); diff != "" {
		t.Errorf("%s (-want +got):\n%s", path, diff)
	}
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
	if *update {
		writeFixtures(t)
	}
	dirs, err := filepath.Glob(filepath.Join("testdata", "cases", "*"))
	if err != nil || len(dirs) == 0 {
		t.Fatalf("no cases: %v", err)
	}
	for _, dir := range dirs {
		t.Run(filepath.Base(dir), func(t *testing.T) {
			db := openDB(t)
			sum, err := Ingest(context.Background(), db, liaocheng(t), []string{filepath.Join(dir, "input")}, Options{})
			if err != nil {
				t.Fatal(err)
			}
			golden(t, filepath.Join(dir, "summary.txt"), summaryText(sum))
			golden(t, filepath.Join(dir, "accepted.csv"), queryCSV(t, db, acceptedSQL))
			golden(t, filepath.Join(dir, "rejected.csv"), queryCSV(t, db, rejectedSQL))
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
