package plan

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
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
	// Sources are the files it was resolved from (plan, units, groups, related): a
	// database keeps them, to check any year's reports against that year's plan.
	Sources [4]Source
}

// Resolve parses a plan and expands it into assignments through the registry, the group
// phrases and the 有关部门 mapping.
func Resolve(planText, units, groups, related Source) *Bundle {
	sum := sha256.Sum256(planText.Data)
	b := &Bundle{SHA256: hex.EncodeToString(sum[:]), Sources: [4]Source{planText, units, groups, related}}
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

// Files name the inputs of a plan on disk; an empty name means the built-in copy (data/).
type Files struct {
	Plan, Units, Groups string
	// Related is the 有关部门 mapping; empty means the .related.csv beside Plan (or the
	// built-in plan's), and a missing one is no error: Assign warns where a task needs it.
	Related string
}

// Builtin is the plan built into the binary (data/), resolved: the Liaocheng 2021 plan and
// its registry.
func Builtin() (*Bundle, error) { return Load(Files{}) }

// Embedded resolves another plan built into the binary (data.DemoPlan) against the
// built-in registry and groups, with its .related.csv when it has one.
func Embedded(name string) (*Bundle, error) {
	var srcs [4]Source
	for i, n := range []string{name, data.Units, data.Groups} {
		b, err := fs.ReadFile(data.FS, n)
		if err != nil {
			return nil, err
		}
		srcs[i] = Source{Name: "data/" + n, Data: b}
	}
	rel := RelatedName(name)
	if b, err := fs.ReadFile(data.FS, rel); err == nil {
		srcs[3] = Source{Name: "data/" + rel, Data: b}
	}
	return Resolve(srcs[0], srcs[1], srcs[2], srcs[3]), nil
}

// Load reads and resolves a plan. Problems of the plan are in the bundle; the error is for
// files that could not be read at all.
func Load(f Files) (*Bundle, error) {
	var srcs [4]Source
	for i, in := range []struct{ file, def, flag string }{
		{f.Plan, data.Plan, "a plan FILE"}, {f.Units, data.Units, "--units"}, {f.Groups, data.Groups, "--groups"},
	} {
		src, err := readSource(in.file, in.def, in.flag)
		if err != nil {
			return nil, err
		}
		srcs[i] = src
	}
	rel, err := readRelated(f)
	if err != nil {
		return nil, err
	}
	srcs[3] = rel
	return Resolve(srcs[0], srcs[1], srcs[2], srcs[3]), nil
}

// builtIn labels an embedded file in messages, saying how to use an edited copy instead.
func builtIn(name, flag string) string {
	return fmt.Sprintf("data/%s (built in; pass %s with an edited copy)", name, flag)
}

// readSource reads a file from disk, or the embedded default when file is empty.
func readSource(file, def, flag string) (Source, error) {
	if file == "" {
		b, err := fs.ReadFile(data.FS, def)
		return Source{Name: builtIn(def, flag), Data: b}, err
	}
	b, err := os.ReadFile(file)
	if err != nil {
		return Source{}, err
	}
	return Source{Name: file, Data: b}, nil
}

// readRelated finds the 有关部门 mapping: Files.Related, else the .related.csv beside the plan.
func readRelated(f Files) (Source, error) {
	if f.Related != "" {
		return readSource(f.Related, "", "")
	}
	if f.Plan == "" {
		def := RelatedName(data.Plan)
		b, err := fs.ReadFile(data.FS, def)
		if err != nil {
			return Source{}, err
		}
		return Source{Name: builtIn(def, "--related"), Data: b}, nil
	}
	name := RelatedName(f.Plan)
	b, err := os.ReadFile(name)
	if errors.Is(err, fs.ErrNotExist) {
		return Source{Name: name}, nil
	}
	if err != nil {
		return Source{}, err
	}
	return Source{Name: name, Data: b}, nil
}
