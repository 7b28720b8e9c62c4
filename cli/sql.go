package cli

import (
	"context"
	"database/sql"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"math"
	"math/big"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/duckdb/duckdb-go/v2"
	"github.com/spf13/cobra"

	"plantrack/reports"
	"plantrack/store"
)

// sqlOptions are the flags of plantrack sql.
type sqlOptions struct {
	db    string
	excel bool
}

func newSQLCmd(e *env) *cobra.Command {
	opts := sqlOptions{db: store.DefaultPath}
	cmd := &cobra.Command{
		Use:   "sql [--db FILE] [--excel] 'SELECT ...'",
		Short: "Run a query and print the result as CSV with a header row",
		Long: `Run a query on the database (opened read-only) and print the result as CSV with a header
row, every value as DuckDB writes it (its own CLI, CAST(x AS VARCHAR)): dates as 2021-07-05,
timestamps as 2021-07-05 12:00:00, TIME as 12:34:56, INTERVAL as 1 month 2 days 00:00:03,
infinite dates as infinity and -infinity, UUIDs, DECIMAL and HUGEINT exactly, BLOB as \xAA,
lists as [a, b], structs as {'a': 1}, maps as {k=v}; numbers as numbers (floats in their
shortest exact form: 0.5, 2); NULL as an empty field. PRAGMA, SHOW, DESCRIBE, SUMMARIZE
and EXPLAIN work too.

The output is for tools (scripts, checks, other programs) and is exact: every value is
printed verbatim, a note beginning with = or - included. It is not meant to be opened in
Excel or WPS as it is, where such a value would run as a formula. For a spreadsheet, pass
--excel: text values beginning with = + - @, a tab or a carriage return get a leading '
(OWASP's rule against CSV injection; numbers and dates are left alone), and the file starts
with a UTF-8 byte order mark so Excel reads the Chinese right.`,
		Example: `  plantrack sql 'SELECT unit_name, count(*) FROM submissions GROUP BY ALL ORDER BY 1'
  plantrack sql 'SELECT reason_code, count(*) FROM rejected_rows GROUP BY ALL'
  plantrack sql --excel 'SELECT unit_name, notes FROM submissions' > 进展.csv`,
		Args: exactArgs(1, "one query"),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runSQL(cmd.Context(), e, opts, args[0])
		},
	}
	cmd.Flags().StringVar(&opts.db, "db", opts.db, "database file")
	cmd.Flags().BoolVar(&opts.excel, "excel", false, "write for a spreadsheet: a ' before text that would start a formula, and a UTF-8 BOM")
	return cmd
}

func runSQL(ctx context.Context, e *env, opts sqlOptions, query string) error {
	db, err := openExisting(ctx, opts.db)
	if err != nil {
		return err
	}
	defer db.Close()
	// One connection: the query is looked at, then run, on it.
	conn, err := db.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	cols := sqlColumns(conn, query)
	run, cast := castQuery(query, cols)
	rows, err := conn.QueryContext(ctx, run)
	if err != nil {
		return fmt.Errorf("query: %w", err)
	}
	defer rows.Close()
	types, err := rows.ColumnTypes()
	if err != nil {
		return err
	}
	header := make([]string, len(types))
	text := make([]bool, len(types)) // columns --excel neutralises: all but numbers
	for i, c := range types {
		header[i] = c.Name()
		text[i] = !numericType(c.DatabaseTypeName())
		if cast {
			header[i] = cols[i].name
			text[i] = !cols[i].number
		}
	}
	if opts.excel {
		if _, err := e.stdout.Write([]byte("\uFEFF")); err != nil {
			return err
		}
	}
	w := csv.NewWriter(e.stdout)
	w.Write(header)
	vals := make([]any, len(types))
	ptrs := make([]any, len(types))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	out := make([]string, len(types))
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			return err
		}
		for i, v := range vals {
			out[i] = sqlText(v, types[i].DatabaseTypeName())
			if opts.excel && text[i] {
				out[i] = reports.SpreadsheetText(out[i])
			}
		}
		w.Write(out)
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("query: %w", err)
	}
	w.Flush()
	return w.Error()
}

// sqlColumn is a column of a query's result, as DuckDB prepares it.
type sqlColumn struct {
	name   string
	plain  bool // Go prints its values as DuckDB does: no cast needed
	number bool // a numeric type: --excel leaves it alone
}

// sqlColumns are the columns of a query that is one statement DuckDB can read from as a
// subquery (SELECT, FROM, WITH, VALUES, SHOW, DESCRIBE, SUMMARIZE, …), found by preparing
// it, which runs nothing; nil for anything else (PRAGMA, EXPLAIN, CALL, several
// statements, a query that does not prepare), which runs as written.
func sqlColumns(conn *sql.Conn, query string) []sqlColumn {
	var cols []sqlColumn
	conn.Raw(func(dc any) error {
		c, ok := dc.(*duckdb.Conn)
		if !ok {
			return nil
		}
		// Prepare (without a context) takes one statement only, and runs none.
		st, err := c.Prepare(query)
		if err != nil {
			return nil
		}
		defer st.Close()
		s := st.(*duckdb.Stmt)
		n, err := s.ColumnCount()
		if err != nil || n == 0 {
			return nil
		}
		found := make([]sqlColumn, n)
		for i := range found {
			name, err := s.ColumnName(i)
			if err != nil {
				return nil
			}
			info, err := s.ColumnTypeInfo(i)
			if err != nil {
				return nil
			}
			found[i] = sqlColumn{name: name, plain: plainType(info), number: numberType(info)}
		}
		// The query must read as a subquery, with the same columns.
		wrapped, err := c.Prepare(wrapQuery(query, n, nil))
		if err != nil {
			return nil
		}
		defer wrapped.Close()
		if m, err := wrapped.(*duckdb.Stmt).ColumnCount(); err != nil || m != n {
			return nil
		}
		cols = found
		return nil
	})
	return cols
}

// castQuery is the query that prints cols as DuckDB writes them: the query as a subquery,
// every column Go would print differently cast to VARCHAR by DuckDB, and whether it is
// that (false: the query as written, for Go to print).
func castQuery(query string, cols []sqlColumn) (string, bool) {
	need := false
	for _, c := range cols {
		need = need || !c.plain
	}
	if !need {
		return query, false
	}
	return wrapQuery(query, len(cols), cols), true
}

// wrapQuery reads query as a subquery with its columns renamed c1…cn (names may repeat or
// be empty), selecting each as it is or, when cols says so, cast to VARCHAR.
func wrapQuery(query string, n int, cols []sqlColumn) string {
	var sel, names []string
	for i := range n {
		c := fmt.Sprintf(`"c%d"`, i+1)
		names = append(names, c)
		if cols != nil && !cols[i].plain {
			c = "CAST(" + c + " AS VARCHAR)"
		}
		sel = append(sel, c)
	}
	// The line breaks end a trailing -- comment; trailing semicolons would end the subquery.
	body := strings.TrimRight(query, " \t\r\n;")
	return "SELECT " + strings.Join(sel, ", ") + " FROM (\n" + body + "\n) AS plantrack_query(" + strings.Join(names, ", ") + ")"
}

// plainType is a type Go prints as DuckDB does (or, for floats, as plantrack always has:
// 0.5, 2): booleans, integers up to 64 bits, floats, text and enums without an alias (JSON
// is text with an alias).
func plainType(info duckdb.TypeInfo) bool {
	if info.Alias() != "" {
		return false
	}
	switch info.InternalType() {
	case duckdb.TYPE_BOOLEAN, duckdb.TYPE_TINYINT, duckdb.TYPE_SMALLINT, duckdb.TYPE_INTEGER, duckdb.TYPE_BIGINT,
		duckdb.TYPE_UTINYINT, duckdb.TYPE_USMALLINT, duckdb.TYPE_UINTEGER, duckdb.TYPE_UBIGINT,
		duckdb.TYPE_FLOAT, duckdb.TYPE_DOUBLE, duckdb.TYPE_VARCHAR, duckdb.TYPE_ENUM:
		return true
	}
	return false
}

// numberType is a numeric type: integers, floats, DECIMAL.
func numberType(info duckdb.TypeInfo) bool {
	switch info.InternalType() {
	case duckdb.TYPE_TINYINT, duckdb.TYPE_SMALLINT, duckdb.TYPE_INTEGER, duckdb.TYPE_BIGINT, duckdb.TYPE_HUGEINT,
		duckdb.TYPE_UTINYINT, duckdb.TYPE_USMALLINT, duckdb.TYPE_UINTEGER, duckdb.TYPE_UBIGINT, duckdb.TYPE_UHUGEINT,
		duckdb.TYPE_FLOAT, duckdb.TYPE_DOUBLE, duckdb.TYPE_DECIMAL, duckdb.TYPE_BIGNUM:
		return true
	}
	return false
}

// numericType is a DuckDB type name of a number: its values are never neutralised.
func numericType(name string) bool {
	base, _, _ := strings.Cut(name, "(")
	switch base {
	case "TINYINT", "SMALLINT", "INTEGER", "BIGINT", "UTINYINT", "USMALLINT", "UINTEGER", "UBIGINT",
		"HUGEINT", "UHUGEINT", "FLOAT", "DOUBLE", "DECIMAL", "BIGNUM", "VARINT":
		return true
	}
	return false
}

// openExisting opens a database that must already exist, read-only.
func openExisting(ctx context.Context, path string) (*store.DB, error) {
	if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("no database at %s: run plantrack ingest (or plantrack demo) first, or pass --db", store.Shown(path))
	}
	return store.OpenReadOnly(ctx, path)
}

// sqlText writes a value as the CSV shows it. Columns DuckDB cast to VARCHAR arrive as
// text; the rest (and every column of a statement that cannot be a subquery, such as
// PRAGMA) are written here the way DuckDB writes them, typ being DuckDB's name of the type.
func sqlText(v any, typ string) string {
	return valueText(v, typ, false)
}

// valueText writes a value; nested, a string is quoted where DuckDB quotes it.
func valueText(v any, typ string, nested bool) string {
	switch x := v.(type) {
	case nil:
		if nested {
			return "NULL"
		}
		return ""
	case string:
		if nested {
			return nestedString(x)
		}
		return x
	case time.Time:
		return timeText(x, typ)
	case float64:
		if nested {
			return nestedFloat(x, 64)
		}
		if math.IsInf(x, 0) || math.IsNaN(x) {
			return strconv.FormatFloat(x, 'g', -1, 64)
		}
		return strconv.FormatFloat(x, 'f', -1, 64)
	case float32:
		if nested {
			return nestedFloat(float64(x), 32)
		}
		return strconv.FormatFloat(float64(x), 'f', -1, 32)
	case []byte:
		if typ == "UUID" && len(x) == 16 {
			return fmt.Sprintf("%x-%x-%x-%x-%x", x[0:4], x[4:6], x[6:8], x[8:10], x[10:16])
		}
		return blobText(x)
	case duckdb.Interval:
		return intervalText(x)
	case duckdb.Decimal:
		return decimalText(x)
	case *big.Int:
		return x.String()
	case duckdb.Union:
		return valueText(x.Value, "", nested)
	case []any:
		if typ == "JSON" {
			return jsonText(x)
		}
		elem := strings.TrimSuffix(typ, "[]")
		if i := strings.LastIndex(elem, "["); i > 0 && strings.HasSuffix(elem, "]") {
			elem = elem[:i] // an ARRAY: INTEGER[2]
		}
		parts := make([]string, len(x))
		for i, p := range x {
			parts[i] = valueText(p, elem, true)
		}
		return "[" + strings.Join(parts, ", ") + "]"
	case map[string]any:
		if typ == "JSON" {
			return jsonText(x)
		}
		return structText(x, typ)
	case duckdb.OrderedMap:
		keys, values := x.Keys(), x.Values()
		parts := make([]string, len(keys))
		for i := range keys {
			parts[i] = valueText(keys[i], "", true) + "=" + valueText(values[i], "", true)
		}
		return "{" + strings.Join(parts, ", ") + "}"
	case fmt.Stringer:
		return x.String()
	}
	if typ == "JSON" {
		return jsonText(v)
	}
	return fmt.Sprint(v)
}

// nestedString is a string inside a list, struct or map as DuckDB writes it: quoted when
// it could be misread (empty, NULL, spaces at an end, or a character of the syntax).
func nestedString(s string) string {
	if s != "" && s != "NULL" && strings.TrimSpace(s) == s && !strings.ContainsAny(s, `,'"[]{}():=`) {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `\'`) + "'"
}

// nestedFloat is a float inside a list, struct or map as DuckDB writes it: the shortest
// exact form, 2.0 and 0.1, in exponent form below 1e-4 and from 1e16 (1e-07, 1e+16), nan,
// inf.
func nestedFloat(f float64, bits int) string {
	switch {
	case math.IsNaN(f):
		return "nan"
	case math.IsInf(f, 1):
		return "inf"
	case math.IsInf(f, -1):
		return "-inf"
	}
	e := strconv.FormatFloat(f, 'e', -1, bits)
	if exp, _ := strconv.Atoi(e[strings.LastIndexByte(e, 'e')+1:]); f != 0 && (exp < -4 || exp >= 16) {
		return e
	}
	s := strconv.FormatFloat(f, 'f', -1, bits)
	if !strings.Contains(s, ".") {
		s += ".0"
	}
	return s
}

// structText writes a struct as DuckDB does, {'a': 1, 'b': x}, its fields in the order of
// its type, STRUCT("a" INTEGER, b VARCHAR).
func structText(m map[string]any, typ string) string {
	var parts []string
	field := func(name, typ string) {
		parts = append(parts, "'"+strings.ReplaceAll(name, "'", `\'`)+"': "+valueText(m[name], typ, true))
		delete(m, name)
	}
	for _, f := range structFields(typ) {
		if _, ok := m[f[0]]; ok {
			field(f[0], f[1])
		}
	}
	for _, k := range slices.Sorted(maps.Keys(m)) {
		field(k, "")
	}
	return "{" + strings.Join(parts, ", ") + "}"
}

// structFields reads the fields of STRUCT("a" INTEGER, b VARCHAR): name and type each.
func structFields(typ string) [][2]string {
	inner, ok := strings.CutPrefix(typ, "STRUCT(")
	if !ok || !strings.HasSuffix(inner, ")") {
		return nil
	}
	inner = inner[:len(inner)-1]
	var fields [][2]string
	depth, quoted, start := 0, false, 0
	add := func(f string) {
		f = strings.TrimSpace(f)
		var name, rest string
		if strings.HasPrefix(f, `"`) {
			end := 1
			for end < len(f) {
				if f[end] == '"' {
					if end+1 < len(f) && f[end+1] == '"' {
						end += 2
						continue
					}
					break
				}
				end++
			}
			name = strings.ReplaceAll(f[1:min(end, len(f))], `""`, `"`)
			rest = f[min(end+1, len(f)):]
		} else {
			name, rest, _ = strings.Cut(f, " ")
		}
		fields = append(fields, [2]string{name, strings.TrimSpace(rest)})
	}
	for i := 0; i < len(inner); i++ {
		switch ch := inner[i]; {
		case ch == '"':
			quoted = !quoted
		case quoted:
		case ch == '(':
			depth++
		case ch == ')':
			depth--
		case ch == ',' && depth == 0:
			add(inner[start:i])
			start = i + 1
		}
	}
	if strings.TrimSpace(inner[start:]) != "" {
		add(inner[start:])
	}
	return fields
}

// jsonText writes a JSON value duckdb-go has parsed back as JSON (object keys sorted:
// the parsed value no longer knows their order).
func jsonText(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	return string(b)
}

// DuckDB's infinite dates and timestamps, as duckdb-go hands them over.
const (
	dateInfinity      = math.MaxInt32 // days
	timestampInfinity = math.MaxInt64 // microseconds
)

// timeText writes a DATE, TIME, TIMETZ or TIMESTAMP as DuckDB does: 2021-07-05,
// 12:34:56.5, 2021-07-05 12:34:56, infinity, 0231-05-31 (BC).
func timeText(t time.Time, typ string) string {
	base, _, _ := strings.Cut(typ, "(")
	switch base {
	case "DATE":
		days := math.Floor(float64(t.Unix()) / 86400)
		switch days {
		case dateInfinity:
			return "infinity"
		case -dateInfinity:
			return "-infinity"
		}
		return dateText(t)
	case "TIME":
		return t.Format("15:04:05.999999")
	case "TIMETZ", "TIME WITH TIME ZONE":
		return t.Format("15:04:05.999999") + offsetText(t)
	}
	if base == "TIMESTAMP" || base == "TIMESTAMPTZ" || base == "TIMESTAMP WITH TIME ZONE" {
		switch t.UnixMicro() {
		case timestampInfinity:
			return "infinity"
		case -timestampInfinity:
			return "-infinity"
		}
	}
	frac := ".999999"
	if base == "TIMESTAMP_NS" {
		frac = ".999999999"
	}
	s := dateText(t) + " " + t.Format("15:04:05"+frac)
	if base == "TIMESTAMPTZ" || base == "TIMESTAMP WITH TIME ZONE" {
		s += offsetText(t)
	}
	return s
}

// dateText is a day as DuckDB writes it, years before 1 as (BC).
func dateText(t time.Time) string {
	if y := t.Year(); y <= 0 {
		return fmt.Sprintf("%04d-%02d-%02d (BC)", 1-y, t.Month(), t.Day())
	}
	return t.Format("2006-01-02")
}

// offsetText is a time zone offset as DuckDB writes it: +00, +05:30.
func offsetText(t time.Time) string {
	_, off := t.Zone()
	sign := "+"
	if off < 0 {
		sign, off = "-", -off
	}
	s := fmt.Sprintf("%s%02d", sign, off/3600)
	if m := off % 3600 / 60; m != 0 {
		s += fmt.Sprintf(":%02d", m)
	}
	return s
}

// blobText writes a BLOB as DuckDB does: printable ASCII as it is, other bytes (and the
// quotes and backslash) as \xAA.
func blobText(b []byte) string {
	var s strings.Builder
	for _, c := range b {
		if c >= 0x20 && c <= 0x7e && c != '\\' && c != '\'' && c != '"' {
			s.WriteByte(c)
		} else {
			fmt.Fprintf(&s, `\x%02X`, c)
		}
	}
	return s.String()
}

// intervalText writes an INTERVAL as DuckDB casts it to VARCHAR: 1 year 2 months 3 days
// 04:05:06.5, 00:00:00 when empty.
func intervalText(iv duckdb.Interval) string {
	var parts []string
	unit := func(n int64, name string) {
		if n == 0 {
			return
		}
		s := strconv.FormatInt(n, 10) + " " + name
		if n != 1 && n != -1 {
			s += "s"
		}
		parts = append(parts, s)
	}
	unit(int64(iv.Months/12), "year")
	unit(int64(iv.Months%12), "month")
	unit(int64(iv.Days), "day")
	if us := iv.Micros; us != 0 || len(parts) == 0 {
		sign := ""
		u := new(big.Int).SetInt64(us)
		if us < 0 {
			sign = "-"
			u.Neg(u)
		}
		micros := u.Uint64()
		s := fmt.Sprintf("%s%02d:%02d:%02d", sign, micros/3_600_000_000, micros/60_000_000%60, micros/1_000_000%60)
		if f := micros % 1_000_000; f != 0 {
			s += "." + strings.TrimRight(fmt.Sprintf("%06d", f), "0")
		}
		parts = append(parts, s)
	}
	return strings.Join(parts, " ")
}

// decimalText writes a DECIMAL exactly, with all its scale's digits: 123.40, -0.05.
func decimalText(d duckdb.Decimal) string {
	if d.Value == nil {
		return ""
	}
	digits := new(big.Int).Abs(d.Value).String()
	sign := ""
	if d.Value.Sign() < 0 {
		sign = "-"
	}
	scale := int(d.Scale)
	if scale == 0 {
		return sign + digits
	}
	if len(digits) <= scale {
		digits = strings.Repeat("0", scale-len(digits)+1) + digits
	}
	return sign + digits[:len(digits)-scale] + "." + digits[len(digits)-scale:]
}
