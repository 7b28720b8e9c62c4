package bench

import (
	"context"
	"fmt"
	"html/template"
	"os"
	"path/filepath"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/go-echarts/go-echarts/v2/charts"
	"github.com/go-echarts/go-echarts/v2/opts"

	"plantrack/reports"
)

// Series is one line of a cost chart.
type Series struct {
	Name   string
	Values []float64
}

var costPage = template.Must(template.New("cost").Parse(`<!DOCTYPE html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>{{.Title}}</title>
<link rel="stylesheet" href="assets/plantrack.css"></head>
<body><div class="chart" id="cost" style="height: 520px; width: 960px" data-chart="{{.Option}}"></div>
<script src="assets/echarts.min.js"></script><script src="assets/plantrack.js"></script></body></html>`))

// CostChart draws how costs grow with size (a line per series over the sizes, log scale
// on both counts) and saves it as a PNG through headless Chromium, on a page made as the
// reports' pages are (their assets, their chart option in a data attribute).
func CostChart(ctx context.Context, png, title, yName string, sizes []string, series []Series) error {
	line := charts.NewLine()
	line.SetGlobalOptions(charts.WithAnimation(false),
		charts.WithTitleOpts(opts.Title{Title: title, Left: "center", TitleStyle: &opts.TextStyle{FontSize: 15, FontFamily: reports.FontFamily}}),
		charts.WithLegendOpts(opts.Legend{Show: opts.Bool(true), Top: "30"}),
		charts.WithTooltipOpts(opts.Tooltip{Show: opts.Bool(true)}),
		charts.WithGridOpts(opts.Grid{Left: "4%", Right: "4%", Top: "70", Bottom: "40", ContainLabel: opts.Bool(true)}),
		charts.WithXAxisOpts(opts.XAxis{Name: "规模（报送行数）", NameLocation: "middle", NameGap: 44,
			AxisLabel: &opts.AxisLabel{Interval: "0", Rotate: 12}}), // every scale named
		charts.WithYAxisOpts(opts.YAxis{Type: "log", Name: yName}),
	)
	line.SetXAxis(sizes)
	for _, s := range series {
		data := make([]opts.LineData, len(s.Values))
		for i, v := range s.Values {
			data[i] = opts.LineData{Value: v}
		}
		line.AddSeries(s.Name, data, charts.WithLabelOpts(opts.Label{Show: opts.Bool(true)}))
	}
	option, err := reports.ChartOption(line)
	if err != nil {
		return err
	}
	dir, err := os.MkdirTemp("", "plantrack-cost")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	if err := reports.WriteAssets(dir); err != nil {
		return err
	}
	f, err := os.Create(filepath.Join(dir, "cost.html"))
	if err != nil {
		return err
	}
	err = costPage.Execute(f, struct{ Title, Option string }{title, option})
	f.Close()
	if err != nil {
		return err
	}
	b, err := reports.NewBrowser(ctx)
	if err != nil {
		return err
	}
	defer b.Close()
	tab, cancel := b.Tab()
	defer cancel()
	if err := chromedp.Do(tab, chromedp.EmulateViewport(980, 540)); err != nil {
		return err
	}
	if err := reports.Open(tab, filepath.Join(dir, "cost.html"), 30*time.Second); err != nil {
		return err
	}
	img, err := chromedp.Run(tab, chromedp.FullScreenshot(100))
	if err != nil {
		return fmt.Errorf("screenshot: %w", err)
	}
	return os.WriteFile(png, img, 0o644)
}
