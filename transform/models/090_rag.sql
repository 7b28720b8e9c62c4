-- rag_by_section, rag_by_task and rag_by_unit: red/amber/green at a period by the rule in
-- rules (average progress as a share of 100, against the share of the year elapsed); tasks
-- also say whether they are overdue (completion behind the calendar, rule in rules).
CREATE OR REPLACE MACRO rag_by_section_at(p) AS TABLE
SELECT c.section_no, c.section_title, c.completion_rate, c.avg_progress, pe.elapsed_share,
       rag(c.avg_progress / 100, pe.elapsed_share) AS rag
FROM completion_by_section_at(p) c, periods pe
WHERE pe.period = p::period
ORDER BY c.section_no;

CREATE OR REPLACE MACRO rag_by_task_at(p) AS TABLE
SELECT c.task_no, c.section_no, c.completion_rate, c.avg_progress, pe.elapsed_share,
       rag(c.avg_progress / 100, pe.elapsed_share) AS rag,
       overdue(c.completion_rate, pe.elapsed_share) AS overdue
FROM completion_by_task_at(p) c, periods pe
WHERE pe.period = p::period
ORDER BY c.task_no;

CREATE OR REPLACE MACRO rag_by_unit_at(p) AS TABLE
SELECT c.unit_id, c.unit_name, c.unit_kind, c.completion_rate, c.avg_progress, pe.elapsed_share,
       rag(c.avg_progress / 100, pe.elapsed_share) AS rag
FROM completion_by_unit_at(p) c, periods pe
WHERE pe.period = p::period
ORDER BY c.sort_order;

CREATE OR REPLACE VIEW rag_by_section AS SELECT * FROM rag_by_section_at(latest_period());
CREATE OR REPLACE VIEW rag_by_task AS SELECT * FROM rag_by_task_at(latest_period());
CREATE OR REPLACE VIEW rag_by_unit AS SELECT * FROM rag_by_unit_at(latest_period());
