package plan

import (
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

const testUnits = `id,name,kind,aliases
# a comment line
a-county,甲县,county,甲县人民政府|甲县政府
b-county,乙区,county,乙县
zone,某开发区,zone,
justice,市司法局,department,聊城市司法局
finance,市财政局,department,
police,市公安局,department,
staffing,市委编办,other,
`

const testGroups = `phrase,expands_to
市政府各部门,kind:department
市直各部门,kind:department
各县(市、区)人民政府,kind:county
市属开发区管委会,kind:zone
市政府有关部门,related
市直有关部门,related
`

// assign parses a one-task plan with the given unit fields and expands it.
func assign(t *testing.T, fields, related string) ([]string, []string) {
	t.Helper()
	c, probs := Parse("p.txt", []byte("2021年计划\n一、甲\n1.任务。〔"+fields+"〕\n"))
	if len(probs) > 0 {
		t.Fatalf("parse: %v", probs)
	}
	reg, probs := ReadRegistry("units.csv", []byte(testUnits))
	if len(probs) > 0 {
		t.Fatalf("registry: %v", probs)
	}
	groups, probs := ReadGroups("groups.csv", []byte(testGroups))
	if len(probs) > 0 {
		t.Fatalf("groups: %v", probs)
	}
	var relData []byte
	if related != "" {
		relData = []byte("task,unit\n" + related)
	}
	rel, probs := ReadRelated("p.related.csv", relData, reg)
	if len(probs) > 0 {
		t.Fatalf("related: %v", probs)
	}
	as, probs := Assign(c, reg, groups, rel)
	got := []string{}
	for _, a := range as {
		got = append(got, fmt.Sprintf("%d %s %s", a.Task, a.UnitID, a.Role))
	}
	msgs := []string{}
	for _, p := range probs {
		msgs = append(msgs, p.String())
	}
	return got, msgs
}

func TestGroupPhrases(t *testing.T) {
	tests := []struct {
		name     string
		fields   string
		related  string
		want     []string
		problems []string
	}{
		{"市政府各部门 is every department", "牵头单位:市司法局;责任单位:市政府各部门", "",
			[]string{"1 justice lead", "1 finance responsible", "1 police responsible"}, nil},
		{"市直各部门 is every department", "牵头单位:市委编办;责任单位:市直各部门", "",
			[]string{"1 staffing lead", "1 justice responsible", "1 finance responsible", "1 police responsible"}, nil},
		{"各县(市、区)人民政府 is every county", "牵头单位:市司法局;责任单位:各县(市、区)人民政府", "",
			[]string{"1 justice lead", "1 a-county responsible", "1 b-county responsible"}, nil},
		{"full-width brackets and spaces", "牵头单位:市司法局;责任单位:各县（市、区） 人民政府", "",
			[]string{"1 justice lead", "1 a-county responsible", "1 b-county responsible"}, nil},
		{"市属开发区管委会 is every zone", "牵头单位:市司法局;责任单位:市属开发区管委会", "",
			[]string{"1 justice lead", "1 zone responsible"}, nil},
		{"市政府有关部门 is the mapped departments and the leads", "牵头单位:市财政局;责任单位:市政府有关部门", "1,市公安局\n",
			[]string{"1 finance lead", "1 police responsible"}, nil},
		{"市直有关部门 with aliases in the mapping", "牵头单位:市财政局;责任单位:市直有关部门", "1,聊城市司法局\n1,市公安局\n",
			[]string{"1 finance lead", "1 justice responsible", "1 police responsible"}, nil},
		{"有关部门 without a mapping warns", "牵头单位:市财政局;责任单位:市政府有关部门", "",
			[]string{"1 finance lead"},
			[]string{`p.txt:3: warning: task 1: "市政府有关部门" stands for the lead units only: p.related.csv lists no departments for task 1 (add rows "1,<unit>")`}},
		{"a unit named directly, by alias", "牵头单位:聊城市司法局;责任单位:甲县人民政府", "",
			[]string{"1 justice lead", "1 a-county responsible"}, nil},
		{"a lead is not also responsible", "牵头单位:市司法局;责任单位:市政府各部门、市司法局", "",
			[]string{"1 justice lead", "1 finance responsible", "1 police responsible"}, nil},
		{"unknown responsible phrase", "牵头单位:市司法局;责任单位:市外星事务局", "",
			[]string{"1 justice lead"},
			[]string{`p.txt:3: task 1: responsible "市外星事务局" matches no unit, alias or group phrase: add it as a unit or alias in units.csv, or as a group phrase in groups.csv`}},
		{"unknown lead unit", "牵头单位:市宇宙局;责任单位:甲县", "",
			[]string{"1 a-county responsible"},
			[]string{`p.txt:3: task 1: lead unit "市宇宙局" is not in the unit registry: add it, or add it as an alias of its unit, in units.csv`}},
		{"mapping for a task the plan lacks", "牵头单位:市财政局;责任单位:市政府有关部门", "1,市公安局\n9,市公安局\n",
			[]string{"1 finance lead", "1 police responsible"},
			[]string{"p.related.csv:3: task 9 is not in the plan p.txt (it has 1 tasks)"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, probs := assign(t, tt.fields, tt.related)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("assignments (-want +got):\n%s", diff)
			}
			if tt.problems == nil {
				tt.problems = []string{}
			}
			if diff := cmp.Diff(tt.problems, probs); diff != "" {
				t.Errorf("problems (-want +got):\n%s", diff)
			}
		})
	}
}

func TestReadRegistryProblems(t *testing.T) {
	tests := []struct {
		name string
		csv  string
		want string
	}{
		{"bad id", "id,name,kind,aliases\nA B,甲,county,\n", `units.csv:2: unit id "A B": use lowercase ASCII letters, digits and -`},
		{"duplicate id", "id,name,kind,aliases\na,甲,county,\na,乙,county,\n", `units.csv:3: unit id "a" appears twice`},
		{"bad kind", "id,name,kind,aliases\na,甲,city,\n", `units.csv:2: unit a: kind "city" is not one of department, county, zone, other`},
		{"alias names two units", "id,name,kind,aliases\na,甲,county,丙\nb,乙,county,丙\n", `units.csv:3: name "丙" of unit b already names unit a`},
		{"no header", "", `units.csv: empty file: the header line id,name,kind,aliases is missing`},
		{"missing column", "id,name\n", `units.csv: header has no column "kind" (want id,name,kind,aliases)`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, probs := ReadRegistry("units.csv", []byte(tt.csv))
			var got []string
			for _, p := range probs {
				got = append(got, p.String())
			}
			if !strings.Contains(strings.Join(got, "\n"), tt.want) {
				t.Errorf("problems %q do not include %q", got, tt.want)
			}
		})
	}
}

func TestReadGroupsProblems(t *testing.T) {
	_, probs := ReadGroups("groups.csv", []byte("phrase,expands_to\n各部门,kind:city\n"))
	want := `groups.csv:2: group "各部门": expands_to "kind:city" is not related or kind:department|kind:county|kind:zone|kind:other|kind:town`
	if len(probs) != 1 || probs[0].String() != want {
		t.Errorf("problems %v, want %q", probs, want)
	}
}
