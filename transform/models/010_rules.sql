-- rules: every judgement the reports make, in one place to read and change.
--   grace_days         a report is on time when filed by the period's end plus this many days
--   rag_green/rag_amber  RAG status: average progress against the share of the year elapsed
--                      at the period (Q1 25%, Q2 50%, Q3 75%, Q4 100%): green at or above
--                      rag_green of it, amber at or above rag_amber, red below.
--   overdue            a task is overdue (the briefing lists it under its lead units) when
--                      its completion rate is below rag_amber of the share of the year elapsed.
--   chase_group        the chase list's group of a unit at a period, the units behind first
--                      (chase_groups() in that order): not_reported when nothing was received,
--                      incomplete when some reports are missing, late when everything was
--                      received but some of it late, complete when everything came on time.
--   compared_kinds     the kinds of unit the county comparison ranks side by side: the
--                      governments below the plan's own (counties and zones of a city's
--                      plan; towns and streets of a county's).
--   claims_completion  a report claims completion (自报完成) when its status is completed, or
--                      its 完成数量 reaches the task's numeric target.
--   require_review     whether a claim counts as completed only once the office approved it
--                      (审核确认). false: an unreviewed claim counts, as before any review;
--                      true: only approved claims count.
--   review_completed   an assignment is completed when its standing report claims completion,
--                      the latest review of that very report did not return it (退回), and it
--                      was approved or require_review() is false. decision is the latest
--                      review's (approved, returned, or NULL: not reviewed).
CREATE OR REPLACE MACRO grace_days() AS 10;
CREATE OR REPLACE MACRO compared_kinds() AS ['county', 'zone', 'town'];
CREATE OR REPLACE MACRO rag_green() AS 0.9;
CREATE OR REPLACE MACRO rag_amber() AS 0.6;
CREATE OR REPLACE MACRO rag(progress_share, elapsed_share) AS
    CASE WHEN progress_share >= rag_green() * elapsed_share THEN 'green'
         WHEN progress_share >= rag_amber() * elapsed_share THEN 'amber'
         ELSE 'red' END;
CREATE OR REPLACE MACRO overdue(completion_rate, elapsed_share) AS
    completion_rate < rag_amber() * elapsed_share;
CREATE OR REPLACE MACRO claims_completion(status, achieved, target_min) AS
    status = 'completed' OR (target_min IS NOT NULL AND achieved >= target_min);
CREATE OR REPLACE MACRO require_review() AS false;
CREATE OR REPLACE MACRO review_completed(claimed, decision) AS
    claimed AND coalesce(decision <> 'returned', true)
            AND (coalesce(decision = 'approved', false) OR NOT require_review());
CREATE OR REPLACE MACRO chase_groups() AS ['not_reported', 'incomplete', 'late', 'complete'];
CREATE OR REPLACE MACRO chase_group(expected, received, late) AS
    CASE WHEN received = 0 THEN 'not_reported'
         WHEN received < expected THEN 'incomplete'
         WHEN late > 0 THEN 'late'
         ELSE 'complete' END;
