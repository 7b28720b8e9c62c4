// Package data holds the default plan, unit registry and group phrases, embedded so that
// the binary works on an offline intranet with nothing beside it. The files are the
// editable originals: pass --units, --groups or a plan FILE to use edited copies.
package data

import "embed"

// FS holds units.csv, groups.csv and plan/ (each plan's text and its .related.csv).
//
//go:embed units.csv groups.csv plan
var FS embed.FS

// Default names of the embedded files.
const (
	Units  = "units.csv"
	Groups = "groups.csv"
	Plan   = "plan/liaocheng-2021.txt"
	// DemoPlan is a second year's plan written for the demo, in the other common layout
	// ((一)(二)… items, unit lines below them): the demo shows two years side by side.
	DemoPlan = "plan/demo-2022.txt"
)
