package plan

import (
	"cmp"
	"math"
	"slices"
	"strconv"
	"unicode"
)

// Diff compares two plans (last year's and this year's): the tasks carried over, matched
// by their text, with what changed; the new tasks; the dropped ones. Task numbers are each
// plan's own.
type Diff struct {
	Carried []Carried `json:"carried"`
	New     []int     `json:"new"`
	Dropped []int     `json:"dropped"`
}

// Carried is a task of the old plan that the new plan carries over.
type Carried struct {
	Old        int     `json:"old"`
	New        int     `json:"new"`
	Similarity float64 `json:"similarity"` // of the two texts, 0–1, two decimals
	// Changes lists what differs, in this order: "text", "lead", "responsible", "targets".
	Changes []string `json:"changes"`
}

// What a carried task may change.
const (
	ChangeText        = "text"
	ChangeLead        = "lead"
	ChangeResponsible = "responsible"
	ChangeTargets     = "targets"
)

// MatchThreshold is the least similarity at which a new task is taken for an old one
// carried over.
const MatchThreshold = 0.5

// Compare matches the tasks of two plans. The similarity of two task texts is the Dice
// coefficient of their character bigrams (letters and digits only: spaces and punctuation
// do not count): 2·|A∩B| / (|A|+|B|), counting repeated bigrams. Rewording keeps most
// bigrams, so a reworded task stays well above MatchThreshold while unrelated tasks share
// few. Pairs are matched one to one, the most similar pair first (ties: lower old, then
// lower new task number), among pairs at or above MatchThreshold. Units are compared by
// their registry names when reg knows them (茌平县 and 茌平区 are one unit), else as
// written; reg may be nil.
func Compare(old, new *Catalog, reg *Registry) Diff {
	type pair struct {
		o, n int // indices
		sim  float64
	}
	ob := make([]map[string]int, len(old.Tasks))
	for i, t := range old.Tasks {
		ob[i] = bigrams(t.Text)
	}
	nb := make([]map[string]int, len(new.Tasks))
	for i, t := range new.Tasks {
		nb[i] = bigrams(t.Text)
	}
	var pairs []pair
	for i := range old.Tasks {
		for j := range new.Tasks {
			if s := dice(ob[i], nb[j]); s >= MatchThreshold {
				pairs = append(pairs, pair{i, j, s})
			}
		}
	}
	slices.SortFunc(pairs, func(a, b pair) int {
		return cmp.Or(cmp.Compare(b.sim, a.sim), cmp.Compare(a.o, b.o), cmp.Compare(a.n, b.n))
	})
	d := Diff{Carried: []Carried{}, New: []int{}, Dropped: []int{}}
	oldUsed, newUsed := make([]bool, len(old.Tasks)), make([]bool, len(new.Tasks))
	for _, p := range pairs {
		if oldUsed[p.o] || newUsed[p.n] {
			continue
		}
		oldUsed[p.o], newUsed[p.n] = true, true
		o, n := &old.Tasks[p.o], &new.Tasks[p.n]
		d.Carried = append(d.Carried, Carried{Old: o.No, New: n.No, Similarity: math.Round(p.sim*100) / 100, Changes: changes(o, n, reg)})
	}
	slices.SortFunc(d.Carried, func(a, b Carried) int { return cmp.Compare(a.Old, b.Old) })
	for i, t := range old.Tasks {
		if !oldUsed[i] {
			d.Dropped = append(d.Dropped, t.No)
		}
	}
	for i, t := range new.Tasks {
		if !newUsed[i] {
			d.New = append(d.New, t.No)
		}
	}
	return d
}

// Similarity is the bigram Dice coefficient Compare matches tasks by, unrounded.
func Similarity(a, b string) float64 { return dice(bigrams(a), bigrams(b)) }

// comparable keeps a text's letters and digits, in their compatibility forms.
func comparable(s string) []rune {
	var out []rune
	for _, c := range Key(s) {
		if unicode.IsLetter(c) || unicode.IsDigit(c) {
			out = append(out, c)
		}
	}
	return out
}

// bigrams counts the character bigrams of a text (a one-character text is its own).
func bigrams(s string) map[string]int {
	r := comparable(s)
	m := map[string]int{}
	if len(r) == 1 {
		m[string(r)]++
	}
	for i := 0; i+1 < len(r); i++ {
		m[string(r[i:i+2])]++
	}
	return m
}

func dice(a, b map[string]int) float64 {
	na, nb, common := 0, 0, 0
	for _, v := range a {
		na += v
	}
	for _, v := range b {
		nb += v
	}
	if na+nb == 0 {
		return 1
	}
	for k, v := range a {
		common += min(v, b[k])
	}
	return 2 * float64(common) / float64(na+nb)
}

// changes lists what differs between an old task and the new task carrying it over.
func changes(o, n *Task, reg *Registry) []string {
	out := []string{}
	if string(comparable(o.Text)) != string(comparable(n.Text)) {
		out = append(out, ChangeText)
	}
	if !sameSet(unitNames(o.LeadPhrases, reg), unitNames(n.LeadPhrases, reg)) {
		out = append(out, ChangeLead)
	}
	if !sameSet(unitNames(o.Responsible, reg), unitNames(n.Responsible, reg)) {
		out = append(out, ChangeResponsible)
	}
	if !sameSet(targetKeys(o.Targets), targetKeys(n.Targets)) {
		out = append(out, ChangeTargets)
	}
	return out
}

// unitNames names the units of phrases as the registry does, else as written.
func unitNames(phrases []string, reg *Registry) []string {
	var out []string
	for _, ph := range phrases {
		if reg != nil {
			if u, ok := lookupUnit(reg, ph); ok {
				out = append(out, u.Name)
				continue
			}
		}
		out = append(out, Key(ph))
	}
	return out
}

func targetKeys(ts []Target) []string {
	var out []string
	for _, t := range ts {
		out = append(out, string(comparable(t.What))+"\x00"+strconv.Itoa(t.Min)+"\x00"+t.Unit)
	}
	return out
}

func sameSet(a, b []string) bool {
	a, b = slices.Clone(a), slices.Clone(b)
	slices.Sort(a)
	slices.Sort(b)
	return slices.Equal(slices.Compact(a), slices.Compact(b))
}
