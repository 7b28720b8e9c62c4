package reports

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"time"

	"github.com/chromedp/chromedp"
)

// ErrNoChromium means no headless browser was found for --pdf.
var ErrNoChromium = errors.New("chromium not found: install it (Debian: apt-get install chromium fonts-noto-cjk) or set PLANTRACK_CHROMIUM to its path")

// Browser is a headless Chromium with no network: pages load only from disk. It prints
// pages to PDF and lets tests look at them as a reader would.
type Browser struct {
	ctx     context.Context // the browser's chromedp context
	cancel  func()
	dataDir string
}

// chromiumPath finds the browser: PLANTRACK_CHROMIUM, else the usual names on PATH.
func chromiumPath() (string, error) {
	if p := os.Getenv("PLANTRACK_CHROMIUM"); p != "" {
		return p, nil
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p, nil
		}
	}
	return "", ErrNoChromium
}

// NewBrowser starts headless Chromium. Every way out to a network is closed: no proxy
// reachable, no name resolves, background services off.
func NewBrowser(ctx context.Context) (*Browser, error) {
	path, err := chromiumPath()
	if err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp("", "plantrack-chromium")
	if err != nil {
		return nil, err
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(path),
		chromedp.UserDataDir(dir),
		chromedp.NoSandbox, // CI runs as root, where Chromium's sandbox cannot start
		chromedp.DisableGPU,
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("proxy-server", "127.0.0.1:9"),
		chromedp.Flag("host-resolver-rules", "MAP * ~NOTFOUND"),
		chromedp.Flag("hide-scrollbars", true),
		chromedp.WindowSize(1200, 900),
	)
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(ctx, opts...)
	bctx, cancelBrowser := chromedp.NewContext(allocCtx)
	if err := chromedp.Do(bctx); err != nil { // starts the browser
		cancelBrowser()
		cancelAlloc()
		os.RemoveAll(dir)
		return nil, fmt.Errorf("start %s: %w", path, err)
	}
	return &Browser{ctx: bctx, dataDir: dir, cancel: func() { cancelBrowser(); cancelAlloc() }}, nil
}

// Close stops the browser and removes its profile.
func (b *Browser) Close() {
	b.cancel()
	for range 20 { // Chromium's children may still write for a moment
		if os.RemoveAll(b.dataDir) == nil {
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// Tab opens a new tab; cancel closes it.
func (b *Browser) Tab() (context.Context, context.CancelFunc) { return chromedp.NewContext(b.ctx) }

// FileURL is the file:// address of a page on disk.
func FileURL(path string) (string, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return "", err
	}
	return (&url.URL{Scheme: "file", Path: filepath.ToSlash(abs)}).String(), nil
}

// Open loads a page in tab and waits until its charts have drawn (plantrack.js marks
// <html data-charts-ready>), at most timeout.
func Open(tab context.Context, path string, timeout time.Duration) error {
	return open(tab, path, "", timeout)
}

// printFragment opens a page for printing: plantrack.js then draws every chart without
// animation, whatever its option says, so the first frame drawn is the last.
const printFragment = "print"

// open loads path#fragment in tab and waits, at most timeout in all, until the page
// has loaded and plantrack.js has marked <html data-charts-ready="true"> (every chart's
// ECharts "finished" event has fired; a page without charts carries the mark in its
// HTML). Navigate returns once the new document has loaded, so in a tab that showed
// another page before, the mark looked at is the new page's.
func open(tab context.Context, path, fragment string, timeout time.Duration) error {
	u, err := FileURL(path)
	if err != nil {
		return err
	}
	if fragment != "" {
		u += "#" + fragment
	}
	// The first Run of a tab binds the tab's life to its context: run the tab itself
	// first, so that the timeout below ends the wait and not the tab.
	if err := chromedp.Do(tab); err != nil {
		return fmt.Errorf("open %s: %w", path, err)
	}
	wait, cancel := context.WithTimeout(tab, timeout)
	defer cancel()
	if err := chromedp.Do(wait, chromedp.Navigate(u)); err != nil {
		return fmt.Errorf("open %s: %w", path, err)
	}
	if _, err := chromedp.Run(wait, chromedp.Poll[bool](`document.documentElement.getAttribute('data-charts-ready') === 'true'`,
		chromedp.WithPollingTimeout(0))); err != nil {
		return fmt.Errorf("%s: the charts did not finish drawing: %w", path, err)
	}
	return nil
}

// pdfTabs is how many tabs of one browser print at once: one a core, at least two (while
// one tab waits on the browser, the other draws) and at most eight. Printing is bound by
// the CPU: Chromium lays the pages out and draws them into the PDF, and every PDF costs a
// fixed share besides (see bundle.go). On the project's 2-core machine (2026-12-01, the
// sample year's 49 pages one PDF each, other work running beside it) two tabs and three
// took the same time (28.8 s and 29.1 s, the mean of four runs each), one tab 37–44 s.
var pdfTabs = max(2, min(runtime.NumCPU(), 8))

// pdfPageTimeout bounds the loading and drawing of one page.
var pdfPageTimeout = 30 * time.Second

// PrintPDF prints each HTML page in out to out/pdf/NAME.pdf, A4, backgrounds and charts
// as drawn on screen. One browser prints with a pool of pdfTabs tabs. The charts are
// drawn first, many pages' on one sheet (see print.go), and each page is printed from a
// copy in which its charts are those pictures and no script is left; pages of one folder
// and kind print together as one document, cut into a PDF a page (see bundle.go). It
// returns the files written, in the order of pages. The first page that fails stops the
// rest and is named in the error; when ctx ends, PrintPDF stops and returns an error
// that wraps ctx.Err().
func PrintPDF(ctx context.Context, out string, pages []Page) ([]string, error) {
	var names []string
	for _, p := range pages {
		if strings.HasSuffix(p.Name, ".html") {
			names = append(names, p.Name)
		}
	}
	if len(names) == 0 {
		return nil, nil
	}
	todo, sheets, err := readPrintPages(out, names)
	if err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp("", "plantrack-print")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	b, err := NewBrowser(ctx)
	if err != nil {
		return nil, err
	}
	defer b.Close()

	// The pages without charts are ready to print as they are, without their scripts.
	for _, p := range todo {
		if p.sheet == nil {
			if err := p.writePictured(out, dir, nil); err != nil {
				return nil, fmt.Errorf("print %s: %w", p.name, err)
			}
		}
	}
	bundles := bundlesOf(todo)

	// The jobs, in the order tabs take them: each sheet, then each bundle. A tab that
	// takes a bundle whose pages' sheets are still drawing waits for them; they were
	// taken before, so some tab is drawing them.
	type job struct {
		sheet  *chartSheet
		bundle int // index in bundles, when sheet is nil
	}
	var jobs []job
	for _, s := range sheets {
		jobs = append(jobs, job{sheet: s})
	}
	for i := range bundles {
		jobs = append(jobs, job{bundle: i})
	}

	// stop ends the pool: the first failure, or ctx ending, cuts short every job in
	// flight (each tab's actions run under a context that stop cancels).
	pool, stop := context.WithCancel(ctx)
	defer stop()
	var (
		mu       sync.Mutex
		firstErr error
		files    = make([][]string, len(bundles))
		next     = 0 // the index of the next job
	)
	take := func() (job, bool) {
		mu.Lock()
		defer mu.Unlock()
		if firstErr != nil || pool.Err() != nil || next == len(jobs) {
			return job{}, false
		}
		next++
		return jobs[next-1], true
	}
	fail := func(err error) {
		mu.Lock()
		if firstErr == nil {
			firstErr = err
		}
		mu.Unlock()
		stop()
	}
	var wg sync.WaitGroup
	for i := range min(pdfTabs, len(jobs)) {
		wg.Go(func() {
			// The browser's first tab serves the first worker: a new tab costs a window.
			tab := b.ctx
			if i > 0 {
				t, closeTab := b.Tab()
				defer closeTab()
				if err := chromedp.Do(t); err != nil { // opens the tab, for as long as t
					fail(fmt.Errorf("print: open a tab: %w", err))
					return
				}
				tab = t
			}
			for {
				j, ok := take()
				if !ok {
					return
				}
				if s := j.sheet; s != nil {
					s.err = run(pool, tab, func(run context.Context) error { return s.draw(run, out, dir) })
					close(s.done)
					if s.err != nil {
						fail(s.err)
						return
					}
					continue
				}
				bd := bundles[j.bundle]
				for _, p := range bd.pages {
					if s := p.sheet; s != nil {
						select {
						case <-s.done:
						case <-pool.Done():
							return
						}
						if s.err != nil {
							return
						}
					}
				}
				var names []string
				err := run(pool, tab, func(run context.Context) error {
					var err error
					names, err = bd.print(run, out, dir)
					return err
				})
				if err != nil {
					fail(err)
					return
				}
				mu.Lock()
				files[j.bundle] = names
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	var done []string
	for _, f := range files {
		done = append(done, f...)
	}
	if err := ctx.Err(); err != nil { // cancelled: say so, whatever a tab saw first
		return done, fmt.Errorf("print: %w", err)
	}
	return done, firstErr
}

// run runs f in tab under a context that pool ending cancels.
func run(pool, tab context.Context, f func(context.Context) error) error {
	ctx, cancel := context.WithCancel(tab)
	defer cancel()
	defer context.AfterFunc(pool, cancel)()
	return f(ctx)
}

// printPage prints the page at path alone and writes the PDF to name.
func printPage(tab context.Context, path, name string) error {
	pdf, err := printDoc(tab, path, false)
	if err != nil {
		return err
	}
	return writeFile(name, pdf)
}
