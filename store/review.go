package store

import (
	"context"
	"fmt"
	"time"
)

// Review is one decision of a review workbook (审核表) to store in reviews: the report it
// judges, by its key (unit, task, period) and lineage (the batch, file, sheet and row
// that stored it), what was decided, and where the decision was read.
type Review struct {
	UnitID string
	TaskNo int
	Period string // the report's period, 2021Q2

	ReportBatch int
	ReportFile  string
	ReportSheet string
	ReportRow   int

	Decision   string    // approved | returned (plan.Decision)
	Comment    string    // 审核意见, "" when none
	ReviewedOn time.Time // the workbook's 审核日期; zero when not given

	SourceFile string // the review workbook, as the import was given it
	SourceRow  int    // its row
}

// ReviewImport is what one review import stored.
type ReviewImport struct {
	BatchID   int // its review_batches row; 0 when it added nothing (and has no row)
	Added     int // decisions stored
	Unchanged int // decisions the reports already had: the latest review of the report said the same
}

// ImportReviews stores the decisions of one review import in one transaction: all of them
// or none. A decision adds nothing when the latest stored review of the same report says
// the same (decision and comment), or when this very row was imported before (the same
// workbook, row, decision, comment and 审核日期): importing a workbook again, even after a
// later workbook changed some of its decisions, stores nothing new. Any other decision is
// added and, being the latest, decides. When something was
// added the import is recorded in review_batches (numbered after the imports stored) with
// files and rejected, the rows of the import that were rejected.
func (db *DB) ImportReviews(ctx context.Context, files int, rejected int64, rs []Review) (ReviewImport, error) {
	var res ReviewImport
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return res, fmt.Errorf("review import: %w", err)
	}
	defer tx.Rollback()
	if err := tx.QueryRowContext(ctx, "SELECT coalesce(max(batch_id), 0) + 1 FROM review_batches").Scan(&res.BatchID); err != nil {
		return res, fmt.Errorf("review import: %w", err)
	}
	// The candidates, as lists: one statement whatever their number.
	n := len(rs)
	units, periods, files_, sheets, decisions, comments, dates, sources := make([]string, n), make([]string, n), make([]string, n),
		make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n)
	tasks, batches, rows, srcRows, order := make([]int32, n), make([]int32, n), make([]int32, n), make([]int32, n), make([]int32, n)
	for i, r := range rs {
		units[i], tasks[i], periods[i] = r.UnitID, int32(r.TaskNo), r.Period
		batches[i], files_[i], sheets[i], rows[i] = int32(r.ReportBatch), r.ReportFile, r.ReportSheet, int32(r.ReportRow)
		decisions[i], comments[i], sources[i], srcRows[i], order[i] = r.Decision, r.Comment, r.SourceFile, int32(r.SourceRow), int32(i)
		if !r.ReviewedOn.IsZero() {
			dates[i] = r.ReviewedOn.Format(time.DateOnly)
		}
	}
	for _, d := range decisions {
		if d != "approved" && d != "returned" {
			return res, fmt.Errorf("review import: decision %q: want approved or returned", d)
		}
	}
	if n > 0 {
		// Each candidate is added unless the latest review of its report says the same;
		// two candidates on one report are the caller's to prevent (the first is taken).
		r, err := tx.ExecContext(ctx, `
		WITH c AS (
			SELECT unnest(?::VARCHAR[]) AS unit_id, unnest(?::INTEGER[]) AS task_no, unnest(?::VARCHAR[]) AS period,
			       unnest(?::INTEGER[]) AS report_batch, unnest(?::VARCHAR[]) AS report_file, unnest(?::VARCHAR[]) AS report_sheet,
			       unnest(?::INTEGER[]) AS report_row, unnest(?::VARCHAR[]) AS decision, unnest(?::VARCHAR[]) AS comment,
			       unnest(?::VARCHAR[]) AS reviewed_on, unnest(?::VARCHAR[]) AS source_file, unnest(?::INTEGER[]) AS source_row,
			       unnest(?::INTEGER[]) AS ord
		), latest AS (
			SELECT DISTINCT ON (unit_id, task_no, period, report_batch, report_file, report_sheet, report_row)
			       unit_id, task_no, period::VARCHAR AS period, report_batch, report_file, report_sheet, report_row, decision, comment
			FROM reviews
			ORDER BY unit_id, task_no, period, report_batch, report_file, report_sheet, report_row,
			         batch_id DESC, source_file DESC, source_row DESC
		), fresh AS (
			SELECT DISTINCT ON (c.unit_id, c.task_no, c.period, c.report_batch, c.report_file, c.report_sheet, c.report_row) c.*
			FROM c
			LEFT JOIN latest l ON l.unit_id = c.unit_id AND l.task_no = c.task_no AND l.period = c.period
			     AND l.report_batch = c.report_batch AND l.report_file = c.report_file
			     AND l.report_sheet = c.report_sheet AND l.report_row = c.report_row
			WHERE (l.decision IS DISTINCT FROM c.decision OR l.comment IS DISTINCT FROM c.comment)
			  AND NOT EXISTS (SELECT 1 FROM reviews r WHERE r.unit_id = c.unit_id AND r.task_no = c.task_no
			          AND r.period::VARCHAR = c.period AND r.report_batch = c.report_batch AND r.report_file = c.report_file
			          AND r.report_sheet = c.report_sheet AND r.report_row = c.report_row
			          AND r.decision = c.decision AND r.comment = c.comment AND r.source_file = c.source_file
			          AND r.source_row = c.source_row AND r.reviewed_on IS NOT DISTINCT FROM nullif(c.reviewed_on, '')::DATE)
			ORDER BY c.unit_id, c.task_no, c.period, c.report_batch, c.report_file, c.report_sheet, c.report_row, c.ord
		)
		INSERT INTO reviews (unit_id, task_no, period, decision, comment, reviewed_on, batch_id, source_file, source_row,
		                     report_batch, report_file, report_sheet, report_row)
		SELECT unit_id, task_no, period::period, decision, comment, nullif(reviewed_on, '')::DATE, ?, source_file, source_row,
		       report_batch, report_file, report_sheet, report_row
		FROM fresh ORDER BY ord`,
			units, tasks, periods, batches, files_, sheets, rows, decisions, comments, dates, sources, srcRows, order, res.BatchID)
		if err != nil {
			return res, fmt.Errorf("review import: %w", err)
		}
		added, err := r.RowsAffected()
		if err != nil {
			return res, fmt.Errorf("review import: %w", err)
		}
		res.Added = int(added)
	}
	res.Unchanged = n - res.Added
	if res.Added == 0 {
		return ReviewImport{Unchanged: n}, nil // nothing new: no batch
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO review_batches (batch_id, imported_at, files, decisions, rejected) VALUES (?, ?, ?, ?, ?)`,
		res.BatchID, time.Now(), files, res.Added, rejected); err != nil {
		return res, fmt.Errorf("review import: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return res, fmt.Errorf("review import: commit: %w", err)
	}
	return res, nil
}
