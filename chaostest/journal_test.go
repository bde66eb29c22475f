package chaostest_test

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/go-resilience/resilience/chaostest"
	"github.com/go-resilience/resilience/hypothesis"
	"github.com/go-resilience/resilience/internal/testkit/faket"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// slowFault slows the fake system by 300ms while applied.
type slowFault struct{ s *system }

func (f slowFault) Name() string               { return "fake service: +300ms" }
func (f slowFault) Attributes() map[string]any { return map[string]any{"latency_ms": 300} }
func (f slowFault) Apply(ctx context.Context) (chaostest.Revert, error) {
	chaostest.MeasureReach(ctx, func() chaostest.Reach {
		return chaostest.Reach{Reached: true, Summary: "every probe call, slowed by 300ms", Counts: map[string]int64{"faults_applied": 1}}
	})
	time.Sleep(faultTakes)
	f.s.slow.Store(int64(300 * time.Millisecond))
	return func(context.Context) error { time.Sleep(faultTakes); f.s.slow.Store(0); return nil }, nil
}

// deviatedJournal runs an experiment that deviates and returns its journal.
func deviatedJournal(t *testing.T) (map[string]any, []byte) {
	t.Helper()
	s := &system{}
	h := hypothesis.New("fake service is fast",
		hypothesis.Observe(s.probe(), hypothesis.Every(20*time.Millisecond), hypothesis.Expect(hypothesis.SuccessRate(1), hypothesis.LatencyP(99, 50*time.Millisecond))))
	e := Experiment{
		Title:           "fake service answers within 50ms while slowed",
		SteadyState:     h,
		Method:          chaostest.Inject(slowFault{s}),
		Before:          200 * time.Millisecond,
		Duration:        400 * time.Millisecond,
		Window:          400 * time.Millisecond,
		After:           200 * time.Millisecond,
		ExpectDeviation: true,
		Seed:            42,
	}
	r := newFakeT("TestJournal/deviated")
	at := faket.ArtifactT{T: r, Dir: t.TempDir()}
	var rep chaostest.Report
	play(r, at, func(t chaostest.T) { rep = run(t, e) })
	if r.Failed() || rep.Status != chaostest.StatusDeviated {
		t.Fatalf("status %q, want deviated:\n%s", rep.Status, r.Errors())
	}
	if d := os.Getenv("CHAOSTEST_JOURNAL"); d != "" {
		// CHAOSTEST_JOURNAL wins (TestJournalDirectoryFromEnvironmentWinsOverArtifactDir).
		if filepath.Dir(rep.Journal) != d {
			t.Fatalf("journal at %q, want it in %s=%s", rep.Journal, "CHAOSTEST_JOURNAL", d)
		}
	} else if filepath.Dir(rep.Journal) != at.Dir || filepath.Base(rep.Journal) != "TestJournal_deviated.journal.json" {
		t.Fatalf("journal at %q, want TestJournal_deviated.journal.json in the artifact directory", rep.Journal)
	}
	b, err := os.ReadFile(rep.Journal)
	if err != nil {
		t.Fatal(err)
	}
	var j map[string]any
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber() // keeps 2.0 apart from 2
	if err := dec.Decode(&j); err != nil {
		t.Fatalf("journal is not JSON: %v", err)
	}
	return j, b
}

// normalise replaces what differs from run to run: times, durations,
// figures, the machine, the package's directory; a series of samples is
// kept as its first element. A figure keeps its form: 0.0 for a float, 0
// for an integer.
func normalise(v any, key string) any {
	switch key {
	case "harness", "load": // the test machine's figures
		return "<" + key + ">"
	}
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			x[k] = normalise(e, k)
		}
		return x
	case []any:
		if key == "samples" && len(x) > 0 {
			return []any{normalise(x[0], "")}
		}
		for i, e := range x {
			x[i] = normalise(e, "")
		}
		return x
	}
	switch key {
	case "start", "end", "intended", "method_start":
		return "<time>"
	case "duration", "latency", "lag", "p50", "p99", "max", "applied_at", "reverted_at", "offset", "sample_count", "error_count", "seq", "slot_wait", "slots":
		if n, ok := v.(json.Number); ok && strings.ContainsAny(n.String(), ".eE") {
			return json.Number("0.0")
		}
		return json.Number("0")
	case "observed", "platform", "node", "description", "reason":
		return "<" + key + ">"
	}
	return v
}

func TestJournalGolden(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		j, _ := deviatedJournal(t)
		var buf bytes.Buffer
		enc := json.NewEncoder(&buf)
		enc.SetEscapeHTML(false)
		enc.SetIndent("", "  ")
		if err := enc.Encode(normalise(j, "")); err != nil {
			t.Fatal(err)
		}
		got := buf.Bytes()
		golden := filepath.Join("testdata", "deviated.journal.golden.json")
		if *update {
			if err := os.WriteFile(golden, got, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		want, err := os.ReadFile(golden)
		if err != nil {
			t.Fatalf("%v (run with -update to create it)", err)
		}
		if !bytes.Equal(bytes.TrimSpace(got), bytes.TrimSpace(want)) {
			t.Errorf("journal differs from %s (run with -update to accept):\n%s", golden, got)
		}
	})
}

// TestJournalFields checks the deviated journal's fields: Chaos Toolkit's
// with its meanings (a deviation during the method, recovered after, is
// not Chaos Toolkit's "deviated"), and chaostest's under "chaostest".
func TestJournalFields(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		j, raw := deviatedJournal(t)
		for _, p := range ctkProblems(raw) {
			t.Errorf("%s", p)
		}
		if j["deviated"] != false || j["status"] != "completed" {
			t.Errorf("deviated %v status %v, want false and completed: the steady state after held", j["deviated"], j["status"])
		}
		x := j["chaostest"].(map[string]any)
		if x["verdict"] != "deviated" || x["passed"] != true || x["test"] != "TestJournal/deviated" || x["seed"] != json.Number("42") {
			t.Errorf("chaostest: %v, want verdict deviated, passed, test TestJournal/deviated, seed 42", x)
		}
		if r, _ := x["reason"].(string); !strings.HasPrefix(r, "during +0s: fake service violated (latency p99 <= 50ms: expected <= 50ms, observed ") {
			t.Errorf("chaostest.reason %q, want the violated window and tolerance", r)
		}
		for _, re := range []string{`"duration": \d+\.\d+,`, `"applied_at": \d+\.\d+`, `"tolerance": 0,`, `"status": 1,`} {
			if !regexp.MustCompile(re).Match(raw) {
				t.Errorf("the journal has no %s", re)
			}
		}
		for _, k := range []string{"start", "end"} {
			if _, err := time.Parse("2006-01-02T15:04:05.000000-07:00", j[k].(string)); err != nil || !strings.HasSuffix(j[k].(string), "+00:00") {
				t.Errorf("%s %q: want UTC with +00:00, as chaoslib 1.45 writes it (%v)", k, j[k], err)
			}
		}
		ss := j["steady_states"].(map[string]any)
		during := ss["during"].([]any)
		if len(during) != 1 || during[0].(map[string]any)["steady_state_met"] != false {
			t.Fatalf("during: %v, want one window, not met", during)
		}
		probe := during[0].(map[string]any)["probes"].([]any)[0].(map[string]any)
		tols := probe["activity"].(map[string]any)["chaostest"].(map[string]any)["tolerances"]
		if fmt.Sprint(tols) != "[success rate >= 100% latency p99 <= 50ms]" {
			t.Errorf("the probe's tolerances under chaostest: %v", tols)
		}
		if probe["tolerance_met"] != false || probe["output"].(map[string]any)["status"] != json.Number("1") {
			t.Errorf("the violated window's probe: tolerance_met %v, output status %v; want false and 1", probe["tolerance_met"], probe["output"].(map[string]any)["status"])
		}
		var runs, windows []map[string]any
		for _, rec := range j["run"].([]any) {
			rec := rec.(map[string]any)
			if rec["activity"].(map[string]any)["type"] == "probe" {
				windows = append(windows, rec)
			} else {
				runs = append(runs, rec)
			}
		}
		if len(runs) != 1 {
			t.Fatalf("run: %d fault records, want 1", len(runs))
		}
		if out := runs[0]["output"].(map[string]any); out["reverted_at"] == nil {
			t.Errorf("the fault's timing has no revert: %v", out)
		}
		// The judged window is a probe of the method too, so that "chaos
		// report", which shows only run[], shows the deviation.
		if len(windows) != 1 {
			t.Fatalf("run: %d window records, want 1 per judged window", len(windows))
		}
		w := windows[0]
		out := w["output"].(map[string]any)
		if w["status"] != "succeeded" || w["tolerance_met"] != false || out["status"] != json.Number("1") || out["verdict"] != "violated" {
			t.Errorf("the violated window's record: status %v, tolerance_met %v, output status %v verdict %v; want succeeded, false, 1, violated",
				w["status"], w["tolerance_met"], out["status"], out["verdict"])
		}
		if name, _ := w["activity"].(map[string]any)["name"].(string); !strings.HasPrefix(name, "window +0s..+400ms: ") {
			t.Errorf("window record named %q", name)
		}
		if rbs := j["rollbacks"].([]any); len(rbs) != 1 {
			t.Fatalf("rollbacks: %d records, want 1", len(rbs))
		}
	})
}

func TestJournalDirectoryFromEnvironmentWinsOverArtifactDir(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		dir := t.TempDir()
		t.Setenv("CHAOSTEST_JOURNAL", dir)
		r := newFakeT("TestJournal/env")
		at := faket.ArtifactT{T: r, Dir: t.TempDir()}
		var rep chaostest.Report
		play(r, at, func(t chaostest.T) {
			rep = run(t, quick((&system{}).healthy(), chaostest.Inject(newFault("f"))))
			// A second experiment in the same test does not overwrite the first.
			rep2 := run(t, quick((&system{}).healthy(), chaostest.Inject(newFault("f"))))
			if rep2.Journal == rep.Journal || !strings.HasSuffix(rep2.Journal, "TestJournal_env.2.journal.json") {
				t.Errorf("second journal %q, first %q", rep2.Journal, rep.Journal)
			}
		})
		if filepath.Dir(rep.Journal) != dir {
			t.Errorf("journal at %q, want it in %s=%s", rep.Journal, "CHAOSTEST_JOURNAL", dir)
		}
		if r.Failed() {
			t.Errorf("%s", r.Errors())
		}
	})
}
