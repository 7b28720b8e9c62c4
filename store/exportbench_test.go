package store

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"plantrack/internal/testkit"
	"plantrack/transform"
)

// BenchmarkExportAgainstCopy sets Export beside ReferenceCopy (DuckDB's plain COPY of the
// same relations: every table and metric view), on the databases PLANTRACK_EXPORT_DBS
// names (comma-separated; made beforehand, e.g. by BenchmarkExport in ./cli or plantrack
// ingest), in the same process, alternating, b.N rounds. The machine is shared, so each
// round opens the database and times, one after the other, the reference, Export, the
// reference with DuckDB's own PARTITION_BY folders and Export with --partition's, and
// says how much of the machine other processes took meanwhile (a round where they took
// much says little). Each round is printed on stderr; reported are the least and the
// median of the rounds, wall and CPU time (user + system, every thread of the process),
// and the ratios to the reference. Each round's export is checked to write the same
// bytes as the first round's.
func BenchmarkExportAgainstCopy(b *testing.B) {
	dbs := os.Getenv("PLANTRACK_EXPORT_DBS")
	if dbs == "" {
		b.Skip("PLANTRACK_EXPORT_DBS names the databases")
	}
	views, err := transform.Views()
	if err != nil {
		b.Fatal(err)
	}
	names := append(slices.Clone(Tables), views...)
	ctx := context.Background()
	for _, path := range strings.Split(dbs, ",") {
		b.Run(filepath.Base(path), func(b *testing.B) {
			dir := b.TempDir()
			type timing struct {
				wall, cpu []time.Duration
				others    []float64 // the share of the machine other processes took meanwhile
			}
			var ref, refParted, ours, parted timing
			// Each run on the database opened anew (not timed): the reference may spill, and
			// a database that has spilled exports no more; and the bytes must not depend on
			// it.
			measure := func(t *timing, f func(db *DB) error) {
				db, err := OpenReadOnly(ctx, path)
				if err != nil {
					b.Fatal(err)
				}
				defer db.Close()
				c0, w0, s0 := processCPU(), time.Now(), machineBusy()
				if err := f(db); err != nil {
					b.Fatal(err)
				}
				wall, cpu := time.Since(w0), processCPU()-c0
				t.wall = append(t.wall, wall)
				t.cpu = append(t.cpu, cpu)
				t.others = append(t.others, max(0, (machineBusy()-s0-cpu).Seconds()/(wall.Seconds()*float64(runtime.NumCPU()))))
			}
			var first map[string][]byte
			for i := range b.N {
				out := filepath.Join(dir, fmt.Sprint(i))
				measure(&ref, func(db *DB) error { _, err := db.ReferenceCopy(ctx, filepath.Join(out, "ref"), names, nil); return err })
				measure(&ours, func(db *DB) error { return db.Export(ctx, filepath.Join(out, "ours"), names, nil) })
				measure(&refParted, func(db *DB) error {
					_, err := db.ReferenceCopy(ctx, filepath.Join(out, "refparted"), names, Partitioned)
					return err
				})
				measure(&parted, func(db *DB) error {
					return db.ExportPartitioned(ctx, filepath.Join(out, "parted"), names, Partitioned, nil)
				})
				files := testkit.ReadTree(b, filepath.Join(out, "ours"))
				if first == nil {
					first = files
				} else if !equalTrees(first, files) {
					b.Errorf("round %d: export wrote other bytes than round 1", i+1)
				}
				// On stderr, as the testing package cuts a benchmark's log short.
				fmt.Fprintf(os.Stderr, "%s round %d: reference %.2f s (cpu %.2f s, others %.0f%%), export %.2f s (cpu %.2f s, others %.0f%%) = %.2f×; partitioned: reference %.2f s (cpu %.2f s, others %.0f%%), export %.2f s (cpu %.2f s, others %.0f%%) = %.2f×\n",
					filepath.Base(path), i+1, ref.wall[i].Seconds(), ref.cpu[i].Seconds(), 100*ref.others[i], ours.wall[i].Seconds(), ours.cpu[i].Seconds(), 100*ours.others[i], ours.wall[i].Seconds()/ref.wall[i].Seconds(),
					refParted.wall[i].Seconds(), refParted.cpu[i].Seconds(), 100*refParted.others[i], parted.wall[i].Seconds(), parted.cpu[i].Seconds(), 100*parted.others[i], parted.wall[i].Seconds()/refParted.wall[i].Seconds())
				os.RemoveAll(out)
			}
			least := func(ds []time.Duration) float64 { return slices.Min(ds).Seconds() }
			median := func(ds []time.Duration) float64 {
				s := slices.Clone(ds)
				slices.Sort(s)
				return s[len(s)/2].Seconds()
			}
			// The rounds others left alone (under a tenth of the machine taken by others, in
			// both runs set against each other).
			var quiet, quietParted []float64
			for i := range b.N {
				if max(ref.others[i], ours.others[i]) < 0.1 {
					quiet = append(quiet, ours.wall[i].Seconds()/ref.wall[i].Seconds())
				}
				if max(refParted.others[i], parted.others[i]) < 0.1 {
					quietParted = append(quietParted, parted.wall[i].Seconds()/refParted.wall[i].Seconds())
				}
			}
			slices.Sort(quiet)
			slices.Sort(quietParted)
			b.Logf("quiet rounds: export/reference %.2f; partitioned %.2f", quiet, quietParted)
			b.ReportMetric(least(ref.wall), "reference-s")
			b.ReportMetric(least(ours.wall), "export-s")
			b.ReportMetric(least(ours.wall)/least(ref.wall), "export/reference")
			b.ReportMetric(least(parted.wall)/least(refParted.wall), "partition/reference")
			b.Logf("%s, %d relations, %d rounds: least (median) reference %.2f s (%.2f), cpu %.2f s; export %.2f s (%.2f), cpu %.2f s: %.2f× (median %.2f×, cpu %.2f×); partitioned: reference %.2f s (%.2f), export %.2f s (%.2f): %.2f× (median %.2f×)",
				path, len(names), b.N, least(ref.wall), median(ref.wall), least(ref.cpu), least(ours.wall), median(ours.wall), least(ours.cpu),
				least(ours.wall)/least(ref.wall), median(ours.wall)/median(ref.wall), least(ours.cpu)/least(ref.cpu),
				least(refParted.wall), median(refParted.wall), least(parted.wall), median(parted.wall), least(parted.wall)/least(refParted.wall), median(parted.wall)/median(refParted.wall))
		})
	}
}

// processCPU is the CPU time this process has used, user and system, every thread.
func processCPU() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// machineBusy is the CPU time every process on the machine has used since it started
// (/proc/stat: all but idle and iowait), to tell how much of a measurement others took; 0
// where there is no /proc/stat.
func machineBusy() time.Duration {
	data, err := os.ReadFile("/proc/stat")
	if err != nil {
		return 0
	}
	line, _, _ := strings.Cut(string(data), "\n")
	fields := strings.Fields(line)
	var busy int64
	for i, f := range fields[1:] {
		n, _ := strconv.ParseInt(f, 10, 64)
		if i != 3 && i != 4 && i < 8 { // idle, iowait; guest time is counted in user already
			busy += n
		}
	}
	return time.Duration(busy) * time.Second / 100 // USER_HZ
}
