-- unassigned_reports: accepted reports on (task, unit) pairs the plan does not assign:
-- kept and listed, never counted.
CREATE OR REPLACE VIEW unassigned_reports AS
SELECT s.*
FROM submissions s
JOIN periods pe ON pe.period = s.period
ANTI JOIN assignments a ON a.plan_year = pe.plan_year AND a.task_no = s.task_no AND a.unit_id = s.unit_id
ORDER BY s.unit_id, s.task_no, s.period;
