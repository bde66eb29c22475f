package hypothesis

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// streak is a window tolerance of a user's own: at most n consecutive
// failed samples. It judges errors, so the default success rate stands down.
type streak struct{ n int }

func (s *streak) String() string     { return fmt.Sprintf("at most %d consecutive errors", s.n) }
func (s *streak) JudgesErrors() bool { return true }

func (s *streak) Validate() error {
	if s.n < 0 {
		return fmt.Errorf("streak n must be >= 0, got %d", s.n)
	}
	return nil
}

func (s *streak) Judge(w Window) ToleranceResult {
	r := ToleranceResult{Expected: fmt.Sprintf("<= %d in a row", s.n), Bound: float64(s.n), Unit: UnitCount}
	if w.Finished() == 0 {
		r.Observed = "no finished sample"
		return r
	}
	run, longest := 0, 0
	for _, x := range w.Samples() {
		if x.Err != nil {
			run++
			longest = max(longest, run)
		} else {
			run = 0
		}
	}
	r.Measured, r.Observed = float64(longest), fmt.Sprintf("%d in a row", longest)
	r.Verdict = heldIf(longest <= s.n)
	return r
}

// even is a value tolerance of a user's own.
type even struct{}

func (even) String() string { return "is even" }
func (even) Miss(v any) error {
	if n, ok := v.(int); ok && n%2 == 0 {
		return nil
	}
	return fmt.Errorf("got %v", v)
}

// A tolerance of the user's own is judged like the package's, validated,
// found by Result.Violated, and may judge errors.
func TestUserTolerances(t *testing.T) {
	t.Parallel()
	tol := &streak{n: 2}
	h := New("errors never come in threes", Observe(fakeProbe("api"), Every(10*time.Millisecond), Expect(tol, even{})))
	fails := func(at ...int) func(int) string {
		return func(i int) string {
			for _, a := range at {
				if a == i {
					return "503"
				}
			}
			return ""
		}
	}
	withValues := func(ss []Sample) []Sample {
		for i := range ss {
			ss[i].Value = 2 * i
		}
		return ss
	}

	r := Evaluate(h, withValues(evenly(0, 10, constLat(time.Millisecond), fails(1, 2, 5, 6))), t0, window100)
	assert.Equal(t, Held, r.Verdict, "two in a row are allowed, and no default success rate applies:\n%s", r)
	require.Len(t, r.Checks[0].Tolerances, 2)
	tr := tolerance(t, r.Checks[0], "at most 2 consecutive errors")
	assert.Equal(t, "2 in a row", tr.Observed)
	assert.Same(t, tol, tr.Source, "Source filled in")
	assert.Equal(t, "0 of 6 missed", tolerance(t, r.Checks[0], "is even").Observed)

	r = Evaluate(h, withValues(evenly(0, 10, constLat(time.Millisecond), fails(3, 4, 5))), t0, window100)
	assert.Equal(t, Violated, r.Verdict)
	assert.True(t, r.Violated(tol), "matched by identity")
	assert.False(t, r.Violated(&streak{n: 2}), "an equal tolerance is another tolerance")
	assert.Equal(t, "violated: 10 samples, 3 errors, p99 1ms (at most 2 consecutive errors, observed 3 in a row)", r.Summary())

	odd := evenly(0, 10, constLat(time.Millisecond), nil)
	for i := range odd {
		odd[i].Value = 3
	}
	r = Evaluate(h, odd, t0, window100)
	assert.Equal(t, "violated: 10 samples, 10 errors, p99 1ms (is even, observed 10 of 10 missed, first: got 3; at most 2 consecutive errors, observed 10 in a row)", r.Summary(),
		"a value miss is an error the user's tolerance judges")
	assert.Equal(t, "is even: got 3", r.Checks[0].FirstError)

	assert.EqualError(t, New("x", Observe(fakeProbe("api"), Expect(&streak{n: -1}))).Validate(), `hypothesis "x": check 1 (api): streak n must be >= 0, got -1`)
}

type panicky struct{}

func (panicky) String() string               { return "panics" }
func (panicky) Judge(Window) ToleranceResult { panic("kaput") }

type panickyValue struct{}

func (panickyValue) String() string { return "panics on values" }
func (panickyValue) Miss(any) error { panic("kaput") }

// A panic in a user's tolerance is its own failure, not the test's: an
// inconclusive result for Judge, a miss for Miss.
func TestUserTolerancePanics(t *testing.T) {
	t.Parallel()
	r := Evaluate(one(panicky{}), evenly(0, 10, constLat(time.Millisecond), nil), t0, window100)
	assert.Equal(t, Inconclusive, r.Verdict)
	assert.Equal(t, "panics: panicked: kaput", r.Checks[0].Reason)

	r = Evaluate(one(panickyValue{}), evenly(0, 10, constLat(time.Millisecond), nil), t0, window100)
	assert.Equal(t, Violated, r.Verdict)
	assert.Equal(t, "panics on values: panicked: kaput", r.Checks[0].FirstError)
}

// Window is the read-only view a user's tolerance judges.
func TestWindowView(t *testing.T) {
	t.Parallel()
	var got Window
	spy := userWindowTolFunc(func(w Window) ToleranceResult { got = w; return ToleranceResult{Verdict: Held} })
	samples := evenly(0, 10, ramp, failFirst(3))
	samples = append(samples, samplesOf(0, spec{at: 95 * time.Millisecond, latency: 200 * time.Millisecond, flying: true})...)
	Evaluate(one(spy, RecoversWithin(20*time.Millisecond)), samples, t0, window100)
	assert.Equal(t, t0.Add(20*time.Millisecond), got.From(), "under RecoversWithin the window starts after the allowance")
	assert.Equal(t, window100, got.To())
	assert.Equal(t, 8, got.Finished())
	assert.Len(t, got.Samples(), 8, "finished samples only")
	assert.Equal(t, 1, got.InFlight())
	assert.Equal(t, 1, got.Errors())
	assert.InDelta(t, 7.0/8, got.SuccessRate(), 1e-12)
	assert.Equal(t, 200*time.Millisecond, got.LatencyP(100), "in flight, a lower bound")
	assert.Equal(t, 7*time.Millisecond, got.LatencyP(50), "nearest rank over 3..10ms and 200ms")

	got.Samples()[0].Err = errors.New("changed")
	assert.Equal(t, 1, got.Errors())
	assert.Nil(t, got.Samples()[1].Err, "Samples is a copy")

	var zero Window
	assert.Zero(t, zero.Finished())
	assert.Zero(t, zero.SuccessRate())
	assert.Zero(t, zero.LatencyP(99))
	assert.Empty(t, zero.Samples())
	assert.Equal(t, Inconclusive, SuccessRate(1).(WindowTolerance).Judge(zero).Verdict, "the package's tolerances judge a zero Window as empty")
}

type userWindowTolFunc func(Window) ToleranceResult

func (f userWindowTolFunc) String() string                 { return "spy" }
func (f userWindowTolFunc) Judge(w Window) ToleranceResult { return f(w) }
