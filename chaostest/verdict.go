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
func (rec *record) status() Status {
	if rec.abort != "" {
		return StatusAborted
	}
	switch gateOf(rec.rep, rec.control != nil) {
	case hypothesis.Violated:
		return StatusNotSteady
	case hypothesis.Inconclusive:
		return StatusInconclusive
	}
	if len(rec.unreached()) > 0 {
		return StatusInconclusive
	}
	if len(rec.rep.Deviations) > 0 {
		return StatusDeviated
	}
	for _, w := range rec.windows {
		if w.judged && w.result.Verdict != hypothesis.Held {
			return StatusInconclusive
		}
	}
	if !rec.rep.After.Held() {
		return StatusInconclusive
	}
	return StatusHeld
}

// expected reports whether the outcome rep is what the experiment e
// expected: held for ExpectHold; deviated, with a deviation that shows
// every reason given, for ExpectDeviation. Not steady, inconclusive and
// aborted never pass.
func expected(e experiment, rep Report) bool {
	switch e.Expect {
	case expectHold:
		return rep.Status == StatusHeld
	case expectDeviation:
		return rep.Deviated(e.Reasons...)
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
