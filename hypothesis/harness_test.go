package hypothesis

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A new user's first test: a service that answers in 500ms, sampled every
// 20ms with the default settings. Every tick must start on time, so the
// figures are the service's: p99 about 500ms and no error. (With a fixed
// bound of 16 in flight, the probe's own queueing once showed p99 1s and
// errors the service never returned.)
func TestDefaultsMeasureTheSystemNotTheProbe(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		const service = 500 * time.Millisecond
		slow := ProbeFunc("answers in 500ms", func(ctx context.Context) (any, error) {
			timer := time.NewTimer(service) // the system's service time
			defer timer.Stop()
			select {
			case <-timer.C:
				return nil, nil
			case <-ctx.Done():
				return nil, ctx.Err()
			}
		})
		h := New("the service answers", Observe(slow, Every(20*time.Millisecond)))
		r, err := Measure(idle(t.Context()), h, time.Second)
		require.NoError(t, err)
		c := r.Checks[0]
		assert.Equal(t, Held, r.Verdict, "%s", r)
		assert.Equal(t, 50, c.Samples)
		assert.Zero(t, c.Errors, "the service never erred")
		assert.Zero(t, c.Harness.NotStarted, "the derived bound (⌈(1s+1s)/20ms⌉+1 = 101) starts every tick")
		assert.GreaterOrEqual(t, c.P99, service)
		// The old bound doubled the p99 (1s); half the timeout is a margin no
		// busy machine's scheduling delay comes near.
		assert.Less(t, c.P99, service+service/2, "p99 is the service's, not the probe's queue: %s", r)
	})
}

// lateSamples makes n samples of check 0, one every 10ms, each started
// lag(i) after its intended time and answering serve after it started.
func lateSamples(n int, lag func(i int) time.Duration, serve time.Duration) []Sample {
	out := make([]Sample, n)
	for i := range out {
		x := Sample{Seq: i, Intended: t0.Add(time.Duration(i) * 10 * time.Millisecond)}
		x.Start = x.Intended.Add(lag(i))
		x.End = x.Start.Add(serve)
		x.Latency = x.End.Sub(x.Intended)
		out[i] = x
	}
	return out
}

// A harness that cannot keep its schedule (most ticks start 80ms late)
// makes a latency violation inconclusive, with the figures; the same
// violation with the harness on time is a violation.
func TestStarvedHarnessIsInconclusive(t *testing.T) {
	t.Parallel()
	h := New("answers within 50ms", Observe(fakeProbe("api"), Every(10*time.Millisecond), Expect(LatencyP(99, 50*time.Millisecond))))
	to := t0.Add(time.Second)

	starved := lateSamples(100, func(int) time.Duration { return 80 * time.Millisecond }, 5*time.Millisecond)
	r := Evaluate(h, starved, t0, to)
	c := r.Checks[0]
	assert.Equal(t, Inconclusive, r.Verdict, "%s", r)
	assert.True(t, c.Harness.Saturated)
	assert.Equal(t, 10*time.Millisecond, c.Harness.Limit, "the 10ms interval, under a tenth of the 1s timeout")
	assert.Equal(t, 100, c.Harness.Late)
	assert.Equal(t, "the test machine was saturated: the harness could not keep its schedule (ticks started up to 80ms late, p90 80ms, over the 10ms limit; 100 late)", c.Reason)
	assert.Equal(t, Violated, tolerance(t, c, "latency p99 <= 50ms").Verdict, "the tolerance itself saw the latency")

	onTime := lateSamples(100, func(int) time.Duration { return 0 }, 85*time.Millisecond)
	r = Evaluate(h, onTime, t0, to)
	assert.Equal(t, Violated, r.Verdict, "a slow system with a punctual harness is a violation: %s", r)
	assert.False(t, r.Checks[0].Harness.Saturated)

	// Just at the limit (p90 lag 10ms) is not saturated; just over it is.
	at := lateSamples(100, func(int) time.Duration { return 10 * time.Millisecond }, 85*time.Millisecond)
	assert.Equal(t, Violated, Evaluate(h, at, t0, to).Verdict)
	over := lateSamples(100, func(i int) time.Duration {
		if i%10 < 8 { // 80 of 100 late: the p90 is late
			return 0
		}
		return 11 * time.Millisecond
	}, 95*time.Millisecond)
	assert.Equal(t, Inconclusive, Evaluate(h, over, t0, to).Verdict)
	under := lateSamples(100, func(i int) time.Duration {
		if i%10 < 9 { // 10 of 100 late: the p90 is on time
			return 0
		}
		return 11 * time.Millisecond
	}, 95*time.Millisecond)
	assert.Equal(t, Violated, Evaluate(h, under, t0, to).Verdict)
}

// A violation that does not depend on timing (a value tolerance: a
// consistency check) stays a violation on a saturated machine.
func TestStarvedHarnessKeepsValueViolations(t *testing.T) {
	t.Parallel()
	h := New("stored exactly once", Observe(fakeProbe("audit"), Every(10*time.Millisecond), Expect(Equals(0), MaxErrors(0))))
	s := lateSamples(20, func(int) time.Duration { return 200 * time.Millisecond }, time.Millisecond)
	for i := range s {
		s[i].Value = 0
	}
	s[7].Value = 2 // two duplicated orders
	r := Evaluate(h, s, t0, t0.Add(time.Second))
	assert.True(t, r.Checks[0].Harness.Saturated)
	assert.Equal(t, Violated, r.Verdict, "%s", r)
}

// One stall of the harness (a few ticks started 400ms late) breaks the p99
// but not the p90 of the lag: the window holds once each probe is judged
// from when it actually started, so the verdict is inconclusive, not a
// deviation.
func TestHarnessStallDiscounted(t *testing.T) {
	t.Parallel()
	h := New("answers within 100ms", Observe(fakeProbe("api"), Every(10*time.Millisecond), Expect(LatencyP(99, 100*time.Millisecond))))
	s := lateSamples(100, func(i int) time.Duration {
		if i >= 50 && i < 55 {
			return 400 * time.Millisecond
		}
		return 0
	}, 10*time.Millisecond)
	r := Evaluate(h, s, t0, t0.Add(time.Second))
	c := r.Checks[0]
	assert.False(t, c.Harness.Saturated)
	assert.Equal(t, Inconclusive, r.Verdict, "%s", r)
	assert.Equal(t, "the harness started probes late (up to 400ms after their intended time): judged on the time each probe actually ran, the window holds", c.Reason)

	// The same stall in the system (probes on time, answers 400ms late) is a violation.
	sys := lateSamples(100, func(int) time.Duration { return 0 }, 10*time.Millisecond)
	for i := 50; i < 55; i++ {
		sys[i].End = sys[i].End.Add(400 * time.Millisecond)
		sys[i].Latency = sys[i].End.Sub(sys[i].Intended)
	}
	assert.Equal(t, Violated, Evaluate(h, sys, t0, t0.Add(time.Second)).Verdict)
}

func TestLagLimit(t *testing.T) {
	t.Parallel()
	c := Observe(fakeProbe("api"))
	assert.Equal(t, 100*time.Millisecond, c.lagLimit(), "a tenth of the 1s timeout, under the 100ms interval")
	assert.Equal(t, 20*time.Millisecond, c.With(Every(20*time.Millisecond)).lagLimit(), "the interval")
	assert.Equal(t, 20*time.Millisecond, c.With(Timeout(200*time.Millisecond)).lagLimit(), "a tenth of the timeout")
	assert.Equal(t, minLagLimit, c.With(Every(time.Millisecond)).lagLimit(), "never under 2ms")
}

// On a saturated host everything runs slower, the system under test too: a
// latency violation that holds once the bound is stretched by the host's
// slowdown (tasks runnable per CPU) is the machine's, not the system's.
// A violation far beyond it, or of the error budget, stands.
func TestSaturatedHostStretchesLatencyBounds(t *testing.T) {
	t.Parallel()
	h := New("answers within 300ms", Observe(fakeProbe("api"), Every(10*time.Millisecond), Expect(SuccessRate(0.95), LatencyP(99, 300*time.Millisecond))))
	to := t0.Add(time.Second)
	busy := Load{HostKnown: true, CPUs: 2, Busy: 1, RunQueue: 5, RunQueueMax: 9, Readings: 20} // slowdown ×2.5
	idle := Load{HostKnown: true, CPUs: 2, Busy: 0.3, RunQueue: 0.6, Readings: 20}
	judge := func(lat time.Duration, failed int, load Load) Result {
		s := evenly(0, 100, constLat(lat), func(i int) string {
			if i < failed {
				return "503"
			}
			return ""
		})
		return evaluate(h, s, t0, to, Refs{}, &load)
	}

	r := judge(320*time.Millisecond, 0, busy)
	assert.Equal(t, Inconclusive, r.Verdict, "%s", r)
	assert.Equal(t, "the test machine was saturated: with every latency bound stretched by the host's slowdown (×2.5, 5.0 tasks runnable on 2 CPUs) the window holds", r.Checks[0].Reason)
	assert.Equal(t, Violated, judge(320*time.Millisecond, 0, idle).Verdict, "the same window on an idle host")
	assert.Equal(t, Inconclusive, judge(750*time.Millisecond, 0, busy).Verdict, "at the stretched bound")
	assert.Equal(t, Violated, judge(751*time.Millisecond, 0, busy).Verdict, "beyond what the slowdown explains")
	assert.Equal(t, Violated, judge(10*time.Millisecond, 6, busy).Verdict, "errors are not stretched")
	assert.Equal(t, Violated, evaluate(h, evenly(0, 100, constLat(320*time.Millisecond), nil), t0, to, Refs{}, nil).Verdict,
		"without load figures (the pure Evaluate) nothing is stretched")
}

// On a machine whose harness could not keep its schedule, only failures
// timing cannot cause decide: error answers stand, timeouts are forgiven.
func TestStarvedHarnessKeepsErrorAnswers(t *testing.T) {
	t.Parallel()
	h := New("answers", Observe(fakeProbe("api"), Every(10*time.Millisecond), Expect(SuccessRate(0.95))))
	starved := func(err error) []Sample {
		s := lateSamples(100, func(int) time.Duration { return 80 * time.Millisecond }, time.Millisecond)
		for i := range s[:50] {
			s[i].Err = err
		}
		return s
	}
	r := Evaluate(h, starved(errors.New("status 503 not accepted (want 200-399)")), t0, t0.Add(time.Second))
	assert.True(t, r.Checks[0].Harness.Saturated)
	assert.Equal(t, Violated, r.Verdict, "a 503 is the system's answer, however late it was asked: %s", r)

	r = Evaluate(h, starved(fmt.Errorf("Get \"http://x\": %w", context.DeadlineExceeded)), t0, t0.Add(time.Second))
	assert.Equal(t, Inconclusive, r.Verdict, "a probe that ran out of time on a starved harness proves nothing: %s", r)
	assert.Contains(t, r.Checks[0].Reason, "the test machine was saturated")
}

// A hung system on a starved harness: most ticks start 80ms late (the
// harness is behind), but every probe then waits its whole 1s timeout for
// an answer that never comes. An 80ms start delay is less than a quarter of
// the second each probe was given: the silence is the system's.
func TestStarvedHarnessDoesNotExcuseAHungSystem(t *testing.T) {
	t.Parallel()
	h := New("answers", Observe(fakeProbe("api"), Every(10*time.Millisecond), Timeout(time.Second), Expect(SuccessRate(0.95))))
	hung := lateSamples(100, func(int) time.Duration { return 80 * time.Millisecond }, time.Second-80*time.Millisecond)
	for i := range hung {
		hung[i].Err = fmt.Errorf("Get \"http://x\": %w", context.DeadlineExceeded)
	}
	r := Evaluate(h, hung, t0, t0.Add(2*time.Second))
	require.True(t, r.Checks[0].Harness.Saturated, "%s", r)
	assert.Equal(t, Violated, r.Verdict, "the system never answered within the 920ms each probe had: %s", r)

	// The same timeouts where the harness ate most of each probe's time
	// (started 600ms late out of 1s) prove nothing.
	starved := lateSamples(100, func(int) time.Duration { return 600 * time.Millisecond }, 400*time.Millisecond)
	for i := range starved {
		starved[i].Err = fmt.Errorf("Get \"http://x\": %w", context.DeadlineExceeded)
	}
	r = Evaluate(h, starved, t0, t0.Add(2*time.Second))
	assert.Equal(t, Inconclusive, r.Verdict, "%s", r)
}
