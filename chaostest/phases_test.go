package chaostest_test

import (
	"context"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/go-resilience/resilience/chaostest"
	"github.com/go-resilience/resilience/hypothesis"
)

// A gate that cannot be judged (too few samples to decide) is inconclusive,
// never "not steady": nothing says the system was unhealthy.
func TestUndecidableGateIsInconclusiveNotUnhealthy(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		s := &system{}
		e := quick(s.healthy(hypothesis.SuccessRate(1), hypothesis.MinSamples(1000)), chaostest.Inject(newFault("f")))
		ft, rep := runExp("TestUndecidableGate", e)
		if rep.Status != chaostest.StatusInconclusive {
			t.Fatalf("status %q, want inconclusive", rep.Status)
		}
		msg := ft.Errors()
		mustContain(t, "failure message", msg, "the steady state before could not be judged, so the method never ran")
		if strings.Contains(msg, "unhealthy") {
			t.Errorf("an undecidable gate called the system unhealthy:\n%s", msg)
		}
	})
}

// ExpectDeviation with reasons passes only when a deviation shows them:
// the weakness the test documents, not a deviation by accident.
func TestExpectDeviationWantsItsReasons(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name    string
		reasons func(tol hypothesis.Tolerance, other hypothesis.Tolerance, f chaostest.Fault) []chaostest.Reason
		pass    bool
	}{
		{"any deviation", func(_, _ hypothesis.Tolerance, _ chaostest.Fault) []chaostest.Reason { return nil }, true},
		{"the violated tolerance, while the fault", func(tol, _ hypothesis.Tolerance, f chaostest.Fault) []chaostest.Reason {
			return []chaostest.Reason{chaostest.Violates(tol), chaostest.While(f)}
		}, true},
		{"a tolerance that held", func(_, held hypothesis.Tolerance, _ chaostest.Fault) []chaostest.Reason {
			return []chaostest.Reason{chaostest.Violates(held)}
		}, false},
		{"another fault", func(tol, _ hypothesis.Tolerance, _ chaostest.Fault) []chaostest.Reason {
			return []chaostest.Reason{chaostest.Violates(tol), chaostest.While(newFault("not in the method"))}
		}, false},
		{"not recovered, but it recovered", func(tol, _ hypothesis.Tolerance, _ chaostest.Fault) []chaostest.Reason {
			return []chaostest.Reason{chaostest.NotRecovered()}
		}, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			synctest.Test(t, func(t *testing.T) {
				s := &system{}
				// Same text, different values: matching is by identity.
				rate, twin, enough := hypothesis.SuccessRate(1), hypothesis.SuccessRate(1), hypothesis.MinSamples(3)
				f := breaks(s, "breaks it")
				e := quick(s.healthy(rate, enough), chaostest.Inject(f))
				e.Reasons = c.reasons(rate, enough, f)
				e.ExpectDeviation = true
				ft, rep := runExp("TestReasons", e)
				if rep.Status != chaostest.StatusDeviated {
					t.Fatalf("status %q, want deviated", rep.Status)
				}
				if rep.Passed != c.pass || ft.Failed() == c.pass {
					t.Fatalf("passed %v, failed %v; want passed %v:\n%s", rep.Passed, ft.Failed(), c.pass, ft.Errors())
				}
				if !rep.Deviated(chaostest.Violates(rate)) || rep.Deviated(chaostest.Violates(twin)) {
					t.Errorf("Report.Deviated must match the violated tolerance by identity")
				}
				if !c.pass {
					mustContain(t, "failure message", ft.Errors(), "but no deviation shows what the experiment documents")
				} else {
					// A documented weakness still tells its story under -v.
					mustContain(t, "narrative", ft.Logs(), "as documented: deviated during at +0s", "timeline (offsets from the method's start)")
				}
			})
		})
	}
}

// A system that does not recover after the rollback deviates after the
// method, and the deviation names the faults it failed to recover from.
func TestNotRecoveredNamesItsFaults(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		s := &system{}
		f := newFault("breaks it for good")
		f.onApply = func(context.Context) error {
			s.lingerUntil.Store(time.Now().Add(time.Hour).UnixNano())
			return nil
		}
		rate := hypothesis.SuccessRate(1)
		e := quick(s.healthy(rate, hypothesis.MinSamples(3)), chaostest.Inject(f, chaostest.For(50*time.Millisecond)))
		e.Reasons = []chaostest.Reason{chaostest.NotRecovered(), chaostest.Violates(rate)}
		ft, rep := runExp("TestNotRecovered", e)
		if !rep.Passed {
			t.Fatalf("status %q, passed %v:\n%s", rep.Status, rep.Passed, ft.Errors())
		}
		last := rep.Deviations[len(rep.Deviations)-1]
		if last.Phase != chaostest.PhaseAfter || len(last.Faults) != 1 || last.Faults[0] != "breaks it for good" {
			t.Errorf("after deviation %+v, want it to name the fault it did not recover from", last)
		}
	})
}

// SteadyAfter states a different claim for after the rollback: here the
// steady state tolerates errors, the after state wants none.
func TestSteadyAfterIsJudgedAfterTheRollback(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		s := &system{}
		lenient := s.healthy(hypothesis.SuccessRate(0), hypothesis.MinSamples(3))
		strict := hypothesis.New("no error once the fault is gone",
			hypothesis.Observe(s.probe(), hypothesis.Every(10*time.Millisecond), hypothesis.Expect(hypothesis.SuccessRate(1), hypothesis.MinSamples(3))))

		// The fault lingers past the rollback: the lenient steady state holds
		// throughout, the strict after state catches it.
		f := newFault("lingers")
		f.onApply = func(context.Context) error {
			s.lingerUntil.Store(time.Now().Add(time.Hour).UnixNano())
			return nil
		}
		e := quick(lenient, chaostest.Inject(f))
		e.SteadyAfter = strict
		ft, rep := runExp("TestSteadyAfter", e)
		if rep.Status != chaostest.StatusDeviated || rep.Deviations[0].Phase != chaostest.PhaseAfter {
			t.Fatalf("status %q, deviations %+v; want a deviation after the rollback:\n%s", rep.Status, rep.Deviations, ft.Errors())
		}
		mustContain(t, "narrative", ft.Logs(), `steady state after: sampling "no error once the fault is gone" (SteadyAfter)`)

		// Healthy again after the rollback: both hold.
		s2 := &system{}
		e2 := quick(s2.healthy(), chaostest.Inject(breaks(s2, "brief")))
		e2.SteadyState = s2.healthy(hypothesis.SuccessRate(0), hypothesis.MinSamples(3))
		e2.SteadyAfter = hypothesis.New("healthy after",
			hypothesis.Observe(s2.probe(), hypothesis.Every(10*time.Millisecond), hypothesis.Expect(hypothesis.SuccessRate(1))))
		if _, rep2 := runExp("TestSteadyAfterHeld", e2); rep2.Status != chaostest.StatusHeld {
			t.Errorf("status %q, want held: the after state held", rep2.Status)
		}
	})
}

// The reproduce command names the seed only when a fault read it, and
// stays one shell word whatever the test's name holds.
func TestReproduceCommand(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		for _, c := range []struct {
			name     string
			readSeed bool
			want     string
		}{
			// The package's path from the module root, so that the command works
			// from there, not only inside the package's directory.
			{"TestRepro/plain", false, `reproduce: go test ./chaostest -run '^TestRepro$/^plain$'` + "\n"},
			{"TestRepro/reads_the_seed", true, `reproduce: go test ./chaostest -run '^TestRepro$/^reads_the_seed$' -chaostest.seed=42`},
			{"TestRepro/it's_quoted", false, `reproduce: go test ./chaostest -run '^TestRepro$/^it'\''s_quoted$'`},
		} {
			s := &system{}
			f := breaks(s, "breaks it")
			var fault chaostest.Fault = f
			if c.readSeed {
				fault = chaostest.FaultFunc("reads the seed", func(ctx context.Context) (chaostest.Revert, error) {
					chaostest.SeedFrom(ctx)
					return f.Apply(ctx)
				})
			}
			ft, rep := runExp(c.name, quick(s.healthy(), chaostest.Inject(fault)))
			if rep.SeedUsed != c.readSeed {
				t.Errorf("%s: SeedUsed %v, want %v", c.name, rep.SeedUsed, c.readSeed)
			}
			if got := ft.Errors() + "\n"; !strings.Contains(got, c.want) {
				t.Errorf("%s: failure message does not contain %q:\n%s", c.name, c.want, got)
			}
		}
	})
}

// Run follows the test's context: when it ends, the method stops and the
// faults are reverted.
func TestRunFollowsTheTestContext(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		s := &system{}
		f := newFault("held until the context ends")
		ctx, cancel := context.WithCancel(withIdleHost(context.Background()))
		f.onApply = func(context.Context) error { time.AfterFunc(30*time.Millisecond, cancel); return nil }
		r := newFakeT("TestContext")
		var rep chaostest.Report
		e := quick(s.healthy(), chaostest.Inject(f))
		e.Duration, e.Window = 5*time.Second, time.Second
		play(r, r.WithContext(ctx), func(t chaostest.T) { rep = run(t, e) })
		if rep.Status != chaostest.StatusAborted || f.reverted.Load() != 1 {
			t.Errorf("status %q, reverted %d; want aborted and reverted once the test's context ended", rep.Status, f.reverted.Load())
		}
		if rep.Duration > 3*time.Second {
			t.Errorf("took %v: the 5s method did not stop with the context", rep.Duration)
		}
	})
}
