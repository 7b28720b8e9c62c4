package plan

import (
	"errors"
	"testing"
)

func TestParseDecision(t *testing.T) {
	for _, tt := range []struct {
		in   string
		want Decision
		err  Reason
	}{
		{"通过", DecisionApproved, ""},
		{" 同 意 ", DecisionApproved, ""},
		{"Approve", DecisionApproved, ""},
		{"approved", DecisionApproved, ""},
		{"审核通过", DecisionApproved, ""},
		{"退回", DecisionReturned, ""},
		{"不同意", DecisionReturned, ""},
		{"不通过", DecisionReturned, ""},
		{"RETURN", DecisionReturned, ""},
		{"returned", DecisionReturned, ""},
		{"", "", ""},
		{"　", "", ""},
		{"也许", "", ReasonDecision},
		{"通过了", "", ReasonDecision},
	} {
		got, err := ParseDecision(tt.in)
		if got != tt.want || (tt.err == "") != (err == nil) || (err != nil && !errors.Is(err, tt.err)) {
			t.Errorf("ParseDecision(%q) = %q, %v; want %q, %q", tt.in, got, err, tt.want, tt.err)
		}
	}
	for _, w := range DecisionWords {
		if d, err := ParseDecision(w); err != nil || d.Name() != w {
			t.Errorf("drop-down word %q reads as %q (%v)", w, d, err)
		}
	}
	var f *Fault
	_, err := ParseDecision("也许")
	if !errors.As(err, &f) || f.Chinese("审核结果", "也许") != "「审核结果」“也许”不是规定用语，请从下拉列表选择：通过、退回" {
		t.Errorf("Chinese: %v", err)
	}
	if ReasonNotStanding.Label() != "报送已被更新" {
		t.Errorf("label %q", ReasonNotStanding.Label())
	}
}
