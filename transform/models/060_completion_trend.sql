-- completion_trend: the whole plan quarter by quarter, each quarter read as its
-- assignment_status: assigned, completed, completion_rate, average progress, coverage.
CREATE OR REPLACE VIEW completion_trend AS
SELECT h.at_period AS period, pe.plan_year, pe.quarter,
       count(*)                                             AS assigned,
       count(*) FILTER (WHERE h.completed)                  AS completed,
       count(*) FILTER (WHERE h.completed) / count(*)       AS completion_rate,
       avg(h.progress_pct)                                  AS avg_progress,
       count(*) FILTER (WHERE h.reported_in_period) / count(*) AS coverage
FROM assignment_history h
JOIN periods pe ON pe.period = h.at_period
GROUP BY h.at_period, pe.plan_year, pe.quarter
ORDER BY h.at_period;
