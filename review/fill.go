package review

import (
	"fmt"
	"strconv"
	"time"

	"plantrack/sheet"

	"github.com/xuri/excelize/v2"
)

// Key names a row of a review workbook: the unit and task of the report it shows (one
// standing report per assignment).
type Key struct {
	UnitID string
	Task   int
}

// Entry is what a reviewer writes on one row: the 审核结果 (any word import reads: 通过,
// 退回, 同意 …) and the 审核意见.
type Entry struct {
	Decision, Comment string
}

// Fill writes a reviewer's decisions into a review workbook, as a reviewer would in Excel:
// the 审核日期 (a zero date leaves it as it is) and one entry per row named. Rows without an
// entry are left as they are. It is for tests and the demo.
func Fill(f *excelize.File, date time.Time, entries map[Key]Entry) error {
	m, err := readMeta(f)
	if err != nil {
		return err
	}
	sh := m.Sheet
	if !date.IsZero() {
		if err := f.SetCellInt(sh, m.DateCell, int64(sheet.Serial(date))); err != nil {
			return err
		}
	}
	done := 0
	for row := m.HeaderRow + 1; done < len(entries); row++ {
		id, err := f.GetCellValue(sh, sheet.Cell(ColUnitID, row), excelize.Options{RawCellValue: true})
		if err != nil {
			return err
		}
		if id == "" {
			break
		}
		t, err := f.GetCellValue(sh, sheet.Cell(ColTask, row), excelize.Options{RawCellValue: true})
		if err != nil {
			return err
		}
		task, _ := strconv.Atoi(t)
		e, ok := entries[Key{id, task}]
		if !ok {
			continue
		}
		done++
		for _, c := range []struct {
			col int
			v   string
		}{{ColDecision, e.Decision}, {ColComment, e.Comment}} {
			at := sheet.Cell(c.col, row)
			if c.v == "" {
				err = f.SetCellValue(sh, at, nil)
			} else {
				err = f.SetCellStr(sh, at, c.v)
			}
			if err != nil {
				return err
			}
		}
	}
	if done < len(entries) {
		return fmt.Errorf("fill: %d of the %d rows named are not in the review workbook", len(entries)-done, len(entries))
	}
	return nil
}

// Keys lists the rows of a review workbook, in order: the unit and task of each report.
func Keys(f *excelize.File) ([]Key, error) {
	m, err := readMeta(f)
	if err != nil {
		return nil, err
	}
	var out []Key
	for row := m.HeaderRow + 1; ; row++ {
		id, err := f.GetCellValue(m.Sheet, sheet.Cell(ColUnitID, row), excelize.Options{RawCellValue: true})
		if err != nil {
			return nil, err
		}
		if id == "" {
			return out, nil
		}
		t, err := f.GetCellValue(m.Sheet, sheet.Cell(ColTask, row), excelize.Options{RawCellValue: true})
		if err != nil {
			return nil, err
		}
		task, _ := strconv.Atoi(t)
		out = append(out, Key{id, task})
	}
}
