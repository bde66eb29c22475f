package chaostest_test

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"sort"
	"testing"
	"testing/synctest"
	"time"

	"github.com/go-resilience/resilience/chaostest"
	"github.com/go-resilience/resilience/hypothesis"
	"github.com/go-resilience/resilience/internal/testkit/faket"
)

// The journal of every outcome against Chaos Toolkit's rules
// (journal_ctk_rules_test.go), and the status and deviated flag each
// outcome maps to.

// ctkScenario is an experiment whose journal the rules are checked on, with
// chaostest's verdict and the Chaos Toolkit status and deviated expected of it.
type ctkScenario struct {
	name     string
	build    func() Experiment
	verdict  chaostest.Status
	status   string
	deviated bool
}

// lingering returns a fault that breaks s and leaves it broken for an hour
// after its revert: a failure that outlives its fault.
func lingering(s *system) *fakeFault {
	f := breaks(s, "starts a storm")
	f.onRevert = func() error {
		s.lingerUntil.Store(time.Now().Add(time.Hour).UnixNano())
		s.broken.Store(false)
		return nil
	}
	return f
}

func fastFakeService(s *system) *hypothesis.Hypothesis {
	return hypothesis.New("fake service is fast",
		hypothesis.Observe(s.probe(), hypothesis.Every(10*time.Millisecond), hypothesis.Timeout(time.Second), hypothesis.Expect(hypothesis.SuccessRate(1), hypothesis.LatencyP(99, 50*time.Millisecond))))
}

// ctkScenarios are the outcomes a journal can record, and the status and
// deviated flag Chaos Toolkit gives each (a probe "failed" when all its
// samples failed; see ctkOutcome in journal.go).
func ctkScenarios() []ctkScenario {
	return []ctkScenario{
		{"held", func() Experiment {
			s := &system{}
			return quick(s.healthy(), chaostest.Inject(newFault("harmless")))
		}, chaostest.StatusHeld, "completed", false},
		{"deviated_during", func() Experiment {
			s := &system{}
			e := quick(s.healthy(), chaostest.Inject(breaks(s, "down")))
			e.ExpectDeviation = true
			return e
		}, chaostest.StatusDeviated, "completed", false},
		{"deviated_during_fail_fast", func() Experiment {
			s := &system{}
			e := quick(s.healthy(), chaostest.Inject(breaks(s, "down")))
			e.Duration, e.FailFast, e.ExpectDeviation = 600*time.Millisecond, true, true
			return e
		}, chaostest.StatusDeviated, "failed", false},
		{"not_recovered_down", func() Experiment {
			s := &system{}
			e := quick(s.healthy(), chaostest.Inject(lingering(s)))
			e.ExpectDeviation = true
			return e
		}, chaostest.StatusDeviated, "failed", true},
		{"not_recovered_slow", func() Experiment {
			s := &system{}
			f := slows(s, "slow, for good", 300*time.Millisecond)
			f.onRevert = func() error { return nil } // the slowness outlives the fault
			e := quick(fastFakeService(s), chaostest.Inject(f))
			e.ExpectDeviation = true
			return e
		}, chaostest.StatusDeviated, "completed", true},
		{"not_steady_down", func() Experiment {
			s := &system{}
			s.broken.Store(true)
			return quick(s.healthy(), chaostest.Inject(newFault("never applied")))
		}, chaostest.StatusNotSteady, "failed", false},
		{"not_steady_slow", func() Experiment {
			s := &system{}
			s.slow.Store(int64(300 * time.Millisecond))
			return quick(fastFakeService(s), chaostest.Inject(newFault("never applied")))
		}, chaostest.StatusNotSteady, "completed", false},
		{"inconclusive_before", func() Experiment {
			s := &system{}
			h := s.healthy(hypothesis.SuccessRate(1), hypothesis.MinSamples(1000))
			return quick(h, chaostest.Inject(newFault("harmless")))
		}, chaostest.StatusInconclusive, "completed", false},
		{"inconclusive_during", func() Experiment {
			s := &system{}
			h := hypothesis.New("fake service answers",
				hypothesis.Observe(s.probe(), hypothesis.Every(20*time.Millisecond), hypothesis.Expect(hypothesis.MaxErrors(0), hypothesis.MinSamples(10))))
			e := quick(h, chaostest.Inject(newFault("harmless")))
			e.Before, e.After = 300*time.Millisecond, 300*time.Millisecond
			return e
		}, chaostest.StatusInconclusive, "completed", false},
		{"inconclusive_after", func() Experiment {
			s := &system{}
			// 15 samples in the gate and in the one window of the method,
			// 5 in the after window: fewer than the 10 required.
			h := hypothesis.New("fake service answers",
				hypothesis.Observe(s.probe(), hypothesis.Every(20*time.Millisecond), hypothesis.Expect(hypothesis.MaxErrors(0), hypothesis.MinSamples(10))))
			e := quick(h, chaostest.Inject(newFault("harmless")))
			e.Before, e.Duration, e.Window = 300*time.Millisecond, 300*time.Millisecond, 300*time.Millisecond
			return e
		}, chaostest.StatusInconclusive, "completed", true},
		{"load_only_beside_judged", func() Experiment {
			// A check that drives load against a broken dependency (every
			// sample fails) beside a judged check that holds: the load's
			// errors judge nothing, so every steady state is met.
			s, load := &system{}, &system{}
			load.broken.Store(true)
			h := hypothesis.New("fake service is healthy under load",
				hypothesis.Observe(s.probe(), hypothesis.Every(10*time.Millisecond), hypothesis.Expect(hypothesis.SuccessRate(1), hypothesis.MinSamples(3))),
				hypothesis.Observe(load.probe(), hypothesis.Every(10*time.Millisecond), hypothesis.LoadOnly()))
			return quick(h, chaostest.Inject(newFault("harmless")))
		}, chaostest.StatusHeld, "completed", false},
		{"no_expect", func() Experiment {
			// A check with no Expect is judged by the default success rate.
			s := &system{}
			h := hypothesis.New("fake service answers", hypothesis.Observe(s.probe(), hypothesis.Every(10*time.Millisecond)))
			return quick(h, chaostest.Inject(newFault("harmless")))
		}, chaostest.StatusHeld, "completed", false},
		{"inconclusive_unreached", func() Experiment {
			s := &system{}
			return quick(s.healthy(), chaostest.Inject(reaching(newFault("reaches nothing"), reachedNothing)))
		}, chaostest.StatusInconclusive, "completed", false},
		{"aborted_apply", func() Experiment {
			s := &system{}
			f := newFault("broken fault")
			f.onApply = func(context.Context) error { return errors.New("connection refused") }
			return quick(s.healthy(), chaostest.Inject(f))
		}, chaostest.StatusAborted, "aborted", false},
		{"control_group_deviated", func() Experiment {
			exp, _, steady, control := twins(hypothesis.SuccessRate(1), hypothesis.LatencyPRelative(99, hypothesis.Control, 2, 50*time.Millisecond))
			e := quick(steady, chaostest.Inject(slows(exp, "experiment group slow", 400*time.Millisecond)))
			e.Control, e.ExpectDeviation = control, true
			return e
		}, chaostest.StatusDeviated, "completed", false},
		{"control_group_shared_noise", func() Experiment {
			exp, ctl, steady, control := twins(hypothesis.SuccessRate(1), hypothesis.LatencyP(99, 100*time.Millisecond))
			both := slows(exp, "a slow shared dependency", 400*time.Millisecond, ctl)
			e := quick(steady, chaostest.Inject(both))
			e.Control = control
			return e
		}, chaostest.StatusInconclusive, "completed", false},
	}
}

// scenarioJournal runs e on a recording T and returns its report and journal.
func scenarioJournal(t *testing.T, name string, e Experiment) (chaostest.Report, []byte) {
	t.Helper()
	r := newFakeT(name)
	at := faket.ArtifactT{T: r, Dir: t.TempDir()}
	var rep chaostest.Report
	play(r, at, func(t chaostest.T) { rep = run(t, e) })
	if rep.Journal == "" {
		t.Fatalf("no journal written:\n%s", r.Errors())
	}
	b, err := os.ReadFile(rep.Journal)
	if err != nil {
		t.Fatal(err)
	}
	return rep, b
}

// TestJournalsFollowChaosToolkitRules checks the journal of every outcome
// against Chaos Toolkit's rules, and the status and deviated flag each
// outcome maps to.
func TestJournalsFollowChaosToolkitRules(t *testing.T) {
	t.Parallel()
	for _, sc := range ctkScenarios() {
		t.Run(sc.name, func(t *testing.T) {
			t.Parallel()
			synctest.Test(t, func(t *testing.T) {
				rep, raw := scenarioJournal(t, "TestCTK/"+sc.name, sc.build())
				if rep.Status != sc.verdict {
					t.Fatalf("verdict %q, want %q: the scenario did not produce its outcome", rep.Status, sc.verdict)
				}
				for _, p := range ctkProblems(raw) {
					t.Errorf("%s", p)
				}
				var j struct {
					Status   string
					Deviated bool
				}
				if err := json.Unmarshal(raw, &j); err != nil {
					t.Fatal(err)
				}
				if j.Status != sc.status || j.Deviated != sc.deviated {
					t.Errorf("status %q deviated %v, want %q and %v for a %s run", j.Status, j.Deviated, sc.status, sc.deviated, sc.verdict)
				}
				if t.Failed() {
					t.Logf("journal %s", rep.Journal)
				}
			})
		})
	}
}

// A journal rendered from a record written by hand, with no experiment
// run (a fault that reached nothing), follows Chaos Toolkit's rules too.
func TestRecordedJournalFollowsChaosToolkitRules(t *testing.T) {
	raw, err := chaostest.UnreachedJournal()
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range ctkProblems(raw) {
		t.Errorf("%s", p)
	}
	var j struct {
		Status    string
		Chaostest struct{ Verdict string }
	}
	if err := json.Unmarshal(raw, &j); err != nil {
		t.Fatal(err)
	}
	if j.Status != "completed" || j.Chaostest.Verdict != "inconclusive" {
		t.Errorf("status %q, verdict %q; want completed and inconclusive", j.Status, j.Chaostest.Verdict)
	}
}

// TestJournalsInDirectoryFollowChaosToolkitRules checks every journal in
// the directory CHAOSTEST_CHECK_JOURNALS names, e.g. after `make example`:
//
//	CHAOSTEST_CHECK_JOURNALS=$PWD/.journals go test -run TestJournalsInDirectory ./chaostest/
func TestJournalsInDirectoryFollowChaosToolkitRules(t *testing.T) {
	dir := os.Getenv(envCheckJournals)
	if dir == "" {
		t.Skipf("set %s=DIR to check the journals in DIR", envCheckJournals)
	}
	paths, err := filepath.Glob(filepath.Join(dir, "*.journal.json"))
	if err != nil {
		t.Fatal(err)
	}
	if len(paths) == 0 {
		t.Fatalf("no *.journal.json in %s=%s", envCheckJournals, dir)
	}
	sort.Strings(paths)
	for _, p := range paths {
		raw, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		for _, problem := range ctkProblems(raw) {
			t.Errorf("%s: %s", filepath.Base(p), problem)
		}
	}
	t.Logf("%d journals checked in %s", len(paths), dir)
}
