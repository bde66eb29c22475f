package chaostest_test

import (
	"context"
	"errors"
	"strings"
	"testing"
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
	valid := func() chaostest.Experiment { return quick(s.healthy(), chaostest.Steps(step)) }
	cases := []struct {
		name string
		edit func(e *chaostest.Experiment)
		want string
	}{
		{"no hypothesis", func(e *chaostest.Experiment) { e.SteadyState = nil }, "SteadyState is required"},
		{"bad hypothesis", func(e *chaostest.Experiment) {
			e.SteadyState = hypothesis.New("x", hypothesis.Observe(s.probe()).Every(-time.Second))
		}, "SteadyState: "},
		{"no steps", func(e *chaostest.Experiment) { e.Method = chaostest.Method{} }, "Method must have at least one step"},
		{"control-relative without Control", func(e *chaostest.Experiment) {
			e.SteadyState = s.healthy(hypothesis.SuccessRateRelative(hypothesis.Control, 0.01))
		}, "Control is required: SteadyState has a tolerance relative to hypothesis.Control"},
		{"Control is SteadyState", func(e *chaostest.Experiment) { e.Control = e.SteadyState }, "Control must be a hypothesis of its own"},
		{"Control with other checks", func(e *chaostest.Experiment) {
			e.Control = hypothesis.New("twin", hypothesis.Observe(s.probe()), hypothesis.Observe(s.probe()))
		}, "Control must have as many checks as SteadyState (1, matched by position), got 2"},
		{"bad Control", func(e *chaostest.Experiment) {
			e.Control = hypothesis.New("twin", hypothesis.Observe(s.probe()).Timeout(-time.Second))
		}, `Control: hypothesis "twin": check 1 (fake service): Timeout must be > 0, got -1s`},
		{"negative Before", func(e *chaostest.Experiment) { e.Before = -time.Second }, "Before must be >= 0 (0 = default), got -1s"},
		{"negative Duration", func(e *chaostest.Experiment) { e.Duration = -time.Second }, "Duration must be >= 0"},
		{"negative Window", func(e *chaostest.Experiment) { e.Window = -time.Second }, "Window must be >= 0"},
		{"negative After", func(e *chaostest.Experiment) { e.After = -time.Second }, "After must be >= 0"},
		{"negative Recovery", func(e *chaostest.Experiment) { e.Recovery = -time.Second }, "Recovery must be >= 0"},
		{"unknown Expect", func(e *chaostest.Experiment) { e.Expect = 7 }, "Expect must be ExpectHold or ExpectDeviation, got 7"},
		{"nil fault", func(e *chaostest.Experiment) { e.Method = chaostest.Steps(chaostest.Inject(nil)) }, "Method step 1: fault must not be nil"},
		{"negative At", func(e *chaostest.Experiment) { e.Method = chaostest.Steps(step.At(-time.Second)) }, `Method step 1 ("f"): At must be >= 0, got -1s`},
		{"negative For", func(e *chaostest.Experiment) { e.Method = chaostest.Steps(step.For(-time.Second)) }, `Method step 1 ("f"): For must be >= 0`},
		{"step past Duration", func(e *chaostest.Experiment) {
			e.Method = chaostest.Steps(step.At(150 * time.Millisecond).For(100 * time.Millisecond))
		},
			`Method step 1 ("f"): ends at +250ms, past the method's Duration 200ms`},
		{"step starts past Duration", func(e *chaostest.Experiment) { e.Method = chaostest.Steps(step.At(time.Second)) }, `starts at +1s, past the method's Duration 200ms`},
		{"Sequence step without For", func(e *chaostest.Experiment) {
			e.Method = chaostest.Sequence(step.For(50*time.Millisecond), chaostest.Inject(newFault("g")))
		}, `Method step 2 ("g"): every step in a Sequence must have a For > 0`},
		{"fault's own validation", func(e *chaostest.Experiment) {
			e.Method = chaostest.Steps(chaostest.Inject(invalidFault{newFault("bad")}))
		},
			`Method step 1 ("bad"): Latency must be > 0, got -1s`},
		{"FaultFunc without apply", func(e *chaostest.Experiment) {
			e.Method = chaostest.Steps(chaostest.Inject(chaostest.FaultFunc("nil", nil)))
		},
			`FaultFunc: apply must not be nil`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e := valid()
			c.edit(&e)
			err := e.Validate()
			if err == nil || !strings.Contains(err.Error(), c.want) || strings.Contains(err.Error(), "\n") {
				t.Fatalf("Validate: %v, want one line containing %q", err, c.want)
			}
			calls := s.calls.Load()
			ft, _ := runExp("TestBad", e)
			if !ft.failNow || !strings.Contains(ft.errors(), c.want) {
				t.Errorf("Run: failNow %v, errors %q, want %q and FailNow", ft.failNow, ft.errors(), c.want)
			}
			if f.applied.Load() != 0 || s.calls.Load() != calls {
				t.Errorf("something started although the experiment was invalid")
			}
		})
	}
	if err := valid().Validate(); err != nil {
		t.Errorf("a valid experiment: %v", err)
	}
}

func TestDefaultDuration(t *testing.T) {
	t.Parallel()
	s := &system{}
	f := newFault("f")
	// The method lasts until the end of its last step: 50ms + 100ms.
	e := quick(s.healthy(), chaostest.Sequence(chaostest.Inject(f).For(50*time.Millisecond), chaostest.Inject(newFault("g")).For(100*time.Millisecond)))
	e.Duration = 0
	e.Window = 0
	_, rep := runExp("TestDefaults", e)
	if rep.Status != chaostest.StatusHeld {
		t.Fatalf("status %q, want held", rep.Status)
	}
	if len(rep.During) != 1 || rep.During[0].To.Sub(rep.During[0].From) != 150*time.Millisecond {
		t.Errorf("windows %d, want one window over the whole 150ms method (Window is clamped to Duration)", len(rep.During))
	}
}

func TestScheduleOrder(t *testing.T) {
	t.Parallel()
	t.Run("sequence", func(t *testing.T) {
		t.Parallel()
		fs, events := order("a", "b")
		m := chaostest.Sequence(chaostest.Inject(fs[0]).For(50*time.Millisecond), chaostest.Inject(fs[1]).At(20*time.Millisecond).For(50*time.Millisecond))
		ft, rep := runExp("TestSequence", quick((&system{}).healthy(), m))
		if got := strings.Join(events(), ", "); got != "on a, off a, on b, off b" {
			t.Errorf("events %q, want each step after the previous one", got)
		}
		mustContain(t, "narrative", ft.log(), "fault off (schedule): a", `"b" at +20ms for 50ms`, "fault off (schedule): b")
		if rep.Status != chaostest.StatusHeld {
			t.Errorf("status %q", rep.Status)
		}
	})
	t.Run("together rolls back in reverse order", func(t *testing.T) {
		t.Parallel()
		fs, events := order("a", "b", "c")
		m := chaostest.Together(chaostest.Inject(fs[0]), chaostest.Inject(fs[1]).At(30*time.Millisecond), chaostest.Inject(fs[2]).At(60*time.Millisecond))
		runExp("TestTogether", quick((&system{}).healthy(), m))
		if got := strings.Join(events(), ", "); got != "on a, on b, on c, off c, off b, off a" {
			t.Errorf("events %q, want reverts in reverse order of application", got)
		}
	})
	t.Run("revert runs once although registered as a cleanup", func(t *testing.T) {
		t.Parallel()
		f := newFault("once")
		ft := newRecT("TestOnce")
		play(ft, ft, func(t chaostest.T) {
			chaostest.Run(t, quick((&system{}).healthy(), chaostest.Steps(chaostest.Inject(f))))
			ft.mu.Lock()
			n := len(ft.cleanups)
			ft.mu.Unlock()
			if n != 1 {
				t.Errorf("%d cleanups registered, want the one revert", n)
			}
		})
		if f.reverted.Load() != 1 {
			t.Errorf("reverted %d times, want 1", f.reverted.Load())
		}
	})
}

func TestSeedReachesFaults(t *testing.T) {
	t.Parallel()
	var got int64
	f := chaostest.FaultFunc("reads the seed", func(ctx context.Context) (chaostest.Revert, error) {
		got, _ = chaostest.SeedFrom(ctx)
		return nil, nil
	})
	e := quick((&system{}).healthy(), chaostest.Steps(chaostest.Inject(f)))
	e.Seed = 7
	_, rep := runExp("TestSeed", e)
	if got != 7 || rep.Seed != 7 {
		t.Errorf("fault saw seed %d, report %d; want 7", got, rep.Seed)
	}
}
