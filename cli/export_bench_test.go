package cli

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"plantrack/store"
	"plantrack/transform"
)

// BenchmarkExport sets plantrack's export against DuckDB's bare COPY (SELECT * FROM v) TO
// 'v.parquet' (FORMAT parquet) of the same relations (every table and metric view), on one
// database, in the same run, alternating: the yardstick for export. The database
// is the Liaocheng year at PLANTRACK_EXPORT_CITIES cities (default 370: about a million
// reports), made as BenchmarkScale makes it (ingest --no-build, build); PLANTRACK_EXPORT_DB
// names the database to use, made there if missing (to measure it again later). Each
// round times, in this process, each on the database opened anew, the bare COPY
// (store.ReferenceCopy), Export and Export with --partition's folders, and the whole CLI
// process (plantrack export) for the step time and peak memory docs/scale.md shows.
func BenchmarkExport(b *testing.B) {
	dir := b.TempDir()
	db := os.Getenv("PLANTRACK_EXPORT_DB")
	if _, err := os.Stat(db); db == "" || err != nil {
		cities := 370
		if s := os.Getenv("PLANTRACK_EXPORT_CITIES"); s != "" {
			var err error
			if cities, err = strconv.Atoi(s); err != nil || cities < 1 {
				b.Fatalf("PLANTRACK_EXPORT_CITIES: %q", s)
			}
		}
		if db == "" {
			db = filepath.Join(dir, "plantrack.duckdb")
		}
		exportBenchDB(b, dir, db, cities)
	}
	ctx := context.Background()
	views, err := transform.Views()
	if err != nil {
		b.Fatal(err)
	}
	names := append(slices.Clone(store.Tables), views...)
	// Each run's wall time and CPU time (user + system, all of DuckDB's threads): the
	// machine is shared, and CPU time is what others' load disturbs least. Minimums of the
	// rounds are reported, the runs least disturbed.
	type timing struct{ wall, cpu []time.Duration }
	var bare, ours, parted, cli timing
	measure := func(t *timing, f func()) {
		c0, w0 := cpuTime(b), time.Now()
		f()
		t.wall = append(t.wall, time.Since(w0))
		t.cpu = append(t.cpu, cpuTime(b)-c0)
	}
	var rss int64
	b.ResetTimer()
	for i := range b.N {
		out := filepath.Join(dir, fmt.Sprint("round", i))
		// Each step on the database opened anew (not timed): the bare COPY may spill, and
		// a database that has spilled exports no more (store.Export).
		opened := func(t *timing, f func(s *store.DB) error) {
			s, err := store.OpenReadOnly(ctx, db)
			if err != nil {
				b.Fatal(err)
			}
			defer s.Close()
			measure(t, func() {
				if err := f(s); err != nil {
					b.Fatal(err)
				}
			})
		}
		opened(&bare, func(s *store.DB) error {
			_, err := s.ReferenceCopy(ctx, filepath.Join(out, "bare"), names, nil)
			return err
		})
		opened(&ours, func(s *store.DB) error { return s.Export(ctx, filepath.Join(out, "ours"), names, nil) })
		opened(&parted, func(s *store.DB) error {
			return s.ExportPartitioned(ctx, filepath.Join(out, "parted"), names, store.Partitioned, nil)
		})
		wall, cpu, maxRSS := timedCPU(b, "export", "--db", db, "--out", filepath.Join(out, "cli"))
		cli.wall = append(cli.wall, wall)
		cli.cpu = append(cli.cpu, cpu)
		rss = max(rss, maxRSS)
		b.Logf("round %d: bare COPY %.2f s (cpu %.2f s), export %.2f s (cpu %.2f s), --partition %.2f s (cpu %.2f s), CLI export %.2f s (cpu %.2f s)", i+1,
			bare.wall[i].Seconds(), bare.cpu[i].Seconds(), ours.wall[i].Seconds(), ours.cpu[i].Seconds(),
			parted.wall[i].Seconds(), parted.cpu[i].Seconds(), cli.wall[i].Seconds(), cli.cpu[i].Seconds())
		os.RemoveAll(out)
	}
	b.StopTimer()
	least := func(ds []time.Duration) float64 { return slices.Min(ds).Seconds() }
	b.ReportMetric(least(bare.wall), "bare-copy-s")
	b.ReportMetric(least(ours.wall), "export-s")
	b.ReportMetric(least(parted.wall), "export-partition-s")
	b.ReportMetric(least(cli.wall), "cli-export-s")
	b.ReportMetric(least(ours.wall)/least(bare.wall), "export/copy")
	b.ReportMetric(least(ours.cpu)/least(bare.cpu), "export/copy-cpu")
	b.ReportMetric(least(parted.wall)/least(bare.wall), "partition/copy")
	b.ReportMetric(float64(rss)/1024, "cli-peak-RSS-MB")
	b.Logf("%d relations, best of %d rounds: bare COPY %.2f s (cpu %.2f s), export %.2f s (cpu %.2f s): %.2f× (cpu %.2f×); --partition %.2f s (cpu %.2f s): %.2f× (cpu %.2f×); CLI export %.2f s, peak %d MB",
		len(names), b.N, least(bare.wall), least(bare.cpu), least(ours.wall), least(ours.cpu), least(ours.wall)/least(bare.wall), least(ours.cpu)/least(bare.cpu),
		least(parted.wall), least(parted.cpu), least(parted.wall)/least(bare.wall), least(parted.cpu)/least(bare.cpu), least(cli.wall), rss/1024)
}

// cpuTime is the CPU time this process has used, user and system, all threads.
func cpuTime(b *testing.B) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// timedCPU runs the CLI in a child process, as timed does, and returns its wall time, CPU
// time and peak RSS (KB).
func timedCPU(b *testing.B, args ...string) (wall, cpu time.Duration, maxRSS int64) {
	b.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$", "-test.bench=^$")
	cmd.Env = append(os.Environ(), "PLANTRACK_TEST_CLI_ARGS="+strings.Join(args, "\n"))
	var out strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &out
	start := time.Now()
	if err := cmd.Run(); err != nil {
		b.Fatalf("plantrack %s: %v\n%s", strings.Join(args, " "), err, tail(out.String(), 2000))
	}
	wall = time.Since(start)
	if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		cpu, maxRSS = time.Duration(ru.Utime.Nano()+ru.Stime.Nano()), ru.Maxrss
	}
	return wall, cpu, maxRSS
}

// exportBenchDB makes the database db of the Liaocheng year at k cities, as BenchmarkScale
// does, and says how many reports it holds.
func exportBenchDB(b *testing.B, dir, db string, k int) {
	_, units, data, man := scaledYear(b, dir, k, 1)
	timed(b, "ingest", "--no-build", "--db", db, "--units", units, data)
	timed(b, "build", "--db", db)
	os.RemoveAll(data)
	b.Logf("%d cities: %d reports in %d files", k, man.Rows, man.Files)
}
