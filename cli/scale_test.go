package cli

import (
	"context"
	"database/sql"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
	"unicode/utf8"

	_ "github.com/duckdb/duckdb-go/v2"

	"plantrack/internal/bench"
	"plantrack/plan"
	"plantrack/sample"
)

// step is one timed child process of the scale benchmark.
type step struct {
	wall   time.Duration
	maxRSS int64 // KB
}

// timed runs the CLI in a child process, so each step's peak memory is its own.
func timed(b *testing.B, args ...string) step {
	b.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$", "-test.bench=^$")
	cmd.Env = append(os.Environ(), "PLANTRACK_TEST_CLI_ARGS="+strings.Join(args, "\n"))
	var out strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &out
	start := time.Now()
	if err := cmd.Run(); err != nil {
		b.Fatalf("plantrack %s: %v\n%s", strings.Join(args, " "), err, tail(out.String(), 2000))
	}
	s := step{wall: time.Since(start)}
	if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		s.maxRSS = ru.Maxrss
	}
	return s
}

func tail(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return "…" + s[len(s)-n:]
}

// scaleRow is one line of docs/scale.md.
type scaleRow struct {
	scale, rounds, files, rows, units int
	ingest, build, export, report     step
	csvIngest                         step    // plantrack ingest of the UTF-8 CSV files alone
	csvRows                           int     // their rows, as DuckDB read_csv counts them
	duckRate                          float64 // DuckDB read_csv rows/s on the same CSV files
	dbMB                              float64
}

// total is the whole job: ingest (--no-build), transform (plantrack build), export and
// report; a plain plantrack ingest is the first two.
func (r scaleRow) total() time.Duration {
	return r.ingest.wall + r.build.wall + r.export.wall + r.report.wall
}

// label names the scale: 1000× (cities, quarterly) or 1000× monthly.
func (r scaleRow) label() string {
	if r.rounds == 3 {
		return fmt.Sprintf("%d× monthly", r.scale)
	}
	return fmt.Sprintf("%d×", r.scale)
}

func (r scaleRow) peakMB() float64 {
	return float64(max(r.ingest.maxRSS, r.build.maxRSS, r.export.maxRSS, r.report.maxRSS, r.csvIngest.maxRSS)) / 1024
}

// BenchmarkScale measures the whole job at growing scales of the Liaocheng year (k cities:
// the real one in every format, and k-1 copies as compiled CSV): ingest, transform (the
// models rebuilt alone by plantrack build), export (every table and metric view computed and
// written as Parquet), report, database size and each step's peak memory,
// with DuckDB's own read_csv of the same CSV files as the reference rate. Scales come from
// PLANTRACK_SCALES (default 1,10; 1000x3 is 1000 cities whose copies report monthly);
// PLANTRACK_SCALE_DOCS=DIR writes DIR/scale.md and DIR/scale.png.
func BenchmarkScale(b *testing.B) {
	type scale struct{ cities, rounds int }
	scales := []scale{{1, 1}, {10, 1}}
	if s := os.Getenv("PLANTRACK_SCALES"); s != "" {
		scales = nil
		for _, f := range strings.Split(s, ",") {
			// K is K cities reporting quarterly; KxM, K cities whose copies report monthly.
			cities, monthly, _ := strings.Cut(strings.TrimSpace(f), "x")
			k, err := strconv.Atoi(cities)
			r := 1
			if monthly != "" {
				r, err = strconv.Atoi(monthly)
			}
			if err != nil || k < 1 {
				b.Fatalf("PLANTRACK_SCALES: %q", s)
			}
			scales = append(scales, scale{k, r})
		}
	}
	var rows []scaleRow
	for _, sc := range scales {
		b.Run(fmt.Sprintf("x%d_%d", sc.cities, sc.rounds), func(b *testing.B) {
			for range b.N {
				rows = append(rows, measureScale(b, sc.cities, sc.rounds))
			}
		})
	}
	if dir := os.Getenv("PLANTRACK_SCALE_DOCS"); dir != "" && len(rows) > 0 {
		if err := os.WriteFile(filepath.Join(dir, "scale.md"), []byte(scaleTable(rows)), 0o644); err != nil {
			b.Fatal(err)
		}
		if err := costChart(filepath.Join(dir, "scale.png"), rows); err != nil {
			b.Fatal(err)
		}
	}
}

func measureScale(b *testing.B, k, rounds int) scaleRow {
	// PLANTRACK_SCALE_KEEP=DIR keeps each scale's data, database and reports in DIR/xK,
	// to look into afterwards.
	var dir string
	if keep := os.Getenv("PLANTRACK_SCALE_KEEP"); keep != "" {
		dir = filepath.Join(keep, fmt.Sprintf("x%d_%d", k, rounds))
		if err := os.RemoveAll(dir); err != nil {
			b.Fatal(err)
		}
		if err := os.MkdirAll(dir, 0o755); err != nil {
			b.Fatal(err)
		}
	} else {
		var err error
		if dir, err = os.MkdirTemp("", "plantrack-scale"); err != nil {
			b.Fatal(err)
		}
		defer os.RemoveAll(dir)
	}
	scaled, units, data, man := scaledYear(b, dir, k, rounds)
	db := filepath.Join(dir, "plantrack.duckdb")
	b.ResetTimer()
	r := scaleRow{scale: k, rounds: rounds, files: man.Files, rows: man.Rows, units: len(scaled.Registry.Units)}
	r.ingest = timed(b, "ingest", "--no-build", "--db", db, "--units", units, data)
	r.build = timed(b, "build", "--db", db)
	r.export = timed(b, "export", "--db", db, "--out", filepath.Join(dir, "parquet"))
	r.report = timed(b, "report", "--db", db, "--out", filepath.Join(dir, "reports"))
	b.StopTimer()
	if st, err := os.Stat(db); err == nil {
		r.dbMB = float64(st.Size()) / (1 << 20)
	}
	// The reference: the UTF-8 CSV files (DuckDB reads no GBK, XLSX or JSON), read by
	// DuckDB's read_csv and by plantrack ingest (which also builds its models).
	csvs := utf8CSVs(data)
	r.csvRows, r.duckRate = duckReadCSV(b, dir, csvs)
	r.csvIngest = timed(b, append([]string{"ingest", "--no-build", "--db", filepath.Join(dir, "csv-only.duckdb"), "--units", units}, csvs...)...)
	b.ReportMetric(float64(r.rows)/r.ingest.wall.Seconds(), "rows/s")
	b.ReportMetric(r.csvRate(), "csv-rows/s")
	b.ReportMetric(r.duckRate, "duckdb-rows/s")
	b.ReportMetric(r.peakMB(), "peak-RSS-MB")
	return r
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

// utf8CSVs lists the sample's CSV files that are UTF-8.
func utf8CSVs(data string) []string {
	var files []string
	filepath.WalkDir(data, func(p string, d os.DirEntry, err error) error {
		if err == nil && strings.HasSuffix(p, ".csv") {
			if raw, err := os.ReadFile(p); err == nil && utf8.Valid(raw) {
				files = append(files, p)
			}
		}
		return nil
	})
	return files
}

// duckReadCSV times DuckDB's best read of files into a table of a database file, closed
// (as plantrack's ingest ends with its batch on disk): files with the same header (the
// copies' compiled CSVs) in one read_csv, the others (each office's own habits) in one
// read_csv with union_by_name. It returns the rows and rows per second.
func duckReadCSV(b *testing.B, dir string, files []string) (int, float64) {
	if len(files) == 0 {
		return 0, 0
	}
	byHeader := map[string][]string{}
	var headers []string
	for _, f := range files {
		h := firstLine(f)
		if byHeader[h] == nil {
			headers = append(headers, h)
		}
		byHeader[h] = append(byHeader[h], f)
	}
	var same, mixed []string
	for _, h := range headers {
		if len(byHeader[h]) > 1 && len(byHeader[h]) >= len(files)/2 {
			same = byHeader[h]
		} else {
			mixed = append(mixed, byHeader[h]...)
		}
	}
	list := func(fs []string) string {
		var q []string
		for _, f := range fs {
			q = append(q, "'"+strings.ReplaceAll(f, "'", "''")+"'")
		}
		return "[" + strings.Join(q, ",") + "]"
	}
	path := filepath.Join(dir, "reference.duckdb")
	start := time.Now()
	db, err := sql.Open("duckdb", path)
	if err != nil {
		b.Fatal(err)
	}
	var qs []string
	if len(same) > 0 {
		qs = append(qs, "CREATE TABLE a AS SELECT * FROM read_csv("+list(same)+", all_varchar = true)")
	}
	if len(mixed) > 0 {
		qs = append(qs, "CREATE TABLE b AS SELECT * FROM read_csv("+list(mixed)+", union_by_name = true, all_varchar = true, null_padding = true, ignore_errors = true)")
	}
	for _, q := range qs {
		if _, err := db.ExecContext(context.Background(), q); err != nil {
			b.Fatal(err)
		}
	}
	if err := db.Close(); err != nil {
		b.Fatal(err)
	}
	took := time.Since(start)
	db, err = sql.Open("duckdb", path)
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	var n int
	var q string
	switch {
	case len(same) > 0 && len(mixed) > 0:
		q = "SELECT (SELECT count(*) FROM a) + (SELECT count(*) FROM b)"
	case len(same) > 0:
		q = "SELECT count(*) FROM a"
	default:
		q = "SELECT count(*) FROM b"
	}
	if err := db.QueryRow(q).Scan(&n); err != nil {
		b.Fatal(err)
	}
	return n, float64(n) / took.Seconds()
}

func firstLine(path string) string {
	f, err := os.Open(path)
	if err != nil {
		return ""
	}
	defer f.Close()
	buf := make([]byte, 4096)
	n, _ := f.Read(buf)
	line, _, _ := strings.Cut(string(buf[:n]), "\n")
	return line
}

// csvRate is plantrack's ingest rate on the CSV files DuckDB read.
func (r scaleRow) csvRate() float64 {
	if r.csvIngest.wall == 0 {
		return 0
	}
	return float64(r.csvRows) / r.csvIngest.wall.Seconds()
}

func scaleTable(rows []scaleRow) string {
	var s strings.Builder
	s.WriteString("| scale | units | files | reports | ingest | rows/s | same CSVs: plantrack rows/s | DuckDB read_csv rows/s | ratio | transform | export | report | total | database | peak RSS |\n")
	s.WriteString("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|\n")
	for _, r := range rows {
		ratio := 0.0
		if r.duckRate > 0 {
			ratio = r.csvRate() / r.duckRate
		}
		fmt.Fprintf(&s, "| %s | %d | %d | %d | %.1f s | %.0f | %.0f | %.0f | %.2f | %.1f s | %.1f s | %.1f s | %.1f s | %.0f MB | %.0f MB |\n",
			r.label(), r.units, r.files, r.rows, r.ingest.wall.Seconds(), float64(r.rows)/r.ingest.wall.Seconds(), r.csvRate(), r.duckRate, ratio,
			r.build.wall.Seconds(), r.export.wall.Seconds(), r.report.wall.Seconds(), r.total().Seconds(), r.dbMB, r.peakMB())
	}
	return s.String()
}

// costChart draws the seconds of each step against the number of reports.
func costChart(png string, rows []scaleRow) error {
	var sizes []string
	series := []bench.Series{{Name: "ingest"}, {Name: "transform"}, {Name: "export"}, {Name: "report"}, {Name: "total"}}
	secs := func(d time.Duration) float64 { return math.Round(d.Seconds()*10) / 10 }
	for _, r := range rows {
		sizes = append(sizes, fmt.Sprintf("%s（%d）", r.label(), r.rows))
		for i, d := range []time.Duration{r.ingest.wall, r.build.wall, r.export.wall, r.report.wall, r.total()} {
			series[i].Values = append(series[i].Values, secs(d))
		}
	}
	return bench.CostChart(context.Background(), png, "plantrack：各步骤耗时随规模增长（2 核）", "秒", sizes, series)
}

// scaledYear writes the Liaocheng year at k cities into dir, as the scale benchmarks
// read it: the scaled unit registry (units.csv) and the submissions of every city, each
// copy reporting rounds times a quarter (data/); and the plan resolved against them.
func scaledYear(b *testing.B, dir string, k, rounds int) (scaled *plan.Bundle, units, data string, man bench.ScaleManifest) {
	b.Helper()
	builtin, err := plan.Builtin()
	if err != nil {
		b.Fatal(err)
	}
	units = filepath.Join(dir, "units.csv")
	if err := os.WriteFile(units, bench.ScaledUnits(builtin.Registry, k), 0o644); err != nil {
		b.Fatal(err)
	}
	read := func(p string) []byte {
		data, err := os.ReadFile(filepath.Join("..", "data", p))
		if err != nil {
			b.Fatal(err)
		}
		return data
	}
	scaled = plan.Resolve(plan.Source{Name: "plan", Data: read("plan/liaocheng-2021.txt")}, plan.Source{Name: units, Data: must(os.ReadFile(units))},
		plan.Source{Name: "groups", Data: read("groups.csv")}, plan.Source{Name: "related", Data: read("plan/liaocheng-2021.related.csv")})
	if scaled.Problems.Errors() > 0 {
		b.Fatal(scaled.Problems)
	}
	data = filepath.Join(dir, "data")
	man, err = bench.GenerateScaled(data, scaled, k, rounds, sample.Options{Seed: sample.DefaultSeed})
	if err != nil {
		b.Fatal(err)
	}
	return scaled, units, data, man
}
