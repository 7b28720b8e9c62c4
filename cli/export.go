package cli

import (
	"context"
	"database/sql/driver"
	"fmt"
	"os"
	"path/filepath"

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
				n, err := exportParquet(cmd.Context(), ar, name, filepath.Join(out, name+".parquet"))
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

// exportParquet streams one table or view, in a fixed row order, into a Parquet file.
func exportParquet(ctx context.Context, ar *duckdb.Arrow, name, path string) (int64, error) {
	rr, err := ar.QueryContext(ctx, "SELECT * FROM "+name+" ORDER BY ALL")
	if err != nil {
		return 0, err
	}
	defer rr.Release()
	f, err := os.Create(path)
	if err != nil {
		return 0, err
	}
	props := parquet.NewWriterProperties(parquet.WithCompression(compress.Codecs.Zstd), parquet.WithCreatedBy("plantrack"))
	w, err := pqarrow.NewFileWriter(rr.Schema(), f, props, pqarrow.NewArrowWriterProperties(pqarrow.WithStoreSchema()))
	if err != nil {
		f.Close()
		return 0, err
	}
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
	for rr.Next() {
		rec := rr.RecordBatch()
		rec.Retain()
		held = append(held, rec)
		if err := w.WriteBuffered(rec); err != nil {
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
	if err := rr.Err(); err != nil {
		w.Close()
		return n, err
	}
	return n, w.Close()
}
