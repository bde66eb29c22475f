package hypothesis

import (
	"context"
	"errors"
	"math"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// fakeCounter is a counter read at times a test sets.
type fakeCounter struct {
	mu  sync.Mutex
	now time.Time
	v   float64
	err error
}

func (c *fakeCounter) set(at time.Duration, v float64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now, c.v = t0.Add(at), v
}

func (c *fakeCounter) read(context.Context) (float64, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.v, c.err
}

func (c *fakeCounter) clock() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func rateOf(c *fakeCounter, over time.Duration) *rateProbe {
	p := Rate("requests/s", c.read, over).(*rateProbe)
	p.now = c.clock
	return p
}

// Rate observes the increase per second since the latest reading at least
// over old; before one exists, a NoValue.
func TestRateObserves(t *testing.T) {
	t.Parallel()
	c := &fakeCounter{}
	p := rateOf(c, time.Second)
	assert.Equal(t, "requests/s", p.Name())
	observe := func(at time.Duration, v float64) any {
		t.Helper()
		c.set(at, v)
		got, err := p.Observe(t.Context())
		require.NoError(t, err)
		return got
	}
	assert.Equal(t, NoValue{Reason: "first reading of the counter; a rate needs one 1s old"}, observe(0, 100))
	assert.Equal(t, NoValue{Reason: "no reading 1s old yet (the oldest is 500ms old)"}, observe(500*time.Millisecond, 150), "half a second: no rate yet")
	assert.Equal(t, 100.0, observe(time.Second, 200), "100 more in 1s")
	assert.Equal(t, 120.0, observe(1500*time.Millisecond, 270), "since the reading at 500ms: 120 in 1s")
	// 20ms later: the base is still a reading at least 1s old (500ms), not
	// the one 20ms ago, so jitter is not divided by 20ms.
	assert.InDelta(t, 130.0/1.02, observe(1520*time.Millisecond, 280).(float64), 1e-9)
}

// A decrease is a reset: the counter restarted from 0.
func TestRateCounterReset(t *testing.T) {
	t.Parallel()
	c := &fakeCounter{}
	p := rateOf(c, time.Second)
	for _, r := range []struct {
		at time.Duration
		v  float64
	}{{0, 1000}, {500 * time.Millisecond, 1050}, {700 * time.Millisecond, 20}} {
		c.set(r.at, r.v)
		_, err := p.Observe(t.Context())
		require.NoError(t, err)
	}
	c.set(time.Second, 80)
	got, err := p.Observe(t.Context())
	require.NoError(t, err)
	// 1000 -> 1050 (+50), reset, 0 -> 20 (+20), 20 -> 80 (+60): 130 in 1s.
	assert.Equal(t, 130.0, got, "a reset never makes a negative rate")
}

// A failed read is a failed sample and leaves no reading; so is a value
// that is not a finite number.
func TestRateReadFails(t *testing.T) {
	t.Parallel()
	c := &fakeCounter{err: errors.New("scrape: connection refused")}
	p := rateOf(c, time.Second)
	_, err := p.Observe(t.Context())
	assert.EqualError(t, err, "scrape: connection refused")
	c.err = nil
	c.v = math.NaN()
	_, err = p.Observe(t.Context())
	assert.EqualError(t, err, "counter read NaN, want a finite number")
	c.v = 1
	got, err := p.Observe(t.Context())
	require.NoError(t, err)
	assert.IsType(t, NoValue{}, got, "the failed reads left no reading")
}

// Readings do not pile up: those more than 2*over older than the newest are
// dropped, the newest's base kept.
func TestRateForgetsOldReadings(t *testing.T) {
	t.Parallel()
	c := &fakeCounter{}
	p := rateOf(c, 100*time.Millisecond)
	for i := range 1000 {
		c.set(time.Duration(i)*10*time.Millisecond, float64(i))
		_, err := p.Observe(t.Context())
		require.NoError(t, err)
	}
	assert.LessOrEqual(t, len(p.readings), 22)
	got, _ := p.Observe(t.Context())
	assert.InDelta(t, 100.0, got.(float64), 1e-9, "one a 10ms tick: 100/s")
}

// Judged: the first samples (no value yet) are successes that value
// tolerances skip; a window with no value at all is inconclusive.
func TestRateJudged(t *testing.T) {
	t.Parallel()
	h := New("orders flow", Observe(fakeProbe("orders/s"), Every(10*time.Millisecond), Expect(InRange(90, 110), SuccessRate(0.99))))
	specs := make([]spec, 10)
	for i := range specs {
		specs[i] = spec{at: time.Duration(i) * 10 * time.Millisecond, latency: time.Millisecond, value: 100.0}
	}
	specs[0].value = NoValue{Reason: "first reading"}
	specs[1].value = NoValue{Reason: "no reading old enough"}
	r := Evaluate(h, samplesOf(0, specs...), t0, window100)
	c := r.Checks[0]
	assert.Equal(t, Held, r.Verdict, "%s", r)
	assert.Zero(t, c.Errors, "no value yet is not a failure")
	assert.Equal(t, 1.0, c.SuccessRate)
	assert.Equal(t, "0 of 8 missed (2 samples without a value yet)", tolerance(t, c, "in range [90, 110]").Observed)

	for i := range specs {
		specs[i].value = NoValue{Reason: "no reading old enough"}
	}
	r = Evaluate(h, samplesOf(0, specs...), t0, window100)
	assert.Equal(t, Inconclusive, r.Verdict, "a rate never taken is never a pass")
	assert.Equal(t, "in range [90, 110]: no sample with a value (10 samples without a value yet)", r.Checks[0].Reason)
}

// Sampled for real: a counter growing at 1000/s, read every 10ms, rates
// taken over at least 50ms.
func TestRateMeasured(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		start := time.Now()
		var reads atomic.Int32
		counter := func(context.Context) (float64, error) {
			reads.Add(1)
			return float64(time.Since(start).Milliseconds()), nil
		}
		h := New("the counter grows at 1000/s",
			Observe(Rate("ms/s", counter, 50*time.Millisecond), Every(10*time.Millisecond), Expect(InRange(500, 2000)))) // wide: the precise figures are TestRateObserves's
		r, err := Measure(idle(t.Context()), h, 200*time.Millisecond)
		require.NoError(t, err)
		assert.Equal(t, Held, r.Verdict, "%s", r)
		assert.Zero(t, r.Checks[0].Errors, "%s", r)
		assert.Contains(t, r.Checks[0].Tolerances[0].Observed, "samples without a value yet", "the first 50ms give no rate")
		assert.GreaterOrEqual(t, reads.Load(), int32(20), "one read a sample")
	})
}
