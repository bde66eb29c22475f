package chaostest_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/go-resilience/resilience/chaostest"
	"github.com/go-resilience/resilience/hypothesis"
)

// A fault is a name and an Apply that returns its revert; FaultFunc adapts a
// function. Real faults (toxiproxy toxics, container pauses) come from the
// fixtures package.
func ExampleFaultFunc() {
	var flagOn bool
	f := chaostest.FaultFunc("feature flag off", func(ctx context.Context) (chaostest.Revert, error) {
		flagOn = true
		return func(context.Context) error { flagOn = false; return nil }, nil
	})
	revert, _ := f.Apply(context.Background())
	fmt.Println(f.Name(), flagOn)
	_ = revert(context.Background())
	fmt.Println(flagOn)
	// Output:
	// feature flag off true
	// false
}

// A Sequence applies each step after the previous one ended.
func ExampleSequence() {
	nop := func(name string) chaostest.Fault {
		return chaostest.FaultFunc(name, func(context.Context) (chaostest.Revert, error) { return nil, nil })
	}
	m := chaostest.Sequence(
		chaostest.Inject(nop("cache slow")).For(2*time.Second),
		chaostest.Inject(nop("cache down")).At(time.Second).For(time.Second),
	)
	fmt.Println(m)
	// Output: sequence: "cache slow" at +0s for 2s, "cache down" at +1s for 1s
}

// Bad input is refused before anything starts, with a one-line error naming
// the field and the accepted range.
func ExampleExperiment_Validate() {
	probe := hypothesis.ProbeFunc("ping", func(context.Context) (any, error) { return nil, nil })
	fault := chaostest.FaultFunc("slow", func(context.Context) (chaostest.Revert, error) { return nil, nil })
	e := chaostest.Experiment{
		SteadyState: hypothesis.New("pings", hypothesis.Observe(probe)),
		Method:      chaostest.Steps(chaostest.Inject(fault).At(2 * time.Second).For(2 * time.Second)),
		Duration:    3 * time.Second,
	}
	fmt.Println(e.Validate())
	// Output: Method step 1 ("slow"): ends at +4s, past the method's Duration 3s; must end at or before Duration
}

// Run is called from a test; it fails the test unless the hypothesis holds.
func ExampleRun() {
	testQueueStaysShort := func(t *testing.T) {
		probe := hypothesis.ProbeFunc("queue depth", func(context.Context) (any, error) { return 3, nil })
		var slow bool
		slowConsumer := chaostest.FaultFunc("consumer slowed", func(context.Context) (chaostest.Revert, error) {
			slow = true
			return func(context.Context) error { slow = false; return nil }, nil
		})
		rep := chaostest.Run(t, chaostest.Experiment{
			Title: "the queue stays short while a consumer is slow",
			SteadyState: hypothesis.New("queue is short",
				hypothesis.Observe(probe).Every(50*time.Millisecond).Expect(hypothesis.InRange(0, 10))),
			Method: chaostest.Steps(chaostest.Inject(slowConsumer).For(2 * time.Second)),
		})
		t.Logf("%s in %v, slow: %v", rep.Status, rep.Duration, slow)
	}
	_ = testQueueStaysShort // func TestQueueStaysShort(t *testing.T) in a _test.go file
}

// A control group: the same checks against an unfaulted twin, sampled at
// the same time, and a bound relative to it. Whatever slows both groups (a
// busy CI runner) moves the bound; only what the fault does shows.
func ExampleExperiment_control() {
	steady := func(title, url string) *hypothesis.Hypothesis {
		return hypothesis.New(title,
			hypothesis.Observe(hypothesis.HTTPGet(url)).Every(25*time.Millisecond).
				Expect(hypothesis.SuccessRateRelative(hypothesis.Control, 0.05),
					hypothesis.LatencyPRelative(99, hypothesis.Control, 2, 200*time.Millisecond)))
	}
	slowUpstream := chaostest.FaultFunc("upstream 800ms late", func(context.Context) (chaostest.Revert, error) {
		return func(context.Context) error { return nil }, nil
	})
	e := chaostest.Experiment{
		SteadyState: steady("the gateway answers as promptly as its twin", "http://127.0.0.1:8080/quotes"),
		Control:     steady("the twin, never faulted", "http://127.0.0.1:8081/quotes"),
		Method:      chaostest.Steps(chaostest.Inject(slowUpstream).For(2 * time.Second)),
	}
	fmt.Println(e.Validate())
	e.Control = nil
	fmt.Println(e.Validate())
	// Output:
	// <nil>
	// Control is required: SteadyState has a tolerance relative to hypothesis.Control, so it needs a control group to compare with
}
