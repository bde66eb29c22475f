package hypothesis

import (
	"context"
	"errors"
	"fmt"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var window100 = t0.Add(time.Second) // 100 samples every 10ms fit in [t0, window100)

func one(tols ...Tolerance) *Hypothesis {
	return New("service is healthy", Observe(fakeProbe("api"), Expect(tols...)))
}

func judge(t *testing.T, h *Hypothesis, samples []Sample) CheckResult {
	t.Helper()
	r := Evaluate(h, samples, t0, window100)
	require.NoError(t, r.Err)
	require.Len(t, r.Checks, len(h.checks))
	return r.Checks[0]
}

func failFirst(n int) func(int) string {
	return func(i int) string {
		if i < n {
			return fmt.Sprintf("error %d", i)
		}
		return ""
	}
}

// latencies 1ms, 2ms, ..., 100ms
func ramp(i int) time.Duration { return time.Duration(i+1) * time.Millisecond }

func TestSuccessRate(t *testing.T) {
	t.Parallel()
	h := one(SuccessRate(0.99))
	c := judge(t, h, evenly(0, 100, constLat(time.Millisecond), failFirst(1)))
	assert.Equal(t, Held, c.Verdict, "exactly at the bound holds")
	tr := tolerance(t, c, "success rate >= 99%")
	assert.Equal(t, ">= 99%", tr.Expected)
	assert.Equal(t, "99% (99/100)", tr.Observed)

	c = judge(t, h, evenly(0, 100, constLat(time.Millisecond), failFirst(2)))
	assert.Equal(t, Violated, c.Verdict)
	assert.Equal(t, "98% (98/100)", tolerance(t, c, "success rate >= 99%").Observed)
	assert.Equal(t, 2, c.Errors)
	assert.Equal(t, "error 0", c.FirstError)

	c = judge(t, one(SuccessRate(0)), evenly(0, 100, constLat(time.Millisecond), failFirst(100)))
	assert.Equal(t, Held, c.Verdict, "SuccessRate(0) tolerates every error")
}

func TestAllErrorsViolateByDefault(t *testing.T) {
	t.Parallel()
	c := judge(t, one(), evenly(0, 10, constLat(time.Millisecond), failFirst(10)))
	assert.Equal(t, Violated, c.Verdict)
	tr := tolerance(t, c, "success rate >= 100% (default)")
	assert.Equal(t, "0% (0/10)", tr.Observed)
	assert.Equal(t, 10, c.Errors)

	// A check declaring only a latency bound still judges errors.
	c = judge(t, one(LatencyP(99, time.Second)), evenly(0, 10, constLat(time.Millisecond), failFirst(10)))
	assert.Equal(t, Violated, c.Verdict, "fast failures must not pass a latency-only check")

	c = judge(t, one(), evenly(0, 10, constLat(time.Millisecond), nil))
	assert.Equal(t, Held, c.Verdict)
}

func TestLatencyPercentile(t *testing.T) {
	t.Parallel()
	samples := evenly(0, 100, ramp, nil)
	c := judge(t, one(LatencyP(99, 99*time.Millisecond)), samples)
	assert.Equal(t, Held, c.Verdict, "nearest rank p99 of 1..100ms is 99ms: exactly at the bound holds")
	tr := tolerance(t, c, "latency p99 <= 99ms")
	assert.Equal(t, "<= 99ms", tr.Expected)
	assert.Equal(t, "99ms", tr.Observed)

	c = judge(t, one(LatencyP(99, 99*time.Millisecond-time.Nanosecond)), samples)
	assert.Equal(t, Violated, c.Verdict, "1ns over the bound violates")

	for p, want := range map[float64]time.Duration{50: 50 * time.Millisecond, 90: 90 * time.Millisecond, 95: 95 * time.Millisecond, 100: 100 * time.Millisecond, 1: time.Millisecond} {
		c = judge(t, one(LatencyP(p, time.Hour)), samples)
		assert.Equal(t, fmtDur(want), c.Tolerances[1].Observed, "p%v", p)
	}
	assert.Equal(t, 50*time.Millisecond, c.P50)
	assert.Equal(t, 99*time.Millisecond, c.P99)
	assert.Equal(t, 100*time.Millisecond, c.Max)

	// Failed samples count: a timeout is a latency too.
	slow := evenly(0, 10, constLat(time.Millisecond), nil)
	slow[9].Latency, slow[9].Err = 2*time.Second, errors.New("context deadline exceeded")
	c = judge(t, one(SuccessRate(0), LatencyMax(time.Second)), slow)
	assert.Equal(t, Violated, c.Verdict)
	assert.Equal(t, "2s", tolerance(t, c, "latency max <= 1s").Observed)
}

func TestLatencyMax(t *testing.T) {
	t.Parallel()
	samples := evenly(0, 100, ramp, nil)
	assert.Equal(t, Held, judge(t, one(LatencyMax(100*time.Millisecond)), samples).Verdict)
	c := judge(t, one(LatencyMax(99*time.Millisecond)), samples)
	assert.Equal(t, Violated, c.Verdict)
	assert.Equal(t, "100ms", tolerance(t, c, "latency max <= 99ms").Observed)
}

func TestMaxErrors(t *testing.T) {
	t.Parallel()
	c := judge(t, one(MaxErrors(2)), evenly(0, 10, constLat(time.Millisecond), failFirst(2)))
	assert.Equal(t, Held, c.Verdict)
	assert.Equal(t, "2 (of 10)", tolerance(t, c, "errors <= 2").Observed)
	c = judge(t, one(MaxErrors(2)), evenly(0, 10, constLat(time.Millisecond), failFirst(3)))
	assert.Equal(t, Violated, c.Verdict)
	assert.Equal(t, "<= 2", tolerance(t, c, "errors <= 2").Expected)
}

func TestMinThroughput(t *testing.T) {
	t.Parallel()
	// 100 samples in the 1s window, 10 of them failed: 90 successes per second.
	samples := evenly(0, 100, constLat(time.Millisecond), failFirst(10))
	c := judge(t, one(SuccessRate(0), MinThroughput(90)), samples)
	assert.Equal(t, Held, c.Verdict)
	assert.Equal(t, "90/s (90 successes in 1s)", tolerance(t, c, "throughput >= 90/s").Observed)
	c = judge(t, one(SuccessRate(0), MinThroughput(90.5)), samples)
	assert.Equal(t, Violated, c.Verdict)
}

func TestMinSamples(t *testing.T) {
	t.Parallel()
	c := judge(t, one(MinSamples(10)), evenly(0, 10, constLat(time.Millisecond), nil))
	assert.Equal(t, Held, c.Verdict, "exactly the minimum holds")
	c = judge(t, one(MinSamples(11)), evenly(0, 10, constLat(time.Millisecond), nil))
	assert.Equal(t, Inconclusive, c.Verdict, "too few samples is inconclusive, not violated")
	assert.Equal(t, "10 finished samples to judge, fewer than the 11 required", c.Reason)
	assert.Equal(t, "10 finished", tolerance(t, c, "samples >= 11").Observed)
	// A violation beats a lack of samples: what was seen is already wrong.
	c = judge(t, one(MinSamples(11)), evenly(0, 10, constLat(time.Millisecond), failFirst(1)))
	assert.Equal(t, Violated, c.Verdict)
}

func TestRecoversWithin(t *testing.T) {
	t.Parallel()
	h := one(RecoversWithin(300*time.Millisecond), LatencyMax(50*time.Millisecond))
	// Samples every 10ms: the first 30 (intended before 300ms) fail slowly.
	slowFail := func(i int) time.Duration {
		if i < 30 {
			return time.Second
		}
		return time.Millisecond
	}
	c := judge(t, h, evenly(0, 100, slowFail, failFirst(30)))
	assert.Equal(t, Held, c.Verdict, "failures and slowness before 300ms are allowed:\n%+v", c)
	tr := tolerance(t, c, "recovers within 300ms")
	assert.Equal(t, "no failure after 300ms", tr.Expected)
	assert.Equal(t, "recovered at 300ms", tr.Observed)
	assert.Equal(t, 30, c.Errors, "the figures still show the whole window")

	c = judge(t, h, evenly(0, 100, constLat(time.Millisecond), failFirst(31)))
	assert.Equal(t, Violated, c.Verdict, "a failure intended at 300ms is after the allowance")
	assert.Equal(t, "1 failure after 300ms, first at 300ms", tolerance(t, c, "recovers within 300ms").Observed)

	c = judge(t, h, evenly(0, 100, constLat(time.Millisecond), nil))
	assert.Equal(t, Held, c.Verdict)
	assert.Equal(t, "recovered at 0s", tolerance(t, c, "recovers within 300ms").Observed)

	c = judge(t, one(RecoversWithin(2*time.Second)), evenly(0, 100, constLat(time.Millisecond), nil))
	assert.Equal(t, Inconclusive, c.Verdict, "nothing to judge after the allowance")
	assert.Equal(t, "no finished sample after 2s", tolerance(t, c, "recovers within 2s").Observed)

	// A failure in the middle of the allowance, then a success run.
	flap := func(i int) string {
		if i == 5 || i == 20 {
			return "flap"
		}
		return ""
	}
	c = judge(t, h, evenly(0, 100, constLat(time.Millisecond), flap))
	assert.Equal(t, "recovered at 210ms", tolerance(t, c, "recovers within 300ms").Observed)
}

func TestInconclusiveWithoutSamples(t *testing.T) {
	t.Parallel()
	c := judge(t, one(LatencyP(99, time.Second)), nil)
	assert.Equal(t, Inconclusive, c.Verdict)
	assert.Equal(t, "no sample in the window", c.Reason)
	assert.Equal(t, 0, c.Samples)

	// Samples outside the window or of an unknown check do not count.
	outside := samplesOf(0, spec{at: -time.Millisecond, latency: time.Millisecond}, spec{at: time.Second, latency: time.Millisecond})
	outside = append(outside, samplesOf(7, spec{at: 0, latency: time.Millisecond})...)
	c = judge(t, one(), outside)
	assert.Equal(t, Inconclusive, c.Verdict)
	assert.Equal(t, 0, c.Samples)
}

func TestInFlightSamples(t *testing.T) {
	t.Parallel()
	flying := samplesOf(0, spec{at: 0, latency: 20 * time.Millisecond, flying: true}, spec{at: 10 * time.Millisecond, latency: 10 * time.Millisecond, flying: true})
	c := judge(t, one(LatencyMax(time.Second)), flying)
	assert.Equal(t, Inconclusive, c.Verdict, "samples in flight are never a silent pass")
	assert.Equal(t, "the probe never answered: all 2 samples in flight", c.Reason)
	assert.Equal(t, 2, c.InFlight)
	assert.Equal(t, 0, c.Errors)

	c = judge(t, one(LatencyMax(15*time.Millisecond)), flying)
	assert.Equal(t, Violated, c.Verdict, "a lower bound over the limit is already a violation")
	assert.Equal(t, "20ms (2 in flight counted as lower bounds)", tolerance(t, c, "latency max <= 15ms").Observed)

	mixed := append(samplesOf(0, spec{at: 0, latency: time.Millisecond}), flying[1])
	c = judge(t, one(LatencyMax(time.Second)), mixed)
	assert.Equal(t, Held, c.Verdict)
	assert.Equal(t, "100% (1/1)", tolerance(t, c, "success rate >= 100% (default)").Observed, "in-flight samples are neither successes nor errors")
}

func TestHypothesisVerdict(t *testing.T) {
	t.Parallel()
	ok := evenly(0, 10, constLat(time.Millisecond), nil)
	bad := evenly(1, 10, constLat(time.Millisecond), failFirst(1))
	h := New("two checks", Observe(fakeProbe("a")), Observe(fakeProbe("b")))
	both := func(ss ...[]Sample) []Sample {
		var out []Sample
		for _, s := range ss {
			out = append(out, s...)
		}
		return out
	}
	assert.Equal(t, Held, Evaluate(h, both(ok, evenly(1, 10, constLat(time.Millisecond), nil)), t0, window100).Verdict)
	assert.Equal(t, Violated, Evaluate(h, both(ok, bad), t0, window100).Verdict)
	assert.Equal(t, Inconclusive, Evaluate(h, ok, t0, window100).Verdict, "one check without samples")
	h3 := New("three checks", Observe(fakeProbe("a")), Observe(fakeProbe("b")), Observe(fakeProbe("c")))
	assert.Equal(t, Violated, Evaluate(h3, both(ok, bad), t0, window100).Verdict, "violated beats inconclusive")

	var zero Verdict
	assert.Equal(t, Inconclusive, zero)
	assert.False(t, Result{}.Held(), "a zero Result never passes")
	assert.Equal(t, "held", Held.String())
	assert.Equal(t, "violated", Violated.String())
	assert.Equal(t, "inconclusive", Inconclusive.String())
}

func TestEvaluateInvalidHypothesis(t *testing.T) {
	t.Parallel()
	r := Evaluate(New("bad", Observe(fakeProbe("a"), Every(-time.Second))), nil, t0, window100)
	assert.Equal(t, Inconclusive, r.Verdict)
	require.Error(t, r.Err)
	assert.Equal(t, `hypothesis "bad": check 1 (a): Every must be > 0, got -1s`, r.Err.Error())
	assert.Equal(t, Inconclusive, Evaluate(nil, nil, t0, window100).Verdict)
}

func TestSummary(t *testing.T) {
	t.Parallel()
	h := New("two checks", Observe(fakeProbe("a")), Observe(fakeProbe("b"), Expect(SuccessRate(0.5))))
	samples := append(evenly(0, 10, ramp, nil), evenly(1, 10, constLat(3*time.Millisecond), failFirst(2))...)
	r := Evaluate(h, samples, t0, window100)
	// Each check has its own figures, never added together.
	assert.Equal(t, "held: a held: 10 samples, 0 errors, p99 10ms; b held: 10 samples, 2 errors, p99 3ms", r.Summary())
	assert.Equal(t, "inconclusive: a inconclusive: 0 samples, 0 errors; b inconclusive: 0 samples, 0 errors (a: no sample in the window; b: no sample in the window)",
		Evaluate(h, nil, t0, window100).Summary())
	one := New("one check", Observe(fakeProbe("a")))
	assert.Equal(t, "held: 10 samples, 0 errors, p99 10ms", Evaluate(one, samples, t0, window100).Summary())

	// One check broke, the other did not: the line names the one that broke.
	broke := append(evenly(0, 10, ramp, failFirst(10)), evenly(1, 10, constLat(3*time.Millisecond), nil)...)
	r = Evaluate(New("two checks", Observe(fakeProbe("a"), Expect(SuccessRate(0.99))), Observe(fakeProbe("b"))), broke, t0, window100)
	assert.Equal(t, "violated: a violated: 10 samples, 10 errors, p99 10ms; b held: 10 samples, 0 errors, p99 3ms (a: success rate >= 99%, observed 0% (0/10))", r.Summary())
}

// Errors are counted by kind, most frequent first; the probe's own
// timeout says it is the probe's, not something the service answered: a
// deadline error that came back before the check's Timeout is what the
// system said.
func TestErrorKinds(t *testing.T) {
	t.Parallel()
	quick, timedOut := 10*time.Millisecond, time.Second
	cases := []struct {
		err     error
		latency time.Duration
	}{
		{fmt.Errorf("status 404 not accepted (want 200-399)"), quick},
		{fmt.Errorf("Get \"http://x/\": %w", context.DeadlineExceeded), timedOut},
		{fmt.Errorf("status 404 not accepted (want 200-399)"), quick},
		{fmt.Errorf("dial tcp 127.0.0.1:1: %w", syscall.ECONNREFUSED), quick},
		{fmt.Errorf("status 404 not accepted (want 200-399)"), quick},
		{errors.New("status 503: gave up after 6 attempts: context deadline exceeded"), quick},
	}
	samples := evenly(0, len(cases), func(i int) time.Duration { return cases[i].latency }, nil)
	for i := range samples {
		samples[i].Err = cases[i].err
	}
	r := Evaluate(New("kinds", Observe(fakeProbe("a"), Timeout(time.Second), Expect(SuccessRate(0)))), samples, t0, window100)
	assert.Equal(t, []ErrorCount{
		{"status 404", 3},
		{"probe timeout: no answer within the check's Timeout 1s", 1},
		{"connection refused", 1},
		{"status 503: gave up after 6 attempts: context deadline exceeded", 1},
	}, r.Checks[0].ErrorKinds)
	assert.Equal(t, "status 404 ×3, probe timeout: no answer within the check's Timeout 1s ×1, connection refused ×1, "+
		"status 503: gave up after 6 attempts: context deadline exceeded ×1", ErrorCounts(r.Checks[0].ErrorKinds))
}

// Every window tolerance gives its bound and figure as exact numbers.
func TestNumericFields(t *testing.T) {
	t.Parallel()
	samples := evenly(0, 100, ramp, failFirst(2))
	base := refResult(t, evenly(0, 100, constLat(20*time.Millisecond), nil))
	type figures struct {
		bound, measured float64
		unit            Unit
	}
	for _, c := range []struct {
		tol  Tolerance
		want figures
	}{
		{SuccessRate(0.99), figures{0.99, 0.98, UnitRatio}},
		{LatencyP(99, 300*time.Millisecond), figures{0.3, 0.099, UnitSeconds}},
		{LatencyMax(time.Second), figures{1, 0.1, UnitSeconds}},
		{MaxErrors(1), figures{1, 2, UnitCount}},
		{MinThroughput(90), figures{90, 98, UnitPerSecond}},
		{MinSamples(50), figures{50, 100, UnitCount}},
		{RecoversWithin(100 * time.Millisecond), figures{0.1, 0.02, UnitSeconds}},
		{LatencyPRelative(99, Baseline, 3, 50*time.Millisecond), figures{0.11, 0.099, UnitSeconds}},
		{SuccessRateRelative(Baseline, 0.01), figures{0.99, 0.98, UnitRatio}},
	} {
		r := EvaluateWith(one(c.tol), samples, t0, window100, Refs{Baseline: base})
		tr := tolerance(t, r.Checks[0], c.tol.String())
		assert.Equal(t, c.want.unit, tr.Unit, "%s", c.tol)
		assert.InDelta(t, c.want.bound, tr.Bound, 1e-9, "%s bound", c.tol)
		assert.InDelta(t, c.want.measured, tr.Measured, 1e-9, "%s measured", c.tol)
	}
	def := tolerance(t, judge(t, one(), samples), "success rate >= 100% (default)")
	assert.Equal(t, figures{1, 0.98, UnitRatio}, figures{def.Bound, def.Measured, def.Unit})

	// No numbers where there is none: a value tolerance, a missing reference, no sample.
	r := Evaluate(one(Equals(200), LatencyPRelative(99, Baseline, 3, 0), LatencyP(99, time.Second)), nil, t0, window100)
	for _, name := range []string{"equals 200", "latency p99 <= 3 × baseline p99"} {
		assert.Equal(t, Unit(""), tolerance(t, r.Checks[0], name).Unit, "%s", name)
	}
	lp := tolerance(t, r.Checks[0], "latency p99 <= 1s")
	assert.Equal(t, UnitSeconds, lp.Unit)
	assert.Equal(t, 1.0, lp.Bound)
	assert.Zero(t, lp.Measured, "nothing measured")
}

// SuccessRate is the share of finished samples that succeeded.
func TestCheckSuccessRate(t *testing.T) {
	t.Parallel()
	c := judge(t, one(SuccessRate(0)), evenly(0, 8, constLat(time.Millisecond), failFirst(3)))
	assert.InDelta(t, 5.0/8, c.SuccessRate, 1e-12)
	flying := append(evenly(0, 4, constLat(time.Millisecond), failFirst(1)), samplesOf(0, spec{at: 50 * time.Millisecond, flying: true})...)
	c = judge(t, one(SuccessRate(0)), flying)
	assert.InDelta(t, 0.75, c.SuccessRate, 1e-12, "samples in flight are not counted")
	c = judge(t, one(), samplesOf(0, spec{at: 0, flying: true}))
	assert.Zero(t, c.SuccessRate, "no finished sample")
	assert.Zero(t, c.Errors)
	c = judge(t, one(SuccessRate(0)), evenly(0, 4, constLat(time.Millisecond), failFirst(4)))
	assert.Zero(t, c.SuccessRate)
	assert.Equal(t, 4, c.Errors, "all failed: told apart by Errors")
}
