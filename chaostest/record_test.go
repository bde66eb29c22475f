package chaostest

import (
	"html"
	"strings"
	"testing"
	"time"

	"github.com/go-resilience/resilience/hypothesis"
)

// heldIn is a held result of one check over [from, to): n samples, no error.
func heldIn(from, to time.Time, n int) hypothesis.Result {
	return hypothesis.Result{
		Hypothesis: "the cache answers", Verdict: hypothesis.Held, From: from, To: to,
		Checks: []hypothesis.CheckResult{{
			Probe: "GET /items/42", Verdict: hypothesis.Held, Samples: n, SuccessRate: 1,
			P50: 3 * time.Millisecond, P99: 5 * time.Millisecond, Max: 6 * time.Millisecond,
			Tolerances: []hypothesis.ToleranceResult{{Text: "success rate >= 99%", Expected: ">= 99%", Observed: "100%", Verdict: hypothesis.Held}},
			Harness:    hypothesis.Harness{Limit: 25 * time.Millisecond},
		}},
	}
}

// unreachedRecord is the record of a run whose one fault reached nothing:
// every window held, yet the run is inconclusive. It is written by hand,
// as the runner would have written it, with no experiment run.
func unreachedRecord() *record {
	t0 := time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)
	m0 := t0.Add(1020 * time.Millisecond)
	down := stepRecord{fault: "cache: down", attributes: map[string]any{"proxy": "cache"}, start: 0, end: time.Second}
	rec := &record{
		test: "TestCache/down", title: "the service answers while its cache is down", seed: 7,
		steady: claim{title: "the cache answers", checks: []checkDecl{{probe: "GET /items/42", text: `"GET /items/42" every 25ms: success rate >= 99%`, tolerances: []string{"success rate >= 99%"}}}},
		method: `together: "cache: down" at +0s for 1s`, steps: []stepRecord{down}, expect: expectHold,
		before: time.Second, duration: time.Second, window: time.Second, after: time.Second, settle: time.Second,
		start: t0, methodStart: m0, methodEnd: m0.Add(time.Second), rollbackEnd: m0.Add(1003 * time.Millisecond),
		end: m0.Add(2050 * time.Millisecond),
		faults: []faultRecord{{
			step: down, name: "cache: down", applyStart: m0, applyEnd: m0.Add(time.Millisecond),
			revertStart: m0.Add(time.Second), revertEnd: m0.Add(1001 * time.Millisecond), revertedBy: "schedule",
			reach: &Reach{Summary: "no connection went through proxy cache while it was applied", Counts: map[string]int64{"connections": 0}},
		}},
		events: []event{{at: m0, kind: "on", text: "cache: down"}, {at: m0.Add(time.Second), kind: "off", text: "cache: down … REACHED NOTHING"}},
	}
	rec.windows = []window{{from: 0, to: time.Second, result: heldIn(m0, m0.Add(time.Second), 40), faults: []string{"cache: down"}, judged: true}}
	after := heldIn(rec.rollbackEnd, rec.rollbackEnd.Add(time.Second), 40)
	rec.afters = []hypothesis.Result{after}
	rec.rep = Report{Title: rec.title, Seed: 7, Before: heldIn(t0, t0.Add(time.Second), 40), During: []hypothesis.Result{rec.windows[0].result}, After: after}
	rec.rep.Status = rec.status()
	rec.rep.Faults = rec.faultReaches()
	rec.rep.Duration = rec.end.Sub(t0)
	return rec
}

// A fault that reached nothing makes a run inconclusive although every
// window held, and every renderer says which fault and why: the report's
// head and its table of faults, the failure message, the journal's reason.
func TestRecordOfAnUnreachedFault(t *testing.T) {
	rec := unreachedRecord()
	if rec.rep.Status != StatusInconclusive {
		t.Fatalf("status %q, want inconclusive: a fault reached nothing", rec.rep.Status)
	}
	const line = `fault "cache: down" reached nothing, so the run proves nothing about the system: no connection went through proxy cache while it was applied`
	out := html.UnescapeString(page(t, rec))
	for _, want := range []string{
		`<div class="badge failed" id="outcome">failed</div>`,
		"the run was inconclusive: a fault reached nothing, which never passes",
		line,
		"reached nothing",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("the report does not show %q", want)
		}
	}
	if h := rec.headline(); !strings.HasPrefix(h, line) {
		t.Errorf("headline %q, want the unreached fault's line", h)
	}
	mustContain(t, "failure message", rec.failureMessage(),
		`chaostest: experiment "the service answers while its cache is down": inconclusive: a fault reached nothing`, line,
		"reproduce: go test ./chaostest -run '^TestCache$/^down$'")
	j := rec.journal()
	if j.Chaostest.Verdict != "inconclusive" || !strings.HasPrefix(j.Chaostest.Reason, line) || j.Status != ctkCompleted || j.Deviated {
		t.Errorf("journal: verdict %q, reason %q, status %q, deviated %v; want inconclusive for the unreached fault, completed, not deviated",
			j.Chaostest.Verdict, j.Chaostest.Reason, j.Status, j.Deviated)
	}
	if out, ok := j.Run[0].Output.(faultOutput); !ok || out.Reach == nil || out.Reach.Reached || out.Reach.MayReachNothing {
		t.Errorf("the fault's run record does not say it reached nothing: %+v", j.Run[0].Output)
	}
}

// mustContain reports each of wants that got lacks.
func mustContain(t *testing.T, what, got string, wants ...string) {
	t.Helper()
	for _, w := range wants {
		if !strings.Contains(got, w) {
			t.Errorf("%s does not contain %q:\n%s", what, w, got)
		}
	}
}
