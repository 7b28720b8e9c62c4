-- unassigned_reports: accepted reports on (task, unit) pairs the plan does not assign:
-- kept and listed, never counted.
CREATE OR REPLACE VIEW unassigned_reports AS
SELECT s.*
FROM submissions s
ANTI JOIN assignments a USING (task_no, unit_id)
ORDER BY s.unit_id, s.task_no, s.period;
