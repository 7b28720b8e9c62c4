package bench

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	_ "github.com/duckdb/duckdb-go/v2"

	"plantrack/store"
	"plantrack/transform"
)

// The references of BenchmarkGoals run in processes of their own: the benchmark starts
// this test binary again with PLANTRACK_BENCH_REF naming the reference and
// PLANTRACK_BENCH_REF_ARGS its arguments (one a line); the binary does that and exits
// before any test runs, its wall time and peak memory measured by the parent as
// plantrack's are.
func init() {
	mode := os.Getenv("PLANTRACK_BENCH_REF")
	if mode == "" {
		return
	}
	if err := runReference(context.Background(), mode, strings.Split(os.Getenv("PLANTRACK_BENCH_REF_ARGS"), "\n")); err != nil {
		fmt.Fprintf(os.Stderr, "reference %s: %v\n", mode, err)
		os.Exit(1)
	}
	os.Exit(0)
}

func runReference(ctx context.Context, mode string, args []string) error {
	switch {
	case mode == "read_csv" && len(args) == 2:
		return refReadCSV(ctx, args[0], args[1])
	case mode == "copy" && len(args) == 2:
		return refCopy(ctx, args[0], args[1])
	}
	return fmt.Errorf("unknown reference or arguments: %q %q", mode, args)
}

// refReadCSV is DuckDB reading a CSV into a table of a new database file, closed: CREATE
// TABLE t AS SELECT * FROM read_csv(…), with extensions neither installed nor loaded
// behind its back (as store.Open), every other setting DuckDB's own.
func refReadCSV(ctx context.Context, dbPath, csv string) error {
	db, err := sql.Open("duckdb", dbPath+"?autoinstall_known_extensions=false&autoload_known_extensions=false")
	if err != nil {
		return err
	}
	res, err := db.ExecContext(ctx, "CREATE TABLE t AS SELECT * FROM read_csv("+sqlString(csv)+", header = true)")
	if err != nil {
		db.Close()
		return err
	}
	if n, err := res.RowsAffected(); err == nil {
		fmt.Printf("%d rows\n", n)
	}
	return db.Close()
}

// refCopy is DuckDB's plain COPY (SELECT * FROM name) TO 'dir/name.parquet' (FORMAT
// parquet) of every relation plantrack export writes (store.Tables, transform.Views), on
// the database opened as plantrack opens it to export (store.OpenReadOnly).
func refCopy(ctx context.Context, dbPath, dir string) error {
	views, err := transform.Views()
	if err != nil {
		return err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	if dir, err = filepath.Abs(dir); err != nil {
		return err
	}
	db, err := store.OpenReadOnly(ctx, dbPath)
	if err != nil {
		return err
	}
	defer db.Close()
	for _, name := range append(slices.Clone(store.Tables), views...) {
		q := "COPY (SELECT * FROM " + name + ") TO " + sqlString(filepath.Join(dir, name+".parquet")) + " (FORMAT parquet)"
		if _, err := db.ExecContext(ctx, q); err != nil {
			return fmt.Errorf("%s: %w", q, err)
		}
		fmt.Println(name)
	}
	return nil
}

func sqlString(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }
