package store

import "testing"

// Shown quotes exactly the names that could forge or hide a line; ShownText escapes the
// same characters in prose and leaves the rest.
func TestShown(t *testing.T) {
	for _, c := range []struct{ in, shown, text string }{
		{"东阿县.xlsx", "东阿县.xlsx", "东阿县.xlsx"},
		{"市司法局 (2).csv", "市司法局 (2).csv", "市司法局 (2).csv"},
		{"完成进度（%）", "完成进度（%）", "完成进度（%）"},
		{"", "", ""},
		{"a\nb.csv", `"a\nb.csv"`, `a\nb.csv`},
		{"a\r.csv", `"a\r.csv"`, `a\r.csv`},
		{"a\tb", `"a\tb"`, `a\tb`},
		{"\x1b[31mred\x1b[0m.csv", `"\x1b[31mred\x1b[0m.csv"`, `\x1b[31mred\x1b[0m.csv`},
		{"a\x00b", `"a\x00b"`, `a\x00b`},
		{"a\x7fb", `"a\x7fb"`, `a\x7fb`},
		{"a\u0085b", `"a\u0085b"`, `a\u0085b`},                // NEL, a C1 control
		{"\u202egnp.exe", `"\u202egnp.exe"`, `\u202egnp.exe`}, // right-to-left override
		{"a\u200bb", `"a\u200bb"`, `a\u200bb`},                // zero-width space
		{"a\u2028b", `"a\u2028b"`, `a\u2028b`},                // line separator
		{"bad\xffutf8", `"bad\xffutf8"`, `bad\xffutf8`},
		{`"x.csv"`, `"\"x.csv\""`, `"x.csv"`}, // looks quoted: quoted
		{`a"b.csv`, `a"b.csv`, `a"b.csv`},
		{"东阿县\n伪造.csv", `"东阿县\n伪造.csv"`, `东阿县\n伪造.csv`},
	} {
		if got := Shown(c.in); got != c.shown {
			t.Errorf("Shown(%q) = %s, want %s", c.in, got, c.shown)
		}
		if got := ShownText(c.in); got != c.text {
			t.Errorf("ShownText(%q) = %s, want %s", c.in, got, c.text)
		}
	}
}

// A rejection is one compiler-style line whatever the file, sheet, column, value and reason
// hold; an ordinary one prints as it always has.
func TestRejectionStringOneLine(t *testing.T) {
	for _, c := range []struct {
		r    Rejection
		want string
	}{
		{Rejection{File: "东阿县.xlsx", Sheet: "进度表", Row: 14, Column: "完成进度", Value: "120%", Reason: "out of 0–100"},
			`东阿县.xlsx:进度表:14: 完成进度 "120%": out of 0–100`},
		{Rejection{File: "a.json", Reason: "not a JSON array"}, `a.json: not a JSON array`},
		{Rejection{File: "x\n东阿县.xlsx:进度表:1: ok", Sheet: "s\x1b[2J", Row: 2, Column: "完成\r进度", Value: "1\n2", Reason: "unknown unit \"东\n阿\""},
			`"x\n东阿县.xlsx:进度表:1: ok":"s\x1b[2J":2: "完成\r进度" "1\n2": unknown unit "东\n阿"`},
	} {
		if got := c.r.String(); got != c.want {
			t.Errorf("got  %s\nwant %s", got, c.want)
		}
	}
}
