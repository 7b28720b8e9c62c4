package plan

import "strings"

// The words of review (审核/销号): the office's decision on a report that claims
// completion, and why a row of a review workbook could not be taken.

// Decision is a reviewer's decision on one report, as stored in reviews.decision.
type Decision string

const (
	DecisionApproved Decision = "approved" // 通过: the claim is confirmed (审核确认)
	DecisionReturned Decision = "returned" // 退回: the claim is sent back; it does not count as completed
)

// DecisionWords are the words of the review workbook's drop-down, each one ParseDecision
// reads.
var DecisionWords = []string{"通过", "退回"}

// decisionWords are the words a reviewer may write for each decision (folded, lower case).
var decisionWords = map[string]Decision{
	"通过": DecisionApproved, "同意": DecisionApproved, "审核通过": DecisionApproved, "确认": DecisionApproved,
	"approve": DecisionApproved, "approved": DecisionApproved,
	"退回": DecisionReturned, "不同意": DecisionReturned, "不通过": DecisionReturned, "审核退回": DecisionReturned,
	"return": DecisionReturned, "returned": DecisionReturned,
}

// Reasons a row (or a whole workbook) of a review import is rejected. wrong_plan
// (ReasonWrongPlan) and bad_file (ReasonFile) say it for a whole workbook, as for a
// template.
const (
	ReasonDecision      Reason = "bad_decision"        // 审核结果 is not a decision word (or is empty beside a 审核意见)
	ReasonNotStanding   Reason = "report_not_standing" // the report judged no longer stands: a newer one needs a review of its own
	ReasonUnknownReport Reason = "unknown_report"      // the report judged is not in the database (a workbook of another database, a row changed by hand)
	ReasonReviewClash   Reason = "conflicting_review"  // two rows of one import decide the same report differently
)

// ReviewReasons are the reasons of a review import, in the order they are listed.
var ReviewReasons = []Reason{ReasonFile, ReasonWrongPlan, ReasonDecision, ReasonDate, ReasonNotStanding, ReasonUnknownReport, ReasonReviewClash}

func init() {
	for r, l := range map[Reason]string{
		ReasonDecision: "审核结果有误", ReasonNotStanding: "报送已被更新", ReasonUnknownReport: "报送记录不存在", ReasonReviewClash: "审核结果相互矛盾",
	} {
		reasonLabels[r] = l
	}
}

const decisionHintZH = "请从下拉列表选择：通过、退回"

// ParseDecision reads a 审核结果: 通过/同意/approve, 退回/不同意/return. An empty cell is
// no decision ("" and no error): the row was not decided. Other words are Faults with
// ReasonDecision.
func ParseDecision(s string) (Decision, error) {
	f := strings.ToLower(fold(s))
	if f == "" {
		return "", nil
	}
	if d, ok := decisionWords[f]; ok {
		return d, nil
	}
	return "", &Fault{Reason: ReasonDecision, Text: "not a decision: write 通过 or 退回",
		Zh: "{col}{value}不是规定用语，" + decisionHintZH}
}

// NoDecision is the Fault of a row with a 审核意见 but no 审核结果: the reviewer wrote why,
// but not what was decided.
func NoDecision() *Fault {
	return &Fault{Reason: ReasonDecision, Text: "missing, but a comment is written: choose 通过 or 退回",
		Zh: "{col}未填写，但已填写审核意见：" + decisionHintZH}
}

// Name is the decision as the workbook writes it: 通过, 退回.
func (d Decision) Name() string {
	switch d {
	case DecisionApproved:
		return "通过"
	case DecisionReturned:
		return "退回"
	}
	return string(d)
}
