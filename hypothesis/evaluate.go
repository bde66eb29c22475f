package hypothesis

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"net"
	"slices"
	"time"
)

// Refs are what relative tolerances compare a window with (LatencyPRelative,
// SuccessRateRelative): the same hypothesis's result over the steady state
// before the fault (Baseline), and the control group's result over the same
// window (Control). Checks are matched by position. A nil field means there
// is none; a tolerance relative to it is then inconclusive.
//
// When Control is set and the control group's check was itself violated,
// a violation of the matching check that depends on timing is inconclusive:
// noise that hits both groups (a busy machine, a slow shared dependency) is
// not the fault's doing.
type Refs struct {
	Baseline *Result
	Control  *Result
}

// Evaluate is the pure layer: it judges the samples intended in [from, to)
// against h and returns the result; it reads no clock and starts nothing.
// It is EvaluateWith without references.
//
// Samples are matched to checks by Sample.Check. Value tolerances are
// applied to every finished sample whose Err is nil (so hand-made samples
// are judged like sampled ones) and whose Value is not a NoValue; a sample
// with InFlight set counts as a latency lower bound and not as a success or
// an error; a sample with NotStarted set is counted apart and judges
// nothing.
//
// A check is violated if any window tolerance is violated, or, when it
// declares no tolerance judging errors, any value tolerance; else
// inconclusive if it has no sample, only samples in flight (the probe never
// answered), fewer finished samples than MinSamples (default 1), ticks not
// started, a value tolerance with no value to judge, or a tolerance that
// cannot decide; else held. A violation is inconclusive instead when the
// test machine explains it: when the harness could not keep the check's
// schedule (see Harness) and the error budget holds once probes that ran
// out of time are forgiven (latency and throughput left out); when the
// window holds once each probe's own start delay is discounted; or, from a
// Sampler, when the host was saturated and the window holds with every
// latency bound stretched by the host's slowdown (see Load). A violated
// value tolerance always stands.
//
// A LoadOnly check is not judged: its figures are filled in, and it decides
// nothing. The hypothesis is violated if any judged check is, else
// inconclusive if any is (or if no check is judged), else held. An invalid
// h gives an inconclusive result carrying the validation error in
// Result.Err.
func Evaluate(h *Hypothesis, samples []Sample, from, to time.Time) Result {
	return EvaluateWith(h, samples, from, to, Refs{})
}

// EvaluateWith is Evaluate with references for the relative tolerances.
func EvaluateWith(h *Hypothesis, samples []Sample, from, to time.Time, refs Refs) Result {
	return evaluate(h, samples, from, to, refs, nil)
}

// evaluate is EvaluateWith with the load the window was sampled under, when
// known (a Sampler's). Under a saturated host, a latency violation that
// holds at the host's slowdown is the machine's, not the system's.
func evaluate(h *Hypothesis, samples []Sample, from, to time.Time, refs Refs, load *Load) Result {
	r := Result{From: from, To: to, h: h}
	if load != nil {
		r.Load = *load
	}
	if h != nil {
		r.Hypothesis = h.title
	}
	if err := h.Validate(); err != nil {
		r.Err = err
		return r
	}
	perCheck := splitByCheck(h, samples, from, to)
	r.Verdict = Inconclusive // until a check is judged
	judged := false
	for i, c := range h.checks {
		cr := evaluateCheck(c, perCheck[i], from, to, refsFor(refs, i), load)
		if refs.Control != nil && refs.Control.h != h {
			controlNoise(&cr, refs.Control, i)
		}
		r.Checks = append(r.Checks, cr)
		if c.loadOnly {
			continue
		}
		if !judged {
			r.Verdict, judged = Held, true
		}
		r.Verdict = worse(r.Verdict, cr.Verdict)
	}
	return r
}

// splitByCheck returns, per check of h, a copy of its samples intended in
// [from, to).
func splitByCheck(h *Hypothesis, samples []Sample, from, to time.Time) [][]Sample {
	in := func(s *Sample) bool {
		return s.Check >= 0 && s.Check < len(h.checks) && !s.Intended.Before(from) && s.Intended.Before(to)
	}
	counts := make([]int, len(h.checks))
	for i := range samples {
		if in(&samples[i]) {
			counts[samples[i].Check]++
		}
	}
	perCheck := make([][]Sample, len(h.checks))
	for i, n := range counts {
		perCheck[i] = make([]Sample, 0, n)
	}
	for i := range samples {
		if s := &samples[i]; in(s) {
			perCheck[s.Check] = append(perCheck[s.Check], *s)
		}
	}
	return perCheck
}

// checkRefs are the reference figures of one check.
type checkRefs struct {
	baseline, control *windowStats
}

func refsFor(refs Refs, i int) checkRefs {
	var cr checkRefs
	if b := refs.Baseline; b != nil && i < len(b.Checks) {
		cr.baseline = b.Checks[i].stats
	}
	if c := refs.Control; c != nil && i < len(c.Checks) {
		cr.control = c.Checks[i].stats
	}
	return cr
}

// controlNoise makes a timing violation of check i inconclusive when the
// control group's check i, which no fault touched, was violated too.
func controlNoise(cr *CheckResult, control *Result, i int) {
	if i >= len(control.Checks) || cr.Verdict != Violated || cr.valueViolated {
		return
	}
	if cc := control.Checks[i]; cc.Verdict == Violated {
		cr.Verdict = Inconclusive
		cr.Reason = "the control group, which no fault touched, was violated too (" + cc.summary() + "): the deviation is not the fault's alone"
	}
}

// missError is the error of a sample whose value missed a value tolerance.
type missError struct {
	tolerance string
	reason    error
}

func (e *missError) Error() string { return e.tolerance + ": " + e.reason.Error() }

// firstMiss applies value tolerances to v and returns the first miss, or
// nil; a NoValue is not judged.
func firstMiss(vts []ValueTolerance, v any) error {
	if _, none := v.(NoValue); none {
		return nil
	}
	for _, t := range vts {
		if m := missOf(t, v); m != nil {
			return &missError{tolerance: t.String(), reason: m}
		}
	}
	return nil
}

func splitTolerances(c Check) (vts []ValueTolerance, wts []WindowTolerance) {
	for _, t := range c.tolerances {
		switch x := t.(type) {
		case ValueTolerance:
			vts = append(vts, x)
		case WindowTolerance:
			wts = append(wts, x)
		}
	}
	return vts, wts
}

func evaluateCheck(c Check, samples []Sample, from, to time.Time, refs checkRefs, load *Load) CheckResult {
	slices.SortStableFunc(samples, func(a, b Sample) int {
		return cmp.Or(a.Intended.Compare(b.Intended), cmp.Compare(a.Seq, b.Seq))
	})
	vts, wts := splitTolerances(c)
	cr := CheckResult{Probe: c.probe.Name(), LoadOnly: c.loadOnly}
	samples = cr.started(c, samples)
	values := judgeValues(vts, samples)
	cr.fillFigures(samples)
	cr.ErrorKinds = errorCounts(samples, c.timeout)
	if c.loadOnly {
		cr.Reason = loadOnlyReason
		return cr
	}
	cr.Tolerances = values.results
	cr.valueViolated = values.verdict == Violated

	wj := judgeWindow(wts, samples, from, to, refs, 1)
	cr.Tolerances = append(cr.Tolerances, wj.results...)
	cr.stats = wj.w.stats()
	verdict, undecided := wj.verdict, wj.undecided
	if wj.byDefault || values.verdict == Inconclusive {
		// Under the default success rate a value tolerance decides on its
		// own misses; one with no value to judge leaves the check undecided.
		verdict = worse(verdict, values.verdict)
		undecided = cmp.Or(undecided, values.undecided)
	}
	cr.Verdict, cr.Reason = cr.decide(verdict, undecided, wj)
	cr.harnessExplains(wts, samples, from, to, refs, load)
	for i := range cr.Tolerances {
		tr := &cr.Tolerances[i]
		if l := c.labelOf(tr.Source); l != "" {
			tr.Label, tr.Text = l, labelled(l, tr.Text)
		}
	}
	return cr
}

// started drops the ticks the sampler could not start: they say nothing
// about the system, are counted apart and judge nothing. It fills in
// Samples and Harness; samples is the check's own copy.
func (cr *CheckResult) started(c Check, samples []Sample) []Sample {
	notStarted := 0
	out := samples[:0]
	for _, s := range samples {
		if s.NotStarted {
			notStarted++
			continue
		}
		out = append(out, s)
	}
	cr.Samples = len(out)
	cr.Harness = harnessOf(c, out, notStarted)
	return out
}

// valueJudgement is the outcome of the value tolerances of one check.
type valueJudgement struct {
	results   []ToleranceResult
	verdict   Verdict // Held with no value tolerance
	undecided string  // the first value tolerance with no value to judge, and why
}

// judgeValues applies the value tolerances to every finished sample with a
// value, turning the first miss of a sample that succeeded into its error.
func judgeValues(vts []ValueTolerance, samples []Sample) valueJudgement {
	misses := make([]int, len(vts))
	firstMisses := make([]string, len(vts))
	judged, noValue := 0, 0
	for i := range samples {
		s := &samples[i]
		if s.InFlight || (s.Err != nil && !isMiss(s.Err)) {
			continue // the probe itself failed: there is no value to judge
		}
		if _, none := s.Value.(NoValue); none {
			noValue++
			continue
		}
		judged++
		for j, t := range vts {
			if m := missOf(t, s.Value); m != nil {
				misses[j]++
				if firstMisses[j] == "" {
					firstMisses[j] = m.Error()
				}
				if s.Err == nil {
					s.Err = &missError{tolerance: t.String(), reason: m}
				}
			}
		}
	}
	vj := valueJudgement{verdict: Held}
	for j, t := range vts {
		tr := ToleranceResult{Text: t.String(), Source: t, Expected: "every sample"}
		switch {
		case judged == 0:
			tr.Observed = "no sample with a value"
		case misses[j] == 0:
			tr.Observed = fmt.Sprintf("0 of %d missed", judged)
			tr.Verdict = Held
		default:
			tr.Observed = fmt.Sprintf("%d of %d missed, first: %s", misses[j], judged, firstMisses[j])
			tr.Verdict = Violated
		}
		if noValue > 0 {
			tr.Observed += fmt.Sprintf(" (%s without a value yet)", count(noValue, "sample", "samples"))
		}
		if tr.Verdict == Inconclusive {
			vj.undecided = cmp.Or(vj.undecided, tr.Text+": "+tr.Observed)
		}
		vj.verdict = worse(vj.verdict, tr.Verdict)
		vj.results = append(vj.results, tr)
	}
	return vj
}

// fillFigures fills in the figures over the whole window.
func (cr *CheckResult) fillFigures(samples []Sample) {
	lat := make([]time.Duration, 0, len(samples))
	misses := 0
	for _, s := range samples {
		lat = append(lat, s.Latency)
		switch {
		case s.InFlight:
			cr.InFlight++
		case s.Err != nil:
			cr.Errors++
			cr.FirstError = cmp.Or(cr.FirstError, s.Err.Error())
			if isMiss(s.Err) {
				misses++
			} else {
				cr.firstOther = cmp.Or(cr.firstOther, s.Err.Error())
			}
		}
	}
	cr.allMisses = cr.Errors > 0 && misses == cr.Errors
	if finished := cr.Samples - cr.InFlight; finished > 0 {
		cr.SuccessRate = float64(finished-cr.Errors) / float64(finished)
	}
	slices.Sort(lat)
	cr.P50, cr.P99 = percentile(lat, 50), percentile(lat, 99)
	if len(lat) > 0 {
		cr.Max = lat[len(lat)-1]
	}
}

// decide is the check's verdict and reason before the harness is asked
// whether it explains a violation.
func (cr *CheckResult) decide(verdict Verdict, undecided string, wj windowJudgement) (Verdict, string) {
	switch {
	case verdict == Violated:
		return Violated, ""
	case cr.Samples == 0 && cr.Harness.NotStarted > 0:
		return Inconclusive, cr.Harness.notStartedReason()
	case cr.Samples == 0:
		return Inconclusive, "no sample in the window"
	case cr.InFlight == cr.Samples:
		return Inconclusive, fmt.Sprintf("the probe never answered: %s in flight", all(cr.Samples, "sample", "samples"))
	case wj.w.finished < wj.minN:
		return Inconclusive, fmt.Sprintf("%d finished samples to judge, fewer than the %d required", wj.w.finished, wj.minN)
	case verdict == Inconclusive:
		return Inconclusive, undecided
	}
	return verdict, ""
}

// harnessExplains makes a violation inconclusive when the harness's own
// trouble, not the system, explains it: a violation that depends on timing
// is not trusted when the sampler could not keep the schedule, nor when it
// disappears once each probe's start delay is discounted, nor when a
// saturated host's slowdown explains it; a window with ticks not started is
// never held.
func (cr *CheckResult) harnessExplains(wts []WindowTolerance, samples []Sample, from, to time.Time, refs checkRefs, load *Load) {
	switch {
	case cr.Verdict == Violated && cr.valueViolated:
	case cr.Verdict == Violated && cr.Harness.Saturated && holdsWithoutTiming(wts, samples, from, to, refs, schedDelay(load)):
		cr.Verdict, cr.Reason = Inconclusive, cr.Harness.saturatedReason()
	case cr.Verdict == Violated && holdsDiscounted(wts, samples, from, to, refs):
		cr.Verdict, cr.Reason = Inconclusive, fmt.Sprintf(
			"the harness started probes late (up to %s after their intended time): judged on the time each probe actually ran, the window holds", fmtDur(cr.Harness.LagMax))
	case cr.Verdict == Violated && load != nil && load.HostSaturated() &&
		judgeWindow(wts, samples, from, to, refs, load.Slowdown()).verdict == Held:
		cr.Verdict, cr.Reason = Inconclusive, fmt.Sprintf(
			"the test machine was saturated: with every latency bound stretched by the host's slowdown (×%s, %.1f tasks runnable on %d CPUs) the window holds", fmtNum(load.Slowdown()), load.RunQueue, load.CPUs)
	case cr.Verdict == Held && cr.Harness.NotStarted > 0:
		cr.Verdict, cr.Reason = Inconclusive, cr.Harness.notStartedReason()
	}
}

// windowJudgement is the outcome of the window tolerances of one check.
type windowJudgement struct {
	w         *window
	results   []ToleranceResult
	verdict   Verdict
	undecided string // the first tolerance that could not decide, and why
	minN      int
	byDefault bool // no tolerance judges errors: the default success rate does
}

// judgeWindow applies the window tolerances to samples (value misses
// already turned into errors), with every latency bound multiplied by
// stretch (1 but when asking what a slowed-down machine explains).
func judgeWindow(wts []WindowTolerance, samples []Sample, from, to time.Time, refs checkRefs, stretch float64) windowJudgement {
	// Window tolerances judge the samples from the recovery allowance on.
	jfrom := from
	for _, t := range wts {
		if r, ok := t.(*recoversWithin); ok {
			jfrom = from.Add(r.d)
		}
	}
	cut := samples
	if jfrom.After(from) {
		k, _ := slices.BinarySearchFunc(samples, jfrom, func(s Sample, t time.Time) int { return s.Intended.Compare(t) })
		cut = samples[k:]
	}
	wj := windowJudgement{w: newWindow(cut, samples, from, jfrom, to), verdict: Held, minN: 1, byDefault: true}
	wj.w.baseline, wj.w.control, wj.w.stretch = refs.baseline, refs.control, stretch
	for _, t := range wts {
		if judgesErrors(t) {
			wj.byDefault = false
		}
		if m, ok := t.(*minSamples); ok {
			wj.minN = max(wj.minN, m.n)
		}
	}
	if wj.byDefault {
		wts = append([]WindowTolerance{defaultSuccessRate{}}, wts...)
	}
	for _, t := range wts {
		tr := judgeOf(t, wj.w)
		wj.results = append(wj.results, tr)
		if tr.Verdict == Inconclusive && wj.undecided == "" {
			wj.undecided = tr.Text + ": " + tr.Observed
		}
		wj.verdict = worse(wj.verdict, tr.Verdict)
	}
	return wj
}

// holdsWithoutTiming reports whether the window's error budget holds once
// every failure that timing can cause is forgiven and the tolerances about
// time (latency, throughput) are left out: on a machine whose harness could
// not keep its schedule, only failures timing cannot cause (an error answer,
// a refused connection, a wrong value) decide a violation.
//
// A probe that ran out of time is forgiven when the harness took a real
// share of its time: when its own start delay plus the scheduler's delay
// (sched, the window's p99) exceed a quarter of the time it was given. One
// that started on time had at least three quarters of its timeout and got
// no answer: that silence is the system's, however busy the machine (a
// hung dependency must not pass as a saturated harness).
func holdsWithoutTiming(wts []WindowTolerance, samples []Sample, from, to time.Time, refs checkRefs, sched time.Duration) bool {
	d := slices.Clone(samples)
	for i := range d {
		if isTimeout(d[i].Err) && 4*(d[i].Lag()+sched) > d[i].Latency {
			d[i].Err = nil
		}
	}
	var errorBudget []WindowTolerance
	for _, t := range wts {
		if judgesErrors(t) {
			errorBudget = append(errorBudget, t)
		}
	}
	return judgeWindow(errorBudget, d, from, to, refs, 1).verdict != Violated
}

// schedDelay is the Go scheduler's delay p99 over the window, or 0 without
// load figures.
func schedDelay(load *Load) time.Duration {
	if load == nil {
		return 0
	}
	return load.SchedP99
}

// isTimeout reports whether err is a probe running out of time: its
// context's deadline, or a network timeout.
func isTimeout(err error) bool {
	if err == nil {
		return false
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return true
	}
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

// holdsDiscounted reports whether the window tolerances hold once each
// sample's latency is measured from when the probe actually started, not
// from when it was due: whether the harness's own delay explains the
// violation.
func holdsDiscounted(wts []WindowTolerance, samples []Sample, from, to time.Time, refs checkRefs) bool {
	late := false
	for _, s := range samples {
		if s.Lag() > 0 {
			late = true
			break
		}
	}
	if !late {
		return false
	}
	d := slices.Clone(samples)
	for i := range d {
		d[i].Latency -= d[i].Lag()
	}
	return judgeWindow(wts, d, from, to, refs, 1).verdict == Held
}
