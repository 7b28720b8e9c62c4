package bench

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"plantrack/plan"
	"plantrack/sample"
)

// BenchmarkGoals measures the rows of issue 16's table, each against its goal, and prints
// the table (with every run's figures below it); PLANTRACK_GOALS_DOC=FILE also writes it
// there (make bench: docs/bench.md).
//
// Every measurement is a child process: plantrack's CLI (PLANTRACK_BIN, default
// ../../bin/plantrack, copied into the work folder first so a rebuild meanwhile changes
// nothing) and each reference, which is this test binary run again in a reference mode
// (PLANTRACK_BENCH_REF, see goals_ref_test.go) so that it too is a process of its own,
// started, timed and measured the same way. plantrack and its reference alternate,
// PLANTRACK_GOALS_RUNS times each (default 3), the first of a pair swapping each round;
// the table shows medians and plantrack's largest peak RSS.
//
// Inputs are written into PLANTRACK_BENCH_DIR (default ../../out/bench) once and kept
// (the generators give the same bytes each time; the CSVs are named as
// BenchmarkIngestQuoted names them, so the two share them); databases, outputs and each
// process's log go to its goals/ folder, emptied at the start.
//
// PLANTRACK_GOALS=export100,ingest,… measures only those rows (by id or group: export100,
// export1m, ingest (ingest-third, ingest-all, ingest-none), ingest-build, scale, xlsx,
// receipts (receipts-300k, receipts-1.1m), pdf, demo); PLANTRACK_BENCH_ROWS_SCALE=0.01
// scales every row count and city count down (a check of the harness, not of the goals);
// PLANTRACK_GOALS_SCALE_RUNS (default 1) is how often the 1000× monthly job runs (about
// four minutes each).
func BenchmarkGoals(b *testing.B) {
	g := newGoals(b)
	for range b.N {
		g.rows = nil
		for _, d := range goalDefs {
			// Every row is in the table; those not selected only say so.
			row := Row{ID: d.id}
			g.selectedNow = g.selected(d.id, d.group)
			start := time.Now()
			d.measure(g, &row)
			if g.selectedNow {
				b.Logf("%s: %s in %s", row.ID, row.Step, time.Since(start).Round(time.Second))
			}
			g.rows = append(g.rows, row)
		}
	}
	doc := g.document()
	fmt.Println(doc)
	if path := os.Getenv("PLANTRACK_GOALS_DOC"); path != "" {
		if err := os.WriteFile(path, []byte(doc), 0o644); err != nil {
			b.Fatal(err)
		}
		fmt.Println("written to", path)
	}
}

// goalDef is one row of the table: its id, group and how it is measured.
type goalDef struct {
	id, group string
	measure   func(g *goals, r *Row)
}

const (
	processTimeout = 30 * time.Minute
	fullReports    = 1_000_000 // the 1M-row CSVs and workbook
	fullKeys       = 1240      // (unit, task, period) keys of their rows
	exportCities   = 370       // the Liaocheng year ×370: about a million reports
)

var goalDefs = []goalDef{
	{"export100", "export", func(g *goals, r *Row) { g.export(r, 100, "100× year database") }},
	{"export1m", "export", func(g *goals, r *Row) { g.export(r, exportCities, "a database of 1M reports") }},
	{"ingest-third", "ingest", func(g *goals, r *Row) { g.ingest(r, QuotedThird, false, 0.8) }},
	{"ingest-all", "ingest", func(g *goals, r *Row) { g.ingest(r, QuotedAll, false, 0.8) }},
	{"ingest-none", "ingest", func(g *goals, r *Row) { g.ingest(r, QuotedNone, false, 0.8) }},
	{"ingest-build", "", func(g *goals, r *Row) { g.ingest(r, QuotedAll, true, 0.6) }},
	{"scale", "", (*goals).scale},
	{"xlsx", "", (*goals).xlsx},
	{"receipts-300k", "receipts", func(g *goals, r *Row) { g.receipts(r, 300_000) }},
	{"receipts-1.1m", "receipts", func(g *goals, r *Row) { g.receipts(r, 1_100_000) }},
	{"pdf", "", (*goals).pdf},
	{"demo", "", (*goals).demo},
}

// goals is one run of BenchmarkGoals: its settings, folders and rows.
type goals struct {
	b           *testing.B
	dir, work   string // inputs; databases, outputs and logs
	bin         string // plantrack, copied into work
	rowsScale   float64
	runs        int
	scaleRuns   int
	only        map[string]bool
	rows        []Row
	logs        int
	start       time.Time
	loadBefore  string
	version     string // the commit the tree was at when the binary was copied
	selectedNow bool   // the row being measured is selected
}

func newGoals(b *testing.B) *goals {
	g := &goals{b: b, rowsScale: 1, runs: 3, scaleRuns: 1, start: time.Now(), loadBefore: loadAvg()}
	var err error
	if g.dir, err = filepath.Abs(envOr("PLANTRACK_BENCH_DIR", filepath.Join("..", "..", "out", "bench"))); err != nil {
		b.Fatal(err)
	}
	g.work = filepath.Join(g.dir, "goals")
	if err := os.RemoveAll(g.work); err != nil {
		b.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(g.work, "logs"), 0o755); err != nil {
		b.Fatal(err)
	}
	if s := os.Getenv("PLANTRACK_BENCH_ROWS_SCALE"); s != "" {
		if g.rowsScale, err = strconv.ParseFloat(s, 64); err != nil || g.rowsScale <= 0 {
			b.Fatalf("PLANTRACK_BENCH_ROWS_SCALE: %q", s)
		}
	}
	for name, p := range map[string]*int{"PLANTRACK_GOALS_RUNS": &g.runs, "PLANTRACK_GOALS_SCALE_RUNS": &g.scaleRuns} {
		if s := os.Getenv(name); s != "" {
			if *p, err = strconv.Atoi(s); err != nil || *p < 1 {
				b.Fatalf("%s: %q", name, s)
			}
		}
	}
	if s := os.Getenv("PLANTRACK_GOALS"); s != "" && s != "all" {
		g.only = map[string]bool{}
		known := map[string]bool{}
		for _, d := range goalDefs {
			known[d.id], known[d.group] = true, true
		}
		for _, id := range strings.Split(s, ",") {
			id = strings.TrimSpace(id)
			if !known[id] {
				b.Fatalf("PLANTRACK_GOALS: no row %q", id)
			}
			g.only[id] = true
		}
	}
	src, err := filepath.Abs(envOr("PLANTRACK_BIN", filepath.Join("..", "..", "bin", "plantrack")))
	if err != nil {
		b.Fatal(err)
	}
	g.version = gitVersion()
	g.bin = filepath.Join(g.work, "plantrack")
	if err := copyFile(src, g.bin, 0o755); err != nil {
		b.Fatalf("plantrack binary (make build first, or set PLANTRACK_BIN): %v", err)
	}
	return g
}

func envOr(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}

func (g *goals) selected(id, group string) bool {
	return g.only == nil || g.only[id] || (group != "" && g.only[group])
}

// active says whether the row (its step and goal described) is measured in this run, and
// marks it when not.
func (g *goals) active(r *Row) bool {
	r.NotRun = !g.selectedNow
	return g.selectedNow
}

// n scales a row or city count by PLANTRACK_BENCH_ROWS_SCALE (at least 1).
func (g *goals) n(full int) int { return max(1, int(math.Round(float64(full)*g.rowsScale))) }

// path is a fresh path in the work folder, whatever was there removed.
func (g *goals) path(name string) string {
	p := filepath.Join(g.work, name)
	os.RemoveAll(p)
	os.Remove(p + ".wal")
	return p
}

func (g *goals) logPath(name string) string {
	g.logs++
	return filepath.Join(g.work, "logs", fmt.Sprintf("%03d-%s.log", g.logs, name))
}

// plantrack runs the CLI with args and measures it.
func (g *goals) plantrack(args ...string) Run {
	return RunProcess(g.logPath(args[0]), processTimeout, nil, g.bin, args...)
}

// reference runs this test binary in a reference mode (goals_ref_test.go) with args.
func (g *goals) reference(mode string, args ...string) Run {
	return RunProcess(g.logPath("ref-"+mode), processTimeout,
		[]string{"PLANTRACK_BENCH_REF=" + mode, "PLANTRACK_BENCH_REF_ARGS=" + strings.Join(args, "\n")},
		os.Args[0], "-test.run=^$", "-test.bench=^$")
}

// interleave runs plantrack and its reference in turn, g.runs times each, the one going
// first swapping every round; each function makes its own fresh outputs.
func (g *goals) interleave(r *Row, ours, ref func(i int) Run) {
	for i := range g.runs {
		if i%2 == 0 {
			r.Ours = append(r.Ours, ours(i))
			r.Ref = append(r.Ref, ref(i))
		} else {
			r.Ref = append(r.Ref, ref(i))
			r.Ours = append(r.Ours, ours(i))
		}
	}
}

// repeat runs plantrack alone n times.
func repeat(n int, ours func(i int) Run) []Run {
	var rs []Run
	for i := range n {
		rs = append(rs, ours(i))
	}
	return rs
}

// rowsLabel writes a row count as the table says it: 1M, 1.1M, 300k, 10,000.
func rowsLabel(n int) string {
	switch {
	case n >= 1_000_000 && n%100_000 == 0:
		return strings.TrimSuffix(strconv.FormatFloat(float64(n)/1e6, 'f', 1, 64), ".0") + "M"
	case n >= 1000 && n%1000 == 0:
		return strconv.Itoa(n/1000) + "k"
	}
	return thousands(float64(n))
}

// ---- the rows ----

// export: plantrack export of the Liaocheng year at k cities against DuckDB's plain COPY
// of the same relations.
func (g *goals) export(r *Row, k int, what string) {
	k = g.n(k)
	r.Step = "export (every table and view to Parquet), " + what
	if g.rowsScale != 1 {
		r.Step += fmt.Sprintf(" (scaled: %d×)", k)
	}
	r.RefName = "DuckDB plain COPY of the same relations"
	r.Goal = Goal{MaxRatio: 1.25}
	if !g.active(r) {
		return
	}
	units, data, man, err := g.scaled(k, 1)
	if err != nil {
		r.Skipped = err.Error()
		return
	}
	db := g.path(fmt.Sprintf("export-x%d.duckdb", k))
	if run := g.plantrack("ingest", "--db", db, "--units", units, data); run.Err != "" {
		r.Skipped = "making the database: " + run.Err
		return
	}
	reports := g.count(db, "SELECT count(*) FROM submissions")
	r.Notes = append(r.Notes, fmt.Sprintf("%d cities: %d rows in %d files, %s submissions in the database", k, man.Rows, man.Files, reports))
	g.interleave(r, func(i int) Run {
		out := g.path("export-ours")
		defer os.RemoveAll(out)
		return g.plantrack("export", "--db", db, "--out", out)
	}, func(i int) Run {
		out := g.path("export-ref")
		defer os.RemoveAll(out)
		return g.reference("copy", db, out)
	})
	os.Remove(db)
}

// count answers a query on a database with plantrack sql ("?" if it cannot).
func (g *goals) count(db, q string) string {
	out, err := exec.Command(g.bin, "sql", "--db", db, q).Output()
	if err != nil {
		return "?"
	}
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	return lines[len(lines)-1]
}

// ingest: plantrack ingest (--no-build unless build) of a 1M-row CSV on 1,240 keys against
// DuckDB's read_csv of the same file into a database file.
func (g *goals) ingest(r *Row, quoted string, build bool, speed float64) {
	rows := g.n(fullReports)
	notes := map[string]string{QuotedThird: "a third of the notes quoted (ASCII comma inside, as Excel writes)",
		QuotedAll: "every note quoted", QuotedNone: "no note quoted"}[quoted]
	if build {
		r.Step = fmt.Sprintf("`ingest` with the build, %s, %s reports on %s keys", notes, rowsLabel(rows), thousands(fullKeys))
	} else {
		r.Step = fmt.Sprintf("`ingest --no-build`, %s-row UTF-8 CSV, %s", rowsLabel(rows), notes)
	}
	r.RefName = "DuckDB `CREATE TABLE t AS SELECT * FROM read_csv(…)` in its own process, into a database file"
	r.Rows = rows
	r.Goal = Goal{MinSpeed: speed}
	if !g.active(r) {
		return
	}
	csv, err := g.csv(quoted, rows, fullKeys)
	if err != nil {
		r.Skipped = err.Error()
		return
	}
	r.Notes = append(r.Notes, "input: "+fileNote(csv))
	args := []string{"ingest"}
	if !build {
		args = append(args, "--no-build")
	}
	g.interleave(r, func(i int) Run {
		db := g.path("ingest-ours.duckdb")
		return g.plantrack(append(args, "--db", db, csv)...)
	}, func(i int) Run {
		db := g.path("ingest-ref.duckdb")
		return g.reference("read_csv", db, csv)
	})
	g.path("ingest-ours.duckdb")
	g.path("ingest-ref.duckdb")
}

// scale: the whole job on the Liaocheng year at 1000 cities reporting monthly.
func (g *goals) scale(r *Row) {
	k := g.n(1000)
	r.Step = fmt.Sprintf("%d× monthly (bench.GenerateScaled, rounds 3, k=%d): `ingest --no-build`, `build`, `export`, `report`", k, k)
	r.Goal = Goal{MaxSeconds: 100, MaxRSSMB: 1.2 * 1024}
	if !g.active(r) {
		return
	}
	units, data, man, err := g.scaled(k, 3)
	if err != nil {
		r.Skipped = err.Error()
		return
	}
	r.Rows = man.Rows
	r.Notes = append(r.Notes, fmt.Sprintf("%d rows in %d files; each step its own process, as BenchmarkScale runs them (docs/scale.md)", man.Rows, man.Files))
	r.Ours = repeat(g.scaleRuns, func(i int) Run {
		db, out := g.path("scale.duckdb"), g.path("scale-out")
		defer os.RemoveAll(out)
		defer os.Remove(db)
		names := []string{"ingest", "build", "export", "report"}
		var runs []Run
		for _, args := range [][]string{
			{"ingest", "--no-build", "--db", db, "--units", units, data},
			{"build", "--db", db},
			{"export", "--db", db, "--out", filepath.Join(out, "parquet")},
			{"report", "--db", db, "--out", filepath.Join(out, "reports")},
		} {
			run := g.plantrack(args...)
			runs = append(runs, run)
			if run.Err != "" {
				break
			}
		}
		return Sum(names[:len(runs)], runs)
	})
}

// xlsx: plantrack ingest --no-build of one 1M-row workbook.
func (g *goals) xlsx(r *Row) {
	rows := g.n(fullReports)
	r.Step = fmt.Sprintf("one %s-row .xlsx, `ingest --no-build`", rowsLabel(rows))
	r.Rows = rows
	r.Goal = Goal{MaxRSSMB: 1024, MinRate: 50_000}
	if !g.active(r) {
		return
	}
	path := filepath.Join(g.dir, fmt.Sprintf("submissions-%d-%d.xlsx", rows, fullKeys))
	if _, err := os.Stat(path); err != nil {
		start := time.Now()
		if err := WriteSubmissionsXLSX(path, rows, fullKeys); err != nil {
			r.Skipped = "writing the workbook: " + err.Error()
			return
		}
		g.b.Logf("wrote %s in %s", path, time.Since(start).Round(time.Second))
	}
	r.Notes = append(r.Notes, "input: "+fileNote(path)+" (bench.WriteSubmissionsXLSX: headers on row 1, typed cells, inline strings)")
	r.Ours = repeat(g.runs, func(i int) Run {
		db := g.path("xlsx.duckdb")
		defer os.Remove(db)
		return g.plantrack("ingest", "--no-build", "--db", db, path)
	})
}

// receipts: plantrack ingest --receipts of one CSV against the same ingest without.
func (g *goals) receipts(r *Row, full int) {
	rows := g.n(full)
	r.Step = fmt.Sprintf("`ingest --receipts DIR` of a %s-row CSV", rowsLabel(rows))
	r.RefName = "the same ingest without receipts"
	r.Rows = rows
	r.Goal = Goal{MaxRSSMB: 1024}
	if !g.active(r) {
		return
	}
	csv, err := g.csv(QuotedThird, rows, fullKeys)
	if err != nil {
		r.Skipped = err.Error()
		return
	}
	r.Notes = append(r.Notes, "input: "+fileNote(csv)+"; both with the build (receipts read the models)")
	g.interleave(r, func(i int) Run {
		db, out := g.path("receipts-ours.duckdb"), g.path("receipts")
		defer os.RemoveAll(out)
		return g.plantrack("ingest", "--db", db, "--receipts", out, csv)
	}, func(i int) Run {
		db := g.path("receipts-ref.duckdb")
		return g.plantrack("ingest", "--db", db, csv)
	})
	g.path("receipts-ours.duckdb")
	g.path("receipts-ref.duckdb")
}

// pdf: report --pdf of the sample year against the same report's HTML alone.
func (g *goals) pdf(r *Row) {
	r.Step = "`report --pdf` of the sample year (`demo --years 1`)"
	r.RefName = "the same pages' HTML (`report` without --pdf)"
	r.Goal = Goal{MaxSeconds: 15}
	if !g.active(r) {
		return
	}
	demo := g.path("pdf-demo")
	if run := g.plantrack("demo", "--years", "1", "--out", demo); run.Err != "" {
		r.Skipped = "plantrack demo --years 1: " + run.Err
		return
	}
	db := filepath.Join(demo, "plantrack.duckdb")
	pages := 0
	g.interleave(r, func(i int) Run {
		out := g.path("pdf-ours")
		run := g.plantrack("report", "--db", db, "--out", out, "--pdf")
		pages = 0
		filepath.WalkDir(out, func(p string, d os.DirEntry, err error) error {
			if err == nil && strings.HasSuffix(p, ".pdf") {
				pages++
			}
			return nil
		})
		os.RemoveAll(out)
		return run
	}, func(i int) Run {
		out := g.path("pdf-ref")
		defer os.RemoveAll(out)
		return g.plantrack("report", "--db", db, "--out", out)
	})
	r.Notes = append(r.Notes, fmt.Sprintf("%d PDF files written by the last run; Chromium's own processes may not be counted in the CPU time and peak memory", pages))
	os.RemoveAll(demo)
}

// demo: plantrack demo, the default (two years).
func (g *goals) demo(r *Row) {
	r.Step = "`plantrack demo`"
	r.Goal = Goal{MaxSeconds: 1.5}
	if !g.active(r) {
		return
	}
	r.Ours = repeat(g.runs, func(i int) Run {
		out := g.path("demo")
		defer os.RemoveAll(out)
		return g.plantrack("demo", "--out", out)
	})
	r.Notes = append(r.Notes, "the default demo: two years, a review round, an edition, the Word documents")
}

// ---- inputs ----

// csv is the CSV (bench.WriteSubmissionsCSV), written when missing.
func (g *goals) csv(quoted string, rows, keys int) (string, error) {
	path := filepath.Join(g.dir, fmt.Sprintf("submissions-%s-%d-%d.csv", quoted, rows, keys))
	if _, err := os.Stat(path); err == nil {
		return path, nil
	}
	start := time.Now()
	tmp := filepath.Join(g.dir, ".tmp-"+filepath.Base(path))
	if err := WriteSubmissionsCSV(tmp, rows, quoted, keys); err != nil {
		os.Remove(tmp)
		return "", fmt.Errorf("writing %s: %w", path, err)
	}
	if err := os.Rename(tmp, path); err != nil {
		return "", err
	}
	g.b.Logf("wrote %s in %s", path, time.Since(start).Round(time.Second))
	return path, nil
}

// scaled is the Liaocheng year at k cities (bench.GenerateScaled, copies reporting rounds
// times a quarter) and its units CSV, written when missing.
func (g *goals) scaled(k, rounds int) (units, data string, man ScaleManifest, err error) {
	dir := filepath.Join(g.dir, fmt.Sprintf("scaled-x%d-r%d", k, rounds))
	units, data = filepath.Join(dir, "units.csv"), filepath.Join(dir, "data")
	done := filepath.Join(dir, "manifest.json")
	if raw, err := os.ReadFile(done); err == nil && json.Unmarshal(raw, &man) == nil {
		return units, data, man, nil
	}
	start := time.Now()
	if err := os.RemoveAll(dir); err != nil {
		return "", "", man, err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", "", man, err
	}
	builtin, err := plan.Builtin()
	if err != nil {
		return "", "", man, err
	}
	unitsCSV := ScaledUnits(builtin.Registry, k)
	if err := os.WriteFile(units, unitsCSV, 0o644); err != nil {
		return "", "", man, err
	}
	var srcs []plan.Source
	for _, s := range []struct{ name, path string }{{"plan", "plan/liaocheng-2021.txt"}, {"units", ""}, {"groups", "groups.csv"}, {"related", "plan/liaocheng-2021.related.csv"}} {
		raw := unitsCSV
		if s.path != "" {
			if raw, err = os.ReadFile(filepath.Join("..", "..", "data", s.path)); err != nil {
				return "", "", man, err
			}
		}
		srcs = append(srcs, plan.Source{Name: s.name, Data: raw})
	}
	p := plan.Resolve(srcs[0], srcs[1], srcs[2], srcs[3])
	if p.Problems.Errors() > 0 {
		return "", "", man, fmt.Errorf("the plan at %d cities: %v", k, p.Problems)
	}
	if man, err = GenerateScaled(data, p, k, rounds, sample.Options{Seed: sample.DefaultSeed}); err != nil {
		return "", "", man, err
	}
	raw, _ := json.Marshal(man)
	if err := os.WriteFile(done, raw, 0o644); err != nil {
		return "", "", man, err
	}
	g.b.Logf("wrote %s (%d rows, %d files) in %s", dir, man.Rows, man.Files, time.Since(start).Round(time.Second))
	return units, data, man, nil
}

func fileNote(path string) string {
	st, err := os.Stat(path)
	if err != nil {
		return filepath.Base(path)
	}
	return fmt.Sprintf("%s (%d MB)", filepath.Base(path), st.Size()>>20)
}

func copyFile(from, to string, mode os.FileMode) error {
	in, err := os.Open(from)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(to, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, mode)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}

// ---- the document ----

func (g *goals) document() string {
	var s strings.Builder
	s.WriteString("# Issue 16: the goals, measured\n\n")
	fmt.Fprintf(&s, "Measured %s by BenchmarkGoals (internal/bench, run by `make bench`), on %s.\n", g.start.Format("2006-01-02 15:04 MST"), machine())
	fmt.Fprintf(&s, "Load average (1, 5, 15 min) %s at the start, %s at the end: the machine is shared.\n", g.loadBefore, loadAvg())
	if g.version != "" {
		fmt.Fprintf(&s, "The tree at the start: %s.\n", g.version)
	}
	if g.rowsScale != 1 {
		fmt.Fprintf(&s, "\n**Row and city counts scaled ×%s (PLANTRACK_BENCH_ROWS_SCALE): a check of the harness; the goals are for the full sizes.**\n", trimFloat(g.rowsScale))
	}
	fmt.Fprintf(&s, "\nEach row runs plantrack's command as a child process and its reference in a process of its own, alternating, %d times each (the 1000× job %d); times are medians (wall clock), the ratio is median to median, peak RSS the largest of plantrack's runs (MB = 2^20 bytes, GB = 1024 MB).\n\n", g.runs, g.scaleRuns)
	s.WriteString(Table(g.rows))
	s.WriteString(`
References (goals_ref_test.go; DuckDB with extension autoinstall and autoload off, as store.Open sets them):

- *DuckDB plain COPY*: the database opened read-only as plantrack opens it (store.OpenReadOnly: its memory limit, insertion order not kept), then ` + "`COPY (SELECT * FROM name) TO 'name.parquet' (FORMAT parquet)`" + ` for each relation of ` + "`plantrack export`" + ` (store.Tables and transform.Views), one after another.
- *read_csv*: a new database file, ` + "`CREATE TABLE t AS SELECT * FROM read_csv('file.csv', header = true)`" + `, closed; DuckDB's other settings as they come.
- The ratio of an ingest row is the reference's time over plantrack's (plantrack's speed against read_csv); of the others plantrack's time over the reference's.

Every run:

`)
	s.WriteString(Details(g.rows))
	s.WriteString(`
Running it: ` + "`make bench`" + ` runs the older benchmarks first and these last; ` + "`make bench BENCH_PARTS=goals`" + ` runs these alone
(about half an hour on 2 cores), ` + "`GOALS=export100,ingest`" + ` some rows (export100, export1m, ingest = ingest-third, ingest-all
and ingest-none, ingest-build, scale, xlsx, receipts = receipts-300k and receipts-1.1m, pdf, demo), ` + "`BENCH_ROWS_SCALE=0.01 GOALS_RUNS=1`" + `
a quick check of the harness with every row and city count scaled down. Only a whole run at full size writes docs/bench.md;
others write out/bench/bench.md. Inputs are written once into out/bench and reused; out/bench/goals keeps the log of every
process (logs/NNN-command.log). Directly: ` + "`PLANTRACK_BIN=$PWD/bin/plantrack go test -tags=duckdb_arrow -run='^$' -bench=BenchmarkGoals -benchtime=1x -timeout=90m ./internal/bench`" + `
with PLANTRACK_GOALS, PLANTRACK_GOALS_RUNS, PLANTRACK_GOALS_SCALE_RUNS, PLANTRACK_BENCH_ROWS_SCALE, PLANTRACK_BENCH_DIR and PLANTRACK_GOALS_DOC.
`)
	return s.String()
}

// machine names the cores, memory and CPU model.
func machine() string {
	memory := "?"
	if raw, err := os.ReadFile("/proc/meminfo"); err == nil {
		for _, line := range strings.Split(string(raw), "\n") {
			if f := strings.Fields(line); len(f) >= 2 && f[0] == "MemTotal:" {
				if kb, err := strconv.ParseFloat(f[1], 64); err == nil {
					memory = fmt.Sprintf("%.1f GiB", kb/(1<<20))
				}
			}
		}
	}
	model := "?"
	if raw, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for _, line := range strings.Split(string(raw), "\n") {
			if k, v, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(k) == "model name" {
				model = strings.TrimSpace(v)
				break
			}
		}
	}
	return fmt.Sprintf("%d cores (nproc), %s memory, CPU %s, %s/%s", runtime.NumCPU(), memory, model, runtime.GOOS, runtime.GOARCH)
}

func loadAvg() string {
	raw, err := os.ReadFile("/proc/loadavg")
	if f := strings.Fields(string(raw)); err == nil && len(f) >= 3 {
		return strings.Join(f[:3], " ")
	}
	return "?"
}

// gitVersion is the commit the tree is at, and whether files differ from it.
func gitVersion() string {
	head, err := exec.Command("git", "rev-parse", "--short", "HEAD").Output()
	if err != nil {
		return ""
	}
	v := "commit " + strings.TrimSpace(string(head))
	if st, err := exec.Command("git", "status", "--porcelain", "--untracked-files=no").Output(); err == nil {
		if n := len(slices.DeleteFunc(strings.Split(string(st), "\n"), func(l string) bool { return strings.TrimSpace(l) == "" })); n > 0 {
			v += fmt.Sprintf(" with %d changed files not yet committed", n)
		}
	}
	return v
}
