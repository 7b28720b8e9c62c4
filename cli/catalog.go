package cli

import (
	"errors"
	"fmt"
	"io/fs"
	"os"

	"github.com/spf13/cobra"

	"plantrack/data"
	"plantrack/ingest"
	"plantrack/plan"
)

// planFiles names the inputs of a catalog; empty means the built-in copy.
type planFiles struct {
	plan, units, groups, related string
}

// catalog is a plan resolved against its registry.
type catalog struct {
	*plan.Catalog
	sha256      string // of the plan text
	reg         *plan.Registry
	assignments []plan.Assignment
	problems    plan.Problems
}

// loadCatalog reads and resolves a plan. Problems are returned in the catalog; the error
// is for files that could not be read at all.
func loadCatalog(f planFiles) (*catalog, error) {
	planName, planData, err := readInput(f.plan, data.Plan, "a plan FILE")
	if err != nil {
		return nil, err
	}
	unitsName, unitsData, err := readInput(f.units, data.Units, "--units")
	if err != nil {
		return nil, err
	}
	groupsName, groupsData, err := readInput(f.groups, data.Groups, "--groups")
	if err != nil {
		return nil, err
	}
	relatedName, relatedData, err := readRelated(f)
	if err != nil {
		return nil, err
	}

	b := plan.Resolve(plan.Source{Name: planName, Data: planData}, plan.Source{Name: unitsName, Data: unitsData},
		plan.Source{Name: groupsName, Data: groupsData}, plan.Source{Name: relatedName, Data: relatedData})
	c := &catalog{Catalog: b.Catalog, sha256: b.SHA256, reg: b.Registry, assignments: b.Assignments, problems: b.Problems}
	return c, nil
}

// builtIn labels an embedded file in messages, saying how to use an edited copy instead.
func builtIn(name, flag string) string {
	return fmt.Sprintf("data/%s (built in; pass %s with an edited copy)", name, flag)
}

// readInput reads a file from disk, or the embedded default when file is empty.
func readInput(file, def, flag string) (string, []byte, error) {
	if file == "" {
		b, err := fs.ReadFile(data.FS, def)
		return builtIn(def, flag), b, err
	}
	b, err := os.ReadFile(file)
	if err != nil {
		return file, nil, fmt.Errorf("read %w", err)
	}
	return file, b, nil
}

// readRelated finds the 有关部门 mapping: --related, else the .related.csv beside the plan.
// A missing default file is no error: Assign warns where a task needs it.
func readRelated(f planFiles) (string, []byte, error) {
	if f.related != "" {
		return readInput(f.related, "", "")
	}
	if f.plan == "" {
		def := plan.RelatedName(data.Plan)
		b, err := fs.ReadFile(data.FS, def)
		if err != nil {
			return "", nil, err
		}
		return builtIn(def, "--related"), b, nil
	}
	name := plan.RelatedName(f.plan)
	b, err := os.ReadFile(name)
	if errors.Is(err, fs.ErrNotExist) {
		return name, nil, nil
	}
	if err != nil {
		return name, nil, fmt.Errorf("read %w", err)
	}
	return name, b, nil
}

// ingestPlan is the catalog in the form ingest checks rows against.
func (c *catalog) ingestPlan() ingest.Plan {
	return ingest.Plan{Catalog: c.Catalog, Registry: c.reg, Assignments: c.assignments, SHA256: c.sha256}
}

// planFlags adds the flags that choose a plan and its registry to a command.
func planFlags(cmd *cobra.Command, f *planFiles) {
	cmd.Flags().StringVar(&f.plan, "plan", "", "plan text (default: the built-in Liaocheng 2021 plan)")
	cmd.Flags().StringVar(&f.units, "units", "", "unit registry CSV (default: the built-in data/units.csv)")
	cmd.Flags().StringVar(&f.groups, "groups", "", "group phrases CSV (default: the built-in data/groups.csv)")
	cmd.Flags().StringVar(&f.related, "related", "", "有关部门 mapping CSV (default: the plan's .related.csv sibling)")
}

// loadGoodCatalog loads a catalog and fails on any error in it: data must not be checked
// against a broken plan.
func loadGoodCatalog(e *env, f planFiles) (*catalog, error) {
	c, err := loadCatalog(f)
	if err != nil {
		return nil, err
	}
	if c.problems.Errors() > 0 {
		if err := reportProblems(e.stderr, c.problems); err != nil {
			return nil, fmt.Errorf("%w: fix the plan first (plantrack plan FILE shows it)", err)
		}
	}
	return c, nil
}
