package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"

	"plantrack/internal/testkit"
	"plantrack/store"

	"github.com/xuri/excelize/v2"
	"golang.org/x/net/html"
)

var (
	demoOnce sync.Once
	demoRoot string
)

// demoOut runs `plantrack demo` once for the tests that read its pages.
func demoOut(t *testing.T) string {
	t.Helper()
	demoOnce.Do(func() {
		dir, err := os.MkdirTemp("", "plantrack-demo")
		if err != nil {
			t.Fatal(err)
		}
		if _, stderr, code := run(t, "demo", "--years", "1", "--out", dir); code != ExitOK {
			t.Fatalf("demo: %s", stderr)
		}
		// Every row of the demo's 178 files is accounted for.
		db, err := store.OpenReadOnly(context.Background(), filepath.Join(dir, "plantrack.duckdb"))
		if err != nil {
			t.Fatal(err)
		}
		testkit.Accounted(t, db.DB)
		db.Close()
		demoRoot = dir
	})
	if demoRoot == "" {
		t.Fatal("demo failed earlier")
	}
	return demoRoot
}

// chartOptions reads the chart options of a page: element id → option JSON.
func chartOptions(t *testing.T, page string) map[string]string {
	t.Helper()
	f, err := os.Open(page)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	out := map[string]string{}
	z := html.NewTokenizer(f)
	for {
		switch z.Next() {
		case html.ErrorToken:
			return out
		case html.StartTagToken, html.SelfClosingTagToken:
			tok := z.Token()
			var id, opt string
			for _, a := range tok.Attr {
				switch a.Key {
				case "id":
					id = a.Val
				case "data-chart":
					opt = a.Val
				}
			}
			if opt != "" {
				out[id] = opt
			}
		}
	}
}

// The chart options of the sample year, as goldens: the ids are fixed names, so a
// change in any number or label shows here.
func TestChartOptionsGolden(t *testing.T) {
	dir := demoOut(t)
	cases := []struct{ page, chart string }{
		{"whitepaper.html", "sections"},
		{"whitepaper.html", "trend"},
		{"whitepaper.html", "departments"},
		{"counties.html", "ranking"},
		{"counties.html", "heatmap"},
		{"counties.html", "map"},
		{"counties.html", "radar-chiping"},
		{"units/dong-e.html", "unit-progress"},
	}
	for _, c := range cases {
		t.Run(c.page+"#"+c.chart, func(t *testing.T) {
			opts := chartOptions(t, filepath.Join(dir, c.page))
			raw, ok := opts[c.chart]
			if !ok {
				t.Fatalf("no chart %q in %s (has %d charts)", c.chart, c.page, len(opts))
			}
			var v any
			if err := json.Unmarshal([]byte(raw), &v); err != nil {
				t.Fatalf("option is not JSON: %v", err)
			}
			pretty, _ := json.MarshalIndent(v, "", "  ")
			testkit.Golden(t, filepath.Join("testdata", "report", strings.ReplaceAll(c.page, "/", "_")+"."+c.chart+".json"), string(pretty)+"\n")
		})
	}
}

// Every page, read by an HTML tokenizer: scripts only from assets/ beside the page, no
// inline script, no event-handler attributes, no javascript: or remote URL, a CSP.
func TestReportHTMLIsInert(t *testing.T) {
	dir := demoOut(t)
	var pages []string
	filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err == nil && strings.HasSuffix(p, ".html") && !strings.Contains(p, string(filepath.Separator)+"submissions"+string(filepath.Separator)) {
			pages = append(pages, p)
		}
		return nil
	})
	sort.Strings(pages)
	if len(pages) < 49 {
		t.Fatalf("%d pages, want index, whitepaper, counties, briefing and 45 unit pages", len(pages))
	}
	for _, p := range pages {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		z := html.NewTokenizer(bytes.NewReader(b))
		inScript, csp := false, false
		for tt := z.Next(); tt != html.ErrorToken; tt = z.Next() {
			tok := z.Token()
			switch tt {
			case html.StartTagToken, html.SelfClosingTagToken:
				if tok.Data == "script" {
					inScript = true
					src := attr(tok, "src")
					if src == "" || !strings.Contains(src, "assets/") || strings.Contains(src, "//") {
						t.Errorf("%s: script src %q: want a file under assets/", p, src)
					}
				}
				if tok.Data == "meta" && attr(tok, "http-equiv") == "Content-Security-Policy" && strings.Contains(attr(tok, "content"), "default-src 'none'") {
					csp = true
				}
				for _, a := range tok.Attr {
					if strings.HasPrefix(strings.ToLower(a.Key), "on") {
						t.Errorf("%s: <%s %s=…>: event handler attribute", p, tok.Data, a.Key)
					}
					v := strings.ToLower(strings.TrimSpace(a.Val))
					if (a.Key == "href" || a.Key == "src") && (strings.HasPrefix(v, "javascript:") || strings.HasPrefix(v, "http:") || strings.HasPrefix(v, "https:") || strings.HasPrefix(v, "//")) {
						t.Errorf("%s: %s=%q: pages must not load or link out", p, a.Key, a.Val)
					}
				}
			case html.TextToken:
				if inScript && strings.TrimSpace(tok.Data) != "" {
					t.Errorf("%s: inline script %q", p, tok.Data)
				}
			case html.EndTagToken:
				if tok.Data == "script" {
					inScript = false
				}
			}
		}
		if !csp {
			t.Errorf("%s: no Content-Security-Policy meta tag", p)
		}
	}
}

func attr(t html.Token, key string) string {
	for _, a := range t.Attr {
		if a.Key == key {
			return a.Val
		}
	}
	return ""
}

// The same database and period give the same bytes, every file.
func TestReportDeterministic(t *testing.T) {
	db := filepath.Join(demoOut(t), "plantrack.duckdb")
	a, b := t.TempDir(), t.TempDir()
	for _, out := range []string{a, b} {
		if _, stderr, code := run(t, "report", "--db", db, "--out", out, "--period", "2021Q3"); code != ExitOK {
			t.Fatalf("report: %s", stderr)
		}
	}
	n := 0
	filepath.WalkDir(a, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(a, p)
		x, _ := os.ReadFile(p)
		y, err := os.ReadFile(filepath.Join(b, rel))
		if err != nil || !bytes.Equal(x, y) {
			t.Errorf("%s differs between two renders", rel)
		}
		n++
		return nil
	})
	if n < 50 {
		t.Errorf("compared %d files", n)
	}
}

func TestReportPeriodChecked(t *testing.T) {
	db := filepath.Join(demoOut(t), "plantrack.duckdb")
	_, stderr, code := run(t, "report", "--db", db, "--out", t.TempDir(), "--period", "2022Q1")
	if code != ExitUsage || !strings.Contains(stderr, "period 2022Q1 is not a quarter of the plan year") {
		t.Errorf("exit %d: %s", code, stderr)
	}
}

// summary.xlsx holds the pages' tables, numbers as numbers formatted as percentages.
func TestSummaryWorkbook(t *testing.T) {
	dir := demoOut(t)
	f, err := excelize.OpenFile(filepath.Join(dir, "summary.xlsx"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if got, want := f.GetSheetList(), []string{"总体", "分部分", "任务", "单位", "县市区排名", "退回原因"}; strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("sheets %v, want %v", got, want)
	}
	rate, _ := f.GetCellValue("总体", "B3")
	raw, _ := f.GetCellValue("总体", "B3", excelize.Options{RawCellValue: true})
	out, _, _ := run(t, "sql", "--db", filepath.Join(dir, "plantrack.duckdb"), "SELECT count(*) FILTER (WHERE completed) / count(*) AS r FROM assignment_status")
	if want := strings.TrimSpace(strings.SplitN(out, "\n", 2)[1]); raw != want || rate != "79.3%" {
		t.Errorf("总体!B3 = %q (raw %q), want 79.3%% (raw %s)", rate, raw, want)
	}
	rows, _ := f.GetRows("任务")
	if len(rows) != 32 {
		t.Errorf("任务 has %d rows, want a header and 31 tasks", len(rows))
	}
}
