package chaostest_test

import (
	"fmt"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/go-resilience/resilience/chaostest"
	"github.com/go-resilience/resilience/internal/testkit/faket"
)

// Twenty experiments at once, half of them breaking their own fake
// service: each sees only its own fault, probes and verdict.
func TestTwentyParallelExperiments(t *testing.T) {
	t.Parallel()
	synctest.Test(t, twentyParallelExperiments)
}

func twentyParallelExperiments(t *testing.T) {
	const n = 20
	type outcome struct {
		sys   *system
		fault *fakeFault
		rep   chaostest.Report
		ft    *faket.T
	}
	outs := make([]*outcome, n)
	dir := t.TempDir()
	var wg sync.WaitGroup
	for i := range n {
		o := &outcome{sys: &system{}}
		outs[i] = o
		breaking := i%2 == 0
		name := fmt.Sprintf("experiment_%02d", i)
		if breaking {
			o.fault = breaks(o.sys, name)
		} else {
			o.fault = newFault(name)
		}
		e := quick(o.sys.healthy(), chaostest.Inject(o.fault))
		e.Title = name
		e.Seed = int64(i + 1)
		e.ExpectDeviation = breaking
		e.After = 150 * time.Millisecond
		o.ft = newFakeT("TestTwentyParallelExperiments/" + name)
		wg.Go(func() {
			play(o.ft, faket.ArtifactT{T: o.ft, Dir: dir}, func(t chaostest.T) { o.rep = run(t, e) })
		})
	}
	wg.Wait()
	journals := map[string]bool{}
	for i, o := range outs {
		want := chaostest.StatusHeld
		if i%2 == 0 {
			want = chaostest.StatusDeviated
		}
		if o.rep.Status != want || !o.rep.Passed || o.rep.Seed != int64(i+1) || o.rep.Title != fmt.Sprintf("experiment_%02d", i) {
			t.Errorf("experiment %d: status %q passed %v seed %d title %q, want %q, its own seed and title", i, o.rep.Status, o.rep.Passed, o.rep.Seed, o.rep.Title, want)
		}
		if o.ft.Failed() {
			t.Errorf("experiment %d failed its test:\n%s", i, o.ft.Errors())
		}
		if o.fault.applied.Load() != 1 || o.fault.reverted.Load() != 1 {
			t.Errorf("experiment %d: applied %d reverted %d, want 1 and 1", i, o.fault.applied.Load(), o.fault.reverted.Load())
		}
		for _, d := range o.rep.Deviations {
			if len(d.Faults) != 1 || d.Faults[0] != fmt.Sprintf("experiment_%02d", i) {
				t.Errorf("experiment %d: deviation names faults %v, not its own", i, d.Faults)
			}
		}
		if o.rep.Journal == "" || journals[o.rep.Journal] {
			t.Errorf("experiment %d: journal %q missing or shared", i, o.rep.Journal)
		}
		journals[o.rep.Journal] = true
	}
}
