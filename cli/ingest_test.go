package cli

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestMain lets a test run the CLI in a child process (to kill it, or to hold the
// database while another process tries to write): PLANTRACK_TEST_CLI_ARGS holds the
// arguments, separated by newlines.
func TestMain(m *testing.M) {
	if args, ok := os.LookupEnv("PLANTRACK_TEST_CLI_ARGS"); ok {
		os.Exit(Run(context.Background(), strings.Split(args, "\n"), os.Stdin, os.Stdout, os.Stderr))
	}
	os.Exit(m.Run())
}

// child starts the CLI in a child process that pauses, batch complete but not
// committed, until killed. It returns once the pause is reached.
func child(t *testing.T, args ...string) *exec.Cmd {
	t.Helper()
	marker := filepath.Join(t.TempDir(), "paused")
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), "PLANTRACK_TEST_CLI_ARGS="+strings.Join(args, "\n"), "PLANTRACK_TEST_PAUSE_BEFORE_COMMIT="+marker)
	var out strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	for deadline := time.Now().Add(2 * time.Minute); ; time.Sleep(20 * time.Millisecond) {
		if _, err := os.Stat(marker); err == nil {
			return cmd
		}
		if time.Now().After(deadline) {
			t.Fatalf("the child never reached the commit; its output:\n%s", out.String())
		}
	}
}

// fingerprint digests every table an ingest writes.
func fingerprint(t *testing.T, db string) string {
	t.Helper()
	var parts []string
	for _, table := range []string{"submissions", "rejected_rows", "ingest_batches", "ingest_files", "tasks", "units", "assignments"} {
		out, stderr, code := run(t, "sql", "--db", db, fmt.Sprintf("SELECT count(*), md5(coalesce(string_agg(x::VARCHAR, '|' ORDER BY x::VARCHAR), '')) FROM %s x", table))
		if code != ExitOK {
			t.Fatalf("fingerprint %s: %s", table, stderr)
		}
		parts = append(parts, table+": "+strings.TrimSpace(strings.SplitN(out, "\n", 2)[1]))
	}
	return strings.Join(parts, "\n")
}

func submissionFiles(t *testing.T, dir string, n int, unit string) string {
	t.Helper()
	folder := filepath.Join(dir, unit)
	os.MkdirAll(folder, 0o755)
	for q := 1; q <= n; q++ {
		var b strings.Builder
		b.WriteString("填报单位,报告期,任务序号,完成状态,完成进度,填报日期\n")
		for task := 1; task <= 31; task++ {
			fmt.Fprintf(&b, "%s,2021Q%d,%d,推进中,%d,2021-%02d-28\n", unit, q, task, 10*q, 3*q)
		}
		os.WriteFile(filepath.Join(folder, fmt.Sprintf("2021Q%d.csv", q)), []byte(b.String()), 0o644)
	}
	return folder
}

// A process killed with its batch complete but not committed leaves the database exactly
// as it was; a second writer meanwhile is told the database is in use, at once.
func TestKilledIngestChangesNothing(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "t.duckdb")
	first := submissionFiles(t, dir, 1, "东阿县")
	if _, stderr, code := run(t, "ingest", "--db", db, first); code != ExitOK {
		t.Fatalf("first ingest: %s", stderr)
	}
	before := fingerprint(t, db)

	second := submissionFiles(t, dir, 4, "冠县")
	proc := child(t, "ingest", "--db", db, second)

	// The second writer.
	stdout, stderr, code := run(t, "ingest", "--db", db, submissionFiles(t, dir, 1, "莘县"))
	if code != ExitBusy || !strings.Contains(stderr, "database is in use") || !strings.Contains(stderr, "has it open for writing") {
		t.Errorf("second writer: exit %d\nstdout: %s\nstderr: %s", code, stdout, stderr)
	}

	if err := proc.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	proc.Wait()
	if after := fingerprint(t, db); after != before {
		t.Errorf("the killed batch changed the database:\nbefore:\n%s\nafter:\n%s", before, after)
	}
	// The database still works: the same files ingest now.
	stdout, stderr, code = run(t, "ingest", "--db", db, second)
	if code != ExitOK || !strings.Contains(stdout, "batch 2: 4 files read") || !strings.Contains(stdout, "124 accepted") {
		t.Errorf("ingest after the kill: exit %d\n%s%s", code, stdout, stderr)
	}
}

// --strict: a rejected row means exit 2 and nothing written, the rejection still shown.
func TestIngestStrict(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "t.duckdb")
	f := filepath.Join(dir, "a.csv")
	os.WriteFile(f, []byte("填报单位,报告期,任务序号,完成状态,完成进度,填报日期\n东阿县,2021Q1,1,推进中,30,2021-04-05\n东阿县,2021Q1,2,推进中,300,2021-04-05\n"), 0o644)
	stdout, stderr, code := run(t, "ingest", "--strict", "--db", db, f)
	if code != ExitRejected || !strings.Contains(stderr, `完成进度 "300": out of 0–100`) || !strings.Contains(stdout, "nothing written") {
		t.Errorf("exit %d\nstdout: %s\nstderr: %s", code, stdout, stderr)
	}
	if out, _, _ := run(t, "sql", "--db", db, "SELECT count(*) AS n FROM submissions"); out != "n\n0\n" {
		t.Errorf("strict wrote rows: %q", out)
	}
	if _, _, code := run(t, "ingest", "--db", db, f); code != ExitOK {
		t.Errorf("without --strict: exit %d", code)
	}
	if out, _, _ := run(t, "sql", "--db", db, "SELECT count(*) AS n FROM submissions"); out != "n\n1\n" {
		t.Errorf("without --strict: %q", out)
	}
}
