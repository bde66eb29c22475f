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
//   - inconclusive: a fault reached nothing (its Reach says so and its step
//     is not MayReachNothing), whatever the windows say; or no violation,
//     but some window could not be judged (the steady state before
//     included: the method then never ran);
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
	if len(r.unreached()) > 0 {
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

// expected reports whether the run's outcome is what the experiment
// expected: held for ExpectHold; deviated, with a deviation that shows
// every reason given, for ExpectDeviation. Not steady, inconclusive and
// aborted never pass.
func (r *runner) expected() bool {
	switch r.e.Expect {
	case expectHold:
		return r.report.Status == StatusHeld
	case expectDeviation:
		return r.report.Deviated(r.e.Reasons...)
	}
	return false
}

// verdictNote says in a few words what the status means for the test.
func verdictNote(e expectation, s Status, ok bool) string {
	switch {
	case !ok && e == expectDeviation && s == StatusDeviated:
		return "deviated, but not as the experiment documents"
	case ok && e == expectDeviation:
		return "expected: the experiment documents a known weakness"
	case ok:
		return "the hypothesis held"
	case e == expectDeviation && s == StatusHeld:
		return "expected a deviation but the hypothesis held"
	case s == StatusHeld || s == StatusDeviated:
		return "the test fails"
	default:
		return "never a pass"
	}
}
