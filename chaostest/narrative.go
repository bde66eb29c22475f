package chaostest

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/go-resilience/resilience/hypothesis"
)

// The narrative: t.Logf lines as the experiment runs (visible with go test
// -v), and on failure one message with the verdict, the violated
// tolerances, a compact timeline and the command that reproduces the run.

// event is a moment of the timeline: a fault on or off, or a failure.
type event struct {
	at   time.Time
	kind string
	text string
}

func (r *runner) event(at time.Time, kind, text string) {
	r.events = append(r.events, event{at: at, kind: kind, text: text})
}

func (r *runner) logf(format string, args ...any) {
	r.t.Helper()
	r.t.Logf("chaostest: "+format, args...)
}

// originOf is the zero of every offset: the method's start, or the run's
// start when the method never ran.
func originOf(methodStart, start time.Time) time.Time {
	if !methodStart.IsZero() {
		return methodStart
	}
	return start
}

// offset formats the time of at from the method's start, e.g. "+1.25s".
func (r *runner) offset(at time.Time) string {
	return fmtOffset(at.Sub(originOf(r.m0, r.start)))
}

func fmtOffset(d time.Duration) string {
	sign := "+"
	if d < 0 {
		sign, d = "-", -d
	}
	return sign + d.Round(time.Millisecond).String()
}

func faultList(names []string) string {
	if len(names) == 0 {
		return "none"
	}
	return strings.Join(names, ", ")
}

// logGroups tells, under a phase's or a window's line, the control group's
// result beside the experiment group's, and the load the window was judged
// under: the harness's lateness and the host's CPU.
func (r *runner) logGroups(res, ctrl hypothesis.Result) {
	r.t.Helper()
	if r.control != nil {
		r.logf("  control group: %s", ctrl.Summary())
	}
	r.logf("  load: %s", loadLine(res))
}

// loadLine is one line on how busy the test machine was during res: how
// late the harness started its probes, worst check first, then the host.
func loadLine(res hypothesis.Result) string {
	var worst hypothesis.Harness
	for _, c := range res.Checks {
		if c.Harness.LagP90 > worst.LagP90 || worst.Limit == 0 {
			worst = c.Harness
		}
	}
	s := fmt.Sprintf("ticks started late by p90 %s, max %s (limit %s)", fmtDur(worst.LagP90), fmtDur(worst.LagMax), worst.Limit)
	if res.Load.Readings > 0 {
		s += "; " + res.Load.String()
	}
	return s
}

// fmtDur shows a duration rounded to what a reader needs.
func fmtDur(d time.Duration) string {
	switch {
	case d >= time.Second:
		return d.Round(time.Millisecond).String()
	case d >= 10*time.Millisecond:
		return d.Round(100 * time.Microsecond).String()
	}
	return d.Round(10 * time.Microsecond).String()
}

// failureMessage is the one message of a failed experiment.
func (rec *record) failureMessage() string {
	var b strings.Builder
	rep := rec.rep
	fmt.Fprintf(&b, "chaostest: experiment %q: %s", rec.title, rep.Status)
	switch rep.Status {
	case StatusNotSteady:
		if rep.Before.Verdict == hypothesis.Violated {
			fmt.Fprintf(&b, ": the system was unhealthy before any fault was injected; the method never ran\n")
		} else {
			fmt.Fprintf(&b, ": the control group was unhealthy before any fault was injected; the method never ran\n")
		}
		writeViolations(&b, "before", rep.Before)
		rec.writeControl(&b, "before", rep.ControlBefore)
	case StatusDeviated:
		rec.writeDeviated(&b)
	case StatusHeld:
		if rec.expect == expectDeviation {
			b.WriteString(": expected a deviation but the hypothesis held: the weakness this test documents may be fixed\n")
		} else {
			b.WriteString("\n")
		}
	case StatusInconclusive:
		rec.writeInconclusive(&b)
	case StatusAborted:
		fmt.Fprintf(&b, ": %v\n", rec.abort)
	}
	b.WriteString(rec.timeline())
	fmt.Fprintf(&b, "  reproduce: %s", reproduceCommand(rec.test, rec.seed, rec.seedUsed))
	return b.String()
}

// writeDeviated is the failure message's account of a deviated run: what
// was violated in each deviation, with the control group beside it.
func (rec *record) writeDeviated(b *strings.Builder) {
	switch {
	case rec.expect == expectHold:
		fmt.Fprintf(b, ": the hypothesis %q was violated\n", rec.steady.title)
	case rec.reasons != "":
		fmt.Fprintf(b, ", but no deviation shows what the experiment documents: %s\n", rec.reasons)
	default:
		b.WriteString("\n")
	}
	for _, d := range rec.rep.Deviations {
		label := fmt.Sprintf("%s, window at %s (faults: %s)", d.Phase, fmtOffset(d.Offset), faultList(d.Faults))
		if d.Phase == PhaseAfter {
			b.WriteString(rec.notRecovered())
			label = fmt.Sprintf("after, window at %s (recovering from: %s)", fmtOffset(d.Offset), faultList(d.Faults))
		}
		writeViolations(b, label, d.Result)
		if d.Phase == PhaseDuring {
			for _, w := range rec.windows {
				if w.judged && w.from == d.Offset {
					rec.writeControl(b, "", w.control)
				}
			}
		}
	}
	if rec.failFastStop {
		b.WriteString("  the method was stopped at the first violated window (fail-fast)\n")
	}
}

// writeInconclusive is the failure message's account of an inconclusive
// run: the faults that reached nothing, or the windows that could not be
// judged.
func (rec *record) writeInconclusive(b *strings.Builder) {
	rep := rec.rep
	if un := rec.unreached(); len(un) > 0 {
		rec.writeUnreached(b, un)
		return
	}
	if gateOf(rep, rec.control != nil) != hypothesis.Held {
		b.WriteString(": the steady state before could not be judged, so the method never ran\n")
		writeViolations(b, "before", rep.Before)
		rec.writeControl(b, "before", rep.ControlBefore)
		return
	}
	b.WriteString(": no window violated the hypothesis, but some could not be judged\n")
	for i, w := range rec.windows {
		if w.judged && w.result.Verdict != hypothesis.Held {
			writeViolations(b, fmt.Sprintf("during, window %d at %s", i+1, fmtOffset(w.from)), w.result)
			rec.writeControl(b, "", w.control)
		}
	}
	if !rep.After.Held() {
		writeViolations(b, "after", rep.After)
	}
}

// notRecovered says that the system did not recover although every fault
// had been reverted: a failure that outlives its cause.
func (rec *record) notRecovered() string {
	return notRecoveredLine(rec.offset(rec.rollbackEnd), rec.rep.After.To.Sub(rec.rollbackEnd), rec.recovery, rec.after)
}

// notRecoveredLine is notRecovered's line: the faults were all reverted at
// the offset revertedAt, and the last after window ended later by took.
func notRecoveredLine(revertedAt string, took, recovery, after time.Duration) string {
	return fmt.Sprintf("  did not recover: every fault was reverted at %s, yet %s later (recovery allowance %v, then an after window of %v) the hypothesis still did not hold: the failure outlives the fault that started it (a metastable failure, such as a retry storm, or lasting damage, such as lost or duplicated data)\n",
		revertedAt, fmtDur(took), recovery, after)
}

// writeControl shows the control group's result beside a window's.
func (rec *record) writeControl(b *strings.Builder, label string, ctrl hypothesis.Result) {
	if rec.control == nil {
		return
	}
	if label != "" {
		label += ", "
	}
	fmt.Fprintf(b, "    %scontrol group: %s\n", label, ctrl.Summary())
}

// writeViolations lists the tolerances of res that did not hold, with what
// was expected and what was observed, and the load the window was judged under.
func writeViolations(b *strings.Builder, label string, res hypothesis.Result) {
	fmt.Fprintf(b, "  %s: %s\n", label, res.Summary())
	fmt.Fprintf(b, "    load: %s\n", loadLine(res))
	for _, c := range res.Checks {
		for _, tr := range c.Tolerances {
			if tr.Verdict == hypothesis.Held {
				continue
			}
			fmt.Fprintf(b, "    %s: %s %s: expected %s, observed %s\n", c.Probe, tr.Text, tr.Verdict, tr.Expected, tr.Observed)
		}
		if c.FirstError != "" && c.Verdict != hypothesis.Held {
			fmt.Fprintf(b, "    %s: errors by kind: %s; first: %s\n", c.Probe, hypothesis.ErrorCounts(c.ErrorKinds), c.FirstError)
		}
	}
}

// timeline is the compact story of the run, offsets from the method's start.
func (rec *record) timeline() string {
	type line struct {
		at   time.Duration
		text string
	}
	var lines []line
	o := rec.origin()
	if !rec.rep.Before.From.IsZero() {
		lines = append(lines, line{rec.rep.Before.From.Sub(o), "before   " + rec.rep.Before.Summary()})
	}
	for _, ev := range rec.events {
		lines = append(lines, line{ev.at.Sub(o), fmt.Sprintf("%-8s %s", ev.kind, ev.text)})
	}
	for i, w := range rec.windows {
		if w.judged {
			lines = append(lines, line{w.from, fmt.Sprintf("window %d %s, until %s; faults: %s", i+1, w.result.Summary(), fmtOffset(w.to), faultList(w.faults))})
		}
	}
	for i, a := range rec.afters {
		lines = append(lines, line{a.From.Sub(o), fmt.Sprintf("after %d  %s", i+1, a.Summary())})
	}
	sort.SliceStable(lines, func(i, j int) bool { return lines[i].at < lines[j].at })
	var b strings.Builder
	b.WriteString("  timeline (offsets from the method's start):\n")
	for _, l := range lines {
		fmt.Fprintf(&b, "    %8s  %s\n", fmtOffset(l.at), l.text)
	}
	return b.String()
}

// reproduceCommand is the go test command line that runs this test again
// from the module's root, with the same seed when a fault read it, quoted
// for a POSIX shell: go test ./examples/catalog -run '^TestCatalog$'.
func reproduceCommand(testName string, seed int64, seedUsed bool) string {
	return reproduceIn(runPattern(testName), seed, seedUsed)
}

// reproduceIn is reproduceCommand with the -run pattern given.
func reproduceIn(pattern string, seed int64, seedUsed bool) string {
	cmd := "go test "
	switch packagePath {
	case "":
	case ".":
		cmd += ". "
	default:
		cmd += "./" + packagePath + " "
	}
	cmd += "-run " + shellQuote(pattern)
	if seedUsed {
		cmd += fmt.Sprintf(" -%s=%d", flagSeed, seed)
	}
	return cmd
}

// shellQuote quotes s as one word for a POSIX shell: inside single quotes
// every character stands for itself, and a single quote is written '\”.
func shellQuote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// deviationsLine is one line naming each deviation: its phase, offset and
// the tolerances it violated.
func (rec *record) deviationsLine() string {
	var parts []string
	for _, d := range rec.rep.Deviations {
		var violated []string
		for _, c := range d.Result.Checks {
			for _, tr := range c.Tolerances {
				if tr.Verdict == hypothesis.Violated {
					violated = append(violated, c.Probe+": "+tr.Text)
				}
			}
		}
		parts = append(parts, fmt.Sprintf("%s at %s (%s)", d.Phase, fmtOffset(d.Offset), strings.Join(violated, "; ")))
	}
	return "deviated " + strings.Join(parts, ", ")
}
