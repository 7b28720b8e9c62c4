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

	"plantrack/plan"
	"plantrack/reports"
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
	scale, files, rows        int
	ingest, transform, report step
	duckRate                  float64 // DuckDB read_csv rows/s on the same CSV files
	dbMB                      float64
}

// BenchmarkScale measures the whole job at growing scales of the Liaocheng year (k cities:
// the real one in every format, and k-1 copies as compiled CSV): ingest, transform (every
// metric view computed, by export), report, database size and each step's peak memory,
// with DuckDB's own read_csv of the same CSV files as the reference rate. Scales come from
// PLANTRACK_SCALES (default 1,10); PLANTRACK_SCALE_DOCS=DIR writes DIR/scale.md and
// DIR/scale.png.
func BenchmarkScale(b *testing.B) {
	scales := []int{1, 10}
	if s := os.Getenv("PLANTRACK_SCALES"); s != "" {
		scales = nil
		for _, f := range strings.Split(s, ",") {
			k, err := strconv.Atoi(strings.TrimSpace(f))
			if err != nil || k < 1 {
				b.Fatalf("PLANTRACK_SCALES: %q", s)
			}
			scales = append(scales, k)
		}
	}
	var rows []scaleRow
	for _, k := range scales {
		b.Run(fmt.Sprintf("x%d", k), func(b *testing.B) {
			for range b.N {
				rows = append(rows, measureScale(b, k))
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

func measureScale(b *testing.B, k int) scaleRow {
	// PLANTRACK_SCALE_KEEP=DIR keeps each scale's data, database and reports in DIR/xK,
	// to look into afterwards.
	var dir string
	if keep := os.Getenv("PLANTRACK_SCALE_KEEP"); keep != "" {
		dir = filepath.Join(keep, fmt.Sprintf("x%d", k))
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
	builtin, err := plan.Builtin()
	if err != nil {
		b.Fatal(err)
	}
	units := filepath.Join(dir, "units.csv")
	if err := os.WriteFile(units, sample.ScaledUnits(builtin.Registry, k), 0o644); err != nil {
		b.Fatal(err)
	}
	read := func(p string) []byte {
		data, err := os.ReadFile(filepath.Join("..", "data", p))
		if err != nil {
			b.Fatal(err)
		}
		return data
	}
	scaled := plan.Resolve(plan.Source{Name: "plan", Data: read("plan/liaocheng-2021.txt")}, plan.Source{Name: units, Data: must(os.ReadFile(units))},
		plan.Source{Name: "groups", Data: read("groups.csv")}, plan.Source{Name: "related", Data: read("plan/liaocheng-2021.related.csv")})
	if scaled.Problems.Errors() > 0 {
		b.Fatal(scaled.Problems)
	}
	data := filepath.Join(dir, "data")
	man, err := sample.GenerateScaled(data, scaled.Catalog, scaled.Registry, scaled.Assignments, k, sample.Options{Seed: sample.DefaultSeed})
	if err != nil {
		b.Fatal(err)
	}
	db := filepath.Join(dir, "plantrack.duckdb")
	b.ResetTimer()
	r := scaleRow{scale: k, files: man.Files, rows: man.Rows}
	r.ingest = timed(b, "ingest", "--db", db, "--units", units, data)
	r.transform = timed(b, "export", "--db", db, "--out", filepath.Join(dir, "parquet"))
	r.report = timed(b, "report", "--db", db, "--out", filepath.Join(dir, "reports"))
	b.StopTimer()
	if st, err := os.Stat(db); err == nil {
		r.dbMB = float64(st.Size()) / (1 << 20)
	}
	r.duckRate = duckReadCSV(b, dir, data)
	b.ReportMetric(float64(r.rows)/r.ingest.wall.Seconds(), "rows/s")
	b.ReportMetric(r.duckRate, "duckdb-rows/s")
	b.ReportMetric(float64(max(r.ingest.maxRSS, r.transform.maxRSS, r.report.maxRSS))/1024, "peak-RSS-MB")
	return r
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

// duckReadCSV times DuckDB's read_csv of the sample's UTF-8 CSV files (DuckDB reads no
// GBK) into a table, and returns its rows per second.
func duckReadCSV(b *testing.B, dir, data string) float64 {
	var files []string
	filepath.WalkDir(data, func(p string, d os.DirEntry, err error) error {
		if err == nil && strings.HasSuffix(p, ".csv") {
			if raw, err := os.ReadFile(p); err == nil && utf8.Valid(raw) {
				files = append(files, "'"+strings.ReplaceAll(p, "'", "''")+"'")
			}
		}
		return nil
	})
	if len(files) == 0 {
		return 0
	}
	db, err := sql.Open("duckdb", filepath.Join(dir, "reference.duckdb"))
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	start := time.Now()
	q := "CREATE TABLE t AS SELECT * FROM read_csv([" + strings.Join(files, ",") + "], union_by_name = true, all_varchar = true, null_padding = true, ignore_errors = true)"
	if _, err := db.ExecContext(context.Background(), q); err != nil {
		b.Fatal(err)
	}
	took := time.Since(start)
	var n int
	db.QueryRow("SELECT count(*) FROM t").Scan(&n)
	return float64(n) / took.Seconds()
}

func scaleTable(rows []scaleRow) string {
	var s strings.Builder
	s.WriteString("| scale | files | reports | ingest | rows/s | DuckDB read_csv rows/s | ratio | transform | report | total | database | peak RSS |\n")
	s.WriteString("|---|---|---|---|---|---|---|---|---|---|---|---|\n")
	for _, r := range rows {
		rate := float64(r.rows) / r.ingest.wall.Seconds()
		ratio := 0.0
		if r.duckRate > 0 {
			ratio = rate / r.duckRate
		}
		total := r.ingest.wall + r.transform.wall + r.report.wall
		fmt.Fprintf(&s, "| %d× | %d | %d | %.1f s | %.0f | %.0f | %.2f | %.1f s | %.1f s | %.1f s | %.0f MB | %.0f MB |\n",
			r.scale, r.files, r.rows, r.ingest.wall.Seconds(), rate, r.duckRate, ratio, r.transform.wall.Seconds(), r.report.wall.Seconds(),
			total.Seconds(), r.dbMB, float64(max(r.ingest.maxRSS, r.transform.maxRSS, r.report.maxRSS))/1024)
	}
	return s.String()
}

// costChart draws the seconds of each step against the number of reports.
func costChart(png string, rows []scaleRow) error {
	var sizes []string
	series := []reports.Series{{Name: "ingest"}, {Name: "transform"}, {Name: "report"}, {Name: "total"}}
	for _, r := range rows {
		sizes = append(sizes, fmt.Sprintf("%d×（%d）", r.scale, r.rows))
		secs := func(s step) float64 { return math.Round(s.wall.Seconds()*10) / 10 }
		series[0].Values = append(series[0].Values, secs(r.ingest))
		series[1].Values = append(series[1].Values, secs(r.transform))
		series[2].Values = append(series[2].Values, secs(r.report))
		series[3].Values = append(series[3].Values, secs(r.ingest)+secs(r.transform)+secs(r.report))
	}
	return reports.CostChart(context.Background(), png, "plantrack：各步骤耗时随规模增长（2 核）", "秒", sizes, series)
}
