-- report_flags: one row per accepted report and flag worth a look: the flags ingest set
-- (completed_not_100, not_started_with_pct, progress_assumed_100, no_progress,
-- no_submitted_on, unknown_field, unassigned), and progress_backwards: a standing report
-- whose progress is below the same assignment's standing report of an earlier quarter.
CREATE OR REPLACE VIEW report_flags AS
SELECT unit_id, unit_name, task_no, period, unnest(flags) AS flag, progress_pct,
       batch_id, source_file, source_sheet, source_row
FROM submissions
UNION ALL
-- The window runs over the columns it needs and the row's place (rowid), and only the
-- few rows it flags are read whole: over every column of a province's standing reports
-- it took most of an export's memory.
SELECT unit_id, unit_name, task_no, period, 'progress_backwards', progress_pct,
       batch_id, source_file, source_sheet, source_row
FROM reports_latest_stored
WHERE rowid IN (SELECT rid FROM (
          SELECT rowid AS rid, progress_pct,
                 max(progress_pct) OVER (PARTITION BY plan_year, unit_id, task_no ORDER BY period
                                         ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS before
          FROM reports_latest_stored)
      WHERE progress_pct < before)
  AND models_fresh()
ORDER BY unit_id, task_no, period, flag;
