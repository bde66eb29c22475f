package chaostest

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/go-resilience/resilience/hypothesis"
)

// steadyAfter samples the hypothesis after rollback: windows of length After
// starting at the rollback's end, then every recoveryStep later, until one
// holds or the next would start past Recovery.
func (r *runner) steadyAfter() {
	r.t.Helper()
	step := recoveryStep(r.e.After)
	origin, err := r.afterOrigin()
	if err != nil {
		r.abort = err
		return
	}
	for k := 0; ; k++ {
		from := origin.Add(time.Duration(k) * step)
		to := from.Add(r.e.After)
		if err := r.settle(from, to); err != nil {
			r.abort = err
			return
		}
		res, ctrl := r.evaluate(from, to)
		r.after = append(r.after, res)
		r.report.After = res
		if r.control != nil {
			r.ctrlAfter = append(r.ctrlAfter, ctrl)
			r.report.ControlAfter = ctrl
		}
		last := time.Duration(k+1)*step > r.e.Recovery
		switch {
		case res.Held() && r.e.Recovery > 0:
			r.logf("steady state after (%v): %s; recovered after %v", r.e.After, res.Summary(), from.Sub(origin))
		case res.Held() || last:
			r.logf("steady state after (%v): %s", r.e.After, res.Summary())
		default:
			r.logf("steady state after, attempt %d (%v): %s; retrying within the recovery allowance %v", k+1, r.e.After, res.Summary(), r.e.Recovery)
			continue
		}
		r.logGroups(res, ctrl)
		if !res.Held() {
			r.notRecovered(res)
		}
		return
	}
}

// afterOrigin is where the after windows start: the rollback's end, or
// with SteadyAfter, the start of the after state's own sampling.
func (r *runner) afterOrigin() (time.Time, error) {
	r.t.Helper()
	if r.e.AfterState == r.e.SteadyState {
		return r.rollbackEnd, nil
	}
	s, err := r.e.AfterState.Start(r.samplerCtx)
	if err != nil {
		return time.Time{}, fmt.Errorf("start sampling the after state: %w", err)
	}
	r.afterSampler = s
	r.logf("steady state after: sampling %q (SteadyAfter)", r.e.AfterState.Title())
	return s.Started(), nil
}

// notRecovered records, when the last after window last did not hold and
// some after window was violated, the deviation after: the last violated
// window, with every fault the system was to recover from.
func (r *runner) notRecovered(last hypothesis.Result) {
	r.t.Helper()
	if last.Verdict != hypothesis.Violated && !anyViolated(r.after) {
		return
	}
	worst := last
	for _, a := range r.after {
		if a.Verdict == hypothesis.Violated {
			worst = a
		}
	}
	r.report.Deviations = append(r.report.Deviations, Deviation{Phase: PhaseAfter, Offset: worst.From.Sub(r.m0), Faults: r.appliedNames(), Result: worst})
	r.logf("%s", strings.TrimSpace(notRecoveredLine(r.offset(r.rollbackEnd), r.report.After.To.Sub(r.rollbackEnd), r.e.Recovery, r.e.After)))
}

// recoveryStep is how far apart the sliding after-windows start.
func recoveryStep(after time.Duration) time.Duration {
	return max(after/4, time.Millisecond)
}

func anyViolated(rs []hypothesis.Result) bool {
	for _, r := range rs {
		if r.Verdict == hypothesis.Violated {
			return true
		}
	}
	return false
}

// appliedNames are the names of the faults applied in the method, in order
// of application: what the steady state after is to recover from.
func (r *runner) appliedNames() []string {
	var names []string
	for _, a := range r.applied {
		if a.applyErr == nil && !slices.Contains(names, a.name) {
			names = append(names, a.name)
		}
	}
	return names
}
