package transform

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"regexp"
	"sort"
	"strings"

	"plantrack/plan"
)

//go:embed models/*.sql
var models embed.FS

// Model is one SQL model file.
type Model struct {
	Name string // e.g. 050_completion_by_section
	SQL  string
}

// Models returns the models in the order they are applied.
func Models() ([]Model, error) {
	names, err := fs.Glob(models, "models/*.sql")
	if err != nil {
		return nil, err
	}
	sort.Strings(names)
	var out []Model
	for _, n := range names {
		b, err := models.ReadFile(n)
		if err != nil {
			return nil, err
		}
		out = append(out, Model{Name: strings.TrimSuffix(strings.TrimPrefix(n, "models/"), ".sql"), SQL: string(b)})
	}
	return out, nil
}

// execer is a database or a transaction.
type execer interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// Apply (re)creates every view and macro, and rebuilds the stored models (the ranked
// reports and the assignment history every metric reads) from the rows submissions holds.
// It changes no submitted data, so it may run any time; ingest runs it after each batch.
// Each model commits on its own: the freshness mark (models_built) is cleared first and
// written last, so a build cut short leaves the views refusing, not answering from a mix.
//
// The views at the latest period are pinned to it (chase_list is chase_list_at('2021Q4')):
// a period written out lets DuckDB read only that quarter's rows; asked through
// latest_period(), a subquery, it reads every quarter's and keeps one (a province's chase
// list: 4.5 s against 1.1 s). The answer is the same while the stored models are fresh:
// the latest period changes only with submissions or the plans, and then every metric view
// refuses until the next build, which pins them again. The period is asked as soon as the
// model that defines latest_period() has run, and the later models' views are written
// pinned (binding each view once, not twice); with no period yet (no plan, no report)
// they stay as written.
func Apply(ctx context.Context, db execer) error {
	ms, err := Models()
	if err != nil {
		return err
	}
	var latest plan.Period
	var early []Model // models run before the period was known
	for _, m := range ms {
		q := m.SQL
		if latest != "" {
			q = pinned(q, latest)
		} else {
			early = append(early, m)
		}
		if _, err := db.ExecContext(ctx, q); err != nil {
			return fmt.Errorf("model %s: %w", m.Name, err)
		}
		if latest == "" && definesLatestRE.MatchString(m.SQL) {
			if latest, err = latestPeriod(ctx, db); err != nil {
				return err
			}
		}
	}
	if latest == "" {
		return nil
	}
	for _, m := range early {
		for _, v := range atLatestRE.FindAllStringSubmatch(m.SQL, -1) {
			if _, err := db.ExecContext(ctx, pinnedView(v, latest)); err != nil {
				return fmt.Errorf("model %s: view %s at %s: %w", m.Name, v[1], latest, err)
			}
		}
	}
	return nil
}

var (
	// atLatestRE finds the views that are a table macro at the latest period.
	atLatestRE = regexp.MustCompile(`(?m)^CREATE OR REPLACE VIEW (\w+) AS SELECT \* FROM (\w+_at)\(latest_period\(\)\);$`)
	// definesLatestRE finds the model that defines latest_period().
	definesLatestRE = regexp.MustCompile(`(?m)^CREATE OR REPLACE MACRO latest_period\(\)`)
)

// latestPeriod is what latest_period() gives now: "" with no period yet.
func latestPeriod(ctx context.Context, db execer) (plan.Period, error) {
	var latest sql.NullString
	if err := db.QueryRowContext(ctx, "SELECT latest_period()::VARCHAR").Scan(&latest); err != nil {
		return "", fmt.Errorf("latest period: %w", err)
	}
	if !latest.Valid {
		return "", nil
	}
	p := plan.Period(latest.String)
	if !p.Valid() { // a period is 2021Q4, so it is safe to write into SQL
		return "", fmt.Errorf("latest period %q", latest.String)
	}
	return p, nil
}

// pinned is a model's SQL with its views at the latest period written at p.
func pinned(q string, p plan.Period) string {
	return atLatestRE.ReplaceAllStringFunc(q, func(stmt string) string {
		return pinnedView(atLatestRE.FindStringSubmatch(stmt), p) + ";"
	})
}

// pinnedView is the statement of a view matched by atLatestRE, at period p.
func pinnedView(v []string, p plan.Period) string {
	return fmt.Sprintf("CREATE OR REPLACE VIEW %s AS SELECT * FROM %s('%s')", v[1], v[2], p)
}

// Built reports whether the models were ever applied to the database (their macros and
// views exist, whatever the freshness of the stored tables).
func Built(ctx context.Context, db *sql.DB) (bool, error) {
	var n int
	err := db.QueryRowContext(ctx, "SELECT count(*) FROM duckdb_tables() WHERE table_name = 'models_built'").Scan(&n)
	return n > 0, err
}

// viewRE finds the views a model makes (its "… OR REPLACE VIEW name" statements).
var viewRE = regexp.MustCompile(`(?m)^\w+ OR REPLACE VIEW (\w+)`)

// Views lists the views the models create, in model order.
func Views() ([]string, error) {
	ms, err := Models()
	if err != nil {
		return nil, err
	}
	var out []string
	for _, m := range ms {
		for _, v := range viewRE.FindAllStringSubmatch(m.SQL, -1) {
			out = append(out, v[1])
		}
	}
	return out, nil
}

// ErrPeriod is wrapped by Period's errors about the period asked for (not about the database).
var ErrPeriod = errors.New("bad period")

// periodError is a period the database cannot answer for: its message, and ErrPeriod.
type periodError struct{ msg string }

func (e periodError) Error() string        { return e.msg }
func (e periodError) Is(target error) bool { return target == ErrPeriod }

// Period resolves the period a command reads the database at: asked, in any form ingest
// reads (2021Q2, 2021年第二季度, 2021-06), it must be a quarter of the plan year; not asked
// (""), it is the latest period any report names.
func Period(ctx context.Context, db *sql.DB, asked string) (plan.Period, error) {
	if asked == "" {
		var p sql.NullString
		if err := db.QueryRowContext(ctx, "SELECT latest_period()::VARCHAR").Scan(&p); err != nil {
			return "", fmt.Errorf("latest period: %w", err)
		}
		if !p.Valid {
			return "", fmt.Errorf("the database holds no plan yet: run plantrack ingest first")
		}
		return plan.Period(p.String), nil
	}
	p, err := plan.ParsePeriod(asked)
	if err != nil {
		return "", periodError{fmt.Sprintf("period %q: %v", asked, err)}
	}
	var n int
	if err := db.QueryRowContext(ctx, "SELECT count(*) FROM periods WHERE period::VARCHAR = ?", string(p)).Scan(&n); err != nil {
		return "", err
	}
	if n == 0 {
		return "", periodError{fmt.Sprintf("period %s is not a quarter of the plan year", p)}
	}
	return p, nil
}
