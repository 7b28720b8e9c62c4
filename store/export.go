package store

import (
	"context"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/parquet"
	"github.com/apache/arrow-go/v18/parquet/compress"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"
	"github.com/duckdb/duckdb-go/v2"
)

// Tables are the fact and catalog tables of the contract, in the order export writes them
// (before the metric views).
var Tables = []string{"plans", "plan_sources", "sections", "tasks", "carried_tasks", "units", "assignments", "ingest_batches", "ingest_files", "submissions", "rejected_rows"}

// Export writes each table or view of names to dir/NAME.parquet, through Arrow, rows in a
// fixed order (ORDER BY ALL), so the same database gives the same files. done, when set,
// hears each file's name and rows once every file is in place.
//
// An export is whole or nothing: each file is written to a temporary file in dir
// (.NAME.parquet.*.tmp) and renamed to NAME.parquet only when every file has been written.
// On any failure (a view that errors, a full disk, Ctrl-C) every temporary file is removed,
// and so are the folders the export created: dir is left as it was, older files included.
func (db *DB) Export(ctx context.Context, dir string, names []string, done func(name string, rows int64)) (err error) {
	made, err := mkdirAll(dir)
	if err != nil {
		return err
	}
	var temps, placed []string // temporary files not yet renamed; new files put in place
	defer func() {
		if err == nil {
			return
		}
		for _, p := range append(temps, placed...) {
			os.Remove(p)
		}
		for i := len(made) - 1; i >= 0; i-- {
			os.Remove(made[i]) // only if empty: nothing of anyone else's goes
		}
	}()
	conn, err := db.Connector.Connect(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	ar, err := duckdb.NewArrowFromConn(conn)
	if err != nil {
		return err
	}
	// The Parquet writer holds a row group's batches too: leave it room. Big tables are
	// read back in row id order from a sorted copy (see sliceQueries).
	for _, set := range []string{"SET memory_limit = '768MB'", "SET preserve_insertion_order = true"} {
		if _, err := conn.(driver.ExecerContext).ExecContext(ctx, set, nil); err != nil {
			return err
		}
	}
	counts := make([]int64, len(names))
	for i, name := range names {
		f, err := os.CreateTemp(dir, "."+name+".parquet.*.tmp")
		if err != nil {
			return fmt.Errorf("export %s: %w", name, err)
		}
		temps = append(temps, f.Name())
		n, err := exportParquet(ctx, conn, ar, name, f)
		if err == nil {
			err = f.Chmod(0o644) // CreateTemp makes 0600; the files are for other tools
		}
		if err == nil {
			err = f.Sync()
		}
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return fmt.Errorf("export %s: %w", name, err)
		}
		counts[i] = n
	}
	// Every file is written: put them in place.
	for _, name := range names {
		path := filepath.Join(dir, name+".parquet")
		_, statErr := os.Lstat(path)
		if err := os.Rename(temps[0], path); err != nil {
			return fmt.Errorf("export %s: %w", name, err)
		}
		temps = temps[1:]
		if errors.Is(statErr, fs.ErrNotExist) {
			placed = append(placed, path) // new: taken away again should a later rename fail
		}
	}
	if done != nil {
		for i, name := range names {
			done(name, counts[i])
		}
	}
	return nil
}

// mkdirAll makes dir and any missing parent, like os.MkdirAll, and returns the folders it
// made, outermost first, so a failed export can take them away again.
func mkdirAll(dir string) ([]string, error) {
	var missing []string
	for d := filepath.Clean(dir); ; d = filepath.Dir(d) {
		if _, err := os.Stat(d); err == nil || !errors.Is(err, fs.ErrNotExist) {
			break
		}
		missing = append(missing, d)
		if filepath.Dir(d) == d {
			break
		}
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	slices.Reverse(missing)
	return missing, nil
}

// sliceRows bounds what one query returns. duckdb-go takes a query's whole result from
// DuckDB before handing over the first batch, outside DuckDB's memory limit: a table of
// millions of rows is sorted once into a temporary table (DuckDB's own storage, which
// spills to disk) and read back in slices of rows, in order.
var sliceRows int64 = 1 << 17 // a variable for the tests

// exportParquet streams one table or view, in a fixed row order, into a Parquet file f
// (which the caller closes).
func exportParquet(ctx context.Context, conn driver.Conn, ar *duckdb.Arrow, name string, f io.Writer) (int64, error) {
	queries, err := sliceQueries(ctx, conn, name)
	if err != nil {
		return 0, err
	}
	f = struct{ io.Writer }{f} // the Parquet writer would close a Closer; the caller syncs it first
	var w *pqarrow.FileWriter
	// A row group's statistics point into the batches it was written from, and the
	// reader frees a batch when it moves on: keep the batches of the open row group
	// alive until the group is closed.
	var n, inGroup int64
	var held []arrow.RecordBatch
	releaseHeld := func() {
		for _, r := range held {
			r.Release()
		}
		held = held[:0]
	}
	defer releaseHeld()
	for _, q := range queries {
		rr, err := ar.QueryContext(ctx, q.sql, q.args...)
		if err != nil {
			return n, err
		}
		if w == nil {
			props := parquet.NewWriterProperties(parquet.WithCompression(compress.Codecs.Zstd), parquet.WithCreatedBy("plantrack"))
			if w, err = pqarrow.NewFileWriter(rr.Schema(), f, props, pqarrow.NewArrowWriterProperties(pqarrow.WithStoreSchema())); err != nil {
				rr.Release()
				return n, err
			}
		}
		for rr.Next() {
			rec := rr.RecordBatch()
			rec.Retain()
			held = append(held, rec)
			if err := w.WriteBuffered(rec); err != nil {
				rr.Release()
				w.Close()
				return n, err
			}
			n += rec.NumRows()
			if inGroup += rec.NumRows(); inGroup >= 1<<16 {
				w.NewBufferedRowGroup() // closes the full group
				releaseHeld()
				inGroup = 0
			}
		}
		err = rr.Err()
		rr.Release()
		if err != nil {
			w.Close()
			return n, err
		}
	}
	return n, w.Close()
}

type query struct {
	sql  string
	args []any
}

// sliceQueries returns the queries that read name in ORDER BY ALL order: one for a small
// table; for a big one, one per slice of sliceRows rows of the sorted temporary table
// plantrack_sorted (the connection preserves insertion order, so row ids follow the sort).
func sliceQueries(ctx context.Context, conn driver.Conn, name string) ([]query, error) {
	rows, err := connQuery(ctx, conn, "SELECT count(*) FROM "+name, nil)
	if err != nil {
		return nil, err
	}
	n := rows[0][0].(int64)
	if n <= sliceRows {
		return []query{{sql: "SELECT * FROM " + name + " ORDER BY ALL"}}, nil
	}
	_, err = conn.(driver.ExecerContext).ExecContext(ctx, "CREATE OR REPLACE TEMP TABLE plantrack_sorted AS SELECT * FROM "+name+" ORDER BY ALL", nil)
	if err != nil {
		return nil, err
	}
	var out []query
	for lo := int64(0); lo < n; lo += sliceRows {
		out = append(out, query{sql: "SELECT * FROM plantrack_sorted WHERE rowid >= ? AND rowid < ? ORDER BY rowid", args: []any{lo, lo + sliceRows}})
	}
	return out, nil
}
