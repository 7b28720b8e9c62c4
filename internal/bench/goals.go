package bench

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// The goals of issue 16: each row of its table measured by BenchmarkGoals (goals_test.go,
// run by make bench), plantrack's CLI as a child process beside its reference in a
// process of its own, the two interleaved, medians reported. This file holds what is not
// tied to the benchmark: a child process's wall time and peak memory, medians, the
// ratios and goals, and the table.

// Run is one child process: its wall time, CPU time (user + system) and peak resident
// memory; Err says why it failed (its exit and the tail of what it wrote). A run made of
// several processes (ingest, build, export, report) has them as Parts: its wall and CPU
// time are their sum, its peak the largest.
type Run struct {
	Wall, CPU time.Duration
	MaxRSS    int64 // KB
	Err       string
	Parts     []Part
}

// Part is one process of a run of several.
type Part struct {
	Name   string
	Wall   time.Duration
	MaxRSS int64 // KB
}

// RunProcess runs name with args (and env added to this process's environment), its
// output written to the file logPath, and measures it. A process still running after
// timeout is killed (a failed run).
func RunProcess(logPath string, timeout time.Duration, env []string, name string, args ...string) Run {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	log, err := os.Create(logPath)
	if err != nil {
		return Run{Err: err.Error()}
	}
	defer log.Close()
	fmt.Fprintf(log, "$ %s %s\n", name, strings.Join(args, " "))
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Env = append(os.Environ(), env...)
	cmd.Stdout, cmd.Stderr = log, log
	start := time.Now()
	err = cmd.Run()
	r := Run{Wall: time.Since(start)}
	if cmd.ProcessState != nil {
		if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
			r.CPU = time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
			r.MaxRSS = ru.Maxrss
		}
	}
	if err != nil {
		if ctx.Err() != nil {
			err = fmt.Errorf("killed after %s", timeout)
		}
		r.Err = err.Error() + ": " + lastLines(logPath, 3)
	}
	return r
}

// lastLines is the end of a log, on one line.
func lastLines(path string, n int) string {
	data, err := os.ReadFile(path)
	if err != nil {
		return ""
	}
	lines := strings.Split(strings.TrimSpace(string(data)), "\n")
	lines = lines[max(0, len(lines)-n):]
	s := strings.Join(lines, " / ")
	if r := []rune(s); len(r) > 300 {
		s = "…" + string(r[len(r)-300:])
	}
	return s
}

// Sum makes one run of several processes' runs, in order; it fails with the first that
// failed.
func Sum(names []string, runs []Run) Run {
	var s Run
	for i, r := range runs {
		s.Wall += r.Wall
		s.CPU += r.CPU
		s.MaxRSS = max(s.MaxRSS, r.MaxRSS)
		s.Parts = append(s.Parts, Part{Name: names[i], Wall: r.Wall, MaxRSS: r.MaxRSS})
		if r.Err != "" && s.Err == "" {
			s.Err = names[i] + ": " + r.Err
		}
	}
	return s
}

// Median is the middle of ds (the mean of the middle two of an even count); 0 for none.
func Median(ds []time.Duration) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

// Goal is what a row must reach; zero fields ask nothing. Every goal also asks that each
// of plantrack's runs succeeds.
type Goal struct {
	MaxRatio   float64 // plantrack's median time / the reference's, at most
	MinSpeed   float64 // the reference's median time / plantrack's, at least (its speed against the reference's)
	MaxSeconds float64 // plantrack's median time, at most
	MaxRSSMB   float64 // plantrack's peak RSS over its runs, at most (MB of 2^20 bytes)
	MinRate    float64 // rows per second (Row.Rows over the median time), at least
}

// Text is the goal as the table says it.
func (g Goal) Text() string {
	var s []string
	if g.MaxRatio > 0 {
		s = append(s, fmt.Sprintf("≤ %.2f× the reference's time", g.MaxRatio))
	}
	if g.MinSpeed > 0 {
		s = append(s, fmt.Sprintf("≥ %.1f× the reference's speed", g.MinSpeed))
	}
	if g.MaxSeconds > 0 {
		s = append(s, fmt.Sprintf("≤ %s s", trimFloat(g.MaxSeconds)))
	}
	if g.MaxRSSMB > 0 {
		s = append(s, "peak ≤ "+gb(g.MaxRSSMB))
	}
	if g.MinRate > 0 {
		s = append(s, fmt.Sprintf("≥ %s rows/s", thousands(g.MinRate)))
	}
	if len(s) == 0 {
		return "works"
	}
	return strings.Join(s, ", ")
}

// Row is one row of the goals' table.
type Row struct {
	ID      string // its name in PLANTRACK_GOALS
	Step    string // what plantrack does
	RefName string // what the reference does; "" for none
	Rows    int    // rows read, for a rate; 0 for none
	Goal    Goal
	Ours    []Run
	Ref     []Run
	Skipped string // why it was not measured at all (an input could not be made)
	NotRun  bool   // not measured in this run (not among those asked for)
	Notes   []string
}

func walls(rs []Run) []time.Duration {
	var ds []time.Duration
	for _, r := range rs {
		ds = append(ds, r.Wall)
	}
	return ds
}

func cpus(rs []Run) []time.Duration {
	var ds []time.Duration
	for _, r := range rs {
		ds = append(ds, r.CPU)
	}
	return ds
}

func failure(rs []Run) string {
	for _, r := range rs {
		if r.Err != "" {
			return r.Err
		}
	}
	return ""
}

func peak(rs []Run) int64 {
	var p int64
	for _, r := range rs {
		p = max(p, r.MaxRSS)
	}
	return p
}

// OursTime is the median of plantrack's runs.
func (r Row) OursTime() time.Duration { return Median(walls(r.Ours)) }

// RefTime is the median of the reference's runs.
func (r Row) RefTime() time.Duration { return Median(walls(r.Ref)) }

// PeakMB is plantrack's peak RSS over its runs, in MB.
func (r Row) PeakMB() float64 { return float64(peak(r.Ours)) / 1024 }

// Rate is rows per second at the median time; 0 without rows.
func (r Row) Rate() float64 {
	if r.Rows == 0 || r.OursTime() <= 0 {
		return 0
	}
	return float64(r.Rows) / r.OursTime().Seconds()
}

// Ratio compares the medians: the reference's time over plantrack's (its speed) when the
// goal is a speed, else plantrack's over the reference's. ok is false without both.
func (r Row) Ratio() (ratio float64, speed, ok bool) {
	o, f := r.OursTime(), r.RefTime()
	if len(r.Ours) == 0 || len(r.Ref) == 0 || o <= 0 || f <= 0 || failure(r.Ours) != "" || failure(r.Ref) != "" {
		return 0, false, false
	}
	if r.Goal.MinSpeed > 0 {
		return f.Seconds() / o.Seconds(), true, true
	}
	return o.Seconds() / f.Seconds(), false, true
}

// Met says whether the row reached its goal, and if not, what fell short.
func (r Row) Met() (bool, string) {
	switch {
	case r.Skipped != "":
		return false, "not measured: " + r.Skipped
	case len(r.Ours) == 0:
		return false, "not measured"
	}
	if e := failure(r.Ours); e != "" {
		return false, "failed: " + e
	}
	g := r.Goal
	var short []string
	if g.MaxRatio > 0 || g.MinSpeed > 0 {
		ratio, _, ok := r.Ratio()
		switch {
		case !ok:
			return false, "not measured: the reference failed: " + failure(r.Ref)
		case g.MaxRatio > 0 && ratio > g.MaxRatio:
			short = append(short, fmt.Sprintf("%.2f×", ratio))
		case g.MinSpeed > 0 && ratio < g.MinSpeed:
			short = append(short, fmt.Sprintf("%.2f×", ratio))
		}
	}
	if g.MaxSeconds > 0 && r.OursTime().Seconds() > g.MaxSeconds {
		short = append(short, seconds(r.OursTime()))
	}
	if g.MaxRSSMB > 0 && r.PeakMB() > g.MaxRSSMB {
		short = append(short, "peak "+mb(r.PeakMB()))
	}
	if g.MinRate > 0 && r.Rate() < g.MinRate {
		short = append(short, thousands(r.Rate())+" rows/s")
	}
	if len(short) > 0 {
		return false, strings.Join(short, ", ")
	}
	return true, ""
}

// Table is the goals' table in Markdown: each row's median time (and rate), the
// reference's beside it, their ratio, plantrack's peak memory, the goal and whether it
// was met.
func Table(rows []Row) string {
	var s strings.Builder
	s.WriteString("| step | plantrack (median) | reference, same run (median) | ratio | plantrack peak RSS | goal | met? |\n")
	s.WriteString("|---|---|---|---|---|---|---|\n")
	for _, r := range rows {
		ours, ref, ratio, rss := "—", "—", "—", "—"
		if len(r.Ours) > 0 && failure(r.Ours) == "" {
			ours = seconds(r.OursTime())
			if r.Rows > 0 {
				ours += " (" + thousands(r.Rate()) + " rows/s)"
			}
			rss = mb(r.PeakMB())
		} else if len(r.Ours) > 0 {
			ours = "failed"
			if p := peak(r.Ours); p > 0 {
				rss = mb(float64(p) / 1024)
			}
		}
		if r.RefName != "" {
			ref = r.RefName
			switch {
			case len(r.Ref) == 0:
			case failure(r.Ref) != "":
				ref += ": failed"
			default:
				ref += ": " + seconds(r.RefTime())
			}
		}
		if v, speed, ok := r.Ratio(); ok {
			if speed {
				ratio = fmt.Sprintf("%.2f× its speed", v)
			} else {
				ratio = fmt.Sprintf("%.2f× its time", v)
			}
		}
		met, why := r.Met()
		m := "yes"
		if r.NotRun {
			m = "— (not in this run)"
		} else if !met {
			m = "**no**"
			if why != "" {
				m += " (" + why + ")"
			}
		}
		fmt.Fprintf(&s, "| %s | %s | %s | %s | %s | %s | %s |\n", cell(r.Step), ours, cell(ref), ratio, rss, r.Goal.Text(), cell(m))
	}
	return s.String()
}

// Details lists every run of every row: times, CPU, peak memory, and the parts of runs of
// several processes.
func Details(rows []Row) string {
	var s strings.Builder
	for _, r := range rows {
		if r.NotRun {
			continue
		}
		fmt.Fprintf(&s, "- **%s** (`%s`)", r.Step, r.ID)
		if r.Skipped != "" {
			fmt.Fprintf(&s, ": not measured: %s\n", r.Skipped)
			continue
		}
		s.WriteString("\n")
		list := func(who string, rs []Run) {
			if len(rs) == 0 {
				return
			}
			var each []string
			for _, x := range rs {
				t := fmt.Sprintf("%s (cpu %s, %s)", seconds(x.Wall), seconds(x.CPU), mb(float64(x.MaxRSS)/1024))
				if len(x.Parts) > 0 {
					var ps []string
					for _, p := range x.Parts {
						ps = append(ps, fmt.Sprintf("%s %s, %s", p.Name, seconds(p.Wall), mb(float64(p.MaxRSS)/1024)))
					}
					t += " [" + strings.Join(ps, "; ") + "]"
				}
				if x.Err != "" {
					t += " FAILED: " + x.Err
				}
				each = append(each, t)
			}
			fmt.Fprintf(&s, "  - %s: %s\n", who, strings.Join(each, "; "))
		}
		list("plantrack", r.Ours)
		list("reference ("+r.RefName+")", r.Ref)
		if len(r.Ours) > 0 && len(r.Ref) > 0 && failure(r.Ours) == "" && failure(r.Ref) == "" {
			o, f := Median(cpus(r.Ours)), Median(cpus(r.Ref))
			if o > 0 && f > 0 {
				fmt.Fprintf(&s, "  - median CPU time (less disturbed by others' load than wall time): plantrack %s, reference %s, %.2f×\n", seconds(o), seconds(f), o.Seconds()/f.Seconds())
			}
		}
		for _, n := range r.Notes {
			fmt.Fprintf(&s, "  - %s\n", n)
		}
	}
	return s.String()
}

// cell keeps a table cell on its line and its pipes from ending it.
func cell(s string) string {
	s = strings.ReplaceAll(s, "\n", " ")
	return strings.ReplaceAll(s, "|", `\|`)
}

func seconds(d time.Duration) string {
	if d < 10*time.Second {
		return fmt.Sprintf("%.2f s", d.Seconds())
	}
	return fmt.Sprintf("%.1f s", d.Seconds())
}

func mb(v float64) string { return fmt.Sprintf("%.0f MB", v) }

// gb writes a limit of at least 1024 MB in GB (of 1024 MB).
func gb(v float64) string {
	if v >= 1024 {
		return trimFloat(float64(int(v/1024*100+0.5))/100) + " GB"
	}
	return mb(v)
}

func trimFloat(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }

// thousands writes v rounded, its thousands separated by commas.
func thousands(v float64) string {
	n := strconv.FormatInt(int64(v+0.5), 10)
	var b bytes.Buffer
	for i, c := range n {
		if i > 0 && (len(n)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	return b.String()
}
