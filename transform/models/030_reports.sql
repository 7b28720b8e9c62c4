-- reports: accepted submissions on the (task, unit) pairs the plan of their period's year
-- (plan_year) assigns, the only ones
-- metrics count, each with its judgements: completed (the report's claim, rule
-- claims_completion: status completed, or achieved at or above the task's numeric target;
-- whether the claim counts is decided with its review, in assignment_history), on time
-- (filed by period end + grace_days), and its rank among the reports for the same (unit,
-- task, period): 1 is the one that stands (latest submitted_on, then latest batch, then the
-- later row of the file; between rows of two sheets with the same number, the later sheet
-- name).
-- Ranking the reports takes a sort of all of them, and a province files millions, most of
-- them superseded. The models do it once, when they are built, on the few columns the
-- ranking needs: report_ranks_stored holds, for every row of submissions and in its
-- order, what reports adds to it (the rank and the judgements), whether it is a report,
-- and the row's rowid (rid). The view reads it beside submissions row by row (POSITIONAL
-- JOIN), with no join and no sort: an export of every report is a scan. Each stored row
-- carries its submission's batch and row, checked against the row beside it, so a
-- submissions table changed since the build is refused, never paired wrongly (besides
-- models_fresh(), see 025_freshness.sql). At 8.1M reports: an export of reports 30 s on
-- one thread (and out of memory beside the other relations) before, 7 s now; the build
-- 2 s more.
CREATE OR REPLACE TABLE report_ranks_stored AS
WITH files AS (
    -- each file of each batch by its place in the order of (batch_id, source_file): the
    -- ranking compares these numbers instead of the files' paths, which share long
    -- prefixes (at 8.1M reports 10.3 s against 7.3 s)
    SELECT batch_id, source_file, row_number() OVER (ORDER BY batch_id, source_file) AS file_ord
    FROM (SELECT DISTINCT batch_id, source_file FROM submissions)
), ranked AS (
    SELECT s.rowid AS rid, s.batch_id, s.source_row, s.unit_id, s.task_no, s.period, s.status, s.achieved, s.submitted_on,
           row_number() OVER w AS version,
           -- the day of the first report (the last version): no date counts as the earliest
           min(coalesce(s.submitted_on, '-infinity'::DATE)) OVER w AS first_on
    FROM submissions s
    JOIN files f USING (batch_id, source_file)
    WINDOW w AS (PARTITION BY s.unit_id, s.task_no, s.period
                 ORDER BY s.submitted_on DESC NULLS LAST, f.file_ord DESC, s.source_row DESC, s.source_sheet DESC
                 ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING)
)
SELECT r.rid, r.batch_id, r.source_row,
       pe.period IS NOT NULL AND a.role IS NOT NULL AND t.task_no IS NOT NULL  AS in_reports,
       pe.plan_year,
       a.role::assignment_role                                                  AS role, -- a string by the million is a tenth of the build
       claims_completion(r.status, r.achieved, t.target_min)                    AS completed,
       r.submitted_on IS NOT NULL AND r.submitted_on <= pe.due_on              AS on_time,
       r.version,
       r.first_on > '-infinity'::DATE AND r.first_on <= pe.due_on              AS first_on_time
FROM ranked r
LEFT JOIN periods pe ON pe.period = r.period
LEFT JOIN assignments a ON a.plan_year = pe.plan_year AND a.task_no = r.task_no AND a.unit_id = r.unit_id
LEFT JOIN tasks t ON t.plan_year = pe.plan_year AND t.task_no = r.task_no
ORDER BY r.rid;

-- beside_ranks(s, r): a row of submissions s and the stored row r beside it are the same
-- submission; else an error that says to rebuild.
CREATE OR REPLACE MACRO beside_ranks(s_batch, s_row, r_batch, r_row) AS
    CASE WHEN s_batch IS NOT DISTINCT FROM r_batch AND s_row IS NOT DISTINCT FROM r_row THEN true
         ELSE error('the stored metric tables are older than submissions or assignments: run plantrack build') END;

-- models_fresh() is asked through EXISTS: DuckDB guesses no rows for a POSITIONAL JOIN,
-- and a plain WHERE models_fresh() made it hold every report in memory to pair them with
-- the one row of the check; under EXISTS the check is what it holds, and reports stream.
CREATE OR REPLACE VIEW reports AS
SELECT s.*, r.plan_year, r.role::VARCHAR AS role, r.completed, r.on_time, r.version
FROM submissions s POSITIONAL JOIN report_ranks_stored r
WHERE beside_ranks(s.batch_id, s.source_row, r.batch_id, r.source_row) AND r.in_reports
  AND EXISTS (SELECT 1 WHERE models_fresh());

-- reports_latest: the report that stands (version 1 of reports) for each (unit, task,
-- period), with reports' columns but version, and first_on_time: whether the first report
-- for it (the last version) was on time. Stored (reports_latest_stored), read by every
-- metric.
-- The rows that stand are found by their rowid (rid), read on every core (a positional
-- scan reads on one).
CREATE OR REPLACE TABLE reports_latest_stored AS
SELECT s.*, r.plan_year, r.role::VARCHAR AS role, r.completed, r.on_time, r.first_on_time
FROM submissions s
JOIN (SELECT * FROM report_ranks_stored WHERE in_reports AND version = 1) r ON r.rid = s.rowid;

CREATE OR REPLACE VIEW reports_latest AS SELECT * FROM reports_latest_stored WHERE models_fresh();

-- An older database holds the ranked copy of every report the models stored before.
DROP TABLE IF EXISTS reports_stored;
