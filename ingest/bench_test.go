package ingest

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"

	"plantrack/internal/bench"
	"plantrack/internal/testkit"
	"plantrack/plan"
)

var benchRows = flag.Int("bench.rows", 2_000_000, "rows in the CSV the ingest benchmark reads")

var (
	benchOnce sync.Once
	benchFile string
)

// benchCSV writes, once per run, a CSV of realistic submission rows (about 180 bytes each:
// 2 million rows are about 360 MB), with the forms offices write and 1% bad rows.
func benchCSV(b *testing.B) string {
	benchOnce.Do(func() {
		p := testkit.Builtin(b)
		// PLANTRACK_BENCH_CSV keeps the file where the bench driver times the CLI on it.
		benchFile = os.Getenv("PLANTRACK_BENCH_CSV")
		if benchFile == "" {
			dir, err := os.MkdirTemp("", "plantrack-bench")
			if err != nil {
				b.Fatal(err)
			}
			benchFile = filepath.Join(dir, "submissions.csv")
		}
		f, err := os.Create(benchFile)
		if err != nil {
			b.Fatal(err)
		}
		w := bufio.NewWriterSize(f, 1<<20)
		w.WriteString(header)
		rng := rand.New(rand.NewPCG(1, 2))
		var names []string
		for _, u := range p.Registry.Units {
			names = append(names, u.Name)
			names = append(names, u.Aliases...)
		}
		periods := []string{"2021Q%d", "2021-Q%d", "2021年第%s季度"}
		cn := []string{"一", "二", "三", "四"}
		statuses := []string{"未启动", "推进中", "进行中", "基本完成", "已完成", "完成"}
		notes := []string{"组织开展法治宣传教育进机关、进乡村、进社区活动第%d场，覆盖群众约%d人次",
			"召开专题会议研究部署法治政府建设重点任务第%d次，形成会议纪要%d份",
			"完成行政规范性文件合法性审核%d件，提出修改完善意见%d条，均已采纳",
			"开展行政执法案卷评查%d卷，发现问题%d个并逐项督促整改到位"}
		for i := range *benchRows {
			q := 1 + i%4
			per := periods[i%3]
			if strings.Contains(per, "%s") {
				per = fmt.Sprintf(per, cn[q-1])
			} else {
				per = fmt.Sprintf(per, q)
			}
			task := strconv.Itoa(1 + rng.IntN(31))
			if i%100 == 99 {
				task = "99" // rejected: not a task
			}
			pct := rng.IntN(101)
			fmt.Fprintf(w, "%s,%s,%s,%s,%d%%,,%s,%s,2021-%02d-%02d\n",
				names[rng.IntN(len(names))], per, task, statuses[rng.IntN(len(statuses))], pct,
				fmt.Sprintf(notes[i%len(notes)], rng.IntN(500), rng.IntN(5000)),
				[]string{"", "会议纪要.pdf", "工作台账.xlsx"}[i%3], 3*q, 1+rng.IntN(28))
		}
		if err := w.Flush(); err != nil {
			b.Fatal(err)
		}
		f.Close()
	})
	return benchFile
}

// peakRSS resets (on Linux) and then reads the process's peak resident memory.
func resetPeakRSS() { os.WriteFile("/proc/self/clear_refs", []byte("5"), 0) }

func peakRSSMB() float64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(line, "VmHWM:") {
			kb, _ := strconv.Atoi(strings.Fields(line)[1])
			return float64(kb) / 1024
		}
	}
	return 0
}

// BenchmarkIngestCSV times plantrack's validated ingest of a big CSV and, on the same file,
// DuckDB's own read_csv into a table: the reference rate. Compare their rows/s.
func BenchmarkIngestCSV(b *testing.B) {
	path := benchCSV(b)
	st, _ := os.Stat(path)
	rows := float64(*benchRows)
	b.Logf("%s: %d rows, %d MB", path, *benchRows, st.Size()>>20)
	b.Run("plantrack", func(b *testing.B) {
		resetPeakRSS()
		for range b.N {
			db := openDB(b) // closed, and checked (testkit.Accounted), when the benchmark ends
			sum, err := Ingest(context.Background(), db, plan.Only(testkit.Builtin(b)), []string{path}, Options{Log: benchLog()})
			if err != nil {
				b.Fatal(err)
			}
			if sum.Accepted+sum.Rejected != int64(*benchRows) {
				b.Fatalf("accepted %d + rejected %d != %d", sum.Accepted, sum.Rejected, *benchRows)
			}
		}
		b.ReportMetric(rows*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
		b.ReportMetric(peakRSSMB(), "peak-RSS-MB")
	})
	b.Run("duckdb_read_csv", func(b *testing.B) {
		resetPeakRSS()
		for range b.N {
			db := openDB(b)
			if _, err := db.Exec(fmt.Sprintf("CREATE TABLE t AS SELECT * FROM read_csv('%s', header = true)", path)); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(rows*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
		b.ReportMetric(peakRSSMB(), "peak-RSS-MB")
	})
}

var (
	quotedRows = flag.Int("bench.quoted.rows", 1_000_000, "rows in each CSV BenchmarkIngestQuoted reads")
	quotedKeys = flag.Int("bench.quoted.keys", 1240, "(unit, task, period) keys of BenchmarkIngestQuoted's rows")
)

// BenchmarkIngestQuoted times plantrack's ingest (without the metric models) of the
// issue 16 files (bench.WriteSubmissionsCSV: a million rows on 1,240 keys), with no note
// quoted, a third and all (an ASCII comma in each quoted note), each against DuckDB's
// read_csv of the same file. PLANTRACK_BENCH_DIR keeps the files between runs (they are
// written when missing).
func BenchmarkIngestQuoted(b *testing.B) {
	dir := os.Getenv("PLANTRACK_BENCH_DIR")
	if dir == "" {
		dir = b.TempDir()
	}
	for _, q := range []string{bench.QuotedNone, bench.QuotedThird, bench.QuotedAll} {
		path := filepath.Join(dir, fmt.Sprintf("submissions-%s-%d-%d.csv", q, *quotedRows, *quotedKeys))
		if _, err := os.Stat(path); err != nil {
			if err := bench.WriteSubmissionsCSV(path, *quotedRows, q, *quotedKeys); err != nil {
				b.Fatal(err)
			}
		}
		rows := float64(*quotedRows)
		b.Run(q+"/plantrack", func(b *testing.B) {
			for range b.N {
				db := openDB(b)
				sum, err := Ingest(context.Background(), db, plan.Only(testkit.Builtin(b)), []string{path}, Options{Log: benchLog()})
				if err != nil {
					b.Fatal(err)
				}
				if sum.Accepted != int64(*quotedRows) {
					b.Fatalf("accepted %d of %d", sum.Accepted, *quotedRows)
				}
			}
			b.ReportMetric(rows*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
		})
		b.Run(q+"/duckdb_read_csv", func(b *testing.B) {
			for range b.N {
				db := openDB(b)
				if _, err := db.Exec(fmt.Sprintf("CREATE TABLE t AS SELECT * FROM read_csv('%s', header = true)", path)); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(rows*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
		})
	}
}

// benchLog shows the ingest's own timings under go test -v.
func benchLog() *slog.Logger {
	if !testing.Verbose() {
		return nil
	}
	return slog.New(slog.NewTextHandler(os.Stderr, nil))
}
