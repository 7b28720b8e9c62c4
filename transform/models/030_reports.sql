-- reports: accepted submissions on the (task, unit) pairs the plan of their period's year
-- (plan_year) assigns, the only ones
-- metrics count, each with its judgements: completed (the report's claim, rule
-- claims_completion: status completed, or achieved at or above the task's numeric target;
-- whether the claim counts is decided with its review, in assignment_history), on time
-- (filed by period end + grace_days), and its rank among the reports for the same (unit,
-- task, period): 1 is the one that stands (latest submitted_on, then latest batch, then the
-- later row of the file; report_order below).
-- Ranking every report takes a sort of all of them, and a province files millions, most
-- of them superseded: so only export and queries by hand, which read every report, rank
-- them (the view below). The metrics read the reports that stand (reports_latest), stored
-- when the models are applied, found in one pass over submissions, whatever their number.
-- Both refuse to answer if submissions changed since the models were built (see
-- 025_freshness.sql).

-- report_order(…): the order in which the reports for one (unit, task, period) stand, as a
-- value to compare: the greatest stands. A report with no submitted_on comes before any
-- with one; the sheet decides only between rows of two sheets with the same number.
CREATE OR REPLACE MACRO report_order(submitted_on, batch_id, source_file, source_row, source_sheet) AS
    {'submitted_on': coalesce(submitted_on, '-infinity'::DATE), 'batch_id': batch_id,
     'source_file': source_file, 'source_row': source_row, 'source_sheet': source_sheet};

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
-- for it (the last in report_order) was on time. Stored (reports_latest_stored): arg_max
-- and arg_min pick each key's latest and first report in one pass over submissions, and
-- only the latest ones are joined and stored.
CREATE OR REPLACE TABLE reports_latest_stored AS
WITH keyed AS (
    SELECT unit_id, task_no, period,
           arg_max({'batch_id': batch_id, 'source_file': source_file, 'source_sheet': source_sheet, 'source_row': source_row},
                   report_order(submitted_on, batch_id, source_file, source_row, source_sheet)) AS latest,
           arg_min({'submitted_on': submitted_on},
                   report_order(submitted_on, batch_id, source_file, source_row, source_sheet)) AS first
    FROM submissions
    GROUP BY unit_id, task_no, period
)
SELECT s.*,
       pe.plan_year,
       a.role,
       claims_completion(s.status, s.achieved, t.target_min)                             AS completed,
       s.submitted_on IS NOT NULL AND s.submitted_on <= pe.due_on                       AS on_time,
       k.first.submitted_on IS NOT NULL AND k.first.submitted_on <= pe.due_on           AS first_on_time
FROM keyed k
JOIN submissions s ON s.unit_id = k.unit_id AND s.task_no = k.task_no AND s.period = k.period
     AND s.batch_id = k.latest.batch_id AND s.source_file = k.latest.source_file
     AND s.source_sheet = k.latest.source_sheet AND s.source_row = k.latest.source_row
JOIN periods pe ON pe.period = s.period
JOIN assignments a ON a.plan_year = pe.plan_year AND a.task_no = s.task_no AND a.unit_id = s.unit_id
JOIN tasks t ON t.plan_year = pe.plan_year AND t.task_no = s.task_no;

CREATE OR REPLACE VIEW reports_latest AS SELECT * FROM reports_latest_stored WHERE models_fresh();

-- An older database holds the ranked copy of every report the models stored before.
DROP TABLE IF EXISTS reports_stored;
