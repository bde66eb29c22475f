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
	"github.com/go-resilience/resilience/internal/testkit/faket"
)

func TestRunHeldPasses(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		s := &system{}
		f := newFault("harmless")
		ft, rep := runExp("TestHeld", quick(s.healthy(), chaostest.Inject(f)))
		if ft.Failed() {
			t.Fatalf("a held experiment failed the test:\n%s", ft.Errors())
		}
		if rep.Status != chaostest.StatusHeld || !rep.Passed {
			t.Errorf("status %q passed %v, want held and passed", rep.Status, rep.Passed)
		}
		if f.applied.Load() != 1 || f.reverted.Load() != 1 {
			t.Errorf("applied %d, reverted %d times; want 1 and 1", f.applied.Load(), f.reverted.Load())
		}
		if len(rep.During) != 2 {
			t.Errorf("%d windows judged during a 200ms method in 100ms windows, want 2", len(rep.During))
		}
		if !rep.Before.Held() || !rep.After.Held() {
			t.Errorf("before %v after %v, want both held", rep.Before.Verdict, rep.After.Verdict)
		}
		mustContain(t, "narrative", ft.Logs(), "steady state before", "fault on: harmless", "window 1 [+0s, +100ms)", "window 2 [+100ms, +200ms)",
			"faults: harmless", "fault off (rollback): harmless", "steady state after", "verdict: held")
	})
}

func TestRunDeviatedFailsWithTimelineAndReproduction(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		s := &system{}
		f := breaks(s, "service down")
		ft, rep := runExp("TestDeviated/slow_cache", quick(s.healthy(), chaostest.Inject(f)))
		if !ft.Failed() {
			t.Fatal("a deviated experiment that expected to hold did not fail the test")
		}
		if rep.Status != chaostest.StatusDeviated || rep.Passed {
			t.Errorf("status %q passed %v, want deviated, not passed", rep.Status, rep.Passed)
		}
		if f.reverted.Load() != 1 {
			t.Errorf("reverted %d times, want 1", f.reverted.Load())
		}
		if len(rep.Deviations) == 0 || rep.Deviations[0].Phase != chaostest.PhaseDuring || rep.Deviations[0].Faults[0] != "service down" {
			t.Errorf("deviations %+v, want one during, naming the fault", rep.Deviations)
		}
		mustContain(t, "failure message", ft.Errors(),
			`experiment "fake service stays healthy": deviated`,
			"expected", "observed", "timeline", "on       service down", "off      service down", "window 1",
			`reproduce: go test ./chaostest -run '^TestDeviated$/^slow_cache$'`)
	})
}

func TestRunExpectDeviation(t *testing.T) {
	t.Parallel()
	t.Run("deviated passes", func(t *testing.T) {
		t.Parallel()
		synctest.Test(t, func(t *testing.T) {
			s := &system{}
			e := quick(s.healthy(), chaostest.Inject(breaks(s, "down")))
			e.ExpectDeviation = true
			ft, rep := runExp("TestWeakness", e)
			if ft.Failed() || !rep.Passed || rep.Status != chaostest.StatusDeviated {
				t.Errorf("status %q passed %v failed %v, want deviated and passed:\n%s", rep.Status, rep.Passed, ft.Failed(), ft.Errors())
			}
		})
	})
	t.Run("held fails", func(t *testing.T) {
		t.Parallel()
		synctest.Test(t, func(t *testing.T) {
			s := &system{}
			e := quick(s.healthy(), chaostest.Inject(newFault("harmless")))
			e.ExpectDeviation = true
			ft, rep := runExp("TestWeakness", e)
			if !ft.Failed() || rep.Passed {
				t.Fatalf("a held run that expected a deviation passed")
			}
			mustContain(t, "failure message", ft.Errors(), "expected a deviation but the hypothesis held: the weakness this test documents may be fixed")
		})
	})
}

func TestRunNotSteadyNeverRunsTheMethod(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		s := &system{}
		s.broken.Store(true)
		f := newFault("never applied")
		ft, rep := runExp("TestNotSteady", quick(s.healthy(), chaostest.Inject(f)))
		if rep.Status != chaostest.StatusNotSteady || rep.Passed || !ft.Failed() {
			t.Fatalf("status %q passed %v failed %v, want not steady and failed", rep.Status, rep.Passed, ft.Failed())
		}
		if f.applied.Load() != 0 {
			t.Errorf("the method ran although the system was not steady")
		}
		mustContain(t, "failure message", ft.Errors(), "not steady: the system was unhealthy before any fault was injected; the method never ran", "service unavailable")
	})
}

func TestRunInconclusiveNeverPasses(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		s := &system{}
		// Far more samples are required than 10ms sampling gives in 100ms.
		h := s.healthy(hypothesis.SuccessRate(1), hypothesis.MinSamples(1000))
		e := quick(h, chaostest.Inject(newFault("harmless")))
		// The gate cannot be judged either: the run is inconclusive (the system
		// was not shown to be unhealthy), and the method never runs.
		ft, rep := runExp("TestInconclusive", e)
		if rep.Passed || !ft.Failed() {
			t.Fatalf("status %q passed; an unjudgeable run must never pass", rep.Status)
		}
		if rep.Status != chaostest.StatusInconclusive {
			t.Errorf("status %q, want inconclusive: the gate could not be judged", rep.Status)
		}
		mustContain(t, "failure message", ft.Errors(), "inconclusive: the steady state before could not be judged, so the method never ran", "fewer than the 1000 required")
	})
}

func TestRunInconclusiveDuringMethod(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		s := &system{}
		// 20ms sampling gives 15 samples in the 300ms gate but only 5 in each
		// 100ms window of the method: fewer than the 10 the hypothesis requires.
		h := hypothesis.New("fake service answers",
			hypothesis.Observe(s.probe(), hypothesis.Every(20*time.Millisecond), hypothesis.Expect(hypothesis.MaxErrors(0), hypothesis.MinSamples(10))))
		f := newFault("harmless")
		e := quick(h, chaostest.Inject(f))
		e.Before = 300 * time.Millisecond
		e.After = 300 * time.Millisecond
		ft, rep := runExp("TestInconclusive", e)
		if rep.Passed || !ft.Failed() {
			t.Fatalf("status %q passed; an unjudgeable run must never pass", rep.Status)
		}
		if rep.Status != chaostest.StatusInconclusive {
			t.Errorf("status %q, want inconclusive:\n%s", rep.Status, ft.Errors())
		}
		if f.reverted.Load() != 1 {
			t.Errorf("reverted %d times, want 1", f.reverted.Load())
		}
		mustContain(t, "failure message", ft.Errors(), "inconclusive: no window violated the hypothesis, but some could not be judged")
	})
}

func TestRunJudgesSlowSamplesOnceTheyFinish(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		s := &system{}
		// While the fault is applied every probe takes 300ms: longer than a
		// window. The windows are judged on the finished samples, not on
		// lower bounds of samples still in flight.
		f := newFault("slow")
		f.onApply = func(context.Context) error { s.slow.Store(int64(300 * time.Millisecond)); return nil }
		f.onRevert = func() error { s.slow.Store(0); return nil }
		h := hypothesis.New("fake service is fast",
			hypothesis.Observe(s.probe(), hypothesis.Every(10*time.Millisecond), hypothesis.Timeout(time.Second), hypothesis.Expect(hypothesis.LatencyP(99, 50*time.Millisecond))))
		e := quick(h, chaostest.Inject(f))
		e.ExpectDeviation = true
		ft, rep := runExp("TestSlow", e)
		if rep.Status != chaostest.StatusDeviated || ft.Failed() {
			t.Fatalf("status %q, want deviated:\n%s", rep.Status, ft.Errors())
		}
		for i, w := range rep.During {
			if w.Verdict != hypothesis.Violated {
				t.Errorf("window %d: %s, want violated", i+1, w.Summary())
			}
			if p99 := w.Checks[0].P99; p99 < 250*time.Millisecond {
				t.Errorf("window %d: p99 %v under a 300ms slowdown, want >= 250ms", i+1, p99)
			}
		}
	})
}

func TestRunApplyFailureAborts(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		s := &system{}
		fs, events := order("first", "broken fault")
		fs[1].onApply = func(context.Context) error { return errors.New("connection refused") }
		m := chaostest.Together(chaostest.Inject(fs[0]), chaostest.Inject(fs[1], chaostest.At(50*time.Millisecond)))
		ft, rep := runExp("TestApplyFails", quick(s.healthy(), m))
		if rep.Status != chaostest.StatusAborted || !ft.Failed() {
			t.Fatalf("status %q failed %v, want aborted and failed", rep.Status, ft.Failed())
		}
		if got := strings.Join(events(), ", "); got != "on first, off first" {
			t.Errorf("events %q, want the first fault applied and reverted", got)
		}
		mustContain(t, "failure message", ft.Errors(), `aborted: fault "broken fault" failed to apply: connection refused`)
	})
}

func TestRunFailedRevertFailsTheTest(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		s := &system{}
		f := newFault("sticky")
		f.onRevert = func() error { return errors.New("proxy gone") }
		ft, rep := runExp("TestRevertFails", quick(s.healthy(), chaostest.Inject(f)))
		if !ft.Failed() || rep.Passed {
			t.Fatalf("a failed revert did not fail the test")
		}
		mustContain(t, "failure message", ft.Errors(), `revert of fault "sticky" failed: proxy gone`)
		if f.reverted.Load() != 1 {
			t.Errorf("revert called %d times, want exactly 1 (the cleanup must not retry it)", f.reverted.Load())
		}
	})
}

func TestRunFailFast(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		s := &system{}
		e := quick(s.healthy(), chaostest.Inject(breaks(s, "down")))
		e.Duration = 600 * time.Millisecond
		e.FailFast = true
		ft, rep := runExp("TestFailFast", e)
		if rep.Status != chaostest.StatusDeviated {
			t.Fatalf("status %q, want deviated", rep.Status)
		}
		if len(rep.During) != 1 {
			t.Errorf("%d windows judged; fail-fast must stop at the first violated one", len(rep.During))
		}
		mustContain(t, "narrative", ft.Logs(), "fail-fast: stopping the method")
		mustContain(t, "failure message", ft.Errors(), "stopped at the first violated window (fail-fast)")
	})
}

func TestRunFailFastFromEnvironment(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		t.Setenv("CHAOSTEST_FAILFAST", "1")
		s := &system{}
		e := quick(s.healthy(), chaostest.Inject(breaks(s, "down")))
		e.Duration = 600 * time.Millisecond
		_, rep := runExp("TestFailFastEnv", e)
		if len(rep.During) != 1 {
			t.Errorf("%d windows judged with %s=1, want 1", len(rep.During), "CHAOSTEST_FAILFAST")
		}
	})
}

func TestRunRecoveryAllowance(t *testing.T) {
	t.Parallel()
	// The service stays broken for 150ms after the fault is reverted.
	lingering := func(s *system) *fakeFault {
		f := breaks(s, "down, slow to recover")
		f.onRevert = func() error {
			s.lingerUntil.Store(time.Now().Add(150 * time.Millisecond).UnixNano())
			s.broken.Store(false)
			return nil
		}
		return f
	}
	t.Run("recovers within the allowance", func(t *testing.T) {
		t.Parallel()
		synctest.Test(t, func(t *testing.T) {
			s := &system{}
			e := quick(s.healthy(), chaostest.Inject(lingering(s)))
			e.ExpectDeviation = true // the method deviates; the point is the after phase
			e.Recovery = time.Second
			ft, rep := runExp("TestRecovery", e)
			if !rep.After.Held() {
				t.Fatalf("after: %v, want held within a 1s recovery allowance:\n%s", rep.After.Verdict, ft.Logs())
			}
			mustContain(t, "narrative", ft.Logs(), "recovered after")
			for _, d := range rep.Deviations {
				if d.Phase == chaostest.PhaseAfter {
					t.Errorf("a deviation after, although the system recovered within the allowance")
				}
			}
		})
	})
	t.Run("no allowance deviates after", func(t *testing.T) {
		t.Parallel()
		synctest.Test(t, func(t *testing.T) {
			s := &system{}
			f := lingering(s)
			e := quick(s.healthy(), chaostest.Inject(f))
			_, rep := runExp("TestRecovery", e)
			after := false
			for _, d := range rep.Deviations {
				after = after || d.Phase == chaostest.PhaseAfter
			}
			if !after || rep.Status != chaostest.StatusDeviated {
				t.Errorf("status %q deviations %+v, want a deviation after", rep.Status, rep.Deviations)
			}
		})
	})
}

func TestRunPanicInProbeStillReverts(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		s := &system{}
		f := newFault("makes the probe panic")
		f.onApply = func(context.Context) error { s.panicky.Store(true); return nil }
		f.onRevert = func() error { s.panicky.Store(false); return nil }
		ft, rep := runExp("TestProbePanic", quick(s.healthy(), chaostest.Inject(f)))
		if rep.Status != chaostest.StatusDeviated || !ft.Failed() {
			t.Fatalf("status %q, want deviated: a panicking probe is a failed sample", rep.Status)
		}
		if f.reverted.Load() != 1 {
			t.Errorf("reverted %d times, want 1", f.reverted.Load())
		}
		mustContain(t, "failure message", ft.Errors(), "probe exploded")
	})
}

func TestRunFailNowInsideTheMethodStillReverts(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		s := &system{}
		f := newFakeT("TestFailNow")
		fs, events := order("first", "second")
		fs[1].onApply = func(context.Context) error { f.FailNow(); return nil }
		m := chaostest.Together(chaostest.Inject(fs[0]), chaostest.Inject(fs[1], chaostest.At(50*time.Millisecond)))
		returned := false
		play(f, f, func(t chaostest.T) {
			run(t, quick(s.healthy(), m))
			returned = true
		})
		if returned || !f.FailedNow() {
			t.Fatalf("Run returned after FailNow")
		}
		if got := strings.Join(events(), ", "); got != "on first, off first" {
			t.Errorf("events %q, want the applied fault reverted", got)
		}
	})
}

func TestRunPanicInTheTestStillReverts(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		s := &system{}
		fs, events := order("first", "second")
		fs[1].onApply = func(context.Context) error { panic("the system under test panicked") }
		m := chaostest.Together(chaostest.Inject(fs[0]), chaostest.Inject(fs[1], chaostest.At(50*time.Millisecond)))
		ft, _ := runExp("TestPanic", quick(s.healthy(), m))
		if ft.Panicked() != "the system under test panicked" {
			t.Fatalf("panic %v, want the panic to reach the test", ft.Panicked())
		}
		if got := strings.Join(events(), ", "); got != "on first, off first" {
			t.Errorf("events %q, want the applied fault reverted", got)
		}
	})
}

func TestRunDeadline(t *testing.T) {
	t.Parallel()
	t.Run("refused up front", func(t *testing.T) {
		t.Parallel()
		synctest.Test(t, func(t *testing.T) {
			s := &system{}
			f := newFault("never applied")
			r := newFakeT("TestDeadline")
			dt := faket.DeadlineT{T: r, At: time.Now().Add(300 * time.Millisecond)}
			play(r, dt, func(t chaostest.T) { run(t, quick(s.healthy(), chaostest.Inject(f))) })
			if !r.FailedNow() || f.applied.Load() != 0 || s.calls.Load() != 0 {
				t.Fatalf("failNow %v, applied %d, probe calls %d: want a failure before anything starts", r.FailedNow(), f.applied.Load(), s.calls.Load())
			}
			mustContain(t, "failure message", r.Errors(), "deadline (go test -timeout) leaves", "plus 1s to roll back")
		})
	})
	t.Run("method aborted before it", func(t *testing.T) {
		t.Parallel()
		synctest.Test(t, func(t *testing.T) {
			s := &system{}
			fs, events := order("first", "hangs")
			fs[1].onApply = func(ctx context.Context) error { <-ctx.Done(); return ctx.Err() }
			m := chaostest.Together(chaostest.Inject(fs[0]), chaostest.Inject(fs[1], chaostest.At(50*time.Millisecond)))
			r := newFakeT("TestDeadline")
			deadline := time.Now().Add(2 * time.Second)
			dt := faket.DeadlineT{T: r, At: deadline}
			var rep chaostest.Report
			e := quick(s.healthy(), m)
			e.Settle = new(time.Duration(0)) // the deadline leaves no time to settle
			play(r, dt, func(t chaostest.T) { rep = run(t, e) })
			if time.Now().After(deadline) {
				t.Errorf("the experiment ended after the test's deadline")
			}
			if got := strings.Join(events(), ", "); got != "on first, off first" {
				t.Errorf("events %q, want the applied fault reverted", got)
			}
			if !r.FailedNow() {
				t.Errorf("the test was not stopped")
			}
			_ = rep
			mustContain(t, "failure message", r.Errors(), "aborted: the test's deadline (go test -timeout) is near", `"hangs" failed to apply`)
		})
	})
}
