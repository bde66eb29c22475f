package inventory_test

import (
	"bytes"
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"google.golang.org/grpc/codes"

	"github.com/go-resilience/resilience/chaostest"
	"github.com/go-resilience/resilience/examples/inventory"
	"github.com/go-resilience/resilience/fixtures/grpcfault"
	"github.com/go-resilience/resilience/hypothesis"
)

// The steady-state hypothesis: "the stock service answers at once, with a
// count or an explicit fallback, and asks its upstream no more than its own
// clients ask it".
//
//   - A probe asks for a count every 25 ms (40 requests a second); an
//     answer is good when it is a count (200) or an explicit fallback (503
//     with X-Fallback and Retry-After): at least 95% good, p99 at most
//     300 ms (a healthy answer takes a few milliseconds; the robust
//     service's worst is three attempts and 25 + 50 ms of backoff).
//   - The upstream's request rate, as its front door counts the calls
//     (grpcfault.Proxy.Calls: calls the proxy answers for the upstream
//     count too), taken over 500 ms every 100 ms: at most 200 calls a
//     second, five times the probe's 40. The margin, from the mechanism:
//     the robust service makes at most 3 attempts per request (120 a
//     second if its budget allowed every retry); its budget stops retries
//     after 5 failures more than a tenth of the successes, so while its
//     upstream sheds load it makes about one call per request, 40 a second.
//     The fragile one makes 1/(1-share) attempts per request on average: 20
//     at a 95% share, 800 a second, four times the bound; for a 500 ms
//     rate to stay under 200 the 20 requests in it would need to average
//     under 5 attempts where 20 are expected (each attempt fails with
//     probability 0.95: a negative binomial tail under 1e-9 per sample).
//     A busy machine slows each attempt, never the count of attempts a
//     request needs, and the probe's rate with it on both sides.
var (
	successRate    = hypothesis.SuccessRate(0.95)
	p99            = hypothesis.LatencyP(99, 300*time.Millisecond)
	upstreamRate   = hypothesis.InRange(0, 200)
	countOrFallbck = hypothesis.Satisfies("a count or an explicit fallback", func(r hypothesis.HTTPResponse) bool {
		switch r.Status {
		case http.StatusOK:
			return bytes.Contains(r.Body, []byte(`"stock"`))
		case http.StatusServiceUnavailable:
			return r.Header.Get(inventory.HeaderFallback) == "true" && r.Header.Get("Retry-After") != ""
		}
		return false
	})
)

// warmUp makes one request, so that the steady state before is judged on a
// service whose gRPC connection to its upstream is up, not on its first
// connection.
func warmUp(t *testing.T, url string) {
	t.Helper()
	resp, err := http.Get(url + "/stock/SKU-42")
	require.NoError(t, err)
	_ = resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)
}

func steadyState(t *testing.T, url string, upstream *grpcfault.Proxy) *hypothesis.Hypothesis {
	t.Helper()
	client := &http.Client{}
	t.Cleanup(client.CloseIdleConnections)
	calls := func(context.Context) (float64, error) { return float64(upstream.Calls()), nil }
	return hypothesis.New("the stock service answers at once and asks its upstream no more than it is asked",
		hypothesis.Observe(hypothesis.HTTPGet(url+"/stock/SKU-42",
			hypothesis.ProbeName("GET /stock/SKU-42"), hypothesis.WithClient(client),
			hypothesis.AcceptStatus(http.StatusOK, http.StatusServiceUnavailable)),
			hypothesis.Every(25*time.Millisecond),
			hypothesis.Timeout(2*time.Second),
			hypothesis.Expect(countOrFallbck, successRate, p99)),
		hypothesis.Observe(hypothesis.Rate("calls/s to the inventory upstream", calls, 500*time.Millisecond),
			hypothesis.Every(100*time.Millisecond),
			hypothesis.Expect(upstreamRate)))
}

// Real-world event: the inventory upstream sheds load: it answers
// UNAVAILABLE to 95% of the calls, at once (an overloaded server behind a
// load balancer, an instance draining). A TCP fault cannot say this; a gRPC
// fault proxy answers the status as a real server does, in its trailers.
//
// Blast radius: the stock service's calls to /inventory.v1.Inventory/*, 95%
// of them, drawn from the experiment's seed (a failed run replays with the
// -chaostest.seed its message prints), for the whole 2 s method.
//
// Expected: the robust service retries a little, then its budget stops the
// retries and it answers with its fallback: its clients see counts or
// fallbacks, and its upstream sees no more calls than before. The fragile
// service retries at once until a call gets through: its clients see
// counts, a little late, and its upstream sees twenty times the calls, the
// retry storm that keeps an overloaded server overloaded; the tolerance on
// the upstream's request rate catches it.
func TestInventoryWhenUpstreamShedsLoad(t *testing.T) {
	for _, v := range []inventory.Variant{inventory.Robust, inventory.Fragile} {
		t.Run(v.String(), func(t *testing.T) {
			proxy := grpcfault.New(t, inventory.StartUpstream(t), grpcfault.Name("inventory"))
			svc := inventory.Start(t, inventory.Config{Variant: v, UpstreamAddr: proxy.Addr()})
			warmUp(t, svc.URL) // a service in its steady state is connected to its upstream
			shedding := chaostest.Inject(proxy.Status("/inventory.v1.Inventory/*", codes.Unavailable, grpcfault.Share(0.95)),
				chaostest.For(2*time.Second))
			opts := []chaostest.Option{
				chaostest.Title("the stock service answers at once and does not storm its upstream while the upstream sheds 95% of calls"),
				chaostest.Duration(2 * time.Second),
				chaostest.Before(time.Second),
				chaostest.Window(time.Second),
				chaostest.After(time.Second),
				chaostest.Recovery(2 * time.Second),
			}
			if v == inventory.Fragile {
				opts = append(opts, chaostest.ExpectDeviation(chaostest.While(shedding.Fault()), chaostest.Violates(upstreamRate)))
			}
			chaostest.Run(t, steadyState(t, svc.URL, proxy), shedding, opts...)
			if v == inventory.Robust {
				assert.Positive(t, svc.Fallbacks(), "the robust service never answered with a fallback: the fault did not reach it")
			}
		})
	}
}
