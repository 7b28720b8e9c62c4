// Package docx writes Word documents (.docx, WordprocessingML) in 公文 layout after
// GB/T 9704: A4, margins 37/35/28/26 mm (top/bottom/left/right), title 二号 方正小标宋简体,
// body 三号 仿宋_GB2312 at a fixed 28.95 pt line (22 lines of 28 characters), headings 黑体
// (一、) and 楷体_GB2312 (（一）), tables ruled in black, page numbers "— 1 —" at the foot
// (odd pages right, even pages left). The styles, fonts, settings and footers are a
// reference document kept as data (ref/); a Document adds the body: paragraphs, tables
// and PNG images.
//
// Every font is declared for East Asian text (w:eastAsia, w:lang eastAsia zh-CN) and the
// font table names a fallback that a Debian machine has (Noto Serif/Sans CJK SC, from
// fonts-noto-cjk), so Chinese never falls back to boxes where the 公文 fonts are missing.
//
// The same content gives the same bytes: the zip's parts are written in a fixed order with
// a fixed time, and nothing depends on the clock or on map order.
package docx

import (
	"archive/zip"
	"bytes"
	"embed"
	"encoding/xml"
	"fmt"
	"io"
	"strings"
	"time"
)

//go:embed ref/*.xml
var refFS embed.FS

// Page geometry in twips (1/1440 inch), after GB/T 9704.
const (
	PageWidth  = 11906 // 210 mm
	PageHeight = 16838 // 297 mm
	MarginTop  = 2098  // 37 mm
	MarginBot  = 1984  // 35 mm
	MarginLeft = 1587  // 28 mm
	MarginRigt = 1474  // 26 mm
	// TextWidth is the width of the 版心: 156 mm.
	TextWidth = PageWidth - MarginLeft - MarginRigt
	// LinePitch is the body's fixed line: 28.95 pt, 22 lines in the 225 mm 版心.
	LinePitch = 579
)

// Run is a piece of a paragraph's text.
type Run struct {
	Text string
	Bold bool
	// Highlight marks text only the office can write (yellow, as Word's highlighter).
	Highlight bool
}

// T is plain text.
func T(s string) Run { return Run{Text: s} }

// B is bold text.
func B(s string) Run { return Run{Text: s, Bold: true} }

// Fill is the mark for what only the office can write: 【待补充：what】, highlighted.
func Fill(what string) Run { return Run{Text: "【待补充：" + what + "】", Highlight: true} }

// Style names of the reference document.
const (
	Title      = "Title"
	Subtitle   = "Subtitle"
	Heading1   = "Heading1" // 黑体: 一、
	Heading2   = "Heading2" // 楷体: （一）
	Body       = "Normal"
	Salutation = "Salutation" // 主送机关, flush left
	Signature  = "Signature"  // 落款 and date, right
	Caption    = "Caption"
	Note       = "Note"
)

// Table is a table in 公文 style: a header row in 黑体 repeated on each page, rows in 仿宋.
type Table struct {
	Header []string
	Rows   [][]string
	// Widths are the columns' widths in points; a 0 (or missing) width shares what the
	// others leave of the text width (nil: equal columns). Too wide, they are scaled down.
	Widths []float64
	// Left lists the columns set flush left (long text); the others are centred.
	Left []int
	// Size is the text size in half-points (0: 24, 小四).
	Size int
}

// Document is a Word document being written.
type Document struct {
	title  string
	body   bytes.Buffer
	images [][]byte
	ids    int
}

// New starts a document; title goes into its properties.
func New(title string) *Document { return &Document{title: title} }

// Para adds a paragraph of style with runs.
func (d *Document) Para(style string, runs ...Run) {
	d.body.WriteString("<w:p>")
	if style != Body {
		fmt.Fprintf(&d.body, `<w:pPr><w:pStyle w:val="%s"/></w:pPr>`, style)
	}
	for _, r := range runs {
		writeRun(&d.body, r, 0)
	}
	d.body.WriteString("</w:p>\n")
}

// Text adds a body paragraph of plain text.
func (d *Document) Text(s string) { d.Para(Body, T(s)) }

// PageBreak starts a new page.
func (d *Document) PageBreak() {
	d.body.WriteString(`<w:p><w:r><w:br w:type="page"/></w:r></w:p>` + "\n")
}

func writeRun(b *bytes.Buffer, r Run, size int) {
	if r.Text == "" {
		return
	}
	b.WriteString("<w:r>")
	if r.Bold || r.Highlight || size > 0 {
		b.WriteString("<w:rPr>")
		if r.Bold {
			b.WriteString("<w:b/><w:bCs/>")
		}
		if size > 0 {
			fmt.Fprintf(b, `<w:sz w:val="%d"/><w:szCs w:val="%d"/>`, size, size)
		}
		if r.Highlight {
			b.WriteString(`<w:highlight w:val="yellow"/>`)
		}
		b.WriteString("</w:rPr>")
	}
	b.WriteString(`<w:t xml:space="preserve">`)
	xml.EscapeText(b, []byte(r.Text))
	b.WriteString("</w:t></w:r>")
}

// Table adds a table.
func (d *Document) Table(t Table) {
	n := len(t.Header)
	if n == 0 && len(t.Rows) > 0 {
		n = len(t.Rows[0])
	}
	if n == 0 {
		return
	}
	widths := columnWidths(t.Widths, n)
	size := t.Size
	if size == 0 {
		size = 24
	}
	b := &d.body
	fmt.Fprintf(b, `<w:tbl><w:tblPr><w:tblStyle w:val="GongwenTable"/><w:tblW w:w="%d" w:type="dxa"/><w:tblLayout w:type="fixed"/><w:tblLook w:val="04A0" w:firstRow="1" w:lastRow="0" w:firstColumn="0" w:lastColumn="0" w:noHBand="1" w:noVBand="1"/></w:tblPr><w:tblGrid>`, TextWidth)
	for _, w := range widths {
		fmt.Fprintf(b, `<w:gridCol w:w="%d"/>`, w)
	}
	b.WriteString("</w:tblGrid>\n")
	row := func(cells []string, head bool) {
		b.WriteString("<w:tr>")
		b.WriteString(`<w:trPr><w:cantSplit/>`)
		if head {
			b.WriteString(`<w:tblHeader/>`)
		}
		b.WriteString(`</w:trPr>`)
		for i := range n {
			cell := ""
			if i < len(cells) {
				cell = cells[i]
			}
			fmt.Fprintf(b, `<w:tc><w:tcPr><w:tcW w:w="%d" w:type="dxa"/><w:vAlign w:val="center"/></w:tcPr><w:p><w:pPr><w:pStyle w:val="%s"/>`, widths[i], map[bool]string{true: "TableHead", false: "TableText"}[head])
			if !head && contains(t.Left, i) {
				b.WriteString(`<w:jc w:val="left"/>`)
			}
			b.WriteString("</w:pPr>")
			writeRun(b, T(cell), size)
			b.WriteString("</w:p></w:tc>")
		}
		b.WriteString("</w:tr>\n")
	}
	if len(t.Header) > 0 {
		row(t.Header, true)
	}
	for _, r := range t.Rows {
		row(r, false)
	}
	// Word needs a paragraph between a table and what follows; a small one.
	b.WriteString("</w:tbl>\n" + `<w:p><w:pPr><w:pStyle w:val="Note"/></w:pPr></w:p>` + "\n")
}

// columnWidths gives n columns their widths in twips: widths in points, 0 (or missing)
// sharing what the others leave of the text width; scaled down to fit when too wide.
func columnWidths(pt []float64, n int) []int {
	const twips = 20
	fixed, free := 0.0, 0
	for i := range n {
		if i < len(pt) && pt[i] > 0 {
			fixed += pt[i] * twips
		} else {
			free++
		}
	}
	total := float64(TextWidth)
	rest, scale := 0.0, 1.0
	switch {
	case free > 0 && fixed < total:
		rest = (total - fixed) / float64(free)
	case free == 0 && fixed > 0:
		scale = total / fixed
	case fixed >= total: // no room left: every column an equal share
		fixed, scale = 0, 0
		rest = total / float64(n)
	}
	out := make([]int, n)
	for i := range n {
		if i < len(pt) && pt[i] > 0 && scale > 0 {
			out[i] = int(pt[i] * twips * scale)
		} else {
			out[i] = int(rest)
		}
	}
	return out
}

func contains(l []int, i int) bool {
	for _, x := range l {
		if x == i {
			return true
		}
	}
	return false
}

// EMU per millimetre (English Metric Units: 914400 an inch).
const emuPerMM = 36000

// Image adds a PNG, centred, widthMM wide and heightMM high, with its alt text.
func (d *Document) Image(png []byte, widthMM, heightMM float64, alt string) {
	d.images = append(d.images, png)
	n := len(d.images)
	d.ids++
	cx, cy := int64(widthMM*emuPerMM), int64(heightMM*emuPerMM)
	b := &d.body
	fmt.Fprintf(b, `<w:p><w:pPr><w:pStyle w:val="Figure"/></w:pPr><w:r><w:drawing><wp:inline distT="0" distB="0" distL="0" distR="0"><wp:extent cx="%d" cy="%d"/><wp:docPr id="%d" name="图%d" descr="`, cx, cy, d.ids, n)
	xml.EscapeText(b, []byte(alt))
	fmt.Fprintf(b, `"/><wp:cNvGraphicFramePr><a:graphicFrameLocks noChangeAspect="1"/></wp:cNvGraphicFramePr><a:graphic><a:graphicData uri="http://schemas.openxmlformats.org/drawingml/2006/picture"><pic:pic><pic:nvPicPr><pic:cNvPr id="%d" name="image%d.png"/><pic:cNvPicPr/></pic:nvPicPr><pic:blipFill><a:blip r:embed="rIdImage%d"/><a:stretch><a:fillRect/></a:stretch></pic:blipFill><pic:spPr><a:xfrm><a:off x="0" y="0"/><a:ext cx="%d" cy="%d"/></a:xfrm><a:prstGeom prst="rect"><a:avLst/></a:prstGeom></pic:spPr></pic:pic></a:graphicData></a:graphic></wp:inline></w:drawing></w:r></w:p>`+"\n", d.ids, n, n, cx, cy)
}

// Images is how many images the document holds.
func (d *Document) Images() int { return len(d.images) }

const (
	nsW   = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
	nsR   = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
	nsWP  = "http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing"
	nsA   = "http://schemas.openxmlformats.org/drawingml/2006/main"
	nsPic = "http://schemas.openxmlformats.org/drawingml/2006/picture"
	relT  = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/"
)

// sectPr is the page setup: A4, the GB/T 9704 margins, the footers, 22 lines a page.
const sectPr = `<w:sectPr><w:footerReference w:type="default" r:id="rIdFooterOdd"/><w:footerReference w:type="even" r:id="rIdFooterEven"/>` +
	`<w:pgSz w:w="11906" w:h="16838"/><w:pgMar w:top="2098" w:right="1474" w:bottom="1984" w:left="1587" w:header="851" w:footer="1304" w:gutter="0"/>` +
	`<w:cols w:space="425"/><w:docGrid w:type="lines" w:linePitch="579"/></w:sectPr>`

// fixedTime is every zip entry's time: the same content gives the same bytes.
var fixedTime = time.Date(1980, 1, 1, 0, 0, 0, 0, time.UTC)

// Write writes the document as a .docx.
func (d *Document) Write(w io.Writer) error {
	var doc bytes.Buffer
	fmt.Fprintf(&doc, `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>`+"\n"+`<w:document xmlns:w="%s" xmlns:r="%s" xmlns:wp="%s" xmlns:a="%s" xmlns:pic="%s"><w:body>`+"\n", nsW, nsR, nsWP, nsA, nsPic)
	doc.Write(d.body.Bytes())
	doc.WriteString(sectPr + "</w:body></w:document>\n")

	var rels strings.Builder
	rels.WriteString(`<?xml version="1.0" encoding="UTF-8" standalone="yes"?>` + "\n" + `<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">`)
	for _, r := range [][2]string{{"rIdStyles", "styles"}, {"rIdSettings", "settings"}, {"rIdFonts", "fontTable"}} {
		fmt.Fprintf(&rels, `<Relationship Id="%s" Type="%s%s" Target="%s.xml"/>`, r[0], relT, r[1], r[1])
	}
	fmt.Fprintf(&rels, `<Relationship Id="rIdFooterOdd" Type="%sfooter" Target="footer1.xml"/><Relationship Id="rIdFooterEven" Type="%sfooter" Target="footer2.xml"/>`, relT, relT)
	for i := range d.images {
		fmt.Fprintf(&rels, `<Relationship Id="rIdImage%d" Type="%simage" Target="media/image%d.png"/>`, i+1, relT, i+1)
	}
	rels.WriteString("</Relationships>\n")

	var core bytes.Buffer
	core.WriteString(`<?xml version="1.0" encoding="UTF-8" standalone="yes"?>` + "\n" + `<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:title>`)
	xml.EscapeText(&core, []byte(d.title))
	core.WriteString(`</dc:title><dc:creator>plantrack</dc:creator><dc:language>zh-CN</dc:language></cp:coreProperties>` + "\n")

	parts := []struct {
		name string
		data func() ([]byte, error)
	}{
		{"[Content_Types].xml", func() ([]byte, error) { return []byte(contentTypes(len(d.images) > 0)), nil }},
		{"_rels/.rels", func() ([]byte, error) { return []byte(rootRels), nil }},
		{"docProps/core.xml", func() ([]byte, error) { return core.Bytes(), nil }},
		{"word/document.xml", func() ([]byte, error) { return doc.Bytes(), nil }},
		{"word/_rels/document.xml.rels", func() ([]byte, error) { return []byte(rels.String()), nil }},
		{"word/styles.xml", ref("styles.xml")},
		{"word/settings.xml", ref("settings.xml")},
		{"word/fontTable.xml", ref("fontTable.xml")},
		{"word/footer1.xml", ref("footer-odd.xml")},
		{"word/footer2.xml", ref("footer-even.xml")},
	}
	for i, img := range d.images {
		parts = append(parts, struct {
			name string
			data func() ([]byte, error)
		}{fmt.Sprintf("word/media/image%d.png", i+1), func() ([]byte, error) { return img, nil }})
	}
	z := zip.NewWriter(w)
	for _, p := range parts {
		b, err := p.data()
		if err != nil {
			return err
		}
		method := zip.Deflate
		if strings.HasSuffix(p.name, ".png") {
			method = zip.Store // already compressed
		}
		f, err := z.CreateHeader(&zip.FileHeader{Name: p.name, Method: method, Modified: fixedTime})
		if err != nil {
			return err
		}
		if _, err := f.Write(b); err != nil {
			return err
		}
	}
	return z.Close()
}

// Bytes is the document as a .docx.
func (d *Document) Bytes() ([]byte, error) {
	var b bytes.Buffer
	err := d.Write(&b)
	return b.Bytes(), err
}

func ref(name string) func() ([]byte, error) {
	return func() ([]byte, error) { return refFS.ReadFile("ref/" + name) }
}

const rootRels = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties" Target="docProps/core.xml"/></Relationships>
`

func contentTypes(png bool) string {
	var b strings.Builder
	b.WriteString(`<?xml version="1.0" encoding="UTF-8" standalone="yes"?>` + "\n" + `<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>`)
	if png {
		b.WriteString(`<Default Extension="png" ContentType="image/png"/>`)
	}
	const wml = "application/vnd.openxmlformats-officedocument.wordprocessingml."
	for _, o := range [][2]string{
		{"/word/document.xml", wml + "document.main+xml"},
		{"/word/styles.xml", wml + "styles+xml"},
		{"/word/settings.xml", wml + "settings+xml"},
		{"/word/fontTable.xml", wml + "fontTable+xml"},
		{"/word/footer1.xml", wml + "footer+xml"},
		{"/word/footer2.xml", wml + "footer+xml"},
		{"/docProps/core.xml", "application/vnd.openxmlformats-package.core-properties+xml"},
	} {
		fmt.Fprintf(&b, `<Override PartName="%s" ContentType="%s"/>`, o[0], o[1])
	}
	b.WriteString("</Types>\n")
	return b.String()
}
