package reports

import (
	"bytes"
	"testing"

	"plantrack/plan"
)

// SpreadsheetText neutralises exactly the text that a spreadsheet would read as a formula
// (OWASP's = + - @ tab CR, their full-width forms, also after leading spaces or line
// breaks); everything else is left as it is.
func TestSpreadsheetText(t *testing.T) {
	for in, want := range map[string]string{
		"东阿县":                     "东阿县",
		"":                        "",
		"drc":                     "drc",
		"=HYPERLINK(\"x\",\"y\")": "'=HYPERLINK(\"x\",\"y\")",
		"=cmd|' /C calc'!A0":      "'=cmd|' /C calc'!A0",
		"+1":                      "'+1",
		"-5":                      "'-5",
		"-2+3+cmd|' /C calc'!A0":  "'-2+3+cmd|' /C calc'!A0",
		"@SUM(1+1)":               "'@SUM(1+1)",
		"\t=1":                    "'\t=1",
		"\r=1":                    "'\r=1",
		"＝1+1":                    "'＝1+1",
		"＋1":                      "'＋1",
		"－1":                      "'－1",
		"＠x":                      "'＠x",
		" =1":                     "' =1",
		"\n=1":                    "'\n=1",
		"\u3000=1":                "'\u3000=1",
		"   ":                     "   ",
		"a=1":                     "a=1",
		"1-2":                     "1-2",
		"'=1":                     "'=1",
		"2021-07-05":              "2021-07-05",
	} {
		if got := SpreadsheetText(in); got != want {
			t.Errorf("SpreadsheetText(%q) = %q, want %q", in, got, want)
		}
	}
}

// The chase list's CSV neutralises its text columns (unit names and ids that would run as
// formulas in Excel) and leaves counts and dates as numbers and dates.
func TestChaseCSVNeutralisesFormulas(t *testing.T) {
	last := "2021-04-09"
	c := &Chase{Period: plan.Period("2021Q1"), Units: []ChaseUnit{
		{Group: "not_reported", UnitID: "=1+1", UnitName: "=HYPERLINK(\"http://evil\",\"点我\")", UnitKind: "department", Expected: 2, MissingTasks: []int{1, 2}},
		{Group: "incomplete", UnitID: "-x", UnitName: "@SUM(A1)", UnitKind: "+county", Expected: 3, Received: 2, OnTime: 2, MissingTasks: []int{6}, LastReport: &last},
		{Group: "complete", UnitID: "dong-e", UnitName: "东阿县", UnitKind: "county", Expected: 1, Received: 1, OnTime: 1, LastReport: &last},
		{Group: "late", UnitID: "tab", UnitName: "\tname", UnitKind: "zone", Expected: 1, Received: 1, Late: 1},
	}}
	var b bytes.Buffer
	if err := c.WriteCSV(&b); err != nil {
		t.Fatal(err)
	}
	want := `group,unit_id,unit_name,unit_kind,period,expected,received,on_time,late,missing,missing_tasks,last_submitted_on
not_reported,'=1+1,"'=HYPERLINK(""http://evil"",""点我"")",department,2021Q1,2,0,0,0,2,1 2,
incomplete,'-x,'@SUM(A1),'+county,2021Q1,3,2,2,0,1,6,2021-04-09
complete,dong-e,东阿县,county,2021Q1,1,1,1,0,0,,2021-04-09
late,tab,'` + "\t" + `name,zone,2021Q1,1,1,0,1,0,,
`
	if b.String() != want {
		t.Errorf("got:\n%s\nwant:\n%s", b.String(), want)
	}
}
