package store

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"time"
)

// Edition is a published edition of a period's pages: their data frozen as the renderer
// read it (Pages), every figure they show (in edition_figures), and what they rest on.
type Edition struct {
	Name        string
	Period      string
	PublishedOn time.Time
	Fingerprint string // of the rows the figures were read from
	Batches     []int  // ingest batches
	Reviews     []int  // review imports
	Pages       []byte
}

// EditionFigure is one frozen figure.
type EditionFigure struct {
	View, Key, Metric string
	Value             float64
}

// ErrEditionExists is returned by Publish for a name already used.
var ErrEditionExists = errors.New("an edition of that name exists")

// ErrNoEdition is returned for an edition name the database does not have.
var ErrNoEdition = errors.New("no such edition")

// Fingerprint is a SHA-256 of the state of the rows figures are read from (reports,
// reviews, the catalog), with the ingest batches and review imports it rests on.
func (db *DB) Fingerprint(ctx context.Context) (fp string, batches, reviews []int, err error) {
	var state string
	err = db.QueryRowContext(ctx, `SELECT concat_ws('|',
		(SELECT count(*) FROM submissions), (SELECT coalesce(max(batch_id), 0) FROM ingest_batches),
		(SELECT count(*) FROM reviews), (SELECT coalesce(max(batch_id), 0) FROM review_batches),
		(SELECT coalesce(max(fingerprint), '') FROM catalog_state))`).Scan(&state)
	if err != nil {
		return "", nil, nil, err
	}
	sum := sha256.Sum256([]byte(state))
	if batches, err = ints(ctx, db.DB, "SELECT batch_id FROM ingest_batches ORDER BY 1"); err != nil {
		return "", nil, nil, err
	}
	if reviews, err = ints(ctx, db.DB, "SELECT batch_id FROM review_batches ORDER BY 1"); err != nil {
		return "", nil, nil, err
	}
	return hex.EncodeToString(sum[:]), batches, reviews, nil
}

func ints(ctx context.Context, db *sql.DB, q string) ([]int, error) {
	rows, err := db.QueryContext(ctx, q)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []int{}
	for rows.Next() {
		var n int
		if err := rows.Scan(&n); err != nil {
			return nil, err
		}
		out = append(out, n)
	}
	return out, rows.Err()
}

// Publish stores an edition and its figures in one transaction; a name is used once.
func (db *DB) Publish(ctx context.Context, e Edition, figures []EditionFigure) error {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	var n int
	if err := tx.QueryRowContext(ctx, "SELECT count(*) FROM editions WHERE name = ?", e.Name).Scan(&n); err != nil {
		return err
	}
	if n > 0 {
		return fmt.Errorf("%w: %s", ErrEditionExists, e.Name)
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO editions (name, period, published_on, fingerprint, batches, reviews, pages)
		VALUES (?, ?::period, ?, ?, CAST(? AS INTEGER[]), CAST(? AS INTEGER[]), ?)`,
		e.Name, e.Period, e.PublishedOn, e.Fingerprint, intsText(e.Batches), intsText(e.Reviews), e.Pages)
	if err != nil {
		return fmt.Errorf("publish %s: %w", e.Name, err)
	}
	// Figures go in statements of a few hundred rows.
	const per = 500
	for len(figures) > 0 {
		k := min(per, len(figures))
		q := "INSERT INTO edition_figures (edition, view, key, metric, value) VALUES "
		args := make([]any, 0, 5*k)
		for i, f := range figures[:k] {
			if i > 0 {
				q += ","
			}
			q += "(?, ?, ?, ?, ?)"
			args = append(args, e.Name, f.View, f.Key, f.Metric, f.Value)
		}
		if _, err := tx.ExecContext(ctx, q, args...); err != nil {
			return fmt.Errorf("publish %s: %w", e.Name, err)
		}
		figures = figures[k:]
	}
	return tx.Commit()
}

// intsText writes ids as DuckDB reads a list from text: [1, 2].
func intsText(ids []int) string {
	s := "["
	for i, n := range ids {
		if i > 0 {
			s += ", "
		}
		s += fmt.Sprint(n)
	}
	return s + "]"
}

// ReadEdition reads an edition and its figures.
func (db *DB) ReadEdition(ctx context.Context, name string) (*Edition, []EditionFigure, error) {
	e := &Edition{Name: name}
	var batches, reviews []any
	err := db.QueryRowContext(ctx, `SELECT period::VARCHAR, published_on, fingerprint, batches, reviews, pages FROM editions WHERE name = ?`, name).
		Scan(&e.Period, &e.PublishedOn, &e.Fingerprint, &batches, &reviews, &e.Pages)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil, fmt.Errorf("%w: %s", ErrNoEdition, name)
	}
	if err != nil {
		return nil, nil, err
	}
	for _, b := range batches {
		e.Batches = append(e.Batches, int(b.(int32)))
	}
	for _, r := range reviews {
		e.Reviews = append(e.Reviews, int(r.(int32)))
	}
	rows, err := db.QueryContext(ctx, `SELECT view, key, metric, value FROM edition_figures WHERE edition = ? ORDER BY view, key, metric`, name)
	if err != nil {
		return nil, nil, err
	}
	defer rows.Close()
	var fs []EditionFigure
	for rows.Next() {
		var f EditionFigure
		if err := rows.Scan(&f.View, &f.Key, &f.Metric, &f.Value); err != nil {
			return nil, nil, err
		}
		fs = append(fs, f)
	}
	return e, fs, rows.Err()
}

// EditionsOf lists the names of a period's editions, oldest first.
func (db *DB) EditionsOf(ctx context.Context, period string) ([]string, error) {
	rows, err := db.QueryContext(ctx, `SELECT name FROM editions WHERE period = ?::period ORDER BY published_on, name`, period)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			return nil, err
		}
		out = append(out, n)
	}
	return out, rows.Err()
}
