package gateway_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/go-resilience/resilience/chaostest"
	"github.com/go-resilience/resilience/examples/gateway"
	"github.com/go-resilience/resilience/fixtures/explore"
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
// The catalogue is the default one with this package's squeeze, 4 KB/s (a
// 6 KiB quote takes 1.5 s), and a latency of 2 s: twenty times the robust
// gateway's 100 ms upstream timeout, and twice the probe's 1 s timeout.
// (TestGatewayWhenUpstreamIsSlow uses 800 ms and catches the fragile
// gateway by its p99; a p99 of 800 ms against a 300 ms bound can be
// explained away by a host slowed three times, and the cells run two at a
// time. At 2 s every request of the fragile gateway times out: an error no
// slowdown explains.)
//
// Expected, from the mechanism and as the single experiments found:
//   - the robust gateway holds in every cell: each failure, whatever its
//     form, ends within its 100 ms timeout and becomes a fallback;
//   - the fragile gateway deviates in every cell, by its success rate: it
//     passes a failing upstream's 502 on at once (down, reset, HTTP 503, as
//     TestGatewayWhenUpstreamIsDownAndBack and
//     TestGatewayWhenUpstreamAnswers503ToSomeRequests found), or makes its
//     clients wait past their 1 s timeout when the upstream is slow, silent
//     or squeezed (as TestGatewayWhenUpstreamIsSlow and
//     TestGatewayWhenBandwidthIsSqueezed found, there by the p99).
func TestGatewayFaultSpace(t *testing.T) {
	faults := explore.Faults(explore.Latency(2*time.Second), explore.Down(), explore.Reset(),
		explore.Unresponsive(), explore.Bandwidth(4000), explore.HTTPStatus(http.StatusServiceUnavailable))
	for _, v := range []gateway.Variant{gateway.Robust, gateway.Fragile} {
		t.Run(v.String(), func(t *testing.T) {
			upstream := gateway.StartUpstream(t) // shared: the cells' proxies are their own
			opts := []explore.Option{faults}
			if v == gateway.Fragile {
				opts = append(opts, explore.Weakness("quotes", "*", chaostest.Violates(successRate)))
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
