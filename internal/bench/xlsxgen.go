package bench

import (
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/xuri/excelize/v2"
)

// WriteSubmissionsXLSX writes a workbook of rows submissions to path, the big-workbook
// input of issue 16: one sheet (进度表) whose first row is the nine Chinese headers, as a
// city office compiles its units' reports in Excel, and rows on keys (unit, task, period)
// keys of the built-in plan, chosen as WriteSubmissionsCSV chooses them (row i on key
// i mod keys, the n-th report on a key dated n days after its quarter's first day). Cells
// are typed as Excel types them: the task a number, 完成进度 a number in a percent format
// (0.85 shown as 85%), 完成数量 a number or empty, 填报日期 a date (yyyy-mm-dd), the rest
// text. excelize's StreamWriter writes it row by row (the sheet spooled to a temporary
// file, never whole in memory); its text cells are inline strings where Excel would keep a
// shared-string table. The same arguments give the same bytes (fixed document
// properties).
func WriteSubmissionsXLSX(path string, rows, keys int) error {
	p, ks, err := submissionKeys(keys)
	if err != nil {
		return fmt.Errorf("submissions XLSX: %w", err)
	}
	if rows < 0 || rows > 1<<20-1 {
		return fmt.Errorf("submissions XLSX: %d rows: a sheet holds 1 to %d", rows, 1<<20-1)
	}
	year := p.Catalog.Year

	f := excelize.NewFile()
	defer f.Close()
	f.SetDocProps(&excelize.DocProperties{Created: "2022-01-10T00:00:00Z", Modified: "2022-01-10T00:00:00Z", Creator: "plantrack bench"})
	const sheet = "进度表"
	if err := f.SetSheetName("Sheet1", sheet); err != nil {
		return err
	}
	pct, err := f.NewStyle(&excelize.Style{NumFmt: 9})
	if err != nil {
		return err
	}
	dateFmt := "yyyy-mm-dd"
	date, err := f.NewStyle(&excelize.Style{CustomNumFmt: &dateFmt})
	if err != nil {
		return err
	}
	sw, err := f.NewStreamWriter(sheet)
	if err != nil {
		return err
	}
	header := []any{"填报单位", "报告期", "任务序号", "完成状态", "完成进度", "完成数量", "工作进展", "佐证材料", "填报日期"}
	if err := sw.SetRow("A1", header); err != nil {
		return err
	}
	x := uint64(0x9E3779B97F4A7C15)
	next := func(n int) int {
		x = x*6364136223846793005 + 1442695040888963407
		return int((x >> 33) % uint64(n))
	}
	notes := [...]string{
		"组织开展法治宣传教育进机关、进乡村、进社区活动第%d场, 覆盖群众约%d人次",
		"召开专题会议研究部署法治政府建设重点任务第%d次，形成会议纪要%d份",
		"完成行政规范性文件合法性审核%d件, 提出修改完善意见%d条，均已采纳",
		"开展行政执法案卷评查%d卷，发现问题%d个并逐项督促整改到位",
	}
	evidence := [...]string{"", "会议纪要.pdf", "工作台账.xlsx"}
	row := make([]any, 9)
	for i := range rows {
		k := &ks[i%keys]
		version := i / keys
		v := min(100, 10*k.quarter+version%70+next(20))
		status := "推进中"
		switch {
		case v >= 100:
			status = "已完成"
		case v < 5:
			status, v = "未启动", 0
		}
		var achieved any
		if i%5 == 0 {
			achieved = 1 + next(9)
		}
		var ev any
		if e := evidence[i%len(evidence)]; e != "" {
			ev = e
		}
		day := time.Date(year, time.Month(3*k.quarter-2), 1+version, 0, 0, 0, 0, time.UTC)
		row[0], row[1], row[2], row[3] = k.unit, k.period, k.task, status
		row[4] = excelize.Cell{StyleID: pct, Value: float64(v) / 100}
		row[5] = achieved
		row[6] = fmt.Sprintf(notes[i%len(notes)], 1+next(500), 1+next(5000))
		row[7] = ev
		row[8] = excelize.Cell{StyleID: date, Value: day}
		cell, err := excelize.CoordinatesToCellName(1, i+2)
		if err != nil {
			return err
		}
		if err := sw.SetRow(cell, row); err != nil {
			return err
		}
	}
	if err := sw.Flush(); err != nil {
		return err
	}
	// Written beside path and renamed: an interrupted run leaves no half workbook there.
	tmp := filepath.Join(filepath.Dir(path), ".tmp-"+filepath.Base(path)) // excelize wants the .xlsx
	if err := f.SaveAs(tmp); err != nil {
		os.Remove(tmp)
		return err
	}
	if err := os.Chmod(tmp, 0o644); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}
