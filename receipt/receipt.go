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
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/xuri/excelize/v2"
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
// in a few queries for all inputs together, and the workbooks are built on every core:
// a quarter brings hundreds of files, and a query or a workbook each would be slow. A
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
			r.rejections = []rejection{{why: r.refusal()}}
		case strings.EqualFold(filepath.Ext(r.in.Path), ".xlsx"):
			if m, err := template.ReadFile(r.in.Path); err == nil {
				r.tmpl = m
			}
		}
		return nil
	}); err != nil {
		return err
	}
	if read := slices.DeleteFunc(slices.Clone(rs), (*receipt).refused); len(read) > 0 {
		if err := loadAll(ctx, db, read, opt); err != nil {
			return fmt.Errorf("receipts: %w", err)
		}
	}
	return each(ctx, len(rs), func(i int) error {
		r := rs[i]
		if err := os.MkdirAll(filepath.Dir(r.in.Out), 0o755); err != nil {
			return fmt.Errorf("receipts: %w", err)
		}
		b, err := r.render()
		if err != nil {
			return fmt.Errorf("receipt for %s: %w", r.in.Path, err)
		}
		if err := os.WriteFile(r.in.Out, b, 0o644); err != nil {
			return fmt.Errorf("receipts: %w", err)
		}
		return nil
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

	rejections []rejection
	acceptedRs []accepted
	owed       []owed // (unit, period) pairs the file reports for, with their missing tasks
	returned   []returnedTask
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

	err = query(ctx, db, "WITH "+firstRead+` SELECT f.file_sha256, r.source_sheet, r.source_row, r."column", r.value, r.reason_code, r.reason_zh, r.raw
		FROM rejected_rows r JOIN first f USING (batch_id, source_file)
		ORDER BY f.file_sha256, r.source_sheet, r.source_row, r.reason_code`, []any{shas}, func(rows *sql.Rows) error {
		var x rejection
		var sha, raw string
		if err := rows.Scan(&sha, &x.sheet, &x.row, &x.column, &x.value, &x.code, &x.why, &raw); err != nil {
			return err
		}
		if x.why == "" { // a database made before reason_zh
			x.why = plan.Reason(x.code).Label()
		}
		x.raw = orderedObject(raw)
		for _, r := range bySHA[sha] {
			r.rejections = append(r.rejections, x)
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
	err = query(ctx, db, "WITH "+firstRead+` SELECT f.file_sha256, s.source_sheet, s.source_row, s.unit_id, s.unit_name, s.period::VARCHAR,
		s.task_no, s.status::VARCHAR, s.progress_pct, s.achieved, s.submitted_on, s.flags
		FROM submissions s JOIN first f USING (batch_id, source_file)
		ORDER BY f.file_sha256, s.source_sheet, s.source_row`, []any{shas}, func(rows *sql.Rows) error {
		var a accepted
		var sha, unitID string
		var flags []any
		if err := rows.Scan(&sha, &a.sheet, &a.row, &unitID, &a.unitName, &a.period, &a.task, &a.status, &a.progress, &a.achieved, &a.submittedOn, &flags); err != nil {
			return err
		}
		for _, f := range flags {
			a.flags = append(a.flags, fmt.Sprint(f))
		}
		for _, r := range bySHA[sha] {
			r.acceptedRs = append(r.acceptedRs, a)
			addPair(index[r], unitID, a.period)
		}
		return nil
	})
	if err != nil {
		return err
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

func (r *receipt) render() ([]byte, error) {
	f := excelize.NewFile()
	defer f.Close()
	w := &sheetWriter{f: f}
	if err := w.styles(); err != nil {
		return nil, err
	}
	if err := r.front(w); err != nil {
		return nil, err
	}
	if err := r.acceptedSheet(w); err != nil {
		return nil, err
	}
	f.SetActiveSheet(0)
	// Category marks the workbook as a receipt, so that ingest passes over a receipt folder
	// inside its input: document properties outlive a save in Excel, WPS or LibreOffice.
	if err := f.SetDocProps(&excelize.DocProperties{Creator: "plantrack", LastModifiedBy: "plantrack", Category: Category,
		Created: fixedTime, Modified: fixedTime, Title: "进度报送回执", Language: "zh-CN"}); err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

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

type sheetWriter struct {
	f                                             *excelize.File
	title, info, section, header, cell, wrap, bad int
	cols                                          map[string][]float64 // each sheet's column widths
	errs                                          []error
}

func (w *sheetWriter) styles() error {
	border := []excelize.Border{
		{Type: "left", Color: "808080", Style: 1}, {Type: "top", Color: "808080", Style: 1},
		{Type: "right", Color: "808080", Style: 1}, {Type: "bottom", Color: "808080", Style: 1},
	}
	font := &excelize.Font{Family: "宋体", Size: textSize}
	bold := &excelize.Font{Family: "宋体", Size: textSize, Bold: true}
	center := &excelize.Alignment{Horizontal: "center", Vertical: "center", WrapText: true}
	left := &excelize.Alignment{Horizontal: "left", Vertical: "center", WrapText: true}
	for _, st := range []struct {
		id    *int
		style *excelize.Style
	}{
		{&w.title, &excelize.Style{Font: &excelize.Font{Family: "黑体", Size: titleSize, Bold: true}, Alignment: center}},
		{&w.info, &excelize.Style{Font: font, Alignment: left}},
		{&w.section, &excelize.Style{Font: &excelize.Font{Family: "黑体", Size: sectionSize, Bold: true}, Alignment: &excelize.Alignment{Vertical: "center"}}},
		{&w.header, &excelize.Style{Border: border, Font: bold, Alignment: center,
			Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"D9D9D9"}}}},
		{&w.cell, &excelize.Style{Border: border, Font: font, Alignment: center}},
		{&w.wrap, &excelize.Style{Border: border, Font: font, Alignment: left}},
		{&w.bad, &excelize.Style{Border: border, Font: &excelize.Font{Family: "宋体", Size: textSize, Color: "C00000"}, Alignment: left}},
	} {
		id, err := w.f.NewStyle(st.style)
		if err != nil {
			return err
		}
		*st.id = id
	}
	return nil
}

func ref(col, row int) string {
	c, _ := excelize.CoordinatesToCellName(col, row)
	return c
}

func (w *sheetWriter) check(err error) {
	if err != nil {
		w.errs = append(w.errs, err)
	}
}

// line writes a text across columns 1..cols of a row, in a font of size points, and
// makes the row as tall as the text wraps to.
func (w *sheetWriter) line(sh string, row, cols int, text string, style int, size float64) {
	w.check(w.f.SetCellStr(sh, ref(1, row), text))
	if cols > 1 {
		w.check(w.f.MergeCell(sh, ref(1, row), ref(cols, row)))
	}
	w.check(w.f.SetCellStyle(sh, ref(1, row), ref(cols, row), style))
	width := 0.0
	for _, x := range w.cols[sh][:min(cols, len(w.cols[sh]))] {
		width += x
	}
	w.check(w.f.SetRowHeight(sh, row, sheet.RowHeight(sheet.Lines(text, width), size)))
}

// fit makes a row of a table as tall as its tallest cell wraps to.
func (w *sheetWriter) fit(sh string, row int, cells []string) {
	n := 1
	for i, v := range cells {
		if v != "" && i < len(w.cols[sh]) {
			n = max(n, sheet.Lines(v, w.cols[sh][i]))
		}
	}
	w.check(w.f.SetRowHeight(sh, row, sheet.RowHeight(n, textSize)))
}

// table writes a header and rows from row on; it returns the next free row.
func (w *sheetWriter) table(sh string, row int, header []string, rows [][]string, styles []int) int {
	for i, h := range header {
		w.check(w.f.SetCellStr(sh, ref(i+1, row), h))
	}
	w.check(w.f.SetCellStyle(sh, ref(1, row), ref(len(header), row), w.header))
	w.fit(sh, row, header)
	first := row + 1
	for _, r := range rows {
		row++
		for i, v := range r {
			if v != "" {
				w.check(w.f.SetCellStr(sh, ref(i+1, row), v))
			}
		}
		w.fit(sh, row, r)
	}
	if len(rows) > 0 {
		for i, st := range styles { // a column at a time: a call per cell costs more than the rest
			w.check(w.f.SetCellStyle(sh, ref(i+1, first), ref(i+1, row), st))
		}
	}
	return row + 1
}

func (w *sheetWriter) widths(sh string, ws []float64) {
	if w.cols == nil {
		w.cols = map[string][]float64{}
	}
	w.cols[sh] = ws
	for i, x := range ws {
		c, _ := excelize.ColumnNumberToName(i + 1)
		w.check(w.f.SetColWidth(sh, c, c, x))
	}
}

func (w *sheetWriter) err() error {
	if len(w.errs) > 0 {
		return w.errs[0]
	}
	return nil
}

// front is the first sheet: what the file was, what was rejected and why, what is still
// missing.
func (r *receipt) front(w *sheetWriter) error {
	f, sh := w.f, frontSheet
	w.check(f.SetSheetName("Sheet1", sh))
	const cols = 7
	w.widths(sh, []float64{14, 14, 9, 52, 14, 24, 44})
	row := 1
	w.line(sh, row, cols, strings.TrimSpace(r.planTitle+" 进度报送回执"), w.title, titleSize)

	sum := "校验码 " + short(r.in.SHA256)
	if r.in.SHA256 == "" {
		sum = "文件无法读取，未能计算校验码"
	}
	info := []string{"报送文件：" + filepath.Base(r.in.Path) + "（" + sum + "）"}
	units, periods := r.unitsAndPeriods()
	if len(units) > 0 {
		info = append(info, "填报单位："+strings.Join(units, "、")+"　　报告期："+strings.Join(periods, "、"))
	}
	info = append(info, "文件类型："+r.kind())
	info = append(info, "处理结果："+r.outcome())
	for _, s := range info {
		row++
		w.line(sh, row, cols, s, w.info, textSize)
	}

	row += 2
	if len(r.rejections) == 0 {
		w.line(sh, row, cols, "一、退回的行：无", w.section, sectionSize)
		row += 2
	} else {
		w.line(sh, row, cols, fmt.Sprintf("一、退回的行（共%d处，请修改后重新报送）", len(r.rejections)), w.section, sectionSize)
		var rows [][]string
		for _, x := range r.rejections {
			where := strconv.Itoa(x.row)
			if x.row == 0 {
				where = "整个文件"
				if x.sheet != "" {
					where = "整张工作表"
				}
			}
			var raw []string
			for _, kv := range x.raw {
				raw = append(raw, kv.key+"："+kv.value)
			}
			rows = append(rows, []string{x.sheet, where, taskOf(x.raw), x.why, x.column, x.value, strings.Join(raw, "\n")})
		}
		row = w.table(sh, row+1, []string{"工作表", "行号", "任务序号", "退回原因", "出错栏目", "填写内容", "该行原始内容"}, rows,
			[]int{w.cell, w.cell, w.cell, w.bad, w.cell, w.wrap, w.wrap})
		row++
	}

	n := 0
	for _, o := range r.owed {
		n += len(o.missing)
	}
	switch {
	case len(r.owed) == 0:
		w.line(sh, row, cols, "二、本期尚未报送的任务：未能确定填报单位和报告期", w.section, sectionSize)
	case n == 0:
		w.line(sh, row, cols, "二、本期尚未报送的任务：无，本期分工任务已全部报送", w.section, sectionSize)
	default:
		w.line(sh, row, cols, fmt.Sprintf("二、本期尚未报送的任务（共%d项，请补报）", n), w.section, sectionSize)
		var rows [][]string
		for _, o := range r.owed {
			for _, m := range o.missing {
				rows = append(rows, []string{o.unitName, plan.Period(o.period).Name(), strconv.Itoa(m.task), m.text, m.role, m.section})
			}
		}
		row = w.table(sh, row+1, []string{"填报单位", "报告期", "任务序号", "任务内容", "分工", "所属部分"}, rows,
			[]int{w.cell, w.cell, w.cell, w.wrap, w.cell, w.cell})
	}
	// Claims returned on review: said only when there are some, so a receipt of a database
	// with none is as it was.
	if len(r.returned) > 0 {
		if len(r.owed) > 0 && n > 0 {
			row++ // below the table of tasks still owed
		} else {
			row += 2 // below the line saying none is owed
		}
		w.line(sh, row, cols, fmt.Sprintf("三、审核退回的任务（共%d项，请按审核意见整改后重新报送）", len(r.returned)), w.section, sectionSize)
		var rows [][]string
		for _, x := range r.returned {
			date := ""
			if x.reviewedOn.Valid {
				date = x.reviewedOn.Time.Format(time.DateOnly)
			}
			where := filepath.Base(x.file)
			if x.sheet != "" {
				where += " " + x.sheet
			}
			where += fmt.Sprintf(" 第%d行", x.row)
			rows = append(rows, []string{x.unitName, plan.Period(x.period).Name(), strconv.Itoa(x.task), x.text, date, where, x.comment})
		}
		w.table(sh, row+1, []string{"填报单位", "报告期", "任务序号", "任务内容", "审核日期", "所审核的报送", "审核意见"}, rows,
			[]int{w.cell, w.cell, w.cell, w.wrap, w.cell, w.wrap, w.bad})
	}
	// The sheet holds tables of different columns, so the title is what every printed
	// page repeats; the footer names the file.
	w.check(sheet.PrintSetup(f, sh, 1, 1, r.footer()))
	return w.err()
}

// footer is the printed pages' footer: which file the receipt is for.
func (r *receipt) footer() string {
	return sheet.Footer("回执："+filepath.Base(r.in.Path), "")
}

// acceptedSheet lists the rows taken in.
func (r *receipt) acceptedSheet(w *sheetWriter) error {
	f, sh := w.f, acceptedSheet
	if _, err := f.NewSheet(sh); err != nil {
		return err
	}
	w.widths(sh, []float64{12, 7, 14, 16, 9, 10, 10, 10, 12, 44})
	w.line(sh, 1, 10, fmt.Sprintf("已接收的行（共%d行）", len(r.acceptedRs)), w.section, sectionSize)
	var rows [][]string
	for _, a := range r.acceptedRs {
		var notes []string
		for _, fl := range a.flags {
			notes = append(notes, plan.Flag(fl).Explain())
		}
		date := ""
		if a.submittedOn.Valid {
			date = a.submittedOn.Time.Format(time.DateOnly)
		}
		rows = append(rows, []string{a.sheet, strconv.Itoa(a.row), a.unitName, plan.Period(a.period).Name(), strconv.Itoa(a.task),
			plan.Status(a.status).Name(), number(a.progress), number(a.achieved), date, strings.Join(notes, "；")})
	}
	w.table(sh, 2, []string{"工作表", "行号", "填报单位", "报告期", "任务序号", "完成状态", "完成进度", "完成数量", "填报日期", "提示"}, rows,
		[]int{w.cell, w.cell, w.cell, w.cell, w.cell, w.cell, w.cell, w.cell, w.cell, w.wrap})
	w.check(f.SetPanes(sh, &excelize.Panes{Freeze: true, YSplit: 2, TopLeftCell: "A3", ActivePane: "bottomLeft"}))
	w.check(sheet.PrintSetup(f, sh, 1, 2, r.footer()))
	return w.err()
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
