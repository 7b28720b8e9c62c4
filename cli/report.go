package cli

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/spf13/cobra"

	"plantrack/plan"
	"plantrack/reports"
	"plantrack/store"
	"plantrack/word"
)

// reportOptions are the flags of plantrack report.
type reportOptions struct {
	db, period, out, date string
	edition               string // render this edition's frozen pages
	pdf                   bool
	docx                  bool // also write the Word documents
}

func newReportCmd(e *env) *cobra.Command {
	opts := reportOptions{db: store.DefaultPath, out: "reports"}
	cmd := &cobra.Command{
		Use:   "report [--db FILE] [--period 2021Q4] [--out DIR] [--pdf] [--docx]",
		Short: "Write the white paper, county comparison, briefing, unit pages and summary.xlsx",
		Long: `Write the reports of a period (default: the latest with reports) into --out: index.html,
whitepaper.html, counties.html, briefing.html, units/UNIT.html, summary.xlsx, and the
ECharts and map scripts beside them in assets/, so the pages open with no network.
The same database and period give byte-identical files: the date printed on them is the
latest 填报日期 in the data unless --date says otherwise.

--pdf also prints each page to PDF (A4) with headless Chromium (Debian: apt-get install
chromium fonts-noto-cjk).

--docx also writes the white paper (the annual report in its five parts), the briefing
and the county 通报 as Word documents in 公文 layout (GB/T 9704) for the office to edit:
whitepaper.docx, briefing.docx, counties.docx, from the same data as the pages (also for
--edition). Text only the office can write is marked 【待补充：…】.`,
		Args: exactArgs(0, "no arguments"),
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runReport(cmd.Context(), e, opts)
		},
	}
	cmd.Flags().StringVar(&opts.db, "db", opts.db, "database file")
	cmd.Flags().StringVar(&opts.period, "period", "", "quarter to report: 2021Q2, 2021年第二季度, 2021-06 (default: the latest with reports)")
	cmd.Flags().StringVar(&opts.out, "out", opts.out, "folder to write the reports to")
	cmd.Flags().StringVar(&opts.date, "date", "", "date printed on the reports, YYYY-MM-DD (default: the latest 填报日期 in the data)")
	cmd.Flags().BoolVar(&opts.pdf, "pdf", false, "also print each page to PDF with headless Chromium")
	cmd.Flags().BoolVar(&opts.docx, "docx", false, "also write whitepaper.docx, briefing.docx and counties.docx (公文 layout) for the office to edit")
	cmd.Flags().StringVar(&opts.edition, "edition", "", "render a published edition's pages, as they were published (plantrack publish)")
	return cmd
}

func runReport(ctx context.Context, e *env, opts reportOptions) error {
	if opts.date != "" {
		d, err := reportDate(opts.date)
		if err != nil {
			return err
		}
		opts.date = d
	}
	db, err := openExisting(ctx, opts.db)
	if err != nil {
		return err
	}
	defer db.Close()
	var d *reports.Data
	var pages []reports.Page
	if opts.edition != "" {
		// An edition's pages, as they were published: their frozen data, rendered again.
		if opts.period != "" || opts.date != "" {
			return usageErrorf("--edition renders the edition's own period and date: drop --period and --date")
		}
		ed, _, err := db.ReadEdition(ctx, opts.edition)
		if errors.Is(err, store.ErrNoEdition) {
			return usageErrorf("--edition: %v", err)
		}
		if err != nil {
			return err
		}
		if d, err = reports.Thaw(ed.Pages); err != nil {
			return err
		}
		if pages, err = reports.Write(ctx, d, opts.out); err != nil {
			return err
		}
	} else {
		p, err := dbPeriod(ctx, db, opts.period)
		if err != nil {
			return err
		}
		if d, pages, err = reports.Render(ctx, db.DB, opts.out, reports.Options{Period: string(p), BuildDate: opts.date}); err != nil {
			return err
		}
	}
	fmt.Fprintf(e.stdout, "%s %s: completion %s, %d pages\n", d.Title, d.Period, reports.Pct(d.Overall.Rate), len(pages))
	if opts.pdf {
		files, err := reports.PrintPDF(ctx, opts.out, pages)
		if err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "%d PDFs\n", len(files))
	}
	if opts.docx {
		files, err := writeWord(ctx, e, nil, d, opts.out)
		if err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "%d Word documents\n", len(files))
	}
	abs, _ := filepath.Abs(filepath.Join(opts.out, "index.html"))
	fmt.Fprintln(e.stdout, store.Shown(abs))
	return nil
}

// writeWord writes the Word documents of d into out, with the pages' charts drawn as
// pictures by headless Chromium (b, or one started for them when b is nil). Without a
// browser the documents are still written, their tables carrying every number, and a
// warning says the charts are left out.
func writeWord(ctx context.Context, e *env, b *reports.Browser, d *reports.Data, out string) ([]string, error) {
	images, err := wordCharts(ctx, e, b, d)
	if err != nil {
		return nil, err
	}
	return word.Write(d, out, word.Options{Charts: images})
}

// wordCharts draws the charts of the Word documents with b (or a browser of its own when
// nil); with no Chromium it says so and the documents carry none.
func wordCharts(ctx context.Context, e *env, b *reports.Browser, d *reports.Data) (map[string]reports.Image, error) {
	images, err := reports.ChartImages(ctx, b, d, word.ChartNames)
	switch {
	case errors.Is(err, reports.ErrNoChromium):
		e.log.Warn("the Word documents carry no charts", "why", err)
		return nil, nil
	case err != nil:
		return nil, fmt.Errorf("charts for the Word documents: %w", err)
	}
	return images, nil
}

// browserSoon starts headless Chromium in the background, so that starting it overlaps
// other work; wait returns it, or the error that kept it from starting.
func browserSoon(ctx context.Context) (wait func() (*reports.Browser, error)) {
	type started struct {
		b   *reports.Browser
		err error
	}
	ch := make(chan started, 1)
	go func() {
		b, err := reports.NewBrowser(ctx)
		ch <- started{b, err}
	}()
	return sync.OnceValues(func() (*reports.Browser, error) {
		s := <-ch
		return s.b, s.err
	})
}

// reportDate reads --date: a real day, written as ingest reads a 填报日期 (2021-07-05,
// 2021/7/5, 2021年7月5日, 20210705), given back as 2021-07-05. 2021-13-40 or 2021-02-30 is
// a bad command line.
func reportDate(s string) (string, error) {
	t, err := plan.ParseDate(s)
	if err != nil {
		why := err.Error()
		if !strings.Contains(why, "2021-07-05") {
			why += " (want YYYY-MM-DD, such as 2021-07-05)"
		}
		return "", usageErrorf("--date %q: %s", s, why)
	}
	return t.Format(time.DateOnly), nil
}
