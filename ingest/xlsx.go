package ingest

import (
	"archive/zip"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	pathpkg "path"
	"regexp"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/xuri/excelize/v2"

	"plantrack/plan"
	"plantrack/store"
	"plantrack/template"
)

// Limits that keep a hostile or broken workbook from taking the machine's memory or disk.
// A worksheet is read as it inflates, never whole, so its size costs time only; the other
// parts (the shared strings, styles, properties) are read whole.
const (
	xlsxUnzipLimit = 256 << 20 // the parts read whole, together, unpacked
	xlsxSheetLimit = 2 << 30   // the worksheets together, unpacked: a full sheet of nine columns is about 500 MB
	xlsxXMLInRAM   = 16 << 20  // a sheet up to this is read whole before its rows are taken
	// As Apache POI: a part of some size that unpacks to more than 100 times its packed
	// size is a zip bomb (a workbook packs about 10 times).
	xlsxMaxRatio = 100
)

// xlsxBook is a workbook open for reading. excelize reads what the workbook says of itself
// (its sheets, styles, properties, a template's hidden sheet) from a copy of the package
// in which every other worksheet is empty; the rows are read by sheetReader from the
// package as they inflate, so no worksheet is ever whole in memory or unpacked on disk.
type xlsxBook struct {
	wb     *excelize.File
	file   *os.File
	sheets map[string]*zip.File // each sheet's part, by sheet name
	sst    *zip.File            // nil when the workbook has none
	strs   *sharedStrings
	strErr error
	strsOK bool
}

func (b *xlsxBook) Close() error {
	return errors.Join(b.wb.Close(), b.file.Close())
}

// sharedStrings reads the workbook's shared strings once.
func (b *xlsxBook) sharedStrings() (*sharedStrings, error) {
	if !b.strsOK {
		b.strsOK = true
		b.strs, b.strErr = &sharedStrings{}, nil
		if b.sst != nil {
			b.strs, b.strErr = readPart(b.sst, readSST)
			if b.strErr != nil {
				b.strErr = fmt.Errorf("shared strings: %w", b.strErr)
			}
		}
	}
	return b.strs, b.strErr
}

func readPart[T any](zf *zip.File, read func(io.Reader, uint64) (T, error)) (T, error) {
	rc, err := zf.Open()
	if err != nil {
		var none T
		return none, err
	}
	defer rc.Close()
	return read(rc, zf.UncompressedSize64)
}

// part is a sheet's part in the package (named as excelize names sheets: case aside).
func (b *xlsxBook) part(sheet string) (*zip.File, bool) {
	if zf, ok := b.sheets[sheet]; ok {
		return zf, true
	}
	for name, zf := range b.sheets {
		if strings.EqualFold(name, sheet) {
			return zf, true
		}
	}
	return nil, false
}

// openXLSX checks that a file is really a workbook of sane size and opens it.
func openXLSX(path string) (*xlsxBook, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	b, err := openBook(f)
	if err != nil {
		f.Close()
		return nil, err
	}
	return b, nil
}

func openBook(f *os.File) (*xlsxBook, error) {
	head := make([]byte, 8)
	n, _ := io.ReadFull(f, head)
	head = head[:n]
	switch {
	case bytes.HasPrefix(head, []byte("\xD0\xCF\x11\xE0")):
		return nil, plan.FileFault("an Excel 97-2003 (.xls) workbook or other OLE file: open it in Excel and save it as .xlsx",
			"这是旧版 Excel（.xls）文件，请在 Excel 中另存为 .xlsx 后重新报送")
	case !bytes.HasPrefix(head, []byte("PK\x03\x04")) && looksLikeText(head):
		return nil, plan.FileFault("not an xlsx workbook but a text file (a CSV named .xlsx?): rename it to .csv",
			"文件名是 .xlsx，内容却是文本（可能是改了扩展名的 CSV），请改名为 .csv 或另存为 .xlsx")
	case !bytes.HasPrefix(head, []byte("PK\x03\x04")):
		return nil, notWorkbook(fmt.Sprintf("not an xlsx workbook: it starts with bytes % x, not a zip header", head))
	}
	st, err := f.Stat()
	if err != nil {
		return nil, err
	}
	zr, err := zip.NewReader(f, st.Size())
	if err != nil {
		return nil, notWorkbook("not an xlsx workbook: " + err.Error())
	}
	// Parts by name as excelize names them.
	parts := map[string]*zip.File{}
	for _, zf := range zr.File {
		parts[partName(zf.Name)] = zf
	}
	if parts["xl/workbook.xml"] == nil {
		return nil, notWorkbook("not an xlsx workbook: the zip holds no xl/workbook.xml")
	}
	tooBig := func(what string, size uint64, limit int) error {
		return plan.FileFault(fmt.Sprintf("refused: %s would unpack to %d MB (the limit is %d MB); a real submission is far smaller", what, size>>20, limit>>20),
			"文件过大，不像是一份进度报表，请检查后重新报送")
	}
	for _, zf := range zr.File {
		if size := zf.UncompressedSize64; size > xlsxXMLInRAM && size > xlsxMaxRatio*max(zf.CompressedSize64, 1) {
			return nil, plan.FileFault(fmt.Sprintf("refused: it would unpack to %d MB, %d times its packed size (%s): no workbook packs that tight",
				size>>20, size/max(zf.CompressedSize64, 1), zf.Name), "文件过大，不像是一份进度报表，请检查后重新报送")
		}
	}
	sheets, err := sheetParts(parts)
	if err != nil {
		return nil, notWorkbook(fmt.Sprintf("unreadable workbook: %v", err))
	}
	streamed := map[*zip.File]bool{}
	meta := sheets[template.MetaSheet]
	for _, zf := range sheets {
		if zf != meta {
			streamed[zf] = true
		}
	}
	var whole, rows uint64
	for _, zf := range zr.File {
		if streamed[zf] {
			rows += zf.UncompressedSize64
		} else {
			whole += zf.UncompressedSize64
		}
	}
	if whole > xlsxUnzipLimit {
		return nil, tooBig("it", whole, xlsxUnzipLimit)
	}
	if rows > xlsxSheetLimit {
		return nil, tooBig("its sheets", rows, xlsxSheetLimit)
	}
	// archive/zip refuses entries that unpack to more than their header says, so the
	// limits above hold for what is read.
	view, err := metadataCopy(zr, streamed, meta != nil)
	if err != nil {
		return nil, notWorkbook("not an xlsx workbook: " + err.Error())
	}
	wb, err := excelize.OpenReader(bytes.NewReader(view), excelize.Options{RawCellValue: true, UnzipSizeLimit: xlsxUnzipLimit + int64(len(view)), UnzipXMLSizeLimit: xlsxXMLInRAM})
	if err != nil {
		return nil, err
	}
	return &xlsxBook{wb: wb, file: f, sheets: sheets, sst: parts[sharedStringsPart]}, nil
}

const sharedStringsPart = "xl/sharedStrings.xml"

// partName is a zip entry's name as excelize reads it.
func partName(name string) string {
	name = strings.ReplaceAll(name, "\\", "/")
	switch strings.ToLower(name) {
	case "[content_types].xml":
		return "[Content_Types].xml"
	case "xl/sharedstrings.xml":
		return sharedStringsPart
	}
	return name
}

// sheetParts finds each sheet's part as excelize does: the workbook (the package's
// officeDocument) lists the sheets, its relationships name their parts.
func sheetParts(parts map[string]*zip.File) (map[string]*zip.File, error) {
	wbPath := "xl/workbook.xml"
	if err := eachElement(parts["_rels/.rels"], "Relationship", func(x *xmlScan) {
		if t, _ := x.attr("Type"); strings.HasSuffix(t, "/officeDocument") {
			target, _ := x.attr("Target")
			wbPath = strings.TrimPrefix(target, "/")
		}
	}); err != nil {
		return nil, err
	}
	dir := pathpkg.Dir(wbPath)
	targets := map[string]string{}
	if err := eachElement(parts[strings.TrimPrefix(dir+"/_rels/"+pathpkg.Base(wbPath)+".rels", "./")], "Relationship", func(x *xmlScan) {
		id, _ := x.attr("Id")
		targets[id], _ = x.attr("Target")
	}); err != nil {
		return nil, err
	}
	out := map[string]*zip.File{}
	err := eachElement(parts[wbPath], "sheet", func(x *xmlScan) {
		name, _ := x.attr("name")
		id, _ := x.attr("id")
		target, ok := targets[id]
		if !ok {
			return
		}
		p := pathpkg.Clean(dir + "/" + target)
		if strings.HasPrefix(target, "/") {
			p = pathpkg.Clean(target)
		}
		if zf := parts[strings.TrimPrefix(p, "/")]; zf != nil {
			out[name] = zf
		}
	})
	return out, err
}

// eachElement calls f for each start tag of that name in a part (none when the part is nil).
func eachElement(zf *zip.File, name string, f func(x *xmlScan)) error {
	if zf == nil {
		return nil
	}
	rc, err := zf.Open()
	if err != nil {
		return err
	}
	defer rc.Close()
	x := newXMLScan(rc)
	for {
		ok, err := x.tag()
		if err != nil {
			return fmt.Errorf("%s: %w", zf.Name, err)
		}
		if !ok {
			return nil
		}
		if x.is(name) {
			f(x)
		}
	}
}

// emptySheet stands for a worksheet in metadataCopy; emptySST for the shared strings.
const (
	emptySheet = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>` + "\n" +
		`<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData/></worksheet>`
	emptySST = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>` + "\n" +
		`<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="0" uniqueCount="0"/>`
)

// metadataCopy is the package for excelize: every part as it is (copied packed), but the
// worksheets that are streamed empty, no calculation chain (excelize reads it whole on
// opening, and it can be as long as the sheets), and, unless the workbook has a template's
// hidden sheet to read, no shared strings (excelize would unpack them to disk).
func metadataCopy(zr *zip.Reader, streamed map[*zip.File]bool, keepStrings bool) ([]byte, error) {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, zf := range zr.File {
		name := partName(zf.Name)
		var stub string
		switch {
		case streamed[zf]:
			stub = emptySheet
		case name == "xl/calcChain.xml":
			continue
		case name == sharedStringsPart && !keepStrings:
			stub = emptySST
		}
		if stub != "" {
			w, err := zw.Create(zf.Name)
			if err != nil {
				return nil, err
			}
			if _, err := io.WriteString(w, stub); err != nil {
				return nil, err
			}
			continue
		}
		r, err := zf.OpenRaw()
		if err != nil {
			return nil, err
		}
		fh := zf.FileHeader
		w, err := zw.CreateRaw(&fh)
		if err != nil {
			return nil, err
		}
		if _, err := io.Copy(w, r); err != nil {
			return nil, err
		}
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// notWorkbook is a file that is no readable workbook.
func notWorkbook(text string) *plan.Fault {
	return plan.FileFault(text, "文件不是有效的 Excel 工作簿，请重新保存后报送")
}

// xlsxBatchRows is how many rows of a sheet go to the database together: a sheet of a
// million rows is never whole in memory. (A variable so tests can make it small.)
var xlsxBatchRows = 16 << 10

// readXLSX reads every sheet that has a header; sheets without one (instructions, notes)
// are listed in the result, not silently passed over.
func (j *fileJob) readXLSX(ctx context.Context, path string, emit func(arrow.RecordBatch) error) error {
	book, err := openXLSX(path)
	if err != nil {
		j.rejectFile(err)
		return nil
	}
	defer book.Close()
	if book.sst != nil && book.sst.UncompressedSize64 > xlsxXMLInRAM {
		defer func() {
			// A big workbook's shared strings are garbage now: their memory goes back to
			// the system at once, before the database's commit wants it.
			book.strs = nil
			debug.FreeOSMemory()
		}()
	}
	wb := book.wb
	props, err := wb.GetWorkbookProps()
	if err != nil {
		j.rejectFile(notWorkbook(fmt.Sprintf("unreadable workbook: %v", err)))
		return nil
	}
	date1904 := props.Date1904 != nil && *props.Date1904
	if !j.recogniseTemplate(wb) {
		return nil // a template this ingest refuses: rejected whole
	}
	if j.tmpl == nil {
		// plantrack's own workbooks (receipts, summary.xlsx) are not submissions, even
		// when they sit in the folder being collected and were saved again since.
		if dp, err := wb.GetDocProps(); err == nil && strings.HasPrefix(dp.Category, ownCategory) {
			j.res.skip = fmt.Sprintf("plantrack's own %s, not a submission", strings.TrimPrefix(dp.Category, ownCategory))
			return nil
		}
	}
	formats := map[int]numFormat{}
	numFmt := func(style int) numFormat {
		nf, ok := formats[style]
		if !ok {
			nf = styleFormat(wb, style)
			formats[style] = nf
		}
		return nf
	}
	bb := newBatchBuilder(j.c.dicts)
	bb.track = true
	defer bb.release()
	found := false
	for _, sheet := range wb.GetSheetList() {
		if err := ctx.Err(); err != nil {
			return err
		}
		if j.tmpl != nil && sheet == template.MetaSheet {
			continue
		}
		read, err := j.readSheet(ctx, book, sheet, numFmt, date1904, bb, emit)
		if err != nil {
			if ctx.Err() != nil || errors.Is(err, errEmit) {
				return err
			}
			// Rows of it may have gone to the database already: the file is refused whole,
			// and they are taken back.
			j.res = fileResult{}
			j.rejectFile(notWorkbook(fmt.Sprintf("sheet %s: %v", sheet, err)))
			return nil
		}
		found = found || read
	}
	if !found && len(j.res.rejections) == 0 {
		j.rejectFile(plan.FileFault("no sheet has a header row with 任务序号", "未找到表头行（应有“任务序号”“完成状态”等栏目），请使用下发的模板填报"))
	}
	slices.Sort(bb.keys)
	j.noRepeats = !bb.overflow && !repeated([][]uint64{bb.keys})
	return nil
}

// errEmit marks an error of the database taking rows, not of the workbook.
var errEmit = errors.New("storing rows")

// readSheet reads one sheet's rows into bb, handing them to emit every xlsxBatchRows; read
// is false when the sheet has no header row (then it is noted, or rejected when it lacks
// a column).
func (j *fileJob) readSheet(ctx context.Context, book *xlsxBook, sheet string, numFmt func(int) numFormat, date1904 bool,
	bb *batchBuilder, emit func(arrow.RecordBatch) error) (read bool, err error) {
	zf, ok := book.part(sheet)
	if !ok {
		return false, fmt.Errorf("sheet %s does not exist", sheet)
	}
	rows, err := j.sheetRows(zf, book, numFmt, date1904)
	if err != nil {
		return false, err
	}
	defer rows.close()
	// The header is among the first rows; a template's date cell may be a little lower.
	headRows := headerSearchRows
	if t := j.tmpl; t != nil && sheet == t.meta.Sheet {
		if _, row, err := excelize.CellNameToCoordinates(t.meta.DateCell); err == nil && row <= maxHeadRows {
			headRows = max(headRows, row)
		}
	}
	var head [][]string
	for len(head) < headRows {
		_, cells, err := rows.next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return false, err
		}
		head = append(head, cells)
	}
	l, at, err := findHeader(head)
	if err != nil {
		j.res.notes = append(j.res.notes, fmt.Sprintf("sheet %s: no header row, not read", sheet))
		return false, nil
	}
	if j.tmpl != nil {
		j.tmpl.force(l, sheet, head)
	}
	// The layout outlives the workbook (rejections name its columns): its text must not
	// view the workbook's shared strings.
	l.header = slices.Clone(l.header)
	for i, h := range l.header {
		l.header[i] = strings.Clone(h)
	}
	for i, d := range l.defaults {
		l.defaults[i] = strings.Clone(d)
	}
	if miss := l.missingColumns(); len(miss) > 0 {
		f := missingColumn(miss[0], ": the sheet is not read")
		j.res.reject(store.Rejection{File: j.name, Sheet: sheet, Reason: f.Text, ReasonZh: f.Chinese("", ""), Code: string(f.Reason), Raw: "{}"})
		return false, nil
	}
	j.layout = l
	flush := func() error {
		if b := bb.finish(); b != nil {
			if err := emit(b); err != nil {
				return fmt.Errorf("%w: %w", errEmit, err)
			}
		}
		return ctx.Err()
	}
	for i := at + 1; i < len(head); i++ {
		j.row(head[i], sheet, i+1, bb, &j.res)
	}
	for {
		n, cells, err := rows.next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return true, err
		}
		j.row(cells, sheet, n, bb, &j.res)
		if bb.n >= xlsxBatchRows {
			if err := flush(); err != nil {
				return true, err
			}
		}
	}
	return true, flush()
}

// maxHeadRows bounds how far down a template's date cell is looked for.
const maxHeadRows = 1000

// sheetRows yields a sheet's rows from the first to the last that holds text, each as a
// sheetReader reads it, every cell of a merged range holding the range's value (see
// mergeFill); rows the sheet has no element for are empty.
//
// A sheet up to xlsxStreamAbove is read whole first, and a merged range fills the columns
// up to the widest holding text in the sheet. A bigger sheet is read twice as it inflates,
// never whole: once for its merged ranges (they follow the rows), then for its rows, read
// xlsxLookahead rows ahead of the row given out; a range fills the columns up to the
// widest holding text in the rows read so far (the same but for a range reaching right of
// all text until a thousand rows below it, which only a broken workbook has).
type sheetRowsReader struct {
	sr   *sheetReader
	rc   io.Closer
	fill *mergeFill
	at   int // the next row to yield, 1-based

	whole [][]string // a sheet read whole: its rows, by number - 1, to the last with text

	// A sheet read as it inflates: the rows read and not yet given out (those with text;
	// those without, their cells blanks or a formula's empty value, up to maxHeldRows of
	// them), the last read, the last read with text.
	streaming          bool
	queue              []heldRow
	held               int
	lastRead, lastText int
	eof                bool
}

type heldRow struct {
	n     int
	cells []string
}

// xlsxLookahead is how many rows ahead a sheet read as it inflates is read.
const (
	xlsxLookahead = 1024
	maxHeldRows   = 1024
)

// xlsxStreamAbove is the size of sheet XML above which a sheet is read as it inflates
// (a variable so tests can read small sheets so).
var xlsxStreamAbove uint64 = xlsxXMLInRAM

func (j *fileJob) sheetRows(zf *zip.File, book *xlsxBook, numFmt func(int) numFormat, date1904 bool) (*sheetRowsReader, error) {
	open := func() (io.ReadCloser, error) {
		rc, err := zf.Open()
		if err != nil {
			return nil, err
		}
		if zf.UncompressedSize64 <= xlsxStreamAbove {
			return rc, nil
		}
		return inflateAhead(rc), nil
	}
	rc, err := open()
	if err != nil {
		return nil, err
	}
	x := newXMLScan(rc)
	sr := &sheetReader{x: x, sst: book.sharedStrings, numFmt: numFmt, date1904: date1904}
	s := &sheetRowsReader{sr: sr, rc: rc, at: 1}
	if zf.UncompressedSize64 <= xlsxStreamAbove {
		width := 0
		for {
			n, cells, err := sr.next()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				return nil, errors.Join(err, rc.Close())
			}
			for len(s.whole) < n-1 {
				s.whole = append(s.whole, nil)
			}
			s.whole = append(s.whole, cells)
			width = max(width, textWidth(cells))
		}
		for len(s.whole) > 0 && textWidth(s.whole[len(s.whole)-1]) == 0 {
			s.whole = s.whole[:len(s.whole)-1]
		}
		merges, err := readMerges(x)
		if err != nil {
			return nil, errors.Join(err, rc.Close())
		}
		s.fill = newMergeFill(merges)
		s.fill.width = width
		return s, nil
	}
	// The merged ranges first, from a read of their own.
	mrc, err := open()
	if err != nil {
		return nil, errors.Join(err, rc.Close())
	}
	merges, err := readMerges(newXMLScan(mrc))
	if err = errors.Join(err, mrc.Close()); err != nil {
		return nil, errors.Join(err, rc.Close())
	}
	s.fill = newMergeFill(merges)
	s.streaming = true
	if j.onBytes != nil {
		// Progress in the file's bytes, as its XML is read.
		packed, unpacked := float64(zf.CompressedSize64), float64(max(zf.UncompressedSize64, 1))
		x.onConsumed = func(n int64) { j.onBytes(int64(float64(n) * packed / unpacked)) }
	}
	return s, nil
}

// next returns the next row and its number; io.EOF after the last that holds text.
func (s *sheetRowsReader) next() (int, []string, error) {
	if !s.streaming {
		if s.at > len(s.whole) {
			return 0, nil, io.EOF
		}
		n := s.at
		s.at++
		return n, s.fill.fill(n, s.whole[n-1]), nil
	}
	for !s.eof && (s.lastRead < s.at+xlsxLookahead || s.lastText < s.at) {
		n, cells, err := s.sr.next()
		if errors.Is(err, io.EOF) {
			s.eof = true
			break
		}
		if err != nil {
			return 0, nil, err
		}
		s.lastRead = n
		switch w := textWidth(cells); {
		case w > 0:
			s.fill.width = max(s.fill.width, w)
			s.lastText = n
			s.queue = append(s.queue, heldRow{n, cells})
		case len(cells) > 0 && s.held < maxHeldRows:
			s.queue = append(s.queue, heldRow{n, cells})
			s.held++
		}
	}
	if s.at > s.lastText {
		return 0, nil, io.EOF
	}
	n := s.at
	s.at++
	var cells []string
	if len(s.queue) > 0 && s.queue[0].n == n {
		cells = s.queue[0].cells
		s.queue = s.queue[1:]
		if textWidth(cells) == 0 {
			s.held--
		}
	}
	return n, s.fill.fill(n, cells), nil
}

func (s *sheetRowsReader) close() error { return s.rc.Close() }

// inflateAhead inflates a part in a goroutine of its own, a few chunks ahead of its
// reader, so that inflating and parsing a big sheet take two cores rather than turns.
func inflateAhead(rc io.ReadCloser) io.ReadCloser {
	a := &aheadInflater{rc: rc, full: make(chan []byte, 2), free: make(chan []byte, 3), stop: make(chan struct{}), done: make(chan struct{})}
	for range 3 {
		a.free <- make([]byte, 1<<20)
	}
	go a.run()
	return a
}

type aheadInflater struct {
	rc         io.ReadCloser
	full, free chan []byte
	stop, done chan struct{}
	err        error // set before full is closed
	cur        []byte
	curBuf     []byte
	closed     bool
}

func (a *aheadInflater) run() {
	defer close(a.done)
	defer close(a.full)
	for {
		var buf []byte
		select {
		case buf = <-a.free:
		case <-a.stop:
			return
		}
		n, err := io.ReadFull(a.rc, buf)
		if n > 0 {
			select {
			case a.full <- buf[:n]:
			case <-a.stop:
				return
			}
		}
		if err != nil {
			if !errors.Is(err, io.EOF) && !errors.Is(err, io.ErrUnexpectedEOF) {
				a.err = err
			}
			return
		}
	}
}

func (a *aheadInflater) Read(p []byte) (int, error) {
	for len(a.cur) == 0 {
		if a.curBuf != nil {
			a.free <- a.curBuf[:cap(a.curBuf)]
			a.curBuf = nil
		}
		b, ok := <-a.full
		if !ok {
			if a.err != nil {
				return 0, a.err
			}
			return 0, io.EOF
		}
		a.cur, a.curBuf = b, b
	}
	n := copy(p, a.cur)
	a.cur = a.cur[n:]
	return n, nil
}

func (a *aheadInflater) Close() error {
	if !a.closed {
		a.closed = true
		close(a.stop)
		<-a.done
	}
	return a.rc.Close()
}

type numFormat int

const (
	fmtNumber numFormat = iota
	fmtPercent
	fmtDate
)

// Built-in number formats (ECMA-376 18.8.30) that are dates, including the CJK ones.
func builtinDate(id int) bool {
	return (id >= 14 && id <= 22) || (id >= 27 && id <= 36) || (id >= 45 && id <= 47) || (id >= 50 && id <= 58)
}

var (
	quotedRE   = regexp.MustCompile(`"[^"]*"|\[[^\]]*\]|\\.`)
	dateCodeRE = regexp.MustCompile(`[yYdD]|[mM].*[dDyY]|[yYdD].*[mM]`)
)

func styleFormat(wb *excelize.File, style int) numFormat {
	st, err := wb.GetStyle(style)
	if err != nil || st == nil {
		return fmtNumber
	}
	code := ""
	if st.CustomNumFmt != nil {
		code = quotedRE.ReplaceAllString(*st.CustomNumFmt, "")
	}
	switch {
	case st.NumFmt == 9 || st.NumFmt == 10 || strings.Contains(code, "%"):
		return fmtPercent
	case builtinDate(st.NumFmt) || (code != "" && dateCodeRE.MatchString(code)):
		return fmtDate
	}
	return fmtNumber
}

func looksNumeric(s string) bool {
	_, err := strconv.ParseFloat(s, 64)
	return err == nil
}

func formatNumber(raw string, nf numFormat, date1904 bool) string {
	v, err := strconv.ParseFloat(raw, 64)
	if err != nil {
		return raw
	}
	switch nf {
	case fmtPercent:
		// 0.85 formatted as a percentage means 85; round away float noise (0.85*100 = 85.00000000000001).
		return strconv.FormatFloat(math.Round(v*100*1e9)/1e9, 'f', -1, 64) + "%"
	case fmtDate:
		t, err := excelize.ExcelDateToTime(v, date1904)
		if err != nil {
			return raw
		}
		return t.Format("2006-01-02")
	}
	return raw
}

// looksLikeText: the first bytes are printable ASCII or the start of UTF-8/GBK text.
func looksLikeText(b []byte) bool {
	for _, c := range b {
		if c < 0x20 && c != '\t' && c != '\r' && c != '\n' {
			return false
		}
	}
	return len(b) > 0
}
