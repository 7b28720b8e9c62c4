// Package sample writes a realistic year of quarterly progress submissions for a plan: one
// file per assigned unit and quarter, in the formats and habits real offices send (XLSX
// with merged title rows, CSV in UTF-8, UTF-8 with BOM or GBK, JSON), with late and missing
// reports, a re-sent correction and a handful of rows that validation must reject.
//
// The output depends only on the plan, the registry, the assignments and the seed, so tests
// and demos can rely on it byte for byte.
package sample

import (
	"cmp"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"time"

	"golang.org/x/sync/errgroup"

	"plantrack/plan"
)

// Options control Generate.
type Options struct {
	Seed int64 // same seed, same inputs => byte-identical files
}

// File is one file Generate wrote.
type File struct {
	Path     string // relative to dir, slash-separated, e.g. "2021Q2/东阿县.xlsx"
	Format   string // "csv", "xlsx", "json"
	Encoding string // "utf-8", "utf-8-bom", "gbk" for csv; "" otherwise
	Unit     string // unit id (plan.Unit.ID) the file is from, "" if a mixed file
	Period   string // "2021Q2"
	Rows     int    // data rows written (excluding header/title/blank/note/total rows)
	BadRows  int    // rows deliberately written to be rejected by validation

	Sheet       string // xlsx: the sheet holding the rows (not always the first one)
	HeaderRow   int    // row number of the header: 1 in CSV, 3 or 4 in XLSX, 0 in JSON
	SubmittedOn string // 填报日期 of the rows, as 2006-01-02 (the latest one in a mixed file)
	Late        bool   // filed more than GraceDays after the quarter end
	Corrects    string // path of the earlier file of the same unit and period this one re-sends
	Date1904    bool   // xlsx: the workbook counts dates from 1904
	// Cells point at rows of interest. Row is the row number as a spreadsheet shows it: the
	// sheet row in XLSX, the record number in CSV (header = 1; a quoted note may span two
	// lines), the 1-based position in the array in JSON. Column is the Chinese header name
	// in CSV and XLSX and the English key in JSON.
	Bad     []Cell // rows validation must reject; len(Bad) == BadRows
	Flagged []Cell // rows to accept but flag: completed at low progress, unassigned task
	Tricky  []Cell // valid rows that trip naive readers: multi-line notes, HTML characters
	// Reports are the file's rows as the unit meant them, in file order: what it would type
	// into its template.
	Reports []Report
}

// Report is one row of a file as the unit meant it.
type Report struct {
	Task            int
	Status          string // the word written: 推进中, 基本完成, 已完成, …
	Progress        int    // -1: left empty
	Achieved        int    // -1: none
	Notes, Evidence string
}

// Cell is one value of interest in a file.
type Cell struct {
	Row    int
	Column string
	Value  string // as written: the text, or an XLSX number cell's raw value
	Why    string
}

// Missing is a report a unit never sent.
type Missing struct {
	Unit   string // unit id
	Period string
}

// Manifest lists what Generate wrote.
type Manifest struct {
	Files   []File
	Missing []Missing
	Lagging []string // ids of units whose progress stays below 60 all year
}

// DefaultSeed is the seed the demo and tests use, so that they talk about the same files.
const DefaultSeed = 2021

// GraceDays is how long after a quarter's end a report is on time, as the design's default.
const GraceDays = 10

// Generate writes the sample year into dir (creating it) and returns what it wrote, in a
// stable order: by period, then unit in registry order, a correction after the file it
// corrects, mixed files last.
func Generate(dir string, p *plan.Bundle, opt Options) (Manifest, error) {
	if p == nil || p.Catalog == nil || p.Registry == nil {
		return Manifest{}, fmt.Errorf("generate: no plan or no registry")
	}
	c, reg, as := p.Catalog, p.Registry, p.Assignments
	if c == nil || reg == nil {
		return Manifest{}, fmt.Errorf("generate: no plan or no registry")
	}
	if c.Year < 1901 {
		return Manifest{}, fmt.Errorf("generate: the plan %s has no year", c.File)
	}
	g := &gen{
		rng:  newRNG(opt.Seed),
		c:    c,
		reg:  reg,
		used: map[*unitPlan]bool{},
	}
	if err := g.collect(as); err != nil {
		return Manifest{}, err
	}
	if len(g.units) == 0 {
		return Manifest{}, fmt.Errorf("generate: no assignments")
	}
	g.chooseFormats()
	g.chooseStyles()
	g.chooseRoles()
	g.plotProgress()
	g.buildFiles()
	g.applySpecials()

	if err := os.MkdirAll(dir, 0o755); err != nil {
		return Manifest{}, fmt.Errorf("generate: %w", err)
	}
	// Files are rendered on every core (the workbooks take most of the time); each is
	// the same bytes whatever the order.
	var eg errgroup.Group
	eg.SetLimit(runtime.GOMAXPROCS(0))
	for _, fs := range g.files {
		eg.Go(func() error {
			b, err := fs.render(c)
			if err != nil {
				return fmt.Errorf("generate %s: %w", fs.Path, err)
			}
			p := filepath.Join(dir, filepath.FromSlash(fs.Path))
			if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
				return fmt.Errorf("generate: %w", err)
			}
			if err := os.WriteFile(p, b, 0o644); err != nil {
				return fmt.Errorf("generate: %w", err)
			}
			fs.BadRows = len(fs.Bad)
			for _, r := range fs.recs {
				fs.Reports = append(fs.Reports, Report{Task: r.task, Status: r.status, Progress: r.progress, Achieved: r.achieved, Notes: r.notes, Evidence: r.evidence})
			}
			return nil
		})
	}
	if err := eg.Wait(); err != nil {
		return Manifest{}, err
	}
	var m Manifest
	for _, fs := range g.files {
		m.Files = append(m.Files, fs.File)
	}
	for _, up := range g.lagging {
		m.Lagging = append(m.Lagging, up.u.ID)
	}
	for _, up := range g.units {
		if up.missing > 0 {
			m.Missing = append(m.Missing, Missing{Unit: up.u.ID, Period: g.period(up.missing)})
		}
	}
	return m, nil
}

// gen holds the decisions of one run. Every random draw happens in a fixed order.
type gen struct {
	rng   *rand.Rand
	c     *plan.Catalog
	reg   *plan.Registry
	units []*unitPlan // in registry order
	used  map[*unitPlan]bool
	files []*fileSpec

	resend                                  *unitPlan
	late, missing, lagging                  []*unitPlan
	bad120, badStatus, bad99, badQ5, bad150 *unitPlan
	contradict, unassigned, dip             *unitPlan
	trickyCSV, trickyHTML                   *unitPlan
}

// unitPlan is one reporting unit's year.
type unitPlan struct {
	u        *plan.Unit
	tasks    []int
	format   string
	encoding string
	st       style
	lag      bool
	late     [5]bool // by quarter 1–4
	missing  int     // the quarter it never reports, 0 for none
	progress map[int]*[4]int
	achieved map[int]*[4]int // tasks with numeric targets only
}

const resendQuarter = 2

func (g *gen) period(q int) string { return fmt.Sprintf("%dQ%d", g.c.Year, q) }

// quarterEnd is the last day of quarter q.
func (g *gen) quarterEnd(q int) time.Time {
	return time.Date(g.c.Year, time.Month(3*q+1), 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, -1)
}

// collect groups the assignments by unit, in registry order.
func (g *gen) collect(as []plan.Assignment) error {
	byID := map[string]*unitPlan{}
	for _, a := range as {
		if g.c.Task(a.Task) == nil {
			return fmt.Errorf("generate: assignment of unit %s to task %d: the plan has no such task", a.UnitID, a.Task)
		}
		up, ok := byID[a.UnitID]
		if !ok {
			u, found := g.reg.ByID(a.UnitID)
			if !found {
				return fmt.Errorf("generate: assignment of task %d: unit %q is not in the registry", a.Task, a.UnitID)
			}
			up = &unitPlan{u: u, progress: map[int]*[4]int{}, achieved: map[int]*[4]int{}}
			byID[a.UnitID] = up
			g.units = append(g.units, up)
		}
		if !slices.Contains(up.tasks, a.Task) {
			up.tasks = append(up.tasks, a.Task)
		}
	}
	slices.SortFunc(g.units, func(a, b *unitPlan) int { return cmp.Compare(a.u.Order, b.u.Order) })
	for _, up := range g.units {
		slices.Sort(up.tasks)
	}
	return nil
}

func (g *gen) ofKind(kinds ...string) []*unitPlan {
	var out []*unitPlan
	for _, up := range g.units {
		if slices.Contains(kinds, up.u.Kind) {
			out = append(out, up)
		}
	}
	return out
}

// deal hands out pool values over units in a random order, so that every value goes to
// some unit whenever there are at least as many units as values.
func deal[T any](g *gen, ups []*unitPlan, pool []T, set func(*unitPlan, T)) {
	for i, j := range g.rng.Perm(len(ups)) {
		set(ups[j], pool[i%len(pool)])
	}
}

// pick chooses a unit for a special role, each unit playing one role at most, so that the
// habits stay apart and easy to assert on. It returns nil when no unit fits.
func (g *gen) pick(fit func(*unitPlan) bool) *unitPlan {
	var cands []*unitPlan
	for _, up := range g.units {
		if fit(up) && !g.used[up] {
			cands = append(cands, up)
		}
	}
	if len(cands) == 0 {
		return nil
	}
	up := cands[g.rng.IntN(len(cands))]
	g.used[up] = true
	return up
}

func (g *gen) chooseFormats() {
	for _, up := range g.ofKind(plan.KindCounty) {
		up.format = "xlsx"
	}
	zones := g.ofKind(plan.KindZone)
	for i, j := range g.rng.Perm(len(zones)) {
		up := zones[j]
		switch {
		case i == 0:
			up.format = "json"
		case i == 1 || g.rng.IntN(2) == 0:
			up.format = "xlsx"
		default:
			up.format = "json"
		}
	}
	type fe struct{ format, encoding string }
	deal(g, g.ofKind(plan.KindDepartment, plan.KindOther),
		[]fe{{"csv", "utf-8"}, {"csv", "utf-8-bom"}, {"csv", "gbk"}, {"json", ""}},
		func(up *unitPlan, v fe) { up.format, up.encoding = v.format, v.encoding })
}

func (g *gen) byFormat(formats ...string) []*unitPlan {
	var out []*unitPlan
	for _, up := range g.units {
		if slices.Contains(formats, up.format) {
			out = append(out, up)
		}
	}
	return out
}

func (g *gen) chooseStyles() {
	for _, up := range g.units {
		up.st.name, up.st.formal = up.u.Name, up.u.Name
		for _, a := range up.u.Aliases {
			if strings.HasSuffix(a, "人民政府") || strings.HasSuffix(a, "管委会") {
				up.st.formal = a
				break
			}
		}
	}
	deal(g, g.units, []bool{false, true, false}, func(up *unitPlan, alias bool) {
		if alias && len(up.u.Aliases) > 0 {
			up.st.name = up.u.Aliases[g.rng.IntN(len(up.u.Aliases))]
		}
	})
	deal(g, g.units, inProgressWords, func(up *unitPlan, w string) { up.st.inWord = w })
	deal(g, g.units, completedWords, func(up *unitPlan, w string) { up.st.doneWord = w })
	deal(g, g.units, []int{periodQ, periodDashQ, periodCNFull, periodCNShort, periodMonth, periodCNMonth},
		func(up *unitPlan, v int) { up.st.period = v })
	deal(g, g.units, []bool{false, false, true}, func(up *unitPlan, v bool) { up.st.blankDone = v })

	deal(g, g.byFormat("csv"), []int{progPct, progBare, progFull}, func(up *unitPlan, v int) { up.st.progress = v })
	deal(g, g.byFormat("json"), []int{progNum, progPct, progFull}, func(up *unitPlan, v int) { up.st.progress = v })
	deal(g, g.byFormat("csv", "json"), []int{dateISO, dateSlash, dateCN}, func(up *unitPlan, v int) { up.st.date = v })
	deal(g, g.byFormat("json"), []bool{false, true}, func(up *unitPlan, v bool) { up.st.achievedText = v })

	xl := g.byFormat("xlsx")
	deal(g, xl, []int{progCell9, progCell10, progPct, progNum}, func(up *unitPlan, v int) { up.st.progress = v })
	deal(g, xl, []int{dateCell, dateCN, dateCell, dateSlash}, func(up *unitPlan, v int) { up.st.date = v })
	// Date cells come in built-in and custom formats; only workbooks with text dates drop
	// the date column, so that every kind of date cell is seen.
	var cells, texts []*unitPlan
	for _, up := range xl {
		if up.st.date == dateCell {
			cells = append(cells, up)
		} else {
			texts = append(texts, up)
		}
	}
	deal(g, cells, []string{"", `yyyy"年"m"月"d"日"`, "yyyy-mm-dd"}, func(up *unitPlan, v string) { up.st.dateFmt = v })
	deal(g, texts, []bool{true, false}, func(up *unitPlan, v bool) { up.st.omitUnitDate = v })
	deal(g, xl, []bool{false, true}, func(up *unitPlan, v bool) { up.st.totals = v })
	deal(g, xl, []bool{false, false, true}, func(up *unitPlan, v bool) { up.st.subtitle = v })
	deal(g, xl, []bool{true, false}, func(up *unitPlan, v bool) { up.st.trailing = v })
	deal(g, xl, []int{notesNone, notesAfter, notesNone}, func(up *unitPlan, v int) { up.st.notesSheet = v })
	deal(g, xl, []int{0, 1, 2, 3}, func(up *unitPlan, v int) { up.st.sheetName = v })
}

func (g *gen) chooseRoles() {
	is := func(kind, format string) func(*unitPlan) bool {
		return func(up *unitPlan) bool {
			return (kind == "" || up.u.Kind == kind) && (format == "" || up.format == format)
		}
	}
	county, dept := is(plan.KindCounty, ""), is(plan.KindDepartment, "")

	// XLSX layouts that only some workbooks have. The 150% cell goes first: it needs one of
	// the few workbooks with percent cells.
	g.bad150 = g.pick(func(up *unitPlan) bool {
		return up.format == "xlsx" && (up.st.progress == progCell9 || up.st.progress == progCell10)
	})
	g.resend = g.pick(is(plan.KindCounty, "xlsx"))
	if up := g.pick(func(up *unitPlan) bool { return up.format == "xlsx" && up.st.date == dateCell }); up != nil {
		up.st.date1904 = true // a Mac user: every workbook in 1904 dates
	}
	if up := g.pick(func(up *unitPlan) bool { return up.format == "xlsx" && !up.st.omitUnitDate }); up != nil {
		up.st.mergeUnit = true
	}
	if up := g.pick(is("", "xlsx")); up != nil {
		up.st.notesSheet = notesBefore
	}

	// Timeliness.
	for _, fit := range []func(*unitPlan) bool{county, dept, dept} {
		if up := g.pick(fit); up != nil {
			up.late[1+g.rng.IntN(4)] = true
			if g.rng.IntN(2) == 0 {
				up.late[1+g.rng.IntN(4)] = true
			}
			g.late = append(g.late, up)
		}
	}
	for _, fit := range []func(*unitPlan) bool{dept, is(plan.KindZone, "")} {
		if up := g.pick(fit); up != nil {
			up.missing = 1 + g.rng.IntN(4)
			g.missing = append(g.missing, up)
		}
	}
	for _, fit := range []func(*unitPlan) bool{county, dept, dept} {
		if up := g.pick(fit); up != nil {
			up.lag = true
			g.lagging = append(g.lagging, up)
		}
	}

	// Rows that validation must reject, and rows it must accept but flag.
	g.bad120 = g.pick(is(plan.KindDepartment, "csv"))
	g.badStatus = g.pick(is("", "json"))
	g.bad99 = g.pick(is(plan.KindCounty, "xlsx"))
	g.badQ5 = g.pick(func(up *unitPlan) bool { return up.u.Kind == plan.KindDepartment && up.encoding == "gbk" })
	if g.badQ5 == nil {
		g.badQ5 = g.pick(is(plan.KindDepartment, "csv"))
	}
	g.contradict = g.pick(func(up *unitPlan) bool { return up.u.Kind == plan.KindDepartment && up.format != "xlsx" })
	g.unassigned = g.pick(func(up *unitPlan) bool { return dept(up) && len(up.tasks) < len(g.c.Tasks) })
	g.dip = g.pick(dept)
	g.trickyCSV = g.pick(func(up *unitPlan) bool { return dept(up) && up.format == "csv" && up.encoding == "utf-8" })
	g.trickyHTML = g.pick(is(plan.KindDepartment, "json"))
}

// plotProgress draws each (unit, task)'s progress over the four quarters: rising, mostly
// reaching 100 by Q3 or Q4; a lagging unit stays below 60.
func (g *gen) plotProgress() {
	for _, up := range g.units {
		for _, t := range up.tasks {
			p := g.trajectory(up.lag)
			up.progress[t] = &p
			task := g.c.Task(t)
			if len(task.Targets) == 0 {
				continue
			}
			floor := task.Targets[0].Min
			var final int
			if p[3] == 100 {
				final = max(floor, min(3, floor+g.rng.IntN(2)))
			} else {
				final = g.rng.IntN(max(floor, 1))
			}
			var a [4]int
			for q := range 4 {
				a[q] = final * p[q] / 100
			}
			up.achieved[t] = &a
		}
	}
	// One unit revises a task's progress down in Q3: reports are mostly, not always, monotone.
	if up := g.dip; up != nil {
		for _, t := range up.tasks {
			if p := up.progress[t]; p[1] >= 30 && p[1] <= 90 && p[2] < 100 {
				p[2] = p[1] - 10
				break
			}
		}
	}
}

func (g *gen) trajectory(lag bool) [4]int {
	var p [4]int
	if lag {
		start, final := 5*g.rng.IntN(4), 30+5*g.rng.IntN(6)
		for q := range 4 {
			p[q] = start + (final-start)*q/3/5*5
		}
		return p
	}
	// The quarter (0-based) the task reaches 100; 4 for not this year.
	done := 4
	switch r := g.rng.IntN(100); {
	case r < 10:
		done = 1
	case r < 50:
		done = 2
	case r < 85:
		done = 3
	}
	final, steps := 100, done+1
	if done == 4 {
		final, steps = 60+5*g.rng.IntN(8), 4
	}
	for q := range 4 {
		if q >= done {
			p[q] = 100
			continue
		}
		v := final*(q+1)/steps + 5*(g.rng.IntN(5)-2)
		v = min(95, max(0, v/5*5))
		if q == 0 && g.rng.IntN(8) == 0 {
			v = 0
		}
		if q > 0 {
			v = max(v, p[q-1])
		}
		p[q] = v
	}
	if done == 4 {
		p[3] = max(final, p[2])
	}
	return p
}

// fileSpec is one file to write: its manifest entry, the style it is written in and rows.
type fileSpec struct {
	File
	st   style
	q    int
	date time.Time
	recs []record
}

// record is one row before formatting. marks say which of its cells are of interest.
type record struct {
	unit     string // as written
	period   string // as written
	task     int
	status   string
	progress int // -1: left empty
	achieved int // -1: none
	notes    string
	evidence string
	date     time.Time
	marks    []mark
}

type mark struct {
	kind int
	col  int
	why  string
}

const (
	markBad = iota
	markFlag
	markTricky
)

func (g *gen) buildFiles() {
	others := g.ofKind(plan.KindOther)
	for q := 1; q <= 4; q++ {
		for _, up := range g.units {
			date := g.quarterEnd(q).AddDate(0, 0, 1+g.rng.IntN(GraceDays))
			switch {
			case up.late[q]:
				date = g.quarterEnd(q).AddDate(0, 0, 2*GraceDays+g.rng.IntN(21))
			case up == g.resend && q == resendQuarter:
				// Early enough that the correction, days later, is still on time.
				date = g.quarterEnd(q).AddDate(0, 0, 1+g.rng.IntN(GraceDays/2))
			}
			if up.missing == q || (q == 4 && up.u.Kind == plan.KindOther) {
				continue
			}
			fs := g.unitFile(up, q, date, "")
			g.files = append(g.files, fs)
			if up == g.resend && q == resendQuarter {
				g.files = append(g.files, g.correction(fs))
			}
		}
	}
	g.files = append(g.files, g.mixedFile(others))
}

func (g *gen) unitFile(up *unitPlan, q int, date time.Time, suffix string) *fileSpec {
	fs := &fileSpec{
		File: File{
			Path:     fmt.Sprintf("%s/%s%s.%s", g.period(q), up.u.Name, suffix, up.format),
			Format:   up.format,
			Encoding: up.encoding,
			Unit:     up.u.ID,
			Period:   g.period(q),
			Date1904: up.st.date1904,
		},
		st:   up.st,
		q:    q,
		date: date,
	}
	for _, t := range up.tasks {
		fs.recs = append(fs.recs, g.record(up, t, q, date))
	}
	return fs
}

func (g *gen) record(up *unitPlan, t, q int, date time.Time) record {
	p := up.progress[t][q-1]
	r := record{
		unit:     up.st.name,
		period:   periodText(g.c.Year, q, up.st.period),
		task:     t,
		status:   g.status(&up.st, p),
		progress: p,
		achieved: -1,
		date:     date,
	}
	var done int
	if a, ok := up.achieved[t]; ok {
		r.achieved, done = a[q-1], a[q-1]
	}
	r.notes, r.evidence = g.note(g.c.Task(t), p, done, up.lag)
	if p == 100 && up.st.blankDone {
		r.progress = -1
	}
	return r
}

func (g *gen) status(st *style, p int) string {
	switch {
	case p == 0:
		return "未启动"
	case p == 100:
		return st.doneWord
	case p >= 90 && g.rng.IntN(2) == 0:
		return "基本完成"
	}
	return st.inWord
}

// correction is the file a unit re-sends days later: the values of the first file were
// partly wrong, so the first file (already in g.files) gets the wrong values.
func (g *gen) correction(first *fileSpec) *fileSpec {
	up := g.resend
	fixed := g.unitFile(up, first.q, first.date.AddDate(0, 0, 3+g.rng.IntN(GraceDays/2-2)), "-更正")
	fixed.Corrects = first.Path
	for n, i := range g.rng.Perm(len(first.recs)) {
		if n == 3 {
			break
		}
		r := &first.recs[i]
		r.progress = max(0, up.progress[r.task][first.q-1]-20-5*g.rng.IntN(3))
		r.status = g.status(&up.st, r.progress)
	}
	return fixed
}

// mixedFile is what the office compiles for small units that send their figures by phone
// or message: one CSV for the last quarter, each row with its unit's own date.
func (g *gen) mixedFile(others []*unitPlan) *fileSpec {
	q := 4
	fs := &fileSpec{
		File: File{
			Path:     fmt.Sprintf("%s/市直其他单位汇总.csv", g.period(q)),
			Format:   "csv",
			Encoding: "utf-8-bom",
			Period:   g.period(q),
		},
		st: style{name: "", progress: progPct, date: dateISO, period: periodCNFull, inWord: "推进中", doneWord: "已完成"},
		q:  q,
	}
	for _, up := range others {
		date := g.quarterEnd(q).AddDate(0, 0, 1+g.rng.IntN(GraceDays))
		fs.date = maxDate(fs.date, date)
		saved := up.st
		up.st.name, up.st.period, up.st.blankDone = up.u.Name, fs.st.period, false
		for _, t := range up.tasks {
			fs.recs = append(fs.recs, g.record(up, t, q, date))
		}
		up.st = saved
	}
	if fs.date.IsZero() {
		fs.date = g.quarterEnd(q).AddDate(0, 0, GraceDays)
	}
	// A row pasted from another city's table: the unit does not exist here.
	t := g.c.Tasks[g.rng.IntN(len(g.c.Tasks))].No
	fs.recs = append(fs.recs, record{
		unit: "市外星事务局", period: periodText(g.c.Year, q, fs.st.period), task: t, status: "已完成",
		progress: 100, achieved: -1, notes: "按要求完成相关工作。", date: fs.date,
		marks: []mark{{markBad, colUnit, "unit 市外星事务局 is not in the registry"}},
	})
	return fs
}

func maxDate(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}

// fileOf finds the file of a unit for a quarter (the first, when a unit re-sent it).
func (g *gen) fileOf(up *unitPlan, q int) *fileSpec {
	for _, fs := range g.files {
		if fs.Unit == up.u.ID && fs.q == q && fs.Corrects == "" {
			return fs
		}
	}
	return nil
}

// someFile picks a quarter's file of a unit, at random.
func (g *gen) someFile(up *unitPlan) *fileSpec {
	if up == nil {
		return nil
	}
	return g.fileOf(up, 1+g.rng.IntN(4))
}

func (g *gen) applySpecials() {
	mutate := func(up *unitPlan, col int, why string, kind int, change func(*record)) {
		fs := g.someFile(up)
		if fs == nil || len(fs.recs) == 0 {
			return
		}
		r := &fs.recs[g.rng.IntN(len(fs.recs))]
		change(r)
		r.marks = append(r.marks, mark{kind, col, why})
	}
	mutate(g.bad120, colProgress, "progress 120 is above 100", markBad, func(r *record) {
		r.progress, r.status = 120, g.bad120.st.doneWord
	})
	mutate(g.bad150, colProgress, "progress 150 is above 100", markBad, func(r *record) {
		r.progress, r.status = 150, g.bad150.st.doneWord
	})
	mutate(g.badStatus, colStatus, "status 搞定了 is not a status word", markBad, func(r *record) {
		r.status = "搞定了"
	})
	mutate(g.badQ5, colPeriod, fmt.Sprintf("period %dQ5 does not exist", g.c.Year), markBad, func(r *record) {
		r.period = fmt.Sprintf("%dQ5", g.c.Year)
	})
	mutate(g.contradict, colProgress, "status 已完成 at progress 40", markFlag, func(r *record) {
		r.status, r.progress = "已完成", 40
	})
	mutate(g.trickyCSV, colNotes, "note with a comma, quotes and a line break", markTricky, func(r *record) {
		r.notes = "召开\"法治建设\"专题会议2次,参会120人次\n会议纪要已报市司法局备案"
	})
	mutate(g.trickyHTML, colNotes, "note with HTML characters", markTricky, func(r *record) {
		r.notes = "开展“法治体检”<企业座谈&走访>活动12场，</script>形成问题清单"
	})

	if fs := g.someFile(g.bad99); fs != nil && len(fs.recs) > 0 {
		r := fs.recs[len(fs.recs)-1]
		r.task, r.status, r.progress, r.achieved = 99, g.bad99.st.doneWord, 100, -1
		r.notes, r.evidence = "完成上级交办的其他法治建设工作。", ""
		r.marks = []mark{{markBad, colTask, "task 99 is not in the plan"}}
		fs.recs = append(fs.recs, r)
	}
	if up := g.unassigned; up != nil {
		if fs := g.someFile(up); fs != nil && len(fs.recs) > 0 {
			var free []int
			for _, t := range g.c.Tasks {
				if !slices.Contains(up.tasks, t.No) {
					free = append(free, t.No)
				}
			}
			r := fs.recs[0]
			r.task, r.progress, r.achieved = free[g.rng.IntN(len(free))], 50, -1
			r.status = up.st.inWord
			r.notes, r.evidence = "配合牵头单位做好相关工作，及时报送工作进展。", ""
			r.marks = []mark{{markFlag, colTask, fmt.Sprintf("task %d is not assigned to %s", r.task, up.u.Name)}}
			i, _ := slices.BinarySearchFunc(fs.recs, r.task, func(a record, t int) int { return cmp.Compare(a.task, t) })
			fs.recs = slices.Insert(fs.recs, i, r)
		}
	}
	for _, fs := range g.files {
		fs.SubmittedOn = fs.date.Format(time.DateOnly)
		fs.Late = fs.date.After(g.quarterEnd(fs.q).AddDate(0, 0, GraceDays))
	}
}

// newRNG is the run's only source of randomness.
func newRNG(seed int64) *rand.Rand { return rand.New(rand.NewPCG(uint64(seed), uint64(seed))) }
