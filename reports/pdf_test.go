package reports

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"plantrack/internal/testkit"
)

// These tests need Debian's chromium (CI installs it, see .ci/run).

// renderFixture writes the fixture's pages into a new folder.
func renderFixture(t *testing.T) (string, []Page) {
	t.Helper()
	out := t.TempDir()
	_, pages, err := Render(context.Background(), fixtureDB(t).DB, out, Options{})
	if err != nil {
		t.Fatal(err)
	}
	return out, pages
}

// edit rewrites a page of out, replacing old (which it must hold) with new.
func edit(t *testing.T, out, page, old, new string) {
	t.Helper()
	path := filepath.Join(out, page)
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), old) {
		t.Fatalf("%s lacks %q", page, old)
	}
	if err := os.WriteFile(path, []byte(strings.ReplaceAll(string(b), old, new)), 0o644); err != nil {
		t.Fatal(err)
	}
}

// A page opened for printing (#print, as PrintPDF opens it) draws its charts without
// animation even when the option asks for it; opened as a reader opens it, the option
// holds. Either way the page says when its charts have drawn.
func TestPrintOpensWithoutAnimation(t *testing.T) {
	out, _ := renderFixture(t)
	// The options say animation: false already; make one say true.
	edit(t, out, "units/a.html", "&#34;animation&#34;:false", "&#34;animation&#34;:true")
	b, err := NewBrowser(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	for _, c := range []struct {
		fragment string
		want     bool
	}{{"", true}, {printFragment, false}} {
		tab, cancel := b.Tab()
		if err := open(tab, filepath.Join(out, "units/a.html"), c.fragment, 30*time.Second); err != nil {
			t.Fatal(err)
		}
		got, err := chromedp.Run(tab, chromedp.Evaluate[[]any](`[
			echarts.getInstanceByDom(document.querySelector('[data-chart]')).getOption().animation,
			document.documentElement.getAttribute('data-charts-ready'),
			location.hash]`))
		cancel()
		if err != nil {
			t.Fatal(err)
		}
		hash := ""
		if c.fragment != "" {
			hash = "#" + c.fragment
		}
		if len(got) != 3 || got[0] != c.want || got[1] != "true" || got[2] != hash {
			t.Errorf("opened with %q: animation, data-charts-ready, hash = %v, want %v, true, %q", hash, got, c.want, hash)
		}
	}
}

// A page whose charts never draw fails the print, named, within the page's time limit;
// the other pages' PDFs are written whole.
func TestPrintPDFNamesTheFailingPage(t *testing.T) {
	out, pages := renderFixture(t)
	// Bad JSON: plantrack.js throws and the page never says its charts have drawn.
	edit(t, out, "units/b.html", `data-chart="{`, `data-chart="{{`)
	defer func(d time.Duration) { pdfPageTimeout = d }(pdfPageTimeout)
	pdfPageTimeout = 3 * time.Second
	start := time.Now()
	files, err := PrintPDF(context.Background(), out, pages)
	if err == nil {
		t.Fatal("no error")
	}
	t.Logf("error: %v", err)
	if !strings.HasPrefix(err.Error(), "print units/b.html: ") || !strings.Contains(err.Error(), "the charts did not finish drawing") {
		t.Errorf("error %q does not name units/b.html and what went wrong", err)
	}
	if d := time.Since(start); d > 25*time.Second {
		t.Errorf("took %v", d)
	}
	for _, f := range files {
		if strings.HasSuffix(f, "b.pdf") {
			t.Errorf("%s is among the files written", f)
		}
		if b, err := os.ReadFile(f); err != nil || !strings.HasPrefix(string(b), "%PDF-") || !strings.Contains(string(b[max(0, len(b)-64):]), "%%EOF") {
			t.Errorf("%s is not a whole PDF: %v", f, err)
		}
	}
}

// Cancelling stops the printing at once, even with every tab waiting on a page that
// would take its whole time limit, and the error says it was cancelled.
func TestPrintPDFStopsWhenCancelled(t *testing.T) {
	out, pages := renderFixture(t)
	var html int
	for _, p := range pages {
		if strings.HasSuffix(p.Name, ".html") {
			html++
		}
		if strings.HasPrefix(p.Name, "units/") || p.Name == "whitepaper.html" || p.Name == "counties.html" {
			edit(t, out, p.Name, `data-chart="{`, `data-chart="{{`)
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	type result struct {
		files []string
		err   error
	}
	done := make(chan result, 1)
	go func() {
		files, err := PrintPDF(ctx, out, pages)
		done <- result{files, err}
	}()
	// index.html prints first; the tabs then wait on pages that never draw.
	deadline := time.Now().Add(60 * time.Second)
	for {
		if _, err := os.Stat(filepath.Join(out, "pdf", "index.pdf")); err == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("index.pdf never came")
		}
		time.Sleep(50 * time.Millisecond)
	}
	time.Sleep(500 * time.Millisecond)
	cancel()
	stopped := time.Now()
	var r result
	select {
	case r = <-done:
	case <-time.After(pdfPageTimeout):
		t.Fatalf("PrintPDF still running %v after the cancel", pdfPageTimeout)
	}
	if d := time.Since(stopped); d > 10*time.Second {
		t.Errorf("PrintPDF returned %v after the cancel", d)
	}
	if !errors.Is(r.err, context.Canceled) {
		t.Errorf("error %v, want context.Canceled", r.err)
	}
	if len(r.files) == 0 || len(r.files) >= html || !strings.HasSuffix(r.files[0], "index.pdf") {
		t.Errorf("files %v: want index.pdf and not every page", r.files)
	}
}

// The unit pages print as one document, cut into a PDF a page where the outline says each
// page's <h1> begins: each unit's PDF holds its own page, every sheet of it, and no other
// unit's. A page without a heading leaves the outline short, and the bundle's pages print
// one by one, each PDF still its page alone.
func TestPrintBundlesCutAtHeadings(t *testing.T) {
	h1 := regexp.MustCompile(`<h1>([^<]*)</h1>`)
	for _, c := range []struct {
		name     string
		noH1     string // a unit page whose <h1> is taken out
		producer string // of the units' PDFs: pdfcpu cut them, or Chromium printed each
	}{
		{"cut", "", "pdfcpu"},
		{"one by one", "units/b.html", "Skia/PDF"},
	} {
		t.Run(c.name, func(t *testing.T) {
			out, pages := renderFixture(t)
			titles := map[string]string{}
			for _, p := range pages {
				if !strings.HasPrefix(p.Name, "units/") {
					continue
				}
				b, err := os.ReadFile(filepath.Join(out, p.Name))
				if err != nil {
					t.Fatal(err)
				}
				m := h1.FindSubmatch(b)
				if m == nil {
					t.Fatalf("%s has no <h1>", p.Name)
				}
				titles[p.Name] = string(m[1])
			}
			if len(titles) < 3 {
				t.Fatalf("%d unit pages: too few to bundle", len(titles))
			}
			if c.noH1 != "" {
				edit(t, out, c.noH1, "<h1>"+titles[c.noH1]+"</h1>", "<p>"+titles[c.noH1]+"</p>")
			}
			if _, err := PrintPDF(context.Background(), out, pages); err != nil {
				t.Fatal(err)
			}
			for page, title := range titles {
				pdf := filepath.Join(out, "pdf", strings.TrimSuffix(page, ".html")+".pdf")
				if info := testkit.Poppler(t, "pdfinfo", pdf); !strings.Contains(info, "Producer:        "+c.producer) {
					t.Errorf("%s: not made by %s:\n%s", pdf, c.producer, info)
				}
				text := testkit.Poppler(t, "pdftotext", pdf, "-")
				if !strings.Contains(text, title) {
					t.Errorf("%s lacks its title %q:\n%s", pdf, title, text)
				}
				for other, o := range titles {
					if other != page && strings.Contains(text, o) {
						t.Errorf("%s holds %s's title %q", pdf, other, o)
					}
				}
			}
		})
	}
}
