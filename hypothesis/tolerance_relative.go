package hypothesis

import (
	"fmt"
	"math"
	"time"
)

// Ref names what a relative tolerance compares a window with.
type Ref int

const (
	// Baseline is the same check over the steady state before the fault:
	// a slower machine moves the baseline and the bound together.
	Baseline Ref = iota + 1
	// Control is the same check of the control group (an unfaulted twin of
	// the system sampled at the same time) over the same window: noise that
	// hits both groups cancels.
	Control
)

// String returns "baseline" or "control".
func (r Ref) String() string {
	switch r {
	case Baseline:
		return "baseline"
	case Control:
		return "control"
	}
	return fmt.Sprintf("Ref(%d)", int(r))
}

func (r Ref) validate(field string) error {
	if r != Baseline && r != Control {
		return fmt.Errorf("%s ref must be Baseline or Control, got %d", field, int(r))
	}
	return nil
}

// LatencyPRelative holds when the window's p-th percentile latency is at
// most factor times the reference's p-th percentile plus plus: with
// (99, Baseline, 3, 50ms), "p99 during <= 3 × p99 before + 50ms". p in
// [1,100], factor >= 1, plus >= 0. The reference comes from Refs (an
// experiment fills it in); without one the tolerance is inconclusive.
func LatencyPRelative(p float64, ref Ref, factor float64, plus time.Duration) Tolerance {
	return &relLatencyP{p: p, ref: ref, factor: factor, plus: plus}
}

// SuccessRateRelative holds when the window's success rate is at least the
// reference's minus maxDrop: with (Baseline, 0.01), "success rate during >=
// success rate before - 1%". maxDrop in [0,1]. It judges errors, as
// SuccessRate does.
func SuccessRateRelative(ref Ref, maxDrop float64) Tolerance {
	return &relSuccessRate{ref: ref, maxDrop: maxDrop}
}

// refStats returns the reference figures of w for ref, or nil and why not.
func refStats(w *window, ref Ref) (*windowStats, string) {
	s := w.baseline
	if ref == Control {
		s = w.control
	}
	switch {
	case s == nil && ref == Control:
		return nil, "no control group to compare with"
	case s == nil:
		return nil, "no baseline to compare with"
	case s.finished == 0 && len(s.latencies) == 0:
		return nil, "the " + ref.String() + " has no sample"
	}
	return s, ""
}

type relLatencyP struct {
	p      float64
	ref    Ref
	factor float64
	plus   time.Duration
}

func (t relLatencyP) String() string {
	s := fmt.Sprintf("latency p%s <= %s × %s p%s", fmtFloat(t.p), fmtFloat(t.factor), t.ref, fmtFloat(t.p))
	if t.plus > 0 {
		s += " + " + t.plus.String()
	}
	return s
}

// Judge judges w against its reference, as LatencyPRelative says.
func (t relLatencyP) Judge(w Window) ToleranceResult { return t.judge(w.win()) }

func (t relLatencyP) Validate() error {
	switch {
	case validPercentile("LatencyPRelative", t.p) != nil:
		return validPercentile("LatencyPRelative", t.p)
	case t.ref.validate("LatencyPRelative") != nil:
		return t.ref.validate("LatencyPRelative")
	case math.IsNaN(t.factor) || math.IsInf(t.factor, 0) || t.factor < 1:
		return fmt.Errorf("LatencyPRelative factor must be >= 1 (a finite number), got %s", fmtFloat(t.factor))
	case t.plus < 0:
		return fmt.Errorf("LatencyPRelative plus must be >= 0, got %v", t.plus)
	}
	return nil
}

func (t relLatencyP) judge(w *window) ToleranceResult {
	r := ToleranceResult{Text: t.String()}
	ref, why := refStats(w, t.ref)
	if ref == nil {
		r.Expected, r.Observed = fmt.Sprintf("<= %s × %s p%s", fmtFloat(t.factor), t.ref, fmtFloat(t.p)), why
		return r
	}
	refP := percentile(ref.latencies, t.p)
	bound := time.Duration(t.factor*float64(refP)) + t.plus
	r.Expected = fmt.Sprintf("<= %s × %s", fmtFloat(t.factor), fmtDur(refP))
	if t.plus > 0 {
		r.Expected += " + " + t.plus.String()
	}
	r.Expected += fmt.Sprintf(" = %s (%s p%s %s)", fmtDur(bound), t.ref, fmtFloat(t.p), fmtDur(refP))
	judgeLatency(&r, w, t.p, bound)
	return r
}

type relSuccessRate struct {
	ref     Ref
	maxDrop float64
}

func (t relSuccessRate) String() string {
	return fmt.Sprintf("success rate >= %s - %s", t.ref, fmtBoundPercent(t.maxDrop))
}

// Judge judges w against its reference, as SuccessRateRelative says.
func (t relSuccessRate) Judge(w Window) ToleranceResult { return t.judge(w.win()) }

func (t relSuccessRate) Validate() error {
	if err := t.ref.validate("SuccessRateRelative"); err != nil {
		return err
	}
	if math.IsNaN(t.maxDrop) || t.maxDrop < 0 || t.maxDrop > 1 {
		return fmt.Errorf("SuccessRateRelative maxDrop must be in [0,1], got %s", fmtFloat(t.maxDrop))
	}
	return nil
}

func (t relSuccessRate) judge(w *window) ToleranceResult {
	r := ToleranceResult{Text: t.String()}
	ref, why := refStats(w, t.ref)
	if ref == nil || ref.finished == 0 {
		if why == "" {
			why = "the " + t.ref.String() + " has no finished sample"
		}
		r.Expected, r.Observed = fmt.Sprintf(">= %s - %s", t.ref, fmtBoundPercent(t.maxDrop)), why
		return r
	}
	refRate := ref.successRate()
	bound := refRate - t.maxDrop
	r.Bound, r.Unit = max(bound, 0), UnitRatio
	r.Expected = fmt.Sprintf(">= %s - %s = %s (%s %d/%d)", fmtPercent(refRate), fmtBoundPercent(t.maxDrop),
		fmtPercent(max(bound, 0)), t.ref, ref.successes, ref.finished)
	if w.finished == 0 {
		r.Observed = "no finished sample"
		return r
	}
	r.Measured = float64(w.successes) / float64(w.finished)
	r.Observed = fmt.Sprintf("%s (%d/%d)", fmtPercent(r.Measured), w.successes, w.finished)
	// A tiny epsilon keeps "exactly at the bound holds" true despite the
	// floating-point subtraction (0.97 - 0.02 is not exactly 0.95).
	r.Verdict = heldIf(r.Measured >= bound-1e-12)
	return r
}
