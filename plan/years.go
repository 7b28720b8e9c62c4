package plan

import (
	"fmt"
	"slices"
)

// Years is every plan a database holds, one a year, and one registry of all their units:
// reports of a period are checked against the plan of its year.
type Years struct {
	Plans []*Bundle // by year
	// Registry holds every unit of every year's registry: for an id, the latest year's
	// name, kind and aliases, and the names earlier years knew it by as aliases (a unit
	// renamed keeps its history). Units are in the latest registry's order, then the units
	// only earlier years have.
	Registry *Registry
}

// NewYears gathers plans, at most one a year.
func NewYears(plans ...*Bundle) (*Years, error) {
	ps := slices.Clone(plans)
	slices.SortFunc(ps, func(a, b *Bundle) int { return a.Catalog.Year - b.Catalog.Year })
	for i := 1; i < len(ps); i++ {
		if ps[i].Catalog.Year == ps[i-1].Catalog.Year {
			return nil, fmt.Errorf("two plans for %d: %s and %s", ps[i].Catalog.Year, ps[i-1].Catalog.File, ps[i].Catalog.File)
		}
	}
	reg := &Registry{File: "every plan year's registry", byKey: map[string]int{}, byID: map[string]int{}}
	for i := len(ps) - 1; i >= 0; i-- {
		for _, u := range ps[i].Registry.Units {
			idx, known := reg.byID[u.ID]
			if !known {
				idx = len(reg.Units)
				reg.byID[u.ID] = idx
				u.Order = idx
				u.Aliases = slices.Clone(u.Aliases)
				reg.Units = append(reg.Units, u)
			}
			for _, n := range append([]string{u.Name}, u.Aliases...) {
				k := Key(n)
				if _, taken := reg.byKey[k]; taken {
					continue // a later year gave the name to a unit: it names that one
				}
				reg.byKey[k] = idx
				if known && !slices.Contains(reg.Units[idx].Aliases, n) && reg.Units[idx].Name != n {
					reg.Units[idx].Aliases = append(reg.Units[idx].Aliases, n)
				}
			}
		}
	}
	return &Years{Plans: ps, Registry: reg}, nil
}

// Year is the plan of a year, nil when there is none.
func (y *Years) Year(year int) *Bundle {
	for _, p := range y.Plans {
		if p.Catalog.Year == year {
			return p
		}
	}
	return nil
}

// ByID is the plan whose text has the SHA-256 id, nil when there is none.
func (y *Years) ByID(id string) *Bundle {
	for _, p := range y.Plans {
		if p.SHA256 == id {
			return p
		}
	}
	return nil
}

// List names the plan years: 2021、2022.
func (y *Years) List() string {
	s := ""
	for i, p := range y.Plans {
		if i > 0 {
			s += "、"
		}
		s += fmt.Sprint(p.Catalog.Year)
	}
	return s
}

// Only is the Years of a single plan.
func Only(b *Bundle) *Years {
	y, _ := NewYears(b) // one plan cannot clash with another
	return y
}
