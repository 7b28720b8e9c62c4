-- assignment_status: every assignment's state at a period P: the standing report of the
-- latest period up to P (DESIGN.md "Metrics"). An assignment with no report up to P has
-- status no_report, is not completed, and counts as progress 0.
-- assignment_history holds it for every quarter of the plan year; assignment_status_at(P)
-- asks for one; the view assignment_status is at latest_period().
CREATE OR REPLACE VIEW assignment_history AS
WITH standing AS (
    SELECT pe.period AS at_period, r.*
    FROM periods pe
    JOIN reports r ON r.version = 1 AND r.period <= pe.period
    QUALIFY row_number() OVER (PARTITION BY pe.period, r.unit_id, r.task_no ORDER BY r.period DESC) = 1
)
SELECT pe.period                           AS at_period,
       a.task_no, t.section_no, a.unit_id, u.unit_name, u.unit_kind, u.sort_order, a.role,
       r.period                            AS report_period,
       r.period IS NOT NULL                AS has_report,
       coalesce(r.period = pe.period, false) AS reported_in_period,
       coalesce(r.status::VARCHAR, 'no_report') AS status,
       coalesce(r.progress_pct, 0)         AS progress_pct,
       r.achieved,
       coalesce(r.completed, false)        AS completed,
       r.on_time,
       r.notes,
       r.submitted_on, r.batch_id, r.source_file, r.source_sheet, r.source_row
FROM periods pe
CROSS JOIN assignments a
JOIN tasks t USING (task_no)
JOIN units u USING (unit_id)
LEFT JOIN standing r ON r.at_period = pe.period AND r.unit_id = a.unit_id AND r.task_no = a.task_no;

CREATE OR REPLACE MACRO assignment_status_at(p) AS TABLE
SELECT * FROM assignment_history WHERE at_period = p::period;

CREATE OR REPLACE VIEW assignment_status AS SELECT * FROM assignment_status_at(latest_period());
