-- missing_tasks: per unit with assignments and period up to P, the unit's assigned tasks
-- with no accepted report for that very period (missing_tasks, task numbers in order; []
-- when none is missing), out of how many it is assigned. A report on the pair counts
-- whatever came of it (superseded or not). The chase list and the receipts read it. It
-- reads submissions itself, not the stored models, so receipts written after
-- ingest --no-build can say what is missing.
CREATE OR REPLACE MACRO missing_tasks_at(p) AS TABLE
WITH reported AS (
    SELECT DISTINCT unit_id, task_no, period
    FROM submissions
    WHERE period <= p::period
)
SELECT u.unit_id, u.unit_name, u.unit_kind, pe.period,
       count(*)                                                      AS assigned,
       coalesce(list(a.task_no ORDER BY a.task_no) FILTER (WHERE r.task_no IS NULL), []) AS missing_tasks,
       min(u.sort_order)                                             AS sort_order
FROM assignments a
JOIN units u USING (unit_id)
JOIN periods pe ON pe.plan_year = a.plan_year
LEFT JOIN reported r ON r.unit_id = a.unit_id AND r.task_no = a.task_no AND r.period = pe.period
WHERE pe.period <= p::period
GROUP BY u.unit_id, u.unit_name, u.unit_kind, pe.period
ORDER BY sort_order, u.unit_id, period;

CREATE OR REPLACE VIEW missing_tasks AS SELECT * FROM missing_tasks_at(latest_period());
