-- models_fresh(): true when the stored models (reports_stored, assignment_history_stored)
-- were built from the rows submissions and assignments hold now; otherwise an error that
-- says to rebuild them. models_built is emptied here, before the stored models are
-- rebuilt, and filled by the last model (999_models_built.sql): a build cut short leaves
-- the views refusing. Ingest rebuilds after each batch, so otherwise only a change made
-- by hand (plantrack sql, another tool) leaves the stored models behind.
CREATE OR REPLACE MACRO models_state() AS TABLE
SELECT (SELECT count(*) FROM submissions)                  AS submissions,
       (SELECT coalesce(max(batch_id), 0) FROM submissions) AS last_batch,
       (SELECT count(*) FROM assignments)                  AS assignments;

CREATE OR REPLACE TABLE models_built AS SELECT * FROM models_state() WHERE false;

CREATE OR REPLACE MACRO models_fresh() AS (
    SELECT CASE WHEN (SELECT count(*) FROM (SELECT * FROM models_state() EXCEPT SELECT * FROM models_built)) = 0
                THEN true
                ELSE error('the stored metric tables are older than submissions or assignments: run plantrack build')
           END);
