package cli

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"plantrack/ingest"
	"plantrack/store"
)

// printSummary prints every path and note on one line, whatever the file names hold:
// names with a newline, a carriage return or a terminal escape are quoted, reasons and
// notes have their control characters escaped, and ordinary names print as they are.
func TestPrintSummaryQuotesNames(t *testing.T) {
	s := &ingest.Summary{
		BatchID: 3,
		Files: []ingest.FileSummary{
			{Path: "in/东阿县.xlsx", Notes: []string{`sheet "说明" holds no header row`}},
			{Path: "in/a\r\nbatch 9: 100 files read.xlsx", Notes: []string{"sheet \"x\nskipped y\" holds no header row"}},
		},
		Skipped: []ingest.Skipped{
			{Path: "in/readme.txt", Reason: "not a submission format (.txt)"},
			{Path: "in/evil\x1b[2J\x1b[1;1H.txt", Reason: "not a submission format (.txt\x1b[0m)"},
			{Path: "in/\u202eexe.txt", Reason: "not a submission format"},
			{Path: `in/"quoted".txt`, Reason: "not a submission format"},
			{Path: `"in/a.txt": not a submission format`, Reason: "not a submission format"},
		},
		Duplicates: []ingest.Duplicate{
			{Path: "in/临清市.csv", Previous: "old/临清市.csv", BatchID: 1},
			{Path: "in/x\nalready ingested y.csv", Previous: "old/\x07bell.csv", BatchID: 2},
		},
	}
	var b bytes.Buffer
	printSummary(&b, s, true, true)
	want := `skipped in/readme.txt: not a submission format (.txt)
skipped "in/evil\x1b[2J\x1b[1;1H.txt": not a submission format (.txt\x1b[0m)
skipped "in/\u202eexe.txt": not a submission format
skipped in/"quoted".txt: not a submission format
skipped "\"in/a.txt\": not a submission format": not a submission format
already ingested in/临清市.csv: same content as old/临清市.csv (batch 1)
already ingested "in/x\nalready ingested y.csv": same content as "old/\abell.csv" (batch 2)
in/东阿县.xlsx: sheet "说明" holds no header row
"in/a\r\nbatch 9: 100 files read.xlsx": sheet "x\nskipped y" holds no header row
batch 3: 2 files read, 2 duplicate, 5 skipped; 0 rows: 0 accepted, 0 rejected, 0 superseded
`
	if b.String() != want {
		t.Errorf("got:\n%s\nwant:\n%s", b.String(), want)
	}
}

// A real ingest of files whose names would forge lines: every rejection and every skipped
// file is one line, its name quoted; the rows are still read.
func TestIngestForgedNames(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join(dir, "in")
	os.MkdirAll(in, 0o755)
	forged := "东阿县\nbatch 1: 1 files read.csv"
	os.WriteFile(filepath.Join(in, forged), []byte("填报单位,报告期,任务序号,完成状态,完成进度\n东阿县,2021Q1,1,推进中,120%\n东阿县,2021Q1,2,推进中,50\n"), 0o644)
	os.WriteFile(filepath.Join(in, "evil\x1b[2J.txt"), []byte("x"), 0o644)
	stdout, stderr, code := run(t, "ingest", "--db", filepath.Join(dir, "t.duckdb"), "--no-build", in)
	if code != ExitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	wantErr := fmt.Sprintf("%q:2: 完成进度 \"120%%\": ", filepath.Join(in, forged))
	if strings.Count(stderr, "\n") != 1 || !strings.HasPrefix(stderr, wantErr) {
		t.Errorf("stderr is not one quoted rejection line starting %s:\n%s", wantErr, stderr)
	}
	wantSkip := fmt.Sprintf("skipped %q: ", filepath.Join(in, "evil\x1b[2J.txt"))
	if !strings.HasPrefix(stdout, wantSkip) || strings.ContainsRune(stdout, '\x1b') {
		t.Errorf("stdout lacks %s, or holds an escape:\n%s", wantSkip, stdout)
	}
	if n := strings.Count(stdout, "\n"); n != 3 {
		t.Errorf("want 3 lines on stdout (skipped, batch, --no-build), got %d:\n%s", n, stdout)
	}
}

// An error about a path prints the path quoted when it holds a control character.
func TestMessageQuotesPath(t *testing.T) {
	_, stderr, code := run(t, "plan", "testdata/no\nsuch: plan.txt")
	if want := "plantrack: \"testdata/no\\nsuch: plan.txt\": no such file\n"; code != ExitError || stderr != want {
		t.Errorf("exit %d, stderr %q, want %q", code, stderr, want)
	}
}

// --date must be a real day: a bad one is a usage error naming the flag and the value,
// before the database is opened; ingest's forms of a date are read as the same day.
func TestReportDateChecked(t *testing.T) {
	for _, c := range []struct{ date, why string }{
		{"2021-13-40", `--date "2021-13-40": no such date (want YYYY-MM-DD, such as 2021-07-05)`},
		{"2021-02-29", `--date "2021-02-29": no such date`},
		{"2021-04-31", `--date "2021-04-31": no such date`},
		{"tomorrow", `--date "tomorrow": not a date`},
		{"1899-01-01", `--date "1899-01-01": year out of 2000–2099`},
		{"2021-07-05; rm", `--date "2021-07-05; rm": not a date`},
	} {
		_, stderr, code := run(t, "report", "--db", filepath.Join(t.TempDir(), "none.duckdb"), "--out", t.TempDir(), "--date", c.date)
		if code != ExitUsage || !strings.Contains(stderr, "plantrack: "+c.why) {
			t.Errorf("--date %s: exit %d, stderr %q, want %d and %q", c.date, code, stderr, ExitUsage, c.why)
		}
	}
	for in, want := range map[string]string{
		"2021-07-05": "2021-07-05", "2021/7/5": "2021-07-05", "2021年7月5日": "2021-07-05", "20210705": "2021-07-05",
		"２０２１-０７-０５": "2021-07-05", "2020-02-29": "2020-02-29",
	} {
		if got, err := reportDate(in); err != nil || got != want {
			t.Errorf("reportDate(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
}

// A batch committed before a later step failed exits 5, not 1 ("nothing written"): the
// rows are in the database, and the message says what to do.
func TestReceiptsFailAfterCommit(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "t.duckdb")
	os.WriteFile(filepath.Join(dir, "a.csv"), []byte("填报单位,报告期,任务序号,完成状态\n东阿县,2021Q1,1,推进中\n"), 0o644)
	notADir := filepath.Join(dir, "receipts")
	os.WriteFile(notADir, []byte("a file where the receipts folder should be"), 0o644)
	_, stderr, code := run(t, "ingest", "--db", db, "--receipts", notADir, filepath.Join(dir, "a.csv"))
	if code != ExitPartial || !strings.Contains(stderr, "plantrack: batch 1 is committed, but writing the receipts failed") {
		t.Errorf("exit %d, want %d; stderr %s", code, ExitPartial, stderr)
	}
	if out, _, _ := run(t, "sql", "--db", db, "SELECT count(*) AS n FROM submissions"); out != "n\n1\n" {
		t.Errorf("the committed rows: %q", out)
	}
}

// An interruption after the commit still exits 130, and says the batch is committed.
func TestInterruptedAfterCommitMessage(t *testing.T) {
	err := afterCommitErrorf("batch 4 is committed, but building the metric tables failed (run plantrack build): %w", fmt.Errorf("apply: %w", context.Canceled))
	if exitCode(err) != ExitInterrupted {
		t.Errorf("exit %d", exitCode(err))
	}
	if got, want := message(err), "interrupted: batch 4 is committed, but building the metric tables failed (run plantrack build): apply: context canceled"; got != want {
		t.Errorf("message %q, want %q", got, want)
	}
	if !errors.Is(err, errAfterCommit) || !errors.Is(err, context.Canceled) {
		t.Error("the error does not wrap both")
	}
}

// Shown leaves ordinary names alone (the goldens depend on it).
func TestShownOrdinaryNames(t *testing.T) {
	for _, s := range []string{"东阿县.xlsx", "collected/2021Q2/市司法局 (2).csv", "进度表", "完成进度（%）", "a b.json"} {
		if got := store.Shown(s); got != s {
			t.Errorf("Shown(%q) = %q", s, got)
		}
	}
}
