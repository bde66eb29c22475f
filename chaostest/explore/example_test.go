package explore_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/go-resilience/resilience/chaostest"
	"github.com/go-resilience/resilience/chaostest/explore"
	"github.com/go-resilience/resilience/fixtures/netfault"
	"github.com/go-resilience/resilience/hypothesis"
)

// The default catalogue: one fault per way a dependency commonly fails.
func ExampleCatalogue() {
	for _, f := range explore.Catalogue() {
		fmt.Println(f.Name())
	}
	// Output:
	// latency 2s
	// down
	// reset
	// unresponsive
	// bandwidth 1000 Bps
	// HTTP 503
}

// Faults narrows or extends the catalogue; an option prints as it was
// written, for messages.
func ExampleFaults() {
	fmt.Println(explore.Faults(explore.Latency(800*time.Millisecond), explore.Down()))
	fmt.Println(explore.Faults(explore.Custom("30% reset", func(p *netfault.Proxy) chaostest.Fault {
		return p.ResetPeer(0, netfault.Toxicity(0.3))
	}, nil)))
	// Output:
	// Faults(latency 800ms, down)
	// Faults(30% reset)
}

// Parallel bounds how many cells run at once; an option prints as it was
// written, and a bad one is refused before any cell starts.
func ExampleParallel() {
	fmt.Println(explore.Parallel(1))
	// Output:
	// Parallel(1)
}

// Run explores a system from a test: here a service with one dependency,
// its cache, whose loss it is known not to survive yet.
func ExampleRun() {
	testFaultSpace := func(t *testing.T) {
		cache := "127.0.0.1:6379" // a Redis shared by every cell
		succeeds := hypothesis.SuccessRate(0.95)
		explore.Run(t, func(t *testing.T) explore.System {
			proxy := netfault.New(t, cache, netfault.Name("redis")) // the cell's own
			url := startService(t, proxy.Addr())
			return explore.System{
				Steady: hypothesis.New("the service answers",
					hypothesis.Observe(hypothesis.HTTPGet(url), hypothesis.Every(25*time.Millisecond),
						hypothesis.Expect(succeeds))),
				Dependencies: []explore.Dependency{explore.TCP(proxy)},
			}
		}, explore.Faults(explore.Latency(time.Second), explore.Down()),
			explore.Weakness("redis", "down", chaostest.Violates(succeeds)))
	}
	_ = testFaultSpace
}

// startService stands for the system under test, started against its cache.
func startService(t *testing.T, cacheAddr string) string {
	_ = cacheAddr
	return "http://127.0.0.1:8080"
}
