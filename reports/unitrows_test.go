package reports

import (
	"html/template"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// The unit pages' rows, as the template wrote them before taskRows and missingItems
// wrote them in Go.
const rowsTemplate = `{{range .Tasks}}<tr><td class="num">{{.Task}}</td><td>{{clip .Text 50}}</td><td>{{role .Role}}</td><td>{{status .Status}}{{if .Completed}} ✓{{end}}</td><td class="num">{{pct1 .Progress}}</td><td>{{if .ReportPer}}{{.ReportPer}}{{else}}—{{end}}</td><td>{{.Notes}}</td>{{if $.Reviewed}}<td>{{if eq .Review "approved"}}通过{{else if eq .Review "returned"}}退回{{with .ReviewComment}}：{{.}}{{end}}{{else}}—{{end}}</td>{{end}}</tr>
{{end}}|<ul>{{range .Tasks}}{{if not .ReportedInPeriod}}<li>任务 {{.Task}}：{{clip .Text 40}}</li>{{end}}{{end}}</ul>`

// taskRows and missingItems write the bytes the template wrote: every text escaped as
// html/template escapes it, whatever a unit wrote in its notes.
func TestTaskRowsAsTemplate(t *testing.T) {
	long := strings.Repeat("加强法治政府建设", 10)
	tasks := []UnitTask{
		{Task: 1, Text: "加强对习近平法治思想的学习宣传", Role: "lead", Status: "completed", Progress: 100, Completed: true,
			ReportedInPeriod: true, ReportPer: "2021Q4", Notes: "已完成", Review: "approved"},
		{Task: 12, Text: long, Role: "responsible", Status: "in_progress", Progress: 66.65, ReportPer: "2021Q3",
			Notes: `<script>alert("x")</script> & 'quotes' + a+b`, Review: "returned", ReviewComment: "佐证<不足> & \"补充\""},
		{Task: 3, Text: "a\x00b<c>", Role: "", Status: "not_started", Progress: 0, Review: "returned"},
		{Task: 30, Text: long[:len("加强")] + "+", Role: "lead", Status: "weird-status", Progress: 12.34999, ReportedInPeriod: true,
			Notes: "换行\n与制表\t", ReportPer: "", Review: "other"},
	}
	tmpl := template.Must(template.New("").Funcs(funcs(nil, nil)).Parse(rowsTemplate))
	for _, reviewed := range []bool{false, true} {
		for _, list := range [][]UnitTask{nil, tasks} {
			var want strings.Builder
			if err := tmpl.Execute(&want, map[string]any{"Tasks": list, "Reviewed": reviewed}); err != nil {
				t.Fatal(err)
			}
			got := string(taskRows(list, reviewed)) + "|<ul>" + string(missingItems(list)) + "</ul>"
			if diff := cmp.Diff(want.String(), got); diff != "" {
				t.Errorf("reviewed=%v, %d tasks (-template +Go):\n%s", reviewed, len(list), diff)
			}
		}
	}
}
