package reports

import (
	"bytes"
	"context"
	"image/png"
	"slices"
	"testing"
)

// The charts drawn for documents: each a PNG ImageScale times its size, drawn (not a
// blank canvas: the bars' RAG colours are in it), the same bytes when drawn again in a new
// browser; names without a chart are left out.
func TestChartImages(t *testing.T) {
	d, err := Load(context.Background(), fixtureDB(t).DB, "", "")
	if err != nil {
		t.Fatal(err)
	}
	names := []string{"sections", "trend", "ranking", "heatmap", "no-such-chart"}
	first, err := ChartImages(context.Background(), nil, d, names)
	if err != nil {
		t.Fatal(err)
	}
	b, err := NewBrowser(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	again, err := ChartImages(context.Background(), b, d, names) // another browser, in a tab
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for name := range first {
		got = append(got, name)
	}
	slices.Sort(got)
	if want := []string{"heatmap", "ranking", "sections", "trend"}; !slices.Equal(got, want) {
		t.Fatalf("charts drawn %q, want %q", got, want)
	}
	for _, name := range got {
		img := first[name]
		if !bytes.Equal(img.PNG, again[name].PNG) {
			t.Errorf("%s: different bytes when drawn again", name)
		}
		p, err := png.Decode(bytes.NewReader(img.PNG))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if b := p.Bounds(); b.Dx() != ImageScale*img.Width || b.Dy() != ImageScale*img.Height || img.Width != ImageWidth {
			t.Errorf("%s: %v pixels for %d×%d CSS pixels", name, b.Size(), img.Width, img.Height)
		}
		// Count the pixels of the RAG colours (rateColor): a drawn chart has them.
		colours := map[[3]uint32]int{}
		for y := p.Bounds().Min.Y; y < p.Bounds().Max.Y; y++ {
			for x := p.Bounds().Min.X; x < p.Bounds().Max.X; x++ {
				r, g, b, _ := p.At(x, y).RGBA()
				colours[[3]uint32{r >> 8, g >> 8, b >> 8}]++
			}
		}
		drawn := colours[[3]uint32{0x2e, 0x7d, 0x32}] + colours[[3]uint32{0xf9, 0xa8, 0x25}] + colours[[3]uint32{0xc6, 0x28, 0x28}]
		if name != "trend" && drawn < 500 {
			t.Errorf("%s: %d pixels in the RAG colours: not drawn", name, drawn)
		}
		if len(colours) < 20 {
			t.Errorf("%s: %d colours: a blank picture", name, len(colours))
		}
	}
}
