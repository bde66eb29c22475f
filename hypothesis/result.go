package hypothesis

import (
	"fmt"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"time"
)

// ToleranceResult is one tolerance's judgement: the bound it expected and
// the figure it observed.
type ToleranceResult struct {
	Tolerance string // e.g. "latency p99 <= 300ms"
	// Source is the tolerance judged, the very value passed to Expect (nil
	// for the default "success rate >= 100%"): compare it with ==, or ask
	// Result.Violated.
	Source   Tolerance
	Expected string // e.g. "<= 300ms"
	Observed string // e.g. "512ms"
	Verdict  Verdict
}

// CheckResult judges one check over a window.
//
// Samples counts every sample intended in the window, in flight or not,
// but not the ticks the sampler could not start (Harness.NotStarted);
// Errors counts finished samples that failed (probe error, timeout, panic,
// missed value tolerance). Latency figures include failed samples and count
// in-flight samples as lower bounds.
//
// Tolerances lists the value tolerances first (observed: how many samples
// missed them; their misses are errors, so they decide the verdict only
// through the window tolerances), then the window tolerances, including the
// default "success rate >= 100%" when the check judges errors with none.
type CheckResult struct {
	Probe      string
	Verdict    Verdict
	Samples    int
	Errors     int
	InFlight   int
	P50, P99   time.Duration
	Max        time.Duration
	FirstError string // message of the first failed sample, if any
	Reason     string // why the check is inconclusive, when it is
	Tolerances []ToleranceResult
	Harness    Harness // how well the sampler kept the check's schedule

	stats         *windowStats // what relative tolerances of other windows compare with
	valueViolated bool         // a value tolerance was violated: a violation timing cannot explain
}

// summary is one line of the check's figures: "violated: 40 samples, 3 errors, p99 1.2s".
func (c CheckResult) summary() string {
	s := fmt.Sprintf("%s: %d samples, %d errors", c.Verdict, c.Samples, c.Errors)
	if c.Samples > 0 {
		s += ", p99 " + fmtDur(c.P99)
	}
	return s
}

// Result is the judgement of a hypothesis over the window [From, To).
type Result struct {
	Hypothesis string
	Verdict    Verdict
	From, To   time.Time
	Checks     []CheckResult
	// Err is set when the hypothesis was invalid; the verdict is then
	// Inconclusive and nothing was judged.
	Err error
	// Load is the host's and the test process's load over the window
	// (from a Sampler; zero from the pure Evaluate).
	Load Load

	h *Hypothesis // the hypothesis judged, to tell a group from its control
}

// Held reports whether the hypothesis held. Inconclusive is not held.
func (r Result) Held() bool { return r.Verdict == Held }

// Samples counts the samples of every check.
func (r Result) Samples() int {
	n := 0
	for _, c := range r.Checks {
		n += c.Samples
	}
	return n
}

// Summary is one line: "held: 48 samples, 0 errors, p99 12ms". With several
// checks, samples and errors are summed and p99 is the worst check's.
func (r Result) Summary() string {
	if r.Err != nil {
		return "inconclusive: " + r.Err.Error()
	}
	n, errs := 0, 0
	var p99 time.Duration
	for _, c := range r.Checks {
		n += c.Samples
		errs += c.Errors
		p99 = max(p99, c.P99)
	}
	late, notStarted := 0, 0
	var lagMax time.Duration
	for _, c := range r.Checks {
		late += c.Harness.Late
		notStarted += c.Harness.NotStarted
		lagMax = max(lagMax, c.Harness.LagMax)
	}
	s := fmt.Sprintf("%s: %d samples, %d errors", r.Verdict, n, errs)
	if n > 0 {
		s += ", p99 " + fmtDur(p99)
	}
	if late > 0 {
		s += fmt.Sprintf(", %d ticks started late (up to %s)", late, fmtDur(lagMax))
	}
	if notStarted > 0 {
		s += fmt.Sprintf(", %d ticks not started", notStarted)
	}
	// Say why, in the same line: which tolerances were violated and what was
	// observed, or why the window could not be judged.
	var why []string
	for _, c := range r.Checks {
		switch c.Verdict {
		case Violated:
			for _, tr := range c.Tolerances {
				if tr.Verdict == Violated {
					why = append(why, fmt.Sprintf("%s, observed %s", tr.Tolerance, tr.Observed))
				}
			}
		case Inconclusive:
			if c.Reason != "" {
				why = append(why, c.Reason)
			}
		}
	}
	if why = slices.Compact(why); len(why) > 0 {
		s += " (" + strings.Join(why, "; ") + ")"
	}
	return s
}

// String is the multi-line, labelled description used in failure messages:
// the hypothesis, its verdict, the window, then per check the probe, its
// figures and every tolerance with expected and observed values.
func (r Result) String() string {
	var rows [][2]string
	add := func(label, content string) { rows = append(rows, [2]string{label, content}) }
	add("Hypothesis", r.Hypothesis)
	add("Verdict", r.Verdict.String())
	if r.Err != nil {
		add("Error", r.Err.Error())
		return labeled(rows)
	}
	add("Window", fmt.Sprintf("%s to %s (%v, %d samples)", fmtTime(r.From), fmtTime(r.To), r.To.Sub(r.From), r.Samples()))
	for i, c := range r.Checks {
		var b strings.Builder
		fmt.Fprintf(&b, "%s: %s", c.Probe, c.Verdict)
		if c.Reason != "" {
			fmt.Fprintf(&b, " (%s)", c.Reason)
		}
		fmt.Fprintf(&b, "\n%d samples, %d errors", c.Samples, c.Errors)
		if c.InFlight > 0 {
			fmt.Fprintf(&b, ", %d in flight", c.InFlight)
		}
		if c.Samples > 0 {
			fmt.Fprintf(&b, ", p50 %s, p99 %s, max %s", fmtDur(c.P50), fmtDur(c.P99), fmtDur(c.Max))
		}
		if c.FirstError != "" {
			fmt.Fprintf(&b, "\nfirst error: %s", c.FirstError)
		}
		fmt.Fprintf(&b, "\nharness: %s", c.Harness)
		for _, t := range c.Tolerances {
			fmt.Fprintf(&b, "\n%s: %s: expected %s, observed %s", t.Verdict, t.Tolerance, t.Expected, t.Observed)
		}
		add(fmt.Sprintf("Check %d", i+1), b.String())
	}
	if r.Load.Readings > 0 {
		add("Load", r.Load.String())
	}
	return labeled(rows)
}

// labeled lays rows out as testify does: a tab, the label and a colon padded
// to the longest label, a tab, then the content, whose further lines are
// indented to the same column.
func labeled(rows [][2]string) string {
	width := 0
	for _, r := range rows {
		width = max(width, len(r[0]))
	}
	var b strings.Builder
	for _, r := range rows {
		b.WriteString("\t" + r[0] + ":" + strings.Repeat(" ", width-len(r[0])) + "\t")
		lines := strings.Split(r[1], "\n")
		for i, l := range lines {
			if i > 0 {
				b.WriteString("\t" + strings.Repeat(" ", width+1) + "\t")
			}
			b.WriteString(l + "\n")
		}
	}
	return b.String()
}

// fmtDur shows a duration with about four significant digits.
func fmtDur(d time.Duration) string {
	a := d
	if a < 0 {
		a = -a
	}
	switch {
	case a >= time.Second:
		return d.Round(time.Millisecond).String()
	case a >= 100*time.Millisecond:
		return d.Round(100 * time.Microsecond).String()
	case a >= 10*time.Millisecond:
		return d.Round(10 * time.Microsecond).String()
	case a >= time.Millisecond:
		return d.Round(time.Microsecond).String()
	case a >= time.Microsecond:
		return d.Round(10 * time.Nanosecond).String()
	}
	return d.String()
}

func fmtTime(t time.Time) string { return t.Format("2006-01-02T15:04:05.000Z07:00") }

// fmtPercent shows a ratio as a percentage: 0.99 -> "99%", 47/48 -> "97.92%".
func fmtPercent(f float64) string {
	s := strconv.FormatFloat(f*100, 'f', 2, 64)
	s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
	return s + "%"
}

func fmtRate(f float64) string {
	s := strconv.FormatFloat(f, 'f', 2, 64)
	return strings.TrimRight(strings.TrimRight(s, "0"), ".")
}

func sortDurations(d []time.Duration) { slices.Sort(d) }

// Violated reports whether tol, a tolerance as passed to Expect, was
// violated in some check of r (matched by identity, not by its text).
func (r Result) Violated(tol Tolerance) bool {
	for _, c := range r.Checks {
		for _, tr := range c.Tolerances {
			if tr.Verdict == Violated && sameTolerance(tr.Source, tol) {
				return true
			}
		}
	}
	return false
}

// sameTolerance compares two tolerances by identity where their type allows
// it (the package's own are pointers); never panics on uncomparable values.
func sameTolerance(a, b Tolerance) bool {
	if a == nil || b == nil {
		return false
	}
	ta, tb := reflect.TypeOf(a), reflect.TypeOf(b)
	if ta != tb || !ta.Comparable() {
		return false
	}
	return a == b
}
