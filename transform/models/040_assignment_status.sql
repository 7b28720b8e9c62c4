-- assignment_status: every assignment's state at a period P: the standing report of the
-- latest period up to P (DESIGN.md "Metrics"). An assignment with no report up to P has
-- status no_report, is not completed, and counts as progress 0. completed is the claim
-- of the standing report as its review leaves it (see the view below).
-- assignment_history holds it for every quarter of every plan year (the assignments of that
-- year's plan, plan_year); assignment_status_at(P)
-- asks for one; the view assignment_status is at latest_period().
-- Stored (assignment_history_stored), sorted by quarter so asking for one reads only its
-- rows; the view refuses the stored rows if submissions changed since.
CREATE OR REPLACE TABLE assignment_history_stored AS
WITH standing AS (
    -- the report that stands for each (unit, task, period)
    SELECT * FROM reports_latest_stored
), grid AS (
    SELECT pe.period AS at_period, a.plan_year, a.task_no, a.unit_id, a.role
    FROM periods pe JOIN assignments a ON a.plan_year = pe.plan_year
)
-- An ASOF join finds, for each quarter, the latest standing report up to it, by sorting
-- rather than by pairing every quarter with every earlier report.
SELECT g.at_period, g.plan_year,
       g.task_no, t.section_no, g.unit_id, u.unit_name, u.unit_kind, u.sort_order, g.role,
       r.period                            AS report_period,
       r.period IS NOT NULL                AS has_report,
       coalesce(r.period = g.at_period, false) AS reported_in_period,
       coalesce(r.status::VARCHAR, 'no_report') AS status,
       coalesce(r.progress_pct, 0)         AS progress_pct,
       r.achieved,
       coalesce(r.completed, false)        AS completed,
       r.on_time,
       r.notes,
       r.submitted_on, r.batch_id, r.source_file, r.source_sheet, r.source_row
FROM grid g
JOIN tasks t ON t.plan_year = g.plan_year AND t.task_no = g.task_no
JOIN units u USING (unit_id)
ASOF LEFT JOIN standing r ON r.plan_year = g.plan_year AND r.unit_id = g.unit_id AND r.task_no = g.task_no AND g.at_period >= r.period
ORDER BY g.at_period, u.sort_order, g.task_no;

-- The view adds each standing report's review (审核), read live from reviews, so that a
-- review import needs no rebuild: claimed is the report's claim (rule claims_completion),
-- review the latest decision on that very report (approved, returned, or NULL), with its
-- comment, day and import (review_batch); completed is the rule review_completed: a
-- returned claim never counts, an unreviewed one counts unless require_review().
CREATE OR REPLACE VIEW assignment_history AS
SELECT h.* REPLACE (review_completed(h.completed, rv.decision) AS completed),
       h.completed    AS claimed,
       rv.decision    AS review,
       rv.comment     AS review_comment,
       rv.reviewed_on AS reviewed_on,
       rv.batch_id    AS review_batch
FROM assignment_history_stored h
LEFT JOIN review_latest rv ON rv.unit_id = h.unit_id AND rv.task_no = h.task_no AND rv.period = h.report_period
     AND rv.report_batch = h.batch_id AND rv.report_file = h.source_file
     AND rv.report_sheet = h.source_sheet AND rv.report_row = h.source_row
WHERE models_fresh();

CREATE OR REPLACE MACRO assignment_status_at(p) AS TABLE
SELECT * FROM assignment_history WHERE at_period = p::period;

CREATE OR REPLACE VIEW assignment_status AS SELECT * FROM assignment_status_at(latest_period());
