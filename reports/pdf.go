package reports

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
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
	u, err := FileURL(path)
	if err != nil {
		return err
	}
	if err := chromedp.Do(tab, chromedp.Navigate(u)); err != nil {
		return fmt.Errorf("open %s: %w", path, err)
	}
	wait, cancel := context.WithTimeout(tab, timeout)
	defer cancel()
	if _, err := chromedp.Run(wait, chromedp.Poll[bool](`document.documentElement.getAttribute('data-charts-ready') === 'true'`)); err != nil {
		return fmt.Errorf("%s: the charts did not finish drawing: %w", path, err)
	}
	return nil
}

// PrintPDF prints each HTML page in out to out/pdf/NAME.pdf, A4, backgrounds and charts
// as drawn on screen.
func PrintPDF(ctx context.Context, out string, pages []Page) ([]string, error) {
	b, err := NewBrowser(ctx)
	if err != nil {
		return nil, err
	}
	defer b.Close()
	var files []string
	for _, p := range pages {
		if !strings.HasSuffix(p.Name, ".html") {
			continue
		}
		tab, cancel := b.Tab()
		err := Open(tab, filepath.Join(out, p.Name), 30*time.Second)
		var pdf []byte
		if err == nil {
			pdf, err = chromedp.Run(tab, chromedp.PrintToPDF(chromedp.PDFPaper(chromedp.PaperA4), chromedp.PDFPrintBackground(), chromedp.PDFMargin(0.4)))
		}
		cancel()
		if err != nil {
			return files, fmt.Errorf("print %s: %w", p.Name, err)
		}
		name := filepath.Join(out, "pdf", strings.TrimSuffix(p.Name, ".html")+".pdf")
		if err := writeFile(name, pdf); err != nil {
			return files, err
		}
		files = append(files, name)
	}
	return files, nil
}
