package reports

import (
	"bytes"
	"context"
	"encoding/base64"
	"fmt"
	"html/template"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/chromedp/chromedp"
)

// Image is a chart drawn as PNG for a document (package word): Width × Height CSS pixels,
// drawn at ImageScale device pixels to each.
type Image struct {
	PNG           []byte
	Width, Height int
}

// ImageWidth is the CSS width a chart is drawn at for a document. A 公文 page's text is
// 156 mm wide, about 590 CSS pixels; 720 leaves the long unit names of a bar chart room,
// and the document scales the picture to its column.
const ImageWidth = 720

// ImageScale is the device pixels to a CSS pixel in an Image: 1440 pixels across a
// 150 mm picture print at about 240 dpi, sharp on paper.
const ImageScale = 2

// imagePage is the page the charts are drawn on: the page's own scripts (ECharts, the
// map, plantrack.js), each chart in a box of the document's width, on white.
var imagePage = template.Must(template.New("").Parse(`<!DOCTYPE html>
<html lang="zh-CN"><head><meta charset="utf-8">
<style>body{margin:0;background:#fff}.chart{width:{{.Width}}px}</style></head><body>
{{range .Charts}}<div class="chart" id="{{.ID}}" style="height: {{.Height}}px" data-chart="{{.Option}}"></div>
{{end}}<script src="assets/echarts.min.js"></script>
{{if .Map}}<script src="assets/liaocheng-map.js"></script>
{{end}}<script src="assets/plantrack.js"></script>
</body></html>
`))

// imageScript reads every chart back as PNG, on white, at ImageScale.
var imageScript = fmt.Sprintf(`(function () {
  var out = {};
  document.querySelectorAll('[data-chart]').forEach(function (el) {
    out[el.id] = echarts.getInstanceByDom(el).getDataURL({type: 'png', pixelRatio: %d, backgroundColor: '#fff'});
  });
  return out;
})()`, ImageScale)

// ChartImages draws the named charts of d as the pages draw them (sections, trend,
// ranking, departments, heatmap, map, section-N, radar-ID), for documents: headless
// Chromium with no network, no animation (the page is opened for printing), each chart
// ImageWidth wide and as tall as on its page. A name d has no chart for (no counties to
// rank, no map of the plan's city) is absent from the result. The same data gives the
// same bytes: one browser build draws the same pixels, and PNG encoding has no clock.
// The charts are drawn in a new tab of b; a nil b starts a browser for the while.
func ChartImages(ctx context.Context, b *Browser, d *Data, names []string) (map[string]Image, error) {
	set, err := buildCharts(d)
	if err != nil {
		return nil, err
	}
	var list []Chart
	for _, n := range names {
		c, ok := set.whitepaper[n]
		if !ok {
			c, ok = set.counties[n]
		}
		if ok && !slices.ContainsFunc(list, func(x Chart) bool { return x.ID == c.ID }) {
			list = append(list, c)
		}
	}
	if len(list) == 0 {
		return map[string]Image{}, nil
	}
	dir, err := os.MkdirTemp("", "plantrack-charts")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	if err := WriteAssets(dir); err != nil {
		return nil, err
	}
	var page bytes.Buffer
	hasMap := slices.ContainsFunc(list, func(c Chart) bool { return c.ID == "map" })
	if err := imagePage.Execute(&page, map[string]any{"Width": ImageWidth, "Charts": list, "Map": hasMap}); err != nil {
		return nil, err
	}
	path := filepath.Join(dir, "charts.html")
	if err := os.WriteFile(path, page.Bytes(), 0o644); err != nil {
		return nil, err
	}
	if b == nil {
		if b, err = NewBrowser(ctx); err != nil {
			return nil, err
		}
		defer b.Close()
	}
	tab, closeTab := b.Tab()
	defer closeTab()
	defer context.AfterFunc(ctx, closeTab)()
	if err := open(tab, path, printFragment, pdfPageTimeout); err != nil {
		return nil, fmt.Errorf("draw charts: %w", err)
	}
	read, cancel := context.WithTimeout(tab, 30*time.Second)
	defer cancel()
	urls, err := chromedp.Run(read, chromedp.Evaluate[map[string]string](imageScript))
	if err != nil {
		return nil, fmt.Errorf("draw charts: %w", err)
	}
	out := make(map[string]Image, len(list))
	for _, c := range list {
		png, err := decodeDataURL(urls[c.ID])
		if err != nil {
			return nil, fmt.Errorf("draw chart %s: %w", c.ID, err)
		}
		out[c.ID] = Image{PNG: png, Width: ImageWidth, Height: c.Height}
	}
	return out, nil
}

// decodeDataURL returns the bytes of a data:image/png;base64 URL.
func decodeDataURL(u string) ([]byte, error) {
	const prefix = "data:image/png;base64,"
	if !strings.HasPrefix(u, prefix) {
		return nil, fmt.Errorf("the browser gave no PNG (%.40q)", u)
	}
	return base64.StdEncoding.DecodeString(u[len(prefix):])
}
