package ingest

import (
	"archive/zip"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/xuri/excelize/v2"

	"plantrack/internal/testkit"
)

// excelizeRows is how ingest read a sheet before it read sheets as they inflate: excelize's
// GetRows, GetCellType and GetCellStyle for each number, GetMergeCells, the whole sheet in
// memory. Every sheet the streaming reader reads must read the same.
func excelizeRows(t *testing.T, path, sheet string) [][]string {
	t.Helper()
	wb, err := excelize.OpenFile(path)
	if err != nil {
		t.Fatal(err)
	}
	defer wb.Close()
	props, err := wb.GetWorkbookProps()
	if err != nil {
		t.Fatal(err)
	}
	date1904 := props.Date1904 != nil && *props.Date1904
	rows, err := wb.GetRows(sheet, excelize.Options{RawCellValue: true})
	if err != nil {
		t.Fatal(err)
	}
	for r, row := range rows {
		for c, v := range row {
			if v == "" || !looksNumeric(v) {
				continue
			}
			axis, _ := excelize.CoordinatesToCellName(c+1, r+1)
			typ, err := wb.GetCellType(sheet, axis)
			if err != nil || (typ != excelize.CellTypeNumber && typ != excelize.CellTypeUnset && typ != excelize.CellTypeDate) {
				continue
			}
			style, err := wb.GetCellStyle(sheet, axis)
			if err != nil {
				continue
			}
			row[c] = formatNumber(v, styleFormat(wb, style), date1904)
		}
	}
	lastRow, width := 0, 0
	for r, row := range rows {
		if w := textWidth(row); w > 0 {
			lastRow, width = r+1, max(width, w)
		}
	}
	rows = rows[:lastRow]
	merges, err := wb.GetMergeCells(sheet, true)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range merges {
		c0, r0, err1 := excelize.CellNameToCoordinates(m.GetStartAxis())
		c1, r1, err2 := excelize.CellNameToCoordinates(m.GetEndAxis())
		if err1 != nil || err2 != nil || r0 > len(rows) || c0 > width {
			continue
		}
		c1, r1 = min(c1, width), min(r1, len(rows))
		v := ""
		if c0-1 < len(rows[r0-1]) {
			v = rows[r0-1][c0-1]
		}
		for r := r0; r <= r1; r++ {
			for len(rows[r-1]) < c1 {
				rows[r-1] = append(rows[r-1], "")
			}
			for c := c0; c <= c1; c++ {
				rows[r-1][c-1] = v
			}
		}
	}
	return rows
}

// streamedRows reads a sheet as ingest does, whole first (stream false) or as it inflates.
func streamedRows(t *testing.T, path, sheet string, stream bool) [][]string {
	t.Helper()
	if stream {
		defer func(v uint64) { xlsxStreamAbove = v }(xlsxStreamAbove)
		xlsxStreamAbove = 0
	}
	book, err := openXLSX(path)
	if err != nil {
		t.Fatal(err)
	}
	defer book.Close()
	props, err := book.wb.GetWorkbookProps()
	if err != nil {
		t.Fatal(err)
	}
	zf, ok := book.part(sheet)
	if !ok {
		t.Fatalf("no sheet %s", sheet)
	}
	numFmt := func(style int) numFormat { return styleFormat(book.wb, style) }
	rows, err := (&fileJob{}).sheetRows(zf, book, numFmt, props.Date1904 != nil && *props.Date1904)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.close()
	var out [][]string
	for {
		n, cells, err := rows.next()
		if errors.Is(err, io.EOF) {
			return out
		}
		if err != nil {
			t.Fatal(err)
		}
		if n != len(out)+1 {
			t.Fatalf("row %d after %d rows", n, len(out))
		}
		out = append(out, cells)
	}
}

// rowsText shows rows for a comparison: empty rows and cells as written, nil as empty.
func rowsText(rows [][]string) string {
	var b strings.Builder
	for i, r := range rows {
		fmt.Fprintf(&b, "%d: %q\n", i+1, r)
	}
	return b.String()
}

// Workbooks as excelize writes them, as LibreOffice saves them and as other programs may
// write their XML (prefixes, CDATA, references, styles on rows and columns, merged ranges
// that overlap): the streaming reader reads every sheet as excelize reads it, whole or as
// it inflates.
func TestSheetsReadAsExcelizeReadsThem(t *testing.T) {
	dir := t.TempDir()
	book := filepath.Join(dir, "excelize.xlsx")
	if err := variedWorkbook(book); err != nil {
		t.Fatal(err)
	}
	fixtures := map[string]func(string) error{"units.xlsx": unitWorkbook, "merged.xlsx": mergedWorkbook, "1904.xlsx": workbook1904}
	var paths []string
	for name, write := range fixtures {
		p := filepath.Join(dir, name)
		if err := write(p); err != nil {
			t.Fatal(err)
		}
		paths = append(paths, p)
	}
	for name, sheet := range handSheets {
		p := filepath.Join(dir, name+".xlsx")
		rawWorkbook(t, p, sheet, handStrings)
		paths = append(paths, p)
	}
	paths = append(paths, book, testkit.SOffice(t, book, "xlsx", filepath.Join(dir, "libreoffice")))
	slices.Sort(paths)
	for _, p := range paths {
		wb, err := excelize.OpenFile(p)
		if err != nil {
			t.Fatal(err)
		}
		sheets := wb.GetSheetList()
		wb.Close()
		for _, sheet := range sheets {
			want := rowsText(excelizeRows(t, p, sheet))
			for _, stream := range []bool{false, true} {
				if got := rowsText(streamedRows(t, p, sheet, stream)); got != want {
					t.Errorf("%s, sheet %s (read as it inflates: %v):\n%s\nexcelize reads:\n%s", filepath.Base(p), sheet, stream, got, want)
				}
			}
		}
	}
}

// variedWorkbook holds what offices put in cells: shared and rich text, percent and date
// styles built in and custom, numbers stored as text, booleans, formulas, text that must
// be escaped, merged titles and units, rows left out.
func variedWorkbook(path string) error {
	f := excelize.NewFile()
	defer f.Close()
	const s = "数据"
	f.SetSheetName("Sheet1", s)
	pct, _ := f.NewStyle(&excelize.Style{NumFmt: 9})
	pct2, _ := f.NewStyle(&excelize.Style{NumFmt: 10})
	pctCustom := "0.0%"
	pct3, _ := f.NewStyle(&excelize.Style{CustomNumFmt: &pctCustom})
	date, _ := f.NewStyle(&excelize.Style{NumFmt: 14})
	cnDate := `yyyy"年"m"月"d"日"`
	date2, _ := f.NewStyle(&excelize.Style{CustomNumFmt: &cnDate})
	dateTime, _ := f.NewStyle(&excelize.Style{NumFmt: 22})
	num, _ := f.NewStyle(&excelize.Style{NumFmt: 2})
	f.SetCellValue(s, "A1", "聊城市2021年法治政府建设工作进度表（2021年第二季度）")
	f.MergeCell(s, "A1", "I1")
	f.SetCellValue(s, "A2", "填报单位：东阿县人民政府")
	f.MergeCell(s, "A2", "C2")
	f.SetCellValue(s, "D2", "填报日期：")
	f.SetCellFloat(s, "E2", 44385, -1, 64)
	f.SetCellStyle(s, "E2", "E2", date)
	f.SetSheetRow(s, "A3", &[]any{"填报单位", "报告期", "任务序号", "完成状态", "完成进度", "完成数量", "工作进展", "佐证材料", "填报日期"})
	f.SetSheetRow(s, "A4", &[]any{"东阿县", "2021Q2", 1, "推进中", 0.85, 2, "a&b<c>\"d'", "", 44385.5})
	f.SetCellStyle(s, "E4", "E4", pct)
	f.SetCellStyle(s, "I4", "I4", dateTime)
	f.SetSheetRow(s, "A6", &[]any{nil, "2021年第二季度", "5", "已完成", 0.855, 1.5, "第一行\n第二行", "含_x000D_字样", 44386})
	f.SetCellStyle(s, "E6", "E6", pct3)
	f.SetCellStyle(s, "F6", "F6", num)
	f.SetCellStyle(s, "I6", "I6", date2)
	f.MergeCell(s, "A4", "A7")
	f.SetSheetRow(s, "B7", &[]any{"2021-06", 7, "推进中", 1, nil, "  ", nil, 0.3})
	f.SetCellStyle(s, "E7", "E7", pct2)
	f.SetCellStyle(s, "I7", "I7", pct)
	f.SetCellBool(s, "J7", true)
	f.SetCellRichText(s, "G7", []excelize.RichTextRun{{Text: "加粗", Font: &excelize.Font{Bold: true}}, {Text: "普通"}})
	f.SetCellFormula(s, "F7", "SUM(F4:F6)")
	f.SetCellValue(s, "A9", "   ")
	f.SetSheetRow(s, "A12", &[]any{"冠县", "2021Q2", 3, "推进中", "60%", "", "说明\r\n换行", "", "2021-07-05"})
	f.SetCellValue(s, "A14", "注：完成进度请按百分比填写。")
	f.MergeCell(s, "A14", "I14")
	f.NewSheet("说明")
	f.SetCellValue("说明", "B3", "本表由各单位于季度结束后10日内报送。")
	f.MergeCell("说明", "B3", "D5")
	f.NewSheet("空表")
	return f.SaveAs(path)
}

// handStrings are the shared strings of the hand-written sheets.
var handStrings = []string{"填报单位", "东阿县", " 12 ", "<si><t>直接</t><r><t>一</t></r><r><rPr><b/></rPr><t>二</t></r><rPh sb=\"0\" eb=\"1\"><t>fu</t></rPh></si>"}

// handSheets are sheets as other programs write them, for rawWorkbook; style 1 is a
// percent, 2 a date, 3 a custom date, 4 a number with two decimals.
var handSheets = map[string]string{
	"prefixed": `<x:worksheet xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main">
<x:sheetData><x:row r="1"><x:c r="A1" t="s"><x:v>0</x:v></x:c><x:c r="B1" t="inlineStr"><x:is><x:t>任务序号</x:t></x:is></x:c></x:row>
<x:row r="2"><x:c r="A2" t="s"><x:v>1</x:v></x:c><x:c r="B2" s="1"><x:v>0.5</x:v></x:c></x:row></x:sheetData></x:worksheet>`,
	"markup": `<?xml version="1.0" encoding="UTF-8"?>
<!-- written by hand --><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>
<row r="1"><c r="A1" t="inlineStr"><is><t><![CDATA[a<b>&c]]></t></is></c><!-- a comment --><c r="B1" t="str"><v>&#x4E2D;&#25991;&amp;&lt;&gt;&quot;&apos;</v></c><?pi x?></row>
<row r="2"><c r='A2' t = 'inlineStr' foo="a>b"><is><t xml:space="preserve">  空格  </t></is></c><c r="B2" t="inlineStr"><is><t>回车&#13;&#10;换行</t></is></c><c r="C2" t="inlineStr"><is><t>_x000D_和_x005F_x000D_</t></is></c></row>
<row r="3"><c t="inlineStr"><is><t>无引用</t></is></c><c t="n" s="1"><v>0.25</v></c><c><v>7</v></c></row>
<row><c r="B4" t="e"><v>#DIV/0!</v></c><c r="C4" t="b"><v>1</v></c><c r="D4" t="d" s="2"><v>2021-07-05T00:00:00</v></c><c r="E4" t="x"><v>0.5</v></c></row>
<row r="6"><c r="A6" t="inlineStr"><is><r><t>甲</t></r><r><rPr><b/></rPr><t>乙</t></r><rPh><t>jia</t></rPh></is></c><c r="B6" t="s"><v>2</v></c><c r="C6" t="s"><v>3</v></c><c r="D6" t="s"><v>9</v></c><c r="E6" t="s"><v>x</v></c></row>
<row r="7"><c r="A7"><f>SUM(1,2)</f></c><c r="B7"><f>1+1</f><v>2</v></c><c r="C7" s="4"><v>1.5</v></c><c r="D7" s="3"><v>44385</v></c><c r="E7" s="1" t="s"><v>2</v></c></row>
</sheetData></worksheet>`,
	"styles": `<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><cols><col min="3" max="4" width="9" style="2"/><col min="5" max="5" style="1"/></cols><sheetData>
<row r="1" s="1" customFormat="1"><c r="A1"><v>0.5</v></c><c r="B1" s="4"><v>0.5</v></c><c r="C1"><v>44385</v></c></row>
<row r="2"><c r="A2"><v>0.5</v></c><c r="C2"><v>44386</v></c><c r="D2" t="s"><v>1</v></c><c r="E2"><v>0.75</v></c><c r="F2"><v>0.75</v></c></row>
</sheetData></worksheet>`,
	"merges": `<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>
<row r="1"><c r="A1" t="inlineStr"><is><t>标题</t></is></c></row>
<row r="2"><c r="A2" t="inlineStr"><is><t>甲</t></is></c><c r="B2" t="inlineStr"><is><t>乙</t></is></c><c r="C2" t="inlineStr"><is><t>丙</t></is></c><c r="D2" t="inlineStr"><is><t>丁</t></is></c></row>
<row r="3"><c r="A3" t="inlineStr"><is><t>x</t></is></c><c r="C3" t="inlineStr"><is><t> </t></is></c></row>
<row r="4"><c r="B4" s="1"><v>0.5</v></c></row>
<row r="5"><c r="A5" t="inlineStr"><is><t> </t></is></c></row>
<row r="6"><c r="D6" t="inlineStr"><is><t>y</t></is></c></row>
<row r="9"><c r="A9" t="inlineStr"><is><t>  </t></is></c></row>
</sheetData><mergeCells count="5"><mergeCell ref="A1:D1"/><mergeCell ref="B3:C4"/><mergeCell ref="C4:C5"/><mergeCell ref="D2:D3"/><mergeCell ref="A6:A12"/><mergeCell ref="F2:H2"/></mergeCells></worksheet>`,
	"no rows": `<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData/></worksheet>`,
}

// rawWorkbook writes a workbook of one sheet, Sheet1, whose XML is sheet, with the shared
// strings sst (an item given as <si>… as it is, else as text).
func rawWorkbook(t testing.TB, path, sheet string, sst []string) {
	t.Helper()
	var si strings.Builder
	for _, s := range sst {
		if strings.HasPrefix(s, "<si>") {
			si.WriteString(s)
			continue
		}
		si.WriteString(`<si><t xml:space="preserve">`)
		xmlEscape(&si, s)
		si.WriteString("</t></si>")
	}
	parts := []struct{ name, body string }{
		{"[Content_Types].xml", `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/><Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/><Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>`},
		{"_rels/.rels", `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>`},
		{"xl/workbook.xml", `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>`},
		{"xl/_rels/workbook.xml.rels", `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="/xl/worksheets/sheet1.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/><Relationship Id="rId3" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>`},
		{"xl/styles.xml", `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><numFmts count="1"><numFmt numFmtId="164" formatCode="yyyy\-mm\-dd"/></numFmts><fonts count="1"><font><sz val="11"/><name val="Calibri"/></font></fonts><fills count="1"><fill><patternFill patternType="none"/></fill></fills><borders count="1"><border/></borders><cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs><cellXfs count="5"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/><xf numFmtId="9" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/><xf numFmtId="14" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/><xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/><xf numFmtId="2" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/></cellXfs></styleSheet>`},
		{"xl/sharedStrings.xml", `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">` + si.String() + `</sst>`},
		{"xl/worksheets/sheet1.xml", sheet},
	}
	out, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer out.Close()
	zw := zip.NewWriter(out)
	for _, p := range parts {
		w, err := zw.Create(p.name)
		if err != nil {
			t.Fatal(err)
		}
		io.WriteString(w, p.body)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
}

func xmlEscape(b *strings.Builder, s string) {
	r := strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;")
	b.WriteString(r.Replace(s))
}

// The reader reads the same whatever the sizes its input comes in: a byte at a time,
// every tag, reference and CDATA section is cut somewhere.
func TestSheetReaderByteByByte(t *testing.T) {
	sst := &sharedStrings{}
	for _, s := range []string{"甲", "乙"} {
		sst.text = append(sst.text, s...)
		sst.ends = append(sst.ends, uint32(len(sst.text)))
	}
	read := func(r io.Reader) string {
		sr := &sheetReader{x: newXMLScan(r), sst: func() (*sharedStrings, error) { return sst, nil },
			numFmt: func(style int) numFormat { return numFormat(style % 3) }}
		var b strings.Builder
		for {
			n, cells, err := sr.next()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				t.Fatal(err)
			}
			fmt.Fprintf(&b, "%d %q\n", n, cells)
		}
		merges, err := readMerges(sr.x)
		if err != nil {
			t.Fatal(err)
		}
		fmt.Fprint(&b, merges)
		return b.String()
	}
	for name, sheet := range handSheets {
		whole := read(strings.NewReader(sheet))
		if got := read(iotest.OneByteReader(strings.NewReader(sheet))); got != whole {
			t.Errorf("%s a byte at a time:\n%s\nwhole:\n%s", name, got, whole)
		}
	}
}

// What a sheet's XML may hold that no workbook should: the sheet is refused, saying why.
func TestSheetReaderRefuses(t *testing.T) {
	for _, c := range []struct{ name, rows, want string }{
		{"rows out of order", `<row r="3"><c r="A3"><v>1</v></c></row><row r="2"/>`, "row 2 after row 3: rows out of order"},
		{"row past the last", `<row r="1048577"/>`, "row 1048577: a sheet has at most 1048576 rows"},
		{"bad cell reference", `<row r="1"><c r="A0"><v>1</v></c></row>`, `row 1: cell reference "A0"`},
		{"cut short", `<row r="1"><c r="A1"><v>1`, "the XML ends in the middle"},
		{"bare ampersand", `<row r="1"><c r="A1" t="str"><v>a & b</v></c></row>`, "a bare & in the XML text"},
		{"not UTF-8", "<row r=\"1\"><c r=\"A1\" t=\"str\"><v>\xff</v></c></row>", "row 1: a cell's text is not UTF-8"},
	} {
		t.Run(c.name, func(t *testing.T) {
			xml := `<worksheet><sheetData>` + c.rows + `</sheetData></worksheet>`
			sr := &sheetReader{x: newXMLScan(strings.NewReader(xml)), sst: func() (*sharedStrings, error) { return &sharedStrings{}, nil },
				numFmt: func(int) numFormat { return fmtNumber }}
			var err error
			for err == nil {
				_, _, err = sr.next()
			}
			if errors.Is(err, io.EOF) || !strings.Contains(err.Error(), c.want) {
				t.Errorf("error %v, want %q", err, c.want)
			}
		})
	}
}

// Overlapping merged ranges are joined into the range around them, until none overlap, as
// excelize joins them.
func TestDisjointMerges(t *testing.T) {
	for _, c := range []struct {
		in   []mergeRange
		want []mergeRange
	}{
		{[]mergeRange{{1, 1, 1, 4}, {2, 1, 3, 1}}, []mergeRange{{1, 1, 1, 4}, {2, 1, 3, 1}}},
		{[]mergeRange{{1, 1, 2, 2}, {2, 2, 3, 3}}, []mergeRange{{1, 1, 3, 3}}},
		// Joining the first two makes a range that overlaps the third.
		{[]mergeRange{{1, 1, 1, 2}, {1, 2, 5, 2}, {4, 1, 4, 1}}, []mergeRange{{1, 1, 5, 2}}},
		{[]mergeRange{{5, 5, 6, 6}, {1, 1, 1, 1}, {6, 6, 7, 7}}, []mergeRange{{1, 1, 1, 1}, {5, 5, 7, 7}}},
	} {
		if got := disjointMerges(slices.Clone(c.in)); !slices.Equal(got, c.want) {
			t.Errorf("disjointMerges(%v) = %v, want %v", c.in, got, c.want)
		}
	}
}

// A merged range reaching right of all text in the rows above, in its own rows and in the
// thousand below, but not of a row further down: read whole, it fills up to that row's
// text; read as it inflates, up to the widest text read when it is filled (the one way
// the two reads differ).
func TestMergeWidthReadAsItInflates(t *testing.T) {
	var b strings.Builder
	b.WriteString(`<worksheet><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>甲</t></is></c><c r="B1" t="inlineStr"><is><t>乙</t></is></c></row>`)
	last := xlsxLookahead + 8
	for r := 2; r < last; r++ {
		fmt.Fprintf(&b, `<row r="%d"><c r="A%d"><v>%d</v></c></row>`, r, r, r)
	}
	fmt.Fprintf(&b, `<row r="%d"><c r="D%d" t="inlineStr"><is><t>远</t></is></c></row>`, last, last)
	b.WriteString(`</sheetData><mergeCells><mergeCell ref="A1:F1"/></mergeCells></worksheet>`)
	path := filepath.Join(t.TempDir(), "wide.xlsx")
	rawWorkbook(t, path, b.String(), nil)
	for _, c := range []struct {
		stream bool
		want   []string
	}{
		{false, []string{"甲", "甲", "甲", "甲"}},
		{true, []string{"甲", "甲"}},
	} {
		rows := streamedRows(t, path, "Sheet1", c.stream)
		if len(rows) != last || !slices.Equal(rows[0], c.want) {
			t.Errorf("read as it inflates %v: %d rows, the first %q; want %d, %q", c.stream, len(rows), rows[0], last, c.want)
		}
	}
}

// Read as they inflate, in batches of a row, the workbooks of the cases, a template and a
// workbook of every kind of cell store the same rows and rejections as read whole.
func TestWorkbooksReadAsTheyInflate(t *testing.T) {
	p := testkit.Builtin(t)
	dir := t.TempDir()
	if err := variedWorkbook(filepath.Join(dir, "varied.xlsx")); err != nil {
		t.Fatal(err)
	}
	writeTemplate(t, p, p.SHA256, "东阿县", "2021Q2", filepath.Join(dir, "东阿县.xlsx"), someEntries)
	paths := []string{dir}
	cases, _ := filepath.Glob(filepath.Join("testdata", "cases", "xlsx-*", "input"))
	paths = append(paths, cases...)
	read := func() string {
		db, sum := ingestDir(t, Options{}, paths...)
		return summaryText(sum) + testkit.QueryCSV(t, db.DB, acceptedSQL) + testkit.QueryCSV(t, db.DB, rejectedSQL)
	}
	whole := read()
	defer func(s uint64, n int) { xlsxStreamAbove, xlsxBatchRows = s, n }(xlsxStreamAbove, xlsxBatchRows)
	xlsxStreamAbove, xlsxBatchRows = 0, 1
	if got := read(); got != whole {
		t.Errorf("read as they inflate:\n%s\nread whole:\n%s", got, whole)
	}
	if !strings.Contains(whole, "varied.xlsx") || !strings.Contains(whole, "东阿县.xlsx") {
		t.Errorf("not all read:\n%s", whole)
	}
}

// A workbook whose sheet turns out broken after thousands of its rows went to the
// database is refused whole, and none of its rows is kept: a file too big to be read
// ahead (its rows stream into the database) and a small one.
func TestBrokenSheetTakesItsRowsBack(t *testing.T) {
	for _, c := range []struct {
		name string
		rows int
	}{{"big", 40_000}, {"small", 50}} {
		t.Run(c.name, func(t *testing.T) {
			defer func(n int) { xlsxBatchRows = n }(xlsxBatchRows)
			xlsxBatchRows = 16
			var b strings.Builder
			b.WriteString(`<worksheet><sheetData><row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="inlineStr"><is><t>报告期</t></is></c>` +
				`<c r="C1" t="inlineStr"><is><t>任务序号</t></is></c><c r="D1" t="inlineStr"><is><t>完成状态</t></is></c></row>`)
			for r := 2; r <= c.rows; r++ {
				fmt.Fprintf(&b, `<row r="%d"><c r="A%d" t="s"><v>1</v></c><c r="B%d" t="inlineStr"><is><t>2021Q2</t></is></c><c r="C%d"><v>%d</v></c>`+
					`<c r="D%d" t="inlineStr"><is><t>推进中</t></is></c></row>`, r, r, r, r, 1+r%31, r)
			}
			fmt.Fprintf(&b, `<row r="%d"><c r="A0"><v>1</v></c></row></sheetData></worksheet>`, c.rows+1)
			path := filepath.Join(t.TempDir(), "broken.xlsx")
			rawStoredWorkbook(t, path, b.String())
			if st, _ := os.Stat(path); (st.Size() > smallFile) != (c.name == "big") {
				t.Fatalf("the workbook is %d bytes", st.Size())
			}
			db, sum := ingestDir(t, Options{}, path)
			if len(sum.Files) != 1 || !sum.Files[0].WholeFileRejected || sum.Accepted != 0 || sum.Rejected != 1 {
				t.Fatalf("%s", summaryText(sum))
			}
			if got, want := sum.Rejections[0].Reason, fmt.Sprintf(`sheet Sheet1: row %d: cell reference "A0"`, c.rows+1); !strings.HasPrefix(got, want) {
				t.Errorf("reason %q, want %q…", got, want)
			}
			if got := one(t, db, "SELECT count(*) FROM submissions"); got != "0" {
				t.Errorf("%s rows kept", got)
			}
		})
	}
}

// rawStoredWorkbook is rawWorkbook, its parts stored unpacked (so that its size is its
// XML's), the shared strings 填报单位 and 东阿县.
func rawStoredWorkbook(t *testing.T, path, sheet string) {
	t.Helper()
	packed := filepath.Join(t.TempDir(), "packed.xlsx")
	rawWorkbook(t, packed, sheet, []string{"填报单位", "东阿县"})
	zr, err := zip.OpenReader(packed)
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	out, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer out.Close()
	zw := zip.NewWriter(out)
	for _, zf := range zr.File {
		w, err := zw.CreateHeader(&zip.FileHeader{Name: zf.Name, Method: zip.Store})
		if err != nil {
			t.Fatal(err)
		}
		r, _ := zf.Open()
		io.Copy(w, r)
		r.Close()
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
}
