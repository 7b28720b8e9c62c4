package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
)

// Tables are the fact and catalog tables of the contract, in the order export writes them
// (before the metric views).
var Tables = []string{"plans", "plan_sources", "sections", "tasks", "carried_tasks", "units", "assignments", "ingest_batches", "ingest_files", "submissions", "rejected_rows", "review_batches", "reviews", "editions", "edition_figures"}

// Partitioning is how export --partition writes a relation: as a folder NAME/ of
// hive-style folders, one per value of the keys (NAME/plan_year=2021/period=2021Q2/),
// each holding data_0.parquet, the relation's rows with that value without the key
// columns (a reader takes them from the folder names), in ORDER BY ALL order.
type Partitioning struct {
	Select string   // the relation with its keys as columns
	Keys   []string // the key columns, outermost folder first
}

// Partitioned are the relations export --partition writes as folders: the facts keyed by
// a quarter of a plan year. submissions has no plan_year: it is the year of the period.
// The other relations stay one file each (rejected_rows has no period; the metric views
// are at one period).
var Partitioned = map[string]Partitioning{
	"submissions":        {Select: `SELECT *, CAST(left(period::VARCHAR, 4) AS INTEGER) AS plan_year FROM submissions`, Keys: []string{"plan_year", "period"}},
	"reports":            {Select: `SELECT * FROM reports`, Keys: []string{"plan_year", "period"}},
	"assignment_history": {Select: `SELECT * FROM assignment_history`, Keys: []string{"plan_year", "at_period"}},
}

// copyOptions are the Parquet writer's settings, all fixed so that the same rows give the
// same bytes: zstd, row groups of 122,880 rows (DuckDB's own row group), format version 1.
// DuckDB writes row groups in the query's order, in parallel, and embeds no time; its
// created_by names its version, so a DuckDB upgrade may change the bytes.
const copyOptions = "FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE 122880, PARQUET_VERSION V1"

// Export writes each table or view of names to dir/NAME.parquet, rows in a fixed order
// (ORDER BY ALL), so the same database gives the same files. DuckDB writes them itself
// (COPY … TO … (FORMAT parquet)), in parallel, sorting and spilling within its memory
// limit. done, when set, hears each file's name and rows once every file is in place.
//
// An export is whole or nothing: the files are written into a temporary folder in dir
// (.plantrack-export-*.tmp) and moved to dir only when every one has been written. On any
// failure (a view that errors, a full disk, Ctrl-C) the temporary folder is removed, and
// so are the folders the export created: dir is left as it was, older files included.
func (db *DB) Export(ctx context.Context, dir string, names []string, done func(name string, rows int64)) error {
	return db.ExportPartitioned(ctx, dir, names, nil, done)
}

// ExportPartitioned is Export, but the relations of names that parts has (see Partitioned)
// are written as folders dir/NAME/KEY=VALUE/…/data_0.parquet, hive-style, the form Spark,
// Trino and DuckDB read as one table (DuckDB: read_parquet('NAME/**/*.parquet',
// hive_partitioning = true)). Such a folder replaces an older dir/NAME as a whole; done
// hears its rows in all.
func (db *DB) ExportPartitioned(ctx context.Context, dir string, names []string, parts map[string]Partitioning, done func(name string, rows int64)) (err error) {
	made, err := mkdirAll(dir)
	if err != nil {
		return err
	}
	var tmp string
	var placed []string   // new files and folders put in place
	var moved [][2]string // older ones moved aside: {where it was, where it is now}
	defer func() {
		if err == nil {
			return
		}
		for _, p := range placed {
			os.RemoveAll(p)
		}
		for _, m := range slices.Backward(moved) {
			os.Rename(m[1], m[0])
		}
		if tmp != "" {
			os.RemoveAll(tmp)
		}
		for i := len(made) - 1; i >= 0; i-- {
			os.Remove(made[i]) // only if empty: nothing of anyone else's goes
		}
	}()
	if tmp, err = os.MkdirTemp(dir, ".plantrack-export-*.tmp"); err != nil {
		return err
	}
	// DuckDB reads a path starting with ~ as the home folder, and one with a scheme
	// (s3://) as remote: give it absolute paths.
	if tmp, err = filepath.Abs(tmp); err != nil {
		return err
	}
	conn, err := db.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	counts := make([]int64, len(names))
	for i, name := range names {
		var n int64
		if p, ok := parts[name]; ok {
			n, err = copyPartitioned(ctx, conn, p, filepath.Join(tmp, name))
		} else {
			n, err = copyParquet(ctx, conn, "SELECT * FROM "+quoteIdent(name), filepath.Join(tmp, name+".parquet"))
		}
		if err != nil {
			return fmt.Errorf("export %s: %w", name, err)
		}
		counts[i] = n
	}
	// Every file is written: put them in place. What is there already is kept aside, in
	// the temporary folder, and put back should a later step fail: an older file is
	// linked there and replaced in one rename (readers see the old file or the new); an
	// older folder is moved there first (a folder cannot be renamed over one that holds
	// files).
	for _, name := range names {
		base := name + ".parquet"
		if _, ok := parts[name]; ok {
			base = name
		}
		from, to := filepath.Join(tmp, base), filepath.Join(dir, base)
		if st, err := os.Lstat(to); err == nil {
			aside := filepath.Join(tmp, ".older-"+base)
			if !st.Mode().IsRegular() || os.Link(to, aside) != nil {
				if err := os.Rename(to, aside); err != nil {
					return fmt.Errorf("export %s: %w", name, err)
				}
			}
			moved = append(moved, [2]string{to, aside})
		} else if !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("export %s: %w", name, err)
		}
		if err := os.Rename(from, to); err != nil {
			return fmt.Errorf("export %s: %w", name, err)
		}
		placed = append(placed, to)
	}
	// In place: from here nothing is undone.
	placed, moved = nil, nil
	if err := os.RemoveAll(tmp); err != nil { // the older files moved aside with it
		return fmt.Errorf("export: every file is in place, but: %w", err)
	}
	if done != nil {
		for i, name := range names {
			done(name, counts[i])
		}
	}
	return nil
}

// copyParquet writes the rows of query, ORDER BY ALL, to a new Parquet file at path and
// returns how many there were.
func copyParquet(ctx context.Context, conn *sql.Conn, query, path string) (int64, error) {
	res, err := conn.ExecContext(ctx, "COPY ("+query+" ORDER BY ALL) TO "+quoteString(path)+" ("+copyOptions+")")
	if err != nil {
		return 0, err
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, err
	}
	return n, syncFile(path)
}

// syncFile makes a file DuckDB wrote readable by others (0644) and durable.
func syncFile(path string) error {
	if err := os.Chmod(path, 0o644); err != nil {
		return err
	}
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	err = f.Sync()
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

// hiveValue is what a key value may be to name a folder as it is (KEY=VALUE): years and
// quarters, nothing a reader would need to unescape.
var hiveValue = regexp.MustCompile(`^[0-9A-Za-z_.-]+$`)

// copyPartitioned writes the relation p into folder, one Parquet file for each value of
// its keys, and returns its rows in all. DuckDB's own PARTITION_BY writes rows in no fixed
// order (its files differ run to run), so each folder's file is a COPY of its own, in
// ORDER BY ALL order like an unpartitioned export.
func copyPartitioned(ctx context.Context, conn *sql.Conn, p Partitioning, folder string) (int64, error) {
	var keys []string
	for _, k := range p.Keys {
		keys = append(keys, quoteIdent(k)+"::VARCHAR")
	}
	list := strings.Join(keys, ", ")
	rows, err := conn.QueryContext(ctx, "SELECT DISTINCT "+list+" FROM ("+p.Select+") ORDER BY ALL")
	if err != nil {
		return 0, err
	}
	var values [][]sql.NullString
	for rows.Next() {
		v := make([]sql.NullString, len(p.Keys))
		ptrs := make([]any, len(v))
		for i := range v {
			ptrs[i] = &v[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			rows.Close()
			return 0, err
		}
		values = append(values, v)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, err
	}
	if err := os.Mkdir(folder, 0o755); err != nil {
		return 0, err
	}
	var excluded []string
	for _, k := range p.Keys {
		excluded = append(excluded, quoteIdent(k))
	}
	var total int64
	for _, v := range values {
		dir, where := folder, make([]string, len(v))
		for i, k := range p.Keys {
			if !v[i].Valid || !hiveValue.MatchString(v[i].String) {
				return total, fmt.Errorf("partition key %s: cannot name a folder after %q", k, v[i].String)
			}
			dir = filepath.Join(dir, k+"="+v[i].String)
			// The literal takes the key's type (INTEGER, the period enum), so DuckDB can
			// skip the row groups of other values.
			where[i] = quoteIdent(k) + " = " + quoteString(v[i].String)
		}
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return total, err
		}
		q := "SELECT * EXCLUDE (" + strings.Join(excluded, ", ") + ") FROM (" + p.Select + ") WHERE " + strings.Join(where, " AND ")
		n, err := copyParquet(ctx, conn, q, filepath.Join(dir, "data_0.parquet"))
		if err != nil {
			return total, err
		}
		total += n
	}
	return total, nil
}

// quoteString writes s as an SQL string literal.
func quoteString(s string) string {
	return "'" + strings.ReplaceAll(s, "'", "''") + "'"
}

// quoteIdent writes s as an SQL identifier.
func quoteIdent(s string) string {
	return `"` + strings.ReplaceAll(s, `"`, `""`) + `"`
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
