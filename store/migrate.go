package store

import (
	"context"
	"database/sql"
	"fmt"
)

// migrateOneYear turns a database made before plan years (one table plan, catalog tables
// without plan_year) into the shape of schema.sql: its plan becomes the plans row of its
// year and its catalog that year's. The plan's source files were not kept then, so the
// next ingest must be given the plan (or be the built-in plan's) to check new reports.
const migrateOneYear = `
CREATE TABLE plans AS SELECT sha256 AS plan_id, year, title, source_file FROM plan;
CREATE TABLE sections_y AS SELECT (SELECT max(year) FROM plan) AS plan_year, * FROM sections;
CREATE TABLE tasks_y AS SELECT (SELECT max(year) FROM plan) AS plan_year, * FROM tasks;
CREATE TABLE assignments_y AS SELECT (SELECT max(year) FROM plan) AS plan_year, * FROM assignments;
DROP TABLE sections; DROP TABLE tasks; DROP TABLE assignments; DROP TABLE plan;
ALTER TABLE sections_y RENAME TO sections;
ALTER TABLE tasks_y RENAME TO tasks;
ALTER TABLE assignments_y RENAME TO assignments;
DELETE FROM catalog_state;
`

// migrate brings a database of an earlier plantrack to the current schema, in one
// transaction.
func migrate(ctx context.Context, db *sql.DB) error {
	var old int
	if err := db.QueryRowContext(ctx, `SELECT count(*) FROM duckdb_tables() WHERE table_name = 'plan' AND schema_name = 'main'`).Scan(&old); err != nil {
		return err
	}
	if old == 0 {
		return nil
	}
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, migrateOneYear); err != nil {
		return fmt.Errorf("bring the database to plan years: %w", err)
	}
	return tx.Commit()
}
