package hypothesis

import (
	"cmp"
	"errors"
	"fmt"
	"slices"
	"time"
)

// Evaluate is the pure layer: it judges the samples intended in [from, to)
// against h and returns the result; it reads no clock and starts nothing.
//
// Samples are matched to checks by Sample.Check. Value tolerances are
// applied to every finished sample whose Err is nil (so hand-made samples
// are judged like sampled ones); a sample with InFlight set counts as a
// latency lower bound and not as a success or an error.
//
// A check is violated if any window tolerance is violated; else
// inconclusive if it has no sample, only samples in flight (the probe never
// answered), fewer finished samples than MinSamples (default 1), or a
// tolerance that cannot decide; else held. The hypothesis is violated if any
// check is, else inconclusive if any check is, else held. An invalid h gives
// an inconclusive result carrying the validation error in Result.Err.
func Evaluate(h *Hypothesis, samples []Sample, from, to time.Time) Result {
	r := Result{From: from, To: to}
	if h != nil {
		r.Hypothesis = h.title
	}
	if err := h.Validate(); err != nil {
		r.Err = err
		return r
	}
	perCheck := make([][]Sample, len(h.checks))
	for _, s := range samples {
		if s.Check < 0 || s.Check >= len(h.checks) || s.Intended.Before(from) || !s.Intended.Before(to) {
			continue
		}
		perCheck[s.Check] = append(perCheck[s.Check], s)
	}
	r.Verdict = Held
	for i, c := range h.checks {
		cr := evaluateCheck(c, perCheck[i], from, to)
		r.Checks = append(r.Checks, cr)
		r.Verdict = worse(r.Verdict, cr.Verdict)
	}
	return r
}

// missError is the error of a sample whose value missed a value tolerance.
type missError struct {
	tolerance string
	reason    error
}

func (e *missError) Error() string { return e.tolerance + ": " + e.reason.Error() }

// firstMiss applies value tolerances to v and returns the first miss, or nil.
func firstMiss(vts []valueTolerance, v any) error {
	for _, t := range vts {
		if m := t.miss(v); m != nil {
			return &missError{tolerance: t.String(), reason: m}
		}
	}
	return nil
}

func splitTolerances(c Check) (vts []valueTolerance, wts []windowTolerance) {
	for _, t := range c.tolerances {
		switch x := t.(type) {
		case valueTolerance:
			vts = append(vts, x)
		case windowTolerance:
			wts = append(wts, x)
		}
	}
	return vts, wts
}

func evaluateCheck(c Check, samples []Sample, from, to time.Time) CheckResult {
	slices.SortStableFunc(samples, func(a, b Sample) int {
		return cmp.Or(a.Intended.Compare(b.Intended), cmp.Compare(a.Seq, b.Seq))
	})
	vts, wts := splitTolerances(c)
	cr := CheckResult{Probe: c.probe.Name(), Samples: len(samples)}

	// Value tolerances: fail the samples that miss, count misses per tolerance.
	misses := make([]int, len(vts))
	firstMisses := make([]string, len(vts))
	judged := 0
	for i := range samples {
		s := &samples[i]
		if s.InFlight {
			continue
		}
		var me *missError
		if s.Err != nil && !errors.As(s.Err, &me) {
			continue // the probe itself failed: there is no value to judge
		}
		judged++
		for j, t := range vts {
			if m := t.miss(s.Value); m != nil {
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

	// Figures over the whole window.
	lat := make([]time.Duration, 0, len(samples))
	for _, s := range samples {
		lat = append(lat, s.Latency)
		switch {
		case s.InFlight:
			cr.InFlight++
		case s.Err != nil:
			cr.Errors++
			if cr.FirstError == "" {
				cr.FirstError = s.Err.Error()
			}
		}
	}
	sortDurations(lat)
	cr.P50, cr.P99 = percentile(lat, 50), percentile(lat, 99)
	if len(lat) > 0 {
		cr.Max = lat[len(lat)-1]
	}

	for j, t := range vts {
		tr := ToleranceResult{Tolerance: t.String(), Expected: "every sample"}
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
		cr.Tolerances = append(cr.Tolerances, tr)
	}

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
	w := newWindow(cut, samples, from, jfrom, to)
	needErrors := true
	minN := 1
	for _, t := range wts {
		if judgesErrors(t) {
			needErrors = false
		}
		if m, ok := t.(*minSamples); ok {
			minN = max(minN, m.n)
		}
	}
	if needErrors {
		wts = append([]windowTolerance{defaultSuccessRate{}}, wts...)
	}
	verdict := Held
	undecided := ""
	for _, t := range wts {
		tr := t.judge(w)
		cr.Tolerances = append(cr.Tolerances, tr)
		if tr.Verdict == Inconclusive && undecided == "" {
			undecided = tr.Tolerance + ": " + tr.Observed
		}
		verdict = worse(verdict, tr.Verdict)
	}
	switch {
	case verdict == Violated:
	case len(samples) == 0:
		verdict, cr.Reason = Inconclusive, "no sample in the window"
	case cr.InFlight == len(samples):
		verdict, cr.Reason = Inconclusive, fmt.Sprintf("the probe never answered: all %d samples in flight", len(samples))
	case w.finished < minN:
		verdict, cr.Reason = Inconclusive, fmt.Sprintf("%d finished samples to judge, fewer than the %d required", w.finished, minN)
	case verdict == Inconclusive:
		cr.Reason = undecided
	}
	cr.Verdict = verdict
	return cr
}

// defaultSuccessRate is SuccessRate(1), applied to checks that declare no
// tolerance judging errors; its name says it was not declared.
type defaultSuccessRate struct{}

func (defaultSuccessRate) String() string  { return "success rate >= 100% (default)" }
func (defaultSuccessRate) validate() error { return nil }
func (d defaultSuccessRate) judge(w *window) ToleranceResult {
	r := successRate{min: 1}.judge(w)
	r.Tolerance = d.String()
	return r
}
