-- county_comparison: counties and zones × plan sections at a period: the grid of the
-- county comparison (a section a unit has no assignment in is absent, not zero).
CREATE OR REPLACE MACRO county_comparison_at(p) AS TABLE
SELECT st.unit_id, st.unit_name, st.unit_kind, s.section_no, s.section_title,
       count(*)                                         AS assigned,
       count(*) FILTER (WHERE st.completed)             AS completed,
       count(*) FILTER (WHERE st.completed) / count(*)  AS completion_rate,
       avg(st.progress_pct)                             AS avg_progress,
       min(st.sort_order)                               AS sort_order
FROM assignment_status_at(p) st
JOIN sections s ON s.plan_year = st.plan_year AND s.section_no = st.section_no
WHERE list_contains(compared_kinds(), st.unit_kind)
GROUP BY st.unit_id, st.unit_name, st.unit_kind, s.section_no, s.section_title
ORDER BY sort_order, section_no;

CREATE OR REPLACE VIEW county_comparison AS SELECT * FROM county_comparison_at(latest_period());
