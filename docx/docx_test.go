package docx

import (
	"archive/zip"
	"bytes"
	"encoding/xml"
	"image"
	"image/color"
	"image/png"
	"io"
	"slices"
	"strings"
	"testing"
	"time"
)

func tinyPNG(t *testing.T) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 4, 3))
	img.Set(1, 1, color.RGBA{200, 0, 0, 255})
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func sample(t *testing.T) *Document {
	d := New("测试报告")
	d.Para(Title, T("测试报告"))
	d.Para(Heading1, T("一、总体情况"))
	d.Para(Heading2, T("（一）分部分"))
	d.Para(Body, T("完成率 67.4% <&> "), Fill("典型做法"))
	d.Table(Table{Header: []string{"单位", "完成率"}, Rows: [][]string{{"甲县", "50.0%"}, {"乙县", "100.0%"}}, Widths: []float64{0, 60}, Left: []int{0}})
	d.Image(tinyPNG(t), 40, 30, "图1")
	return d
}

func TestWriteReadBack(t *testing.T) {
	b, err := sample(t).Bytes()
	if err != nil {
		t.Fatal(err)
	}
	r, err := Open(b)
	if err != nil {
		t.Fatal(err)
	}
	if got := r.Styled(Heading1); !slices.Equal(got, []string{"一、总体情况"}) {
		t.Errorf("Heading1 = %q", got)
	}
	if got := r.Styled(Heading2); !slices.Equal(got, []string{"（一）分部分"}) {
		t.Errorf("Heading2 = %q", got)
	}
	var body *Paragraph
	for i, p := range r.Paragraphs {
		if strings.HasPrefix(p.Text, "完成率") && !p.InTable {
			body = &r.Paragraphs[i]
			break
		}
	}
	if body == nil || body.Text != "完成率 67.4% <&> 【待补充：典型做法】" || !slices.Equal(body.Highlighted, []string{"【待补充：典型做法】"}) {
		t.Errorf("body paragraph = %+v", body)
	}
	if r.Tables != 1 || r.Images != 1 {
		t.Errorf("%d tables, %d images; want 1, 1", r.Tables, r.Images)
	}
	if !strings.Contains(r.Text(), "乙县\n100.0%\n") {
		t.Errorf("table cells missing:\n%s", r.Text())
	}
	for _, f := range []string{"仿宋_GB2312", "方正小标宋简体", "黑体", "楷体_GB2312"} {
		if !slices.Contains(r.EastAsia, f) {
			t.Errorf("styles declare East Asian fonts %q, not %s", r.EastAsia, f)
		}
	}
	// Every fallback named in the font table is a font fonts-noto-cjk installs.
	fonts := string(r.Parts["word/fontTable.xml"])
	for _, f := range []string{"仿宋_GB2312", "黑体", "楷体_GB2312", "方正小标宋简体"} {
		i := strings.Index(fonts, `w:name="`+f+`"`)
		if i < 0 || !strings.Contains(fonts[i:i+120], `<w:altName w:val="Noto S`) {
			t.Errorf("font table: %s has no Noto CJK fallback", f)
		}
	}
	doc := string(r.Parts["word/document.xml"])
	for _, want := range []string{`<w:pgSz w:w="11906" w:h="16838"/>`, `w:top="2098" w:right="1474" w:bottom="1984" w:left="1587"`, `w:linePitch="579"`, `r:embed="rIdImage1"`} {
		if !strings.Contains(doc, want) {
			t.Errorf("document.xml lacks %s", want)
		}
	}
	if !strings.Contains(string(r.Parts["word/footer1.xml"]), "PAGE") || !strings.Contains(string(r.Parts["word/footer2.xml"]), "— ") {
		t.Error("footers lack the page number — 1 —")
	}
	// Every XML part is well formed.
	for name, data := range r.Parts {
		if !strings.HasSuffix(name, ".xml") && !strings.HasSuffix(name, ".rels") {
			continue
		}
		dec := xml.NewDecoder(bytes.NewReader(data))
		for {
			_, err := dec.Token()
			if err == io.EOF {
				break
			}
			if err != nil {
				t.Errorf("%s: %v", name, err)
				break
			}
		}
	}
}

func TestDeterministic(t *testing.T) {
	a, err := sample(t).Bytes()
	if err != nil {
		t.Fatal(err)
	}
	b, _ := sample(t).Bytes()
	if !bytes.Equal(a, b) {
		t.Fatal("the same document gives different bytes")
	}
	z, err := zip.NewReader(bytes.NewReader(a), int64(len(a)))
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, f := range z.File {
		names = append(names, f.Name)
		if !f.Modified.Equal(time.Date(1980, 1, 1, 0, 0, 0, 0, time.UTC)) {
			t.Errorf("%s: time %v", f.Name, f.Modified)
		}
	}
	if names[0] != "[Content_Types].xml" || names[len(names)-1] != "word/media/image1.png" {
		t.Errorf("parts in order %q", names)
	}
}

func TestColumnWidths(t *testing.T) {
	for _, c := range []struct {
		pt   []float64
		n    int
		want []int
	}{
		{nil, 2, []int{TextWidth / 2, TextWidth / 2}},
		{[]float64{0, 60}, 2, []int{TextWidth - 1200, 1200}},
		{[]float64{1000, 1000}, 2, []int{TextWidth / 2, TextWidth / 2}},
	} {
		if got := columnWidths(c.pt, c.n); !slices.Equal(got, c.want) {
			t.Errorf("columnWidths(%v, %d) = %v, want %v", c.pt, c.n, got, c.want)
		}
	}
}
