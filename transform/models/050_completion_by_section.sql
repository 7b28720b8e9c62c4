-- completion_by_section: per plan section at a period, assignments, how many are completed,
-- completion_rate (completed / assigned, 0-1), average progress (0-100, no report = 0) and
-- coverage (share of assignments reported for that very period); and the review of the
-- claims: claimed (standing reports that claim completion, 自报完成), approved (claims the
-- office approved, 审核确认) and returned (claims it sent back, 退回; not completed).
CREATE OR REPLACE MACRO completion_by_section_at(p) AS TABLE
SELECT s.section_no, s.section_title,
       count(*)                                         AS assigned,
       count(*) FILTER (WHERE st.completed)             AS completed,
       count(*) FILTER (WHERE st.completed) / count(*)  AS completion_rate,
       avg(st.progress_pct)                             AS avg_progress,
       count(*) FILTER (WHERE st.reported_in_period) / count(*) AS coverage,
       count(*) FILTER (WHERE st.claimed)               AS claimed,
       count(*) FILTER (WHERE st.claimed AND st.review = 'approved') AS approved,
       count(*) FILTER (WHERE st.claimed AND st.review = 'returned') AS returned
FROM assignment_status_at(p) st
JOIN sections s ON s.plan_year = st.plan_year AND s.section_no = st.section_no
GROUP BY ALL
ORDER BY s.section_no;

CREATE OR REPLACE VIEW completion_by_section AS SELECT * FROM completion_by_section_at(latest_period());
