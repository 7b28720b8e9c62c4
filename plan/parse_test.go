package plan

import (
	"os"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/text/encoding/simplifiedchinese"
)

// The facts about the real 2021 plan that its readers check first.
func TestLiaocheng2021(t *testing.T) {
	src, err := os.ReadFile("../data/plan/liaocheng-2021.txt")
	if err != nil {
		t.Fatal(err)
	}
	c, probs := Parse("liaocheng-2021.txt", src)
	if len(probs) != 0 {
		t.Fatalf("problems: %v", probs)
	}
	if c.Title != "聊城市2021年法治政府建设工作计划" || c.Year != 2021 {
		t.Errorf("title %q year %d", c.Title, c.Year)
	}
	if len(c.Sections) != 7 || len(c.Tasks) != 31 {
		t.Fatalf("%d sections, %d tasks; want 7 and 31", len(c.Sections), len(c.Tasks))
	}
	if c.Sections[2].Title != "依法全面履行政府职能" {
		t.Errorf("section 3 title %q", c.Sections[2].Title)
	}
	sectionOf := map[int]int{1: 1, 2: 2, 6: 2, 7: 3, 12: 3, 13: 4, 15: 4, 16: 5, 22: 5, 23: 6, 28: 6, 29: 7, 31: 7}
	for task, sec := range sectionOf {
		if got := c.Task(task).Section; got != sec {
			t.Errorf("task %d in section %d, want %d", task, got, sec)
		}
	}
	leads := map[int][]string{
		1:  {"市政府办公室", "市司法局"},
		8:  {"市委编办"},
		10: {"市发展改革委"},
		18: {"市委编办", "市财政局", "市应急局"},
		23: {"市政府办公室", "市行政审批局", "市发展改革委", "市司法局"},
		25: {"市发展改革委", "市行政审批局", "市自然资源和规划局", "市生态环境局", "市市场监管局"},
		28: {"市司法局", "市商务投资促进局", "市仲裁办"},
		31: {"市司法局", "市民政局"},
	}
	for task, want := range leads {
		if diff := cmp.Diff(want, c.Task(task).LeadPhrases); diff != "" {
			t.Errorf("task %d leads (-want +got):\n%s", task, diff)
		}
	}
	responsible := map[int][]string{
		1:  {"市政府各部门", "各县(市、区)人民政府", "市属开发区管委会"},
		14: {"市政府有关部门"},
		15: {"市政府有关部门", "各县(市、区)人民政府"},
		16: {"市直有关部门", "各县(市、区)人民政府", "市属开发区管委会"},
	}
	for task, want := range responsible {
		if diff := cmp.Diff(want, c.Task(task).Responsible); diff != "" {
			t.Errorf("task %d responsible (-want +got):\n%s", task, diff)
		}
	}
	var withTargets []int
	for _, task := range c.Tasks {
		if len(task.Targets) > 0 {
			withTargets = append(withTargets, task.No)
		}
	}
	if diff := cmp.Diff([]int{5, 19}, withTargets); diff != "" {
		t.Errorf("tasks with targets (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]Target{{What: "法治专题讲座", Min: 2, Unit: "次"}}, c.Task(5).Targets); diff != "" {
		t.Errorf("task 5 targets:\n%s", diff)
	}
	if diff := cmp.Diff([]Target{{What: "专项监督检查", Min: 1, Unit: "次"}}, c.Task(19).Targets); diff != "" {
		t.Errorf("task 19 targets:\n%s", diff)
	}
	if !strings.HasPrefix(c.Task(4).Text, "抓好《落实〈党政主要负责人履行推进法治建设第一责任人职责规定〉") {
		t.Errorf("task 4 text keeps the dump's quote marks: %q", c.Task(4).Text)
	}
}

// Each kind of PDF-dump noise, alone, in a one-task plan.
func TestParseNoise(t *testing.T) {
	const head = "某市2021年工作计划\n一、推进依法行政\n"
	tests := []struct {
		name       string
		item       string
		text       string
		lead, resp []string
	}{
		{"clean", "1.加强监督。〔牵头单位：市司法局；责任单位：市政府各部门〕",
			"加强监督。", []string{"市司法局"}, []string{"市政府各部门"}},
		{"spaces inside words", "1.加 强 监督。〔牵头单 位:市司法 局;责 任单位:市政府办 公室、市属 开发区管委会〕",
			"加强监督。", []string{"市司法局"}, []string{"市政府办公室", "市属开发区管委会"}},
		{"line joins inside words", "1.加强\n监督。〔牵\n头单位:市司\n法局;责任单位:市政\n府各部门〕",
			"加强监督。", []string{"市司法局"}, []string{"市政府各部门"}},
		{"ascii parentheses", "1.加强监督。(牵头单位:市司法局;责任单位:各县(市、区)人民政府)",
			"加强监督。", []string{"市司法局"}, []string{"各县(市、区)人民政府"}},
		{"full-width parentheses", "1.加强监督。（牵头单位：市司法局；责任单位：各县（市、区）人民政府）",
			"加强监督。", []string{"市司法局"}, []string{"各县（市、区）人民政府"}},
		{"half-width colon and semicolon", "1.加强监督.〔牵头单位:市司法局,市财政局;责任单位:市政府各部门,各县(市、区)人民政府〕",
			"加强监督.", []string{"市司法局", "市财政局"}, []string{"市政府各部门", "各县(市、区)人民政府"}},
		{"guillemets for book titles", "1.落实«法治政府建设‹实施纲要› ».〔牵头单位:市司法局〕",
			"落实《法治政府建设〈实施纲要〉》.", []string{"市司法局"}, nil},
		{"full-width item number", "１．加强监督。〔牵头单位：市司法局〕",
			"加强监督。", []string{"市司法局"}, nil},
		{"unit lines after the text", "1.加强监督。\n牵头单位：市司法局\n责任单位：市政府各部门、\n各县（市、区）人民政府\n",
			"加强监督。", []string{"市司法局"}, []string{"市政府各部门", "各县（市、区）人民政府"}},
		{"number inside the text is not an item", "1.年内至少开展 2.5 次检查,落实〔2020〕7 号文件。〔牵头单位:市司法局〕",
			"年内至少开展2.5次检查,落实〔2020〕7号文件。", []string{"市司法局"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, probs := Parse("p.txt", []byte(head+tt.item))
			if probs.Errors() > 0 {
				t.Fatalf("problems: %v", probs)
			}
			if len(c.Tasks) != 1 {
				t.Fatalf("%d tasks, want 1: %+v", len(c.Tasks), c.Tasks)
			}
			task := c.Tasks[0]
			if task.Text != tt.text {
				t.Errorf("text %q, want %q", task.Text, tt.text)
			}
			if diff := cmp.Diff(tt.lead, task.LeadPhrases); diff != "" {
				t.Errorf("lead (-want +got):\n%s", diff)
			}
			want := tt.resp
			if want == nil {
				want = []string{}
			}
			if diff := cmp.Diff(want, task.Responsible); diff != "" {
				t.Errorf("responsible (-want +got):\n%s", diff)
			}
		})
	}
}

func TestParseEncodingsAndStructure(t *testing.T) {
	plan := "某市2021年工作计划\n一、甲\n1.任务一。〔牵头单位:市司法局〕\n二、乙\n2.任务二。〔牵头单位:市司法局〕\n3.任务三。〔牵头单位:市司法局〕\n"
	gbk, err := simplifiedchinese.GBK.NewEncoder().String(plan)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		src  []byte
	}{
		{"utf-8", []byte(plan)},
		{"utf-8 with BOM", []byte("\uFEFF" + plan)},
		{"gbk", []byte(gbk)},
		{"crlf", []byte(strings.ReplaceAll(plan, "\n", "\r\n"))},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, probs := Parse("p.txt", tt.src)
			if len(probs) > 0 {
				t.Fatalf("problems: %v", probs)
			}
			got := []string{}
			for _, task := range c.Tasks {
				got = append(got, task.Text)
			}
			if diff := cmp.Diff([]string{"任务一。", "任务二。", "任务三。"}, got); diff != "" {
				t.Errorf("tasks (-want +got):\n%s", diff)
			}
			if c.Title != "某市2021年工作计划" || c.Sections[1].Title != "乙" || c.Tasks[2].Section != 2 || c.Tasks[2].Line != 6 {
				t.Errorf("title %q, section 2 %q, task 3 in section %d on line %d", c.Title, c.Sections[1].Title, c.Tasks[2].Section, c.Tasks[2].Line)
			}
		})
	}
}

func TestParseProblems(t *testing.T) {
	tests := []struct {
		name string
		src  string
		want []string
	}{
		{"no sections", "只有一段文字,没有编号。", []string{`p.txt: no section heading 一、 found: a plan is sections 一、 二、 … holding numbered tasks`}},
		{"not text", "\xff\xfe\x00\x01", []string{"p.txt: the file is neither UTF-8 nor GBK/GB18030 text"}},
		{"task without units", "计划\n一、甲\n1.任务一。\n2.任务二。〔牵头单位:市司法局〕\n", []string{
			`p.txt:1: warning: no year (such as 2021年) found in the title "计划"`,
			"p.txt:3: task 1: item 1. names no 牵头单位 or 责任单位: a task needs its units"}},
		{"stray text after the unit list", "2021年计划\n一、甲\n1.任务一。〔牵头单位:市司法局〕另有说明。\n2.任务二。〔牵头单位:市司法局〕\n", []string{
			`p.txt:3: warning: task 1: text after the unit list is not part of the task: "另有说明"`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, probs := Parse("p.txt", []byte(tt.src))
			got := []string{}
			for _, p := range probs {
				got = append(got, p.String())
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("problems (-want +got):\n%s", diff)
			}
		})
	}
}

func TestFindTargets(t *testing.T) {
	tests := []struct {
		text string
		want []Target
	}{
		{"年内至少分别组织2次法治专题讲座。", []Target{{"法治专题讲座", 2, "次"}}},
		{"年内至少开展1次专项监督检查.承接并严格执行", []Target{{"专项监督检查", 1, "次"}}},
		{"年内至少召开三场新闻发布会", []Target{{"新闻发布会", 3, "场"}}},
		{"开展案卷评查不少于2次。", []Target{{"开展案卷评查", 2, "次"}}},
		{"建党100周年,鲁法委发〔2020〕7号", []Target{}},
	}
	for _, tt := range tests {
		t.Run(tt.text, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, findTargets(tt.text)); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func TestNumerals(t *testing.T) {
	for n := 1; n <= 99; n++ {
		got, ok := chineseNumber(chineseNumeral(n))
		if !ok || got != n {
			t.Errorf("%d → %q → %d, %v", n, chineseNumeral(n), got, ok)
		}
	}
	if _, ok := chineseNumber("甲"); ok {
		t.Error("甲 read as a number")
	}
}

func TestKey(t *testing.T) {
	if Key("各县（市、区） 人民政府") != Key("各县(市、区)人民政府") {
		t.Error("full-width brackets and spaces change the key")
	}
	if Key("市司法局") == Key("市财政局") {
		t.Error("different names share a key")
	}
}
