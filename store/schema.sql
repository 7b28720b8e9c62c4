-- The database contract (DESIGN.md "Database contract"). Tables only: the metrics views are
-- the SQL models of package transform. Statements are idempotent: they run on every open.

-- The plan catalog: every year's plan (one a year), rewritten by an ingest when a plan is
-- added or replaced. sections, tasks and assignments are the plan of their plan_year; a
-- report is counted against the plan of its period's year.
CREATE TABLE IF NOT EXISTS plans (
    plan_id     VARCHAR NOT NULL,  -- SHA-256 of the plan text: names the plan in templates
    year        INTEGER NOT NULL,  -- one plan a year
    title       VARCHAR NOT NULL,
    source_file VARCHAR NOT NULL
);
-- The files each year's plan was resolved from (plan text, units, groups, related), so
-- that reports of any year are checked against their year's plan.
CREATE TABLE IF NOT EXISTS plan_sources (
    plan_year INTEGER NOT NULL,
    role      VARCHAR NOT NULL,    -- plan | units | groups | related
    name      VARCHAR NOT NULL,
    data      BLOB                 -- NULL: no such file (a plan without a related mapping)
);
CREATE TABLE IF NOT EXISTS sections (
    plan_year     INTEGER NOT NULL,
    section_no    INTEGER NOT NULL,
    section_title VARCHAR NOT NULL,
    PRIMARY KEY (plan_year, section_no)
);
CREATE TABLE IF NOT EXISTS tasks (
    plan_year    INTEGER NOT NULL,
    task_no      INTEGER NOT NULL,
    section_no   INTEGER NOT NULL,
    label        VARCHAR NOT NULL,
    task_text    VARCHAR NOT NULL,
    lead_units   VARCHAR[] NOT NULL,
    responsible  VARCHAR[] NOT NULL,  -- the plan's phrases
    target_what  VARCHAR,             -- the first numeric target, if any:
    target_min   DOUBLE,              -- achieved >= target_min counts as completed
    target_unit  VARCHAR,
    PRIMARY KEY (plan_year, task_no)
);
-- The tasks of a year's plan carried over from the plan of the year before (matched by
-- their text, plan.Compare): year-over-year figures compare a section through them.
CREATE TABLE IF NOT EXISTS carried_tasks (
    plan_year    INTEGER NOT NULL,  -- the task's plan
    task_no      INTEGER NOT NULL,
    prev_task_no INTEGER NOT NULL,  -- the task of the plan of plan_year - 1 it continues
    similarity   DOUBLE NOT NULL    -- of the two texts, 0–1
);
-- No keys on units and assignments: a province has hundreds of thousands of assignments,
-- and an index on them made each batch's catalog check slow. The plan package guarantees
-- one row per unit (of every plan year's registry) and per (plan year, task, unit).
CREATE TABLE IF NOT EXISTS units (
    unit_id    VARCHAR NOT NULL,
    unit_name  VARCHAR NOT NULL,
    unit_kind  VARCHAR NOT NULL,
    aliases    VARCHAR[] NOT NULL,
    sort_order INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS assignments (
    plan_year INTEGER NOT NULL,
    task_no INTEGER NOT NULL,
    unit_id VARCHAR NOT NULL,
    role    VARCHAR NOT NULL,   -- lead | responsible
    via     VARCHAR NOT NULL    -- the plan's phrase it came from
);
-- A fingerprint of the catalog tables' content: ingest rewrites them only when it changes.
CREATE TABLE IF NOT EXISTS catalog_state (
    fingerprint VARCHAR NOT NULL
);

-- One row per `plantrack ingest` that added something.
CREATE TABLE IF NOT EXISTS ingest_batches (
    batch_id     INTEGER PRIMARY KEY,
    started_at   TIMESTAMP NOT NULL,
    finished_at  TIMESTAMP NOT NULL,
    files        INTEGER NOT NULL,  -- files read in this batch (not counting duplicates)
    rows_read    BIGINT NOT NULL,
    accepted     BIGINT NOT NULL,
    rejected     BIGINT NOT NULL,
    superseded   BIGINT NOT NULL,   -- earlier reports this batch superseded
    duplicates   INTEGER NOT NULL,  -- files skipped: their content was already ingested
    skipped_rows BIGINT NOT NULL    -- blank, note and totals rows: not submissions
);
-- One row per file content ingested; file_sha256 makes ingest idempotent.
CREATE TABLE IF NOT EXISTS ingest_files (
    batch_id     INTEGER NOT NULL,
    source_file  VARCHAR NOT NULL,
    file_sha256  VARCHAR NOT NULL,
    format       VARCHAR NOT NULL,  -- csv | xlsx | json
    encoding     VARCHAR NOT NULL,  -- utf-8 | utf-8-bom | gb18030 | ''
    status       VARCHAR NOT NULL,  -- ingested | rejected (the whole file)
    rows_read    BIGINT NOT NULL,
    accepted     BIGINT NOT NULL,
    rejected     BIGINT NOT NULL,
    skipped_rows BIGINT NOT NULL
);
-- Statuses and periods are enums: cheap to store by the million, compared as text
-- (status = 'completed', period <= '2021Q2'), and periods sort in time order.
CREATE TYPE IF NOT EXISTS status AS ENUM ('not_started', 'in_progress', 'completed');
-- An assignment's role (assignments.role), as the models store it beside every report.
CREATE TYPE IF NOT EXISTS assignment_role AS ENUM ('lead', 'responsible');
CREATE TYPE IF NOT EXISTS period AS ENUM (
    SELECT y || 'Q' || q FROM range(2000, 2100) t(y), range(1, 5) s(q) ORDER BY y, q);

-- Accepted rows, normalized, with lineage. Later reports supersede earlier ones for the
-- same (unit, task, period) in the metrics; all stay here.
CREATE TABLE IF NOT EXISTS submissions (
    unit_id      VARCHAR NOT NULL,
    unit_name    VARCHAR NOT NULL,   -- canonical
    task_no      INTEGER NOT NULL,
    period       period NOT NULL,    -- 2021Q2
    status       status NOT NULL,    -- not_started | in_progress | completed
    progress_pct DOUBLE,             -- 0-100; NULL when not given
    achieved     DOUBLE,             -- count towards the task's numeric target
    notes        VARCHAR,
    evidence     VARCHAR,
    submitted_on DATE,
    flags        VARCHAR[] NOT NULL, -- accepted but worth a look: see plan.Flag
    batch_id     INTEGER NOT NULL,
    source_file  VARCHAR NOT NULL,
    source_sheet VARCHAR NOT NULL,   -- '' for CSV and JSON
    source_row   INTEGER NOT NULL,   -- 1-based line, sheet row or JSON array index
    file_sha256  VARCHAR NOT NULL
);
-- Rows that could not be accepted, with the whole original row. Nothing is dropped.
CREATE TABLE IF NOT EXISTS rejected_rows (
    batch_id     INTEGER NOT NULL,
    source_file  VARCHAR NOT NULL,
    source_sheet VARCHAR NOT NULL,
    source_row   INTEGER NOT NULL,   -- 0: the whole file
    "column"     VARCHAR NOT NULL,   -- the file's header for the bad value ('' for the whole file)
    value        VARCHAR NOT NULL,
    reason       VARCHAR NOT NULL,
    reason_code  VARCHAR NOT NULL,   -- stable key for grouping: see plan.Reason
    raw          VARCHAR NOT NULL,   -- JSON object: header -> original text
    file_sha256  VARCHAR NOT NULL,
    reason_zh    VARCHAR NOT NULL DEFAULT ''  -- the reason in Chinese, as the unit's receipt says it
);
-- Databases made before reason_zh: their rejections keep an empty one (receipts fall back
-- to the reason code's label).
ALTER TABLE rejected_rows ADD COLUMN IF NOT EXISTS reason_zh VARCHAR DEFAULT '';

-- Review (审核/销号): one row per decision imported from a review workbook, tied to the
-- exact report it judged (its batch, file and row): a newer report on the same
-- assignment needs a review of its own.
CREATE TABLE IF NOT EXISTS reviews (
    unit_id       VARCHAR NOT NULL,
    task_no       INTEGER NOT NULL,
    period        period NOT NULL,
    decision      VARCHAR NOT NULL,   -- approved | returned
    comment       VARCHAR NOT NULL,   -- 审核意见 ('' when none)
    reviewed_on   DATE,               -- the workbook's 审核日期
    batch_id      INTEGER NOT NULL,   -- the review import that stored it
    source_file   VARCHAR NOT NULL,   -- the review workbook and its row
    source_row    INTEGER NOT NULL,
    report_batch  INTEGER NOT NULL,   -- the report judged: submissions' lineage
    report_file   VARCHAR NOT NULL,
    report_sheet  VARCHAR NOT NULL,
    report_row    INTEGER NOT NULL
);
-- One row per review import (its number is a batch_id of its own series).
CREATE TABLE IF NOT EXISTS review_batches (
    batch_id    INTEGER NOT NULL,
    imported_at TIMESTAMP NOT NULL,
    files       INTEGER NOT NULL,
    decisions   BIGINT NOT NULL,
    rejected    BIGINT NOT NULL
);

-- Editions: the figures the pages of a period showed when they were published, frozen.
CREATE TABLE IF NOT EXISTS editions (
    name         VARCHAR NOT NULL,    -- unique
    period       period NOT NULL,
    published_on DATE NOT NULL,
    fingerprint  VARCHAR NOT NULL,    -- of the database's rows when published
    batches      INTEGER[] NOT NULL,  -- the ingest batches its figures rest on
    reviews      INTEGER[] NOT NULL,  -- the review imports they rest on
    pages        BLOB NOT NULL        -- everything the pages showed, as the renderer read it
);
CREATE TABLE IF NOT EXISTS edition_figures (
    edition VARCHAR NOT NULL,
    view    VARCHAR NOT NULL,
    key     VARCHAR NOT NULL,
    metric  VARCHAR NOT NULL,
    value   DOUBLE
);
