package chaostest_test

import (
	"context"
	"testing"
	"testing/synctest"
	"time"

	"github.com/go-resilience/resilience/chaostest"
	"github.com/go-resilience/resilience/hypothesis"
)

// twins are an experiment group and a control group: two fake systems,
// only the first of which the fault touches.
func twins(tol ...hypothesis.Tolerance) (exp, ctl *system, steady, control *hypothesis.Hypothesis) {
	exp, ctl = &system{}, &system{}
	check := func(s *system) hypothesis.Check {
		return hypothesis.Observe(s.probe(), hypothesis.Every(10*time.Millisecond), hypothesis.Timeout(time.Second), hypothesis.Expect(tol...))
	}
	return exp, ctl, hypothesis.New("fake service is as fast as its twin", check(exp)),
		hypothesis.New("the unfaulted twin", check(ctl))
}

// slows returns a fault that adds d to every answer of s, and of the
// others, while applied.
func slows(s *system, name string, d time.Duration, others ...*system) *fakeFault {
	all := append([]*system{s}, others...)
	f := newFault(name)
	f.onApply = func(context.Context) error {
		for _, x := range all {
			x.slow.Store(int64(d))
		}
		return nil
	}
	f.onRevert = func() error {
		for _, x := range all {
			x.slow.Store(0)
		}
		return nil
	}
	return f
}

// A fault that slows only the experiment group is caught by a tolerance
// relative to the control group; the control group's figures are shown
// side by side in the narrative, the failure message and the report.
func TestControlGroupCatchesTheFault(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		exp, _, steady, control := twins(hypothesis.SuccessRate(1), hypothesis.LatencyPRelative(99, hypothesis.Control, 2, 50*time.Millisecond))
		e := quick(steady, chaostest.Inject(slows(exp, "experiment group slow", 400*time.Millisecond)))
		e.Control = control
		ft, rep := runExp("TestControl", e)
		if rep.Status != chaostest.StatusDeviated {
			t.Fatalf("status %q, want deviated:\n%s\n%s", rep.Status, ft.Logs(), ft.Errors())
		}
		if len(rep.ControlDuring) != len(rep.During) || !rep.ControlBefore.Held() || !rep.ControlAfter.Held() {
			t.Errorf("control group results: before %v, %d windows (want %d), after %v", rep.ControlBefore.Verdict, len(rep.ControlDuring), len(rep.During), rep.ControlAfter.Verdict)
		}
		for i, c := range rep.ControlDuring {
			if !c.Held() {
				t.Errorf("control window %d: %s, want held: no fault touched it", i+1, c.Summary())
			}
		}
		mustContain(t, "narrative", ft.Logs(), "  control group: held: ", "  load: ticks started late by p90 ")
		mustContain(t, "failure message", ft.Errors(), "latency p99 <= 2 × control p99 + 50ms violated: expected <= 2 × ", "control group: held: ")
	})
}

// Noise that hits both groups (here: both twins slowed) is not the fault's
// doing: with the control group violated too, the window is inconclusive.
func TestControlGroupCancelsSharedNoise(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		exp, ctl, steady, control := twins(hypothesis.SuccessRate(1), hypothesis.LatencyP(99, 100*time.Millisecond))
		both := slows(exp, "a slow shared dependency", 400*time.Millisecond, ctl)
		e := quick(steady, chaostest.Inject(both))
		e.Control = control
		ft, rep := runExp("TestControlNoise", e)
		if rep.Status != chaostest.StatusInconclusive {
			t.Fatalf("status %q, want inconclusive:\n%s", rep.Status, ft.Logs())
		}
		mustContain(t, "failure message", ft.Errors(), "the control group, which no fault touched, was violated too")
	})
}

// A failure that outlives its fault: the after window still fails once the
// recovery allowance is spent, and the message says the failure is
// metastable.
func TestRunNotRecoveredIsNamedMetastable(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		s := &system{}
		f := breaks(s, "starts a storm")
		f.onRevert = func() error { // the system stays broken long after the fault
			s.lingerUntil.Store(time.Now().Add(time.Hour).UnixNano())
			s.broken.Store(false)
			return nil
		}
		e := quick(s.healthy(), chaostest.Inject(f))
		e.Recovery = 100 * time.Millisecond
		ft, rep := runExp("TestMetastable", e)
		if rep.Status != chaostest.StatusDeviated {
			t.Fatalf("status %q, want deviated", rep.Status)
		}
		for what, text := range map[string]string{"failure message": ft.Errors(), "narrative": ft.Logs()} {
			mustContain(t, what, text, "did not recover: every fault was reverted at +", "recovery allowance 100ms", "the failure outlives the fault that started it (a metastable failure")
		}
	})
}
