package cli

import (
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io/fs"
	"math"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"plantrack/store"
)

// sqlOptions are the flags of plantrack sql.
type sqlOptions struct {
	db string
}

func newSQLCmd(e *env) *cobra.Command {
	opts := sqlOptions{db: store.DefaultPath}
	cmd := &cobra.Command{
		Use:   "sql [--db FILE] 'SELECT ...'",
		Short: "Run a query and print the result as CSV with a header row",
		Long: `Run a query on the database (opened read-only) and print the result as CSV with a header
row: dates as 2021-07-05, lists as [a, b], NULL as an empty field.`,
		Example: `  plantrack sql 'SELECT unit_name, count(*) FROM submissions GROUP BY ALL ORDER BY 1'
  plantrack sql 'SELECT reason_code, count(*) FROM rejected_rows GROUP BY ALL'`,
		Args: exactArgs(1, "one query"),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runSQL(cmd.Context(), e, opts, args[0])
		},
	}
	cmd.Flags().StringVar(&opts.db, "db", opts.db, "database file")
	return cmd
}

func runSQL(ctx context.Context, e *env, opts sqlOptions, query string) error {
	db, err := openExisting(ctx, opts.db)
	if err != nil {
		return err
	}
	defer db.Close()
	rows, err := db.QueryContext(ctx, query)
	if err != nil {
		return fmt.Errorf("query: %w", err)
	}
	defer rows.Close()
	cols, err := rows.ColumnTypes()
	if err != nil {
		return err
	}
	w := csv.NewWriter(e.stdout)
	header := make([]string, len(cols))
	for i, c := range cols {
		header[i] = c.Name()
	}
	w.Write(header)
	vals := make([]any, len(cols))
	ptrs := make([]any, len(cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	out := make([]string, len(cols))
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			return err
		}
		for i, v := range vals {
			out[i] = sqlText(v, cols[i].DatabaseTypeName())
		}
		w.Write(out)
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("query: %w", err)
	}
	w.Flush()
	return w.Error()
}

// openExisting opens a database that must already exist, read-only.
func openExisting(ctx context.Context, path string) (*store.DB, error) {
	if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("no database at %s: run plantrack ingest (or plantrack demo) first, or pass --db", path)
	}
	return store.OpenReadOnly(ctx, path)
}

// sqlText writes a value as the CSV shows it.
func sqlText(v any, typ string) string {
	switch x := v.(type) {
	case nil:
		return ""
	case time.Time:
		if typ == "DATE" {
			return x.Format("2006-01-02")
		}
		return x.Format("2006-01-02 15:04:05")
	case float64:
		if math.IsInf(x, 0) || math.IsNaN(x) {
			return strconv.FormatFloat(x, 'g', -1, 64)
		}
		return strconv.FormatFloat(x, 'f', -1, 64)
	case float32:
		return strconv.FormatFloat(float64(x), 'f', -1, 32)
	case []byte:
		return string(x)
	case []any:
		parts := make([]string, len(x))
		for i, p := range x {
			parts[i] = sqlText(p, "")
		}
		return "[" + strings.Join(parts, ", ") + "]"
	case fmt.Stringer:
		return x.String()
	}
	return fmt.Sprint(v)
}
