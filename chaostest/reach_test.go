package chaostest_test

import (
	"context"
	"encoding/json"
	"os"
	"strings"
	"testing"

	"github.com/go-resilience/resilience/chaostest"
)

// reaching makes f register rc as its reach when it is applied.
func reaching(f *fakeFault, rc chaostest.Reach) *fakeFault {
	apply := f.onApply
	f.onApply = func(ctx context.Context) error {
		chaostest.MeasureReach(ctx, func() chaostest.Reach { return rc })
		if apply != nil {
			return apply(ctx)
		}
		return nil
	}
	return f
}

var (
	reached12 = chaostest.Reach{Reached: true, Summary: "12 connections, delayed 340 chunks",
		Counts: map[string]int64{"connections": 12, "chunks_delayed_downstream": 340}}
	reachedNothing = chaostest.Reach{Reached: false,
		Summary: "no connection went through proxy quotes (127.0.0.1:40123) while it was applied: does the service dial the upstream 127.0.0.1:8080 instead of the proxy?",
		Counts:  map[string]int64{"connections": 0}}
)

func TestReachShownWhenTheFaultIsReverted(t *testing.T) {
	t.Parallel()
	s := &system{}
	ft, rep := runExp("TestReach/reached", quick(s.healthy(), chaostest.Inject(reaching(newFault("quotes: latency 1s"), reached12))))
	if ft.Failed() || rep.Status != chaostest.StatusHeld {
		t.Fatalf("status %q, want held:\n%s", rep.Status, ft.Errors())
	}
	mustContain(t, "narrative", ft.Logs(),
		"fault on: quotes: latency 1s (applied in ",
		"fault off (rollback): quotes: latency 1s … reached 12 connections, delayed 340 chunks")
}

func TestReachOfNothingMakesTheRunInconclusive(t *testing.T) {
	t.Parallel()
	s := &system{}
	f := reaching(newFault("quotes: latency 1s"), reachedNothing)
	ft, rep := runExp("TestReach/nothing", quick(s.healthy(), chaostest.Inject(f)))
	if rep.Status != chaostest.StatusInconclusive || rep.Passed || !ft.Failed() {
		t.Fatalf("status %q passed %v failed %v, want inconclusive and a failed test:\n%s", rep.Status, rep.Passed, ft.Failed(), ft.Errors())
	}
	if len(rep.Faults) != 1 || !rep.Faults[0].Unreached() || rep.Faults[0].Reach.Summary != reachedNothing.Summary {
		t.Errorf("report's faults %+v, want the one fault, unreached", rep.Faults)
	}
	msg := ft.Errors()
	mustContain(t, "failure message", msg,
		`experiment "fake service stays healthy": inconclusive: a fault reached nothing`,
		`fault "quotes: latency 1s" reached nothing, so the run proves nothing about the system: no connection went through proxy quotes (127.0.0.1:40123) while it was applied: does the service dial the upstream 127.0.0.1:8080 instead of the proxy? (a fault meant to be quiet is injected with MayReachNothing)`,
		"off      quotes: latency 1s … REACHED NOTHING: no connection went through proxy quotes")
	if n := strings.Count(msg, "reached nothing, so the run proves nothing"); n != 1 {
		t.Errorf("the failure message says %d times that the fault reached nothing, want once:\n%s", n, msg)
	}
}

// A fault that reached nothing cannot be the cause of a deviation: an
// experiment that expects one does not get it from such a run.
func TestReachOfNothingIsNeverAnExpectedDeviation(t *testing.T) {
	t.Parallel()
	s := &system{}
	// The system breaks (as if by something else), but the fault says it
	// reached nothing.
	f := reaching(breaks(s, "quotes: down"), reachedNothing)
	e := quick(s.healthy(), chaostest.Inject(f))
	e.ExpectDeviation = true
	ft, rep := runExp("TestReach/expected", e)
	if rep.Status != chaostest.StatusInconclusive || rep.Passed || !ft.Failed() {
		t.Fatalf("status %q passed %v failed %v, want inconclusive, never the expected deviation:\n%s", rep.Status, rep.Passed, ft.Failed(), ft.Errors())
	}
	if len(rep.Deviations) == 0 {
		t.Errorf("no deviation recorded; the violated windows are still reported")
	}
	mustContain(t, "failure message", ft.Errors(), `fault "quotes: down" reached nothing`, "also observed, during, window at +0s")
}

func TestMayReachNothingJudgesAsUsual(t *testing.T) {
	t.Parallel()
	t.Run("held", func(t *testing.T) {
		t.Parallel()
		s := &system{}
		f := reaching(newFault("fallback: down"), reachedNothing)
		ft, rep := runExp("TestReach/quiet", quick(s.healthy(), chaostest.Inject(f, chaostest.MayReachNothing())))
		if ft.Failed() || rep.Status != chaostest.StatusHeld {
			t.Fatalf("status %q, want held: a quiet fault that reached nothing is judged as usual:\n%s", rep.Status, ft.Errors())
		}
		if len(rep.Faults) != 1 || rep.Faults[0].Unreached() || !rep.Faults[0].MayReachNothing || rep.Faults[0].Reach.Reached {
			t.Errorf("report's faults %+v, want the one fault, reached nothing, allowed", rep.Faults)
		}
		mustContain(t, "narrative", ft.Logs(), "fault off (rollback): fallback: down … reached nothing (allowed: MayReachNothing): no connection went through")
	})
	t.Run("deviated", func(t *testing.T) {
		t.Parallel()
		s := &system{}
		f := reaching(breaks(s, "fallback: down"), reachedNothing)
		e := quick(s.healthy(), chaostest.Inject(f, chaostest.MayReachNothing()))
		e.ExpectDeviation = true
		ft, rep := runExp("TestReach/quiet_deviated", e)
		if ft.Failed() || rep.Status != chaostest.StatusDeviated {
			t.Fatalf("status %q, want deviated as expected:\n%s", rep.Status, ft.Errors())
		}
	})
	if got := chaostest.Inject(newFault("x"), chaostest.MayReachNothing()).String(); !strings.HasSuffix(got, "(may reach nothing)") {
		t.Errorf("step %s does not say it may reach nothing", got)
	}
}

// A fault that measures no reach is never held against the run.
func TestReachNotMeasuredIsNoEvidenceAgainst(t *testing.T) {
	t.Parallel()
	s := &system{}
	ft, rep := runExp("TestReach/unknown", quick(s.healthy(), chaostest.Inject(newFault("legacy fault"))))
	if ft.Failed() || rep.Status != chaostest.StatusHeld {
		t.Fatalf("status %q, want held:\n%s", rep.Status, ft.Errors())
	}
	if strings.Contains(ft.Logs(), "reached") {
		t.Errorf("the narrative speaks of a reach the fault never measured:\n%s", ft.Logs())
	}
}

// Outside an experiment MeasureReach does nothing.
func TestMeasureReachOutsideAnExperiment(t *testing.T) {
	t.Parallel()
	chaostest.MeasureReach(context.Background(), func() chaostest.Reach { panic("called outside an experiment") })
}

func TestReachInJournalAndReport(t *testing.T) {
	t.Parallel()
	s := &system{}
	e := quick(s.healthy(), chaostest.Together(
		chaostest.Inject(reaching(newFault("quotes: latency 1s"), reached12)),
		chaostest.Inject(reaching(newFault("fallback: down"), reachedNothing), chaostest.MayReachNothing()),
	))
	rep, raw := scenarioJournal(t, "TestReach/journal", e)
	if rep.Status != chaostest.StatusHeld {
		t.Fatalf("status %q, want held", rep.Status)
	}
	for _, p := range ctkProblems(raw) {
		t.Errorf("%s", p)
	}
	var j struct {
		Run []struct {
			Activity struct{ Name string }
			Output   struct {
				Reach *struct {
					Reached         bool             `json:"reached"`
					Summary         string           `json:"summary"`
					Counts          map[string]int64 `json:"counts"`
					MayReachNothing bool             `json:"may_reach_nothing"`
				} `json:"reach"`
			}
		}
	}
	if err := json.Unmarshal(raw, &j); err != nil {
		t.Fatal(err)
	}
	withReach := 0
	for _, r := range j.Run {
		got := r.Output.Reach
		if got == nil {
			continue // a window's probe record
		}
		withReach++
		switch r.Activity.Name {
		case "quotes: latency 1s":
			if !got.Reached || got.Summary != reached12.Summary || got.Counts["chunks_delayed_downstream"] != 340 || got.MayReachNothing {
				t.Errorf("reach of %s: %+v, want %+v", r.Activity.Name, got, reached12)
			}
		case "fallback: down":
			if got.Reached || !got.MayReachNothing || got.Counts["connections"] != 0 {
				t.Errorf("reach of %s: %+v, want reached nothing, allowed", r.Activity.Name, got)
			}
		}
	}
	if withReach != 2 {
		t.Errorf("%d run records with a reach, want the two faults':\n%s", withReach, raw)
	}
	page, err := os.ReadFile(strings.TrimSuffix(rep.Journal, ".journal.json") + ".report.html")
	if err != nil {
		t.Fatal(err)
	}
	mustContain(t, "report", string(page), `<table id="faults">`,
		`<span class="v held">reached</span> 12 connections, delayed 340 chunks`,
		`<span class="v quiet">reached nothing (MayReachNothing)</span> no connection went through proxy quotes`)
}

func TestUnreachedRunReportAndJournalSayWhy(t *testing.T) {
	t.Parallel()
	s := &system{}
	rep, raw := scenarioJournal(t, "TestReach/unreached_journal", quick(s.healthy(), chaostest.Inject(reaching(newFault("quotes: latency 1s"), reachedNothing))))
	if rep.Status != chaostest.StatusInconclusive {
		t.Fatalf("status %q, want inconclusive", rep.Status)
	}
	var j struct {
		Chaostest struct{ Reason string }
	}
	if err := json.Unmarshal(raw, &j); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(j.Chaostest.Reason, `fault "quotes: latency 1s" reached nothing`) {
		t.Errorf("journal reason %q, want the fault that reached nothing", j.Chaostest.Reason)
	}
	page, err := os.ReadFile(strings.TrimSuffix(rep.Journal, ".journal.json") + ".report.html")
	if err != nil {
		t.Fatal(err)
	}
	mustContain(t, "report", string(page), "the run was inconclusive: a fault reached nothing",
		`<p class="headline">fault &#34;quotes: latency 1s&#34; reached nothing`,
		`<span class="v inconclusive">reached nothing</span>`)
}
