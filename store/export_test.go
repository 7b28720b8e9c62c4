package store

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// listDir names what a folder holds, in name order.
func listDir(t *testing.T, dir string) []string {
	t.Helper()
	var out []string
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		out = append(out, e.Name())
	}
	return out
}

// An export that fails (here a view that errors at run time, after two good tables were
// written) leaves the folder as it was: no new .parquet file, no temporary file, an older
// file of the same name untouched, other files kept; a folder it created is gone again.
func TestExportFailsWhole(t *testing.T) {
	db := openTemp(t)
	for _, q := range []string{
		`CREATE TABLE good AS SELECT i, 'r' || i AS v FROM range(1000) t(i)`,
		`CREATE TABLE also_good AS SELECT 1 AS x`,
		`CREATE VIEW bad AS SELECT i, CASE WHEN i = 500 THEN error('boom') ELSE i END AS x FROM range(1000) t(i)`,
	} {
		if _, err := db.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	ctx := context.Background()
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "keep.txt"), []byte("mine"), 0o644)
	os.WriteFile(filepath.Join(dir, "good.parquet"), []byte("an older export"), 0o644)
	var heard []string
	err := db.Export(ctx, dir, []string{"good", "also_good", "bad"}, func(name string, _ int64) { heard = append(heard, name) })
	if err == nil || !strings.Contains(err.Error(), "export bad") || !strings.Contains(err.Error(), "boom") {
		t.Fatalf("err = %v, want export bad: … boom", err)
	}
	if got := listDir(t, dir); !slices.Equal(got, []string{"good.parquet", "keep.txt"}) {
		t.Errorf("folder holds %v after a failed export, want [good.parquet keep.txt]", got)
	}
	if b, _ := os.ReadFile(filepath.Join(dir, "good.parquet")); string(b) != "an older export" {
		t.Errorf("good.parquet was replaced: %d bytes", len(b))
	}
	if len(heard) != 0 {
		t.Errorf("done heard %v of a failed export", heard)
	}

	// Into folders that do not exist yet: they are made, and taken away again.
	base := t.TempDir()
	nested := filepath.Join(base, "out", "2021Q2")
	if err := db.Export(ctx, nested, []string{"good", "bad"}, nil); err == nil {
		t.Fatal("no error")
	}
	if got := listDir(t, base); len(got) != 0 {
		t.Errorf("%s holds %v after a failed export", base, got)
	}

	// A good export puts every file in place, readable by others, and nothing else.
	if err := db.Export(ctx, dir, []string{"good", "also_good"}, func(name string, n int64) {
		heard = append(heard, name+":"+strings.Repeat("x", int(min(n, 3))))
	}); err != nil {
		t.Fatal(err)
	}
	if got := listDir(t, dir); !slices.Equal(got, []string{"also_good.parquet", "good.parquet", "keep.txt"}) {
		t.Errorf("folder holds %v", got)
	}
	if !slices.Equal(heard, []string{"good:xxx", "also_good:x"}) {
		t.Errorf("done heard %v", heard)
	}
	st, err := os.Stat(filepath.Join(dir, "good.parquet"))
	if err != nil || st.Mode().Perm() != 0o644 {
		t.Errorf("good.parquet: %v, mode %v", err, st.Mode())
	}
	if n := count(t, db, "SELECT count(*) FROM read_parquet('"+filepath.Join(dir, "good.parquet")+"')"); n != 1000 {
		t.Errorf("good.parquet holds %d rows", n)
	}
}

// An export of a table that is not there, or a cancelled one (Ctrl-C), leaves nothing
// either: not the file written before the failure, nor the folder.
func TestExportMissingOrCancelled(t *testing.T) {
	db := openTemp(t)
	if _, err := db.Exec(`CREATE TABLE good AS SELECT 1 AS x`); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	base := t.TempDir()
	dir := filepath.Join(base, "new")
	var done []string
	err := db.Export(ctx, dir, []string{"good", "no_such_table"}, func(name string, _ int64) { done = append(done, name) })
	if err == nil {
		t.Fatal("no error for a missing table")
	}
	cancel()
	if err := db.Export(ctx, dir, []string{"good"}, nil); err == nil {
		t.Fatal("no error when cancelled")
	}
	if got := listDir(t, base); len(got) != 0 || len(done) != 0 {
		t.Errorf("%s holds %v, done heard %v", base, got, done)
	}
}
