package bench

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"plantrack/plan"
	"plantrack/sample"
)

func TestGenerateScaled(t *testing.T) {
	b, err := plan.Builtin()
	if err != nil {
		t.Fatal(err)
	}
	units := ScaledUnits(b.Registry, 3)
	read := func(p string) []byte {
		data, err := os.ReadFile(filepath.Join("..", "..", "data", p))
		if err != nil {
			t.Fatal(err)
		}
		return data
	}
	related, groups, text := read("plan/liaocheng-2021.related.csv"), read("groups.csv"), read("plan/liaocheng-2021.txt")
	s := plan.Resolve(plan.Source{Name: "plan", Data: text}, plan.Source{Name: "units", Data: units},
		plan.Source{Name: "groups", Data: groups}, plan.Source{Name: "related", Data: related})
	if s.Problems.Errors() > 0 {
		t.Fatal(s.Problems)
	}
	if len(s.Registry.Units) != 3*len(b.Registry.Units) {
		t.Fatalf("%d units", len(s.Registry.Units))
	}
	perCopy := map[int]int{}
	for _, a := range s.Assignments {
		perCopy[cityOf(a.UnitID)]++
	}
	if perCopy[1] != len(b.Assignments) || perCopy[2] == 0 || perCopy[2] != perCopy[3] {
		t.Fatalf("assignments per city: %v", perCopy)
	}
	dir := t.TempDir()
	m, err := GenerateScaled(dir, s, 3, 1, sample.Options{Seed: sample.DefaultSeed})
	if err != nil {
		t.Fatal(err)
	}
	if len(m.CSV) != 2 || m.Rows != 3186+2*4*perCopy[2] {
		t.Errorf("%d copy files, %d rows; want 2 and %d", len(m.CSV), m.Rows, 3186+2*4*perCopy[2])
	}
	first, _ := os.ReadFile(m.CSV[0])
	again := t.TempDir()
	m2, _ := GenerateScaled(again, s, 3, 1, sample.Options{Seed: sample.DefaultSeed})
	second, _ := os.ReadFile(m2.CSV[0])
	if string(first) != string(second) || !strings.Contains(string(first), "东阿县·2,2021Q1,") {
		t.Error("copies are not deterministic or not named as the registry names them")
	}
	// Monthly: three reports a quarter, periods written as months.
	monthly := t.TempDir()
	m3, err := GenerateScaled(monthly, s, 3, 3, sample.Options{Seed: sample.DefaultSeed})
	if err != nil {
		t.Fatal(err)
	}
	if m3.Rows != 3186+2*12*perCopy[2] {
		t.Errorf("monthly: %d rows, want %d", m3.Rows, 3186+2*12*perCopy[2])
	}
	text3, _ := os.ReadFile(m3.CSV[0])
	if !strings.Contains(string(text3), ",2021-05,") || strings.Contains(string(text3), ",2021Q") {
		t.Error("monthly copies do not write months as periods")
	}
	if _, err := GenerateScaled(t.TempDir(), s, 2, 2, sample.Options{}); err == nil {
		t.Error("two reports a quarter accepted")
	}
}
