// Package transform holds the SQL models that turn submissions and assignments into the
// metrics every report shows, each defined once: models/NNN_name.sql, applied in name
// order. Each file starts with a comment saying what it computes; rules (grace days, RAG
// thresholds) are in models/010_rules.sql.
//
// Views read the latest period; the table macros NAME_at('2021Q2') read any quarter of the
// plan year.
package transform
