package reports

import (
	"encoding/json"
	"fmt"
	"regexp"
	"slices"

	"github.com/go-echarts/go-echarts/v2/charts"
	"github.com/go-echarts/go-echarts/v2/opts"
)

// Chart is one chart of a page: go-echarts builds its option; the page carries the option
// as JSON in a data attribute, and assets/plantrack.js hands it to ECharts with
// JSON.parse. So no text from the data is ever JavaScript: go-echarts' own page template
// (which writes options unescaped into a script and turns "__f__…" strings into code) is
// not used, and HTML escaping of the attribute keeps "</script>" a string.
type Chart struct {
	ID     string // fixed, from the chart's name: the same data gives the same page
	Title  string
	Height int    // pixels
	Option string // JSON
	Source string // where the numbers come from
}

// ChartOption marshals a go-echarts chart into the option a page carries in its
// data-chart attribute. encoding/json escapes <, > and & as \u003c…, so the JSON is inert
// wherever it lands. Exported for internal/bench, which draws the scale chart
// (docs/scale.png) with the reports' assets.
func ChartOption(c interface {
	Validate()
	JSON() map[string]any
}) (string, error) {
	c.Validate()
	obj := c.JSON()
	delete(obj, "toolbox") // an empty toolbox draws nothing and prints nothing
	b, err := json.Marshal(obj)
	return string(b), err
}

// FontFamily is the CSS font list of chart titles. Exported for internal/bench, whose
// scale chart looks like the reports' charts.
const FontFamily = "Noto Sans CJK SC, Source Han Sans SC, Microsoft YaHei, sans-serif"

func noAnimation() charts.GlobalOpts { return charts.WithAnimation(false) }

func base(title string) []charts.GlobalOpts {
	return []charts.GlobalOpts{
		noAnimation(),
		charts.WithTitleOpts(opts.Title{Title: title, Left: "center", TitleStyle: &opts.TextStyle{FontSize: 14, FontFamily: FontFamily}}),
		charts.WithTooltipOpts(opts.Tooltip{Show: opts.Bool(true)}),
		charts.WithLegendOpts(opts.Legend{Show: opts.Bool(false)}), // one series: the title says it
	}
}

// percentAxis is a 0–100 value axis labelled in percent.
func percentAxis() opts.YAxis {
	return opts.YAxis{Type: "value", Min: 0, Max: 100, AxisLabel: &opts.AxisLabel{Formatter: "{value}%"}}
}

// barChart is a horizontal bar chart of percentages, categories top to bottom.
func barChart(id, title string, names []string, values []float64, source string) (Chart, error) {
	bar := charts.NewBar()
	bar.SetGlobalOptions(append(base(title),
		charts.WithGridOpts(opts.Grid{Left: "2%", Right: "6%", Top: "40", Bottom: "20", ContainLabel: opts.Bool(true)}),
		charts.WithXAxisOpts(opts.XAxis{Type: "value", Min: 0, Max: 100, AxisLabel: &opts.AxisLabel{Formatter: "{value}%"}}),
		charts.WithYAxisOpts(opts.YAxis{Type: "category", Data: names, Inverse: opts.Bool(true)}),
	)...)
	data := make([]opts.BarData, len(values))
	for i, v := range values {
		data[i] = opts.BarData{Value: round1(v * 100), ItemStyle: &opts.ItemStyle{Color: rateColor(v)}}
	}
	bar.AddSeries("完成率", data, charts.WithLabelOpts(opts.Label{Show: opts.Bool(true), Position: "right", Formatter: "{c}%"}))
	o, err := ChartOption(bar)
	return Chart{ID: id, Title: title, Height: 60 + 26*len(names), Option: o, Source: source}, err
}

// rateColor gives bars the colours of the RAG scale the reports use.
func rateColor(rate float64) string {
	switch {
	case rate >= 0.9:
		return "#2e7d32"
	case rate >= 0.6:
		return "#f9a825"
	default:
		return "#c62828"
	}
}

func trendChart(d *Data) (Chart, error) {
	line := charts.NewLine()
	var periods []string
	var rate, prog, cov []opts.LineData
	for _, t := range d.Trend {
		periods = append(periods, t.Period)
		rate = append(rate, opts.LineData{Value: round1(t.Rate * 100)})
		prog = append(prog, opts.LineData{Value: round1(t.AvgProgress)})
		cov = append(cov, opts.LineData{Value: round1(t.Coverage * 100)})
	}
	line.SetGlobalOptions(append(base("季度趋势"),
		charts.WithLegendOpts(opts.Legend{Show: opts.Bool(true), Top: "24"}),
		charts.WithGridOpts(opts.Grid{Left: "3%", Right: "4%", Top: "60", Bottom: "30", ContainLabel: opts.Bool(true)}),
		charts.WithYAxisOpts(percentAxis()),
	)...)
	line.SetXAxis(periods)
	label := charts.WithLabelOpts(opts.Label{Show: opts.Bool(true), Formatter: "{c}%"})
	line.AddSeries("完成率", rate, label).AddSeries("平均进度", prog, label).AddSeries("报送覆盖率", cov, label)
	o, err := ChartOption(line)
	return Chart{ID: "trend", Title: "季度趋势", Height: 320, Option: o, Source: "completion_trend"}, err
}

func heatmapChart(d *Data) (Chart, error) {
	ranked := ends(d.Ranking, summariseAt)
	var units []string
	for _, r := range ranked {
		units = append(units, r.Name)
	}
	var secs []string
	for _, s := range d.Sections {
		secs = append(secs, s.Numeral)
	}
	var data []opts.HeatMapData
	for _, c := range d.Grid {
		y := slices.IndexFunc(ranked, func(r Rank) bool { return r.ID == c.UnitID })
		if y < 0 {
			continue
		}
		data = append(data, opts.HeatMapData{Value: [3]any{c.Section - 1, y, round1(c.Rate * 100)}})
	}
	hm := charts.NewHeatMap()
	hm.SetGlobalOptions(append(base(endsTitle("县市区、开发区 × 部分 完成率", len(d.Ranking), summariseAt)),
		charts.WithGridOpts(opts.Grid{Left: "3%", Right: "4%", Top: "40", Bottom: "70", ContainLabel: opts.Bool(true)}),
		charts.WithXAxisOpts(opts.XAxis{Type: "category", Data: secs, Name: "部分"}),
		charts.WithYAxisOpts(opts.YAxis{Type: "category", Data: units, Inverse: opts.Bool(true)}),
		charts.WithVisualMapOpts(opts.VisualMap{Min: 0, Max: 100, Calculable: opts.Bool(true), Orient: "horizontal", Left: "center", Bottom: "0",
			InRange: &opts.VisualMapInRange{Color: []string{"#c62828", "#f9a825", "#2e7d32"}}}),
	)...)
	hm.SetXAxis(secs).AddSeries("完成率", data, charts.WithLabelOpts(opts.Label{Show: opts.Bool(true)}))
	o, err := ChartOption(hm)
	return Chart{ID: "heatmap", Title: endsTitle("县市区、开发区 × 部分 完成率", len(d.Ranking), summariseAt), Height: 120 + 30*len(units), Option: o, Source: "county_comparison"}, err
}

// radarCharts draws one radar per county or zone (the six best and six worst of a longer
// list): its completion rate in each section.
func radarCharts(d *Data) ([]Chart, error) {
	var out []Chart
	for _, r := range ends(d.Ranking, 6) {
		var ind []*opts.Indicator
		var vals []float64
		for _, s := range d.Sections {
			ind = append(ind, &opts.Indicator{Name: s.Numeral, Max: 100})
			v := 0.0
			for _, c := range d.Grid {
				if c.UnitID == r.ID && c.Section == s.No {
					v = round1(c.Rate * 100)
				}
			}
			vals = append(vals, v)
		}
		rc := charts.NewRadar()
		rc.SetGlobalOptions(append(base(r.Name), charts.WithRadarComponentOpts(opts.RadarComponent{Indicator: ind}))...)
		rc.AddSeries(r.Name, []opts.RadarData{{Name: r.Name, Value: vals}}, charts.WithAreaStyleOpts(opts.AreaStyle{Opacity: opts.Float(0.25)}))
		o, err := ChartOption(rc)
		if err != nil {
			return nil, err
		}
		out = append(out, Chart{ID: "radar-" + r.ID, Title: r.Name, Height: 260, Option: o, Source: "county_comparison"})
	}
	return out, nil
}

var featureRE = regexp.MustCompile(`"name":"([^"]+)"`)

// mapChart colours the counties of the map by completion rate. A county is matched to the
// map's feature by its name or an alias (the map still says 茌平县 for today's 茌平区);
// zones are not on the map.
func mapChart(d *Data, mapJS []byte, names map[string][]string) (Chart, bool, error) {
	features := map[string]bool{}
	for _, m := range featureRE.FindAllSubmatch(mapJS, -1) {
		features[string(m[1])] = true
	}
	var data []opts.MapData
	for _, r := range d.Ranking {
		for _, n := range names[r.ID] {
			if features[n] {
				data = append(data, opts.MapData{Name: n, Value: round1(r.Rate * 100)})
				break
			}
		}
	}
	if len(data) == 0 {
		return Chart{}, false, nil
	}
	m := charts.NewMap()
	m.RegisterMapType("聊城")
	m.SetGlobalOptions(append(base("各县市区完成率"),
		charts.WithVisualMapOpts(opts.VisualMap{Min: 0, Max: 100, Calculable: opts.Bool(true), Left: "left", Bottom: "10",
			InRange: &opts.VisualMapInRange{Color: []string{"#c62828", "#f9a825", "#2e7d32"}}}),
	)...)
	m.AddSeries("完成率", data, charts.WithLabelOpts(opts.Label{Show: opts.Bool(true)}))
	o, err := ChartOption(m)
	return Chart{ID: "map", Title: "各县市区完成率", Height: 460, Option: o, Source: "county_ranking"}, true, err
}

// unitChart is a unit's progress on each of its tasks.
func unitChart(u Unit, tasks []UnitTask) (Chart, error) {
	var names []string
	var vals []float64
	for _, t := range tasks {
		names = append(names, fmt.Sprintf("任务%d", t.Task))
		vals = append(vals, t.Progress/100)
	}
	c, err := barChart("unit-progress", u.Name+" 各项任务进度", names, vals, "assignment_status")
	return c, err
}

// summariseAt is how many items a chart draws from each end of a long ranked list: a
// province's thousands of units become the best and worst, not ten thousand bars.
const summariseAt = 20

// ends keeps the first and last n of a list longer than 2n.
func ends[T any](list []T, n int) []T {
	if len(list) <= 2*n {
		return list
	}
	return append(append([]T{}, list[:n]...), list[len(list)-n:]...)
}

// endsTitle says in a chart's title when only the ends of a list are drawn.
func endsTitle(title string, total, n int) string {
	if total <= 2*n {
		return title
	}
	return fmt.Sprintf("%s（前%d与后%d，共%d）", title, n, n, total)
}
