-- year_over_year_at(P): the figures of quarter P beside those of the same quarter a year
-- before, when the database holds that year's plan: one row per figure, scope
--   city        completion_rate, on_time_rate (key '')
--   section     completion_rate of each section of P's plan (key its number); a year before,
--               the completion of the tasks its tasks were carried over from (carried_tasks),
--               so sections that were renumbered or regrouped compare like with like
--   county      completion_rate and rank of each county and zone (key its unit id; rank 1
--               is the best, so a change below 0 is a rise)
--   department  reporting_rate of each department (key its unit id)
-- previous is NULL where last year has no such figure (no plan that year, a unit or
-- section new this year); change = current - previous. Pages say it in words.
CREATE OR REPLACE MACRO prior_period(p) AS (
    SELECT b.period FROM periods a JOIN periods b ON b.plan_year = a.plan_year - 1 AND b.quarter = a.quarter
    WHERE a.period = p::period);

CREATE OR REPLACE MACRO year_over_year_at(p) AS TABLE
-- Each relation below is computed once (MATERIALIZED): a province's reporting rates take a
-- second, and every figure of both quarters reads them. reporting_rate_at(p) holds every
-- quarter up to P, the one a year before included.
WITH rates AS MATERIALIZED (
    SELECT * FROM reporting_rate_at(p) WHERE period = p::period OR period = prior_period(p)
), city AS (
    SELECT 'completion_rate' AS metric,
           (SELECT count(*) FILTER (WHERE completed) / count(*) FROM assignment_history WHERE at_period = p::period) AS current,
           (SELECT count(*) FILTER (WHERE completed) / nullif(count(*), 0) FROM assignment_history WHERE at_period = prior_period(p)) AS previous
    UNION ALL
    SELECT 'on_time_rate',
           (SELECT sum(on_time_reports) / sum(expected_reports) FROM rates WHERE period = p::period),
           (SELECT sum(on_time_reports) / nullif(sum(expected_reports), 0) FROM rates WHERE period = prior_period(p))
), sections_now AS (
    SELECT section_no, section_title, completion_rate FROM completion_by_section_at(p)
), sections_before AS (
    -- each section of P's plan, read through its tasks' predecessors a year before
    SELECT t.section_no, count(*) FILTER (WHERE h.completed) / count(*) AS completion_rate
    FROM tasks t
    JOIN carried_tasks c ON c.plan_year = t.plan_year AND c.task_no = t.task_no
    JOIN assignment_history h ON h.at_period = prior_period(p) AND h.plan_year = c.plan_year - 1 AND h.task_no = c.prev_task_no
    WHERE t.plan_year = (SELECT plan_year FROM periods WHERE period = p::period)
    GROUP BY t.section_no
), counties_now AS MATERIALIZED (
    SELECT unit_id, unit_name, rank, completion_rate FROM county_ranking_at(p)
), counties_before AS MATERIALIZED (
    SELECT unit_id, rank, completion_rate FROM county_ranking_at(prior_period(p))
), departments AS (
    SELECT n.unit_id, n.unit_name, n.sort_order, n.reporting_rate AS current, b.reporting_rate AS previous
    FROM (SELECT * FROM rates WHERE period = p::period AND unit_kind = 'department') n
    LEFT JOIN (SELECT * FROM rates WHERE period = prior_period(p)) b USING (unit_id)
), figures AS (
    SELECT 'city' AS scope, '' AS key, '全市' AS name, metric, current, previous, 0 AS sort_order FROM city
    UNION ALL
    SELECT 'section', n.section_no::VARCHAR, n.section_title, 'completion_rate', n.completion_rate, b.completion_rate, n.section_no
    FROM sections_now n LEFT JOIN sections_before b USING (section_no)
    UNION ALL
    SELECT 'county', n.unit_id, n.unit_name, 'completion_rate', n.completion_rate, b.completion_rate, n.rank
    FROM counties_now n LEFT JOIN counties_before b USING (unit_id)
    UNION ALL
    SELECT 'county', n.unit_id, n.unit_name, 'rank', n.rank, b.rank, n.rank
    FROM counties_now n LEFT JOIN counties_before b USING (unit_id)
    UNION ALL
    SELECT 'department', unit_id, unit_name, 'reporting_rate', current, previous, sort_order FROM departments
)
SELECT p::period AS period, prior_period(p) AS prior_period, scope, key, name, metric,
       current::DOUBLE AS current, previous::DOUBLE AS previous, (current - previous)::DOUBLE AS change
FROM figures
ORDER BY list_position(['city', 'section', 'county', 'department'], scope), sort_order, key, metric;

CREATE OR REPLACE VIEW year_over_year AS SELECT * FROM year_over_year_at(latest_period());
