package store

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"plantrack/internal/testkit"
	"plantrack/plan"
)

// TestMain lets the test binary stand in for another process holding a database open:
// PLANTRACK_TEST_HOLD=PATH opens PATH for writing, says so on stdout and waits.
func TestMain(m *testing.M) {
	if path := os.Getenv("PLANTRACK_TEST_HOLD"); path != "" {
		db, err := Open(context.Background(), path)
		if err != nil {
			fmt.Println("error:", err)
			os.Exit(1)
		}
		defer db.Close()
		fmt.Println("holding")
		time.Sleep(time.Minute)
		os.Exit(0)
	}
	os.Exit(m.Run())
}

func openTemp(t *testing.T) *DB {
	t.Helper()
	db, err := Open(context.Background(), filepath.Join(t.TempDir(), "t.duckdb"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func count(t *testing.T, db *DB, q string) int {
	t.Helper()
	var n int
	if err := db.QueryRow(q).Scan(&n); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return n
}

func TestOpenErrors(t *testing.T) {
	dir := t.TempDir()
	text := filepath.Join(dir, "notes.txt")
	os.WriteFile(text, []byte("这不是数据库\n"), 0o644)
	for _, c := range []struct {
		name, path string
		readOnly   bool
		want       string
	}{
		{"not a database", text, false, "notes.txt is not a plantrack (DuckDB) database"},
		{"folder missing", filepath.Join(dir, "no", "such", "t.duckdb"), false, "open database"},
		{"read-only, missing", filepath.Join(dir, "none.duckdb"), true, "open database"},
	} {
		t.Run(c.name, func(t *testing.T) {
			open := Open
			if c.readOnly {
				open = OpenReadOnly
			}
			db, err := open(context.Background(), c.path)
			if err == nil {
				db.Close()
				t.Fatal("opened")
			}
			if !strings.Contains(err.Error(), c.want) || errors.Is(err, ErrBusy) {
				t.Errorf("error %q, want it to say %q", err, c.want)
			}
		})
	}
}

// A database another process writes is refused at once, naming that process.
func TestBusy(t *testing.T) {
	path := filepath.Join(t.TempDir(), "t.duckdb")
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), "PLANTRACK_TEST_HOLD="+path)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { cmd.Process.Kill(); cmd.Wait() }()
	buf := make([]byte, 64)
	n, _ := out.Read(buf)
	if got := string(buf[:n]); !strings.HasPrefix(got, "holding") {
		t.Fatalf("holder: %q", got)
	}
	start := time.Now()
	db, err := Open(context.Background(), path)
	if err == nil {
		db.Close()
		t.Fatal("opened a database another process writes")
	}
	if !errors.Is(err, ErrBusy) || !strings.Contains(err.Error(), fmt.Sprintf("pid %d", cmd.Process.Pid)) {
		t.Errorf("error %q: want ErrBusy naming pid %d", err, cmd.Process.Pid)
	}
	if d := time.Since(start); d > 10*time.Second {
		t.Errorf("refused after %v, not at once", d)
	}
}

// rows builds n accepted rows of the built-in plan's first unit on task 1 in 2021Q1.
func rows(t *testing.T, p *plan.Bundle, n int) arrow.RecordBatch {
	t.Helper()
	b := array.NewRecordBuilder(memory.DefaultAllocator, RowSchema)
	defer b.Release()
	u := p.Registry.Units[0]
	for i := range n {
		b.Field(0).(*array.BinaryDictionaryBuilder).AppendString(u.ID)
		b.Field(1).(*array.BinaryDictionaryBuilder).AppendString(u.Name)
		b.Field(2).(*array.Int32Builder).Append(1)
		b.Field(3).(*array.BinaryDictionaryBuilder).AppendString("2021Q1")
		b.Field(4).(*array.BinaryDictionaryBuilder).AppendString(string(plan.StatusInProgress))
		b.Field(5).(*array.Float64Builder).Append(float64(10 + i))
		b.Field(6).(*array.Float64Builder).AppendNull()
		b.Field(7).(*array.StringBuilder).Append(fmt.Sprintf("第%d次", i+1))
		b.Field(8).(*array.StringBuilder).AppendNull()
		b.Field(9).(*array.Date32Builder).Append(arrow.Date32FromTime(time.Date(2021, 4, 2+i, 0, 0, 0, 0, time.UTC)))
		b.Field(10).(*array.ListBuilder).Append(true)
		b.Field(11).(*array.StringBuilder).Append("")
		b.Field(12).(*array.Int32Builder).Append(int32(i + 2))
	}
	return b.NewRecordBatch()
}

// A batch writes rows, file records and rejections, and the catalog, all or nothing.
func TestBatch(t *testing.T) {
	p := testkit.Builtin(t)
	for _, c := range []struct {
		name   string
		commit bool
		// want: submissions, ingest_files, rejected_rows, ingest_batches, units
		want [5]int
	}{
		{"committed", true, [5]int{5, 2, 1, 1, len(p.Registry.Units)}},
		{"rolled back", false, [5]int{0, 0, 0, 0, 0}},
	} {
		t.Run(c.name, func(t *testing.T) {
			db := openTemp(t)
			b, err := db.Begin(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			defer b.Rollback()
			if b.ID != 1 {
				t.Errorf("first batch numbered %d", b.ID)
			}
			if err := b.SaveCatalog(plan.Only(p)); err != nil {
				t.Fatal(err)
			}
			// A small file's rows through the shared INSERT, a big one's through its own.
			if err := b.AddRows([]arrow.RecordBatch{rows(t, p, 2)}, "a.csv", "sha-a"); err != nil {
				t.Fatal(err)
			}
			ch := make(chan arrow.RecordBatch, 1)
			ch <- rows(t, p, 3)
			close(ch)
			if err := b.InsertRows(NewStreamReader(RowSchema, ch), "b.csv", "sha-b", 1); err != nil {
				t.Fatal(err)
			}
			b.AddFile(FileRecord{Path: "a.csv", SHA256: "sha-a", Format: "csv", Encoding: "utf-8", RowsRead: 3, Accepted: 2, Rejected: 1},
				[]Rejection{{File: "a.csv", Row: 4, Column: "完成进度", Value: "120%", Reason: "out of 0–100", ReasonZh: "「完成进度」“120%”超出0–100的范围",
					Code: string(plan.ReasonProgress), Raw: `{"完成进度":"120%"}`}})
			b.AddFile(FileRecord{Path: "b.csv", SHA256: "sha-b", Format: "csv", Encoding: "utf-8", RowsRead: 3, Accepted: 3}, nil)
			if err := b.Flush(); err != nil {
				t.Fatal(err)
			}
			if n, err := b.Superseded(); err != nil || n != 4 {
				t.Errorf("superseded %d, %v; want 4 (five reports on one key)", n, err)
			}
			if c.commit {
				if err := b.Commit(BatchRecord{Files: 2, RowsRead: 6, Accepted: 5, Rejected: 1, Superseded: 4}, nil); err != nil {
					t.Fatal(err)
				}
			} else {
				b.Rollback()
			}
			var got [5]int
			for i, table := range []string{"submissions", "ingest_files", "rejected_rows", "ingest_batches", "units"} {
				got[i] = count(t, db, "SELECT count(*) FROM "+table)
			}
			if got != c.want {
				t.Errorf("rows %v, want %v", got, c.want)
			}
			if !c.commit {
				return
			}
			var zh, lineage string
			db.QueryRow(`SELECT reason_zh FROM rejected_rows`).Scan(&zh)
			db.QueryRow(`SELECT string_agg(x, '; ' ORDER BY x) FROM (SELECT DISTINCT batch_id || ' ' || source_file || ' ' || file_sha256 AS x FROM submissions)`).Scan(&lineage)
			if zh != "「完成进度」“120%”超出0–100的范围" || lineage != "1 a.csv sha-a; 1 b.csv sha-b" {
				t.Errorf("reason_zh %q, lineage %q", zh, lineage)
			}
			// The next batch knows the files and takes the next number.
			next, err := db.Begin(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			defer next.Rollback()
			known, err := next.KnownFiles()
			if err != nil || next.ID != 2 || known["sha-b"] != (KnownFile{Batch: 1, Path: "b.csv"}) {
				t.Errorf("next batch %d, known %v, %v", next.ID, known, err)
			}
		})
	}
}
