package cli

import (
	"fmt"
	"html"
	"image"
	"image/png"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"plantrack/internal/testkit"
)

// The PDFs are read back with poppler-utils (pdfinfo, pdftotext, pdfimages), which CI
// installs (.ci/run), beside chromium and fonts-noto-cjk.

var (
	htmlTitle = regexp.MustCompile(`<title>([^<]*)</title>`)
	imageRow  = regexp.MustCompile(`(?m)^ +(\d+) +(\d+) +(image|smask) +(\d+) +(\d+) +(?:\S+ +){7}(\d+) `)
)

// pdfImage is one image of a PDF as pdfimages lists it, with its pixels.
type pdfImage struct {
	page, num     int    // num names the file pdfimages -png writes
	kind          string // image or smask (a canvas's alpha)
	width, height int
	ppi           int // pixels an inch across, as printed
	img           image.Image
}

// pdfImages extracts every image of a PDF, in the order pdfimages lists them.
func pdfImages(t *testing.T, pdf string) []pdfImage {
	t.Helper()
	var out []pdfImage
	for _, m := range imageRow.FindAllStringSubmatch(testkit.Poppler(t, "pdfimages", "-list", pdf), -1) {
		var im pdfImage
		fmt.Sscan(m[1], &im.page)
		fmt.Sscan(m[2], &im.num)
		fmt.Sscan(m[4], &im.width)
		fmt.Sscan(m[5], &im.height)
		fmt.Sscan(m[6], &im.ppi)
		im.kind = m[3]
		out = append(out, im)
	}
	if len(out) == 0 {
		return nil
	}
	prefix := filepath.Join(t.TempDir(), "img")
	testkit.Poppler(t, "pdfimages", "-png", pdf, prefix)
	for i := range out {
		f, err := os.Open(fmt.Sprintf("%s-%03d.png", prefix, out[i].num))
		if err != nil {
			t.Fatal(err)
		}
		img, err := png.Decode(f)
		f.Close()
		if err != nil {
			t.Fatalf("%s image %d: %v", pdf, i, err)
		}
		if b := img.Bounds(); b.Dx() != out[i].width || b.Dy() != out[i].height {
			t.Fatalf("%s image %d: %v, listed %dx%d", pdf, i, b, out[i].width, out[i].height)
		}
		out[i].img = img
	}
	return out
}

// inked counts the pixels of a picture that are not white (JPEG leaves a little noise
// near white: a pixel counts when a channel is below 0xe0).
func inked(img image.Image) int {
	n := 0
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			if r, g, b, _ := img.At(x, y).RGBA(); min(r, g, b)>>8 < 0xe0 {
				n++
			}
		}
	}
	return n
}

// report --pdf on the sample year: one PDF for every HTML page and nothing else, each a
// real A4 PDF with its Chinese title in its text, and every chart of a page in its PDF as
// a picture (JPEG, at twice its size on paper) with the chart drawn on it (a chart that
// had not drawn would be a white picture).
func TestReportPDF(t *testing.T) {
	db := filepath.Join(demoOut(t), "plantrack.duckdb")
	out := t.TempDir()
	stdout, stderr, code := run(t, "report", "--db", db, "--out", out, "--pdf")
	if code != ExitOK {
		t.Fatalf("report --pdf: exit %d\n%s%s", code, stdout, stderr)
	}
	var pages, pdfs []string
	err := filepath.WalkDir(out, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(out, path)
		rel = filepath.ToSlash(rel)
		switch {
		case strings.HasPrefix(rel, "pdf/") && strings.HasSuffix(rel, ".pdf"):
			pdfs = append(pdfs, strings.TrimSuffix(strings.TrimPrefix(rel, "pdf/"), ".pdf"))
		case strings.HasSuffix(rel, ".html"):
			pages = append(pages, strings.TrimSuffix(rel, ".html"))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(pages)
	slices.Sort(pdfs)
	if !slices.Equal(pages, pdfs) {
		t.Fatalf("the PDFs are not the pages:\npages %v\nPDFs  %v", pages, pdfs)
	}
	for _, p := range []string{"index", "whitepaper", "counties", "briefing", "units/dong-e"} {
		if !slices.Contains(pages, p) {
			t.Errorf("no page %s", p)
		}
	}
	if want := fmt.Sprintf("\n%d PDFs\n", len(pages)); !strings.Contains(stdout, want) {
		t.Errorf("stdout lacks %q:\n%s", want, stdout)
	}
	const a4w, a4h = 595.28, 841.89 // 210 × 297 mm in points
	charts := 0
	for _, name := range pages {
		page, err := os.ReadFile(filepath.Join(out, name+".html"))
		if err != nil {
			t.Fatal(err)
		}
		pdf := filepath.Join(out, "pdf", name+".pdf")
		b, err := os.ReadFile(pdf)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(string(b), "%PDF-") {
			t.Errorf("%s.pdf is not a PDF: %q", name, b[:min(len(b), 16)])
			continue
		}
		sizes := testkit.PDFPages(t, pdf)
		for i, s := range sizes {
			if math.Abs(s[0]-a4w) > 1.5 || math.Abs(s[1]-a4h) > 1.5 {
				t.Errorf("%s.pdf page %d is %.2f × %.2f pt, not A4 portrait", name, i+1, s[0], s[1])
			}
		}
		if name == "briefing" && len(sizes) != 1 {
			t.Errorf("briefing.pdf has %d pages, want 1", len(sizes))
		}
		m := htmlTitle.FindSubmatch(page)
		if m == nil {
			t.Fatalf("%s.html has no title", name)
		}
		title, _, _ := strings.Cut(html.UnescapeString(string(m[1])), " · ")
		if !strings.ContainsFunc(title, func(r rune) bool { return r >= 0x4e00 && r <= 0x9fff }) {
			t.Fatalf("%s.html: title %q is not Chinese", name, title)
		}
		nospace := strings.NewReplacer(" ", "", "\n", "", "\f", "")
		if text := testkit.Poppler(t, "pdftotext", pdf, "-"); !strings.Contains(nospace.Replace(text), nospace.Replace(title)) {
			t.Errorf("%s.pdf: its text lacks the title %q", name, title)
		}
		// Each chart prints as one picture of it, twice as many pixels as CSS pixels.
		want := strings.Count(string(page), " data-chart=")
		charts += want
		images := 0
		for i, im := range pdfImages(t, pdf) {
			if im.kind != "image" {
				t.Errorf("%s.pdf image %d: a %s, want none", name, i, im.kind)
				continue
			}
			images++
			// The sample's charts ink 3% to 50% of their picture; an undrawn one, nothing.
			if n := inked(im.img); n < 1000 || n*100 < im.width*im.height {
				t.Errorf("%s.pdf image %d (page %d, %d×%d): %d pixels drawn, want a chart (1%% or more)", name, i, im.page, im.width, im.height, n)
			}
			if im.ppi < 180 { // 2 pixels a CSS pixel: 192
				t.Errorf("%s.pdf image %d: printed at %d pixels an inch, want twice the CSS pixels (192)", name, i, im.ppi)
			}
		}
		if images != want {
			t.Errorf("%s.pdf: %d pictures, want one for each of its %d charts", name, images, want)
		}
	}
	if charts < 26 { // the white paper's 11, the counties' 14, a unit's 1
		t.Errorf("%d charts in all: the pages lost their charts", charts)
	}
}
