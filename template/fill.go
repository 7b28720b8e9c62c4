package template

import (
	"fmt"
	"maps"
	"slices"
	"strconv"
	"time"

	"plantrack/sheet"

	"github.com/xuri/excelize/v2"
)

// Entry is what a unit writes on one task's row. Numbers go in as number cells, as Excel
// stores what is typed; a string goes in as text, as a paste does (and a paste skips
// Excel's validation, so a string may hold anything). nil leaves a cell empty.
type Entry struct {
	Status   string
	Progress any // int, float64, string or nil
	Achieved any
	Notes    string
	Evidence string
}

// Fill writes a unit's answers into its template, as the unit would in Excel: the
// 填报日期 (a zero date leaves it empty) and one entry per task. Tasks without an entry
// stay blank: not reported this period.
func Fill(f *excelize.File, date time.Time, entries map[int]Entry) error {
	m, err := ReadMeta(f)
	if err != nil {
		return err
	}
	if m == nil {
		return fmt.Errorf("fill: not a plantrack template")
	}
	rows, err := TaskRows(f, m)
	if err != nil {
		return err
	}
	sh := m.Sheet
	if !date.IsZero() {
		if err := f.SetCellInt(sh, m.DateCell, int64(sheet.Serial(date))); err != nil {
			return err
		}
	}
	// In task order: excelize numbers shared strings as they are set, so map order
	// would give other bytes each time.
	for _, task := range slices.Sorted(maps.Keys(entries)) {
		e := entries[task]
		row, ok := rows[task]
		if !ok {
			return fmt.Errorf("fill: task %d is not in the template of %s", task, m.UnitName)
		}
		for _, c := range []struct {
			col int
			v   any
		}{{ColStatus, e.Status}, {ColProgress, e.Progress}, {ColAchieved, e.Achieved}, {ColNotes, e.Notes}, {ColEvidence, e.Evidence}} {
			if err := put(f, sh, sheet.Cell(c.col, row), c.v); err != nil {
				return err
			}
		}
	}
	return nil
}

func put(f *excelize.File, sh, at string, v any) error {
	switch x := v.(type) {
	case nil:
		return nil
	case string:
		if x == "" {
			return nil
		}
		return f.SetCellStr(sh, at, x)
	case int:
		return f.SetCellInt(sh, at, int64(x))
	case float64:
		return f.SetCellFloat(sh, at, x, -1, 64)
	}
	return fmt.Errorf("fill: %s: cannot write a %T", at, v)
}

// TaskRows maps each task number of a template to its row on the data sheet.
func TaskRows(f *excelize.File, m *Meta) (map[int]int, error) {
	out := map[int]int{}
	for row := m.HeaderRow + 1; ; row++ {
		v, err := f.GetCellValue(m.Sheet, sheet.Cell(ColTask, row), excelize.Options{RawCellValue: true})
		if err != nil {
			return nil, err
		}
		n, err := strconv.Atoi(v)
		if err != nil {
			return out, nil
		}
		out[n] = row
	}
}
