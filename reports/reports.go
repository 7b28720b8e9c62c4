package reports

import (
	"bytes"
	"context"
	"database/sql"
	"embed"
	"fmt"
	"html/template"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"

	"golang.org/x/sync/errgroup"

	"plantrack/plan"
)

//go:embed templates/*.tmpl
var templateFS embed.FS

//go:embed static/plantrack.js static/plantrack.css
var staticFS embed.FS

// The pinned npm assets, copied into assets/dist by the Makefile (never committed).
//
//go:embed assets/dist/echarts.min.js assets/dist/liaocheng-map.js assets/dist/ECHARTS-LICENSE.txt assets/dist/MAP-LICENSE.txt
var distFS embed.FS

// Options choose what to render.
type Options struct {
	Period    string // "" for the latest period
	BuildDate string // "" for the latest 填报日期 in the data
}

// Page is one written file.
type Page struct {
	Name  string // relative path, e.g. whitepaper.html
	Title string
}

// Render writes index.html, whitepaper.html, counties.html, briefing.html, one page per
// unit under units/, summary.xlsx and the assets beside them into out. The same database
// and options give byte-identical files.
func Render(ctx context.Context, db *sql.DB, out string, opt Options) (*Data, []Page, error) {
	d, err := Load(ctx, db, opt.Period, opt.BuildDate)
	if err != nil {
		return nil, nil, err
	}
	pages, err := Write(ctx, d, out)
	return d, pages, err
}

// Write writes the pages of d (read from the views, or frozen in an edition) into out:
// the same data gives byte-identical files.
func Write(ctx context.Context, d *Data, out string) ([]Page, error) {
	if err := WriteAssets(out); err != nil {
		return nil, err
	}
	set, err := buildCharts(d)
	if err != nil {
		return nil, err
	}
	var pages []Page
	page := func(r *pageRenderer, name, title, body, class string, charts map[string]Chart, extra map[string]any) error {
		html, err := r.render(body, pageData{D: d, PageTitle: title, Base: strings.Repeat("../", strings.Count(name, "/")), BodyClass: class,
			Charts: len(charts) > 0, Map: charts["map"].Option != "", Unit: extra["unit"], Tasks: extra["tasks"]}, charts)
		if e, ok := extra["edition"].(*EditionNote); ok && err == nil {
			html, err = r.render(body, pageData{D: d, PageTitle: title, Base: strings.Repeat("../", strings.Count(name, "/")), BodyClass: class, Edition: e}, charts)
		}
		if err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
		return writeFile(filepath.Join(out, name), html)
	}
	main, err := newPageRenderer(d)
	if err != nil {
		return nil, err
	}
	for _, p := range []struct {
		name, title, body string
		charts            map[string]Chart
	}{
		{"index.html", "报告目录", "index", nil},
		{"whitepaper.html", "法治政府建设白皮书数据报告", "whitepaper", set.whitepaper},
		{"counties.html", "县市区、开发区比较", "counties", set.counties},
		{"briefing.html", "领导简报", "briefing", nil},
	} {
		class := p.body
		if p.body == "index" {
			class = ""
		}
		if err := page(main, p.name, p.title, p.body, class, p.charts, nil); err != nil {
			return nil, err
		}
		pages = append(pages, Page{Name: p.name, Title: p.title})
	}
	// The figures that changed since each edition of the period was published.
	for i := range d.Editions {
		e := &d.Editions[i]
		title := "与《" + e.Name + "》相比的数字变化"
		if err := page(main, e.Page, title, "edition", "edition", nil, map[string]any{"edition": e}); err != nil {
			return nil, err
		}
		pages = append(pages, Page{Name: e.Page, Title: title})
	}
	// A province has tens of thousands of units: their pages are rendered on every core,
	// each worker with its own copy of the templates.
	workers := max(1, runtime.GOMAXPROCS(0))
	renderers := make(chan *pageRenderer, workers)
	renderers <- main
	for range workers - 1 {
		r, err := newPageRenderer(d)
		if err != nil {
			return nil, err
		}
		renderers <- r
	}
	unitPages := make([]Page, len(d.Units))
	eg, egctx := errgroup.WithContext(ctx)
	for i, u := range d.Units {
		r := <-renderers
		if egctx.Err() != nil {
			break
		}
		eg.Go(func() error {
			defer func() { renderers <- r }()
			c, err := unitChart(u, d.UnitTasks[u.ID])
			if err != nil {
				return err
			}
			name := "units/" + u.ID + ".html"
			unitPages[i] = Page{Name: name, Title: u.Name}
			return page(r, name, u.Name, "unit", "unit", map[string]Chart{"unit-progress": c}, map[string]any{"unit": u, "tasks": d.UnitTasks[u.ID]})
		})
	}
	if err := eg.Wait(); err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil { // cancelled: the unit pages are not all written
		return nil, err
	}
	pages = append(pages, unitPages...)
	if err := writeSummary(filepath.Join(out, "summary.xlsx"), d); err != nil {
		return nil, fmt.Errorf("summary.xlsx: %w", err)
	}
	pages = append(pages, Page{Name: "summary.xlsx", Title: "Excel 汇总表"})
	return pages, nil
}

type chartSet struct {
	whitepaper, counties map[string]Chart
}

func buildCharts(d *Data) (*chartSet, error) {
	var names []string
	var rates []float64
	for _, s := range d.Sections {
		names = append(names, s.Numeral+"、"+s.Title)
		rates = append(rates, s.Rate)
	}
	sections, err := barChart("sections", "分部分完成率", names, rates, "completion_by_section")
	if err != nil {
		return nil, err
	}
	names, rates = nil, nil
	for _, r := range ends(d.Ranking, summariseAt) {
		names = append(names, r.Name)
		rates = append(rates, r.Rate)
	}
	ranking, err := barChart("ranking", endsTitle("县市区、开发区完成率排名", len(d.Ranking), summariseAt), names, rates, "county_ranking")
	if err != nil {
		return nil, err
	}
	var depts []Unit
	for _, u := range d.Units {
		if !slices.Contains(d.ComparedKinds, u.Kind) {
			depts = append(depts, u)
		}
	}
	// Departments by completion rate, best first; equal rates in registry order.
	slices.SortStableFunc(depts, func(a, b Unit) int {
		switch {
		case a.Rate > b.Rate:
			return -1
		case a.Rate < b.Rate:
			return 1
		}
		return 0
	})
	names, rates = nil, nil
	for _, u := range ends(depts, summariseAt) {
		names = append(names, u.Name)
		rates = append(rates, u.Rate)
	}
	departments, err := barChart("departments", endsTitle("市直部门完成率", len(depts), summariseAt), names, rates, "completion_by_unit")
	if err != nil {
		return nil, err
	}
	trend, err := trendChart(d)
	if err != nil {
		return nil, err
	}
	heat, err := heatmapChart(d)
	if err != nil {
		return nil, err
	}
	radars, err := radarCharts(d)
	if err != nil {
		return nil, err
	}
	mapJS, err := distFS.ReadFile("assets/dist/liaocheng-map.js")
	if err != nil {
		return nil, err
	}
	m, hasMap, err := mapChart(d, mapJS, d.UnitNames)
	if err != nil {
		return nil, err
	}
	set := &chartSet{
		whitepaper: map[string]Chart{"sections": sections, "trend": trend, "ranking": ranking, "departments": departments},
		counties:   map[string]Chart{"ranking": ranking, "heatmap": heat},
	}
	if hasMap {
		set.counties["map"] = m
	}
	// Each part of the white paper charts its own tasks.
	for _, sec := range d.Sections {
		names, rates = nil, nil
		for _, t := range sec.Tasks {
			names = append(names, fmt.Sprintf("任务%d", t.No))
			rates = append(rates, t.Rate)
		}
		c, err := barChart(fmt.Sprintf("section-%d", sec.No), fmt.Sprintf("（%s）%s：各项任务完成率", sec.Numeral, sec.Title), names, rates, "completion_by_task")
		if err != nil {
			return nil, err
		}
		set.whitepaper[c.ID] = c
	}
	for _, r := range radars {
		set.counties[r.ID] = r
	}
	return set, nil
}

type pageData struct {
	D               *Data
	PageTitle, Base string
	BodyClass       string
	Charts, Map     bool
	Unit, Tasks     any
	Edition         *EditionNote // the edition page's
}

// chartView is a chart with the note on its data source.
type chartView struct {
	Chart
	Note string
}

// pageRenderer renders pages from one parsed copy of the templates; the template
// functions read the charts of the page being rendered. It is not for concurrent use.
type pageRenderer struct {
	t      *template.Template
	charts map[string]Chart
}

func newPageRenderer(d *Data) (*pageRenderer, error) {
	r := &pageRenderer{}
	t, err := template.New("").Funcs(funcs(d, func() map[string]Chart { return r.charts })).ParseFS(templateFS, "templates/*.tmpl")
	if err != nil {
		return nil, err
	}
	r.t = t
	return r, nil
}

func (r *pageRenderer) render(body string, pd pageData, charts map[string]Chart) ([]byte, error) {
	r.charts = charts
	var buf bytes.Buffer
	if err := r.t.ExecuteTemplate(&buf, body+".tmpl", pd); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// overdueGroup is a lead unit with its lagging tasks.
type overdueGroup struct {
	Lead  string
	Tasks []Task
}

// funcs are the template functions; the page-specific ones see the page's charts.
func funcs(d *Data, pageCharts func() map[string]Chart) template.FuncMap {
	return template.FuncMap{
		"pct": Pct,
		// figure writes a frozen or current figure: a rate as a percentage would be
		// ambiguous between views, so every figure shows as stored; "—" for none.
		"figure": func(v *float64) string {
			if v == nil {
				return "—"
			}
			return strconv.FormatFloat(*v, 'f', -1, 64)
		},
		"pct1":         Pct1,
		"join":         strings.Join,
		"clip":         ClipRunes,
		"taskRows":     taskRows,
		"missingItems": missingItems,
		"kind":         plan.KindName,
		"role":         plan.RoleShort,
		"status":       func(k string) string { return plan.Status(k).Name() },
		"reason":       func(k string) string { return plan.Reason(k).Label() },
		"flag":         func(k string) string { return plan.Flag(k).Label() },
		"chart": func(name string) (Chart, error) {
			c, ok := pageCharts()[name]
			if !ok {
				return Chart{}, fmt.Errorf("no chart %q on this page", name)
			}
			return c, nil
		},
		"chartOK": func(name string) *Chart {
			if c, ok := pageCharts()[name]; ok {
				return &c
			}
			return nil
		},
		"chartNote": func(c any, s Sources) chartView {
			var ch Chart
			switch x := c.(type) {
			case Chart:
				ch = x
			case *Chart:
				ch = *x
			}
			return chartView{Chart: ch, Note: fmt.Sprintf("%d 条报送记录，批次 %s", s.Submissions, s.Batches)}
		},
		"radars": func() []Chart {
			var out []Chart
			for _, r := range d.Ranking {
				if c, ok := pageCharts()["radar-"+r.ID]; ok {
					out = append(out, c)
				}
			}
			return out
		},
		"best": func(n int) []Rank { return d.Ranking[:min(n, len(d.Ranking))] },
		"redUnits": func(n int) []Unit {
			var out []Unit
			for _, u := range d.Units {
				if u.RAG == "red" && len(out) < n {
					out = append(out, u)
				}
			}
			return out
		},
		"worst": func(n int) []Rank {
			if len(d.Ranking) <= n {
				return nil
			}
			return d.Ranking[len(d.Ranking)-n:]
		},
		"overdue": func() []overdueGroup {
			var out []overdueGroup
			for _, t := range d.Tasks {
				if !t.Overdue {
					continue
				}
				for _, l := range t.Lead {
					i := slices.IndexFunc(out, func(g overdueGroup) bool { return g.Lead == l })
					if i < 0 {
						out = append(out, overdueGroup{Lead: l})
						i = len(out) - 1
					}
					out[i].Tasks = append(out[i].Tasks, t)
				}
			}
			return out
		},
	}
}

// WriteAssets copies ECharts, the map, the licences and plantrack's script and style into
// out/assets, so the pages open with no network. Exported for internal/bench, whose scale
// chart page (docs/scale.png) is drawn with the same assets.
func WriteAssets(out string) error {
	files := map[string]func() ([]byte, error){
		"assets/echarts.min.js":      func() ([]byte, error) { return distFS.ReadFile("assets/dist/echarts.min.js") },
		"assets/liaocheng-map.js":    func() ([]byte, error) { return distFS.ReadFile("assets/dist/liaocheng-map.js") },
		"assets/ECHARTS-LICENSE.txt": func() ([]byte, error) { return distFS.ReadFile("assets/dist/ECHARTS-LICENSE.txt") },
		"assets/MAP-LICENSE.txt":     func() ([]byte, error) { return distFS.ReadFile("assets/dist/MAP-LICENSE.txt") },
		"assets/plantrack.js":        func() ([]byte, error) { return staticFS.ReadFile("static/plantrack.js") },
		"assets/plantrack.css":       func() ([]byte, error) { return staticFS.ReadFile("static/plantrack.css") },
	}
	for name, read := range files {
		b, err := read()
		if err != nil {
			return err
		}
		if err := writeFile(filepath.Join(out, name), b); err != nil {
			return err
		}
	}
	return nil
}

func writeFile(path string, b []byte) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	return os.WriteFile(path, b, 0o644)
}
