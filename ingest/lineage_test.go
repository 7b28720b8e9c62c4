package ingest

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"plantrack/internal/testkit"
	"plantrack/plan"
)

// Every stored row names the content of the file it came from: its file_sha256 is the
// one ingest_files records for its file, CSV (hashed while it is read) included.
func TestRowsKeepTheirFileHash(t *testing.T) {
	dir := t.TempDir()
	// CSV files large enough that the reader is still going when the rows are stored.
	for i, unit := range []string{"东阿县", "冠县", "莘县"} {
		var b strings.Builder
		b.WriteString("填报单位,报告期,任务序号,完成状态,完成进度,填报日期\n")
		for r := range 20000 {
			fmt.Fprintf(&b, "%s,2021Q%d,%d,推进中,%d,2021-07-05\n", unit, 1+r%4, 1+r%31, r%100)
		}
		if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("%d.csv", i)), []byte(b.String()), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	db := openDB(t)
	paths := []string{dir}
	cases, _ := filepath.Glob(filepath.Join("testdata", "cases", "*", "input"))
	paths = append(paths, cases...)
	if _, err := Ingest(context.Background(), db, plan.Only(testkit.Builtin(t)), paths, Options{}); err != nil {
		t.Fatal(err)
	}
	for _, table := range []string{"submissions", "rejected_rows"} {
		got := testkit.QueryCSV(t, db.DB, `SELECT count(*) AS rows, count(*) FILTER (WHERE x.file_sha256 <> f.file_sha256) AS wrong
			FROM `+table+` x JOIN ingest_files f USING (batch_id, source_file)`)
		if !strings.HasSuffix(got, ",0\n") || strings.HasSuffix(got, "\n0,0\n") {
			t.Errorf("%s: rows with another file's hash:\n%s", table, got)
		}
	}
}
