package chaostest

import (
	"fmt"
	"time"

	"github.com/go-resilience/resilience/hypothesis"
)

// defaultSettle is the settle allowance when the Settle option is not
// given: long enough for a system (and a runner) that is still warming up
// when sampling starts to reach its steady state, short enough that a
// system that is not steady fails fast.
const defaultSettle = time.Second

// Settle sets the allowance within which the steady state before must come
// to hold (default 1s; accepted: >= 0, 0: the first Before window decides).
// The Before window is judged from the start of sampling, then slid forward
// by a quarter of Before at a time, until one holds or the next would start
// later than Settle after the first: the method starts only after one full
// Before window held. A system never steady within the allowance is not
// steady (or inconclusive), and the method never runs.
func Settle(d time.Duration) Option {
	return option{desc: fmt.Sprintf("Settle(%v)", d), apply: func(e *experiment) error {
		if d < 0 {
			return fmt.Errorf("Settle: %v out of range; accepted: >= 0 (default %v; 0: the first Before window decides)", d, defaultSettle)
		}
		e.Settle, e.settleSet = d, true
		return nil
	}}
}

// steadyBefore judges the steady state before (the gate): Before windows
// from the start of sampling, every recoveryStep(Before), until one holds or
// the settle allowance is spent. It reports whether the method may run; the
// judged window is r.report.Before (a violated one, when some attempt was
// violated and none held).
func (r *runner) steadyBefore() bool {
	r.t.Helper()
	origin := r.sampler.Started()
	step := recoveryStep(r.e.Before)
	var violated *[2]hypothesis.Result
	for k := 0; ; k++ {
		from := origin.Add(time.Duration(k) * step)
		to := from.Add(r.e.Before)
		if err := r.settle(from, to); err != nil {
			r.abort = err
			return false
		}
		r.report.Before, r.report.ControlBefore = r.evaluate(from, to)
		v := r.gate()
		if v == hypothesis.Held {
			r.baseline, r.ctrlBaseline = &r.report.Before, &r.report.ControlBefore
			if k > 0 {
				r.logf("steady state before (%v): %s; steady after %v of the settle allowance %v", r.e.Before, r.report.Before.Summary(), from.Sub(origin), r.e.Settle)
			} else {
				r.logf("steady state before (%v): %s", r.e.Before, r.report.Before.Summary())
			}
			r.logGroups(r.report.Before, r.report.ControlBefore)
			return true
		}
		if v == hypothesis.Violated {
			violated = &[2]hypothesis.Result{r.report.Before, r.report.ControlBefore}
		}
		if time.Duration(k+1)*step > r.e.Settle {
			if violated != nil {
				// Seen unsteady within the allowance: not steady, whatever the last window was.
				r.report.Before, r.report.ControlBefore = violated[0], violated[1]
			}
			r.logf("steady state before (%v): %s", r.e.Before, r.report.Before.Summary())
			r.logGroups(r.report.Before, r.report.ControlBefore)
			return false
		}
		r.logf("steady state before, attempt %d (%v): %s; retrying within the settle allowance %v", k+1, r.e.Before, r.report.Before.Summary(), r.e.Settle)
	}
}

// gate is the verdict of the steady state before, in both groups: the
// method runs only when it held.
func (r *runner) gate() hypothesis.Verdict { return gateOf(r.report, r.control != nil) }

// gateOf is the verdict of the steady state before of rep, in both groups
// when control says there is a control group.
func gateOf(rep Report, control bool) hypothesis.Verdict {
	v := rep.Before.Verdict
	if control {
		c := rep.ControlBefore.Verdict
		if c == hypothesis.Violated || (c == hypothesis.Inconclusive && v == hypothesis.Held) {
			v = c
		}
	}
	if rep.Before.Verdict == hypothesis.Violated {
		v = hypothesis.Violated
	}
	return v
}
