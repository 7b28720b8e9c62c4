package plan

import (
	"os"
	"testing"
)

// The shipped registry: the real Liaocheng units and the aliases units write.
func TestLiaochengRegistry(t *testing.T) {
	src, err := os.ReadFile("../data/units.csv")
	if err != nil {
		t.Fatal(err)
	}
	reg, probs := ReadRegistry("units.csv", src)
	if len(probs) > 0 {
		t.Fatalf("problems: %v", probs)
	}
	counts := map[string]int{}
	for _, u := range reg.Units {
		counts[u.Kind]++
	}
	if counts[KindCounty] != 8 || counts[KindZone] != 3 || counts[KindDepartment] < 30 {
		t.Errorf("kinds %v: want 8 counties, 3 zones and the city departments", counts)
	}
	aliases := map[string]string{
		"东昌府区人民政府":    "东昌府区",
		"东昌府区政府":      "东昌府区",
		"茌平县":         "茌平区",
		"市发改委":        "市发展改革委",
		"聊城市发展和改革委员会": "市发展改革委",
		"高新区":         "聊城高新技术产业开发区",
		"市应急管理局":      "市应急局",
		"市 司法 局":      "市司法局",
	}
	for alias, want := range aliases {
		u, ok := reg.Lookup(alias)
		if !ok || u.Name != want {
			t.Errorf("Lookup(%q) = %v, %v; want %s", alias, u, ok, want)
		}
	}
	for _, name := range []string{"东昌府区", "茌平区", "临清市", "阳谷县", "莘县", "东阿县", "冠县", "高唐县"} {
		if u, ok := reg.Lookup(name); !ok || u.Kind != KindCounty {
			t.Errorf("county %s: %v %v", name, u, ok)
		}
	}
	for _, path := range []string{"../data/groups.csv"} {
		src, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if _, probs := ReadGroups(path, src); len(probs) > 0 {
			t.Errorf("%s: %v", path, probs)
		}
	}
	src, err = os.ReadFile("../data/plan/liaocheng-2021.related.csv")
	if err != nil {
		t.Fatal(err)
	}
	if _, probs := ReadRelated("related.csv", src, reg); len(probs) > 0 {
		t.Errorf("related: %v", probs)
	}
}

func TestBuiltin(t *testing.T) {
	b, err := Builtin()
	if err != nil {
		t.Fatal(err)
	}
	if len(b.Problems) > 0 || len(b.Catalog.Tasks) != 31 || len(b.Assignments) != 800 || len(b.SHA256) != 64 {
		t.Errorf("built-in plan: %d problems, %d tasks, %d assignments, sha %q", len(b.Problems), len(b.Catalog.Tasks), len(b.Assignments), b.SHA256)
	}
}
