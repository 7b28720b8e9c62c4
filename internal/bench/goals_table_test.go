package bench

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func secs(v ...float64) []Run {
	var rs []Run
	for _, s := range v {
		rs = append(rs, Run{Wall: time.Duration(s * float64(time.Second)), MaxRSS: 100 << 10})
	}
	return rs
}

func TestMedian(t *testing.T) {
	for _, c := range []struct {
		in   []float64
		want float64
	}{{nil, 0}, {[]float64{3}, 3}, {[]float64{5, 1, 3}, 3}, {[]float64{4, 1, 3, 2}, 2.5}, {[]float64{9, 9, 1}, 9}} {
		var ds []time.Duration
		for _, s := range c.in {
			ds = append(ds, time.Duration(s*float64(time.Second)))
		}
		if got := Median(ds).Seconds(); got != c.want {
			t.Errorf("Median(%v) = %v, want %v", c.in, got, c.want)
		}
	}
}

func TestGoalsMet(t *testing.T) {
	heavy := secs(2, 2, 2)
	heavy[1].MaxRSS = 1300 << 10 // 1,300 MB in one run
	for _, c := range []struct {
		name  string
		row   Row
		ratio float64 // 0: none
		speed bool
		met   bool
		why   string
	}{
		// Export: plantrack's time over the reference's, at most 1.25.
		{"time ratio met", Row{Goal: Goal{MaxRatio: 1.25}, Ours: secs(12, 10, 11), Ref: secs(9, 10, 8)}, 11.0 / 9, false, true, ""},
		{"time ratio missed", Row{Goal: Goal{MaxRatio: 1.25}, Ours: secs(13, 13, 14), Ref: secs(10, 9, 11)}, 1.3, false, false, "1.30×"},
		// Ingest: the reference's time over plantrack's (its speed), at least 0.8.
		{"speed met", Row{Goal: Goal{MinSpeed: 0.8}, Ours: secs(4, 5, 4.5), Ref: secs(4, 3.6, 5)}, 4.0 / 4.5, true, true, ""},
		{"speed missed", Row{Goal: Goal{MinSpeed: 0.8}, Ours: secs(6, 6, 6), Ref: secs(3, 3, 3)}, 0.5, true, false, "0.50×"},
		{"seconds", Row{Goal: Goal{MaxSeconds: 1.5}, Ours: secs(1.4, 1.6, 1.7)}, 0, false, false, "1.60 s"},
		{"peak and rate", Row{Rows: 100_000, Goal: Goal{MaxRSSMB: 1024, MinRate: 50_000}, Ours: heavy}, 0, false, false, "peak 1300 MB"},
		{"rate missed", Row{Rows: 100_000, Goal: Goal{MinRate: 50_000}, Ours: secs(4, 4, 4)}, 0, false, false, "25,000 rows/s"},
		{"works", Row{Ours: secs(1)}, 0, false, true, ""},
		{"a failed run", Row{Goal: Goal{MaxSeconds: 100}, Ours: []Run{{Wall: time.Second}, {Wall: time.Second, Err: "exit status 1: out of memory"}}}, 0, false, false, "failed: exit status 1: out of memory"},
		{"the reference failed", Row{Goal: Goal{MaxRatio: 1.25}, Ours: secs(1), Ref: []Run{{Err: "exit status 1: boom"}}}, 0, false, false, "not measured: the reference failed: exit status 1: boom"},
		{"skipped", Row{Skipped: "no chromium", Goal: Goal{MaxSeconds: 15}}, 0, false, false, "not measured: no chromium"},
	} {
		ratio, speed, ok := c.row.Ratio()
		if ok != (c.ratio != 0) || (ok && (speed != c.speed || abs(ratio-c.ratio) > 1e-9)) {
			t.Errorf("%s: Ratio() = %v, %v, %v; want %v, %v", c.name, ratio, speed, ok, c.ratio, c.speed)
		}
		met, why := c.row.Met()
		if met != c.met || why != c.why {
			t.Errorf("%s: Met() = %v, %q; want %v, %q", c.name, met, why, c.met, c.why)
		}
	}
}

func abs(v float64) float64 {
	if v < 0 {
		return -v
	}
	return v
}

func TestGoalsTable(t *testing.T) {
	rows := []Row{
		{ID: "export100", Step: "export, 100×", RefName: "DuckDB plain COPY", Goal: Goal{MaxRatio: 1.25}, Ours: secs(2.7, 2.9, 2.8), Ref: secs(2, 2.5, 1.9)},
		{ID: "ingest-third", Step: "`ingest --no-build`, 1M-row CSV", RefName: "read_csv", Rows: 1_000_000, Goal: Goal{MinSpeed: 0.8},
			Ours: secs(4, 5, 4.5), Ref: secs(3.6, 3.7, 3.8)},
		{ID: "scale", Step: "1000× monthly", Rows: 8_143_038, Goal: Goal{MaxSeconds: 100, MaxRSSMB: 1.2 * 1024},
			Ours: []Run{Sum([]string{"ingest", "build"}, []Run{{Wall: 30 * time.Second, MaxRSS: 900 << 10}, {Wall: 40 * time.Second, MaxRSS: 1000 << 10}})}},
		{ID: "xlsx", Step: "one 1M-row .xlsx | pipes", Goal: Goal{MaxRSSMB: 1024, MinRate: 50_000}, Rows: 1_000_000,
			Ours: []Run{{Wall: 3 * time.Second, MaxRSS: 2048 << 10, Err: "exit status 1: refused: it would unpack to 400 MB"}}},
		{ID: "pdf", Step: "report --pdf", RefName: "HTML", Goal: Goal{MaxSeconds: 15}, Skipped: "no chromium"},
		{ID: "demo", Step: "`plantrack demo`", Goal: Goal{MaxSeconds: 1.5}, NotRun: true},
	}
	got := Table(rows)
	want := `| step | plantrack (median) | reference, same run (median) | ratio | plantrack peak RSS | goal | met? |
|---|---|---|---|---|---|---|
| export, 100× | 2.80 s | DuckDB plain COPY: 2.00 s | 1.40× its time | 100 MB | ≤ 1.25× the reference's time | **no** (1.40×) |
| ` + "`ingest --no-build`, 1M-row CSV" + ` | 4.50 s (222,222 rows/s) | read_csv: 3.70 s | 0.82× its speed | 100 MB | ≥ 0.8× the reference's speed | yes |
| 1000× monthly | 70.0 s (116,329 rows/s) | — | — | 1000 MB | ≤ 100 s, peak ≤ 1.2 GB | yes |
| one 1M-row .xlsx \| pipes | failed | — | — | 2048 MB | peak ≤ 1 GB, ≥ 50,000 rows/s | **no** (failed: exit status 1: refused: it would unpack to 400 MB) |
| report --pdf | — | HTML | — | — | ≤ 15 s | **no** (not measured: no chromium) |
| ` + "`plantrack demo`" + ` | — | — | — | — | ≤ 1.5 s | — (not in this run) |
`
	if got != want {
		t.Errorf("Table:\n%s\nwant:\n%s", got, want)
	}
	d := Details(rows)
	if strings.Contains(d, "demo") {
		t.Errorf("Details lists a row not run:\n%s", d)
	}
	for _, s := range []string{"ingest 30.0 s, 900 MB; build 40.0 s, 1000 MB", "FAILED: exit status 1: refused", "**report --pdf** (`pdf`): not measured: no chromium",
		"reference (DuckDB plain COPY): 2.00 s (cpu 0.00 s, 100 MB); 2.50 s"} {
		if !strings.Contains(d, s) {
			t.Errorf("Details lacks %q:\n%s", s, d)
		}
	}
}

func TestRowsLabel(t *testing.T) {
	for n, want := range map[int]string{1_000_000: "1M", 1_100_000: "1.1M", 300_000: "300k", 10_000: "10k", 3_000: "3k", 11_000: "11k", 1234: "1,234", 1: "1"} {
		if got := rowsLabel(n); got != want {
			t.Errorf("rowsLabel(%d) = %q, want %q", n, got, want)
		}
	}
}

// A process's time, peak memory and failure are measured, and its output kept.
func TestRunProcess(t *testing.T) {
	log := filepath.Join(t.TempDir(), "sh.log")
	r := RunProcess(log, time.Minute, []string{"GOALS_TEST=here"}, "sh", "-c", `echo "$GOALS_TEST"; exit 3`)
	if r.Err == "" || !strings.Contains(r.Err, "exit status 3") || !strings.Contains(r.Err, "here") || r.MaxRSS <= 0 || r.Wall <= 0 {
		t.Errorf("RunProcess = %+v", r)
	}
	if raw, _ := os.ReadFile(log); !strings.Contains(string(raw), "here") {
		t.Errorf("log: %q", raw)
	}
	if r := RunProcess(log, 100*time.Millisecond, nil, "sleep", "5"); !strings.Contains(r.Err, "killed after") {
		t.Errorf("timeout: %+v", r)
	}
}
