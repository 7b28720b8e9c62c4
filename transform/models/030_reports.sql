-- reports: accepted submissions on the (task, unit) pairs the plan of their period's year
-- (plan_year) assigns, the only ones
-- metrics count, each with its judgements: completed (the report's claim, rule
-- claims_completion: status completed, or achieved at or above the task's numeric target;
-- whether the claim counts is decided with its review, in assignment_history), on time
-- (filed by period end + grace_days), and its rank among the reports for the same (unit,
-- task, period): 1 is the one that stands (latest submitted_on, then latest batch, then the
-- later row of the file; between rows of two sheets with the same number, the later sheet
-- name).
-- Ranking every report takes a sort of all of them, and a province files millions, most
-- of them superseded: so only export and queries by hand, which read every report, rank
-- them (the view below). The metrics read the reports that stand (reports_latest), stored
-- when the models are applied and found without ranking every report. Both refuse to
-- answer if submissions changed since the models were built (see 025_freshness.sql).
CREATE OR REPLACE VIEW reports AS
SELECT s.*,
       pe.plan_year,
       a.role,
       claims_completion(s.status, s.achieved, t.target_min)                             AS completed,
       s.submitted_on IS NOT NULL AND s.submitted_on <= pe.due_on                       AS on_time,
       row_number() OVER (PARTITION BY s.unit_id, s.task_no, s.period
                          ORDER BY s.submitted_on DESC NULLS LAST, s.batch_id DESC, s.source_file DESC,
                                   s.source_row DESC, s.source_sheet DESC) AS version
FROM submissions s
JOIN periods pe ON pe.period = s.period
JOIN assignments a ON a.plan_year = pe.plan_year AND a.task_no = s.task_no AND a.unit_id = s.unit_id
JOIN tasks t ON t.plan_year = pe.plan_year AND t.task_no = s.task_no
WHERE models_fresh();

-- reports_latest: the report that stands (version 1 of reports) for each (unit, task,
-- period), with reports' columns but version, and first_on_time: whether the first report
-- for it (the last version) was on time. Stored (reports_latest_stored). The latest and
-- the first 填报日期 of each (unit, task, period) come from one pass over submissions (no
-- date counts as the earliest); only the reports of the latest day can stand, and only
-- those few are ranked. The first report's day says whether it was on time.
CREATE OR REPLACE TABLE reports_latest_stored AS
WITH days AS (
    SELECT unit_id, task_no, period,
           max(coalesce(submitted_on, '-infinity'::DATE)) AS latest_on,
           min(coalesce(submitted_on, '-infinity'::DATE)) AS first_on
    FROM submissions
    GROUP BY unit_id, task_no, period
)
SELECT s.*,
       pe.plan_year,
       a.role,
       claims_completion(s.status, s.achieved, t.target_min)                             AS completed,
       s.submitted_on IS NOT NULL AND s.submitted_on <= pe.due_on                       AS on_time,
       d.first_on > '-infinity'::DATE AND d.first_on <= pe.due_on                       AS first_on_time
FROM submissions s
JOIN days d ON d.unit_id = s.unit_id AND d.task_no = s.task_no AND d.period = s.period
           AND d.latest_on = coalesce(s.submitted_on, '-infinity'::DATE)
JOIN periods pe ON pe.period = s.period
JOIN assignments a ON a.plan_year = pe.plan_year AND a.task_no = s.task_no AND a.unit_id = s.unit_id
JOIN tasks t ON t.plan_year = pe.plan_year AND t.task_no = s.task_no
QUALIFY row_number() OVER (PARTITION BY s.unit_id, s.task_no, s.period
                           ORDER BY s.batch_id DESC, s.source_file DESC, s.source_row DESC, s.source_sheet DESC) = 1;

CREATE OR REPLACE VIEW reports_latest AS SELECT * FROM reports_latest_stored WHERE models_fresh();

-- An older database holds the ranked copy of every report the models stored before.
DROP TABLE IF EXISTS reports_stored;
