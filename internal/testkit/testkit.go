// Package testkit holds what the tests of several packages share: golden files with an
// -update flag, query results as CSV text, and the built-in plan loaded once. Only tests
// import it.
package testkit

import (
	"context"
	"database/sql"
	"encoding/csv"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"plantrack/plan"
)

var update = flag.Bool("update", false, "rewrite the golden files (and fixtures) under testdata/")

// Update reports whether the tests run with -update: goldens and fixtures are rewritten.
func Update() bool { return *update }

// Golden compares got with the file at path, or writes it there under -update.
func Golden(t testing.TB, path, got string) {
	t.Helper()
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (go test -update writes it)", err)
	}
	if diff := cmp.Diff(string(want), got); diff != "" {
		t.Errorf("%s differs (-want +got):\n%s", path, diff)
	}
}

// QueryCSV runs a query and returns its result as CSV text with a header row, for goldens
// and comparisons: dates as 2021-07-05, lists as [a b], NULL as an empty field.
func QueryCSV(t testing.TB, db *sql.DB, q string) string {
	t.Helper()
	rows, err := db.Query(q)
	if err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	defer rows.Close()
	cols, _ := rows.Columns()
	var b strings.Builder
	w := csv.NewWriter(&b)
	w.Write(cols)
	vals := make([]any, len(cols))
	ptrs := make([]any, len(cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		rec := make([]string, len(cols))
		for i, v := range vals {
			switch x := v.(type) {
			case nil:
			case time.Time:
				rec[i] = x.Format("2006-01-02")
			case float64:
				rec[i] = strconv.FormatFloat(x, 'f', -1, 64)
			case []any:
				var parts []string
				for _, p := range x {
					parts = append(parts, fmt.Sprint(p))
				}
				rec[i] = "[" + strings.Join(parts, " ") + "]"
			default:
				rec[i] = fmt.Sprint(x)
			}
		}
		w.Write(rec)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	w.Flush()
	return b.String()
}

var (
	builtinOnce sync.Once
	builtin     *plan.Bundle
	builtinErr  error
)

// Builtin is the built-in plan (Liaocheng 2021), its registry and assignments, loaded
// once; a test fails if it has errors. Tests must not change it: copy it to vary it.
func Builtin(t testing.TB) *plan.Bundle {
	t.Helper()
	builtinOnce.Do(func() {
		builtin, builtinErr = plan.Builtin()
		if builtinErr == nil && builtin.Problems.Errors() > 0 {
			builtinErr = fmt.Errorf("%v", builtin.Problems)
		}
	})
	if builtinErr != nil {
		t.Fatalf("built-in plan: %v", builtinErr)
	}
	return builtin
}

// Accounted checks that every file every batch of a database read is accounted for, row
// by row: its rows read are accepted or rejected (its note and total rows skipped, besides),
// the accepted ones stored in submissions and the rejected ones in rejected_rows; a file
// refused whole keeps no row and has one rejection. Nothing read is lost or invented.
func Accounted(t testing.TB, db *sql.DB) {
	t.Helper()
	rows, err := db.Query(`SELECT f.batch_id, f.source_file, f.status, f.rows_read, f.accepted, f.rejected, f.skipped_rows,
		(SELECT count(*) FROM submissions s WHERE s.batch_id = f.batch_id AND s.source_file = f.source_file),
		(SELECT count(*) FROM rejected_rows r WHERE r.batch_id = f.batch_id AND r.source_file = f.source_file AND r.source_row > 0),
		(SELECT count(*) FROM rejected_rows r WHERE r.batch_id = f.batch_id AND r.source_file = f.source_file)
		FROM ingest_files f ORDER BY ALL`)
	if err != nil {
		t.Fatalf("accounted: %v", err)
	}
	defer rows.Close()
	for rows.Next() {
		var batch int
		var file, status string
		var read, accepted, rejected, skipped, stored, rejectedRows, rejections int64
		if err := rows.Scan(&batch, &file, &status, &read, &accepted, &rejected, &skipped, &stored, &rejectedRows, &rejections); err != nil {
			t.Fatal(err)
		}
		switch {
		case status == "rejected" && (read != 0 || accepted != 0 || stored != 0 || rejections != 1):
			t.Errorf("batch %d %s refused whole: %d read, %d accepted, %d stored, %d rejections; want 0, 0, 0, 1", batch, file, read, accepted, stored, rejections)
		case status == "rejected":
		case read != accepted+rejectedRows:
			t.Errorf("batch %d %s: %d rows read, but %d accepted + %d rejected", batch, file, read, accepted, rejectedRows)
		case stored != accepted || rejections != rejected:
			t.Errorf("batch %d %s: %d accepted but %d stored; %d rejected but %d in rejected_rows", batch, file, accepted, stored, rejected, rejections)
		}
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
}

// SOffice converts file with LibreOffice (headless, as a clerk's re-save would) to format
// ("xlsx", "ods", "pdf", …) in outDir, and returns the new file's path.
func SOffice(t testing.TB, file, format, outDir string) string {
	t.Helper()
	return Convert(t, format, outDir, file)[0]
}

// Convert converts files with LibreOffice, headless, to format in outDir, and returns the
// new files' paths. Each call has a profile of its own, so conversions can run side by
// side. LibreOffice is required: CI installs it (Debian: libreoffice-calc).
func Convert(t testing.TB, format, outDir string, files ...string) []string {
	t.Helper()
	bin, err := exec.LookPath("soffice")
	if err != nil {
		t.Fatalf("LibreOffice (soffice) is needed: apt-get install libreoffice-calc: %v", err)
	}
	// The profile's path goes into a file: URL: keep it free of the characters a test's
	// name may put in t.TempDir() (%, spaces).
	profile, err := os.MkdirTemp("", "plantrack-soffice-")
	if err != nil {
		t.Fatal(err)
	}
	defer os.RemoveAll(profile)
	if err := os.MkdirAll(outDir, 0o755); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	args := append([]string{"-env:UserInstallation=file://" + profile, "--headless", "--norestore", "--convert-to", format, "--outdir", outDir}, files...)
	out, err := exec.CommandContext(ctx, bin, args...).CombinedOutput()
	var paths []string
	for _, f := range files {
		name := strings.TrimSuffix(filepath.Base(f), filepath.Ext(f)) + "." + strings.SplitN(format, ":", 2)[0]
		path := filepath.Join(outDir, name)
		if _, serr := os.Stat(path); err != nil || serr != nil {
			t.Fatalf("soffice --convert-to %s %s: %v %v\n%s", format, f, err, serr, out)
		}
		paths = append(paths, path)
	}
	return paths
}

// Poppler runs a poppler-utils tool (pdfinfo, pdftotext) and returns its output. CI
// installs it (Debian: poppler-utils).
func Poppler(t testing.TB, tool string, args ...string) string {
	t.Helper()
	if _, err := exec.LookPath(tool); err != nil {
		t.Fatalf("%s (Debian package poppler-utils) is needed to read the PDF: %v", tool, err)
	}
	out, err := exec.Command(tool, args...).Output()
	if err != nil {
		t.Fatalf("%s %s: %v", tool, strings.Join(args, " "), err)
	}
	return string(out)
}

var (
	pdfPageCount = regexp.MustCompile(`(?m)^Pages: +(\d+)$`)
	pdfPageSize  = regexp.MustCompile(`(?m)^Page +(\d+) size: +([\d.]+) x ([\d.]+) pts`)
	pdfWord      = regexp.MustCompile(`<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>`)
)

// PDFPages are the sizes of a PDF's pages, in points (width, height).
func PDFPages(t testing.TB, pdf string) [][2]float64 {
	t.Helper()
	info := Poppler(t, "pdfinfo", pdf)
	m := pdfPageCount.FindStringSubmatch(info)
	if m == nil {
		t.Fatalf("pdfinfo %s: no page count:\n%s", pdf, info)
	}
	var out [][2]float64
	for _, s := range pdfPageSize.FindAllStringSubmatch(Poppler(t, "pdfinfo", "-f", "1", "-l", m[1], pdf), -1) {
		w, _ := strconv.ParseFloat(s[2], 64)
		h, _ := strconv.ParseFloat(s[3], 64)
		out = append(out, [2]float64{w, h})
	}
	if n, _ := strconv.Atoi(m[1]); n != len(out) {
		t.Fatalf("pdfinfo %s: %d pages, %d sizes", pdf, n, len(out))
	}
	return out
}

// PDFText is one page's text, laid out as printed (pdftotext -layout).
func PDFText(t testing.TB, pdf string, page int) string {
	t.Helper()
	p := strconv.Itoa(page)
	return Poppler(t, "pdftotext", "-layout", "-f", p, "-l", p, pdf, "-")
}

// Word is a word of a PDF page and where it stands, in points from the top left.
type Word struct {
	X0, Y0, X1, Y1 float64
	Text           string
}

// PDFWords are a page's words, line by line (pdftotext -bbox).
func PDFWords(t testing.TB, pdf string, page int) []Word {
	t.Helper()
	p := strconv.Itoa(page)
	var out []Word
	for _, m := range pdfWord.FindAllStringSubmatch(Poppler(t, "pdftotext", "-bbox", "-f", p, "-l", p, pdf, "-"), -1) {
		var w Word
		for i, v := range []*float64{&w.X0, &w.Y0, &w.X1, &w.Y1} {
			*v, _ = strconv.ParseFloat(m[i+1], 64)
		}
		w.Text = m[5]
		out = append(out, w)
	}
	return out
}

// ReadTree reads every file under dir, by its path relative to dir (slashes).
func ReadTree(t testing.TB, dir string) map[string][]byte {
	t.Helper()
	files := map[string][]byte{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		files[filepath.ToSlash(rel)], err = os.ReadFile(p)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}
