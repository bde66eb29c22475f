package hypothesis

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// loadOnlyWindow is a hypothesis whose first check is judged and holds, and
// whose second only drives load: half its samples fail, they are slow, most
// of its ticks started late and some not at all.
func loadOnlyWindow() (*Hypothesis, []Sample) {
	h := New("reads stay fast under write load",
		Observe(fakeProbe("GET /items"), Every(10*time.Millisecond), Expect(LatencyP(99, 50*time.Millisecond))),
		Observe(fakeProbe("POST /items"), Every(10*time.Millisecond), LoadOnly()))
	reads := evenly(0, 100, constLat(5*time.Millisecond), nil)
	writes := lateSamples(100, func(int) time.Duration { return 80 * time.Millisecond }, 2*time.Second)
	for i := range writes {
		writes[i].Check = 1
		switch {
		case i%2 == 0:
			writes[i].Err = errors.New("status 503 not accepted (want 200-399)")
		case i%10 == 1:
			writes[i].NotStarted, writes[i].Latency = true, 0
		}
	}
	return h, append(reads, writes...)
}

// A LoadOnly check is sampled and its figures reported, but never judged:
// its errors, latencies, late and not-started ticks leave the verdict to
// the judged checks.
func TestLoadOnlyIsNotJudged(t *testing.T) {
	t.Parallel()
	h, samples := loadOnlyWindow()
	r := Evaluate(h, samples, t0, t0.Add(time.Second))
	assert.Equal(t, Held, r.Verdict, "%s", r)
	assert.True(t, r.Held())

	w := r.Checks[1]
	assert.True(t, w.LoadOnly)
	assert.False(t, r.Checks[0].LoadOnly)
	assert.Equal(t, Inconclusive, w.Verdict, "not judged is not held")
	assert.Equal(t, "drives load (not judged)", w.Reason)
	assert.Empty(t, w.Tolerances, "no tolerance, not even the default success rate")
	assert.Equal(t, 90, w.Samples)
	assert.Equal(t, 10, w.Harness.NotStarted)
	assert.True(t, w.Harness.Saturated)
	assert.Equal(t, 50, w.Errors)
	assert.InDelta(t, 40.0/90, w.SuccessRate, 1e-12)
	assert.Equal(t, "status 503 not accepted (want 200-399)", w.FirstError)
	assert.GreaterOrEqual(t, w.P99, 2*time.Second)

	assert.Equal(t, "held: 100 samples, 0 errors, p99 5ms; POST /items drives load (not judged): 90 samples, 50 errors, p99 2.08s", r.Summary())
	s := r.String()
	assert.Contains(t, s, "Check 2:   \tPOST /items: drives load (not judged)\n")
	assert.Contains(t, s, "first error: status 503 not accepted (want 200-399)")
	assert.Equal(t, "POST /items every 10ms, drives load (not judged)", h.Checks()[1].String())

	// The same window judged (without LoadOnly) would be inconclusive:
	// the load-only check is what the verdict ignores.
	judged := New("judged", h.Checks()[0], Observe(fakeProbe("POST /items"), Every(10*time.Millisecond)))
	assert.NotEqual(t, Held, Evaluate(judged, samples, t0, t0.Add(time.Second)).Verdict)

	// A violated judged check is still violated.
	slow := append(evenly(0, 100, constLat(80*time.Millisecond), nil), samples[100:]...)
	assert.Equal(t, Violated, Evaluate(h, slow, t0, t0.Add(time.Second)).Verdict)
	// A judged check without samples is still inconclusive.
	assert.Equal(t, Inconclusive, Evaluate(h, samples[100:], t0, t0.Add(time.Second)).Verdict)
}

// A hypothesis of load-only checks alone judges nothing: never a silent pass.
func TestLoadOnlyAloneIsInconclusive(t *testing.T) {
	t.Parallel()
	h := New("load", Observe(fakeProbe("POST /items"), Every(10*time.Millisecond), LoadOnly()))
	r := Evaluate(h, evenly(0, 10, constLat(time.Millisecond), nil), t0, window100)
	require.NoError(t, r.Err)
	assert.Equal(t, Inconclusive, r.Verdict)
	assert.Equal(t, "inconclusive: 0 samples, 0 errors (nothing judged: every check drives load); POST /items drives load (not judged): 10 samples, 0 errors, p99 1ms", r.Summary())
}

// Sampled for real: a load-only probe that always fails and ignores its
// context (so ticks go unstarted) beside a judged one that holds.
func TestLoadOnlyMeasured(t *testing.T) {
	t.Parallel()
	release := make(chan struct{})
	stuck := ProbeFunc("stuck writer", func(context.Context) (any, error) {
		<-release
		return nil, errors.New("write failed")
	})
	ok := ProbeFunc("reader", func(context.Context) (any, error) { return 1, nil })
	h := New("reads under load",
		Observe(ok, Every(10*time.Millisecond), Expect(Equals(1))),
		Observe(stuck, Every(10*time.Millisecond), Timeout(20*time.Millisecond), MaxInFlight(3), LoadOnly()))
	s, err := h.Start(t.Context())
	require.NoError(t, err)
	from := s.Started()
	time.Sleep(150 * time.Millisecond) // let the load-only check run out of slots
	r := s.Evaluate(from, from.Add(100*time.Millisecond))
	close(release)
	s.Stop()
	assert.Equal(t, Held, r.Verdict, "%s", r)
	w := r.Checks[1]
	assert.True(t, w.LoadOnly)
	assert.Positive(t, w.Harness.NotStarted, "%s", r)
	assert.True(t, strings.Contains(r.Summary(), "stuck writer drives load (not judged)"), r.Summary())
}
