-- completion_by_unit: per unit at a period, as completion_by_section, with the unit's kind
-- (department, county, zone, other); units in registry order.
CREATE OR REPLACE MACRO completion_by_unit_at(p) AS TABLE
SELECT st.unit_id, st.unit_name, st.unit_kind,
       count(*)                                         AS assigned,
       count(*) FILTER (WHERE st.completed)             AS completed,
       count(*) FILTER (WHERE st.completed) / count(*)  AS completion_rate,
       avg(st.progress_pct)                             AS avg_progress,
       count(*) FILTER (WHERE st.reported_in_period) / count(*) AS coverage,
       min(st.sort_order)                               AS sort_order,
       count(*) FILTER (WHERE st.claimed)               AS claimed,
       count(*) FILTER (WHERE st.claimed AND st.review = 'approved') AS approved,
       count(*) FILTER (WHERE st.claimed AND st.review = 'returned') AS returned
FROM assignment_status_at(p) st
GROUP BY st.unit_id, st.unit_name, st.unit_kind
ORDER BY sort_order;

CREATE OR REPLACE VIEW completion_by_unit AS SELECT * FROM completion_by_unit_at(latest_period());
