package cli

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"plantrack/ingest"
	"plantrack/internal/testkit"
	"plantrack/store"
)

// run drives the real CLI in-process.
func run(t *testing.T, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	var out, errb bytes.Buffer
	code = Run(context.Background(), args, strings.NewReader(""), &out, &errb)
	return out.String(), errb.String(), code
}

func TestExitCodes(t *testing.T) {
	tests := []struct {
		name    string
		args    []string
		code    int
		message string
	}{
		{"no plan file", []string{"plan"}, ExitUsage, "want one plan FILE, got 0 argument(s)"},
		{"unknown flag", []string{"plan", "--nope", "x.txt"}, ExitUsage, "unknown flag: --nope"},
		{"unknown command", []string{"frobnicate"}, ExitUsage, `unknown command "frobnicate"`},
		{"bad format", []string{"plan", "--format", "xml", "x.txt"}, ExitUsage, `--format "xml"`},
		{"missing file", []string{"plan", "testdata/nope.txt"}, ExitError, "plantrack: testdata/nope.txt: no such file\n"},
		{"missing input", []string{"ingest", "--db", filepath.Join(t.TempDir(), "t.duckdb"), "testdata/nope"}, ExitError, "plantrack: testdata/nope: no such file\n"},
		{"missing units file", []string{"plan", "../data/plan/liaocheng-2021.txt", "--units", "nope.csv"}, ExitError, "plantrack: nope.csv: no such file\n"},
		{"bad period", []string{"template", "--period", "2021Q9", "--out", t.TempDir()}, ExitUsage, `--period "2021Q9": not a period`},
		{"plan with errors", []string{"plan", "testdata/plan/unknown-phrase/plan.txt"}, ExitError, "the plan has 2 error(s)"},
		{"good plan", []string{"plan", "../data/plan/liaocheng-2021.txt"}, ExitOK, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, stderr, code := run(t, tt.args...)
			if code != tt.code {
				t.Errorf("exit code %d, want %d; stderr:\n%s", code, tt.code, stderr)
			}
			if tt.message == "" && stderr != "" {
				t.Errorf("stderr not empty:\n%s", stderr)
			}
			if !strings.Contains(stderr, tt.message) {
				t.Errorf("stderr does not say %q:\n%s", tt.message, stderr)
			}
		})
	}
}

// Ctrl-C (a cancelled context) ends a command with exit 130 and one line saying so.
func TestInterrupted(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	var out, errb bytes.Buffer
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "a.csv"), []byte("填报单位,报告期,任务序号,完成状态\n东阿县,2021Q1,1,推进中\n"), 0o644)
	code := Run(ctx, []string{"ingest", "--db", filepath.Join(dir, "t.duckdb"), dir}, strings.NewReader(""), &out, &errb)
	if want := "plantrack: interrupted: nothing more was written (an unfinished batch was rolled back)\n"; code != ExitInterrupted || errb.String() != want {
		t.Errorf("exit %d, stderr %q; want %d, %q", code, errb.String(), ExitInterrupted, want)
	}
}

// exitCode maps each error to its code through errors.Is, however deeply it is wrapped.
func TestExitCodeTable(t *testing.T) {
	for _, c := range []struct {
		name string
		err  error
		code int
	}{
		{"none", nil, ExitOK},
		{"other", errors.New("boom"), ExitError},
		{"usage", usageErrorf("--format %q", "x"), ExitUsage},
		{"strict", fmt.Errorf("ingest: %w", ingest.ErrRejected), ExitRejected},
		{"busy", fmt.Errorf("open: %w", store.ErrBusy), ExitBusy},
		{"cancelled", fmt.Errorf("read: %w", context.Canceled), ExitInterrupted},
		{"build failed after commit", afterCommitErrorf("batch %d is committed, but building the metric tables failed (run plantrack build): %w", 2, errors.New("out of memory")), ExitPartial},
		{"receipts failed after commit", fmt.Errorf("ingest: %w", afterCommitErrorf("batch %d is committed, but writing the receipts failed: %w", 2, errors.New("disk full"))), ExitPartial},
		{"interrupted after commit", afterCommitErrorf("batch %d is committed, but building the metric tables failed: %w", 2, context.Canceled), ExitInterrupted},
	} {
		if got := exitCode(c.err); got != c.code {
			t.Errorf("%s: exit %d, want %d", c.name, got, c.code)
		}
	}
}

func TestHelpDocumentsExitCodes(t *testing.T) {
	stdout, _, code := run(t, "--help")
	if code != ExitOK {
		t.Fatalf("exit %d", code)
	}
	for _, want := range []string{"Exit codes:", "0    done", "1    fatal error", "3    bad command line", "4    the database is in use",
		"5    ingest committed its batch, but a later step failed", "130  interrupted", "plan"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("--help does not mention %q:\n%s", want, stdout)
		}
	}
}

// TestPlanGolden runs `plantrack plan` on each case under testdata/plan and compares the
// catalog (JSON and table), the assignments (CSV), the problems and the exit code.
func TestPlanGolden(t *testing.T) {
	cases := []struct {
		name string
		plan string
		code int
	}{
		{"liaocheng-2021", "../data/plan/liaocheng-2021.txt", ExitOK},
		{"second-layout-paren", "testdata/plan/second-layout-paren/plan.txt", ExitOK},
		{"second-layout-arabic", "testdata/plan/second-layout-arabic/plan.txt", ExitOK},
		{"unknown-phrase", "testdata/plan/unknown-phrase/plan.txt", ExitError},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := filepath.Join("testdata", "plan", c.name)
			outputs := []struct {
				file string
				args []string
			}{
				{"catalog.json", []string{"--format", "json"}},
				{"catalog.txt", nil},
				{"assignments.csv", []string{"--assignments", "--format", "csv"}},
			}
			for _, o := range outputs {
				stdout, stderr, code := run(t, append([]string{"plan", c.plan}, o.args...)...)
				if code != c.code {
					t.Errorf("%v: exit %d, want %d; stderr:\n%s", o.args, code, c.code, stderr)
				}
				testkit.Golden(t, filepath.Join(dir, o.file), stdout)
				testkit.Golden(t, filepath.Join(dir, "stderr.txt"), stderr)
			}
		})
	}
}

func TestDemo(t *testing.T) {
	out := t.TempDir()
	stdout, stderr, code := run(t, "demo", "--years", "1", "--out", out)
	if code != ExitOK {
		t.Fatalf("exit %d, stderr:\n%s", code, stderr)
	}
	for _, want := range []string{
		"聊城市2021年法治政府建设工作计划: 7 个部分, 31 项任务, 800 项分工",
		"generated 178 sample files",
		"batch 1: 178 files read, 0 duplicate, 0 skipped; 3186 rows: 3180 accepted, 6 rejected, 30 superseded",
	} {
		if !strings.Contains(stdout, want) {
			t.Errorf("demo output lacks %q:\n%s", want, stdout)
		}
	}
	// Every deliberately bad sample row is rejected, and named on stderr.
	if n := strings.Count(stderr, "\n"); n != 6 {
		t.Errorf("want 6 rejections on stderr, got %d lines:\n%s", n, stderr)
	}
	db := filepath.Join(out, "plantrack.duckdb")
	got, _, _ := run(t, "sql", "--db", db, "SELECT count(*) AS n, count(DISTINCT unit_id) AS units FROM submissions")
	if got != "n,units\n3180,45\n" {
		t.Errorf("submissions: %q", got)
	}
	// The printed headline numbers are the views' numbers.
	rate, _, _ := run(t, "sql", "--db", db, "SELECT count(*) FILTER (WHERE completed) || '/' || count(*) AS c FROM assignment_status")
	if line := strings.TrimSpace(strings.TrimPrefix(rate, "c\n")); !strings.Contains(stdout, "全市完成率 79.3% ("+line+")") {
		t.Errorf("demo summary lacks the city rate %s:\n%s", line, stdout)
	}
	if strings.Count(stdout, "\n最好  ") != 3 || strings.Count(stdout, "\n最差  ") != 3 || strings.Count(stdout, "\n七    ") != 1 {
		t.Errorf("demo summary lacks sections or best/worst three:\n%s", stdout)
	}

	// A second demo (the one the report tests read) wrote the same bytes: submissions,
	// filled templates, receipts and reports.
	other, n := demoOut(t), 0
	filepath.WalkDir(out, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || strings.HasPrefix(d.Name(), "plantrack.duckdb") {
			return err
		}
		rel, _ := filepath.Rel(out, p)
		x, _ := os.ReadFile(p)
		if y, err := os.ReadFile(filepath.Join(other, rel)); err != nil || !bytes.Equal(x, y) {
			t.Errorf("%s differs between two demos", rel)
		}
		n++
		return nil
	})
	if n < 400 {
		t.Errorf("compared %d files of two demos", n)
	}

	// Export writes every table and view as Parquet, the same bytes each time.
	pq := t.TempDir()
	out1, stderr, code := run(t, "export", "--db", db, "--out", pq)
	if code != ExitOK {
		t.Fatalf("export: %s", stderr)
	}
	if !strings.Contains(out1, "submissions.parquet\t3180 rows") || !strings.Contains(out1, "completion_by_section.parquet\t7 rows") {
		t.Errorf("export output:\n%s", out1)
	}
	first, _ := os.ReadFile(filepath.Join(pq, "submissions.parquet"))
	back, _, _ := run(t, "sql", "--db", db, "SELECT count(*) AS n FROM read_parquet('"+filepath.Join(pq, "completion_by_unit.parquet")+"')")
	if back != "n\n45\n" {
		t.Errorf("completion_by_unit.parquet read back: %q", back)
	}
	run(t, "export", "--db", db, "--out", pq)
	if again, _ := os.ReadFile(filepath.Join(pq, "submissions.parquet")); !bytes.Equal(first, again) || len(first) == 0 {
		t.Error("export is not byte-stable")
	}

	// The demo is repeatable: a second run gives the same database content.
	run(t, "demo", "--years", "1", "--out", out)
	again, _, _ := run(t, "sql", "--db", db, "SELECT count(*) AS n, count(DISTINCT unit_id) AS units FROM submissions")
	if again != got {
		t.Errorf("second demo: %q, first %q", again, got)
	}
}
