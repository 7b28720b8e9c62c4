package cli

import (
	"context"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"plantrack/store"
)

// emptyDB is a plantrack database with the tables and no rows.
func emptyDB(t *testing.T) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "t.duckdb")
	db, err := store.Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	db.Close()
	return path
}

// plantrack sql prints every DuckDB type as DuckDB's own CLI does (its cast to VARCHAR):
// a SELECT through DuckDB's cast, and the same values when the statement cannot be a
// subquery (here: the last of two statements) through plantrack's own rendering.
func TestSQLTypes(t *testing.T) {
	db := emptyDB(t)
	for _, c := range []struct {
		name, expr, want string
		castOnly         bool // plantrack's own rendering cannot know it (JSON's key order)
	}{
		{"uuid", "uuid '123e4567-e89b-12d3-a456-426614174000'", "123e4567-e89b-12d3-a456-426614174000", false},
		{"interval", "INTERVAL 1 MONTH + INTERVAL 2 DAY + INTERVAL 3 SECOND", "1 month 2 days 00:00:03", false},
		{"interval negative", "INTERVAL '-1 year -2 months 3 days -04:05:06.5'", "-1 year -2 months 3 days -04:05:06.5", false},
		{"interval hours", "INTERVAL 25 HOUR", "25:00:00", false},
		{"interval zero", "INTERVAL 0 SECOND", "00:00:00", false},
		{"interval one day", "INTERVAL 1 DAY", "1 day", false},
		{"time", "TIME '12:34:56'", "12:34:56", false},
		{"time micros", "TIME '00:00:00.000001'", "00:00:00.000001", false},
		{"timetz", "TIMETZ '12:00:00+05:30'", "12:00:00+05:30", false},
		{"date", "DATE '2021-07-05'", "2021-07-05", false},
		{"date infinity", "'infinity'::DATE", "infinity", false},
		{"date -infinity", "'-infinity'::DATE", "-infinity", false},
		{"date BC", "DATE '0044-03-15' - 100000", "0231-05-31 (BC)", false},
		{"timestamp", "TIMESTAMP '2021-07-05 12:00:00'", "2021-07-05 12:00:00", false},
		{"timestamp fraction", "TIMESTAMP '2021-07-05 12:00:00.5'", "2021-07-05 12:00:00.5", false},
		{"timestamp infinity", "'infinity'::TIMESTAMP", "infinity", false},
		{"timestamp -infinity", "'-infinity'::TIMESTAMP", "-infinity", false},
		{"timestamp_ms", "'2021-01-01 10:00:00.123'::TIMESTAMP_MS", "2021-01-01 10:00:00.123", false},
		{"timestamp_ns", "'2021-01-01 10:00:00.123456789'::TIMESTAMP_NS", "2021-01-01 10:00:00.123456789", false},
		{"decimal", "123.45::DECIMAL(10,2)", "123.45", false},
		{"decimal trailing zero", "12.30::DECIMAL(5,2)", "12.30", false},
		{"decimal negative", "-0.05::DECIMAL(5,2)", "-0.05", false},
		{"decimal wide", "12345678901234567890.123456789::DECIMAL(38,9)", "12345678901234567890.123456789", false},
		{"blob", `'\xAA'::BLOB`, `\xAA`, false},
		{"blob text", `'ab\x00'::BLOB`, `ab\x00`, false},
		{"hugeint", "170141183460469231731687303715884105727::HUGEINT", "170141183460469231731687303715884105727", false},
		{"uhugeint", "340282366920938463463374607431768211455::UHUGEINT", "340282366920938463463374607431768211455", false},
		{"struct", "{'a': 1}", "{'a': 1}", false},
		{"struct order", "{'b': 'x y', 'a': NULL}", "{'b': x y, 'a': NULL}", false},
		{"map", "MAP {'k': 'v'}", "{k=v}", false},
		{"map two", "MAP {'b': 1, 'a': 2}", "{b=1, a=2}", false},
		{"list", "['a', 'b']", "[a, b]", false},
		{"list quoted", "['a,b', NULL, '']", "['a,b', NULL, '']", false},
		{"list of doubles", "[1.5::DOUBLE, 2.0, 1e20]", "[1.5, 2.0, 1e+20]", false},
		{"array", "[1, 2]::INTEGER[2]", "[1, 2]", false},
		{"nested", "[{'a': [1, 2]}]", "[{'a': [1, 2]}]", false},
		{"union", "union_value(k := 'x')", "x", false},
		{"json", `'{"b":1,"a":2}'::JSON`, `{"b":1,"a":2}`, true},
		{"enum", "'x'::ENUM('x', 'y')", "x", false},
		{"bit", "'101'::BIT", "101", false},
		{"boolean", "true", "true", false},
		{"null", "NULL", "", false},
		{"integer", "-5", "-5", false},
		{"bigint", "9223372036854775807", "9223372036854775807", false},
		{"double", "0.5::DOUBLE", "0.5", false},
		{"double integral", "2.0::DOUBLE", "2", false}, // as plantrack has always printed floats
		{"text", "'东阿县'", "东阿县", false},
		{"text formula", "'=1+1'", "=1+1", false}, // verbatim: sql is for tools
	} {
		t.Run(c.name, func(t *testing.T) {
			want := "v\n" + c.want + "\n"
			if strings.ContainsAny(c.want, ",\"\n") {
				want = "v\n\"" + strings.ReplaceAll(c.want, `"`, `""`) + "\"\n"
			}
			queries := []string{"SELECT " + c.expr + " AS v"}
			if !c.castOnly {
				queries = append(queries, "SELECT 1; SELECT "+c.expr+" AS v")
			}
			for _, q := range queries {
				out, stderr, code := run(t, "sql", "--db", db, q)
				if code != ExitOK || out != want {
					t.Errorf("%s: exit %d, got %q, want %q; stderr %s", q, code, out, want, stderr)
				}
			}
		})
	}
}

// Statements that are not a SELECT still work, and a wrapped query keeps its header
// (repeated names too), its row order and its trailing comment or semicolon.
func TestSQLStatements(t *testing.T) {
	db := emptyDB(t)
	for _, c := range []struct {
		name, query, want string
	}{
		{"pragma", "PRAGMA table_info('plans')", "cid,name,type,notnull,dflt_value,pk\n"},
		{"show", "SHOW TABLES", "name\n"},
		{"describe", "DESCRIBE SELECT 1 AS a, uuid '123e4567-e89b-12d3-a456-426614174000' AS u", "column_name,column_type,null,key,default,extra\na,INTEGER,YES,,,\nu,UUID,YES,,,\n"},
		{"summarize", "SUMMARIZE SELECT 1 AS a", "column_name,column_type,min,max,approx_unique,avg,std,q25,q50,q75,count,null_percentage\na,INTEGER,1,1,1,1.0,,1,1,1,1,0.00\n"},
		{"explain", "EXPLAIN SELECT 1", "explain_key,explain_value\n"},
		{"names", "SELECT 1 AS x, INTERVAL 1 DAY AS x, 2 AS \"a,b\"", "x,x,\"a,b\"\n1,1 day,2\n"},
		{"order", "SELECT i, INTERVAL (i) DAY AS d FROM range(3) t(i) ORDER BY i DESC;  -- newest first", "i,d\n2,2 days\n1,1 day\n0,00:00:00\n"},
		{"from first", "FROM (VALUES (TIME '01:02:03')) t(x)", "x\n01:02:03\n"},
	} {
		t.Run(c.name, func(t *testing.T) {
			out, stderr, code := run(t, "sql", "--db", db, c.query)
			if code != ExitOK || !strings.HasPrefix(out, c.want) {
				t.Errorf("exit %d, got %q, want %q…; stderr %s", code, out, c.want, stderr)
			}
		})
	}
	// Many rows keep the order the query gives them.
	out, _, _ := run(t, "sql", "--db", db, "SELECT uuid '00000000-0000-0000-0000-000000000000' AS u, i FROM range(200000) t(i) ORDER BY i DESC")
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	if len(lines) != 200001 || lines[1] != "00000000-0000-0000-0000-000000000000,199999" || lines[200000] != "00000000-0000-0000-0000-000000000000,0" {
		t.Errorf("%d lines, first %q, last %q", len(lines), lines[1], lines[len(lines)-1])
	}
	for i := 2; i < len(lines); i++ {
		if !strings.HasSuffix(lines[i], ","+strconv.Itoa(200000-i)) {
			t.Fatalf("line %d out of order: %q", i, lines[i])
		}
	}
	// A query that fails says why, once.
	_, stderr, code := run(t, "sql", "--db", db, "SELECT nope FROM submissions")
	if code != ExitError || !strings.Contains(stderr, `"nope" not found`) || strings.Contains(stderr, "plantrack_query") {
		t.Errorf("exit %d: %s", code, stderr)
	}
	_, stderr, code = run(t, "sql", "--db", db, "SELECT uuid '123e4567-e89b-12d3-a456-426614174000' AS u, error('boom')")
	if code != ExitError || !strings.Contains(stderr, "boom") {
		t.Errorf("exit %d: %s", code, stderr)
	}
}

// --excel neutralises text that would start a formula, in every text column whatever its
// type, and leaves numbers (a count of -5), dates and plain text alone; the file opens with
// a UTF-8 BOM. Without --excel the values are verbatim.
func TestSQLExcel(t *testing.T) {
	db := emptyDB(t)
	q := `SELECT '=HYPERLINK("http://x","y")' AS name, -5 AS n, -1.5 AS d, '-2+3' AS note, '@SUM(A1)' AS a, e'\tx' AS tab,
		'+1' AS plus, '东阿县' AS unit, DATE '2021-07-05' AS day, ['=x'] AS l, '＝1' AS wide, ' =1' AS spaced`
	header := "name,n,d,note,a,tab,plus,unit,day,l,wide,spaced\n"
	wantExcel := "\uFEFF" + header + `"'=HYPERLINK(""http://x"",""y"")",-5,-1.5,'-2+3,'@SUM(A1),'` + "\tx" + `,'+1,东阿县,2021-07-05,['=x'],'＝1,' =1` + "\n"
	wantPlain := header + `"=HYPERLINK(""http://x"",""y"")",-5,-1.5,-2+3,@SUM(A1),"` + "\tx" + `",+1,东阿县,2021-07-05,['=x'],＝1," =1"` + "\n"
	for _, prefix := range []string{"", "SELECT 1; "} { // cast by DuckDB, and printed by plantrack
		out, stderr, code := run(t, "sql", "--db", db, "--excel", prefix+q)
		if code != ExitOK || out != wantExcel {
			t.Errorf("%q --excel: exit %d\n got %q\nwant %q\n%s", prefix, code, out, wantExcel, stderr)
		}
		out, _, _ = run(t, "sql", "--db", db, prefix+q)
		if out != wantPlain {
			t.Errorf("%q: got %q\nwant %q", prefix, out, wantPlain)
		}
	}
}

// sql's help says it prints values verbatim, not for Excel, and offers --excel.
func TestSQLHelpSaysVerbatim(t *testing.T) {
	out, _, code := run(t, "sql", "--help")
	for _, want := range []string{"printed verbatim", "not meant to be opened in\nExcel", "--excel"} {
		if code != ExitOK || !strings.Contains(out, want) {
			t.Errorf("sql --help lacks %q:\n%s", want, out)
		}
	}
}
