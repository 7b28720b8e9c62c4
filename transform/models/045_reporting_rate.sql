-- reporting_rate: the DHIS2-style reporting rate per unit and period up to P: expected
-- reports (one per assignment), actual reports (assignments reported for that period),
-- on-time reports (assignments whose first report for the period was filed by its due day:
-- a later correction does not make a report late), late reports (the actual reports not on
-- time: filed after the due day, or with no 填报日期), and their rates.
CREATE OR REPLACE MACRO reporting_rate_at(p) AS TABLE
WITH firsts AS (
    -- whether the first report for each (unit, task, period) was on time
    SELECT unit_id, task_no, period, first_on_time AS on_time
    FROM reports_latest
)
SELECT u.unit_id, u.unit_name, u.unit_kind, pe.period,
       count(*)                                    AS expected_reports,
       count(f.task_no)                            AS actual_reports,
       count(*) FILTER (WHERE f.on_time)           AS on_time_reports,
       count(f.task_no) FILTER (WHERE NOT coalesce(f.on_time, false)) AS late_reports,
       count(f.task_no) / count(*)                 AS reporting_rate,
       count(*) FILTER (WHERE f.on_time) / count(*) AS on_time_rate,
       min(u.sort_order)                           AS sort_order
FROM assignments a
JOIN units u USING (unit_id)
JOIN periods pe ON pe.plan_year = a.plan_year
LEFT JOIN firsts f ON f.unit_id = a.unit_id AND f.task_no = a.task_no AND f.period = pe.period
WHERE pe.period <= p::period
GROUP BY u.unit_id, u.unit_name, u.unit_kind, pe.period
ORDER BY sort_order, period;

CREATE OR REPLACE VIEW reporting_rate AS SELECT * FROM reporting_rate_at(latest_period());
