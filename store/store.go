// Package store opens plantrack's DuckDB database: one file, the tables of the database
// contract (schema.sql), and the settings every connection needs on an offline intranet.
package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	_ "embed"
	"errors"
	"fmt"
	"io"
	"net/url"
	"regexp"
	"strings"

	"github.com/duckdb/duckdb-go/v2"
)

//go:embed schema.sql
var schema string

// DefaultPath is the database used when --db is not given.
const DefaultPath = "plantrack.duckdb"

// DB is an open plantrack database.
type DB struct {
	*sql.DB
	Path string
	// Connector opens driver connections, for work that needs one connection throughout
	// (a batch's transaction) or DuckDB's Arrow interface.
	Connector *duckdb.Connector
}

// ErrBusy means another process holds the database open for writing.
var ErrBusy = errors.New("database is in use")

var lockRE = regexp.MustCompile(`(?i)could not set lock on file|conflicting lock|database is locked`)
var pidRE = regexp.MustCompile(`PID (\d+)`)

// Open opens (creating if needed) the database at path, read-write, and applies the schema.
// A database another process is writing gives ErrBusy at once: DuckDB allows one writer.
func Open(ctx context.Context, path string) (*DB, error) {
	return open(ctx, path, false)
}

// OpenReadOnly opens an existing database for queries.
func OpenReadOnly(ctx context.Context, path string) (*DB, error) {
	return open(ctx, path, true)
}

func open(ctx context.Context, path string, readOnly bool) (*DB, error) {
	q := url.Values{}
	// Extensions cannot be downloaded on an intranet: the ones plantrack uses (parquet,
	// json, icu) are built in, and anything else must fail clearly, not try the network.
	q.Set("autoinstall_known_extensions", "false")
	q.Set("autoload_known_extensions", "false")
	q.Set("preserve_insertion_order", "false")
	// DuckDB would take 80% of the machine by default; a batch job shares it.
	q.Set("memory_limit", "1GB")
	if readOnly {
		q.Set("access_mode", "READ_ONLY")
	}
	connector, err := duckdb.NewConnector(path+"?"+q.Encode(), nil)
	if err != nil {
		return nil, openError(path, err)
	}
	db := sql.OpenDB(connector)
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, openError(path, err)
	}
	if !readOnly {
		if _, err := db.ExecContext(ctx, schema); err != nil {
			db.Close()
			return nil, fmt.Errorf("create tables in %s: %w", path, err)
		}
	}
	return &DB{DB: db, Path: path, Connector: connector}, nil
}

func openError(path string, err error) error {
	msg := err.Error()
	if lockRE.MatchString(msg) {
		holder := "another process"
		if m := pidRE.FindStringSubmatch(msg); m != nil {
			holder = "another process (pid " + m[1] + ")"
		}
		return fmt.Errorf("%s: %w: %s has it open for writing; try again when it has finished", path, ErrBusy, holder)
	}
	if strings.Contains(msg, "not a valid DuckDB database file") {
		return fmt.Errorf("%s is not a plantrack (DuckDB) database", path)
	}
	return fmt.Errorf("open database %s: %w", path, err)
}

// connQuery runs a query on one driver connection (a batch's transaction, an export's
// settings) and returns its rows: work that needs a single connection throughout cannot
// go through database/sql's pool.
func connQuery(ctx context.Context, c driver.Conn, q string, args []driver.NamedValue) ([][]driver.Value, error) {
	rows, err := c.(driver.QueryerContext).QueryContext(ctx, q, args)
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
