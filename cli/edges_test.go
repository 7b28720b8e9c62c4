package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"plantrack/internal/testkit"
)

// A quarter's folder as units and the office leave it: a unit's file saved as .ods, and
// the receipts of the last round written inside the folder. The .ods gets a receipt that
// says what to do; the receipts are listed, never read back as reports.
func TestCollectedFolderEdges(t *testing.T) {
	dir := t.TempDir()
	collected := filepath.Join(dir, "collected")
	os.MkdirAll(collected, 0o755)
	csv := filepath.Join(collected, "东阿县.csv")
	os.WriteFile(csv, []byte("填报单位,报告期,任务序号,完成状态,完成进度,填报日期\n东阿县,2021Q2,1,推进中,50,2021-07-05\n"), 0o644)
	db := filepath.Join(dir, "t.duckdb")
	receipts := filepath.Join(collected, "回执")
	if _, stderr, code := run(t, "ingest", "--db", db, "--receipts", receipts, collected); code != ExitOK {
		t.Fatal(stderr)
	}
	// A clerk opens the receipt in LibreOffice and saves it again, in the same folder.
	saved := testkit.SOffice(t, filepath.Join(receipts, "东阿县-回执.xlsx"), "xlsx", filepath.Join(collected, "再存"))
	// Another unit sends an OpenDocument file.
	other := filepath.Join(dir, "冠县.csv")
	os.WriteFile(other, []byte("填报单位,报告期,任务序号,完成状态,完成进度,填报日期\n冠县,2021Q2,1,推进中,40,2021-07-06\n"), 0o644)
	ods := testkit.SOffice(t, other, "ods", collected)

	stdout, stderr, code := run(t, "ingest", "--db", db, "--receipts", filepath.Join(dir, "回执2"), collected)
	if code != ExitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	for _, want := range []string{
		"skipped " + filepath.ToSlash(filepath.Join(receipts, "东阿县-回执.xlsx")) + ": plantrack's own receipt, not a submission",
		"skipped " + filepath.ToSlash(saved) + ": plantrack's own receipt, not a submission",
		"skipped " + filepath.ToSlash(ods) + ": OpenDocument spreadsheet (LibreOffice): save it as .xlsx",
	} {
		if !strings.Contains(stdout, want) {
			t.Errorf("stdout does not say %q:\n%s", want, stdout)
		}
	}
	out, _, _ := run(t, "sql", "--db", db, "SELECT count(*) AS n, min(progress_pct) AS p FROM submissions")
	if out != "n,p\n1,50\n" {
		t.Errorf("submissions: %q", out)
	}
	var text strings.Builder
	for _, r := range receiptRows(t, filepath.Join(dir, "回执2", "冠县-回执.xlsx"), "回执") {
		text.WriteString(strings.Join(r, " ") + "\n")
	}
	if !strings.Contains(text.String(), "另存为 .xlsx") {
		t.Errorf("the .ods's receipt does not say what to do:\n%s", text.String())
	}
}
