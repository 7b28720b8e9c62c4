package plan

import (
	"encoding/csv"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"unicode"

	"github.com/mozillazg/go-pinyin"

	"plantrack/data"
)

// Draft is a unit registry and a table of group phrases made from a plan, for a city,
// county or year whose units the registry does not know yet: every unit and group phrase
// the plan names that the registry lacks, with a guessed kind (units) or expansion
// (groups), and, copied as they are, the registry's units and phrases the plan uses (with
// the units its group phrases and 有关部门 mapping stand for), so that the two files on
// their own resolve the plan.
type Draft struct {
	Plan       string // the plan file, for the files' heading
	From       string // the registry file the plan was checked against
	GroupsFrom string // and the group phrases file
	Units      []DraftUnit
	Groups     []DraftGroup
}

// DraftUnit is one row of the drafted units.csv.
type DraftUnit struct {
	Unit
	New  bool // not in the registry: Kind is a guess
	Task int  // the first task naming it (0 for a unit copied because a group stands for it)
}

// DraftGroup is one row of the drafted groups.csv.
type DraftGroup struct {
	Group
	New  bool // not in the group phrases: the expansion is a guess
	Task int  // the first task using it
}

// ExpandsTo writes a group's expansion as groups.csv does: kind:town|kind:department, related.
func (g Group) ExpandsTo() string {
	var parts []string
	for _, k := range g.Kinds {
		parts = append(parts, "kind:"+k)
	}
	if g.Related {
		parts = append(parts, "related")
	}
	return strings.Join(parts, "|")
}

// NewDraft drafts the registry of a plan: c is the parsed plan (its phrases as written),
// reg, groups and rel what it was checked against (rel may be nil).
func NewDraft(c *Catalog, reg *Registry, groups *Groups, rel *Related) *Draft {
	d := &Draft{Plan: c.File, From: reg.File, GroupsFrom: groups.File}
	known := map[string]int{} // unit id → the task that first reached it
	reach := func(u *Unit, task int) {
		if _, ok := known[u.ID]; !ok {
			known[u.ID] = task
		}
	}
	groupAt := map[string]int{} // Key(phrase) → index in d.Groups
	addGroup := func(grp Group, isNew bool, task int) {
		if _, ok := groupAt[Key(grp.Phrase)]; ok {
			return
		}
		groupAt[Key(grp.Phrase)] = len(d.Groups)
		d.Groups = append(d.Groups, DraftGroup{Group: grp, New: isNew, Task: task})
	}
	var fresh []DraftUnit
	freshAt := map[string]int{} // Key(name or alias) → index in fresh
	addUnit := func(phrase string, task int) {
		name := phrase
		if head, ok := withoutTail(phrase); ok {
			name = head // 县公安局（交警大队）: the tail names no other unit
		}
		if i, ok := freshAt[Key(name)]; ok {
			if Key(phrase) != Key(fresh[i].Name) && !slices.ContainsFunc(fresh[i].Aliases, func(a string) bool { return Key(a) == Key(phrase) }) {
				fresh[i].Aliases = append(fresh[i].Aliases, phrase)
				freshAt[Key(phrase)] = i
			}
			return
		}
		u := Unit{Name: name, Kind: GuessKind(name), Aliases: []string{}}
		if Key(phrase) != Key(name) {
			u.Aliases = append(u.Aliases, phrase)
			freshAt[Key(phrase)] = len(fresh)
		}
		freshAt[Key(name)] = len(fresh)
		fresh = append(fresh, DraftUnit{Unit: u, New: true, Task: task})
	}
	for _, t := range c.Tasks {
		for _, ph := range t.LeadPhrases {
			if u, ok := lookupUnit(reg, ph); ok {
				reach(u, t.No)
			} else {
				addUnit(ph, t.No)
			}
		}
		for _, ph := range t.Responsible {
			if grp, ok := resolvePhrase(reg, groups, ph); ok {
				addGroup(grp, false, t.No)
				for _, k := range grp.Kinds {
					for _, u := range reg.OfKind(k) {
						reach(u, 0)
					}
				}
				continue
			}
			if u, ok := lookupUnit(reg, ph); ok {
				reach(u, t.No)
				continue
			}
			if groupPhrase(ph) {
				addGroup(GuessGroup(ph), true, t.No)
				continue
			}
			addUnit(ph, t.No)
		}
	}
	if rel != nil {
		for _, rows := range rel.byTask {
			for _, r := range rows {
				reach(r.unit, 0)
			}
		}
	}
	ids := map[string]bool{}
	for _, u := range reg.Units {
		ids[u.ID] = true
		if task, ok := known[u.ID]; ok {
			u.Aliases = append([]string{}, u.Aliases...)
			d.Units = append(d.Units, DraftUnit{Unit: u, Task: task})
		}
	}
	for _, u := range fresh {
		u.ID = uniqueID(Slug(u.Name), ids)
		u.Order = len(d.Units)
		d.Units = append(d.Units, u)
	}
	return d
}

// New counts the drafted units and groups that the registry lacked.
func (d *Draft) New() (units, groups int) {
	for _, u := range d.Units {
		if u.New {
			units++
		}
	}
	for _, g := range d.Groups {
		if g.New {
			groups++
		}
	}
	return units, groups
}

// LoadDraft reads a plan and what it is checked against (the files Load reads) and drafts
// its registry. The problems are those of the files themselves (the plan's text, a broken
// registry), not the phrases the registry lacks: those are what the draft is for.
func LoadDraft(f Files) (*Draft, Problems, error) {
	var srcs [3]Source
	for i, in := range []struct{ file, def, flag string }{
		{f.Plan, data.Plan, "a plan FILE"}, {f.Units, data.Units, "--units"}, {f.Groups, data.Groups, "--groups"},
	} {
		src, err := readSource(in.file, in.def, in.flag)
		if err != nil {
			return nil, nil, err
		}
		srcs[i] = src
	}
	relSrc, err := readRelated(f)
	if err != nil {
		return nil, nil, err
	}
	var probs Problems
	c, p := Parse(srcs[0].Name, srcs[0].Data)
	probs = append(probs, p...)
	reg, p := ReadRegistry(srcs[1].Name, srcs[1].Data)
	probs = append(probs, p...)
	groups, p := ReadGroups(srcs[2].Name, srcs[2].Data)
	probs = append(probs, p...)
	// A mapping naming units this registry lacks is no problem here: the units come
	// from the draft's own registry later.
	rel, _ := ReadRelated(relSrc.Name, relSrc.Data, reg)
	return NewDraft(c, reg, groups, rel), probs, nil
}

// WriteUnits writes the drafted units.csv: the registry's rows first, then the new ones,
// each block under a comment saying what to check.
func (d *Draft) WriteUnits(w io.Writer) error {
	fmt.Fprintf(w, "# Units of %s, drafted by plantrack plan --draft.\n", plain(d.Plan))
	fmt.Fprintf(w, "# id: stable ASCII slug (never change it once reports exist); kind: department,\n")
	fmt.Fprintf(w, "# county, zone, town (乡镇、街道) or other; aliases: other names, separated by |.\n")
	cw := csv.NewWriter(w)
	cw.Write([]string{"id", "name", "kind", "aliases"})
	block := func(isNew bool, heading string) {
		first := true
		for _, u := range d.Units {
			if u.New != isNew {
				continue
			}
			if first {
				cw.Flush()
				fmt.Fprint(w, heading)
				first = false
			}
			cw.Write([]string{u.ID, u.Name, u.Kind, strings.Join(u.Aliases, "|")})
		}
	}
	block(false, fmt.Sprintf("# From %s: the units the plan names or its group phrases stand for.\n", plain(d.From)))
	block(true, fmt.Sprintf("# New: not in %s.\n# The kind is guessed from the name: check it. Add the units a group phrase stands for\n# that the plan does not name (a county's towns, kind town).\n", plain(d.From)))
	cw.Flush()
	return cw.Error()
}

// WriteGroups writes the drafted groups.csv, known phrases first, then the new ones.
func (d *Draft) WriteGroups(w io.Writer) error {
	fmt.Fprintf(w, "# Group phrases of %s, drafted by plantrack plan --draft.\n", plain(d.Plan))
	fmt.Fprintf(w, "# expands_to: kind:KIND (every unit of that kind in units.csv; join several with |),\n")
	fmt.Fprintf(w, "# or related (the units listed for the task in the plan's .related.csv, and its lead units).\n")
	cw := csv.NewWriter(w)
	cw.Write([]string{"phrase", "expands_to"})
	block := func(isNew bool, heading string) {
		first := true
		for _, g := range d.Groups {
			if g.New != isNew {
				continue
			}
			if first {
				cw.Flush()
				fmt.Fprint(w, heading)
				first = false
			}
			cw.Write([]string{g.Phrase, g.ExpandsTo()})
		}
	}
	block(false, fmt.Sprintf("# From %s: the group phrases the plan uses.\n", plain(d.GroupsFrom)))
	block(true, fmt.Sprintf("# New: not in %s.\n# The expansion is guessed from the words: check it.\n", plain(d.GroupsFrom)))
	cw.Flush()
	return cw.Error()
}

// plain drops control characters from a file name written into a comment line.
func plain(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return -1
		}
		return r
	}, s)
}

// groupPhrase reports whether a phrase stands for several units (各乡镇, 县直有关部门,
// 县政府各部门, 领导小组成员单位) rather than naming one.
func groupPhrase(ph string) bool {
	k := Key(ph)
	for _, w := range []string{"各", "有关", "相关", "成员单位"} {
		if strings.Contains(k, w) {
			return true
		}
	}
	return strings.HasSuffix(k, "部门") || strings.HasSuffix(k, "单位")
}

// GuessGroup guesses what a group phrase stands for from its words: 有关/相关 → related
// (the office lists the units per task); 乡、镇、街道 → kind:town; 各县, 县(市、区) → kind:county;
// 开发区, 园区, 管委会 → kind:zone; 部门, 单位, 机构 → kind:department; else related.
func GuessGroup(ph string) Group {
	k := Key(ph)
	g := Group{Phrase: ph}
	has := func(ws ...string) bool {
		return slices.ContainsFunc(ws, func(w string) bool { return strings.Contains(k, w) })
	}
	if has("有关", "相关", "成员单位") {
		g.Related = true
		return g
	}
	if has("乡", "镇", "街道") {
		g.Kinds = append(g.Kinds, KindTown)
	}
	if has("各县", "各市", "各区", "县(市、区)", "县市区", "县(市区)") {
		g.Kinds = append(g.Kinds, KindCounty)
	}
	if has("开发区", "园区", "管委会") {
		g.Kinds = append(g.Kinds, KindZone)
	}
	if has("部门", "单位", "机构", "各局") {
		g.Kinds = append(g.Kinds, KindDepartment)
	}
	if len(g.Kinds) == 0 {
		g.Related = true
	}
	return g
}

// GuessKind guesses a unit's kind from its name: …镇, …乡, …街道, …办事处 → town; …开发区,
// …园区, …管委会 → zone; …县, …市, …区 (a government: 某县人民政府 too) → county; …局, …委,
// …办, …办公室, …院, …中心 → department; anything else → other.
func GuessKind(name string) string {
	n := Key(name)
	if head, ok := withoutTail(n); ok {
		n = head
	}
	n = strings.TrimSuffix(strings.TrimSuffix(n, "人民政府"), "政府")
	ends := func(ws ...string) bool {
		return slices.ContainsFunc(ws, func(w string) bool { return strings.HasSuffix(n, w) })
	}
	switch {
	case ends("镇", "乡", "街道", "办事处", "街道办"):
		return KindTown
	case ends("开发区", "园区", "管委会", "度假区", "高新区", "新区", "示范区"):
		return KindZone
	case ends("县", "市", "区", "旗"):
		return KindCounty
	case ends("局", "委", "办", "办公室", "院", "中心", "厅", "署"):
		return KindDepartment
	}
	return KindOther
}

// Slug makes an ASCII id from a unit's name: the pinyin of its Chinese characters and
// its Latin letters and digits, lower-case, joined by hyphens (古楼街道 → gu-lou-jie-dao).
func Slug(name string) string {
	var parts []string
	var word strings.Builder
	flush := func() {
		if word.Len() > 0 {
			parts = append(parts, word.String())
			word.Reset()
		}
	}
	args := pinyin.NewArgs()
	args.Fallback = func(rune, pinyin.Args) []string { return nil }
	for _, c := range Key(name) {
		switch {
		case c < 0x80 && (unicode.IsLetter(c) || unicode.IsDigit(c)):
			word.WriteRune(unicode.ToLower(c))
		case unicode.Is(unicode.Han, c):
			flush()
			if py := pinyin.SinglePinyin(c, args); len(py) > 0 {
				if s := asciiWord(py[0]); s != "" {
					parts = append(parts, s)
				}
			}
		default:
			flush()
		}
	}
	flush()
	if len(parts) == 0 {
		return "unit"
	}
	return strings.Join(parts, "-")
}

// asciiWord keeps a pinyin syllable's ASCII letters, ü as v.
func asciiWord(s string) string {
	var b strings.Builder
	for _, c := range strings.ToLower(s) {
		switch {
		case c == 'ü':
			b.WriteByte('v')
		case c >= 'a' && c <= 'z', c >= '0' && c <= '9':
			b.WriteRune(c)
		}
	}
	return b.String()
}

// uniqueID returns id, or id-2, id-3 … when taken, and takes it.
func uniqueID(id string, taken map[string]bool) string {
	out := id
	for n := 2; taken[out]; n++ {
		out = id + "-" + strconv.Itoa(n)
	}
	taken[out] = true
	return out
}
