package hypothesis

import (
	"context"
	"errors"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/go-resilience/resilience/internal/testkit/faket"
)

// goldenResults are hand-made, fixed-time results whose failure messages are
// checked against testdata/*.golden.
func goldenResults() map[string]Result {
	api := HTTPGet("http://127.0.0.1:8080/items/42")
	slow := func(i int) time.Duration {
		if i == 41 || i == 45 { // the failing ones: they ran to the check's Timeout
			return time.Second
		}
		if i >= 40 && i < 60 {
			return 512 * time.Millisecond
		}
		return 12 * time.Millisecond
	}
	fail := func(i int) string {
		if i == 41 || i == 45 {
			return `Get "http://127.0.0.1:8080/items/42": context deadline exceeded`
		}
		return ""
	}
	latency := New("catalog answers within 300 ms",
		Observe(api, Every(10*time.Millisecond), Expect(SuccessRate(0.99), LatencyP(99, 300*time.Millisecond))))

	values := make([]spec, 20)
	for i := range values {
		values[i] = spec{at: time.Duration(i) * 50 * time.Millisecond, latency: 3 * time.Millisecond, value: HTTPResponse{Status: 200, Body: []byte(`{"status":"up"}`)}}
	}
	values[2].value = HTTPResponse{Status: 200, Body: []byte(`{"status":"degraded"}`)}
	values[12].value = HTTPResponse{Status: 200, Body: []byte(`{"status":"degraded"}`)}
	twoChecks := New("orders and cache recover after the fault",
		Observe(HTTPGet("http://127.0.0.1:8080/health", ProbeName("health")), Every(50*time.Millisecond), Expect(JSONPath("$.status", Equals("up")), RecoversWithin(300*time.Millisecond))),
		Observe(TCPConnect("127.0.0.1:6379"), Every(50*time.Millisecond), Expect(MinSamples(30))))
	twoSamples := append(samplesOf(0, values...), evenly(1, 20, constLat(200*time.Microsecond), nil)...)
	for i := range twoSamples[20:] {
		twoSamples[20+i].Intended = t0.Add(time.Duration(i) * 50 * time.Millisecond)
	}

	inflight := New("queue drains", Observe(ProbeFunc("queue depth", nil), Expect(InRange(0, 100))))

	// A starved harness on a saturated host: every tick 80ms late.
	fast := New("catalog answers within 50 ms",
		Observe(api, Every(10*time.Millisecond), Expect(SuccessRate(0.99), LatencyP(99, 50*time.Millisecond))))
	starved := Evaluate(fast, lateSamples(100, func(int) time.Duration { return 80 * time.Millisecond }, 5*time.Millisecond), t0, t0.Add(time.Second))
	starved.Load = Load{HostKnown: true, CPUs: 2, Busy: 1, RunQueue: 14.2, RunQueueMax: 20, PressureKnown: true, Pressure: 0.85, SchedP99: 31 * time.Millisecond, Readings: 20}
	starved.explainSaturation()

	// Relative to the baseline and to a control group that held.
	relative := New("catalog answers as fast as before",
		Observe(api, Every(10*time.Millisecond), Expect(SuccessRateRelative(Control, 0.02), LatencyPRelative(99, Baseline, 3, 50*time.Millisecond))))
	base := Evaluate(latency, evenly(0, 100, constLat(20*time.Millisecond), nil), t0, t0.Add(time.Second))
	ctrl := Evaluate(New("control", Observe(api, Every(10*time.Millisecond))), evenly(0, 100, constLat(20*time.Millisecond), nil), t0, t0.Add(time.Second))
	// A check judged beside one that only drives load (slow, failing, late).
	loadOnly, loadSamples := loadOnlyWindow()
	for i := range loadSamples[:100] {
		loadSamples[i].Latency = 80 * time.Millisecond
	}

	// Only value tolerances: a miss is named once, under its tolerance.
	stock := make([]spec, 10)
	for i := range stock {
		stock[i] = spec{at: time.Duration(i) * 10 * time.Millisecond, latency: time.Millisecond, value: 41.5}
	}
	stock[3].value = 89.39275963224169
	stockH := New("stock stays in range", Observe(fakeProbe("stock level"), Every(10*time.Millisecond), Expect(InRange(0, 50))))

	return map[string]Result{
		"load_only":                Evaluate(loadOnly, loadSamples, t0, t0.Add(time.Second)),
		"value_miss_once":          Evaluate(stockH, samplesOf(0, stock...), t0, t0.Add(100*time.Millisecond)),
		"saturated_harness":        starved,
		"relative_violated":        EvaluateWith(relative, evenly(0, 100, slow, fail), t0, t0.Add(time.Second), Refs{Baseline: &base, Control: &ctrl}),
		"violated_latency":         Evaluate(latency, evenly(0, 100, slow, fail), t0, t0.Add(time.Second)),
		"recovery_and_min_samples": Evaluate(twoChecks, twoSamples, t0, t0.Add(time.Second)),
		"inconclusive_no_samples":  Evaluate(latency, nil, t0, t0.Add(time.Second)),
		"invalid":                  Evaluate(inflight, nil, t0, t0.Add(time.Second)),
	}
}

func TestFailureMessagesGolden(t *testing.T) {
	t.Parallel()
	for name, r := range goldenResults() {
		t.Run(name, func(t *testing.T) {
			rt := &faket.T{}
			held := AssertResult(rt, r)
			assert.False(t, held)
			assert.Positive(t, rt.Helpers(), "AssertResult calls t.Helper")
			assert.Len(t, rt.ErrorLines(), 1)
			golden(t, name, rt.Msg()+"\nSummary: "+r.Summary()+"\n")
		})
	}
}

func TestAssertResultHeld(t *testing.T) {
	t.Parallel()
	h := New("ok", Observe(fakeProbe("api")))
	rt := &faket.T{}
	assert.True(t, AssertResult(rt, Evaluate(h, evenly(0, 10, constLat(time.Millisecond), nil), t0, window100)))
	faket.Run(rt, func() { RequireResult(rt, Evaluate(h, evenly(0, 10, constLat(time.Millisecond), nil), t0, window100)) })
	assert.Empty(t, rt.ErrorLines())
	assert.False(t, rt.FailedNow())

	faket.Run(rt, func() { RequireResult(rt, Evaluate(h, nil, t0, window100)) })
	assert.Len(t, rt.ErrorLines(), 1, "inconclusive fails")
	assert.True(t, rt.FailedNow())
}

func TestAssertMeasures(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		ok := New("answers", Observe(ProbeFunc("ok", func(context.Context) (any, error) { return 1, nil }), Every(10*time.Millisecond), Expect(Equals(1), MinSamples(5))))
		rt := ctxT{T: &faket.T{}, ctx: idle(t.Context())}
		faket.Run(rt.T, func() {
			assert.True(t, Assert(rt, ok, 100*time.Millisecond), "%s", rt.Msg())
			Require(rt, ok, 100*time.Millisecond)
		})
		assert.Empty(t, rt.ErrorLines())
		assert.False(t, rt.FailedNow())

		bad := New("fails", Observe(ProbeFunc("broken", func(context.Context) (any, error) { return nil, errors.New("connection refused") }), Every(10*time.Millisecond)))
		faket.Run(rt.T, func() { assert.False(t, Assert(rt, bad, 50*time.Millisecond)) })
		assert.False(t, rt.FailedNow(), "only Require stops the test")
		faket.Run(rt.T, func() { Require(rt, bad, 50*time.Millisecond) })
		assert.True(t, rt.FailedNow(), "Require stops the test")
		errs := rt.ErrorLines()
		assert.Len(t, errs, 2)
		assert.Contains(t, errs[0], "Hypothesis:\tfails")
		assert.Contains(t, errs[0], "first error: connection refused")
		assert.Contains(t, errs[0], "violated: success rate >= 100% (default): expected >= 100%, observed 0% (0/5)")
	})
}

// Assert reaches the test's context through the optional Context method: a
// cancelled test stops the measurement at once and says why.
func TestAssertUsesTestContext(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	rt := ctxT{T: &faket.T{}, ctx: ctx}
	h := New("long", Observe(fakeProbe("api")))
	start := time.Now()
	assert.False(t, Assert(rt, h, time.Hour))
	assert.Less(t, time.Since(start), time.Minute, "a cancelled context must not wait for the hour-long window")
	if errs := rt.ErrorLines(); assert.Len(t, errs, 1) {
		assert.Contains(t, errs[0], `measure "long": context canceled`)
		assert.Contains(t, errs[0], "Hypothesis:\tlong")
	}
}
