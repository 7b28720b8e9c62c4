package cli

import (
	"context"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/parquet"
	"github.com/apache/arrow-go/v18/parquet/compress"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"
	"github.com/duckdb/duckdb-go/v2"
	"github.com/spf13/cobra"

	"plantrack/store"
	"plantrack/transform"
)

// exportTables are the fact and catalog tables written by export, before the views.
var exportTables = []string{"plan", "sections", "tasks", "units", "assignments", "ingest_batches", "ingest_files", "submissions", "rejected_rows"}

func newExportCmd(e *env) *cobra.Command {
	var dbPath, out string
	cmd := &cobra.Command{
		Use:   "export [--db FILE] --out DIR",
		Short: "Write every table and metric view as Parquet files",
		Long: `Write the fact tables (submissions, rejected_rows, …), the catalog tables and every
metric view (at the latest period) to DIR/NAME.parquet, through Arrow, rows in a fixed
order so the same database gives the same files.`,
		Args: exactArgs(0, "no arguments (the folder is --out)"),
		RunE: func(cmd *cobra.Command, _ []string) error {
			if out == "" {
				return usageErrorf("--out DIR is required")
			}
			db, err := openExisting(cmd, dbPath)
			if err != nil {
				return err
			}
			defer db.Close()
			views, err := transform.Views()
			if err != nil {
				return err
			}
			if err := os.MkdirAll(out, 0o755); err != nil {
				return err
			}
			conn, err := db.Connector.Connect(cmd.Context())
			if err != nil {
				return err
			}
			defer conn.Close()
			ar, err := duckdb.NewArrowFromConn(conn)
			if err != nil {
				return err
			}
			// The Parquet writer holds a row group's batches too: leave it room.
			if _, err := conn.(driver.ExecerContext).ExecContext(cmd.Context(), "SET memory_limit = '768MB'", nil); err != nil {
				return err
			}
			for _, name := range append(append([]string{}, exportTables...), views...) {
				n, err := exportParquet(cmd.Context(), conn, ar, name, filepath.Join(out, name+".parquet"))
				if err != nil {
					return fmt.Errorf("export %s: %w", name, err)
				}
				fmt.Fprintf(e.stdout, "%s.parquet\t%d rows\n", name, n)
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&dbPath, "db", store.DefaultPath, "database file")
	cmd.Flags().StringVar(&out, "out", "", "folder for the Parquet files")
	return cmd
}

// sliceRows bounds what one query returns. duckdb-go takes a query's whole result from
// DuckDB before handing over the first batch, outside DuckDB's memory limit: a table of
// millions of rows is read in slices of its leading columns' values, in order, each
// slice its own query, so the file is the same as one ORDER BY ALL would give.
const sliceRows = 1 << 17

// exportParquet streams one table or view, in a fixed row order, into a Parquet file.
func exportParquet(ctx context.Context, conn driver.Conn, ar *duckdb.Arrow, name, path string) (int64, error) {
	queries, err := sliceQueries(ctx, conn, name)
	if err != nil {
		return 0, err
	}
	f, err := os.Create(path)
	if err != nil {
		return 0, err
	}
	defer f.Close()
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
// table; for a big one, one per slice of about sliceRows rows, cut between values of its
// first two columns (the order's leading keys) and numbered in a temporary table.
func sliceQueries(ctx context.Context, conn driver.Conn, name string) ([]query, error) {
	whole := []query{{sql: "SELECT * FROM " + name + " ORDER BY ALL"}}
	rows, err := driverQuery(ctx, conn, "SELECT count(*) FROM "+name)
	if err != nil {
		return nil, err
	}
	if rows[0][0].(int64) <= sliceRows {
		return whole, nil
	}
	cols, err := driverQuery(ctx, conn, "SELECT column_name FROM (DESCRIBE SELECT * FROM "+name+")")
	if err != nil {
		return nil, err
	}
	var keys []string
	for _, c := range cols[:min(2, len(cols))] {
		keys = append(keys, `"`+strings.ReplaceAll(c[0].(string), `"`, `""`)+`"`)
	}
	k := strings.Join(keys, ", ")
	// Each run of key values gets the slice number of the rows before it: rows of one
	// key value stay in one slice, and slices follow the sort order (NULLs last).
	_, err = conn.(driver.ExecerContext).ExecContext(ctx, fmt.Sprintf(`CREATE OR REPLACE TEMP TABLE plantrack_slices AS
		SELECT %[1]s, (sum(n) OVER (ORDER BY %[1]s ROWS UNBOUNDED PRECEDING) - n) // %[3]d AS slice
		FROM (SELECT %[1]s, count(*) AS n FROM %[2]s GROUP BY ALL)`, k, name, sliceRows), nil)
	if err != nil {
		return nil, err
	}
	var on []string
	for _, c := range keys {
		on = append(on, "t."+c+" IS NOT DISTINCT FROM s."+c)
	}
	n, err := driverQuery(ctx, conn, "SELECT DISTINCT slice FROM plantrack_slices ORDER BY slice")
	if err != nil {
		return nil, err
	}
	var out []query
	for _, r := range n {
		out = append(out, query{sql: fmt.Sprintf("SELECT t.* FROM %s t SEMI JOIN (SELECT * FROM plantrack_slices WHERE slice = ?) s ON %s ORDER BY ALL",
			name, strings.Join(on, " AND ")), args: []any{r[0]}})
	}
	return out, nil
}

// driverQuery runs a query on conn and returns its rows.
func driverQuery(ctx context.Context, conn driver.Conn, q string) ([][]driver.Value, error) {
	rows, err := conn.(driver.QueryerContext).QueryContext(ctx, q, nil)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out [][]driver.Value
	for {
		vals := make([]driver.Value, len(rows.Columns()))
		if err := rows.Next(vals); err != nil {
			if errors.Is(err, io.EOF) {
				return out, nil
			}
			return nil, err
		}
		out = append(out, vals)
	}
}
