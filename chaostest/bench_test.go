package chaostest_test

import (
	"context"
	"testing"
	"time"

	"github.com/go-resilience/resilience/chaostest"
	"github.com/go-resilience/resilience/hypothesis"
)

// BenchmarkRunOverhead measures what Run adds to an experiment's wall time
// beyond the windows it declares (before, method, after): validation,
// starting and stopping the sampler, waiting for the last samples of each
// window, applying and reverting a no-op fault, the narrative and the journal.
//
// Method: an experiment of 3 × 50 ms windows with a probe that answers at
// once, every 5 ms; overhead-ms/op is the wall time per run minus the 150 ms
// declared. On 2 cores it is a few milliseconds per experiment (see
// README.md, Benchmarks).
func BenchmarkRunOverhead(b *testing.B) {
	const window = 50 * time.Millisecond
	noop := chaostest.FaultFunc("no-op", func(context.Context) (chaostest.Revert, error) {
		return func(context.Context) error { return nil }, nil
	})
	e := Experiment{
		Title: "overhead of the lifecycle",
		SteadyState: hypothesis.New("always healthy",
			hypothesis.Observe(hypothesis.ProbeFunc("noop", func(context.Context) (any, error) { return nil, nil }), hypothesis.Every(5*time.Millisecond))),
		Method: chaostest.Inject(noop),
		Before: window, Duration: window, Window: window, After: window,
	}
	declared := 3 * window
	start := time.Now()
	for b.Loop() {
		if r := run(b, e); !r.Passed {
			b.Fatalf("run did not pass: %s", r.Status)
		}
	}
	perRun := time.Since(start) / time.Duration(b.N)
	b.ReportMetric(float64(perRun-declared)/float64(time.Millisecond), "overhead-ms/op")
}
