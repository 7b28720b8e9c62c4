package store

import (
	"strings"

	"plantrack/plan"
)

// FlagRepeats flags the rows of this batch that repeat a report of the same file: the same
// unit, task and period with the same 填报日期 (a task row duplicated in a template, a
// line pasted twice). The rules that pick the standing report cannot tell such rows apart
// (the later row of the file stands), so each of them says so: flag repeated_in_file
// (plan.FlagRepeated). Reports of the same file with different dates (a year of monthly
// reports compiled in one file) are not repeats: the later date stands. The files of
// clean are known to hold no repeat (the reader checked them as it read): their rows are
// not grouped again (a caller whose files are all clean need not call).
func (b *Batch) FlagRepeats(clean []string) error {
	skip := ""
	if len(clean) > 0 {
		// A subquery, so that DuckDB hashes the names: a literal list of a thousand names
		// was compared one by one with every row (26 s of a 1000× batch, 2.7M rows).
		quoted := make([]string, len(clean))
		for i, f := range clean {
			quoted[i] = "(" + quoteString(f) + ")"
		}
		skip = " AND source_file NOT IN (SELECT f FROM (VALUES " + strings.Join(quoted, ", ") + ") clean(f))"
	}
	return b.conn.exec(`UPDATE submissions s SET flags = list_append(s.flags, $1::VARCHAR)
		FROM (SELECT source_file, unit_id, task_no, period, submitted_on
		      FROM submissions WHERE batch_id = $2`+skip+`
		      GROUP BY ALL HAVING count(*) > 1) r
		WHERE s.batch_id = $2 AND s.source_file = r.source_file AND s.unit_id = r.unit_id AND s.task_no = r.task_no
		  AND s.period = r.period AND s.submitted_on IS NOT DISTINCT FROM r.submitted_on`, string(plan.FlagRepeated), b.ID)
}
