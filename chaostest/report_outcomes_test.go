package chaostest_test

import (
	"context"
	"errors"
	"os"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/go-resilience/resilience/chaostest"
	"github.com/go-resilience/resilience/hypothesis"
	"github.com/go-resilience/resilience/internal/testkit/faket"
)

// Every outcome of Run writes its report beside its journal, and the report
// says what happened: the verdict, the inconclusive reason, the fault that
// failed to apply, one circle per sample.
func TestReportOfEveryOutcome(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		name   string
		exp    func(s *system) Experiment
		status chaostest.Status
		shows  []string
	}{
		{"two checks, one broke", func(s *system) Experiment {
			// The windows table, the headline and the index do not add the
			// checks together: each has its figures, the broken one is named.
			home := hypothesis.ProbeFunc("home page", func(context.Context) (any, error) { s.calls.Add(1); return "ok", nil })
			h := hypothesis.New("the shop answers",
				hypothesis.Observe(s.probe(), hypothesis.Every(10*time.Millisecond), hypothesis.Expect(hypothesis.SuccessRate(0.99))),
				hypothesis.Observe(home, hypothesis.Every(10*time.Millisecond)))
			e := quick(h, chaostest.Inject(breaks(s, "down")))
			e.ExpectDeviation = true
			return e
		}, chaostest.StatusDeviated, []string{`<td class="num none" colspan="5">each check below</td>`,
			`<td class="mono" colspan="2">fake service</td><td><span class="v violated">violated</span>`,
			`<td class="mono" colspan="2">home page</td><td><span class="v held">held</span>`,
			"fake service: errors by kind: service unavailable ×", `<p class="headline">window 1 [&#43;0s, &#43;100ms): violated: fake service violated: `,
			"; home page held: "}},
		{"held", func(s *system) Experiment {
			return quick(s.healthy(), chaostest.Inject(newFault("harmless")))
		}, chaostest.StatusHeld, []string{`id="verdict">held</div>`, `<span class="pass">test passed</span>`, "Every tolerance held in every window."}},
		{"not steady", func(s *system) Experiment {
			s.broken.Store(true)
			return quick(s.healthy(), chaostest.Inject(newFault("never applied")))
		}, chaostest.StatusNotSteady, []string{`id="verdict">not steady</div>`, "the method never ran", "service unavailable", `class="v-violated window"`}},
		{"inconclusive", func(s *system) Experiment {
			h := hypothesis.New("fake service answers",
				hypothesis.Observe(s.probe(), hypothesis.Every(20*time.Millisecond), hypothesis.Expect(hypothesis.MaxErrors(0), hypothesis.MinSamples(10))))
			e := quick(h, chaostest.Inject(newFault("harmless")))
			e.Before, e.After = 300*time.Millisecond, 300*time.Millisecond
			return e
		}, chaostest.StatusInconclusive, []string{`id="verdict">inconclusive</div>`, `class="v-inconclusive window"`, `<span class="reason">inconclusive: `, "fewer than the 10 required", ">too few samples</text>"}},
		{"aborted", func(s *system) Experiment {
			broken := newFault("broken fault")
			broken.onApply = func(context.Context) error { return errors.New("connection refused") }
			return quick(s.healthy(), chaostest.Together(chaostest.Inject(newFault("first")), chaostest.Inject(broken, chaostest.At(50*time.Millisecond))))
		}, chaostest.StatusAborted, []string{`id="verdict">aborted</div>`, `aborted: fault &#34;broken fault&#34; failed to apply: connection refused`, "failed to apply: broken fault"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			synctest.Test(t, func(t *testing.T) {
				s := &system{}
				r := newFakeT("TestReport/" + c.name)
				dir := t.TempDir()
				var rep chaostest.Report
				play(r, faket.ArtifactT{T: r, Dir: dir}, func(t chaostest.T) { rep = run(t, c.exp(s)) })
				if rep.Status != c.status {
					t.Fatalf("status %q, want %q:\n%s", rep.Status, c.status, r.Errors())
				}
				if strings.Contains(r.Errors(), "write the report") {
					t.Fatalf("the report was not written: %s", r.Errors())
				}
				path := strings.TrimSuffix(rep.Journal, ".journal.json") + ".report.html"
				mustContain(t, "narrative", r.Logs(), "chaostest: report: "+path)
				b, err := os.ReadFile(path)
				if err != nil {
					t.Fatal(err)
				}
				out := string(b)
				mustContain(t, "report", out, c.shows...)
				if got, want := strings.Count(out, `<circle class="sample `), int(s.calls.Load()); got != want {
					t.Errorf("%d sample circles, want %d", got, want)
				}
			})
		})
	}
}
