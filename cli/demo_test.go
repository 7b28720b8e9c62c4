package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The demo replaces its database, never one another process is writing: it refuses, as
// busy, and the other's batch is left to commit.
func TestDemoLeavesABusyDatabase(t *testing.T) {
	out := t.TempDir()
	db := filepath.Join(out, "plantrack.duckdb")
	dir := t.TempDir()
	child(t, "ingest", "--db", db, submissionFiles(t, dir, 1, "冠县"))
	_, stderr, code := run(t, "demo", "--out", out)
	if code != ExitBusy || !strings.Contains(stderr, "demo would replace") || !strings.Contains(stderr, "database is in use") {
		t.Errorf("exit %d: %s", code, stderr)
	}
	if _, err := os.Stat(db); err != nil {
		t.Errorf("the database is gone: %v", err)
	}
	if _, err := os.Stat(filepath.Join(out, "submissions")); !os.IsNotExist(err) {
		t.Errorf("the demo went on: %v", err)
	}
}
