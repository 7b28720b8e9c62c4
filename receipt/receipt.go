// Package receipt writes the receipt (回执) of each submitted file: an XLSX for the unit
// saying which rows were accepted, which were rejected and why (in Chinese, next to what
// the unit wrote), which of its tasks are still missing for the period, and which of its
// claims of completion the office returned on review (退回), with the 审核意见.
//
// A receipt is made from what the database holds for the file's content (its sha256), so
// a file ingested before gets the same receipt again, and the same database and file give
// the same bytes. It reads and prints the same in Excel, WPS and LibreOffice (rows as tall
// as their wrapped text, A4 landscape one page wide), and its document property Category,
// "plantrack-receipt", marks it as plantrack's own.
package receipt

import (
	"cmp"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"iter"
	"maps"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"

	"golang.org/x/sync/errgroup"

	"plantrack/plan"
	"plantrack/sheet"
	"plantrack/template"
)

// Input is one file an ingest was given.
type Input struct {
	Path   string // as ingest read it
	SHA256 string // of the file's content; "" for a refused file: Write reads it from Path
	Out    string // the receipt to write

	// Refused says why ingest did not read the file at all (an .ods, an .xls, …), in
	// English (Refused) and in Chinese (RefusedZh, what the receipt says; when "", the
	// receipt names the file type). A refused file's receipt says it was not read and
	// what to do, and holds no rows: the database has none from it.
	Refused, RefusedZh string
}

// Options tune receipts.
type Options struct {
	// Period is the period being collected (ingest --period), "" when not given: the
	// missing tasks of a template refused whole are those of this period.
	Period plan.Period
}

// Write writes one receipt per input from what the database holds. The database is read
// in a few queries for all inputs together (a quarter brings hundreds of files, and a
// query each would be slow): first what each file gave (counts, units, periods, tasks
// still owed), then the rejected and accepted rows of every file in one ordered pass, each
// row going into its receipt as it is read. A receipt is written by excelize's
// StreamWriter, never whole in memory: a file of a million rows gets its receipt. A
// refused input (Input.Refused) gets a receipt saying the file was not read and what to
// do, from the file alone.
func Write(ctx context.Context, db *sql.DB, ins []Input, opt Options) error {
	var title string
	if err := db.QueryRowContext(ctx, "SELECT coalesce(arg_max(title, year), '') FROM plans").Scan(&title); err != nil {
		return fmt.Errorf("receipts: %w", err)
	}
	rs := make([]*receipt, len(ins))
	for i, in := range ins {
		rs[i] = &receipt{in: in, planTitle: title}
	}
	// A template is known by its hidden sheet; a file that is not one just gets no meta.
	// A refused file is only named, with its checksum.
	if err := each(ctx, len(rs), func(i int) error {
		r := rs[i]
		switch {
		case r.refused():
			if r.in.SHA256 == "" {
				r.in.SHA256 = fileSHA256(r.in.Path)
			}
			r.nRejected = 1
		case strings.EqualFold(filepath.Ext(r.in.Path), ".xlsx"):
			if m, err := template.ReadFile(r.in.Path); err == nil {
				r.tmpl = m
			}
		}
		return nil
	}); err != nil {
		return err
	}
	read := slices.DeleteFunc(slices.Clone(rs), (*receipt).refused)
	if len(read) > 0 {
		if err := loadAll(ctx, db, read, opt); err != nil {
			return fmt.Errorf("receipts: %w", err)
		}
	}
	return writeAll(ctx, db, rs)
}

// smallReceipt is how many rows a receipt may have for its rows to be read into memory
// and the receipt written on another core while the next ones are read; a bigger one is
// written as its rows are read, alone.
const smallReceipt = 20_000

// writeAll writes the receipts: the rows of the read files from two queries ordered by
// file, rejections and accepted rows, read side by side, file after file.
func writeAll(ctx context.Context, db *sql.DB, rs []*receipt) error {
	g, ctx := errgroup.WithContext(ctx)
	jobs := make(chan func() error)
	for range runtime.GOMAXPROCS(0) {
		g.Go(func() error {
			for job := range jobs {
				if err := job(); err != nil {
					return err
				}
			}
			return nil
		})
	}
	g.Go(func() error {
		defer close(jobs)
		send := func(job func() error) error {
			select {
			case jobs <- job:
				return nil
			case <-ctx.Done():
				return ctx.Err()
			}
		}
		bySHA := map[string][]*receipt{}
		var shas []string
		for _, r := range rs {
			if r.refused() {
				rej := []rejection{{why: r.refusal()}}
				if err := send(func() error {
					return writeReceipts([]*receipt{r}, slices.Values(rej), slices.Values([]accepted(nil)), nil)
				}); err != nil {
					return err
				}
				continue
			}
			if _, ok := bySHA[r.in.SHA256]; !ok {
				shas = append(shas, r.in.SHA256)
			}
			bySHA[r.in.SHA256] = append(bySHA[r.in.SHA256], r)
		}
		if len(shas) == 0 {
			return nil
		}
		slices.Sort(shas) // the order the queries give the files in
		rej, err := openRejections(ctx, db, shas)
		if err != nil {
			return err
		}
		defer rej.close()
		acc, err := openAccepted(ctx, db, shas)
		if err != nil {
			return err
		}
		defer acc.close()
		rowsErr := func() error { return cmpErr(rej.err, acc.err) }
		for _, sha := range shas {
			group := bySHA[sha]
			if n := group[0].nRejected + group[0].nAccepted; n <= smallReceipt {
				rejs, accs := slices.Collect(rej.of(sha)), slices.Collect(acc.of(sha))
				if err := rowsErr(); err != nil {
					return err
				}
				if err := send(func() error { return writeReceipts(group, slices.Values(rejs), slices.Values(accs), nil) }); err != nil {
					return err
				}
				continue
			}
			if err := writeReceipts(group, rej.of(sha), acc.of(sha), rowsErr); err != nil {
				return err
			}
		}
		return rowsErr()
	})
	return g.Wait()
}

func cmpErr(errs ...error) error {
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

// cursor reads rows of a query ordered by file (the first column, file_sha256), a file at
// a time.
type cursor[T any] struct {
	rows    *sql.Rows
	scan    func(*sql.Rows) (string, T, error)
	sha     string // the file of the row read ahead
	next    T
	pending bool
	done    bool
	err     error
}

func openCursor[T any](ctx context.Context, db *sql.DB, q string, shas []string, scan func(*sql.Rows) (string, T, error)) (*cursor[T], error) {
	rows, err := db.QueryContext(ctx, q, shas)
	if err != nil {
		return nil, fmt.Errorf("receipts: %w", err)
	}
	return &cursor[T]{rows: rows, scan: scan}, nil
}

func (c *cursor[T]) close() { c.rows.Close() }

// of yields the rows of file sha; files must be asked for in the query's order.
func (c *cursor[T]) of(sha string) iter.Seq[T] {
	return func(yield func(T) bool) {
		for {
			if !c.pending && !c.done {
				if !c.rows.Next() {
					c.done = true
					if err := c.rows.Err(); err != nil && c.err == nil {
						c.err = fmt.Errorf("receipts: %w", err)
					}
				} else if c.sha, c.next, c.err = c.scan(c.rows); c.err != nil {
					c.done = true
				} else {
					c.pending = true
				}
			}
			if c.done || c.sha > sha {
				return
			}
			c.pending = false
			if c.sha < sha {
				continue // a file not asked for: none is
			}
			if !yield(c.next) {
				return
			}
		}
	}
}

func openRejections(ctx context.Context, db *sql.DB, shas []string) (*cursor[rejection], error) {
	return openCursor(ctx, db, "WITH "+firstRead+` SELECT f.file_sha256, r.source_sheet, r.source_row, r."column", r.value, r.reason_code, r.reason_zh, r.raw
		FROM rejected_rows r JOIN first f USING (batch_id, source_file)
		ORDER BY f.file_sha256, r.source_sheet, r.source_row, r.reason_code`, shas, func(rows *sql.Rows) (string, rejection, error) {
		var x rejection
		var sha, raw string
		if err := rows.Scan(&sha, &x.sheet, &x.row, &x.column, &x.value, &x.code, &x.why, &raw); err != nil {
			return "", x, err
		}
		if x.why == "" { // a database made before reason_zh
			x.why = plan.Reason(x.code).Label()
		}
		x.raw = orderedObject(raw)
		return sha, x, nil
	})
}

func openAccepted(ctx context.Context, db *sql.DB, shas []string) (*cursor[accepted], error) {
	return openCursor(ctx, db, "WITH "+firstRead+` SELECT f.file_sha256, s.source_sheet, s.source_row, s.unit_name, s.period::VARCHAR,
		s.task_no, s.status::VARCHAR, s.progress_pct, s.achieved, s.submitted_on, s.flags
		FROM submissions s JOIN first f USING (batch_id, source_file)
		ORDER BY f.file_sha256, s.source_sheet, s.source_row`, shas, func(rows *sql.Rows) (string, accepted, error) {
		var a accepted
		var sha string
		var flags []any
		if err := rows.Scan(&sha, &a.sheet, &a.row, &a.unitName, &a.period, &a.task, &a.status, &a.progress, &a.achieved, &a.submittedOn, &flags); err != nil {
			return "", a, err
		}
		for _, f := range flags {
			a.flags = append(a.flags, fmt.Sprint(f))
		}
		return sha, a, nil
	})
}

// each runs f(0)…f(n-1) on every core and returns the first error.
func each(ctx context.Context, n int, f func(i int) error) error {
	g, ctx := errgroup.WithContext(ctx)
	g.SetLimit(runtime.GOMAXPROCS(0))
	for i := range n {
		g.Go(func() error {
			if err := ctx.Err(); err != nil {
				return err
			}
			return f(i)
		})
	}
	return g.Wait()
}

// receipt is what one receipt says.
type receipt struct {
	in        Input
	planTitle string
	tmpl      *template.Meta

	// The file as ingest_files records it: the batch that read it first.
	batch                                     int
	firstPath, status                         string
	rowsRead, accepted, rejected, skippedRows int64

	nRejected, nAccepted int    // rows the receipt lists (a refused file's one reason)
	owed                 []owed // (unit, period) pairs the file reports for, with their missing tasks
	returned             []returnedTask
}

// returnedTask is a claim of completion of the file's units and periods that the office
// returned on review (退回) and that still stands: the unit must put it right and report
// the task again.
type returnedTask struct {
	unitName, period, text, comment string
	task                            int
	reviewedOn                      sql.NullTime
	file, sheet                     string
	row                             int
}

type rejection struct {
	sheet                    string
	row                      int
	column, value, code, why string
	raw                      []keyValue
}

type keyValue struct{ key, value string }

type accepted struct {
	sheet                    string
	row                      int
	unitName, period, status string
	task                     int
	progress, achieved       sql.NullFloat64
	submittedOn              sql.NullTime
	flags                    []string
}

type owed struct {
	unitID, unitName, period string
	missing                  []missingTask
}

type missingTask struct {
	task                int
	role, text, section string
}

// firstRead picks, for each input's content, the batch and path whose read counts: the
// first that ingested it (its rows are stored under those), or, for a file refused whole
// every time it was read (refused files may be read again), the latest refusal.
const firstRead = `first AS (
	SELECT DISTINCT ON (file_sha256) file_sha256, batch_id, source_file, status, rows_read, accepted, rejected, skipped_rows
	FROM ingest_files WHERE file_sha256 IN (SELECT unnest(?::VARCHAR[]))
	ORDER BY file_sha256, status = 'ingested' DESC, CASE WHEN status = 'ingested' THEN batch_id ELSE -batch_id END)`

// loadAll fills every receipt from the database.
func loadAll(ctx context.Context, db *sql.DB, rs []*receipt, opt Options) error {
	bySHA := map[string][]*receipt{}
	var shas []string
	for _, r := range rs {
		if _, ok := bySHA[r.in.SHA256]; !ok {
			shas = append(shas, r.in.SHA256)
		}
		bySHA[r.in.SHA256] = append(bySHA[r.in.SHA256], r)
	}
	err := query(ctx, db, "WITH "+firstRead+" SELECT * FROM first", []any{shas}, func(rows *sql.Rows) error {
		var sha, path, status string
		var batch int
		var read, acc, rej, skipped int64
		if err := rows.Scan(&sha, &batch, &path, &status, &read, &acc, &rej, &skipped); err != nil {
			return err
		}
		for _, r := range bySHA[sha] {
			r.batch, r.firstPath, r.status = batch, path, status
			r.rowsRead, r.accepted, r.rejected, r.skippedRows = read, acc, rej, skipped
		}
		return nil
	})
	if err != nil {
		return err
	}

	err = query(ctx, db, "WITH "+firstRead+` SELECT f.file_sha256, count(*) FROM rejected_rows r JOIN first f USING (batch_id, source_file) GROUP BY ALL`,
		[]any{shas}, func(rows *sql.Rows) error {
			var sha string
			var n int
			if err := rows.Scan(&sha, &n); err != nil {
				return err
			}
			for _, r := range bySHA[sha] {
				r.nRejected = n
			}
			return nil
		})
	if err != nil {
		return err
	}

	// The (unit, period) pairs each file reports for, in the order first met: a template
	// names its own (or, refused whole, the period being collected), then the rows.
	pairs := make([][][2]string, len(rs))
	seen := make([]map[[2]string]bool, len(rs))
	addPair := func(i int, unitID, period string) {
		k := [2]string{unitID, period}
		if seen[i] == nil {
			seen[i] = map[[2]string]bool{}
		}
		if !seen[i][k] {
			seen[i][k] = true
			pairs[i] = append(pairs[i], k)
		}
	}
	index := map[*receipt]int{}
	for i, r := range rs {
		index[r] = i
		if m := r.tmpl; m != nil {
			switch {
			case !r.wholeFileRejected():
				addPair(i, m.UnitID, m.Period)
			case opt.Period != "":
				addPair(i, m.UnitID, string(opt.Period))
			}
		}
	}
	// Each file's (unit, period) pairs, with the sheet and row each is first met at.
	type met struct {
		sha, sheet, unitID, period string
		row, n                     int
	}
	var mets []met
	err = query(ctx, db, "WITH "+firstRead+` SELECT f.file_sha256, s.source_sheet, s.unit_id, s.period::VARCHAR, min(s.source_row), count(*)
		FROM submissions s JOIN first f USING (batch_id, source_file) GROUP BY ALL`, []any{shas}, func(rows *sql.Rows) error {
		var m met
		if err := rows.Scan(&m.sha, &m.sheet, &m.unitID, &m.period, &m.row, &m.n); err != nil {
			return err
		}
		mets = append(mets, m)
		return nil
	})
	if err != nil {
		return err
	}
	slices.SortFunc(mets, func(a, b met) int {
		return cmp.Or(strings.Compare(a.sha, b.sha), strings.Compare(a.sheet, b.sheet), a.row-b.row)
	})
	for _, m := range mets {
		for _, r := range bySHA[m.sha] {
			r.nAccepted += m.n
			addPair(index[r], m.unitID, m.period)
		}
	}

	owing, err := missingAll(ctx, db, pairs)
	if err != nil {
		return err
	}
	returned, err := returnedAll(ctx, db, pairs)
	if err != nil {
		return err
	}
	for i, r := range rs {
		ps := slices.Clone(pairs[i])
		slices.SortStableFunc(ps, func(a, b [2]string) int { return strings.Compare(a[1], b[1]) })
		for _, k := range ps {
			if o, ok := owing[k]; ok {
				r.owed = append(r.owed, o)
			}
			r.returned = append(r.returned, returned[k]...)
		}
	}
	return nil
}

// returnedAll lists, for each (unit, period) pair, the unit's claims of completion
// standing at the period that the office returned on review, with the 审核意见, as the
// model standing_reports_at says (it reads submissions, so receipts after ingest
// --no-build say it too). A database with no returned review has none, and is not asked.
func returnedAll(ctx context.Context, db *sql.DB, pairs [][][2]string) (map[[2]string][]returnedTask, error) {
	out := map[[2]string][]returnedTask{}
	var n int
	if err := db.QueryRowContext(ctx, `SELECT (SELECT count(*) FROM reviews WHERE decision = 'returned')
		* (SELECT count(*) FROM duckdb_functions() WHERE function_name = 'standing_reports_at')`).Scan(&n); err != nil || n == 0 {
		return out, err
	}
	units := map[string][]string{} // by period
	added := map[[2]string]bool{}
	for _, ps := range pairs {
		for _, k := range ps {
			if !added[k] && plan.Period(k[1]).Valid() {
				added[k] = true
				units[k[1]] = append(units[k[1]], k[0])
			}
		}
	}
	for _, p := range slices.Sorted(maps.Keys(units)) {
		err := query(ctx, db, `SELECT r.unit_id, u.unit_name, r.task_no, t.task_text, coalesce(r.review_comment, ''), r.reviewed_on,
			r.source_file, r.source_sheet, r.source_row
			FROM standing_reports_at(?) r
			JOIN units u USING (unit_id)
			JOIN tasks t ON t.plan_year = r.plan_year AND t.task_no = r.task_no
			WHERE r.claimed AND r.review = 'returned' AND r.unit_id IN (SELECT unnest(?::VARCHAR[]))
			ORDER BY r.unit_id, r.task_no`, []any{p, units[p]}, func(rows *sql.Rows) error {
			var x returnedTask
			var unitID string
			if err := rows.Scan(&unitID, &x.unitName, &x.task, &x.text, &x.comment, &x.reviewedOn, &x.file, &x.sheet, &x.row); err != nil {
				return err
			}
			x.period = p
			k := [2]string{unitID, p}
			out[k] = append(out[k], x)
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}

func (r *receipt) wholeFileRejected() bool { return r.status == "rejected" }

// refused is a file ingest did not read at all: its type is not one plantrack reads.
func (r *receipt) refused() bool { return r.in.Refused != "" || r.in.RefusedZh != "" }

// fileSHA256 is the hex SHA-256 of a file's content, "" when it cannot be read.
func fileSHA256(path string) string {
	f, err := os.Open(path)
	if err != nil {
		return ""
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return ""
	}
	return hex.EncodeToString(h.Sum(nil))
}

// missingAll lists, for each (unit, period) pair, the unit's assigned tasks with no
// accepted report for the period, as the missing_tasks model says. A unit the database
// does not know, or a period of no plan year, has no entry.
func missingAll(ctx context.Context, db *sql.DB, pairs [][][2]string) (map[[2]string]owed, error) {
	var units, periods []string
	latest := ""
	added := map[[2]string]bool{}
	for _, ps := range pairs {
		for _, k := range ps {
			if !added[k] {
				added[k] = true
				units, periods = append(units, k[0]), append(periods, k[1])
				latest = max(latest, k[1])
			}
		}
	}
	out := map[[2]string]owed{}
	if len(units) == 0 {
		return out, nil
	}
	err := query(ctx, db, `WITH pairs AS (SELECT unnest(?::VARCHAR[]) AS unit_id, unnest(?::VARCHAR[]) AS period),
		mt AS (SELECT unit_id, unit_name, period::VARCHAR AS period, missing_tasks FROM missing_tasks_at(?)),
		miss AS (SELECT unit_id, period, unnest(missing_tasks) AS task_no FROM mt)
		SELECT p.unit_id, p.period, mt.unit_name, miss.task_no, a.role, t.task_text, s.section_no, s.section_title
		FROM pairs p JOIN mt USING (unit_id, period)
		LEFT JOIN miss USING (unit_id, period)
		LEFT JOIN periods pe ON pe.period::VARCHAR = p.period
		LEFT JOIN assignments a ON a.plan_year = pe.plan_year AND a.unit_id = p.unit_id AND a.task_no = miss.task_no
		LEFT JOIN tasks t ON t.plan_year = pe.plan_year AND t.task_no = miss.task_no
		LEFT JOIN sections s ON s.plan_year = pe.plan_year AND s.section_no = t.section_no
		ORDER BY p.unit_id, p.period, miss.task_no`, []any{units, periods, latest}, func(rows *sql.Rows) error {
		var k [2]string
		var name string
		var task, no sql.NullInt64
		var role, text, title sql.NullString
		if err := rows.Scan(&k[0], &k[1], &name, &task, &role, &text, &no, &title); err != nil {
			return err
		}
		o := out[k]
		o.unitID, o.period, o.unitName = k[0], k[1], name
		if task.Valid {
			o.missing = append(o.missing, missingTask{task: int(task.Int64), role: plan.RoleName(role.String), text: text.String,
				section: plan.Numeral(int(no.Int64)) + "、" + title.String})
		}
		out[k] = o
		return nil
	})
	return out, err
}

// query runs q and hands each row to scan.
func query(ctx context.Context, db *sql.DB, q string, args []any, scan func(*sql.Rows) error) error {
	rows, err := db.QueryContext(ctx, q, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		if err := scan(rows); err != nil {
			return err
		}
	}
	return rows.Err()
}

// orderedObject reads a stored raw row: a JSON object, its keys in the file's order.
func orderedObject(raw string) []keyValue {
	dec := json.NewDecoder(strings.NewReader(raw))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return nil
	}
	var out []keyValue
	for dec.More() {
		k, err := dec.Token()
		if err != nil {
			return out
		}
		var v any
		if err := dec.Decode(&v); err != nil {
			return out
		}
		s, _ := v.(string)
		if v != nil && s == "" {
			s = fmt.Sprint(v)
		}
		out = append(out, keyValue{fmt.Sprint(k), s})
	}
	return out
}

// Name is the receipt's file name for a submission: 东阿县.xlsx → 东阿县-回执.xlsx.
func Name(path string) string {
	base := filepath.Base(path)
	return strings.TrimSuffix(base, filepath.Ext(base)) + "-回执.xlsx"
}

// fixedTime keeps receipts byte-stable: a receipt says what the database holds, not when
// it was written.
const fixedTime = "2000-01-01T00:00:00Z"

// Category is the document property category of every receipt. It starts with
// "plantrack-", like that of every workbook plantrack writes that is not for reading in.
const Category = "plantrack-receipt"

const (
	frontSheet    = "回执"
	acceptedSheet = "已接收"
)

// The font sizes of the styles, for the row heights.
const (
	textSize    = 11
	sectionSize = 12
	titleSize   = 16
)

// footer is the printed pages' footer: which file the receipt is for.
func (r *receipt) footer() string {
	return sheet.Footer("回执："+filepath.Base(r.in.Path), "")
}

func number(v sql.NullFloat64) string {
	if !v.Valid {
		return ""
	}
	return strconv.FormatFloat(v.Float64, 'f', -1, 64)
}

// taskOf finds the task number in a raw row, under any header ingest reads as 任务序号.
func taskOf(raw []keyValue) string {
	for _, kv := range raw {
		switch strings.ToLower(strings.TrimLeft(strings.TrimSpace(kv.key), "*")) {
		case "任务序号", "任务编号", "任务号", "task_no", "task":
			return kv.value
		}
	}
	return ""
}

func (r *receipt) unitsAndPeriods() (units, periods []string) {
	for _, o := range r.owed {
		if !slices.Contains(units, o.unitName) {
			units = append(units, o.unitName)
		}
		if p := plan.Period(o.period).Name(); !slices.Contains(periods, p) {
			periods = append(periods, p)
		}
	}
	return units, periods
}

func (r *receipt) kind() string {
	if r.tmpl != nil {
		return fmt.Sprintf("plantrack 填报模板（第%d版，%s，%s）", r.tmpl.Version, r.tmpl.UnitName, plan.Period(r.tmpl.Period).Name())
	}
	ext := strings.ToLower(filepath.Ext(r.in.Path))
	switch ext {
	case ".xlsx":
		return "Excel 工作簿（非下发模板）"
	case ".csv":
		return "CSV 文件"
	case ".json":
		return "JSON 文件"
	}
	if k, ok := otherKinds[ext]; ok {
		return k + "（" + ext + "）"
	}
	if ext == "" {
		return "无扩展名的文件"
	}
	return ext + " 文件"
}

// otherKinds names the spreadsheets plantrack does not read: each can be saved as .xlsx.
var otherKinds = map[string]string{
	".ods":     "OpenDocument 电子表格",
	".fods":    "OpenDocument 电子表格",
	".ots":     "OpenDocument 电子表格模板",
	".xls":     "Excel 97-2003 工作簿",
	".xlt":     "Excel 97-2003 模板",
	".xlsm":    "Excel 启用宏的工作簿",
	".xlsb":    "Excel 二进制工作簿",
	".xltx":    "Excel 模板",
	".xltm":    "Excel 启用宏的模板",
	".et":      "WPS 表格",
	".ett":     "WPS 表格模板",
	".numbers": "Numbers 电子表格",
}

// refusal is what a refused file's receipt gives as the reason: why it was not read and
// what to do.
func (r *receipt) refusal() string {
	why := strings.TrimSpace(r.in.RefusedZh)
	if why == "" {
		why = "无法读取此类文件：" + r.kind()
	}
	why = strings.TrimRight(why, "。；;.，, ")
	if strings.Contains(why, "另存为") || strings.Contains(why, "重新报送") {
		return why + "。"
	}
	if _, ok := otherKinds[strings.ToLower(filepath.Ext(r.in.Path))]; ok {
		return why + "。请在 Excel 或 WPS 中将文件另存为 .xlsx 格式后重新报送。"
	}
	return why + "。请使用下发的 .xlsx 填报模板（或 CSV、JSON 文件）填报后重新报送。"
}

func (r *receipt) outcome() string {
	if r.refused() {
		return "未导入：此文件未被读取，其中的内容均未接收，原因见下表。"
	}
	if r.batch == 0 {
		return "数据库中没有此文件的记录（导入未完成或已撤销）"
	}
	var b strings.Builder
	if filepath.ToSlash(r.firstPath) != filepath.ToSlash(r.in.Path) {
		fmt.Fprintf(&b, "此文件内容已于第%d批导入（当时的文件为 %s），本次未重复导入。", r.batch, filepath.Base(r.firstPath))
	} else {
		fmt.Fprintf(&b, "第%d批导入。", r.batch)
	}
	if r.wholeFileRejected() {
		b.WriteString("整个文件未被接收，原因见下表。")
		return b.String()
	}
	fmt.Fprintf(&b, "共读取%d行：接收%d行，退回%d行。", r.rowsRead, r.accepted, r.rejected)
	return b.String()
}

func short(sha string) string {
	if len(sha) > 12 {
		return sha[:12]
	}
	return sha
}
