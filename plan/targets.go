package plan

import (
	"regexp"
	"strconv"
	"strings"
)

// targetRE finds a numeric floor in a task's text: 至少/不少于 N 次(场, 个, …) followed by
// what is to be done: 年内至少分别组织 2 次法治专题讲座 → 2 次 法治专题讲座.
var targetRE = regexp.MustCompile(`(?:至少|不少于|不低于)(?:分别)?(?:组织|开展|举办|召开|进行|完成|举行|安排|培训)?(?:分别)?([0-9]+|[一二两三四五六七八九十]+)(次|场|期|个|项|件|批|篇|家|轮|人次)([^。，,；;.．、]*)`)

// findTargets returns the numeric targets in a task text, in order of appearance.
func findTargets(text string) []Target {
	out := []Target{}
	for _, m := range targetRE.FindAllStringSubmatchIndex(text, -1) {
		num := text[m[2]:m[3]]
		n, err := strconv.Atoi(num)
		if err != nil {
			var ok bool
			if n, ok = chineseNumber(num); !ok {
				continue
			}
		}
		what := strings.TrimSpace(text[m[6]:m[7]])
		if what == "" {
			// "培训不少于 2 次": what is done stands before the floor; "开展案卷评查，年内不少于
			// 2 次": before the time word's clause.
			before := []rune(text[:m[0]])
			for k := 0; k < 2; k++ {
				i := len(before)
				for i > 0 && !strings.ContainsRune("。，,；;.．、", before[i-1]) && len(before)-i < 12+8*k {
					i--
				}
				what = strings.TrimSpace(string(before[i:]))
				if !timeWords[what] || i == 0 {
					break
				}
				before = before[:i-1]
			}
		}
		out = append(out, Target{What: what, Min: n, Unit: text[m[4]:m[5]]})
	}
	return out
}

// timeWords say when, not what: a target's what is looked for before them.
var timeWords = map[string]bool{"年内": true, "全年": true, "每年": true, "今年": true, "每季度": true, "每半年": true, "当年": true}
