package hypothesis

import (
	"fmt"
	"math"
	"time"
)

// SuccessRate holds when at least min of the window's finished samples
// succeeded (min in [0,1]; 0.99 means 99 %). Samples still in flight are not
// counted. Exactly at the bound holds.
func SuccessRate(min float64) Tolerance { return &successRate{min: min} }

// LatencyP holds when the p-th percentile (nearest rank, p in [1,100]: 99 for p99) of the
// window's sample latencies is at most max. Latencies count from each
// sample's intended start, failed samples included; a sample still in flight
// counts with the time elapsed so far, a lower bound.
func LatencyP(p float64, max time.Duration) Tolerance { return &latencyP{p: p, max: max} }

// LatencyMax holds when no sample latency exceeds max (LatencyP(100, max)).
func LatencyMax(max time.Duration) Tolerance { return &latencyP{p: 100, max: max, isMax: true} }

// MaxErrors holds when at most n finished samples failed (n >= 0).
func MaxErrors(n int) Tolerance { return &maxErrors{n: n} }

// MinThroughput holds when the window saw at least perSecond successful
// samples per second of its duration (perSecond > 0).
func MinThroughput(perSecond float64) Tolerance { return &minThroughput{rate: perSecond} }

// MinSamples asks for at least n finished samples (n >= 1); with fewer the
// check is inconclusive, not violated. Without it a check needs one sample.
func MinSamples(n int) Tolerance { return &minSamples{n: n} }

// RecoversWithin allows failures only in the first d of the window (d > 0):
// it is violated by a failed sample intended at or after from+d, and every
// other window tolerance of the check judges only the samples intended from
// from+d on. Its observed figure is when the final run of successes began
// (Measured, in seconds from the window's start; the window's length when
// it ends on a failure). Use it for the steady state after a fault.
func RecoversWithin(d time.Duration) Tolerance { return &recoversWithin{d: d} }

type successRate struct{ min float64 }

func (t successRate) String() string                 { return "success rate >= " + fmtBoundPercent(t.min) }
func (t successRate) Judge(w Window) ToleranceResult { return t.judge(w.win()) }

func (t successRate) Validate() error {
	if math.IsNaN(t.min) || t.min < 0 || t.min > 1 {
		return fmt.Errorf("SuccessRate min must be in [0,1], got %s", fmtFloat(t.min))
	}
	return nil
}

func (t successRate) judge(w *window) ToleranceResult {
	r := ToleranceResult{Text: t.String(), Expected: ">= " + fmtBoundPercent(t.min), Bound: t.min, Unit: UnitRatio}
	if w.finished == 0 {
		r.Observed = "no finished sample"
		return r
	}
	r.Measured = float64(w.successes) / float64(w.finished)
	r.Observed = fmt.Sprintf("%s (%d/%d)", fmtPercent(r.Measured), w.successes, w.finished)
	r.Verdict = heldIf(r.Measured >= t.min)
	return r
}

type latencyP struct {
	p     float64
	max   time.Duration
	isMax bool
}

func (t latencyP) String() string                 { return "latency " + t.name() + " <= " + t.max.String() }
func (t latencyP) Judge(w Window) ToleranceResult { return t.judge(w.win()) }

func (t latencyP) name() string {
	if t.isMax {
		return "max"
	}
	return "p" + fmtFloat(t.p)
}

func (t latencyP) Validate() error {
	field := "LatencyP"
	if t.isMax {
		field = "LatencyMax"
	} else if err := validPercentile("LatencyP", t.p); err != nil {
		return err
	}
	if t.max <= 0 {
		return fmt.Errorf("%s max must be > 0, got %v", field, t.max)
	}
	return nil
}

func (t latencyP) judge(w *window) ToleranceResult {
	r := ToleranceResult{Text: t.String(), Expected: "<= " + t.max.String()}
	judgeLatency(&r, w, t.p, t.max)
	return r
}

// judgeLatency fills in r's bound, observed p-th percentile latency of w
// and its verdict against bound (stretched as w says); no sample leaves r
// inconclusive.
func judgeLatency(r *ToleranceResult, w *window, p float64, bound time.Duration) {
	r.Bound, r.Unit = bound.Seconds(), UnitSeconds
	if len(w.latencies) == 0 {
		r.Observed = "no sample"
		return
	}
	got := percentile(w.latencies, p)
	r.Measured = got.Seconds()
	r.Observed = fmtDur(got)
	if w.inFlight > 0 {
		r.Observed += fmt.Sprintf(" (%d in flight counted as lower bounds)", w.inFlight)
	}
	r.Verdict = heldIf(got <= w.stretched(bound))
}

type maxErrors struct{ n int }

func (t maxErrors) String() string                 { return fmt.Sprintf("errors <= %d", t.n) }
func (t maxErrors) Judge(w Window) ToleranceResult { return t.judge(w.win()) }

func (t maxErrors) Validate() error {
	if t.n < 0 {
		return fmt.Errorf("MaxErrors n must be >= 0, got %d", t.n)
	}
	return nil
}

func (t maxErrors) judge(w *window) ToleranceResult {
	r := ToleranceResult{Text: t.String(), Expected: fmt.Sprintf("<= %d", t.n), Bound: float64(t.n), Unit: UnitCount}
	if w.finished == 0 {
		r.Observed = "no finished sample"
		return r
	}
	r.Measured = float64(w.errors)
	r.Observed = fmt.Sprintf("%d (of %d)", w.errors, w.finished)
	r.Verdict = heldIf(w.errors <= t.n)
	return r
}

type minThroughput struct{ rate float64 }

func (t minThroughput) String() string                 { return "throughput >= " + fmtFloat(t.rate) + "/s" }
func (t minThroughput) Judge(w Window) ToleranceResult { return t.judge(w.win()) }

func (t minThroughput) Validate() error {
	if math.IsNaN(t.rate) || math.IsInf(t.rate, 0) || t.rate <= 0 {
		return fmt.Errorf("MinThroughput perSecond must be > 0 (a finite number), got %s", fmtFloat(t.rate))
	}
	return nil
}

func (t minThroughput) judge(w *window) ToleranceResult {
	r := ToleranceResult{Text: t.String(), Expected: ">= " + fmtFloat(t.rate) + "/s", Bound: t.rate, Unit: UnitPerSecond}
	d := w.to.Sub(w.from)
	if d <= 0 {
		r.Observed = "empty window"
		return r
	}
	r.Measured = float64(w.successes) / d.Seconds()
	r.Observed = fmt.Sprintf("%s/s (%s in %v)", fmtNum(r.Measured), count(w.successes, "success", "successes"), d)
	r.Verdict = heldIf(r.Measured >= t.rate)
	return r
}

type minSamples struct{ n int }

func (t minSamples) String() string                 { return fmt.Sprintf("samples >= %d", t.n) }
func (t minSamples) Judge(w Window) ToleranceResult { return t.judge(w.win()) }

func (t minSamples) Validate() error {
	if t.n < 1 {
		return fmt.Errorf("MinSamples n must be >= 1, got %d", t.n)
	}
	return nil
}

// judge never violates: too few samples make the check inconclusive.
func (t minSamples) judge(w *window) ToleranceResult {
	r := ToleranceResult{Text: t.String(), Expected: fmt.Sprintf(">= %d finished", t.n), Bound: float64(t.n), Unit: UnitCount}
	r.Measured = float64(w.finished)
	r.Observed = fmt.Sprintf("%d finished", w.finished)
	if w.finished >= t.n {
		r.Verdict = Held
	}
	return r
}

type recoversWithin struct{ d time.Duration }

func (t recoversWithin) String() string                 { return "recovers within " + t.d.String() }
func (t recoversWithin) Judge(w Window) ToleranceResult { return t.judge(w.win()) }

func (t recoversWithin) Validate() error {
	if t.d <= 0 {
		return fmt.Errorf("RecoversWithin d must be > 0, got %v", t.d)
	}
	return nil
}

func (t recoversWithin) judge(w *window) ToleranceResult {
	r := ToleranceResult{Text: t.String(), Expected: "no failure after " + t.d.String(), Bound: t.d.Seconds(), Unit: UnitSeconds}
	cut := w.origin.Add(t.d)
	after, failedAfter := 0, 0
	var firstFailAfter time.Time
	recovered := w.origin // start of the final run of successes
	for _, s := range w.all {
		if s.InFlight {
			continue
		}
		if s.Err != nil {
			recovered = time.Time{}
		} else if recovered.IsZero() {
			recovered = s.Intended
		}
		if !s.Intended.Before(cut) {
			after++
			if s.Err != nil {
				if failedAfter == 0 {
					firstFailAfter = s.Intended
				}
				failedAfter++
			}
		}
	}
	if recovered.IsZero() {
		r.Measured = w.to.Sub(w.origin).Seconds()
	} else {
		r.Measured = recovered.Sub(w.origin).Seconds()
	}
	switch {
	case failedAfter > 0:
		r.Observed = fmt.Sprintf("%s after %v, first at %v", count(failedAfter, "failure", "failures"), t.d, fmtDur(firstFailAfter.Sub(w.origin)))
		r.Verdict = Violated
	case after == 0:
		r.Observed = "no finished sample after " + t.d.String()
		r.Measured = 0
	default:
		r.Observed = "recovered at " + fmtDur(recovered.Sub(w.origin))
		r.Verdict = Held
	}
	return r
}

// validPercentile checks the percentile p of the tolerance named field: in
// [1,100], so that a fraction (0.99 meant as p99) is refused, not judged as
// the 0.99th percentile.
func validPercentile(field string, p float64) error {
	if math.IsNaN(p) || p < 1 || p > 100 {
		return fmt.Errorf("%s percentile must be in [1,100] (a percentile such as 99 for p99, not a fraction such as 0.99), got %s", field, fmtFloat(p))
	}
	return nil
}

// defaultSuccessRate is SuccessRate(1), applied to checks that declare no
// tolerance judging errors; its name says it was not declared. It judges
// the errors that are not value misses: each of those is already judged,
// and named, by its value tolerance.
type defaultSuccessRate struct{}

func (defaultSuccessRate) String() string { return "success rate >= 100% (default)" }

func (d defaultSuccessRate) Judge(w Window) ToleranceResult {
	x := w.win()
	r := ToleranceResult{Text: d.String(), Expected: ">= 100%", Bound: 1, Unit: UnitRatio}
	if x.finished == 0 {
		r.Observed = "no finished sample"
		return r
	}
	ok := x.successes + x.misses
	r.Measured = float64(ok) / float64(x.finished)
	switch {
	case x.misses == 1:
		r.Observed = fmt.Sprintf("%s (%d/%d, of which 1 value miss judged by its tolerance)", fmtPercent(r.Measured), ok, x.finished)
	case x.misses > 1:
		r.Observed = fmt.Sprintf("%s (%d/%d, of which %d value misses judged by their tolerances)", fmtPercent(r.Measured), ok, x.finished, x.misses)
	default:
		r.Observed = fmt.Sprintf("%s (%d/%d)", fmtPercent(r.Measured), ok, x.finished)
	}
	r.Verdict = heldIf(ok == x.finished)
	return r
}

func heldIf(ok bool) Verdict {
	if ok {
		return Held
	}
	return Violated
}
