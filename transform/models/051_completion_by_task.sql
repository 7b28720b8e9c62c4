-- completion_by_task: per task at a period, as completion_by_section, with the task's lead
-- units, its numeric target, and the units not yet completed (lagging_units, in registry
-- order). Against the numeric target (its what, floor and measure word: target_what,
-- target_min, target_unit; NULL when the task has none): target_reached counts the
-- assignments whose 完成数量 reaches the floor, achieved_total adds up what was reported.
CREATE OR REPLACE MACRO completion_by_task_at(p) AS TABLE
SELECT t.task_no, t.section_no, t.task_text, t.lead_units, t.target_what, t.target_min,
       count(*)                                         AS assigned,
       count(*) FILTER (WHERE st.completed)             AS completed,
       count(*) FILTER (WHERE st.completed) / count(*)  AS completion_rate,
       avg(st.progress_pct)                             AS avg_progress,
       count(*) FILTER (WHERE st.reported_in_period) / count(*) AS coverage,
       coalesce(list(st.unit_name ORDER BY st.sort_order) FILTER (WHERE NOT st.completed), []) AS lagging_units,
       count(*) FILTER (WHERE st.claimed)               AS claimed,
       count(*) FILTER (WHERE st.claimed AND st.review = 'approved') AS approved,
       count(*) FILTER (WHERE st.claimed AND st.review = 'returned') AS returned,
       t.target_unit,
       count(*) FILTER (WHERE st.achieved >= t.target_min) AS target_reached,
       coalesce(sum(st.achieved), 0)                    AS achieved_total
FROM assignment_status_at(p) st
JOIN tasks t ON t.plan_year = st.plan_year AND t.task_no = st.task_no
GROUP BY ALL
ORDER BY t.task_no;

CREATE OR REPLACE VIEW completion_by_task AS SELECT * FROM completion_by_task_at(latest_period());
