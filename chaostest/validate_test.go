package chaostest_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/go-resilience/resilience/chaostest"
	"github.com/go-resilience/resilience/hypothesis"
)

type invalidFault struct{ *fakeFault }

func (invalidFault) Validate() error { return errors.New("Latency must be > 0, got -1s") }

func TestValidateNamesTheFieldBeforeAnythingStarts(t *testing.T) {
	t.Parallel()
	s := &system{}
	f := newFault("f")
	step := chaostest.Inject(f)
	valid := func() Experiment { return quick(s.healthy(), step) }
	cases := []struct {
		name string
		edit func(e *Experiment)
		want string
	}{
		{"no hypothesis", func(e *Experiment) { e.SteadyState = nil }, "steady state: required; accepted: a hypothesis built with hypothesis.New"},
		{"bad hypothesis", func(e *Experiment) {
			e.SteadyState = hypothesis.New("x", hypothesis.Observe(s.probe(), hypothesis.Every(-time.Second)))
		}, "steady state: "},
		{"no method", func(e *Experiment) { e.Method = nil }, "method: required; accepted: a Step (Inject), Together or Sequence"},
		{"no steps", func(e *Experiment) { e.Method = chaostest.Together() }, "method: no step; accepted: at least one Step"},
		{"control-relative without Control", func(e *Experiment) {
			e.SteadyState = s.healthy(hypothesis.SuccessRateRelative(hypothesis.Control, 0.01))
		}, "Control: required: the steady state has a tolerance relative to hypothesis.Control"},
		{"Control is SteadyState", func(e *Experiment) { e.Control = e.SteadyState }, "Control: must be a hypothesis of its own"},
		{"Control with other checks", func(e *Experiment) {
			e.Control = hypothesis.New("twin", hypothesis.Observe(s.probe()), hypothesis.Observe(s.probe()))
		}, "Control: must have as many checks as the steady state (1, matched by position), got 2"},
		{"bad Control", func(e *Experiment) {
			e.Control = hypothesis.New("twin", hypothesis.Observe(s.probe(), hypothesis.Timeout(-time.Second)))
		}, `Control: hypothesis "twin": check 1 (fake service): Timeout must be > 0, got -1s`},
		{"bad SteadyAfter", func(e *Experiment) {
			e.SteadyAfter = hypothesis.New("", hypothesis.Observe(s.probe()))
		}, `SteadyAfter: hypothesis: title must not be empty`},
		{"RecoversWithin in the steady state", func(e *Experiment) {
			e.SteadyState = s.healthy(hypothesis.RecoversWithin(50 * time.Millisecond))
		}, "steady state: RecoversWithin(50ms) judges a recovery, and steady state is judged before any fault too; accepted: RecoversWithin only in SteadyAfter's hypothesis"},
		{"RecoversWithin longer than After", func(e *Experiment) {
			e.SteadyAfter = s.healthy(hypothesis.RecoversWithin(time.Second))
		}, "SteadyAfter: RecoversWithin(1s) must be shorter than the After window 100ms"},
		{"negative Before", func(e *Experiment) { e.Before = -time.Second }, "Before: -1s out of range; accepted: > 0 (default 1s)"},
		{"negative Duration", func(e *Experiment) { e.Duration = -time.Second }, "Duration: -1s out of range; accepted: > 0"},
		{"negative Window", func(e *Experiment) { e.Window = -time.Second }, "Window: -1s out of range; accepted: > 0"},
		{"Window longer than Duration", func(e *Experiment) { e.Window = time.Second }, "Window: 1s is longer than the method's Duration 200ms; accepted: > 0 and <= 200ms"},
		{"Window longer than the last step", func(e *Experiment) {
			e.Duration, e.Window = 0, 5*time.Second
			e.Method = chaostest.Inject(f, chaostest.For(2*time.Second))
		}, "Window: 5s is longer than the method's Duration (the end of its last step) 2s; accepted: > 0 and <= 2s"},
		{"Every longer than a window", func(e *Experiment) {
			e.SteadyState = hypothesis.New("sparse", hypothesis.Observe(s.probe(), hypothesis.Every(150*time.Millisecond)))
		}, "steady state: check 1 (fake service): Every 150ms is longer than the shortest window (Before 100ms), which could hold no sample; accepted: Every <= 100ms, or longer windows"},
		{"negative After", func(e *Experiment) { e.After = -time.Second }, "After: -1s out of range; accepted: > 0"},
		{"negative Recovery", func(e *Experiment) { e.Recovery = -time.Second }, "Recovery: -1s out of range; accepted: >= 0"},
		{"empty Title", func(e *Experiment) { e.Title = " " }, "Title: empty; accepted: a non-empty claim"},
		{"nil reason", func(e *Experiment) { e.Reasons = []chaostest.Reason{nil} }, "ExpectDeviation: reason 1 is nil; accepted: Violates, While or NotRecovered"},
		{"Violates(nil)", func(e *Experiment) { e.Reasons = []chaostest.Reason{chaostest.Violates(nil)} }, "ExpectDeviation: reason 1: Violates: nil tolerance"},
		{"Violates a tolerance not in the hypothesis", func(e *Experiment) {
			e.Reasons = []chaostest.Reason{chaostest.Violates(hypothesis.SuccessRate(1))}
		}, `ExpectDeviation: reason 1: Violates(success rate >= 100%) is not a tolerance of the steady state "fake service is healthy", so no deviation can show it; accepted: a tolerance with the same text is, but another value: pass the very value given to hypothesis.Expect, e.g. kept in a variable`},
		{"Violates a tolerance of another hypothesis", func(e *Experiment) {
			e.Reasons = []chaostest.Reason{chaostest.Violates(hypothesis.LatencyP(99, time.Second))}
		}, `ExpectDeviation: reason 1: Violates(latency p99 <= 1s) is not a tolerance of the steady state "fake service is healthy", so no deviation can show it; accepted: pass the very value given to hypothesis.Expect, e.g. kept in a variable`},
		{"While(nil)", func(e *Experiment) { e.Reasons = []chaostest.Reason{chaostest.While(nil)} }, "ExpectDeviation: reason 1: While: nil fault"},
		{"nil fault", func(e *Experiment) { e.Method = chaostest.Inject(nil) }, "Method step 1: fault must not be nil"},
		{"negative At", func(e *Experiment) { e.Method = chaostest.Inject(f, chaostest.At(-time.Second)) }, `Method step 1 ("f"): At must be >= 0, got -1s`},
		{"negative At, default Duration", func(e *Experiment) {
			e.Duration, e.Window = 0, 0
			e.Method = chaostest.Inject(f, chaostest.At(-5*time.Second), chaostest.For(time.Second))
		}, `Method step 1 ("f"): At must be >= 0, got -5s`},
		{"negative For", func(e *Experiment) { e.Method = chaostest.Inject(f, chaostest.For(-time.Second)) }, `Method step 1 ("f"): For -1s out of range; accepted: > 0`},
		{"zero For", func(e *Experiment) { e.Method = chaostest.Inject(f, chaostest.For(0)) }, `Method step 1 ("f"): For 0s out of range; accepted: > 0`},
		{"negative For, default Duration", func(e *Experiment) {
			e.Duration, e.Window = 0, 0
			e.Method = chaostest.Inject(f, chaostest.For(-time.Second))
		}, `Method step 1 ("f"): For -1s out of range`},
		{"step past Duration", func(e *Experiment) {
			e.Method = chaostest.Inject(f, chaostest.At(150*time.Millisecond), chaostest.For(100*time.Millisecond))
		}, `Method step 1 ("f"): ends at +250ms, past the method's Duration 200ms`},
		{"step starts past Duration", func(e *Experiment) { e.Method = chaostest.Inject(f, chaostest.At(time.Second)) }, `starts at +1s, past the method's Duration 200ms`},
		{"Sequence step without For", func(e *Experiment) {
			e.Method = chaostest.Sequence(chaostest.Inject(f, chaostest.For(50*time.Millisecond)), chaostest.Inject(newFault("g")))
		}, `Method step 2 ("g"): every step in a Sequence must have a For > 0`},
		{"the same fault overlapping itself", func(e *Experiment) {
			e.Method = chaostest.Together(chaostest.Inject(f, chaostest.For(100*time.Millisecond)),
				chaostest.Inject(f, chaostest.At(50*time.Millisecond), chaostest.For(100*time.Millisecond)))
		}, `Method steps 1 and 2: the same fault "f" overlaps itself from +50ms to +100ms`},
		{"fault's own validation", func(e *Experiment) {
			e.Method = chaostest.Inject(invalidFault{newFault("bad")})
		}, `Method step 1 ("bad"): Latency must be > 0, got -1s`},
		{"FaultFunc without apply", func(e *Experiment) {
			e.Method = chaostest.Inject(chaostest.FaultFunc("nil", nil))
		}, `FaultFunc: apply must not be nil`},
		{"FaultFunc without name", func(e *Experiment) {
			e.Method = chaostest.Inject(chaostest.FaultFunc("", func(context.Context) (chaostest.Revert, error) { return nil, nil }))
		}, `FaultFunc: name empty; accepted: a non-empty name`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e := valid()
			c.edit(&e)
			err := validate(e)
			if err == nil || !strings.Contains(err.Error(), c.want) || strings.Contains(err.Error(), "\n") {
				t.Fatalf("Validate: %v, want one line containing %q", err, c.want)
			}
			calls := s.calls.Load()
			ft, _ := runExp("TestBad", e)
			if !ft.FailedNow() || !strings.Contains(ft.Errors(), c.want) {
				t.Errorf("Run: failNow %v, errors %q, want %q and FailNow", ft.FailedNow(), ft.Errors(), c.want)
			}
			if f.applied.Load() != 0 || s.calls.Load() != calls {
				t.Errorf("something started although the experiment was invalid")
			}
		})
	}
	if err := validate(valid()); err != nil {
		t.Errorf("a valid experiment: %v", err)
	}
}

func TestDefaultDuration(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		s := &system{}
		f := newFault("f")
		// The method lasts until the end of its last step: 50ms + 100ms.
		e := quick(s.healthy(), chaostest.Sequence(chaostest.Inject(f, chaostest.For(50*time.Millisecond)), chaostest.Inject(newFault("g"), chaostest.For(100*time.Millisecond))))
		e.Duration = 0
		e.Window = 0
		_, rep := runExp("TestDefaults", e)
		if rep.Status != chaostest.StatusHeld {
			t.Fatalf("status %q, want held", rep.Status)
		}
		if len(rep.During) != 1 || rep.During[0].To.Sub(rep.During[0].From) != 150*time.Millisecond {
			t.Errorf("windows %d, want one window over the whole 150ms method (Window is clamped to Duration)", len(rep.During))
		}
	})
}

func TestScheduleOrder(t *testing.T) {
	t.Parallel()
	t.Run("sequence", func(t *testing.T) {
		t.Parallel()
		fs, events := order("a", "b")
		m := chaostest.Sequence(chaostest.Inject(fs[0], chaostest.For(50*time.Millisecond)), chaostest.Inject(fs[1], chaostest.At(20*time.Millisecond), chaostest.For(50*time.Millisecond)))
		ft, rep := runExp("TestSequence", quick((&system{}).healthy(), m))
		if got := strings.Join(events(), ", "); got != "on a, off a, on b, off b" {
			t.Errorf("events %q, want each step after the previous one", got)
		}
		mustContain(t, "narrative", ft.Logs(), "fault off (schedule): a", `"b" at +20ms for 50ms`, "fault off (schedule): b")
		if rep.Status != chaostest.StatusHeld {
			t.Errorf("status %q", rep.Status)
		}
	})
	t.Run("together rolls back in reverse order", func(t *testing.T) {
		t.Parallel()
		fs, events := order("a", "b", "c")
		m := chaostest.Together(chaostest.Inject(fs[0]), chaostest.Inject(fs[1], chaostest.At(30*time.Millisecond)), chaostest.Inject(fs[2], chaostest.At(60*time.Millisecond)))
		runExp("TestTogether", quick((&system{}).healthy(), m))
		if got := strings.Join(events(), ", "); got != "on a, on b, on c, off c, off b, off a" {
			t.Errorf("events %q, want reverts in reverse order of application", got)
		}
	})
	t.Run("revert runs once although registered as a cleanup", func(t *testing.T) {
		t.Parallel()
		f := newFault("once")
		ft := newFakeT("TestOnce")
		registered := 0
		play(ft, ft, func(t chaostest.T) {
			run(t, quick((&system{}).healthy(), chaostest.Inject(f)))
			registered = ft.Cleanups()
		})
		if registered != 1 {
			t.Errorf("%d cleanups registered, want the one revert", registered)
		}
		if f.reverted.Load() != 1 {
			t.Errorf("reverted %d times, want 1", f.reverted.Load())
		}
	})
}

func TestSeedReachesFaults(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		var got int64
		f := chaostest.FaultFunc("reads the seed", func(ctx context.Context) (chaostest.Revert, error) {
			got, _ = chaostest.SeedFrom(ctx)
			return nil, nil
		})
		e := quick((&system{}).healthy(), chaostest.Inject(f))
		e.Seed = 7
		_, rep := runExp("TestSeed", e)
		if got != 7 || rep.Seed != 7 {
			t.Errorf("fault saw seed %d, report %d; want 7", got, rep.Seed)
		}
	})
}
