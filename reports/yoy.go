package reports

import (
	"fmt"
	"math"
)

// YoY is one figure of year_over_year_at: now and the same quarter a year before.
type YoY struct {
	Current, Previous float64
	Known             bool // last year has the figure
}

// yoyKey names a figure of year_over_year_at: scope/key/metric.
func yoyKey(scope, key, metric string) string { return scope + "/" + key + "/" + metric }

// Compared says how a figure changed since the same quarter a year before, as the white
// paper says it: "较上年同期提高 2.7 个百分点" for a rate, "位次较上年同期上升 2 位" for a rank; ""
// when last year has no such figure. One home for this wording.
func (d *Data) Compared(scope, key, metric string) string {
	v, ok := d.YoY[yoyKey(scope, key, metric)]
	if !ok || !v.Known {
		return ""
	}
	if metric == "rank" {
		switch diff := int(v.Current - v.Previous); {
		case diff < 0:
			return fmt.Sprintf("位次较上年同期上升 %d 位", -diff)
		case diff > 0:
			return fmt.Sprintf("位次较上年同期下降 %d 位", diff)
		}
		return "位次与上年同期持平"
	}
	points := round1((v.Current - v.Previous) * 100)
	switch {
	case points > 0:
		return fmt.Sprintf("较上年同期提高 %.1f 个百分点", points)
	case points < 0:
		return fmt.Sprintf("较上年同期下降 %.1f 个百分点", math.Abs(points))
	}
	return "与上年同期持平"
}

// RankMove is a county's move in the ranking since a year before, for a table cell:
// ↑2, ↓1, –; "" when it was not ranked then.
func (d *Data) RankMove(unitID string) string {
	v, ok := d.YoY[yoyKey("county", unitID, "rank")]
	if !ok || !v.Known {
		return ""
	}
	switch diff := int(v.Current - v.Previous); {
	case diff < 0:
		return fmt.Sprintf("↑%d", -diff)
	case diff > 0:
		return fmt.Sprintf("↓%d", diff)
	}
	return "–"
}
