package plan

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"regexp"
	"slices"
	"strings"

	"plantrack/data"
)

// Kinds of unit. Group phrases expand by kind.
const (
	KindDepartment = "department" // a city government department (市政府部门)
	KindCounty     = "county"     // a county-level government (县、市、区)
	KindZone       = "zone"       // a development zone's management committee (开发区)
	KindOther      = "other"      // anything else a plan names (party offices, commissions)
	// KindTown is a township government or subdistrict office (乡镇、街道): in a county's own
	// plan, the governments it compares, as a city compares its counties.
	KindTown = "town"
)

// kinds are the kinds a registry may use (town last: messages listed the first four long
// before it came).
var kinds = []string{KindDepartment, KindCounty, KindZone, KindOther, KindTown}

// Unit is one reporting unit of the registry.
type Unit struct {
	ID      string   `json:"id"` // stable ASCII slug, used in file names and joins
	Name    string   `json:"name"`
	Kind    string   `json:"kind"`
	Aliases []string `json:"aliases"`
	Order   int      `json:"-"` // position in the registry file: the order reports list units in
}

// Registry is the set of units, looked up by any name or alias.
type Registry struct {
	File  string
	Units []Unit
	byKey map[string]int
	byID  map[string]int
}

var slugRE = regexp.MustCompile(`^[a-z0-9][a-z0-9-]*$`)

// ReadRegistry reads a units file: a CSV with header id,name,kind,aliases, aliases
// separated by |, lines starting with # ignored. Every name and alias must identify one
// unit; all problems are returned together.
func ReadRegistry(file string, data []byte) (*Registry, Problems) {
	reg := &Registry{File: file, byKey: map[string]int{}, byID: map[string]int{}}
	var probs Problems
	rows, err := readCSV(file, data, []string{"id", "name", "kind", "aliases"})
	if err != nil {
		return reg, Problems{{Severity: Error, File: file, Message: err.Error()}}
	}
	for _, row := range rows {
		bad := func(format string, args ...any) {
			probs = append(probs, Problem{Severity: Error, File: file, Line: row.line, Message: fmt.Sprintf(format, args...)})
		}
		u := Unit{ID: row.get("id"), Name: strings.TrimSpace(row.get("name")), Kind: row.get("kind"), Order: len(reg.Units)}
		for _, a := range strings.Split(row.get("aliases"), "|") {
			if a = strings.TrimSpace(a); a != "" {
				u.Aliases = append(u.Aliases, a)
			}
		}
		if !slugRE.MatchString(u.ID) {
			bad("unit id %q: use lowercase ASCII letters, digits and -", u.ID)
			continue
		}
		if _, dup := reg.byID[u.ID]; dup {
			bad("unit id %q appears twice", u.ID)
			continue
		}
		if u.Name == "" {
			bad("unit %s has no name", u.ID)
			continue
		}
		if !slices.Contains(kinds, u.Kind) {
			bad("unit %s: kind %q is not one of %s", u.ID, u.Kind, strings.Join(kinds, ", "))
			continue
		}
		idx := len(reg.Units)
		reg.byID[u.ID] = idx
		for _, n := range append([]string{u.Name}, u.Aliases...) {
			k := Key(n)
			if prev, dup := reg.byKey[k]; dup && prev != idx {
				bad("name %q of unit %s already names unit %s", n, u.ID, reg.Units[prev].ID)
				continue
			}
			reg.byKey[k] = idx
		}
		reg.Units = append(reg.Units, u)
	}
	if len(reg.Units) == 0 && len(probs) == 0 {
		probs = append(probs, Problem{Severity: Error, File: file, Message: "the registry lists no unit"})
	}
	return reg, probs
}

// Lookup finds a unit by canonical name or alias, ignoring spaces and full-width forms.
func (r *Registry) Lookup(name string) (*Unit, bool) {
	i, ok := r.byKey[Key(name)]
	if !ok {
		return nil, false
	}
	return &r.Units[i], true
}

// ByID finds a unit by its id.
func (r *Registry) ByID(id string) (*Unit, bool) {
	i, ok := r.byID[id]
	if !ok {
		return nil, false
	}
	return &r.Units[i], true
}

// OfKind lists the units of a kind in registry order.
func (r *Registry) OfKind(kind string) []*Unit {
	var out []*Unit
	for i := range r.Units {
		if r.Units[i].Kind == kind {
			out = append(out, &r.Units[i])
		}
	}
	return out
}

// csvRow is one data row of a small configuration CSV, with its line for messages.
type csvRow struct {
	line int
	cols map[string]int
	rec  []string
}

func (r csvRow) get(col string) string {
	if i, ok := r.cols[col]; ok && i < len(r.rec) {
		return strings.TrimSpace(r.rec[i])
	}
	return ""
}

// readCSV reads a UTF-8 configuration CSV whose header names at least the required
// columns (in any order). Blank lines and lines starting with # are skipped.
func readCSV(file string, data []byte, required []string) ([]csvRow, error) {
	text, err := decodeText(data)
	if err != nil {
		return nil, err
	}
	cr := csv.NewReader(strings.NewReader(text))
	cr.Comment = '#'
	cr.FieldsPerRecord = -1
	header, err := cr.Read()
	if errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("empty file: the header line %s is missing", strings.Join(required, ","))
	}
	if err != nil {
		return nil, err
	}
	cols := map[string]int{}
	for i, h := range header {
		cols[strings.ToLower(strings.TrimSpace(h))] = i
	}
	for _, c := range required {
		if _, ok := cols[c]; !ok {
			return nil, fmt.Errorf("header has no column %q (want %s)", c, strings.Join(required, ","))
		}
	}
	var rows []csvRow
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, err
		}
		line, _ := cr.FieldPos(0)
		if len(rec) == 1 && strings.TrimSpace(rec[0]) == "" {
			continue
		}
		rows = append(rows, csvRow{line: line, cols: cols, rec: rec})
	}
	return rows, nil
}

// LoadRegistry reads a units file from disk, or the built-in data/units.csv when file is
// empty. Problems of its rows are returned; the error is for a file that cannot be read.
func LoadRegistry(file string) (*Registry, Problems, error) {
	src, err := readSource(file, data.Units, "--units")
	if err != nil {
		return nil, nil, err
	}
	reg, probs := ReadRegistry(src.Name, src.Data)
	return reg, probs, nil
}
