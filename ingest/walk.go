package ingest

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// input is one file to read.
type input struct {
	path   string // as walked, slash-separated: the stored source_file
	format string // csv | xlsx | json
}

// Skipped is a file found but not read, and why.
type Skipped struct {
	Path   string
	Reason string
	// ReasonZh is set for a unit's spreadsheet in a format plantrack does not read (.xls,
	// .et, .ods): the unit must hear what to do, so it gets a receipt saying this.
	ReasonZh string
}

// saveAsXLSX is what a unit whose spreadsheet plantrack cannot read is asked to do.
const saveAsXLSX = "本系统不能读取这种格式的表格，请在 Excel 或 WPS 中将文件另存为 .xlsx 格式后重新报送"

var formats = map[string]string{".csv": "csv", ".xlsx": "xlsx", ".json": "json"}

// skipReasons explains the other files offices leave in a submissions folder.
var skipReasons = map[string]string{
	".xls":  "Excel 97-2003 workbook: open it in Excel and save it as .xlsx",
	".et":   "WPS workbook: save it as .xlsx",
	".ods":  "OpenDocument spreadsheet (LibreOffice): save it as .xlsx",
	".doc":  "a document, not a submission",
	".docx": "a document, not a submission",
	".pdf":  "a PDF, not a submission (evidence is named in 佐证材料)",
	".txt":  "a text file, not a submission",
	".zip":  "an archive: unpack it first",
	".rar":  "an archive: unpack it first",
}

// walk expands files and folders (recursively, in name order) into inputs. Files it does
// not read are listed, not silently passed over; a path that does not exist is an error.
func walk(paths []string) ([]input, []Skipped, error) {
	var ins []input
	var skipped []Skipped
	seen := map[string]bool{}
	consider := func(path string) {
		p := filepath.ToSlash(path)
		if seen[p] {
			return
		}
		seen[p] = true
		base := filepath.Base(path)
		ext := strings.ToLower(filepath.Ext(path))
		// Only regular files are opened: a FIFO would block the read forever, a device
		// never ends. Stat follows a symbolic link to what it names.
		st, err := os.Stat(path)
		switch {
		case err != nil:
			skipped = append(skipped, Skipped{Path: p, Reason: "cannot be read: " + err.Error()})
			return
		case !st.Mode().IsRegular():
			skipped = append(skipped, Skipped{Path: p, Reason: fmt.Sprintf("not a regular file (%s), not opened", fileKind(st.Mode()))})
			return
		case st.Size() == 0:
			skipped = append(skipped, Skipped{Path: p, Reason: "an empty file (0 bytes)"})
			return
		}
		switch {
		case strings.HasPrefix(base, "~$"):
			skipped = append(skipped, Skipped{Path: p, Reason: "an Office lock file of a workbook open in Excel"})
		case strings.HasPrefix(base, "."):
			skipped = append(skipped, Skipped{Path: p, Reason: "a hidden file"})
		case formats[ext] != "":
			ins = append(ins, input{path: p, format: formats[ext]})
		case ext == ".xls" || ext == ".et" || ext == ".ods":
			skipped = append(skipped, Skipped{Path: p, Reason: skipReasons[ext], ReasonZh: saveAsXLSX})
		case skipReasons[ext] != "":
			skipped = append(skipped, Skipped{Path: p, Reason: skipReasons[ext]})
		default:
			skipped = append(skipped, Skipped{Path: p, Reason: fmt.Sprintf("not a submission format (%s): plantrack reads .csv, .xlsx and .json", extOrNone(ext))})
		}
	}
	for _, root := range paths {
		st, err := os.Stat(root)
		if err != nil {
			return nil, nil, err
		}
		if !st.IsDir() {
			consider(root)
			continue
		}
		var files []string
		err = filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if d.IsDir() {
				if path != root && strings.HasPrefix(d.Name(), ".") {
					return filepath.SkipDir
				}
				return nil
			}
			files = append(files, path)
			return nil
		})
		if err != nil {
			return nil, nil, err
		}
		sort.Strings(files)
		for _, f := range files {
			consider(f)
		}
	}
	return ins, skipped, nil
}

// fileKind names what a file that is not a regular file is.
func fileKind(m fs.FileMode) string {
	switch {
	case m&fs.ModeNamedPipe != 0:
		return "a named pipe"
	case m&fs.ModeSocket != 0:
		return "a socket"
	case m&fs.ModeDevice != 0:
		return "a device"
	case m.IsDir():
		return "a folder"
	}
	return "mode " + m.String()
}

func extOrNone(ext string) string {
	if ext == "" {
		return "no extension"
	}
	return ext
}
