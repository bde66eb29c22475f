package gateway_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/go-resilience/resilience/chaostest"
	"github.com/go-resilience/resilience/chaostest/explore"
	"github.com/go-resilience/resilience/examples/gateway"
	"github.com/go-resilience/resilience/fixtures/httpfault"
	"github.com/go-resilience/resilience/fixtures/netfault"
)

// The fault space of the gateway: instead of one test per failure, every
// failure of the catalogue on its dependency, the quote upstream, reached
// through an HTTP proxy in front of a TCP proxy so that both network and
// HTTP faults apply. Each cell is a 2 s experiment on a gateway, proxies
// and steady state of its own, in front of one upstream shared by every
// cell.
//
// The catalogue is the default one with the latency and the squeeze of
// this package's single experiments: 800 ms (eight times the robust
// gateway's 100 ms upstream timeout) and 4 KB/s (a 6 KiB quote takes 1.5 s).
//
// Expected, from the mechanism and as the single experiments found:
//   - the robust gateway holds in every cell: each failure, whatever its
//     form, ends within its 100 ms timeout and becomes a fallback;
//   - the fragile gateway deviates in every cell, and the declared
//     weaknesses say how: where the upstream is slow, silent or squeezed it
//     makes clients wait (p99, as TestGatewayWhenUpstreamIsSlow and
//     TestGatewayWhenBandwidthIsSqueezed); where the upstream fails at once
//     it passes a 502 on (success rate, as TestGatewayWhenUpstreamIsDownAndBack
//     and TestGatewayWhenUpstreamAnswers503ToSomeRequests).
func TestGatewayFaultSpace(t *testing.T) {
	faults := explore.Faults(explore.Latency(800*time.Millisecond), explore.Down(), explore.Reset(),
		explore.Unresponsive(), explore.Bandwidth(4000), explore.Status(http.StatusServiceUnavailable))
	for _, v := range []gateway.Variant{gateway.Robust, gateway.Fragile} {
		t.Run(v.String(), func(t *testing.T) {
			upstream := gateway.StartUpstream(t) // shared: the cells' proxies are their own
			opts := []explore.Option{faults}
			if v == gateway.Fragile {
				for _, f := range []string{"latency 800ms", "unresponsive", "bandwidth 4000 Bps"} {
					opts = append(opts, explore.Weakness("quotes", f, chaostest.Violates(p99)))
				}
				for _, f := range []string{"down", "reset", "HTTP 503"} {
					opts = append(opts, explore.Weakness("quotes", f, chaostest.Violates(successRate)))
				}
			}
			m := explore.Run(t, func(t *testing.T) explore.System {
				tcp := netfault.New(t, upstream, netfault.Name("quotes"))
				web := httpfault.New(t, tcp.Addr(), httpfault.Name("quotes"))
				gw := gateway.Start(t, gateway.Config{Variant: v, UpstreamURL: web.URL()})
				return explore.System{
					Steady:       steadyState(t, gw.URL),
					Dependencies: []explore.Dependency{{Name: "quotes", TCP: tcp, HTTP: web}},
				}
			}, opts...)
			want := explore.Held
			if v == gateway.Fragile {
				want = explore.Deviated
			}
			for _, c := range m.Cells {
				if c.Verdict != explore.NotRun { // -run may select some cells only
					assert.Equal(t, want, c.Verdict, "%s × %s", c.Dependency, c.Fault)
				}
			}
		})
	}
}
