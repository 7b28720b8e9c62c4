-- models_built: the state of submissions and assignments the stored models were built
-- from (see 025_freshness.sql). Last, so it is written only once every model is.
INSERT INTO models_built SELECT * FROM models_state();
