package cli

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

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
	scratchDir, err := os.MkdirTemp("", "plantrack-demo-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(scratchDir)
	scratch, err := store.Open(ctx, filepath.Join(scratchDir, "scratch.duckdb"))
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
	for i, f := range chosen {
		u, _ := c.reg.ByID(f.Unit)
		if !slices.Contains(names, u.Name) {
			names = append(names, u.Name)
		}
		spec := template.Spec{Catalog: c.Catalog, PlanSHA256: c.sha256, Unit: *u, Assignments: c.assignments, Period: f.Period}
		blank := filepath.Join(tmplDir, f.Period, template.FileName(u.Name))
		if err := os.MkdirAll(filepath.Dir(blank), 0o755); err != nil {
			return nil, err
		}
		if err := template.Write(blank, spec); err != nil {
			return nil, err
		}
		date, entries, err := sampleEntries(ctx, scratch.DB, filepath.ToSlash(paths[i]))
		if err != nil {
			return nil, err
		}
		wb, err := template.Build(spec)
		if err != nil {
			return nil, err
		}
		err = template.Fill(wb, date, entries)
		if err == nil {
			// The filled template takes the place of the sample file (a CSV or JSON one
			// becomes an .xlsx of the same name).
			err = os.Remove(paths[i])
		}
		if err == nil {
			err = wb.SaveAs(strings.TrimSuffix(paths[i], filepath.Ext(paths[i])) + ".xlsx")
		}
		wb.Close()
		if err != nil {
			return nil, fmt.Errorf("fill the template of %s for %s: %w", u.Name, f.Period, err)
		}
	}
	return names, nil
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
