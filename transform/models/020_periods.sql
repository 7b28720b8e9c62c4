-- periods: the four quarters of every plan year, each with its plan_year, with the day each ends, the day reports are due
-- (end + grace_days) and the share of the year elapsed at its end.
CREATE OR REPLACE VIEW periods AS
SELECT (p.year || 'Q' || q)::period                       AS period,
       p.year                                             AS plan_year,
       q                                                  AS quarter,
       last_day(make_date(p.year, q * 3, 1))              AS period_end,
       last_day(make_date(p.year, q * 3, 1)) + grace_days()::INTEGER AS due_on,
       q / 4.0                                            AS elapsed_share
FROM plans p, range(1, 5) t(q);

-- The period reports are read at by default: the latest any report names, else the
-- plan year's first quarter. The views at the latest period (chase_list, …) are written
-- here with it, and pinned to the period it gives when the build ends (transform.Apply).
CREATE OR REPLACE MACRO latest_period() AS (
    SELECT coalesce((SELECT max(period) FROM submissions), (SELECT min(period) FROM periods)));
