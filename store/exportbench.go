package store

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// ReferenceCopy is the yardstick of export's speed (issue 16): DuckDB's own plain
// COPY (SELECT * FROM NAME) TO 'dir/NAME.parquet' (FORMAT parquet) of each of names, one
// after the other, on one connection, with the database's settings as they are (every
// thread). Nothing is ordered, compressed or written as export writes it, and the files
// are not the same from run to run; it only says how long DuckDB takes to write the same
// relations. The relations parts has are written as DuckDB writes hive-style folders
// itself, the yardstick of export --partition: COPY (SELECT …) TO 'dir/NAME'
// (FORMAT parquet, PARTITION_BY (keys)). It returns the time the statements took (dir is
// made first, not counted).
func (db *DB) ReferenceCopy(ctx context.Context, dir string, names []string, parts map[string]Partitioning) (time.Duration, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return 0, err
	}
	dir, err := filepath.Abs(dir)
	if err != nil {
		return 0, err
	}
	conn, err := db.Conn(ctx)
	if err != nil {
		return 0, err
	}
	defer conn.Close()
	start := time.Now()
	for _, name := range names {
		q := "COPY (SELECT * FROM " + quoteIdent(name) + ") TO " + quoteString(filepath.Join(dir, name+".parquet")) + " (FORMAT parquet)"
		if p, ok := parts[name]; ok {
			var keys []string
			for _, k := range p.Keys {
				keys = append(keys, quoteIdent(k))
			}
			q = "COPY (" + p.Select + ") TO " + quoteString(filepath.Join(dir, name)) + " (FORMAT parquet, PARTITION_BY (" + strings.Join(keys, ", ") + "))"
		}
		if _, err := conn.ExecContext(ctx, q); err != nil {
			return 0, fmt.Errorf("reference copy of %s: %w", name, err)
		}
	}
	return time.Since(start), nil
}
