package reports

import (
	"bytes"
	"context"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"

	"github.com/chromedp/chromedp"
	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// Printing draws charts once, in sheets. Chromium spends most of a page's print on
// things a page repeats: compiling ECharts (1 MB of script) for each page it loads, and
// drawing its charts. So the charts of many pages are drawn together on one sheet (one
// load of the scripts), read back as PNG, and each page is printed from a copy of it in
// which every chart is that picture and no script is left. Measured on the sample year's
// 49 pages (2026-12-01, CPU time of Chromium and plantrack together): 50 s before; the
// pages without their scripts, 31 s; printed together in bundles (bundle.go), 20–22 s
// (33–35 s the same hour without).

// sheetCharts is about how many charts one sheet draws: enough to pay for one compile
// of the scripts many times over, few enough that a province's thousands of unit pages
// do not become one page of thousands of canvases.
const sheetCharts = 40

// printWidth is the width in CSS pixels of what a page prints on: A4's 210 mm less the
// margins PrintToPDF is given (pdfMargin inches each side), at 96 pixels an inch. A
// chart on the sheet is laid out at that width, so its picture fits the printed page.
var printWidth = int(math.Round((210/25.4 - 2*pdfMargin) * 96))

// pdfMargin is the margin of a printed page, in inches.
const pdfMargin = 0.4

// printCopy is a page to print: its parsed document and its charts.
type printCopy struct {
	name   string
	doc    *html.Node
	charts []*html.Node // elements with a data-chart attribute, in document order
	hasMap bool         // it loads the map script
	sheet  *chartSheet  // where its charts are drawn; nil without charts
}

// chartSheet is a page of charts from several pages, drawn in one load of the scripts.
type chartSheet struct {
	n     int
	pages []*printCopy
	done  chan struct{} // closed once the sheet's pages are written for printing
	err   error         // set before done closes when drawing failed
}

// readPrintPages parses the pages and groups the charts of consecutive pages into sheets.
func readPrintPages(out string, names []string) ([]*printCopy, []*chartSheet, error) {
	var pages []*printCopy
	var sheets []*chartSheet
	var cur *chartSheet
	inSheet := 0
	for _, name := range names {
		b, err := os.ReadFile(filepath.Join(out, name))
		if err != nil {
			return nil, nil, err
		}
		doc, err := html.Parse(bytes.NewReader(b))
		if err != nil {
			return nil, nil, fmt.Errorf("%s: %w", name, err)
		}
		p := &printCopy{name: name, doc: doc}
		for n := range doc.Descendants() {
			if n.Type != html.ElementNode {
				continue
			}
			if _, ok := attr(n, "data-chart"); ok {
				p.charts = append(p.charts, n)
			}
			if src, _ := attr(n, "src"); n.DataAtom == atom.Script && strings.HasSuffix(src, "liaocheng-map.js") {
				p.hasMap = true
			}
		}
		if len(p.charts) > 0 {
			if cur == nil || inSheet >= sheetCharts {
				cur = &chartSheet{n: len(sheets), done: make(chan struct{})}
				sheets = append(sheets, cur)
				inSheet = 0
			}
			cur.pages = append(cur.pages, p)
			inSheet += len(p.charts)
			p.sheet = cur
		}
		pages = append(pages, p)
	}
	return pages, sheets, nil
}

func attr(n *html.Node, key string) (string, bool) {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val, true
		}
	}
	return "", false
}

// sheetHTML is the sheet: each chart in copies of the elements around it on its page
// (a radar keeps its grid cell's width), inside a <main> as wide as the printed page,
// with the page's stylesheet and scripts from out. Each chart says which page it is of.
func (s *chartSheet) html(out string) ([]byte, error) {
	base, err := FileURL(out)
	if err != nil {
		return nil, err
	}
	var b bytes.Buffer
	fmt.Fprintf(&b, `<!DOCTYPE html>
<html lang="zh-CN"><head><meta charset="utf-8"><base href="%s/">
<link rel="stylesheet" href="assets/plantrack.css">
<style>main { width: %dpx; max-width: none; padding: 0; }</style>
</head><body>
`, html.EscapeString(base), printWidth)
	hasMap := false
	for _, p := range s.pages {
		hasMap = hasMap || p.hasMap
		for _, c := range p.charts {
			// The elements between <main> and the chart, outermost first.
			var wrap []*html.Node
			for a := c.Parent; a != nil && a.DataAtom != atom.Main && a.DataAtom != atom.Body; a = a.Parent {
				wrap = append([]*html.Node{a}, wrap...)
			}
			b.WriteString("<main>")
			for _, w := range wrap {
				class, _ := attr(w, "class")
				fmt.Fprintf(&b, `<%s class="%s">`, w.Data, html.EscapeString(class))
			}
			chart := &html.Node{Type: html.ElementNode, Data: "div", DataAtom: atom.Div}
			for _, a := range c.Attr {
				if a.Key != "id" {
					chart.Attr = append(chart.Attr, a)
				}
			}
			chart.Attr = append(chart.Attr, html.Attribute{Key: "data-page", Val: p.name})
			if err := html.Render(&b, chart); err != nil {
				return nil, err
			}
			for i := len(wrap) - 1; i >= 0; i-- {
				fmt.Fprintf(&b, "</%s>", wrap[i].Data)
			}
			b.WriteString("</main>\n")
		}
	}
	b.WriteString(`<script src="assets/echarts.min.js"></script>` + "\n")
	if hasMap {
		b.WriteString(`<script src="assets/liaocheng-map.js"></script>` + "\n")
	}
	b.WriteString(`<script src="assets/plantrack.js"></script>` + "\n</body></html>\n")
	return b.Bytes(), nil
}

// sheetScript reads every chart of a sheet back, in document order, as JPEG on white:
// the canvas ECharts drew (at printScale device pixels a CSS pixel), copied onto white.
// JPEG because Chromium puts a JPEG into the PDF as it is, where a PNG is decoded and
// compressed again with its transparency as a second image; at twice the pixels of the
// paper's CSS size and quality 0.92 the charts print sharp.
const sheetScript = `Array.prototype.map.call(document.querySelectorAll('[data-chart]'), function (el) {
  var src = el.querySelector('canvas');
  var c = document.createElement('canvas');
  c.width = src.width; c.height = src.height;
  var g = c.getContext('2d');
  g.fillStyle = '#fff';
  g.fillRect(0, 0, c.width, c.height);
  g.drawImage(src, 0, 0);
  return c.toDataURL('image/jpeg', 0.92);
})`

// printScale is the device pixels to a CSS pixel of a chart's picture on paper.
const printScale = 2

// undrawnScript names the page of the first chart of a sheet that has not drawn.
const undrawnScript = `(function () {
  var el = document.querySelector('[data-chart]:not([data-drawn])');
  return el ? el.getAttribute('data-page') : '';
})()`

// draw draws the sheet in tab and writes its pages, every chart a picture, into dir.
func (s *chartSheet) draw(tab context.Context, out, dir string) error {
	b, err := s.html(out)
	if err != nil {
		return err
	}
	path := filepath.Join(dir, fmt.Sprintf("sheet-%d.html", s.n))
	if err := os.WriteFile(path, b, 0o644); err != nil {
		return err
	}
	// The charts draw at printScale device pixels a CSS pixel; the tab prints pages
	// after, as it was.
	if err := chromedp.Do(tab, chromedp.EmulateViewport(int64(printWidth), 900, chromedp.EmulateScale(printScale))); err != nil {
		return err
	}
	defer chromedp.Do(tab, chromedp.EmulateReset())
	if err := open(tab, path, printFragment, pdfPageTimeout); err != nil {
		// Name the page whose chart did not draw, as printing it alone would.
		if page, qerr := chromedp.Run(tab, chromedp.Evaluate[string](undrawnScript)); qerr == nil && page != "" {
			return fmt.Errorf("print %s: the charts did not finish drawing: %w", page, err)
		}
		return fmt.Errorf("print %s: %w", s.pages[0].name, err)
	}
	urls, err := chromedp.Run(tab, chromedp.Evaluate[[]string](sheetScript))
	if err != nil {
		return fmt.Errorf("print %s: read the charts: %w", s.pages[0].name, err)
	}
	i := 0
	for _, p := range s.pages {
		if i+len(p.charts) > len(urls) {
			return fmt.Errorf("print %s: %d charts read back of %d", p.name, len(urls), i+len(p.charts))
		}
		if err := p.writePictured(out, dir, urls[i:i+len(p.charts)]); err != nil {
			return fmt.Errorf("print %s: %w", p.name, err)
		}
		i += len(p.charts)
	}
	return nil
}

// printPolicy is the content security policy of a page's printed copy: no script, its
// stylesheet and pictures from disk or inline, its <base> a file.
const printPolicy = "default-src 'none'; style-src 'self' file: 'unsafe-inline'; img-src 'self' file: data:; font-src 'self' file: data:; connect-src 'none'; base-uri file:; form-action 'none'"

// writePictured writes the copy of the page that prints: each chart the picture drawn of
// it, no script, marked ready (nothing is left to draw), its addresses resolved against
// the page's own place in out (a <base>), so its stylesheet loads and its links in the
// PDF point where the page is.
func (p *printCopy) writePictured(out, dir string, urls []string) error {
	for i, c := range p.charts {
		if !strings.HasPrefix(urls[i], "data:image/jpeg;base64,") {
			return fmt.Errorf("chart %d: the browser gave no JPEG", i+1)
		}
		img := &html.Node{Type: html.ElementNode, Data: "img", DataAtom: atom.Img}
		for _, a := range c.Attr {
			switch a.Key {
			case "class", "id", "style":
				img.Attr = append(img.Attr, a)
			}
		}
		img.Attr = append(img.Attr, html.Attribute{Key: "src", Val: urls[i]})
		c.Parent.InsertBefore(img, c)
		c.Parent.RemoveChild(c)
	}
	var scripts []*html.Node
	var head *html.Node
	for n := range p.doc.Descendants() {
		switch n.DataAtom {
		case atom.Script:
			scripts = append(scripts, n)
		case atom.Head:
			head = n
		case atom.Html:
			n.Attr = append(n.Attr, html.Attribute{Key: "data-charts-ready", Val: "true"})
		case atom.Meta:
			// The page's policy forbids a <base>; the copy runs nothing at all.
			if v, _ := attr(n, "http-equiv"); strings.EqualFold(v, "Content-Security-Policy") {
				for i := range n.Attr {
					if n.Attr[i].Key == "content" {
						n.Attr[i].Val = printPolicy
					}
				}
			}
		}
	}
	for _, s := range scripts {
		s.Parent.RemoveChild(s)
	}
	u, err := FileURL(filepath.Join(out, p.name))
	if err != nil {
		return err
	}
	if head != nil {
		head.InsertBefore(&html.Node{Type: html.ElementNode, Data: "base", DataAtom: atom.Base,
			Attr: []html.Attribute{{Key: "href", Val: u}}}, head.FirstChild)
	}
	var b bytes.Buffer
	if err := html.Render(&b, p.doc); err != nil {
		return err
	}
	return writeFile(filepath.Join(dir, "pages", p.name), b.Bytes())
}
