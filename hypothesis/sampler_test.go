package hypothesis

import (
	"context"
	"errors"
	"strings"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/go-resilience/resilience/internal/hostload"
)

// The schedule is fixed: every tick intended in the window is one sample,
// intended exactly at Started + n*interval.
func TestSamplerSchedule(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		var calls atomic.Int32
		third := make(chan struct{})
		p := ProbeFunc("count", func(context.Context) (any, error) {
			n := int(calls.Add(1))
			if n == 3 {
				close(third)
			}
			return n, nil
		})
		h := New("ticks", Observe(p, Every(10*time.Millisecond)), Observe(fakeProbe("other"), Every(25*time.Millisecond)))
		r, err := Measure(idle(t.Context()), h, 200*time.Millisecond)
		require.NoError(t, err)
		assert.Equal(t, Held, r.Verdict, "%s", r)
		assert.Equal(t, 20, r.Checks[0].Samples)
		assert.Equal(t, 8, r.Checks[1].Samples)

		calls.Store(0)
		third = make(chan struct{})
		s, err := h.Start(idle(t.Context()))
		require.NoError(t, err)
		<-third
		all := s.Stop()
		assert.Equal(t, all, s.Stop(), "Stop is idempotent")
		assert.Equal(t, all, s.Samples(s.Started(), s.Started().Add(time.Hour)))
		require.GreaterOrEqual(t, len(all), 3)
		assert.Equal(t, s.Started(), all[0].Intended)
		seq := map[int]int{}
		for i, x := range all {
			every := []time.Duration{10 * time.Millisecond, 25 * time.Millisecond}[x.Check]
			assert.Equal(t, seq[x.Check], x.Seq)
			assert.Equal(t, s.Started().Add(time.Duration(x.Seq)*every), x.Intended)
			assert.Equal(t, x.End.Sub(x.Intended), x.Latency)
			assert.False(t, x.Start.Before(x.Intended))
			assert.False(t, x.InFlight)
			if i > 0 {
				assert.False(t, x.Intended.Before(all[i-1].Intended), "ordered by Intended")
			}
			seq[x.Check]++
		}
		assert.Equal(t, h, s.Hypothesis())
	})
}

// The probe's context carries the deadline Intended+Timeout, and a probe
// that honours it yields a failed sample.
func TestSamplerTimeoutThroughContext(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		deadlines := make(chan time.Time, 100)
		p := ProbeFunc("hangs", func(ctx context.Context) (any, error) {
			d, _ := ctx.Deadline()
			deadlines <- d
			<-ctx.Done()
			return nil, ctx.Err()
		})
		h := New("timeouts", Observe(p, Every(20*time.Millisecond), Timeout(50*time.Millisecond)))
		s, err := h.Start(idle(t.Context()))
		require.NoError(t, err)
		first := <-deadlines
		samples := s.Stop()
		require.NotEmpty(t, samples)
		for _, x := range samples {
			assert.ErrorIs(t, x.Err, context.DeadlineExceeded)
			assert.GreaterOrEqual(t, x.Latency, 50*time.Millisecond)
		}
		assert.Equal(t, samples[0].Intended.Add(50*time.Millisecond), first)
	})
}

func TestSamplerRecoversPanics(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		var n atomic.Int32
		p := ProbeFunc("panics", func(context.Context) (any, error) {
			if n.Add(1)%2 == 0 {
				panic("boom")
			}
			return nil, nil
		})
		r, err := Measure(idle(t.Context()), New("panics", Observe(p, Every(10*time.Millisecond))), 100*time.Millisecond)
		require.NoError(t, err)
		assert.Equal(t, Violated, r.Verdict)
		assert.Equal(t, 5, r.Checks[0].Errors)
		assert.Equal(t, "probe panicked: boom", r.Checks[0].FirstError)
	})
}

// A probe that ignores its context keeps its slot past its deadline. When
// every slot is taken, a tick is not started: it is counted apart, never
// charged to the system as an error or a latency, and its window is
// inconclusive, not violated.
func TestSamplerNotStarted(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		release := make(chan struct{})
		var calls atomic.Int32
		p := ProbeFunc("ignores its context", func(ctx context.Context) (any, error) {
			if calls.Add(1) <= 6 {
				<-release // overruns its 50ms deadline until released
			}
			return nil, nil
		})
		// ⌈50ms/10ms⌉+1 = 6 slots, all held by the first six ticks.
		h := New("bounded", Observe(p, Every(10*time.Millisecond), Timeout(50*time.Millisecond), MaxInFlight(6), Expect(SuccessRate(0))))
		s, err := h.Start(idle(t.Context()))
		require.NoError(t, err)
		from := s.Started()
		var notStarted []Sample
		for len(notStarted) < 6 { // wait until the six held probes are past their deadlines (ticks 6 to 11 not started)
			notStarted = notStarted[:0]
			for _, x := range s.Samples(from, time.Now().Add(time.Hour)) {
				if x.NotStarted {
					notStarted = append(notStarted, x)
				}
			}
			time.Sleep(time.Millisecond) // polling the sampler's state, not a synchronisation
		}
		close(release)
		samples := s.Stop()
		for _, x := range notStarted {
			assert.GreaterOrEqual(t, x.Seq, 6, "the first six ticks took the slots")
			assert.Equal(t, "not started: probe saturated (all 6 in-flight slots taken)", x.Err.Error())
			assert.Zero(t, x.Latency, "a tick not started has no latency of the system")
			assert.Zero(t, x.Lag())
		}
		r := Evaluate(h, samples, from, samples[len(samples)-1].Intended.Add(time.Millisecond))
		c := r.Checks[0]
		assert.Equal(t, Inconclusive, c.Verdict, "%s", r)
		assert.GreaterOrEqual(t, c.Harness.NotStarted, 6)
		assert.Equal(t, len(samples)-c.Harness.NotStarted, c.Samples, "ticks not started are not samples")
		assert.Contains(t, c.Reason, "ticks not started: probe saturated")
		for _, x := range samples[:6] {
			assert.ErrorContains(t, x.Err, "timed out: answered", "the overrunning probes failed on their own terms")
		}
	})
}

func TestSamplerConcurrencyBound(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		var now, peak atomic.Int32
		p := ProbeFunc("slow", func(ctx context.Context) (any, error) {
			c := now.Add(1)
			defer now.Add(-1)
			for {
				old := peak.Load()
				if c <= old || peak.CompareAndSwap(old, c) {
					break
				}
			}
			time.Sleep(30 * time.Millisecond) // the system's service time
			return nil, nil
		})
		// 30ms probes every 5ms: seven in flight at once when every tick starts
		// on time; the derived bound (⌈(1s+1s)/5ms⌉+1 = 401) never gets in the way.
		h := New("bounded", Observe(p, Every(5*time.Millisecond)))
		r, err := Measure(idle(t.Context()), h, 200*time.Millisecond)
		require.NoError(t, err)
		assert.GreaterOrEqual(t, peak.Load(), int32(6), "ticks start on time, so probes overlap")
		assert.LessOrEqual(t, peak.Load(), int32(401))
		assert.Equal(t, 40, r.Checks[0].Samples, "every tick is a sample")
		assert.Zero(t, r.Checks[0].Harness.NotStarted)
	})
}

// blocked is a probe whose calls wait for release; entered is closed at the
// first call.
func blocked() (p Probe, entered, release chan struct{}) {
	entered, release = make(chan struct{}), make(chan struct{})
	var once atomic.Bool
	p = ProbeFunc("blocked", func(ctx context.Context) (any, error) {
		if once.CompareAndSwap(false, true) {
			close(entered)
		}
		<-release
		return nil, nil
	})
	return p, entered, release
}

// Sampler.Evaluate counts samples in flight as latency lower bounds and
// leaves them out of Samples.
func TestSamplerInFlight(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		p, entered, release := blocked()
		h := New("in flight", Observe(p, Every(time.Hour), Expect(LatencyMax(time.Nanosecond))))
		s, err := h.Start(idle(t.Context()))
		require.NoError(t, err)
		<-entered
		time.Sleep(time.Millisecond) // on the fake clock, time passes only so
		from, to := s.Started(), s.Started().Add(time.Hour)
		assert.Empty(t, s.Samples(from, to))
		r := s.Evaluate(from, to)
		assert.Equal(t, Violated, r.Verdict, "elapsed time already exceeds 1ns:\n%s", r)
		assert.Equal(t, 1, r.Checks[0].InFlight)
		close(release)
		assert.Len(t, s.Stop(), 1)

		p, entered, release = blocked()
		s, err = New("in flight", Observe(p, Every(time.Hour))).Start(idle(t.Context()))
		require.NoError(t, err)
		<-entered
		r = s.Evaluate(s.Started(), s.Started().Add(time.Hour))
		assert.Equal(t, Inconclusive, r.Verdict)
		assert.Equal(t, "the probe never answered: its 1 sample in flight", r.Checks[0].Reason)
		close(release)
		assert.Len(t, s.Stop(), 1)
		assert.Equal(t, Held, s.Evaluate(s.Started(), s.Started().Add(time.Hour)).Verdict)
	})
}

// Cancelling Start's context stops the schedule but not the probes in flight.
func TestSamplerContextStopsSchedule(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		entered := make(chan struct{}, 1)
		p := ProbeFunc("waits", func(ctx context.Context) (any, error) {
			select {
			case entered <- struct{}{}:
			default:
			}
			<-ctx.Done()
			return nil, ctx.Err()
		})
		ctx, cancel := context.WithCancel(idle(context.Background()))
		h := New("cancel", Observe(p, Every(time.Hour), Timeout(100*time.Millisecond)))
		s, err := h.Start(ctx)
		require.NoError(t, err)
		<-entered
		cancel()
		samples := s.Stop()
		require.Len(t, samples, 1)
		assert.ErrorIs(t, samples[0].Err, context.DeadlineExceeded, "the probe ran to its own deadline")
	})
}

// A probe that ignores its context is abandoned by Stop after a grace period.
func TestSamplerAbandonsStuckProbe(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		release := make(chan struct{})
		defer close(release)
		entered := make(chan struct{})
		p := ProbeFunc("stuck", func(context.Context) (any, error) { close(entered); <-release; return nil, nil })
		s, err := New("stuck", Observe(p, Every(time.Hour), Timeout(10*time.Millisecond))).Start(idle(t.Context()))
		require.NoError(t, err)
		s.grace = 10 * time.Millisecond
		<-entered
		samples := s.Stop()
		require.Len(t, samples, 1)
		assert.True(t, strings.HasPrefix(samples[0].Err.Error(), "abandoned: the probe ignored its context"), samples[0].Err)
	})
}

func TestMeasureContextCancelled(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		ctx, cancel := context.WithTimeout(idle(t.Context()), 50*time.Millisecond)
		defer cancel()
		r, err := Measure(ctx, New("short", Observe(fakeProbe("api"), Every(10*time.Millisecond))), time.Hour)
		assert.True(t, errors.Is(err, context.DeadlineExceeded), err)
		assert.Less(t, r.To.Sub(r.From), time.Hour, "the window ends when the context does")
		assert.Positive(t, r.Checks[0].Samples)
	})
}

// Nothing is left behind: a sampler gives back its share of the host load
// monitor when stopped, or when the context given to Start ends, once. Not
// parallel: parallel tests, which hold samplers of their own, wait until
// the sequential ones are done.
func TestSamplerReleasesTheLoadMonitor(t *testing.T) {
	require.Zero(t, hostload.Users(), "a test before this one left a sampler running")
	h := New("x", Observe(fakeProbe("api"), Every(10*time.Millisecond)))
	_, err := Measure(t.Context(), h, 20*time.Millisecond)
	require.NoError(t, err)
	assert.Zero(t, hostload.Users(), "Measure stops its sampler")

	ctx, cancel := context.WithCancel(t.Context())
	a, err := h.Start(ctx)
	require.NoError(t, err)
	b, err := h.Start(t.Context())
	require.NoError(t, err)
	assert.Equal(t, 2, hostload.Users())
	cancel()
	require.Eventually(t, func() bool { return hostload.Users() == 1 }, 10*time.Second, time.Millisecond,
		"the cancelled sampler releases its share")
	a.Stop() // a second release must not take b's share
	assert.Equal(t, 1, hostload.Users())
	b.Stop()
	assert.Zero(t, hostload.Users())
}
