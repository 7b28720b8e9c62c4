-- chase_list: the chase list (催报清单) of period P, one row per unit with assignments: the
-- reports it owes (expected, one per assigned task), received, on time and late (as
-- reporting_rate counts them), the tasks still missing (missing_tasks), the latest 填报日期
-- of its reports for P, and its chase_group by the rule in rules, with group_order (its
-- place in chase_groups()): ORDER BY group_order, sort_order, unit_id lists the units
-- behind first. The period's totals come with every row (total_expected, total_received,
-- total_on_time). The reports the office returned on review (退回) are chased too: returned
-- counts the unit's assignments whose standing report at P claims completion and was
-- returned, returned_tasks their task numbers and returned_comments the 审核意见 of each
-- (in task order; [] when none), total_returned the period's.
CREATE OR REPLACE MACRO chase_list_at(p) AS TABLE
WITH last_report AS (
    -- the report that stands for a (unit, task, period) has its latest submitted_on
    SELECT unit_id, max(submitted_on) AS last_submitted_on
    FROM reports_latest
    WHERE period = p::period
    GROUP BY unit_id
), returned AS (
    SELECT unit_id, count(*) AS returned,
           list(task_no ORDER BY task_no) AS returned_tasks,
           list(coalesce(review_comment, '') ORDER BY task_no) AS returned_comments
    FROM assignment_status_at(p)
    WHERE claimed AND review = 'returned'
    GROUP BY unit_id
), chase AS (
    SELECT r.unit_id, r.unit_name, r.unit_kind, r.sort_order,
           r.expected_reports AS expected, r.actual_reports AS received,
           r.on_time_reports AS on_time, r.late_reports AS late,
           m.missing_tasks, l.last_submitted_on,
           chase_group(r.expected_reports, r.actual_reports, r.late_reports) AS chase_group,
           coalesce(rt.returned, 0) AS returned, coalesce(rt.returned_tasks, []) AS returned_tasks,
           coalesce(rt.returned_comments, []) AS returned_comments
    FROM reporting_rate_at(p) r
    JOIN missing_tasks_at(p) m ON m.unit_id = r.unit_id AND m.period = r.period
    LEFT JOIN last_report l ON l.unit_id = r.unit_id
    LEFT JOIN returned rt ON rt.unit_id = r.unit_id
    WHERE r.period = p::period
)
SELECT chase_group, list_position(chase_groups(), chase_group) AS group_order,
       unit_id, unit_name, unit_kind, sort_order, expected, received, on_time, late,
       missing_tasks, last_submitted_on,
       (sum(expected) OVER ())::BIGINT AS total_expected,
       (sum(received) OVER ())::BIGINT AS total_received,
       (sum(on_time) OVER ())::BIGINT  AS total_on_time,
       returned, returned_tasks, returned_comments,
       (sum(returned) OVER ())::BIGINT AS total_returned
FROM chase
ORDER BY group_order, sort_order, unit_id;

CREATE OR REPLACE VIEW chase_list AS SELECT * FROM chase_list_at(latest_period());
