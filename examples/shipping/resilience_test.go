package shipping_test

import (
	"context"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/go-resilience/resilience/chaostest"
	"github.com/go-resilience/resilience/examples/shipping"
	"github.com/go-resilience/resilience/fixtures/process"
	"github.com/go-resilience/resilience/hypothesis"
)

// surcharge is passed to the rate service on its command line: the rates it
// answers prove they come from the binary started with it.
const surcharge = 75

// startRates builds cmd/rates (once per test process) and runs it for the
// duration of t on an address of its own, ready once it says it listens.
// It answers at the same address after every restart.
func startRates(t *testing.T) (*process.Process, string) {
	t.Helper()
	addr := process.FreeAddr(t)
	rates := process.Start(t, process.Build(t, "./cmd/rates"),
		process.Name("rates"),
		process.Env("RATES_ADDR="+addr),
		process.Args("-surcharge", strconv.Itoa(surcharge)),
		process.ReadyLog(`^rates: listening on `),
		process.StopGrace(2*time.Second))
	return rates, "http://" + addr
}

// The steady-state hypothesis: "a checkout gets its shipping rate".
//
// A probe asks for the EU rate every 50 ms, as a checkout page would; an
// answer counts when it is the EU rate with the surcharge. The probe waits
// up to 6 s, above the robust client's 4 s retry budget: the client's own
// budget decides when a checkout gives up, not the probe.
//
//   - at least 99% of the checkouts get their rate: the robust client should
//     lose none; the margin is one unlucky request in a 20-sample window.
var (
	successRate = hypothesis.SuccessRate(0.99)
	euRate      = hypothesis.Satisfies("the EU rate with the surcharge", func(cents int) bool { return cents == 1250+surcharge })
)

func steadyState(c *shipping.Client) *hypothesis.Hypothesis {
	return hypothesis.New("a checkout gets its shipping rate",
		hypothesis.Observe(hypothesis.ProbeFunc("rate of eu", func(ctx context.Context) (any, error) {
			return c.Rate(ctx, "eu")
		}), hypothesis.Every(50*time.Millisecond), hypothesis.Timeout(6*time.Second),
			hypothesis.Expect(euRate, successRate)))
}

// The rate service crashes (SIGKILL: no graceful shutdown, connections cut)
// and comes back a second later, starting slowly (half a second more). The
// robust client rides it out within its retry budget: 1.5 s down plus a
// restart, well under 4 s. The fragile client fails every checkout while the
// service is down: the success rate of that window drops far below 99%.
func TestRatesCrashAndRestart(t *testing.T) {
	if testing.Short() {
		t.Skip("a 3 s experiment per client; skipped under -short")
	}
	for _, v := range []shipping.Variant{shipping.Robust, shipping.Fragile} {
		t.Run(v.String(), func(t *testing.T) {
			rates, url := startRates(t)
			client := shipping.NewClient(url, v)
			t.Cleanup(client.Close)
			first := rates.PID()
			step := chaostest.Inject(rates.Crash(process.SlowStart(500*time.Millisecond)), chaostest.For(time.Second))
			opts := []chaostest.Option{
				chaostest.Title("the rate service crashes and restarts"),
				chaostest.Before(time.Second),
				chaostest.Duration(3 * time.Second),
				chaostest.Window(time.Second),
				chaostest.After(time.Second),
				chaostest.Recovery(2 * time.Second),
			}
			if v == shipping.Fragile {
				opts = append(opts, chaostest.ExpectDeviation(chaostest.While(step.Fault()), chaostest.Violates(successRate)))
			}
			chaostest.Run(t, steadyState(client), step, opts...)
			assert.NotEqual(t, first, rates.PID(), "the rate service was not started again: the crash did not happen")
			if v == shipping.Robust {
				assert.Positive(t, client.Retries(), "the robust client never retried: the crash did not reach it")
			}
		})
	}
}
