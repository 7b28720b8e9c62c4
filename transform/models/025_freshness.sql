-- models_fresh(): true when the stored models (reports_latest_stored, assignment_history_stored)
-- were built from the rows submissions and assignments hold now; otherwise an error that
-- says to rebuild them. models_built is emptied here, before the stored models are
-- rebuilt, and filled by the last model (999_models_built.sql): a build cut short leaves
-- the views refusing. Ingest rebuilds after each batch, so otherwise only a change made
-- by hand (plantrack sql, another tool) leaves the stored models behind. The state seen
-- is the rows' count and last batch, the batches, the assignments' count and the plan
-- catalog's fingerprint: rows added, removed or ingested, and any change of plan, units
-- or assignments through ingest. An UPDATE by hand that keeps every count is not seen:
-- run plantrack build after one.
CREATE OR REPLACE MACRO models_state() AS TABLE
SELECT (SELECT count(*) FROM submissions)                      AS submissions,
       (SELECT coalesce(max(batch_id), 0) FROM submissions)     AS last_batch,
       (SELECT coalesce(max(batch_id), 0) FROM ingest_batches)  AS last_ingest,
       (SELECT count(*) FROM assignments)                      AS assignments,
       (SELECT coalesce(max(fingerprint), '') FROM catalog_state) AS catalog;

CREATE OR REPLACE TABLE models_built AS SELECT * FROM models_state() WHERE false;

CREATE OR REPLACE MACRO models_fresh() AS (
    SELECT CASE WHEN (SELECT count(*) FROM (SELECT * FROM models_state() EXCEPT SELECT * FROM models_built)) = 0
                THEN true
                ELSE error('the stored metric tables are older than submissions or assignments: run plantrack build')
           END);
