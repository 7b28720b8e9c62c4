package reports

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/chromedp/chromedp"
	"github.com/pdfcpu/pdfcpu/pkg/api"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/model"
	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// Printing pages together. Chromium pays for every PDF it makes, whatever is on it: it
// subsets each CJK font face the document uses (about 0.25 s of CPU a face, the fonts
// being some 20 MB) and sets up a print (0.14 s). The sample year's 49 PDFs cost 31 s of
// CPU that way, their content little. So pages of one folder and one kind (the unit
// pages) print as one document, each starting a new sheet of paper, and the PDF is cut
// into one file a page afterwards (pdfcpu), where the document outline Chromium writes
// from the headings says on which sheet each page begins: every page has one <h1>, its
// title. Should the outline not name the pages as expected, they print one by one.

// bundlePages is the most pages printed as one document: enough to share the fixed cost
// among many, few enough that a province's thousands of unit pages make many documents
// for the pool of tabs (and a bundle's PDF stays a few MB).
const bundlePages = 24

// bundle is pages printed as one document.
type bundle struct {
	n     int
	pages []*printCopy
}

// bundlesOf groups consecutive pages of one folder whose <body> has the same class (the
// stylesheet styles a page by it) into bundles of at most bundlePages.
func bundlesOf(pages []*printCopy) []*bundle {
	var out []*bundle
	key := func(p *printCopy) string { return filepath.Dir(p.name) + "\x00" + bodyClass(p.doc) }
	for _, p := range pages {
		if n := len(out); n > 0 {
			last := out[n-1]
			if len(last.pages) < bundlePages && key(last.pages[0]) == key(p) {
				last.pages = append(last.pages, p)
				continue
			}
		}
		out = append(out, &bundle{n: len(out), pages: []*printCopy{p}})
	}
	return out
}

func bodyClass(doc *html.Node) string {
	if b := findElement(doc, atom.Body); b != nil {
		c, _ := attr(b, "class")
		return c
	}
	return ""
}

// find is the first element of doc of type a.
func findElement(doc *html.Node, a atom.Atom) *html.Node {
	for n := range doc.Descendants() {
		if n.Type == html.ElementNode && n.DataAtom == a {
			return n
		}
	}
	return nil
}

// heading is the text of a page's <h1>, spaces collapsed, as an outline names it.
func heading(doc *html.Node) string {
	h := findElement(doc, atom.H1)
	if h == nil {
		return ""
	}
	var b strings.Builder
	for n := range h.Descendants() {
		if n.Type == html.TextNode {
			b.WriteString(n.Data)
		}
	}
	return strings.Join(strings.Fields(b.String()), " ")
}

// pageBreakStyle starts each page of a bundle on a new sheet.
const pageBreakStyle = `.print-bundle-page { break-before: page; }`

// print prints the bundle's pages, each to out/pdf/NAME.pdf, and returns those files. The
// pages' printed copies are written (writePictured) before.
func (bd *bundle) print(tab context.Context, out, dir string) ([]string, error) {
	names := make([]string, len(bd.pages))
	for i, p := range bd.pages {
		names[i] = filepath.Join(out, "pdf", strings.TrimSuffix(p.name, ".html")+".pdf")
	}
	if len(bd.pages) == 1 {
		p := bd.pages[0]
		if err := printPage(tab, filepath.Join(dir, "pages", p.name), names[0]); err != nil {
			return nil, fmt.Errorf("print %s: %w", p.name, err)
		}
		return names, nil
	}
	titles := make([]string, len(bd.pages))
	for i, p := range bd.pages {
		titles[i] = heading(p.doc)
	}
	path := filepath.Join(dir, fmt.Sprintf("bundle-%d.html", bd.n))
	b, err := bd.html()
	if err != nil {
		return nil, fmt.Errorf("print %s: %w", bd.pages[0].name, err)
	}
	if err := os.WriteFile(path, b, 0o644); err != nil {
		return nil, err
	}
	pdf, err := printDoc(tab, path, true)
	if err != nil {
		return nil, fmt.Errorf("print %s…%s: %w", bd.pages[0].name, bd.pages[len(bd.pages)-1].name, err)
	}
	if err := splitPDF(pdf, titles, names); err != nil {
		// Print them one by one: each page's copy is on disk.
		for i, p := range bd.pages {
			if err := printPage(tab, filepath.Join(dir, "pages", p.name), names[i]); err != nil {
				return nil, fmt.Errorf("print %s: %w", p.name, err)
			}
		}
	}
	return names, nil
}

// html is the bundle as one document: the first page's printed copy, and the body of
// every other page after it in a <div> that begins a new sheet. The pages are of one
// folder, so the first page's <base> serves them all. The pages' trees are taken apart.
func (bd *bundle) html() ([]byte, error) {
	doc := bd.pages[0].doc
	body, head := findElement(doc, atom.Body), findElement(doc, atom.Head)
	if body == nil || head == nil {
		return nil, fmt.Errorf("no <head> or <body>")
	}
	style := &html.Node{Type: html.ElementNode, Data: "style", DataAtom: atom.Style}
	style.AppendChild(&html.Node{Type: html.TextNode, Data: pageBreakStyle})
	head.AppendChild(style)
	for _, p := range bd.pages[1:] {
		from := findElement(p.doc, atom.Body)
		if from == nil {
			return nil, fmt.Errorf("%s: no <body>", p.name)
		}
		div := &html.Node{Type: html.ElementNode, Data: "div", DataAtom: atom.Div,
			Attr: []html.Attribute{{Key: "class", Val: "print-bundle-page"}}}
		for c := from.FirstChild; c != nil; c = from.FirstChild {
			from.RemoveChild(c)
			div.AppendChild(c)
		}
		body.AppendChild(div)
	}
	var b bytes.Buffer
	if err := html.Render(&b, doc); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

func init() {
	// pdfcpu would otherwise write a configuration folder into the user's home.
	api.DisableConfigDir()
}

// splitPDF cuts a bundle's PDF into one file a page: names[i] gets the sheets from where
// the outline's i-th top entry, which must be titles[i], points to the sheet before the
// next's.
func splitPDF(pdf []byte, titles, names []string) error {
	conf := model.NewDefaultConfiguration()
	conf.ValidationMode = model.ValidationRelaxed
	ctx, err := api.ReadValidateAndOptimize(bytes.NewReader(pdf), conf)
	if err != nil {
		return err
	}
	bms, err := pdfcpu.Bookmarks(ctx)
	if err != nil {
		return err
	}
	if len(bms) != len(titles) {
		return fmt.Errorf("the outline has %d entries for %d pages", len(bms), len(titles))
	}
	for i, bm := range bms {
		if t := strings.Join(strings.Fields(bm.Title), " "); t != titles[i] {
			return fmt.Errorf("outline entry %d is %q, the page's heading %q", i+1, t, titles[i])
		}
		if bm.PageFrom < 1 || (i > 0 && bm.PageFrom <= bms[i-1].PageFrom) || bm.PageFrom > ctx.PageCount {
			return fmt.Errorf("outline entry %d points to sheet %d", i+1, bm.PageFrom)
		}
	}
	if bms[0].PageFrom != 1 {
		return fmt.Errorf("the first page begins on sheet %d", bms[0].PageFrom)
	}
	for i, bm := range bms {
		last := ctx.PageCount
		if i+1 < len(bms) {
			last = bms[i+1].PageFrom - 1
		}
		var nrs []int
		for n := bm.PageFrom; n <= last; n++ {
			nrs = append(nrs, n)
		}
		part, err := pdfcpu.ExtractPages(ctx, nrs, false)
		if err != nil {
			return err
		}
		var b bytes.Buffer
		if err := api.WriteContext(part, &b); err != nil {
			return err
		}
		if err := writeFile(names[i], b.Bytes()); err != nil {
			return err
		}
	}
	return nil
}

// printDoc opens the document at path for printing and prints it, with the outline of
// its headings when outline is set.
func printDoc(tab context.Context, path string, outline bool) ([]byte, error) {
	if err := open(tab, path, printFragment, pdfPageTimeout); err != nil {
		return nil, err
	}
	opts := []chromedp.PDFOption{chromedp.PDFPaper(chromedp.PaperA4), chromedp.PDFPrintBackground(), chromedp.PDFMargin(pdfMargin)}
	if outline {
		opts = append(opts, chromedp.PDFOutlineAndTagged())
	}
	return chromedp.Run(tab, chromedp.PrintToPDF(opts...))
}
