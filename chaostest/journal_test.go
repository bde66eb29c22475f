package chaostest_test

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/go-resilience/resilience/chaostest"
	"github.com/go-resilience/resilience/hypothesis"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// slowFault slows the fake system by 300ms while applied.
type slowFault struct{ s *system }

func (f slowFault) Name() string               { return "fake service: +300ms" }
func (f slowFault) Attributes() map[string]any { return map[string]any{"latency_ms": 300} }
func (f slowFault) Apply(context.Context) (chaostest.Revert, error) {
	f.s.slow.Store(int64(300 * time.Millisecond))
	return func(context.Context) error { f.s.slow.Store(0); return nil }, nil
}

// deviatedJournal runs an experiment that deviates and returns its journal.
func deviatedJournal(t *testing.T) (map[string]any, []byte) {
	t.Helper()
	s := &system{}
	h := hypothesis.New("fake service is fast",
		hypothesis.Observe(s.probe()).Every(20*time.Millisecond).Expect(hypothesis.SuccessRate(1), hypothesis.LatencyP(99, 50*time.Millisecond)))
	e := chaostest.Experiment{
		Title:       "fake service answers within 50ms while slowed",
		SteadyState: h,
		Method:      chaostest.Steps(chaostest.Inject(slowFault{s})),
		Before:      200 * time.Millisecond,
		Duration:    400 * time.Millisecond,
		Window:      400 * time.Millisecond,
		After:       200 * time.Millisecond,
		Expect:      chaostest.ExpectDeviation,
		Seed:        42,
	}
	r := newRecT("TestJournal/deviated")
	at := artifactT{recT: r, dir: t.TempDir()}
	var rep chaostest.Report
	play(r, at, func(t chaostest.T) { rep = chaostest.Run(t, e) })
	if r.Failed() || rep.Status != chaostest.StatusDeviated {
		t.Fatalf("status %q, want deviated:\n%s", rep.Status, r.errors())
	}
	if filepath.Dir(rep.Journal) != at.dir || filepath.Base(rep.Journal) != "TestJournal_deviated.journal.json" {
		t.Fatalf("journal at %q, want TestJournal_deviated.journal.json in the artifact directory", rep.Journal)
	}
	b, err := os.ReadFile(rep.Journal)
	if err != nil {
		t.Fatal(err)
	}
	var j map[string]any
	if err := json.Unmarshal(b, &j); err != nil {
		t.Fatalf("journal is not JSON: %v", err)
	}
	return j, b
}

// normalise replaces what differs from run to run: times, durations,
// figures, the machine; a series of samples is kept as its first element.
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
	case "duration", "latency", "lag", "p50", "p99", "max", "applied_at", "reverted_at", "sample_count", "error_count", "seq":
		return 0
	case "observed", "platform", "node", "description":
		return "<" + key + ">"
	}
	return v
}

func TestJournalGolden(t *testing.T) {
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
}

// TestJournalFields checks the journal against the field list of Chaos
// Toolkit's format that the design names.
func TestJournalFields(t *testing.T) {
	j, raw := deviatedJournal(t)
	need := func(m map[string]any, where string, keys ...string) {
		t.Helper()
		for _, k := range keys {
			if _, ok := m[k]; !ok {
				t.Errorf("%s has no %q", where, k)
			}
		}
	}
	need(j, "journal", "chaoslib-version", "platform", "node", "experiment", "start", "status", "deviated", "steady_states", "run", "rollbacks", "end", "duration")
	if j["deviated"] != true || j["status"] != "failed" {
		t.Errorf("deviated %v status %v, want true and failed", j["deviated"], j["status"])
	}
	if !bytes.Contains(raw, []byte(`"deviated": true`)) {
		t.Errorf(`the journal does not say "deviated": true`)
	}
	if _, ok := j["duration"].(float64); !ok {
		t.Errorf("duration %v is not a number of seconds", j["duration"])
	}
	for _, k := range []string{"start", "end"} {
		if _, err := time.Parse("2006-01-02T15:04:05.000000", j[k].(string)); err != nil {
			t.Errorf("%s: %v", k, err)
		}
	}
	exp := j["experiment"].(map[string]any)
	need(exp, "experiment", "title", "description", "steady-state-hypothesis", "method", "rollbacks")
	need(exp["steady-state-hypothesis"].(map[string]any), "steady-state-hypothesis", "title", "probes")
	ss := j["steady_states"].(map[string]any)
	need(ss, "steady_states", "before", "after", "during")
	checkRun := func(r map[string]any, where string) {
		t.Helper()
		need(r, where, "activity", "output", "start", "status", "end", "duration")
		if st := r["status"]; st != "succeeded" && st != "failed" {
			t.Errorf("%s: status %v, want succeeded or failed", where, st)
		}
		if r["status"] == "failed" {
			need(r, where, "exception")
		}
	}
	for _, phase := range []string{"before", "after"} {
		st := ss[phase].(map[string]any)
		need(st, phase, "steady_state_met", "probes")
		for _, p := range st["probes"].([]any) {
			checkRun(p.(map[string]any), phase+" probe")
			need(p.(map[string]any), phase+" probe", "tolerance_met")
			out := p.(map[string]any)["output"].(map[string]any)
			samples := out["samples"].([]any)
			if len(samples) == 0 {
				t.Errorf("%s: no samples in the journal", phase)
			} else {
				need(samples[0].(map[string]any), phase+" sample", "intended", "latency")
			}
		}
	}
	during := ss["during"].([]any)
	if len(during) != 1 || during[0].(map[string]any)["steady_state_met"] != false {
		t.Errorf("during: %v, want one window, not met", during)
	}
	runs := j["run"].([]any)
	if len(runs) != 1 {
		t.Fatalf("run: %d records, want 1", len(runs))
	}
	checkRun(runs[0].(map[string]any), "run")
	if out := runs[0].(map[string]any)["output"].(map[string]any); out["reverted_at"] == nil {
		t.Errorf("the fault's timing has no revert: %v", out)
	}
	rbs := j["rollbacks"].([]any)
	if len(rbs) != 1 {
		t.Fatalf("rollbacks: %d records, want 1", len(rbs))
	}
	checkRun(rbs[0].(map[string]any), "rollback")
}

func TestJournalDirectoryFromEnvironmentWinsOverArtifactDir(t *testing.T) {
	dir := t.TempDir()
	t.Setenv(chaostest.EnvJournal, dir)
	r := newRecT("TestJournal/env")
	at := artifactT{recT: r, dir: t.TempDir()}
	var rep chaostest.Report
	play(r, at, func(t chaostest.T) {
		rep = chaostest.Run(t, quick((&system{}).healthy(), chaostest.Steps(chaostest.Inject(newFault("f")))))
		// A second experiment in the same test does not overwrite the first.
		rep2 := chaostest.Run(t, quick((&system{}).healthy(), chaostest.Steps(chaostest.Inject(newFault("f")))))
		if rep2.Journal == rep.Journal || !strings.HasSuffix(rep2.Journal, "TestJournal_env.2.journal.json") {
			t.Errorf("second journal %q, first %q", rep2.Journal, rep.Journal)
		}
	})
	if filepath.Dir(rep.Journal) != dir {
		t.Errorf("journal at %q, want it in %s=%s", rep.Journal, chaostest.EnvJournal, dir)
	}
	if r.Failed() {
		t.Errorf("%s", r.errors())
	}
}
