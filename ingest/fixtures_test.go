package ingest

import (
	"archive/zip"
	"os"
	"path/filepath"
	"testing"

	"github.com/xuri/excelize/v2"
)

// The XLSX fixtures are written by code, so what each holds is readable here; -update
// rewrites them (byte-stable: fixed document properties) along with the goldens.
var xlsxFixtures = map[string]func(path string) error{
	"xlsx-as-units-make-them/input/东昌府区.xlsx": unitWorkbook,
	"xlsx-merged-cells/input/茌平区.xlsx":        mergedWorkbook,
	"xlsx-1904/input/聊城高新技术产业开发区.xlsx":        workbook1904,
	"xlsx-not-a-workbook/input/假的.xlsx": func(p string) error {
		return os.WriteFile(p, []byte("填报单位,报告期\n东阿县,2021Q1\n"), 0o644)
	},
	"xlsx-not-a-workbook/input/旧格式.xlsx": func(p string) error {
		return os.WriteFile(p, append([]byte("\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1"), make([]byte, 504)...), 0o644)
	},
	"xlsx-not-a-workbook/input/别的压缩包.xlsx": plainZip,
}

func writeFixtures(t *testing.T) {
	t.Helper()
	for name, make := range xlsxFixtures {
		path := filepath.Join("testdata", "cases", filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := make(path); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
	}
}

func newBook() *excelize.File {
	f := excelize.NewFile()
	f.SetDocProps(&excelize.DocProperties{Created: "2021-07-01T00:00:00Z", Modified: "2021-07-01T00:00:00Z", Creator: "plantrack test"})
	return f
}

func save(f *excelize.File, path string) error {
	defer f.Close()
	return f.SaveAs(path)
}

// unitWorkbook is a county's report as offices make it: a merged title, a 填报单位/填报日期
// line above a header on row 3 (no unit or date column), percent and date cells, a number
// stored as text, full-width digits, blank, totals and note rows, and an instructions sheet.
func unitWorkbook(path string) error {
	f := newBook()
	const s = "进度表"
	f.SetSheetName("Sheet1", s)
	f.SetCellValue(s, "A1", "聊城市2021年法治政府建设工作进度表（2021年第二季度）")
	f.MergeCell(s, "A1", "F1")
	f.SetCellValue(s, "A2", "填报单位：东昌府区人民政府")
	f.MergeCell(s, "A2", "C2")
	f.SetCellValue(s, "D2", "填报日期：2021年7月6日")
	f.MergeCell(s, "D2", "F2")
	f.SetSheetRow(s, "A3", &[]any{"任务序号", "完成状态", "完成进度", "完成数量", "工作进展", "佐证材料"})
	pct, _ := f.NewStyle(&excelize.Style{NumFmt: 9})
	rows := [][]any{
		{1, "推进中", 0.85, nil, "理论学习中心组专题学习2次", ""},
		{"5", "已完成", 1, "２", "组织法治专题讲座", "通知.pdf"},
		{"７", "推进中", "60%", nil, "数字是文本", ""},
		{8, "已完成", 0.4, nil, "完成但进度只有40%", ""},
		{9, "推进中", 1.2, nil, "进度写成了120%", ""},
	}
	for i, r := range rows {
		cell, _ := excelize.CoordinatesToCellName(1, 4+i)
		f.SetSheetRow(s, cell, &r)
		if _, ok := r[2].(float64); ok {
			c, _ := excelize.CoordinatesToCellName(3, 4+i)
			f.SetCellStyle(s, c, c, pct)
		}
		if v, ok := r[2].(int); ok && v == 1 {
			c, _ := excelize.CoordinatesToCellName(3, 4+i)
			f.SetCellStyle(s, c, c, pct)
		}
	}
	f.SetCellValue(s, "A10", "合计")
	f.SetCellValue(s, "A11", "注：完成进度请按百分比填写。")
	f.NewSheet("说明")
	f.SetCellValue("说明", "A1", "本表由各单位于季度结束后10日内报送。")
	return save(f, path)
}

// mergedWorkbook has the unit and period written once in vertically merged cells, and
// real date cells.
func mergedWorkbook(path string) error {
	f := newBook()
	const s = "Sheet1"
	f.SetSheetRow(s, "A1", &[]any{"填报单位", "报告期", "任务序号", "完成状态", "完成进度", "填报日期"})
	date, _ := f.NewStyle(&excelize.Style{NumFmt: 14})
	for i, task := range []int{1, 2, 3} {
		row := i + 2
		cell, _ := excelize.CoordinatesToCellName(3, row)
		f.SetSheetRow(s, cell, &[]any{task, "推进中", 50 + 10*i, 44385.0 + float64(i)}) // 2021-07-08 …
		d, _ := excelize.CoordinatesToCellName(6, row)
		f.SetCellStyle(s, d, d, date)
	}
	f.SetCellValue(s, "A2", "茌平县")
	f.MergeCell(s, "A2", "A4")
	f.SetCellValue(s, "B2", "2021年第二季度")
	f.MergeCell(s, "B2", "B4")
	return save(f, path)
}

// workbook1904 uses the 1904 date system (old Excel for Mac): serial 42923 is 2021-07-08
// there, and would be 2017-07-07 read in the 1900 system.
func workbook1904(path string) error {
	f := newBook()
	yes := true
	f.SetWorkbookProps(&excelize.WorkbookPropsOptions{Date1904: &yes})
	const s = "Sheet1"
	f.SetSheetRow(s, "A1", &[]any{"填报单位", "报告期", "任务序号", "完成状态", "完成进度", "填报日期"})
	f.SetSheetRow(s, "A2", &[]any{"高新区", "2021Q2", 1, "已完成", 100, 42923.0})
	date, _ := f.NewStyle(&excelize.Style{NumFmt: 14})
	f.SetCellStyle(s, "F2", "F2", date)
	return save(f, path)
}

// plainZip is a zip that holds no workbook.
func plainZip(path string) error {
	out, err := os.Create(path)
	if err != nil {
		return err
	}
	defer out.Close()
	zw := zip.NewWriter(out)
	w, err := zw.Create("readme.txt")
	if err != nil {
		return err
	}
	w.Write([]byte("not a workbook"))
	return zw.Close()
}
