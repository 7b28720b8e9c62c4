package cli

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"plantrack/internal/bench"
)

// peakRun runs the CLI with args in a child process (this test binary, whose TestMain runs
// the CLI) and returns its output and its peak resident memory in MB, from the rusage the
// kernel keeps for it.
func peakRun(t *testing.T, args ...string) (out string, peakMB int64, took time.Duration) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), "PLANTRACK_TEST_CLI_ARGS="+strings.Join(args, "\n"))
	var b strings.Builder
	cmd.Stdout, cmd.Stderr = &b, &b
	start := time.Now()
	if err := cmd.Run(); err != nil {
		t.Fatalf("plantrack %s: %v\n%s", strings.Join(args, " "), err, b.String())
	}
	ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage)
	if !ok {
		t.Fatalf("no rusage on this system: %T", cmd.ProcessState.SysUsage())
	}
	return b.String(), ru.Maxrss >> 10, time.Since(start) // Maxrss is in KB on Linux
}

// The peak memory of the whole CLI on inputs of hundreds of thousands of rows stays far
// below what reading a workbook or writing a receipt whole took, so that memory growing
// with the rows again fails here: ingest of a 200k-row workbook peaked at 1.8 GB read
// whole (GetRows; 8.1 GB for 1M rows) and at about 290 MB now; ingest --receipts of a
// 300k-row CSV at 3.1 GB with the receipt built whole (every row in excelize's model of
// the sheet) and at 330-400 MB now. Each run is a process of its own: its peak is its
// own, whatever else runs. About 25 s.
func TestPeakMemory(t *testing.T) {
	if testing.Short() {
		t.Skip("skipped under -short: writes and reads half a million rows")
	}
	dir := t.TempDir()
	xlsx, csv := filepath.Join(dir, "workbook.xlsx"), filepath.Join(dir, "submissions.csv")
	if err := bench.WriteSubmissionsXLSX(xlsx, 200_000, 1240); err != nil {
		t.Fatal(err)
	}
	if err := bench.WriteSubmissionsCSV(csv, 300_000, bench.QuotedThird, 1240); err != nil {
		t.Fatal(err)
	}
	receipts := filepath.Join(dir, "receipts")
	for _, c := range []struct {
		name   string
		args   []string
		maxMB  int64
		says   string // what the summary says
		header string // the title of the receipt's sheet 已接收, when one is written
	}{
		{"a 200k-row workbook, ingest --no-build", []string{"ingest", "--no-build", "--db", filepath.Join(dir, "xlsx.duckdb"), xlsx},
			600, "200000 rows: 200000 accepted, 0 rejected", ""},
		{"a 300k-row CSV, ingest --receipts", []string{"ingest", "--db", filepath.Join(dir, "csv.duckdb"), "--receipts", receipts, csv},
			800, "300000 rows: 300000 accepted, 0 rejected", "已接收的行（共300000行）"},
	} {
		t.Run(c.name, func(t *testing.T) {
			out, peak, took := peakRun(t, c.args...)
			t.Logf("peak %d MB, %s", peak, took.Round(time.Millisecond))
			if !strings.Contains(out, c.says) {
				t.Errorf("the summary does not say %q:\n%s", c.says, out)
			}
			if peak > c.maxMB {
				t.Errorf("peak resident memory %d MB, want at most %d MB", peak, c.maxMB)
			}
			if c.header != "" {
				if got := firstCell(t, filepath.Join(receipts, "submissions-回执.xlsx"), "已接收"); got != c.header {
					t.Errorf("the receipt's 已接收 starts %q, want %q", got, c.header)
				}
			}
		})
	}
}

// firstCell is the first cell of a sheet, read without reading the sheet whole.
func firstCell(t *testing.T, path, sheet string) string {
	t.Helper()
	f, err := excelize.OpenFile(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := f.Rows(sheet)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	if !rows.Next() {
		return ""
	}
	cells, err := rows.Columns()
	if err != nil || len(cells) == 0 {
		t.Fatalf("%s: %v %q", sheet, err, cells)
	}
	return cells[0]
}
