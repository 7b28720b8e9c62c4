-- review_latest: the decision that stands on each report the office reviewed (审核): the
-- latest review (latest import, then the later workbook and row) of the report with that
-- key (unit, task, period) and lineage (report_batch, report_file, report_sheet,
-- report_row). A review judges that very report: a newer report on the same assignment is
-- unreviewed until it is reviewed itself, and the old decision no longer counts.
-- assignment_history joins it to each assignment's standing report.
CREATE OR REPLACE VIEW review_latest AS
SELECT DISTINCT ON (unit_id, task_no, period, report_batch, report_file, report_sheet, report_row)
       unit_id, task_no, period, report_batch, report_file, report_sheet, report_row,
       decision, comment, reviewed_on, batch_id, source_file, source_row
FROM reviews
ORDER BY unit_id, task_no, period, report_batch, report_file, report_sheet, report_row,
         batch_id DESC, source_file DESC, source_row DESC;

-- standing_reports_at(P): the report that stands at P for each assignment of P's plan year
-- with a report up to P (its latest period, then latest 填报日期, batch, file and row: the
-- report assignment_status_at(P) shows), with its claim (claims_completion) and its latest
-- review. Read from submissions, not the stored models, so that receipts written after
-- ingest --no-build can say which reports were returned.
CREATE OR REPLACE MACRO standing_reports_at(p) AS TABLE
WITH standing AS (
    SELECT s.*, pe.plan_year,
           claims_completion(s.status, s.achieved, t.target_min) AS claimed
    FROM submissions s
    JOIN periods pe ON pe.period = s.period
    JOIN assignments a ON a.plan_year = pe.plan_year AND a.task_no = s.task_no AND a.unit_id = s.unit_id
    JOIN tasks t ON t.plan_year = pe.plan_year AND t.task_no = s.task_no
    WHERE s.period <= p::period AND pe.plan_year = (SELECT plan_year FROM periods WHERE period = p::period)
    QUALIFY row_number() OVER (PARTITION BY s.unit_id, s.task_no
                               ORDER BY s.period DESC, s.submitted_on DESC NULLS LAST, s.batch_id DESC,
                                        s.source_file DESC, s.source_row DESC) = 1
)
SELECT st.*, rv.decision AS review, rv.comment AS review_comment, rv.reviewed_on
FROM standing st
LEFT JOIN review_latest rv ON rv.unit_id = st.unit_id AND rv.task_no = st.task_no AND rv.period = st.period
     AND rv.report_batch = st.batch_id AND rv.report_file = st.source_file
     AND rv.report_sheet = st.source_sheet AND rv.report_row = st.source_row;
