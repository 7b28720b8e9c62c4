// Package transform holds the SQL models (models/NNN_name.sql) that turn submissions and
// assignments into the metrics every report shows, each defined once.
package transform
