package cli

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	cdplog "github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"

	"plantrack/reports"
)

// pageVisit is what a browser saw of one page.
type pageVisit struct {
	text     string
	charts   map[string]int // chart element id → pixels drawn on its canvas
	problems []string       // console errors, exceptions, dialogs, requests off disk
}

// visit loads a page from disk in headless Chromium with the network off and reports what
// happened: every chart's drawn pixels, the page text, and anything that went wrong.
func visit(t *testing.T, b *reports.Browser, path string) pageVisit {
	t.Helper()
	tab, cancel := b.Tab()
	defer cancel()
	var mu sync.Mutex
	v := pageVisit{}
	problem := func(s string) { mu.Lock(); v.problems = append(v.problems, s); mu.Unlock() }
	err := chromedp.Listen(tab, func(ev any) {
		switch e := ev.(type) {
		case *runtime.EventConsoleAPICalled:
			if e.Type == runtime.ConsoleAPICalledTypeError || e.Type == runtime.ConsoleAPICalledTypeWarning {
				var args []string
				for _, a := range e.Args {
					args = append(args, string(a.Value)+a.Description)
				}
				problem(fmt.Sprintf("console.%s: %s", e.Type, strings.Join(args, " ")))
			}
		case *runtime.EventExceptionThrown:
			problem("exception: " + (&chromedp.ExceptionError{ExceptionDetails: e.ExceptionDetails}).Error())
		case *page.EventJavascriptDialogOpening:
			problem("a script opened a dialog: " + e.Message)
			go chromedp.Call(tab, page.HandleJavaScriptDialog, page.HandleJavaScriptDialogParams{Accept: true})
		case *cdplog.EventEntryAdded: // CSP violations and failed loads are reported here
			if e.Entry.Level == cdplog.EntryLevelError || e.Entry.Level == cdplog.EntryLevelWarning {
				problem(fmt.Sprintf("log.%s: %s", e.Entry.Level, e.Entry.Text))
			}
		case *network.EventRequestWillBeSent:
			if !strings.HasPrefix(e.Request.URL, "file://") && !strings.HasPrefix(e.Request.URL, "data:") {
				problem("request off disk: " + e.Request.URL)
			}
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.Call(tab, network.Enable, network.EnableParams{}); err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.Call(tab, cdplog.Enable, cdp.Empty{}); err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.Call(tab, network.EmulateNetworkConditionsByRule, network.EmulateNetworkConditionsByRuleParams{
		MatchedNetworkConditions: []*network.Conditions{{Offline: true, DownloadThroughput: -1, UploadThroughput: -1}}}); err != nil {
		t.Fatal(err)
	}
	if err := reports.Open(tab, path, 30*time.Second); err != nil {
		t.Fatal(err)
	}
	// Count the pixels each chart's canvas holds that are not transparent.
	drawn, err := chromedp.Run(tab, chromedp.Evaluate[map[string]int](`(() => {
		const out = {};
		document.querySelectorAll('[data-chart]').forEach(el => {
			const c = el.querySelector('canvas');
			if (!c) { out[el.id] = -1; return; }
			const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
			let n = 0;
			for (let i = 3; i < d.length; i += 4) if (d[i] !== 0) n++;
			out[el.id] = n;
		});
		return out;
	})()`))
	if err != nil {
		t.Fatal(err)
	}
	text, err := chromedp.Run(tab, chromedp.Evaluate[string](`document.body.innerText`))
	if err != nil {
		t.Fatal(err)
	}
	time.Sleep(100 * time.Millisecond) // let late events arrive
	mu.Lock()
	defer mu.Unlock()
	v.text, v.charts = text, drawn
	return v
}

func newBrowser(t *testing.T) *reports.Browser {
	t.Helper()
	b, err := reports.NewBrowser(context.Background())
	if err != nil {
		t.Fatalf("%v (CI installs it: see .ci/run)", err)
	}
	t.Cleanup(b.Close)
	return b
}

// Every page of the sample year, in a browser with no network: charts drawn, nothing
// loaded off disk, no console error, and the headline numbers those of plantrack sql.
func TestReportsInBrowser(t *testing.T) {
	dir := demoOut(t)
	db := filepath.Join(dir, "plantrack.duckdb")
	b := newBrowser(t)
	want := func(q string) string {
		out, stderr, code := run(t, "sql", "--db", db, q)
		if code != ExitOK {
			t.Fatalf("%s: %s", q, stderr)
		}
		return strings.TrimSpace(strings.SplitN(out, "\n", 2)[1])
	}
	pct := func(expr string) string {
		return want(`SELECT printf('%.1f%%', floor(` + expr + ` * 1000 + 0.5) / 10) AS v`)
	}
	rate := pct(`(SELECT count(*) FILTER (WHERE completed) / count(*) FROM assignment_status)`)
	progress := want(`SELECT printf('%.1f%%', floor(avg(progress_pct) * 10 + 0.5) / 10) AS v FROM assignment_status`)
	section1 := pct(`(SELECT completion_rate FROM completion_by_section WHERE section_no = 1)`)
	best := want(`SELECT unit_name FROM county_ranking ORDER BY rank, unit_id LIMIT 1`)

	pages := []struct {
		name   string
		charts int
		texts  []string
	}{
		{"index.html", 0, []string{"报告目录", "东阿县"}},
		{"whitepaper.html", 11, []string{rate, progress, section1, "一、总体情况", "附录　数据质量", "退回原因"}},
		{"counties.html", 14, []string{best, "完成率排名"}},
		{"briefing.html", 0, []string{rate, best, "前三", "后三"}},
		{"units/dong-e.html", 1, []string{"东阿县", "承担任务"}},
	}
	for _, p := range pages {
		t.Run(p.name, func(t *testing.T) {
			v := visit(t, b, filepath.Join(dir, p.name))
			if len(v.problems) > 0 {
				t.Errorf("problems:\n%s", strings.Join(v.problems, "\n"))
			}
			if len(v.charts) != p.charts {
				t.Errorf("%d charts, want %d: %v", len(v.charts), p.charts, v.charts)
			}
			for id, n := range v.charts {
				if n < 1000 {
					t.Errorf("chart %s drew %d pixels", id, n)
				}
			}
			for _, s := range p.texts {
				if !strings.Contains(v.text, s) {
					t.Errorf("page text lacks %q", s)
				}
			}
		})
	}
}

// A unit whose name and alias, and a note, are attacks: the pages show them as text, and
// no script of theirs runs.
func TestReportsEscapeSubmissions(t *testing.T) {
	const name, alias, note = `</script><script>alert(1)</script>`, `__f__alert(2)__f__`, `<img src=x onerror=alert(3)>__f__alert(4)__f__`
	dir := t.TempDir()
	write := func(file, s string) string {
		p := filepath.Join(dir, file)
		if err := os.WriteFile(p, []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	planFile := write("plan.txt", "某市2021年工作计划\n一、甲\n1.任务一。〔牵头单位:市司法局;责任单位:各县(市、区)人民政府〕\n2.任务二。〔牵头单位:市司法局;责任单位:各县(市、区)人民政府〕\n")
	units := write("units.csv", "id,name,kind,aliases\njustice,市司法局,department,\nxss,\""+strings.ReplaceAll(name, `"`, `""`)+"\",county,"+alias+"\nplain,正常县,county,\n")
	groups := write("groups.csv", "phrase,expands_to\n各县(市、区)人民政府,kind:county\n")
	subs := write("reports.csv", "填报单位,报告期,任务序号,完成状态,完成进度,工作进展,填报日期\n"+
		alias+",2021Q1,1,推进中,40,\""+note+"\",2021-04-05\n正常县,2021Q1,1,已完成,100,正常,2021-04-05\n市司法局,2021Q1,1,推进中,50,,2021-04-05\n")
	db := filepath.Join(dir, "x.duckdb")
	if _, stderr, code := run(t, "ingest", "--db", db, "--plan", planFile, "--units", units, "--groups", groups, subs); code != ExitOK {
		t.Fatalf("ingest: %s", stderr)
	}
	out := filepath.Join(dir, "out")
	if _, stderr, code := run(t, "report", "--db", db, "--out", out); code != ExitOK {
		t.Fatalf("report: %s", stderr)
	}
	b := newBrowser(t)
	// The harness itself: a page with the note pasted in raw must be caught.
	unit, err := os.ReadFile(filepath.Join(out, "units/xss.html"))
	if err != nil {
		t.Fatal(err)
	}
	raw := strings.Replace(string(unit), "<main>", "<main>"+note+name, 1)
	if err := os.WriteFile(filepath.Join(out, "units/raw.html"), []byte(raw), 0o644); err != nil {
		t.Fatal(err)
	}
	if v := visit(t, b, filepath.Join(out, "units/raw.html")); len(v.problems) == 0 {
		t.Error("an unescaped note went unnoticed: the browser checks cannot fail")
	}
	// --pdf prints every page; the briefing is one A4 page.
	if stdout, stderr, code := run(t, "report", "--db", db, "--out", out, "--pdf"); code != ExitOK || !strings.Contains(stdout, "PDFs") {
		t.Fatalf("report --pdf: exit %d\n%s%s", code, stdout, stderr)
	}
	for _, name := range []string{"whitepaper", "counties", "briefing", "index", "units/xss"} {
		pdf, err := os.ReadFile(filepath.Join(out, "pdf", name+".pdf"))
		if err != nil || !strings.HasPrefix(string(pdf), "%PDF-") {
			t.Errorf("%s.pdf: %v", name, err)
		}
		if name == "briefing" && !strings.Contains(string(pdf), "/Count 1\n") && !strings.Contains(string(pdf), "/Count 1 ") && !strings.Contains(string(pdf), "/Count 1/") {
			t.Errorf("briefing.pdf is not one page")
		}
	}
	for _, p := range []string{"whitepaper.html", "counties.html", "units/xss.html", "index.html"} {
		t.Run(p, func(t *testing.T) {
			v := visit(t, b, filepath.Join(out, p))
			if len(v.problems) > 0 {
				t.Errorf("problems:\n%s", strings.Join(v.problems, "\n"))
			}
			if !strings.Contains(v.text, name) {
				t.Errorf("the unit name is not shown as text")
			}
			if p == "counties.html" {
				tips := tooltips(t, b, filepath.Join(out, p), "ranking")
				if !strings.Contains(tips, name) {
					t.Errorf("the ranking tooltips do not show the unit name as text: %q", tips)
				}
			}
			if p == "units/xss.html" && !strings.Contains(v.text, note) {
				t.Errorf("the note is not shown as text:\n%s", v.text)
			}
		})
	}
}

// tooltips hovers every bar of a chart (ECharts' showTip) and returns the tooltips' text;
// a tooltip that ran a script would open a dialog and fail the visit.
func tooltips(t *testing.T, b *reports.Browser, path, chart string) string {
	t.Helper()
	tab, cancel := b.Tab()
	defer cancel()
	dialogs := 0
	chromedp.Listen(tab, func(ev any) {
		if _, ok := ev.(*page.EventJavascriptDialogOpening); ok {
			dialogs++
			go chromedp.Call(tab, page.HandleJavaScriptDialog, page.HandleJavaScriptDialogParams{Accept: true})
		}
	})
	if err := reports.Open(tab, path, 30*time.Second); err != nil {
		t.Fatal(err)
	}
	text, err := chromedp.Run(tab, chromedp.Evaluate[string](`(() => {
		const el = document.getElementById('`+chart+`');
		const c = echarts.getInstanceByDom(el);
		const n = c.getOption().series[0].data.length;
		let seen = '';
		for (let i = 0; i < n; i++) {
			c.dispatchAction({type: 'showTip', seriesIndex: 0, dataIndex: i});
			seen += el.innerText + '\n';
		}
		return seen;
	})()`))
	if err != nil {
		t.Fatal(err)
	}
	if dialogs > 0 {
		t.Errorf("a tooltip opened %d dialogs", dialogs)
	}
	return text
}
