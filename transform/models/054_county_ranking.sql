-- county_ranking: counties and zones ranked at a period by completion_rate; ties broken by
-- average progress, then by on-time reporting rate; units still equal share a rank (and
-- are listed in registry order).
CREATE OR REPLACE MACRO county_ranking_at(p) AS TABLE
WITH u AS (
    SELECT c.*, coalesce(r.on_time_rate, 0) AS on_time_rate
    FROM completion_by_unit_at(p) c
    LEFT JOIN (SELECT unit_id, on_time_reports / expected_reports AS on_time_rate
               FROM reporting_rate_at(p) WHERE period = p::period) r USING (unit_id)
    WHERE list_contains(compared_kinds(), c.unit_kind)
)
SELECT rank() OVER (ORDER BY completion_rate DESC, avg_progress DESC, on_time_rate DESC) AS rank,
       unit_id, unit_name, unit_kind, assigned, completed, completion_rate, avg_progress, on_time_rate
FROM u
ORDER BY rank, sort_order;

CREATE OR REPLACE VIEW county_ranking AS SELECT * FROM county_ranking_at(latest_period());
