package sample

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"time"

	"golang.org/x/sync/errgroup"

	"plantrack/plan"
	"plantrack/template"
)

// demoTemplateUnits is how many units of each kind answer with plantrack's templates in
// the demo: the rest keep the habits of the sample generator.
var demoTemplateUnits = []struct {
	kind string
	n    int
}{{plan.KindCounty, 2}, {plan.KindZone, 1}, {plan.KindDepartment, 2}}

// TemplateRound makes some sample units answer with templates, the round trip a quarter
// takes: the office writes each chosen unit's template for every quarter (into tmplDir,
// as it would send them), and the unit fills it in with the figures of its sample file
// (man says what each file holds), which the filled template replaces. The figures are
// the sample's, so every number the reports show stays the same; only the files change.
// It returns the names of the units.
func TemplateRound(ctx context.Context, c *plan.Bundle, man Manifest, subDir, tmplDir string) ([]string, error) {
	chosen := demoTemplateChoice(c, man)
	if len(chosen) == 0 {
		return nil, nil
	}
	var paths []string
	for _, f := range chosen {
		paths = append(paths, filepath.Join(subDir, filepath.FromSlash(f.Path)))
	}

	var names []string
	for _, f := range chosen {
		u, _ := c.Registry.ByID(f.Unit)
		if !slices.Contains(names, u.Name) {
			names = append(names, u.Name)
		}
	}
	// Each file's template is written and filled on its own: on every core.
	eg, ctx := errgroup.WithContext(ctx)
	eg.SetLimit(runtime.GOMAXPROCS(0))
	for i, f := range chosen {
		eg.Go(func() error {
			u, _ := c.Registry.ByID(f.Unit)
			if err := fillTemplate(c, *u, f, paths[i], filepath.Join(tmplDir, f.Period, template.FileName(u.Name))); err != nil {
				return fmt.Errorf("fill the template of %s for %s: %w", u.Name, f.Period, err)
			}
			return nil
		})
	}
	if err := eg.Wait(); err != nil {
		return nil, err
	}
	return names, nil
}

// fillTemplate writes a unit's blank template for the period to blank, and fills it in
// with what the sample file f at path says, in path's place (a CSV or JSON file becomes an
// .xlsx of the same name).
func fillTemplate(c *plan.Bundle, u plan.Unit, f File, path, blank string) error {
	spec := template.Spec{Plan: c, Unit: u, Period: plan.Period(f.Period)}
	if err := os.MkdirAll(filepath.Dir(blank), 0o755); err != nil {
		return err
	}
	wb, err := template.Build(spec)
	if err != nil {
		return err
	}
	defer wb.Close()
	if err := wb.SaveAs(blank); err != nil {
		return err
	}
	date, entries, err := entriesOf(f)
	if err != nil {
		return err
	}
	if err := template.Fill(wb, date, entries); err != nil {
		return err
	}
	if err := os.Remove(path); err != nil {
		return err
	}
	return wb.SaveAs(strings.TrimSuffix(path, filepath.Ext(path)) + ".xlsx")
}

// demoTemplateChoice picks, in registry order, units of each kind whose four quarterly
// files are plain: no row to reject or flag, no re-sent correction, none missing. It
// returns their files.
func demoTemplateChoice(c *plan.Bundle, man Manifest) []File {
	byUnit := map[string][]File{}
	bad := map[string]bool{}
	for _, m := range man.Missing {
		bad[m.Unit] = true
	}
	for _, f := range man.Files {
		if f.Unit == "" {
			continue
		}
		byUnit[f.Unit] = append(byUnit[f.Unit], f)
		if f.BadRows > 0 || len(f.Flagged) > 0 || len(f.Tricky) > 0 || f.Corrects != "" {
			bad[f.Unit] = true
		}
	}
	var out []File
	for _, want := range demoTemplateUnits {
		n := 0
		for _, u := range c.Registry.Units {
			if n == want.n {
				break
			}
			if u.Kind != want.kind || bad[u.ID] || len(byUnit[u.ID]) != 4 {
				continue
			}
			out = append(out, byUnit[u.ID]...)
			n++
		}
	}
	return out
}

// entriesOf is what a sample file says, as a unit would type it into its template: the
// status word, progress and count as numbers (left empty where the file left them empty),
// notes and evidence.
func entriesOf(f File) (time.Time, map[int]template.Entry, error) {
	date, err := time.Parse(time.DateOnly, f.SubmittedOn)
	if err != nil {
		return time.Time{}, nil, fmt.Errorf("%s: 填报日期 %q: %w", f.Path, f.SubmittedOn, err)
	}
	out := map[int]template.Entry{}
	for _, r := range f.Reports {
		st, err := plan.ParseStatus(r.Status)
		if err != nil {
			return time.Time{}, nil, fmt.Errorf("%s: task %d: status %q: %w", f.Path, r.Task, r.Status, err)
		}
		e := template.Entry{Status: st.Name(), Notes: r.Notes, Evidence: r.Evidence}
		if r.Progress >= 0 {
			e.Progress = r.Progress
		}
		if r.Achieved >= 0 {
			e.Achieved = r.Achieved
		}
		out[r.Task] = e
	}
	if len(out) == 0 {
		return time.Time{}, nil, fmt.Errorf("%s: no reports", f.Path)
	}
	return date, out, nil
}
