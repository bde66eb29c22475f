package hypothesis

import (
	"cmp"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"time"
)

// ToleranceResult is one tolerance's judgement: the bound it expected and
// the figure it observed, as text for people (figures rounded) and, for a
// window tolerance, as exact numbers for reports.
type ToleranceResult struct {
	// Text is the tolerance as text: e.g. "latency p99 <= 300ms", or with
	// its Label, "fast item pages (latency p99 <= 300ms)".
	Text  string
	Label string // the intent given with Label, "" without one
	// Source is the tolerance judged, the very value passed to Expect (nil
	// for the default "success rate >= 100%"): compare it with ==, or ask
	// Result.Violated.
	Source   Tolerance
	Expected string // e.g. "<= 300ms"
	Observed string // e.g. "512ms"
	Verdict  Verdict
	// Bound and Measured are the bound and the figure judged, in Unit
	// (latency p99 <= 300ms observed 512ms: 0.3, 0.512, UnitSeconds). Unit
	// is "" when the tolerance has no numeric bound: a value tolerance, or
	// a relative one without its reference. Measured is 0 when there was
	// nothing to measure (no sample; Observed says why).
	Bound, Measured float64
	Unit            Unit
}

// Unit is what the numeric figures of a ToleranceResult count.
type Unit string

// Units of the package's window tolerances.
const (
	UnitSeconds   Unit = "s"          // latency bounds, RecoversWithin
	UnitRatio     Unit = "ratio"      // success rates, in [0,1]
	UnitCount     Unit = "count"      // MaxErrors, MinSamples
	UnitPerSecond Unit = "per second" // MinThroughput
)

// CheckResult judges one check over a window.
//
// Samples counts every sample intended in the window, in flight or not,
// but not the ticks the sampler could not start (Harness.NotStarted);
// Errors counts finished samples that failed (probe error, timeout, panic,
// missed value tolerance). Latency figures include failed samples and count
// in-flight samples as lower bounds.
//
// SuccessRate is the share of finished samples (Samples - InFlight) that
// succeeded, in [0,1], value misses counted as failures; it is 0 when no
// sample finished (tell that from "all failed" by Errors == 0).
//
// Tolerances lists the value tolerances first (observed: how many samples
// missed them), then the window tolerances, including the default "success
// rate >= 100%" when the check judges errors with none. The misses are
// errors: a declared error budget (SuccessRate, MaxErrors, ...) judges them
// with the check's other errors; under the default, each value tolerance
// decides on its own misses and the default judges the other errors, so a
// miss is reported once, under its tolerance.
//
// A LoadOnly check is sampled and its figures filled in, but it is never
// judged: it has no Tolerances, its Verdict is Inconclusive with the Reason
// "drives load (not judged)", and it never decides the Result's verdict.
type CheckResult struct {
	Probe       string
	Verdict     Verdict
	LoadOnly    bool // the check drives load and is not judged (see the LoadOnly option)
	Samples     int
	Errors      int
	InFlight    int
	SuccessRate float64
	P50, P99    time.Duration
	Max         time.Duration
	FirstError  string // message of the first failed sample, if any
	// ErrorKinds counts the errors by kind, most frequent first: "status
	// 404 ×20, probe timeout: no answer within the check's Timeout 1s ×3".
	ErrorKinds []ErrorCount
	Reason     string // why the check is inconclusive, when it is
	Tolerances []ToleranceResult
	Harness    Harness // how well the sampler kept the check's schedule

	stats         *windowStats // what relative tolerances of other windows compare with
	valueViolated bool         // a value tolerance was violated: a violation timing cannot explain
	firstOther    string       // the first error that is not a value miss (those show under their tolerance)
	allMisses     bool         // every error is a value miss
}

// loadOnlyReason is the Reason of a LoadOnly check.
const loadOnlyReason = "drives load (not judged)"

// summary is one line of the check's figures: "violated: 40 samples, 3 errors, p99 1.2s".
func (c CheckResult) summary() string {
	return fmt.Sprintf("%s: %s", c.Verdict, c.figures())
}

// figures are "40 samples, 3 errors, p99 1.2s".
func (c CheckResult) figures() string {
	s := count(c.Samples, "sample", "samples") + ", " + count(c.Errors, "error", "errors")
	if c.Samples > 0 {
		s += ", p99 " + fmtDur(c.P99)
	}
	return s
}

// figuresLate are the figures, then the ticks started late or not started:
// "40 samples, 3 errors, p99 1.2s, 2 ticks started late (up to 30ms)".
func (c CheckResult) figuresLate() string {
	s := c.figures()
	if h := c.Harness; h.Late > 0 {
		s += fmt.Sprintf(", %s started late (up to %s)", count(h.Late, "tick", "ticks"), fmtDur(h.LagMax))
	}
	if h := c.Harness; h.NotStarted > 0 {
		s += fmt.Sprintf(", %s not started", count(h.NotStarted, "tick", "ticks"))
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

// Samples counts the samples of every check, LoadOnly ones included.
func (r Result) Samples() int {
	n := 0
	for _, c := range r.Checks {
		n += c.Samples
	}
	return n
}

// Summary is one line: "held: 48 samples, 0 errors, p99 12ms", then the
// violated tolerances with what was observed, or why the window could not
// be judged. With several judged checks, each has its own figures, never
// added together, and each reason names its check: "violated: GET /a
// violated: 20 samples, 20 errors, p99 1s; GET /b held: 20 samples, 0
// errors, p99 2ms (GET /a: success rate >= 99%, observed 0% (0/20))". A
// LoadOnly check is not in these figures: its own follow, "; POST /orders
// drives load (not judged): 50 samples, 3 errors, p99 20ms".
func (r Result) Summary() string {
	if r.Err != nil {
		return "inconclusive: " + r.Err.Error()
	}
	var judgedChecks []CheckResult
	for _, c := range r.Checks {
		if !c.LoadOnly {
			judgedChecks = append(judgedChecks, c)
		}
	}
	judged := len(judgedChecks)
	s := r.Verdict.String() + ": "
	switch judged {
	case 0:
		s += CheckResult{}.figures()
	case 1:
		s += judgedChecks[0].figuresLate()
	default:
		for i, c := range judgedChecks {
			if i > 0 {
				s += "; "
			}
			s += fmt.Sprintf("%s %s: %s", c.Probe, c.Verdict, c.figuresLate())
		}
	}
	why := r.why(judged > 1)
	if judged == 0 && len(r.Checks) > 0 {
		why = append(why, "nothing judged: every check drives load")
	}
	if len(why) > 0 {
		s += " (" + strings.Join(why, "; ") + ")"
	}
	for _, c := range r.Checks {
		if c.LoadOnly {
			s += fmt.Sprintf("; %s %s: %s", c.Probe, loadOnlyReason, c.figures())
		}
	}
	return s
}

// why says, for the checks judged, which tolerances were violated and what
// was observed, or why a check could not be judged; each reason names its
// check when named is set.
func (r Result) why(named bool) []string {
	var why []string
	for _, c := range r.Checks {
		prefix := ""
		if named {
			prefix = c.Probe + ": "
		}
		switch {
		case c.LoadOnly:
		case c.Verdict == Violated:
			for _, tr := range c.Tolerances {
				if tr.Verdict == Violated {
					why = append(why, fmt.Sprintf("%s%s, observed %s", prefix, tr.Text, tr.Observed))
				}
			}
		case c.Verdict == Inconclusive && c.Reason != "":
			why = append(why, prefix+c.Reason)
		}
	}
	return slices.Compact(why)
}

// String is the multi-line, labelled description used in failure messages:
// the hypothesis, its verdict, the window, then per check the probe, its
// figures and every tolerance with expected and observed values. The first
// error shown is the first that is not a value miss: misses are shown under
// their value tolerance.
func (r Result) String() string {
	var rows [][2]string
	add := func(label, content string) { rows = append(rows, [2]string{label, content}) }
	add("Hypothesis", r.Hypothesis)
	add("Verdict", r.Verdict.String())
	if r.Err != nil {
		add("Error", r.Err.Error())
		return labeled(rows)
	}
	add("Window", fmt.Sprintf("%s to %s (%v, %s)", fmtTime(r.From), fmtTime(r.To), r.To.Sub(r.From), count(r.Samples(), "sample", "samples")))
	for i, c := range r.Checks {
		add(fmt.Sprintf("Check %d", i+1), c.describe())
	}
	if r.Load.Readings > 0 {
		add("Load", r.Load.String())
	}
	return labeled(rows)
}

// describe is the check's part of Result.String.
func (c CheckResult) describe() string {
	var b strings.Builder
	switch {
	case c.LoadOnly:
		fmt.Fprintf(&b, "%s: %s", c.Probe, loadOnlyReason)
	case c.Reason != "":
		fmt.Fprintf(&b, "%s: %s (%s)", c.Probe, c.Verdict, c.Reason)
	default:
		fmt.Fprintf(&b, "%s: %s", c.Probe, c.Verdict)
	}
	fmt.Fprintf(&b, "\n%s, %s", count(c.Samples, "sample", "samples"), count(c.Errors, "error", "errors"))
	if c.InFlight > 0 {
		fmt.Fprintf(&b, ", %d in flight", c.InFlight)
	}
	if c.Samples > 0 {
		fmt.Fprintf(&b, ", p50 %s, p99 %s, max %s", fmtDur(c.P50), fmtDur(c.P99), fmtDur(c.Max))
	}
	if first := cmp.Or(c.firstOther, c.FirstError); first != "" && !c.allMisses {
		fmt.Fprintf(&b, "\nerrors by kind: %s", ErrorCounts(c.ErrorKinds))
		fmt.Fprintf(&b, "\nfirst error: %s", first)
	}
	fmt.Fprintf(&b, "\nharness: %s", c.Harness)
	for _, t := range c.Tolerances {
		fmt.Fprintf(&b, "\n%s: %s: expected %s, observed %s", t.Verdict, t.Text, t.Expected, t.Observed)
	}
	return b.String()
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
