package cli

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"plantrack/reports"
	"plantrack/store"
)

// diffOptions are the flags of plantrack diff.
type diffOptions struct {
	db, edition, format string
}

func newDiffCmd(e *env) *cobra.Command {
	opts := diffOptions{db: store.DefaultPath, format: "table"}
	cmd := &cobra.Command{
		Use:   "diff --edition NAME [--format table|csv|json]",
		Short: "List every figure of a published edition that differs now, and what changed it",
		Long: `Compare a published edition (plantrack publish) with what the views give now: every figure
that differs (view, key, metric, published, current, change), and for each the submission
rows (batch, file, sheet, row) and review decisions the edition did not rest on that bear
on it: a unit's figures those of the unit, a task's and a section's those of their tasks,
the whole's any.`,
		Example: `  plantrack diff --edition 2021年度白皮书
  plantrack diff --edition 2021年度白皮书 --format csv > 变化.csv`,
		Args: exactArgs(0, "no arguments"),
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runDiff(cmd.Context(), e, opts)
		},
	}
	cmd.Flags().StringVar(&opts.db, "db", opts.db, "database file")
	cmd.Flags().StringVar(&opts.edition, "edition", "", "the published edition to compare with (required)")
	cmd.Flags().StringVar(&opts.format, "format", opts.format, "output format: table, csv or json")
	return cmd
}

// figureChange is one figure that differs, with what may have changed it.
type figureChange struct {
	View      string           `json:"view"`
	Key       string           `json:"key"`
	Metric    string           `json:"metric"`
	Published *float64         `json:"published"`
	Current   *float64         `json:"current"`
	Change    *float64         `json:"change"`
	Sources   []reports.Source `json:"sources"`
}

func runDiff(ctx context.Context, e *env, opts diffOptions) error {
	if opts.edition == "" {
		return usageErrorf("--edition NAME is required")
	}
	if opts.format != "table" && opts.format != "csv" && opts.format != "json" {
		return usageErrorf("--format %q: want table, csv or json", opts.format)
	}
	db, err := openExisting(ctx, opts.db)
	if err != nil {
		return err
	}
	defer db.Close()
	ed, frozen, err := db.ReadEdition(ctx, opts.edition)
	if errors.Is(err, store.ErrNoEdition) {
		return usageErrorf("--edition: %v", err)
	}
	if err != nil {
		return err
	}
	now, err := reports.Load(ctx, db.DB, ed.Period, "")
	if err != nil {
		return err
	}
	published := make([]reports.Figure, len(frozen))
	for i, f := range frozen {
		published[i] = reports.Figure{View: f.View, Key: f.Key, Metric: f.Metric, Value: f.Value}
	}
	sources, err := reports.NewSources(ctx, db.DB, ed.Period, ed.Batches, ed.Reviews)
	if err != nil {
		return err
	}
	var out []figureChange
	for _, c := range reports.Changes(published, reports.Figures(now)) {
		fc := figureChange{View: c.View, Key: c.Key, Metric: c.Metric, Published: c.Published, Current: c.Current, Sources: []reports.Source{}}
		if c.Published != nil && c.Current != nil {
			d := *c.Current - *c.Published
			fc.Change = &d
		}
		for _, s := range sources {
			if s.Touches(c) {
				fc.Sources = append(fc.Sources, s)
			}
		}
		out = append(out, fc)
	}
	switch opts.format {
	case "json":
		enc := json.NewEncoder(e.stdout)
		enc.SetEscapeHTML(false)
		enc.SetIndent("", "  ")
		return enc.Encode(struct {
			Edition string         `json:"edition"`
			Period  string         `json:"period"`
			Changes []figureChange `json:"changes"`
		}{ed.Name, ed.Period, append([]figureChange{}, out...)})
	case "csv":
		return writeEditionDiffCSV(e.stdout, out)
	}
	return writeEditionDiffTable(e.stdout, ed, out)
}

func num(v *float64) string {
	if v == nil {
		return ""
	}
	return strconv.FormatFloat(*v, 'f', -1, 64)
}

// sourceText names a row or review: report 3 collected/东阿县.xlsx:填报表:12.
func sourceText(s reports.Source) string {
	where := store.Shown(s.File)
	if s.Sheet != "" {
		where += ":" + store.Shown(s.Sheet)
	}
	return fmt.Sprintf("%s %d %s:%d", s.Kind, s.Batch, where, s.Row)
}

func writeEditionDiffCSV(w io.Writer, out []figureChange) error {
	cw := csv.NewWriter(w)
	cw.Write([]string{"view", "key", "metric", "published", "current", "change", "sources"})
	for _, c := range out {
		var srcs []string
		for _, s := range c.Sources {
			srcs = append(srcs, sourceText(s))
		}
		cw.Write([]string{c.View, reports.SpreadsheetText(c.Key), c.Metric, num(c.Published), num(c.Current), num(c.Change), reports.SpreadsheetText(strings.Join(srcs, "; "))})
	}
	cw.Flush()
	return cw.Error()
}

// shownSources bounds the sources a table line lists; csv and json list them all.
const shownSources = 5

func writeEditionDiffTable(w io.Writer, ed *store.Edition, out []figureChange) error {
	fmt.Fprintf(w, "《%s》（%s，发布于 %s）：%d 处数字变化\n", ed.Name, ed.Period, ed.PublishedOn.Format("2006-01-02"), len(out))
	if len(out) == 0 {
		return nil
	}
	t := &reports.Table{Header: []string{"视图", "对象", "指标", "发布时", "现在", "变化", "来源"}}
	for _, c := range out {
		var srcs []string
		for i, s := range c.Sources {
			if i == shownSources {
				srcs = append(srcs, fmt.Sprintf("…共 %d 条", len(c.Sources)))
				break
			}
			srcs = append(srcs, sourceText(s))
		}
		t.Add(c.View, store.Shown(c.Key), c.Metric, num(c.Published), num(c.Current), num(c.Change), strings.Join(srcs, "; "))
	}
	return t.Write(w)
}
