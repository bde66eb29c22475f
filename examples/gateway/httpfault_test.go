package gateway_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/go-resilience/resilience/chaostest"
	"github.com/go-resilience/resilience/examples/gateway"
	"github.com/go-resilience/resilience/fixtures/httpfault"
	"github.com/go-resilience/resilience/hypothesis"
)

// Real-world event: the upstream is flaky at the HTTP level (an overloaded
// instance behind its load balancer, a bad deploy on some of its pods): it
// answers 503 to 30% of the quote requests, at once. A TCP fault cannot say
// this; an HTTP fault proxy can.
//
// Blast radius: the gateway's GET /quotes/* requests to the upstream, 30% of
// them, drawn from the experiment's seed (a failed run replays with the
// -chaostest.seed its message prints), for the whole 2 s method.
//
// Expected: the robust gateway treats a 503 as a failed call: it answers
// with its explicit fallback (503, X-Fallback, Retry-After), which the
// steady state counts as good, and its breaker opens after three failures
// in a row. The fragile gateway passes the failure on as a 502.
//
// Why the thresholds hold with wide margins, from the mechanism:
//   - success rate >= 95%: the robust gateway answers every request with a
//     quote or a fallback, 100% good; the fragile one turns each hit
//     request into a 502, about 30% of a window's 40 probes. For it to reach
//     95% a window would need at most 2 hits in 40 where 12 are expected
//     (a binomial tail of about 1e-4 per window, and both windows would
//     have to), so it is caught by errors, never by timing.
//   - p99 <= 300 ms: no timeout is involved: a 503 arrives at once, and
//     every answer costs one loopback call, a few milliseconds, a hundred
//     times under the bound even on a busy machine.
func TestGatewayWhenUpstreamAnswers503ToSomeRequests(t *testing.T) {
	for _, v := range []gateway.Variant{gateway.Robust, gateway.Fragile} {
		t.Run(v.String(), func(t *testing.T) {
			proxy := httpfault.New(t, gateway.StartUpstream(t), httpfault.Name("quotes"))
			gw := gateway.Start(t, gateway.Config{Variant: v, UpstreamURL: proxy.URL()})
			flaky := chaostest.Inject(proxy.Respond(http.StatusServiceUnavailable,
				httpfault.Share(0.3), httpfault.Method(http.MethodGet), httpfault.Path("/quotes/*")),
				chaostest.For(2*time.Second))
			chaostest.Run(t, steadyState(t, gw.URL), flaky,
				gatewayOptions("the gateway answers with a quote or a fallback while the upstream answers 503 to 30% of requests",
					v, flaky, []hypothesis.Tolerance{successRate})...)
			if v == gateway.Robust {
				assert.Positive(t, gw.Fallbacks(), "the robust gateway never answered with a fallback: the fault did not reach it")
			}
		})
	}
}
