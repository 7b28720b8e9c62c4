package plan

import (
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// outline prints a catalog compactly: each section with its tasks as label:text[lead|responsible].
func outline(c *Catalog) []string {
	out := []string{}
	for _, s := range c.Sections {
		line := fmt.Sprintf("%d %s:", s.No, s.Title)
		for _, t := range c.Tasks {
			if t.Section == s.No {
				line += fmt.Sprintf(" %d %s%s[%s|%s]", t.No, t.Label, t.Text, strings.Join(t.LeadPhrases, "、"), strings.Join(t.Responsible, "、"))
			}
		}
		out = append(out, line)
	}
	return out
}

func messages(probs Problems) []string {
	out := []string{}
	for _, p := range probs {
		out = append(out, p.String())
	}
	return out
}

// The layouts real plans use, each alone: which parts are sections, which items tasks.
func TestParseLayouts(t *testing.T) {
	tests := []struct {
		name     string
		src      string
		want     []string
		problems []string
	}{
		{"（一） numbered on through the sections",
			"某市2022年要点\n一、甲\n（一）任务一。\n牵头单位：市司法局\n（二）任务二。\n牵头单位：市司法局\n" +
				"二、乙\n（三）任务三。\n牵头单位：市司法局\n（四）任务四。\n责任单位：市公安局\n三、丙\n（五）任务五。\n牵头单位：市司法局\n",
			[]string{"1 甲: 1 （一）任务一。[市司法局|] 2 （二）任务二。[市司法局|]",
				"2 乙: 3 （三）任务三。[市司法局|] 4 （四）任务四。[|市公安局]",
				"3 丙: 5 （五）任务五。[市司法局|]"},
			[]string{"p.txt:10: warning: task 4: names no 牵头单位 (lead unit)"}},
		{"（一） restarting in each section",
			"某市2022年要点\n一、甲\n（一）任务一。\n牵头单位：市司法局\n二、乙\n（一）任务二。\n牵头单位：市司法局\n",
			[]string{"1 甲: 1 （一）任务一。[市司法局|]", "2 乙: 2 （一）任务二。[市司法局|]"}, nil},
		{"1. numbered through the plan",
			"某市2022年要点\n一、甲\n1.任务一。\n牵头单位：市司法局\n二、乙\n2.任务二。\n牵头单位：市司法局\n",
			[]string{"1 甲: 1 1.任务一。[市司法局|]", "2 乙: 2 2.任务二。[市司法局|]"}, nil},
		{"three levels: the （一） parts are the sections",
			"某市2022年要点\n一、总体要求\n坚持依法行政。\n二、主要任务\n（一）依法履职\n1.任务一。\n牵头单位：市司法局\n2.任务二。\n牵头单位：市司法局\n" +
				"（二）严格执法\n3.任务三。\n牵头单位：市公安局\n三、保障措施\n（一）加强领导。\n（二）强化督查。\n",
			[]string{"1 依法履职: 1 1.任务一。[市司法局|] 2 2.任务二。[市司法局|]", "2 严格执法: 3 3.任务三。[市公安局|]"},
			[]string{"p.txt:13: warning: section 三、保障措施: its 2 numbered item(s) name no 牵头单位 or 责任单位, so they are not tasks and it is not a section of the catalog"}},
		{"three levels, 1. restarting in each （一）, （一） running on from 总体要求",
			"某市2022年要点\n一、总体要求\n（一）指导思想。\n（二）基本原则。\n二、主要任务\n（三）依法履职\n1.任务一。\n牵头单位：市司法局\n" +
				"（四）严格执法\n1.任务二。\n牵头单位：市公安局\n2.任务三。\n牵头单位：市公安局\n",
			[]string{"1 依法履职: 1 1.任务一。[市司法局|]", "2 严格执法: 2 1.任务二。[市公安局|] 3 2.任务三。[市公安局|]"},
			[]string{"p.txt:2: warning: section 一、总体要求: its 2 numbered item(s) name no 牵头单位 or 责任单位, so they are not tasks and it is not a section of the catalog"}},
		{"a chapter with tasks of its own beside chapters split into （一） parts",
			"某市2022年要点\n一、甲\n（一）子甲\n1.任务一。\n牵头单位：市司法局\n二、乙\n2.任务二。\n牵头单位：市司法局\n",
			[]string{"1 子甲: 1 1.任务一。[市司法局|]", "2 乙: 2 2.任务二。[市司法局|]"}, nil},
		{"only 责任单位: no lead is no warning",
			"某市2022年要点\n一、甲\n1.任务一。\n责任单位：市司法局、市公安局\n2.任务二。\n责任单位：市政府各部门\n",
			[]string{"1 甲: 1 1.任务一。[|市司法局、市公安局] 2 2.任务二。[|市政府各部门]"}, nil},
		{"牵头单位：…；配合单位：… with tails naming no unit",
			"某市2022年要点\n一、甲\n1.任务一。（牵头单位：市司法局；配合单位：市公安局、市政府各部门按职责分工分别负责）\n" +
				"2.任务二。\n牵头单位：市司法局\n配合单位：各乡镇人民政府（街道办事处），市民政局等\n3.任务三。\n牵头单位：市司法局\n责任单位：市政府各部门，按职责分工负责\n",
			[]string{"1 甲: 1 1.任务一。[市司法局|市公安局、市政府各部门] 2 2.任务二。[市司法局|各乡镇人民政府（街道办事处）、市民政局] 3 3.任务三。[市司法局|市政府各部门]"}, nil},
		{"a 通知 with its 主送 line before the plan",
			"某县人民政府办公室\n关于印发某县2022年法治政府建设工作要点的通知\n\n各乡镇人民政府，县直有关单位：\n" +
				"    《某县2022年法治政府建设工作要点》已经县政府同意，现印发给你们，请认真贯彻执行。\n\n某县人民政府办公室\n2022年3月1日\n\n" +
				"某县2022年法治政府建设工作要点\n一、甲\n（一）任务一。\n牵头单位：县司法局\n责任单位：各乡镇人民政府\n",
			[]string{"1 甲: 1 （一）任务一。[县司法局|各乡镇人民政府]"}, nil},
		{"a PDF dump on one line",
			"某市 2021 年工作计划 一、甲 1.任务 一。 〔牵头单 位:市司法 局;责任单位:市政府各部门〕 2.任务二。〔牵头单位:市司法局〕 二、乙 3.任务三。〔牵头单位:市司法局〕",
			[]string{"1 甲: 1 1.任务一。[市司法局|市政府各部门] 2 2.任务二。[市司法局|]", "2 乙: 3 3.任务三。[市司法局|]"}, nil},
		{"an attachment list after the plan is not numbered tasks",
			"某市2022年要点\n一、甲\n1.任务一。\n牵头单位：市司法局\n附件：1.任务分工表\n2.进度报表\n",
			[]string{"1 甲: 1 1.任务一。[市司法局|]"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, probs := Parse("p.txt", []byte(tt.src))
			if diff := cmp.Diff(tt.want, outline(c)); diff != "" {
				t.Errorf("outline (-want +got):\n%s", diff)
			}
			if tt.problems == nil {
				tt.problems = []string{}
			}
			if diff := cmp.Diff(tt.problems, messages(probs)); diff != "" {
				t.Errorf("problems (-want +got):\n%s", diff)
			}
		})
	}
}

// Nothing is dropped quietly: each way a task could vanish is an error on its line, and
// the task is kept in the catalog.
func TestParseNothingDropped(t *testing.T) {
	const head = "某市2022年要点\n一、甲\n"
	tests := []struct {
		name  string
		src   string
		tasks []string // labels of the tasks read
		want  []string
	}{
		{"numbering gap", head + "1.任务一。\n牵头单位：市司法局\n2.任务二。\n牵头单位：市司法局\n4.任务四。\n牵头单位：市司法局\n",
			[]string{"1.", "2.", "4."},
			[]string{"p.txt:7: numbering gap: 4. comes after 2., where 3. was expected"}},
		{"numbering gap in a one-line dump", "某市2021年计划 一、甲 1.任务一。〔牵头单位:市司法局〕 3.任务三。〔牵头单位:市司法局〕 4.任务四。〔牵头单位:市司法局〕",
			[]string{"1.", "3.", "4."},
			[]string{"p.txt:1: numbering gap: 3. comes after 1., where 2. was expected"}},
		{"numbering repeat", head + "1.任务一。\n牵头单位：市司法局\n2.任务二。\n牵头单位：市司法局\n2.任务三。\n牵头单位：市司法局\n",
			[]string{"1.", "2.", "2."},
			[]string{"p.txt:7: numbering repeats: 2. comes after 2., where 3. was expected"}},
		{"（一） gap opening a section", head + "（一）任务一。\n牵头单位：市司法局\n二、乙\n（三）任务三。\n牵头单位：市司法局\n",
			[]string{"（一）", "（三）"},
			[]string{"p.txt:6: numbering gap: （三） comes after （一）, where （一） or （二） was expected"}},
		{"section heading gap", head + "1.任务一。\n牵头单位：市司法局\n三、丙\n2.任务二。\n牵头单位：市司法局\n",
			[]string{"1.", "2."},
			[]string{"p.txt:5: numbering gap: 三、 comes after 一、, where 二、 was expected"}},
		{"item that cannot be placed", head + "1.任务一。\n牵头单位：市司法局\n（二）任务二。\n牵头单位：市司法局\n",
			[]string{"1.", "（二）"},
			[]string{"p.txt:5: numbered item （二） cannot be placed: it stands in item 1., and （一）（二）… items do not come under 1. 2. … items"}},
		{"task before the first section", "某市2022年要点\n1.任务零。\n牵头单位：市司法局\n一、甲\n1.任务一。\n牵头单位：市司法局\n",
			[]string{"1."},
			[]string{"p.txt:2: numbered item 1. stands before the first section heading 一、 and cannot be placed"}},
		{"task without units", head + "1.任务一。\n2.任务二。\n牵头单位：市司法局\n",
			[]string{"1.", "2."},
			[]string{"p.txt:3: task 1: item 1. names no 牵头单位 or 责任单位: a task needs its units"}},
		{"units in a section heading", "某市2022年要点\n一、甲。牵头单位：市司法局\n二、乙\n1.任务一。\n牵头单位：市司法局\n",
			[]string{"1."},
			[]string{"p.txt:2: section heading 一、甲 names units itself: they belong to no task (a task is a numbered item （一） or 1. under it)"}},
		{"units on an item and on items under it", head + "（一）子甲。牵头单位：市司法局\n1.任务一。\n牵头单位：市公安局\n",
			[]string{"（一）", "1."},
			[]string{"p.txt:3: item （一） names units, and so do the numbered items under it: say which task each unit list belongs to"}},
		{"no task at all", head + "只有文字，没有编号。\n", []string{},
			[]string{"p.txt: no task found: a task is a numbered item （一） or 1. naming its 牵头单位 or 责任单位"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, probs := Parse("p.txt", []byte(tt.src))
			if diff := cmp.Diff(tt.want, messages(probs)); diff != "" {
				t.Errorf("problems (-want +got):\n%s", diff)
			}
			if probs.Errors() != len(tt.want) {
				t.Errorf("%d errors, want every problem an error", probs.Errors())
			}
			labels := []string{}
			for _, task := range c.Tasks {
				labels = append(labels, task.Label)
			}
			if diff := cmp.Diff(tt.tasks, labels); diff != "" {
				t.Errorf("tasks (-want +got):\n%s", diff)
			}
		})
	}
}

func TestCutDuty(t *testing.T) {
	for in, want := range map[string]string{
		"县直有关部门按职责分工分别负责": "县直有关部门",
		"市民政局等":   "市民政局",
		"按职责分工负责": "",
		"市司法局":    "市司法局",
		"各乡镇（街道）": "各乡镇（街道）",
	} {
		if got := cutDuty(in); got != want {
			t.Errorf("cutDuty(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestGuessKind(t *testing.T) {
	for name, want := range map[string]string{
		"古楼街道": KindTown, "城关镇": KindTown, "柳林乡": KindTown, "新华路街道办事处": KindTown, "张鲁回族镇人民政府": KindTown,
		"某县": KindCounty, "某县人民政府": KindCounty, "东昌府区": KindCounty, "临清市": KindCounty,
		"某县经济开发区": KindZone, "化工产业园区": KindZone, "高新区管委会": KindZone,
		"县司法局": KindDepartment, "县发展改革委": KindDepartment, "县委编办": KindDepartment, "县政府办公室": KindDepartment,
		"县人民法院": KindDepartment, "县融媒体中心": KindDepartment,
		"县委宣传部": KindOther, "县总工会": KindOther, "县公安局（交警大队）": KindDepartment,
	} {
		if got := GuessKind(name); got != want {
			t.Errorf("GuessKind(%q) = %s, want %s", name, got, want)
		}
	}
}

func TestSlug(t *testing.T) {
	for name, want := range map[string]string{
		"古楼街道":     "gu-lou-jie-dao",
		"县司法局":     "xian-si-fa-ju",
		"张鲁回族镇":    "zhang-lu-hui-zu-zhen",
		"G20 办公室":  "g20-ban-gong-shi",
		"绿色发展中心":   "lv-se-fa-zhan-zhong-xin",
		"（）":       "unit",
		"县公安局（交警）": "xian-gong-an-ju-jiao-jing",
	} {
		if got := Slug(name); got != want || !slugRE.MatchString(got) {
			t.Errorf("Slug(%q) = %q, want %q", name, got, want)
		}
	}
	taken := map[string]bool{"gu-lou": true}
	if a, b := uniqueID("gu-lou", taken), uniqueID("gu-lou", taken); a != "gu-lou-2" || b != "gu-lou-3" {
		t.Errorf("unique ids %s %s", a, b)
	}
}

func TestGuessGroup(t *testing.T) {
	for phrase, want := range map[string]string{
		"各乡镇人民政府（街道办事处）":  "kind:town",
		"各乡镇（街道）":         "kind:town",
		"县政府各部门":          "kind:department",
		"县直各部门单位":         "kind:department",
		"县直有关部门":          "related",
		"县法治政府建设领导小组成员单位": "related",
		"各县（市、区）人民政府":     "kind:county",
		"各开发区管委会":         "kind:zone",
		"各乡镇和县直各部门":       "kind:town|kind:department",
	} {
		if got := GuessGroup(phrase).ExpandsTo(); got != want {
			t.Errorf("GuessGroup(%q) = %s, want %s", phrase, got, want)
		}
	}
}

const countyPlan = `某县2022年法治政府建设工作要点
一、重点任务
（一）推进综合行政执法改革。
牵头单位：县司法局、县委编办
责任单位：城关镇、古楼街道、柳林乡
（二）规范行政决策。
牵头单位：县政府办公室
责任单位：县直有关部门，各乡镇人民政府（街道办事处）
（三）加强行政复议。
牵头单位：县公安局（交警大队）
配合单位：县政府各部门、县公安局
`

// A county's draft, against a city registry that knows none of its units: every unit and
// phrase is new, and the drafts alone resolve the plan.
func TestDraftCounty(t *testing.T) {
	c, probs := Parse("county.txt", []byte(countyPlan))
	if len(probs) > 0 {
		t.Fatal(probs)
	}
	reg, _ := ReadRegistry("units.csv", []byte(testUnits))
	groups, _ := ReadGroups("groups.csv", []byte(testGroups))
	d := NewDraft(c, reg, groups, nil)
	var units, grps strings.Builder
	if err := d.WriteUnits(&units); err != nil {
		t.Fatal(err)
	}
	if err := d.WriteGroups(&grps); err != nil {
		t.Fatal(err)
	}
	wantUnits := `# Units of county.txt, drafted by plantrack plan --draft.
# id: stable ASCII slug (never change it once reports exist); kind: department,
# county, zone, town (乡镇、街道) or other; aliases: other names, separated by |.
id,name,kind,aliases
# New: not in units.csv.
# The kind is guessed from the name: check it. Add the units a group phrase stands for
# that the plan does not name (a county's towns, kind town).
xian-si-fa-ju,县司法局,department,
xian-wei-bian-ban,县委编办,department,
cheng-guan-zhen,城关镇,town,
gu-lou-jie-dao,古楼街道,town,
liu-lin-xiang,柳林乡,town,
xian-zheng-fu-ban-gong-shi,县政府办公室,department,
xian-gong-an-ju,县公安局,department,县公安局（交警大队）
`
	if diff := cmp.Diff(wantUnits, units.String()); diff != "" {
		t.Errorf("units.csv (-want +got):\n%s", diff)
	}
	wantGroups := `# Group phrases of county.txt, drafted by plantrack plan --draft.
# expands_to: kind:KIND (every unit of that kind in units.csv; join several with |),
# or related (the units listed for the task in the plan's .related.csv, and its lead units).
phrase,expands_to
# New: not in groups.csv.
# The expansion is guessed from the words: check it.
县直有关部门,related
各乡镇人民政府（街道办事处）,kind:town
县政府各部门,kind:department
`
	if diff := cmp.Diff(wantGroups, grps.String()); diff != "" {
		t.Errorf("groups.csv (-want +got):\n%s", diff)
	}

	reg2, p1 := ReadRegistry("draft/units.csv", []byte(units.String()))
	groups2, p2 := ReadGroups("draft/groups.csv", []byte(grps.String()))
	rel, _ := ReadRelated("county.related.csv", []byte("task,unit\n2,县司法局\n"), reg2)
	as, p3 := Assign(c, reg2, groups2, rel)
	if all := append(append(p1, p2...), p3...); len(all) > 0 {
		t.Fatalf("the drafts leave problems: %v", all)
	}
	got := []string{}
	for _, a := range as {
		got = append(got, fmt.Sprintf("%d %s %s", a.Task, a.UnitID, a.Role))
	}
	want := []string{
		"1 xian-si-fa-ju lead", "1 xian-wei-bian-ban lead", "1 cheng-guan-zhen responsible", "1 gu-lou-jie-dao responsible", "1 liu-lin-xiang responsible",
		"2 xian-zheng-fu-ban-gong-shi lead", "2 xian-si-fa-ju responsible", "2 cheng-guan-zhen responsible", "2 gu-lou-jie-dao responsible", "2 liu-lin-xiang responsible",
		"3 xian-gong-an-ju lead", "3 xian-si-fa-ju responsible", "3 xian-wei-bian-ban responsible", "3 xian-zheng-fu-ban-gong-shi responsible",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("assignments (-want +got):\n%s", diff)
	}
}

// A new year of a known city: the draft copies the registry's units the plan reaches
// (group phrases included) and adds the new ones, renamed units found by their aliases.
func TestDraftKnownCity(t *testing.T) {
	c, _ := Parse("p.txt", []byte("某市2022年要点\n一、甲\n1.任务一。\n牵头单位：市司法局、市营商局\n责任单位：各县(市、区)人民政府、乙县\n"))
	reg, _ := ReadRegistry("units.csv", []byte(testUnits))
	groups, _ := ReadGroups("groups.csv", []byte(testGroups))
	d := NewDraft(c, reg, groups, nil)
	var got []string
	for _, u := range d.Units {
		got = append(got, fmt.Sprintf("%s %s %s new=%v", u.ID, u.Name, u.Kind, u.New))
	}
	want := []string{"a-county 甲县 county new=false", "b-county 乙区 county new=false", "justice 市司法局 department new=false", "shi-ying-shang-ju 市营商局 department new=true"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("units (-want +got):\n%s", diff)
	}
	if len(d.Groups) != 1 || d.Groups[0].New || d.Groups[0].ExpandsTo() != "kind:county" {
		t.Errorf("groups %+v", d.Groups)
	}
}

// A bracketed tail names no other unit: 各乡镇人民政府（街道办事处） is 各乡镇人民政府.
func TestAssignBracketTail(t *testing.T) {
	got, probs := assign(t, "牵头单位:市司法局（法治督察科）;责任单位:市政府各部门（单位）", "")
	want := []string{"1 justice lead", "1 finance responsible", "1 police responsible"}
	if diff := cmp.Diff(want, got); diff != "" || len(probs) > 0 {
		t.Errorf("assignments (-want +got):\n%s\nproblems %v", diff, probs)
	}
}

// A group phrase standing for units the registry has none of is an error: its task
// would have no units behind the phrase.
func TestAssignEmptyGroup(t *testing.T) {
	c, _ := Parse("p.txt", []byte("2022年要点\n一、甲\n1.任务。〔牵头单位:市司法局;责任单位:各乡镇〕\n"))
	reg, _ := ReadRegistry("units.csv", []byte(testUnits))
	groups, _ := ReadGroups("groups.csv", []byte("phrase,expands_to\n各乡镇,kind:town\n"))
	rel, _ := ReadRelated("p.related.csv", nil, reg)
	_, probs := Assign(c, reg, groups, rel)
	want := []string{`p.txt:3: task 1: responsible "各乡镇" stands for every unit of kind town, and units.csv lists none: add them (a county's plan lists its towns, kind town)`}
	if diff := cmp.Diff(want, messages(probs)); diff != "" {
		t.Errorf("problems (-want +got):\n%s", diff)
	}
}

func TestCompare(t *testing.T) {
	old, _ := Parse("old.txt", []byte("2021年计划\n一、甲\n"+
		"1.推进政务公开，年内至少召开2场新闻发布会。〔牵头单位:市政府办公室;责任单位:市政府各部门〕\n"+
		"2.加强行政复议工作。〔牵头单位:市司法局;责任单位:乙县〕\n"+
		"3.开展普法宣传教育。〔牵头单位:市司法局〕\n"))
	new, _ := Parse("new.txt", []byte("2022年计划\n一、甲\n"+
		"1.加强行政复议工作。〔牵头单位:市司法局;责任单位:乙区、甲县〕\n"+
		"2.推进政务公开工作，年内至少召开3场新闻发布会。〔牵头单位:市司法局;责任单位:市直各部门〕\n"+
		"3.加强行政复议工作！〔牵头单位:市司法局;责任单位:乙区〕\n"+
		"4.建设法治政府示范城市。〔牵头单位:市司法局〕\n"))
	reg, _ := ReadRegistry("units.csv", []byte(testUnits))
	got := Compare(old, new, reg)
	want := Diff{
		Carried: []Carried{
			{Old: 1, New: 2, Similarity: 0.79, Changes: []string{"text", "lead", "responsible", "targets"}},
			// New 1 and 3 both match old 2 exactly: the tie goes to the lower number, and
			// each old task is matched once, so new 3 is new. (乙县 is 乙区 by its alias.)
			{Old: 2, New: 1, Similarity: 1, Changes: []string{"responsible"}},
		},
		New:     []int{3, 4},
		Dropped: []int{3},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	if s := Similarity("加强行政复议工作。", "加强 行政复议工作！"); s != 1 {
		t.Errorf("spaces and punctuation count: %v", s)
	}
}

// A floor after a time word (年内不少于 2 次) counts what the clause before it does.
func TestFindTargetsTimeWord(t *testing.T) {
	for text, want := range map[string][]Target{
		"开展行政执法案卷评查，年内不少于2次。":       {{"开展行政执法案卷评查", 2, "次"}},
		"广泛开展为企业“法治体检”活动，年内至少开展3次。": {{"广泛开展为企业“法治体检”活动", 3, "次"}},
		"年内开展行政执法案卷评查不少于三次。":        {{"年内开展行政执法案卷评查", 3, "次"}},
	} {
		if diff := cmp.Diff(want, findTargets(text)); diff != "" {
			t.Errorf("%s (-want +got):\n%s", text, diff)
		}
	}
}
