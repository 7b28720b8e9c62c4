package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"plantrack/internal/testkit"
)

// TestPlanLayouts runs `plantrack plan` on small plans written for the layouts real plans
// use, against the built-in registry, and compares the catalog (JSON and table), the
// assignments and the problems with their goldens. (TestPlanGolden covers the first
// layouts and the Liaocheng plan.)
func TestPlanLayouts(t *testing.T) {
	for _, name := range []string{
		"three-level",          // 一、 › （一） › 1., numbering restarting in each （一）; 三、组织保障 holds no task
		"running-numbering",    // （一）… numbered on through the sections: （三） opens 二、
		"responsible-only",     // only 责任单位 lines, 1. restarting in each section
		"cooperating-units",    // 〔牵头单位：…；配合单位：…〕, tails 按职责分工分别负责 and 等
		"notice-preamble",      // a 通知 with its 文号, 主送 line and date before the plan
		"general-requirements", // 一、总体要求 with （一）（二）（三） that are not tasks
	} {
		t.Run(name, func(t *testing.T) {
			dir := filepath.Join("testdata", "plan", name)
			planGoldens(t, dir, []string{filepath.Join(dir, "plan.txt")}, ExitOK)
		})
	}
}

// planGoldens runs plan with args and its three outputs, comparing each with the
// goldens in dir.
func planGoldens(t *testing.T, dir string, args []string, code int) {
	t.Helper()
	for _, o := range []struct {
		file string
		args []string
	}{
		{"catalog.json", []string{"--format", "json"}},
		{"catalog.txt", nil},
		{"assignments.csv", []string{"--assignments", "--format", "csv"}},
	} {
		stdout, stderr, got := run(t, append(append([]string{"plan"}, args...), o.args...)...)
		if got != code {
			t.Errorf("%v: exit %d, want %d; stderr:\n%s", o.args, got, code, stderr)
		}
		testkit.Golden(t, filepath.Join(dir, o.file), stdout)
		testkit.Golden(t, filepath.Join(dir, "stderr.txt"), stderr)
	}
}

// A county starts from its own plan: --draft writes the units and group phrases the
// built-in (city) registry lacks, with guessed kinds and pinyin ids; the plan then
// resolves against the drafts alone, its 各乡镇 phrases expanding to the towns it names.
func TestPlanDraftCounty(t *testing.T) {
	dir := filepath.Join("testdata", "plan", "county-2022")
	file := filepath.Join(dir, "plan.txt")
	// Against the city registry the county's units are unknown: errors, exit 1.
	_, stderr, code := run(t, "plan", file)
	if code != ExitError || !strings.Contains(stderr, `lead unit "县司法局" is not in the unit registry`) {
		t.Fatalf("exit %d, stderr:\n%s", code, stderr)
	}

	out := filepath.Join(t.TempDir(), "draft")
	stdout, stderr, code := run(t, "plan", file, "--draft", out)
	if code != ExitOK {
		t.Fatalf("--draft: exit %d, stderr:\n%s", code, stderr)
	}
	testkit.Golden(t, filepath.Join(dir, "draft", "stdout.txt"), strings.ReplaceAll(stdout, out, "DIR"))
	testkit.Golden(t, filepath.Join(dir, "draft", "stderr.txt"), stderr)
	units, groups := filepath.Join(out, "units.csv"), filepath.Join(out, "groups.csv")
	for _, f := range []string{units, groups} {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		testkit.Golden(t, filepath.Join(dir, "draft", filepath.Base(f)), string(b))
	}

	// The drafts resolve the plan: exit 0, and the goldens show the towns behind
	// 各乡镇人民政府（街道办事处） and 各乡镇（街道）.
	planGoldens(t, dir, []string{file, "--units", units, "--groups", groups}, ExitOK)
	csv, _, _ := run(t, "plan", file, "--units", units, "--groups", groups, "--assignments", "--format", "csv")
	towns := map[string][]string{}
	for _, line := range strings.Split(strings.TrimSpace(csv), "\n")[1:] {
		f := strings.Split(line, ",")
		if f[3] == "town" {
			towns[f[0]] = append(towns[f[0]], f[2]+"/"+f[5])
		}
	}
	want := map[string]string{
		"1": "城关镇/各乡镇人民政府（街道办事处） 古楼街道/各乡镇人民政府（街道办事处） 新店镇/各乡镇人民政府（街道办事处） 张鲁回族镇/各乡镇人民政府（街道办事处） 柳林乡/各乡镇人民政府（街道办事处）",
		"2": "城关镇/城关镇 古楼街道/古楼街道 新店镇/新店镇 张鲁回族镇/张鲁回族镇 柳林乡/柳林乡",
		"4": "城关镇/各乡镇（街道） 古楼街道/各乡镇（街道） 新店镇/各乡镇（街道） 张鲁回族镇/各乡镇（街道） 柳林乡/各乡镇（街道）",
	}
	if len(towns) != len(want) {
		t.Errorf("tasks with towns: %v", towns)
	}
	for task, w := range want {
		if got := strings.Join(towns[task], " "); got != w {
			t.Errorf("task %s towns:\n got %s\nwant %s", task, got, w)
		}
	}
}

// plan diff: one task reworded, one with a new lead unit, one with a new target, one
// dropped, one new, one unchanged but for its brackets.
func TestPlanDiff(t *testing.T) {
	dir := filepath.Join("testdata", "plan", "diff")
	old, new := filepath.Join(dir, "old.txt"), filepath.Join(dir, "new.txt")
	stdout, stderr, code := run(t, "plan", "diff", old, new, "--format", "json")
	want := `{"carried":[{"old":1,"new":4,"similarity":0.83,"changes":["text"]},` +
		`{"old":2,"new":5,"similarity":1,"changes":[]},` +
		`{"old":3,"new":1,"similarity":1,"changes":["lead"]},` +
		`{"old":4,"new":3,"similarity":0.87,"changes":["text","targets"]}],` +
		`"new":[2],"dropped":[5]}` + "\n"
	if code != ExitOK || stderr != "" || stdout != want {
		t.Errorf("exit %d, stderr %q, stdout:\n%s\nwant:\n%s", code, stderr, stdout, want)
	}
	stdout, stderr, code = run(t, "plan", "diff", old, new)
	if code != ExitOK || stderr != "" {
		t.Errorf("table: exit %d, stderr %q", code, stderr)
	}
	testkit.Golden(t, filepath.Join(dir, "diff.txt"), stdout)

	// A plan compared with itself carries every task over unchanged.
	stdout, _, _ = run(t, "plan", "diff", new, new, "--format", "json")
	if want := `{"carried":[{"old":1,"new":1,"similarity":1,"changes":[]},{"old":2,"new":2,"similarity":1,"changes":[]},{"old":3,"new":3,"similarity":1,"changes":[]},{"old":4,"new":4,"similarity":1,"changes":[]},{"old":5,"new":5,"similarity":1,"changes":[]}],"new":[],"dropped":[]}` + "\n"; stdout != want {
		t.Errorf("self diff:\n%s", stdout)
	}
}

// plan is a command with a FILE argument and a subcommand diff; each says what it wants.
func TestPlanCommandLine(t *testing.T) {
	for _, tt := range []struct {
		name    string
		args    []string
		code    int
		message string
	}{
		{"plan without FILE", []string{"plan"}, ExitUsage, "want one plan FILE, got 0 argument(s)"},
		{"plan with two files", []string{"plan", "a.txt", "b.txt"}, ExitUsage, "want one plan FILE, got 2 argument(s)"},
		{"diff without files", []string{"plan", "diff"}, ExitUsage, "want OLD and NEW plan files, got 0 argument(s)"},
		{"diff with one file", []string{"plan", "diff", "a.txt"}, ExitUsage, "want OLD and NEW plan files, got 1 argument(s)"},
		{"diff bad format", []string{"plan", "diff", "--format", "csv", "a.txt", "b.txt"}, ExitUsage, `--format "csv": want table or json`},
		{"diff missing file", []string{"plan", "diff", "testdata/nope.txt", "testdata/plan/diff/new.txt"}, ExitError, "testdata/nope.txt: no such file"},
		{"a FILE named diff is ./diff", []string{"plan", "./diff"}, ExitError, "./diff: no such file"},
		{"draft with assignments", []string{"plan", "testdata/plan/diff/new.txt", "--draft", t.TempDir(), "--assignments"}, ExitUsage, "--draft writes files"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, stderr, code := run(t, tt.args...)
			if code != tt.code || !strings.Contains(stderr, tt.message) {
				t.Errorf("exit %d (want %d), stderr:\n%s\nwant it to say %q", code, tt.code, stderr, tt.message)
			}
		})
	}
}

// Any error in a plan exits 1, whatever else parsed: a gap in the numbering here.
func TestPlanErrorsExit1(t *testing.T) {
	f := filepath.Join(t.TempDir(), "gap.txt")
	os.WriteFile(f, []byte("某市2022年工作要点\n一、甲\n（一）任务一。\n牵头单位：市司法局\n（三）任务三。\n牵头单位：市司法局\n"), 0o644)
	_, stderr, code := run(t, "plan", f)
	want := f + ":5: numbering gap: （三） comes after （一）, where （二） was expected\n"
	if code != ExitError || !strings.HasPrefix(stderr, want) {
		t.Errorf("exit %d, stderr:\n%s\nwant it to begin %q", code, stderr, want)
	}
	_, stderr, code = run(t, "plan", "diff", "testdata/plan/diff/old.txt", f)
	if code != ExitError || !strings.Contains(stderr, want) {
		t.Errorf("diff: exit %d, stderr:\n%s", code, stderr)
	}
}
