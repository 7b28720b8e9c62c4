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
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

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
	// DuckDB would take 80% of the machine by default; a batch job shares it. A process
	// holds more than DuckDB's limit: what DuckDB allocates beside its buffers (a window's
	// state: 150 MB when a province's 8M reports are built) and Go's own heap. 900 MB keeps
	// that build at 1.0 GB, not 1.16–1.18 GB with a limit of 1 GB, at the same speed.
	q.Set("memory_limit", "900MB")
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
		if err := migrate(ctx, db); err != nil {
			db.Close()
			return nil, fmt.Errorf("%s: %w", path, err)
		}
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

// Shown is a path or value from a file as plantrack prints it in line-oriented output
// (rejections, ingest's summary, error messages): as it is when it prints as itself on one
// line, else quoted like a Go string ("a\nb.csv"), so that a file name holding a newline,
// a carriage return, a terminal escape (ESC) or a bidi override cannot forge or hide a
// line. A name starting with a double quote is quoted too, so a quoted name is never
// mistaken for a plain one. Ordinary names, Chinese or not, print unchanged.
func Shown(s string) string {
	if !strings.HasPrefix(s, `"`) && strings.IndexFunc(s, unsafeRune) < 0 && utf8.ValidString(s) {
		return s
	}
	return strconv.Quote(s)
}

// ShownText is prose that may hold values from a file (a reason, a note), as plantrack
// prints it on one line: every character Shown would quote a name for is written as its
// escape (\n, \x1b, \u202e; a byte that is not UTF-8 as \xff), the rest unchanged.
func ShownText(s string) string {
	if strings.IndexFunc(s, unsafeRune) < 0 && utf8.ValidString(s) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && n == 1:
			fmt.Fprintf(&b, `\x%02x`, s[i])
		case unsafeRune(r):
			q := strconv.QuoteRune(r)
			b.WriteString(q[1 : len(q)-1])
		default:
			b.WriteString(s[i : i+n])
		}
		i += n
	}
	return b.String()
}

// unsafeRune is a character that does not print as itself on one line of a terminal: a
// control character (C0, DEL, C1: newline, carriage return, ESC, …), a format character
// (bidi overrides and isolates, zero-width characters) or a line or paragraph separator.
func unsafeRune(r rune) bool {
	return unicode.IsControl(r) || unicode.Is(unicode.Cf, r) || unicode.In(r, unicode.Zl, unicode.Zp)
}
