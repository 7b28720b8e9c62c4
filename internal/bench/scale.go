package bench

import (
	"bufio"
	"encoding/csv"
	"fmt"
	"hash/fnv"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"plantrack/plan"
	"plantrack/sample"
)

// Scaling grows the sample for measurements along two of its axes: units (k cities, the
// real one and k-1 copies) and periods (the copies may report every month rather than
// every quarter). A copy's units are the real ones renamed "<name>·<c>" (ids
// "<id>-c<c>"); the plan, group phrases and 有关部门 mapping stay, so the copies are
// assigned by the group phrases (市政府各部门, 各县(市、区)人民政府, …) as the real units
// are. Plans do not grow: a database holds one plan year (another plan is another
// database), so more plans are more of the same runs.

// ScaledUnits writes the registry of k cities as a units CSV.
func ScaledUnits(reg *plan.Registry, k int) []byte {
	var b strings.Builder
	w := csv.NewWriter(&b)
	w.Write([]string{"id", "name", "kind", "aliases"})
	for c := 1; c <= k; c++ {
		for _, u := range reg.Units {
			if c == 1 {
				w.Write([]string{u.ID, u.Name, u.Kind, strings.Join(u.Aliases, "|")})
				continue
			}
			w.Write([]string{fmt.Sprintf("%s-c%d", u.ID, c), fmt.Sprintf("%s·%d", u.Name, c), u.Kind, ""})
		}
	}
	w.Flush()
	return []byte(b.String())
}

// ScaleManifest is what GenerateScaled wrote.
type ScaleManifest struct {
	Files, Rows int
	CSV         []string // the copies' files, all UTF-8 CSV
}

// GenerateScaled writes the sample year of k cities into dir: the real city as
// sample.Generate writes it (every format and habit) under dir/city1, and each copy as one
// UTF-8 CSV of its year under dir/cities, as a city office would send the year's reports
// compiled.
// as must be the assignments resolved against ScaledUnits(reg, k).
// rounds is how often the copies report: 1, every quarter (报告期 2021Q2); 3, every month
// (报告期 2021-05, read as its quarter, each month's report superseding the month before).
func GenerateScaled(dir string, p *plan.Bundle, k, rounds int, opt sample.Options) (ScaleManifest, error) {
	c, as := p.Catalog, p.Assignments
	if rounds != 1 && rounds != 3 {
		return ScaleManifest{}, fmt.Errorf("generate: %d reports a quarter: want 1 (quarterly) or 3 (monthly)", rounds)
	}
	var m ScaleManifest
	var real []plan.Assignment
	byCity := map[int][]plan.Assignment{}
	for _, a := range as {
		city := cityOf(a.UnitID)
		if city == 1 {
			real = append(real, a)
		} else {
			byCity[city] = append(byCity[city], a)
		}
	}
	city1 := *p
	city1.Assignments = real
	man, err := sample.Generate(filepath.Join(dir, "city1"), &city1, opt)
	if err != nil {
		return m, err
	}
	m.Files = len(man.Files)
	for _, f := range man.Files {
		m.Rows += f.Rows
	}
	if err := os.MkdirAll(filepath.Join(dir, "cities"), 0o755); err != nil {
		return m, err
	}
	for city := 2; city <= k; city++ {
		path := filepath.Join(dir, "cities", fmt.Sprintf("c%04d.csv", city))
		n, err := writeCity(path, c.Year, byCity[city], rounds, opt.Seed)
		if err != nil {
			return m, err
		}
		m.Files++
		m.Rows += n
		m.CSV = append(m.CSV, path)
	}
	return m, nil
}

// cityOf reads the city of a unit id: "dong-e-c17" is city 17, a real id is city 1.
func cityOf(id string) int {
	if i := strings.LastIndex(id, "-c"); i > 0 {
		if n, err := strconv.Atoi(id[i+2:]); err == nil {
			return n
		}
	}
	return 1
}

var scaleNotes = []string{"按计划推进，已召开专题会议部署", "已完成阶段性任务，形成工作台账", "组织学习培训，覆盖全体干部", "开展督导检查，问题已整改"}

// writeCity writes one copy city's year: every assignment reported each quarter (or each
// month, rounds 3), its progress rising to a final level fixed by the (unit, task) pair,
// filed 1–15 days after the period ends. The same seed gives the same bytes.
func writeCity(path string, year int, as []plan.Assignment, rounds int, seed int64) (int, error) {
	f, err := os.Create(path)
	if err != nil {
		return 0, err
	}
	w := bufio.NewWriterSize(f, 1<<20)
	w.WriteString("填报单位,报告期,任务序号,完成状态,完成进度,完成数量,工作进展,佐证材料,填报日期\n")
	n := 0
	steps := 4 * rounds
	for step := 1; step <= steps; step++ {
		months := 12 / steps
		end := time.Date(year, time.Month(months*step+1), 0, 0, 0, 0, 0, time.UTC)
		period := fmt.Sprintf("%dQ%d", year, step)
		if rounds == 3 {
			period = end.Format("2006-01")
		}
		for _, a := range as {
			h := fnv.New64a()
			fmt.Fprintf(h, "%d|%s|%d", seed, a.UnitID, a.Task)
			r := h.Sum64()
			final := 40 + int(r%61) // 40–100
			pct := final * step / steps
			status := "推进中"
			switch {
			case pct >= 100:
				status = "已完成"
			case pct == 0:
				status = "未启动"
			}
			filed := end.AddDate(0, 0, 1+int((r>>8)%15))
			fmt.Fprintf(w, "%s,%s,%d,%s,%d%%,,%s,,%s\n", a.Unit, period, a.Task, status, pct, scaleNotes[(r>>16)%uint64(len(scaleNotes))], filed.Format("2006-01-02"))
			n++
		}
	}
	if err := w.Flush(); err != nil {
		f.Close()
		return n, err
	}
	return n, f.Close()
}
