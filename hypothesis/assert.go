package hypothesis

import (
	"context"
	"time"
)

// T is the narrow testing interface of this package; *testing.T and
// *testing.B satisfy it. Assert reaches t.Context() by type assertion when t
// has it, so a test's deadline and cancellation stop the measurement.
type T interface {
	Helper()
	Errorf(format string, args ...any)
	FailNow()
}

// Assert samples h for window and reports a failure with t.Errorf unless the
// hypothesis held: a violated or inconclusive hypothesis fails the test, as
// does an invalid one (reported before anything is sampled). It returns
// whether the hypothesis held, and the test goes on.
func Assert(t T, h *Hypothesis, window time.Duration) bool {
	t.Helper()
	ctx := context.Background()
	if c, ok := t.(interface{ Context() context.Context }); ok {
		ctx = c.Context()
	}
	r, err := Measure(ctx, h, window)
	if err != nil && r.Err == nil {
		t.Errorf("%v\n%s", err, r.String())
		return false
	}
	if err != nil {
		t.Errorf("%v", err)
		return false
	}
	return AssertResult(t, r)
}

// Require is Assert followed by t.FailNow on failure. Call it from the test
// goroutine only, as FailNow requires.
func Require(t T, h *Hypothesis, window time.Duration) {
	t.Helper()
	if !Assert(t, h, window) {
		t.FailNow()
	}
}

// AssertResult reports r with t.Errorf unless it held, and returns whether
// it held. Use it with Evaluate or Sampler.Evaluate.
func AssertResult(t T, r Result) bool {
	t.Helper()
	if r.Held() {
		return true
	}
	if r.Err != nil {
		t.Errorf("%v", r.Err)
		return false
	}
	t.Errorf("\n%s", r.String())
	return false
}

// RequireResult is AssertResult followed by t.FailNow on failure.
func RequireResult(t T, r Result) {
	t.Helper()
	if !AssertResult(t, r) {
		t.FailNow()
	}
}
