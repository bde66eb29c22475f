package chaostest

import "github.com/go-resilience/resilience/hypothesis"

// status decides the outcome of the run:
//
//   - aborted: a fault failed to apply, the deadline came near, an interrupt,
//     or the test stopped while the experiment ran;
//   - not steady: the hypothesis was violated before any fault (in either
//     group, with a control group);
//   - deviated: a window during the method, or the after window (after the
//     recovery allowance), violated the hypothesis;
//   - inconclusive: no violation, but some window could not be judged
//     (the steady state before included: the method then never ran);
//   - held: every window held.
func (r *runner) status() Status {
	if r.abort != nil {
		return StatusAborted
	}
	switch r.gate() {
	case hypothesis.Violated:
		return StatusNotSteady
	case hypothesis.Inconclusive:
		return StatusInconclusive
	}
	if len(r.report.Deviations) > 0 {
		return StatusDeviated
	}
	for _, w := range r.windows {
		if w.judged && w.result.Verdict != hypothesis.Held {
			return StatusInconclusive
		}
	}
	if !r.report.After.Held() {
		return StatusInconclusive
	}
	return StatusHeld
}

// passed reports whether a status is what the experiment expected. Not
// steady, inconclusive and aborted never pass.
func passed(e Expectation, s Status) bool {
	switch e {
	case ExpectHold:
		return s == StatusHeld
	case ExpectDeviation:
		return s == StatusDeviated
	}
	return false
}

// verdictNote says in a few words what the status means for the test.
func verdictNote(e Expectation, s Status, ok bool) string {
	switch {
	case ok && e == ExpectDeviation:
		return "expected: the experiment documents a known weakness"
	case ok:
		return "the hypothesis held"
	case e == ExpectDeviation && s == StatusHeld:
		return "expected a deviation but the hypothesis held"
	case s == StatusHeld || s == StatusDeviated:
		return "the test fails"
	default:
		return "never a pass"
	}
}
