// Package reports renders the metrics as offline HTML pages with ECharts, XLSX tables and
// PDFs. The ECharts and map scripts come from the npm registry, pinned in assets/.
package reports
