package cli

import (
	"bytes"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"plantrack/internal/testkit"
	"slices"
	"strings"
	"testing"
)

// export --partition writes submissions, reports and assignment_history as hive-style
// folders, one per quarter, that read back (keys from the folder names) as the tables
// are; the other relations stay one file; a second export writes the same bytes, and so
// does a second export without --partition.
func TestExportPartition(t *testing.T) {
	db := filepath.Join(demoOut(t), "plantrack.duckdb")
	pq := filepath.Join(t.TempDir(), "out")
	stdout, stderr, code := run(t, "export", "--db", db, "--out", pq, "--partition")
	if code != ExitOK {
		t.Fatalf("export --partition: %s", stderr)
	}
	for _, want := range []string{"submissions/\t3180 rows\n", "reports/\t3179 rows\n", "assignment_history/\t3200 rows\n", "rejected_rows.parquet\t6 rows\n", "completion_by_unit.parquet\t45 rows\n"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("export output lacks %q:\n%s", want, stdout)
		}
	}
	var files []string
	filepath.WalkDir(pq, func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.Contains(p, "=") {
			rel, _ := filepath.Rel(pq, p)
			files = append(files, filepath.ToSlash(rel))
		}
		return err
	})
	var want []string
	for _, rel := range []string{"assignment_history/plan_year=2021/at_period=2021Q", "reports/plan_year=2021/period=2021Q", "submissions/plan_year=2021/period=2021Q"} {
		for q := '1'; q <= '4'; q++ {
			want = append(want, rel+string(q)+"/data_0.parquet")
		}
	}
	if !slices.Equal(files, want) {
		t.Errorf("partition files %v, want %v", files, want)
	}
	if _, err := os.Stat(filepath.Join(pq, "submissions.parquet")); err == nil {
		t.Error("submissions.parquet written besides submissions/")
	}
	// Read back with hive partitioning: every quarter's rows, the year from the folder.
	glob := filepath.Join(pq, "submissions", "**", "*.parquet")
	back, _, _ := run(t, "sql", "--db", db, `SELECT plan_year, period, count(*) AS n FROM read_parquet('`+glob+`', hive_partitioning = true) GROUP BY ALL ORDER BY ALL`)
	direct, _, _ := run(t, "sql", "--db", db, `SELECT 2021 AS plan_year, period, count(*) AS n FROM submissions GROUP BY ALL ORDER BY ALL`)
	if back != direct || strings.Count(back, "\n") != 5 {
		t.Errorf("read back by quarter:\n%s\nsubmissions:\n%s", back, direct)
	}
	same, _, _ := run(t, "sql", "--db", db, `SELECT count(*) AS differ FROM (
		SELECT unit_id, task_no, period::VARCHAR, status::VARCHAR, progress_pct, submitted_on, source_file, source_row FROM submissions
		EXCEPT ALL SELECT unit_id, task_no, period, status, progress_pct, submitted_on, source_file, source_row FROM read_parquet('`+glob+`', hive_partitioning = true))`)
	if same != "differ\n0\n" {
		t.Errorf("submissions read back: %q", same)
	}
	// Each run opens the database anew: the same bytes in every file, partitioned or not.
	first := testkit.ReadTree(t, pq)
	run(t, "export", "--db", db, "--out", pq, "--partition")
	if again := testkit.ReadTree(t, pq); !maps.EqualFunc(first, again, bytes.Equal) || len(first) < 40 {
		t.Errorf("export --partition is not byte-stable (%d files, then %d)", len(first), len(again))
	}
	plain := filepath.Join(t.TempDir(), "plain")
	run(t, "export", "--db", db, "--out", plain)
	first = testkit.ReadTree(t, plain)
	run(t, "export", "--db", db, "--out", plain)
	if again := testkit.ReadTree(t, plain); !maps.EqualFunc(first, again, bytes.Equal) || len(first) < 30 {
		t.Errorf("export is not byte-stable (%d files, then %d)", len(first), len(again))
	}
}
