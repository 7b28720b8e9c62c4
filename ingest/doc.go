// Package ingest reads progress submissions (CSV, XLSX, JSON, as offices send them),
// normalizes and validates every row, and loads accepted rows and rejected ones, with their
// lineage, into DuckDB in one all-or-nothing batch.
package ingest
