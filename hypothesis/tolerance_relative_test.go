package hypothesis

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// refResult judges samples with a hypothesis of one plain check: the
// reference a relative tolerance compares with.
func refResult(t *testing.T, samples []Sample) *Result {
	t.Helper()
	r := Evaluate(New("reference", Observe(fakeProbe("api"), Every(10*time.Millisecond), Expect(SuccessRate(0)))), samples, t0, t0.Add(time.Second))
	require.NotNil(t, r.Checks[0].stats)
	return &r
}

func TestLatencyPRelative(t *testing.T) {
	t.Parallel()
	// Baseline p99 20ms: the bound is 3 × 20ms + 50ms = 110ms.
	base := refResult(t, evenly(0, 100, constLat(20*time.Millisecond), nil))
	tol := LatencyPRelative(99, Baseline, 3, 50*time.Millisecond)
	assert.Equal(t, "latency p99 <= 3 × baseline p99 + 50ms", tol.String())
	h := New("relative", Observe(fakeProbe("api"), Every(10*time.Millisecond), Expect(tol)))
	for _, tc := range []struct {
		lat  time.Duration
		want Verdict
	}{
		{100 * time.Millisecond, Held},                      // inside
		{110 * time.Millisecond, Held},                      // at the bound
		{110*time.Millisecond + time.Microsecond, Violated}, // just outside
	} {
		r := EvaluateWith(h, evenly(0, 100, constLat(tc.lat), nil), t0, t0.Add(time.Second), Refs{Baseline: base})
		tr := tolerance(t, r.Checks[0], tol.String())
		assert.Equal(t, tc.want, tr.Verdict, "latency %v: %+v", tc.lat, tr)
		assert.Equal(t, "<= 3 × 20ms + 50ms = 110ms (baseline p99 20ms)", tr.Expected)
	}
	// A slower machine moves the baseline and the bound together.
	slowBase := refResult(t, evenly(0, 100, constLat(60*time.Millisecond), nil))
	r := EvaluateWith(h, evenly(0, 100, constLat(200*time.Millisecond), nil), t0, t0.Add(time.Second), Refs{Baseline: slowBase})
	assert.Equal(t, Held, r.Verdict, "200ms <= 3 × 60ms + 50ms")

	// Without a reference the tolerance cannot decide.
	r = Evaluate(h, evenly(0, 100, constLat(time.Millisecond), nil), t0, t0.Add(time.Second))
	assert.Equal(t, Inconclusive, r.Verdict)
	assert.Equal(t, "latency p99 <= 3 × baseline p99 + 50ms: no baseline to compare with", r.Checks[0].Reason)
}

func TestSuccessRateRelative(t *testing.T) {
	t.Parallel()
	fail := func(k int) func(int) string { // k of every 100 fail
		return func(i int) string {
			if i < k {
				return "503"
			}
			return ""
		}
	}
	ctrl := refResult(t, evenly(0, 100, constLat(time.Millisecond), fail(3))) // control: 97%
	tol := SuccessRateRelative(Control, 0.02)
	assert.Equal(t, "success rate >= control - 2%", tol.String())
	h := New("relative", Observe(fakeProbe("api"), Every(10*time.Millisecond), Expect(tol)))
	for _, tc := range []struct {
		failed int
		want   Verdict
	}{
		{4, Held},     // 96%: inside
		{5, Held},     // 95%: at the bound
		{6, Violated}, // 94%: just outside
	} {
		r := EvaluateWith(h, evenly(0, 100, constLat(time.Millisecond), fail(tc.failed)), t0, t0.Add(time.Second), Refs{Control: ctrl})
		tr := tolerance(t, r.Checks[0], tol.String())
		assert.Equal(t, tc.want, tr.Verdict, "%d failed: %+v", tc.failed, tr)
		assert.Equal(t, ">= 97% - 2% = 95% (control 97/100)", tr.Expected)
	}
	r := Evaluate(h, evenly(0, 100, constLat(time.Millisecond), nil), t0, t0.Add(time.Second))
	assert.Equal(t, Inconclusive, r.Verdict)
	assert.Equal(t, "success rate >= control - 2%: no control group to compare with", r.Checks[0].Reason)
}

// When the control group, which no fault touched, is violated too, the
// experiment group's violation is noise, not the fault's: inconclusive.
// A violation of a value tolerance is kept.
func TestControlGroupViolatedToo(t *testing.T) {
	t.Parallel()
	check := Observe(fakeProbe("api"), Every(10*time.Millisecond), Expect(LatencyP(99, 50*time.Millisecond)))
	exp, ctl := New("experiment", check), New("control", check)
	slow := evenly(0, 100, constLat(80*time.Millisecond), nil)
	fast := evenly(0, 100, constLat(5*time.Millisecond), nil)
	to := t0.Add(time.Second)

	c := Evaluate(ctl, slow, t0, to)
	r := EvaluateWith(exp, slow, t0, to, Refs{Control: &c})
	assert.Equal(t, Inconclusive, r.Verdict, "%s", r)
	assert.Equal(t, "the control group, which no fault touched, was violated too (violated: 100 samples, 0 errors, p99 80ms): the deviation is not the fault's alone", r.Checks[0].Reason)

	c = Evaluate(ctl, fast, t0, to)
	r = EvaluateWith(exp, slow, t0, to, Refs{Control: &c})
	assert.Equal(t, Violated, r.Verdict, "only the experiment group is slow: the fault's doing")

	// A group compared with its own result is not its own control's noise.
	self := Evaluate(exp, slow, t0, to)
	r = EvaluateWith(exp, slow, t0, to, Refs{Control: &self})
	assert.Equal(t, Violated, r.Verdict)
}

func TestUses(t *testing.T) {
	t.Parallel()
	c := Observe(fakeProbe("api"))
	assert.False(t, New("x", c.With(Expect(SuccessRate(1)))).Uses(Control))
	assert.True(t, New("x", c.With(Expect(SuccessRateRelative(Control, 0)))).Uses(Control))
	assert.False(t, New("x", c.With(Expect(SuccessRateRelative(Control, 0)))).Uses(Baseline))
	assert.True(t, New("x", c, c.With(Expect(LatencyPRelative(90, Baseline, 2, 0)))).Uses(Baseline))
}
