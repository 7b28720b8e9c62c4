package cli

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"time"

	"golang.org/x/sync/errgroup"

	"plantrack/ingest"
	"plantrack/plan"
	"plantrack/sample"
	"plantrack/store"
	"plantrack/template"
)

// demoTemplateUnits is how many units of each kind answer with plantrack's templates in
// the demo: the rest keep the habits of the sample generator.
var demoTemplateUnits = []struct {
	kind string
	n    int
}{{plan.KindCounty, 2}, {plan.KindZone, 1}, {plan.KindDepartment, 2}}

// templateRound makes some sample units answer with templates, the round trip a quarter
// takes: the office writes each chosen unit's template for every quarter (into tmplDir,
// as it would send them), and the unit fills it in with the figures of its sample file,
// which the filled template replaces. The figures are the sample's, so every number the
// reports show stays the same; only the files change. It returns the names of the units.
func templateRound(ctx context.Context, c *catalog, man sample.Manifest, subDir, tmplDir string) ([]string, error) {
	chosen := demoTemplateChoice(c, man)
	if len(chosen) == 0 {
		return nil, nil
	}
	// Read the chosen files the way ingest does, into a scratch database, to fill the
	// templates with exactly what they say.
	scratch, err := store.Open(ctx, "") // in memory
	if err != nil {
		return nil, err
	}
	defer scratch.Close()
	var paths []string
	for _, f := range chosen {
		paths = append(paths, filepath.Join(subDir, filepath.FromSlash(f.Path)))
	}
	if _, err := ingest.Ingest(ctx, scratch, c.ingestPlan(), paths, ingest.Options{}); err != nil {
		return nil, fmt.Errorf("read sample files: %w", err)
	}

	var names []string
	for _, f := range chosen {
		u, _ := c.reg.ByID(f.Unit)
		if !slices.Contains(names, u.Name) {
			names = append(names, u.Name)
		}
	}
	// Each file's template is written and filled on its own: on every core.
	eg, ctx := errgroup.WithContext(ctx)
	eg.SetLimit(runtime.GOMAXPROCS(0))
	for i, f := range chosen {
		eg.Go(func() error {
			u, _ := c.reg.ByID(f.Unit)
			if err := fillTemplate(ctx, c, scratch.DB, *u, f.Period, paths[i], filepath.Join(tmplDir, f.Period, template.FileName(u.Name))); err != nil {
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
// with what the sample file at path says, in path's place (a CSV or JSON file becomes an
// .xlsx of the same name).
func fillTemplate(ctx context.Context, c *catalog, db *sql.DB, u plan.Unit, period, path, blank string) error {
	spec := template.Spec{Catalog: c.Catalog, PlanSHA256: c.sha256, Unit: u, Assignments: c.assignments, Period: period}
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
	date, entries, err := sampleEntries(ctx, db, filepath.ToSlash(path))
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
func demoTemplateChoice(c *catalog, man sample.Manifest) []sample.File {
	byUnit := map[string][]sample.File{}
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
	var out []sample.File
	for _, want := range demoTemplateUnits {
		n := 0
		for _, u := range c.reg.Units {
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

// sampleEntries reads back what a sample file said, as a unit would type it into its
// template: the status word, progress and count as numbers (left empty where the file left
// them empty), notes and evidence.
func sampleEntries(ctx context.Context, db *sql.DB, file string) (time.Time, map[int]template.Entry, error) {
	rows, err := db.QueryContext(ctx, `SELECT task_no, status::VARCHAR, progress_pct, achieved, coalesce(notes, ''), coalesce(evidence, ''),
		submitted_on, list_contains(flags, 'progress_assumed_100') OR list_contains(flags, 'no_progress')
		FROM submissions WHERE source_file = ? ORDER BY source_row`, file)
	if err != nil {
		return time.Time{}, nil, err
	}
	defer rows.Close()
	var date time.Time
	out := map[int]template.Entry{}
	for rows.Next() {
		var task int
		var status, notes, evidence string
		var progress, achieved sql.NullFloat64
		var on sql.NullTime
		var noProgress bool
		if err := rows.Scan(&task, &status, &progress, &achieved, &notes, &evidence, &on, &noProgress); err != nil {
			return time.Time{}, nil, err
		}
		e := template.Entry{Status: ingest.StatusChinese(status), Notes: notes, Evidence: evidence}
		if progress.Valid && !noProgress {
			e.Progress = int(progress.Float64)
		}
		if achieved.Valid {
			e.Achieved = int(achieved.Float64)
		}
		if on.Valid {
			date = on.Time
		}
		out[task] = e
	}
	if len(out) == 0 {
		return time.Time{}, nil, fmt.Errorf("%s: no rows read back", file)
	}
	return date, out, rows.Err()
}
