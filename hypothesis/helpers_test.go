package hypothesis

import (
	"context"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/go-resilience/resilience/internal/hostload"
	"github.com/go-resilience/resilience/internal/testkit/faket"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// t0 is the fixed origin of hand-made samples, so golden output is stable.
var t0 = time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)

// ctxT is a recording fake T (faket.T has no Context method) that also has
// testing.T's Context method.
type ctxT struct {
	*faket.T
	ctx context.Context
}

func (c ctxT) Context() context.Context { return c.ctx }

// golden compares got with testdata/name.golden, or rewrites it with -update.
func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name+".golden")
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatalf("update golden file: %v", err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("read golden file (run with -update to create it): %v", err)
	}
	if string(want) != got {
		t.Errorf("output differs from %s (run with -update to accept):\n--- want\n%s\n--- got\n%s", path, want, got)
	}
}

// fakeProbe is a probe whose answer is a function of nothing; tests that
// judge samples by hand do not run it.
func fakeProbe(name string) Probe {
	return ProbeFunc(name, func(context.Context) (any, error) { return nil, nil })
}

// spec describes one hand-made sample of check 0 intended at t0 + at.
type spec struct {
	at      time.Duration
	latency time.Duration
	err     string
	value   any
	flying  bool
}

func samplesOf(check int, specs ...spec) []Sample {
	out := make([]Sample, len(specs))
	for i, s := range specs {
		x := Sample{Check: check, Seq: i, Intended: t0.Add(s.at), Latency: s.latency, Value: s.value, InFlight: s.flying}
		x.Start = x.Intended
		if !s.flying {
			x.End = x.Intended.Add(s.latency)
		}
		if s.err != "" {
			x.Err = errors.New(s.err)
		}
		out[i] = x
	}
	return out
}

// evenly makes n samples of check, one every 10ms from t0, with latency
// lat(i) and error err(i) (empty for success).
func evenly(check, n int, lat func(i int) time.Duration, err func(i int) string) []Sample {
	specs := make([]spec, n)
	for i := range specs {
		specs[i] = spec{at: time.Duration(i) * 10 * time.Millisecond, latency: lat(i)}
		if err != nil {
			specs[i].err = err(i)
		}
	}
	return samplesOf(check, specs...)
}

func constLat(d time.Duration) func(int) time.Duration { return func(int) time.Duration { return d } }

func tolerance(t *testing.T, cr CheckResult, name string) ToleranceResult {
	t.Helper()
	for _, tr := range cr.Tolerances {
		if tr.Text == name {
			return tr
		}
	}
	t.Fatalf("no tolerance %q in %+v", name, cr.Tolerances)
	return ToleranceResult{}
}

// idle gives a sampler started with the returned context an idle host as
// its load source: tests on testing/synctest's fake clock must not share the
// process-wide host monitor, whose goroutine would tie their bubbles
// together.
func idle(ctx context.Context) context.Context {
	return hostload.WithSource(ctx, func() hostload.Source {
		return hostload.Fixed{Readings: 2, HostKnown: true, CPUs: 2, Busy: 0.1, SchedP99: 100 * time.Microsecond}
	})
}
