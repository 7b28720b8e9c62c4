-- reports: accepted submissions on the (task, unit) pairs the plan of their period's year
-- (plan_year) assigns, the only ones
-- metrics count, each with its judgements: completed (the report's claim, rule
-- claims_completion: status completed, or achieved at or above the task's numeric target;
-- whether the claim counts is decided with its review, in assignment_history), on time
-- (filed by period end + grace_days), and its rank among the reports for the same (unit,
-- task, period): 1 is the one that stands (latest submitted_on, then latest batch, then the
-- later row of the file).
-- Stored (reports_stored) when the models are applied, since every metric reads it and
-- ranking millions of rows for each would be slow; the view reads the stored rows, and
-- refuses them if submissions changed since (see 025_freshness.sql).
CREATE OR REPLACE TABLE reports_stored AS
SELECT s.*,
       pe.plan_year,
       a.role,
       claims_completion(s.status, s.achieved, t.target_min)                             AS completed,
       s.submitted_on IS NOT NULL AND s.submitted_on <= pe.due_on                       AS on_time,
       row_number() OVER (PARTITION BY s.unit_id, s.task_no, s.period
                          ORDER BY s.submitted_on DESC NULLS LAST, s.batch_id DESC, s.source_file DESC, s.source_row DESC) AS version
FROM submissions s
JOIN periods pe ON pe.period = s.period
JOIN assignments a ON a.plan_year = pe.plan_year AND a.task_no = s.task_no AND a.unit_id = s.unit_id
JOIN tasks t ON t.plan_year = pe.plan_year AND t.task_no = s.task_no;

CREATE OR REPLACE VIEW reports AS SELECT * FROM reports_stored WHERE models_fresh();
