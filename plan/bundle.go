package plan

import (
	"crypto/sha256"
	"encoding/hex"
	"io/fs"
	"path"
	"strings"

	"plantrack/data"
)

// Source is one input file: a name for messages and its bytes. Nil bytes mean the file
// does not exist (only a related mapping may be absent).
type Source struct {
	Name string
	Data []byte
}

// Bundle is a plan resolved against its registry: the catalog with canonical lead units,
// the assignments, every problem found, and the plan text's SHA-256 (the plan's identity
// in the database and in templates).
type Bundle struct {
	Catalog     *Catalog
	Registry    *Registry
	Assignments []Assignment
	Problems    Problems
	SHA256      string
}

// Resolve parses a plan and expands it into assignments through the registry, the group
// phrases and the 有关部门 mapping.
func Resolve(planText, units, groups, related Source) *Bundle {
	sum := sha256.Sum256(planText.Data)
	b := &Bundle{SHA256: hex.EncodeToString(sum[:])}
	var probs Problems
	b.Catalog, probs = Parse(planText.Name, planText.Data)
	b.Problems = append(b.Problems, probs...)
	b.Registry, probs = ReadRegistry(units.Name, units.Data)
	b.Problems = append(b.Problems, probs...)
	g, probs := ReadGroups(groups.Name, groups.Data)
	b.Problems = append(b.Problems, probs...)
	rel, probs := ReadRelated(related.Name, related.Data, b.Registry)
	b.Problems = append(b.Problems, probs...)
	b.Assignments, probs = Assign(b.Catalog, b.Registry, g, rel)
	b.Problems = append(b.Problems, probs...)
	return b
}

// RelatedName is where the 有关部门 mapping of a plan file lives: beside it, plan.txt →
// plan.related.csv.
func RelatedName(planFile string) string {
	return strings.TrimSuffix(planFile, path.Ext(planFile)) + ".related.csv"
}

// Builtin is the plan built into the binary (data/), resolved: the Liaocheng 2021 plan and
// its registry.
func Builtin() (*Bundle, error) {
	var srcs [4]Source
	for i, name := range []string{data.Plan, data.Units, data.Groups, RelatedName(data.Plan)} {
		b, err := fs.ReadFile(data.FS, name)
		if err != nil {
			return nil, err
		}
		srcs[i] = Source{Name: "data/" + name, Data: b}
	}
	return Resolve(srcs[0], srcs[1], srcs[2], srcs[3]), nil
}
