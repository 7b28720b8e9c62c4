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
}

var formats = map[string]string{".csv": "csv", ".xlsx": "xlsx", ".json": "json"}

// skipReasons explains the other files offices leave in a submissions folder.
var skipReasons = map[string]string{
	".xls":  "Excel 97-2003 workbook: open it in Excel and save it as .xlsx",
	".et":   "WPS workbook: save it as .xlsx",
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
		switch {
		case strings.HasPrefix(base, "~$"):
			skipped = append(skipped, Skipped{p, "an Office lock file of a workbook open in Excel"})
		case strings.HasPrefix(base, "."):
			skipped = append(skipped, Skipped{p, "a hidden file"})
		case formats[ext] != "":
			ins = append(ins, input{path: p, format: formats[ext]})
		case skipReasons[ext] != "":
			skipped = append(skipped, Skipped{p, skipReasons[ext]})
		default:
			skipped = append(skipped, Skipped{p, fmt.Sprintf("not a submission format (%s): plantrack reads .csv, .xlsx and .json", extOrNone(ext))})
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

func extOrNone(ext string) string {
	if ext == "" {
		return "no extension"
	}
	return ext
}
