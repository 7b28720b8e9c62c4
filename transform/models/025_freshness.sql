-- models_fresh(): true when the stored models (reports_stored, assignment_history_stored)
-- were built from the rows submissions and assignments hold now; otherwise an error that
-- says to rebuild them. Ingest rebuilds them in each batch's transaction, so only a
-- change made by hand (plantrack sql, another tool) can leave them behind.
CREATE OR REPLACE MACRO models_state() AS TABLE
SELECT (SELECT count(*) FROM submissions)                  AS submissions,
       (SELECT coalesce(max(batch_id), 0) FROM submissions) AS last_batch,
       (SELECT count(*) FROM assignments)                  AS assignments;

CREATE OR REPLACE TABLE models_built AS SELECT * FROM models_state();

CREATE OR REPLACE MACRO models_fresh() AS (
    SELECT CASE WHEN (SELECT count(*) FROM (SELECT * FROM models_state() EXCEPT SELECT * FROM models_built)) = 0
                THEN true
                ELSE error('the stored metric tables are older than submissions or assignments: run plantrack build')
           END);
