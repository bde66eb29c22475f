package gateway_test

import (
	"bytes"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/go-resilience/resilience/chaostest"
	"github.com/go-resilience/resilience/examples/gateway"
	"github.com/go-resilience/resilience/fixtures/netfault"
	"github.com/go-resilience/resilience/hypothesis"
)

// The steady-state hypothesis: "the gateway answers at once, with a quote or
// an explicit fallback".
//
// A gateway cannot conjure quotes its upstream does not give, so the claim is
// about what a gateway owes its clients: a prompt answer they can act on. A
// probe asks for a quote every 25 ms; an answer counts as good when it is a
// quote (200) or an explicit fallback (503 with X-Fallback and Retry-After,
// which clients handle). A 502, a hang or a timeout is bad.
//
//   - at least 95% good answers: the robust gateway should give nothing else;
//     the margin is one unlucky request per window.
//   - p99 latency at most 300 ms. A healthy answer takes a few milliseconds;
//     the robust gateway's worst case is its 100 ms upstream timeout, three
//     times under the bound. The faults below make the upstream 800 ms late
//     or push a 6 KiB answer through 4 KB/s, which a gateway without a
//     timeout passes on to its clients, far over the bound.
const probeName = "GET /quotes/ACME"

var (
	successRate     = hypothesis.SuccessRate(0.95)
	p99             = hypothesis.LatencyP(99, 300*time.Millisecond)
	quoteOrFallback = hypothesis.Satisfies("a quote or an explicit fallback", func(r hypothesis.HTTPResponse) bool {
		switch r.Status {
		case http.StatusOK:
			return bytes.Contains(r.Body, []byte(`"price_cents"`))
		case http.StatusServiceUnavailable:
			return r.Header.Get(gateway.HeaderFallback) == "true" && r.Header.Get("Retry-After") != ""
		}
		return false
	})
)

func steadyState(t *testing.T, url string) *hypothesis.Hypothesis {
	t.Helper()
	client := &http.Client{}
	t.Cleanup(client.CloseIdleConnections)
	return hypothesis.New("the gateway answers at once, with a quote or an explicit fallback",
		hypothesis.Observe(hypothesis.HTTPGet(url+"/quotes/ACME",
			hypothesis.ProbeName(probeName), hypothesis.WithClient(client),
			hypothesis.AcceptStatus(http.StatusOK, http.StatusServiceUnavailable)),
			hypothesis.Every(25*time.Millisecond),
			hypothesis.Timeout(time.Second),
			hypothesis.Expect(quoteOrFallback, successRate, p99)))
}

// freshQuotes is the claim that the upstream's quotes flow through again:
// every answer a quote, none a fallback.
func freshQuotes(t *testing.T, url string) *hypothesis.Hypothesis {
	t.Helper()
	return hypothesis.New("the gateway serves fresh quotes again",
		hypothesis.Observe(hypothesis.HTTPGet(url+"/quotes/ACME", hypothesis.AcceptStatus(http.StatusOK)),
			hypothesis.Every(25*time.Millisecond),
			hypothesis.Expect(hypothesis.SuccessRate(1))))
}

// gatewayOptions are the options of this package's experiments: a 2 s
// method judged per second, a second of steady state before and after, and
// 2 s to recover. The fragile gateway is expected to deviate while step's
// fault is on, violating every tolerance of caughtBy: the weakness it
// documents, not a deviation by accident.
func gatewayOptions(title string, v gateway.Variant, step chaostest.Step, caughtBy []hypothesis.Tolerance, more ...chaostest.Option) []chaostest.Option {
	opts := []chaostest.Option{
		chaostest.Title(title),
		chaostest.Duration(2 * time.Second),
		chaostest.Before(time.Second),
		chaostest.Window(time.Second),
		chaostest.After(time.Second),
		chaostest.Recovery(2 * time.Second),
	}
	if v == gateway.Fragile {
		reasons := []chaostest.Reason{chaostest.While(step.Fault())}
		for _, tol := range caughtBy {
			reasons = append(reasons, chaostest.Violates(tol))
		}
		opts = append(opts, chaostest.ExpectDeviation(reasons...))
	}
	return append(opts, more...)
}

// experiment runs the same experiment on both gateways, each in front of its
// own upstream through its own proxy. The robust gateway must hold, and must
// have answered with fallbacks (the fault reached it, and the breaker did the
// work). The fragile one must deviate, caught by the tolerances in caughtBy
// while the fault is on. With afterwards, that is what must hold once the
// fault is reverted (chaostest.SteadyAfter), instead of the steady state.
func experiment(t *testing.T, title string, step func(*netfault.Proxy) chaostest.Step,
	afterwards func(t *testing.T, url string) *hypothesis.Hypothesis, caughtBy ...hypothesis.Tolerance) {
	t.Helper()
	for _, v := range []gateway.Variant{gateway.Robust, gateway.Fragile} {
		t.Run(v.String(), func(t *testing.T) {
			// The blast radius: this gateway's connections to its upstream.
			proxy := netfault.New(t, gateway.StartUpstream(t), netfault.Name("quotes"))
			gw := gateway.Start(t, gateway.Config{Variant: v, UpstreamURL: "http://" + proxy.Addr()})
			s := step(proxy)
			var more []chaostest.Option
			if afterwards != nil {
				more = append(more, chaostest.SteadyAfter(afterwards(t, gw.URL)))
			}
			chaostest.Run(t, steadyState(t, gw.URL), s, gatewayOptions(title, v, s, caughtBy, more...)...)
			if v == gateway.Robust {
				assert.Positive(t, gw.Fallbacks(), "the robust gateway never answered with a fallback: the fault did not reach it")
			}
		})
	}
}

// Real-world event: the upstream becomes slow (a cold cache, a long GC, a
// saturated database behind it): every answer is 800 ms late.
//
// Blast radius: the gateway's connections to the upstream, answers only
// (downstream), all of them, for the whole 2 s method.
//
// Expected: the robust gateway times out after 100 ms, its breaker opens
// after three failures, and it answers with a fallback at once; the fragile
// gateway makes every client wait 800 ms or more, and requests pile up: its
// p99 is far over 300 ms.
func TestGatewayWhenUpstreamIsSlow(t *testing.T) {
	experiment(t, "the gateway answers within 300 ms p99 while the upstream is 800 ms late",
		func(p *netfault.Proxy) chaostest.Step {
			return chaostest.Inject(p.Latency(800*time.Millisecond, netfault.Downstream), chaostest.For(2*time.Second))
		}, nil, p99)
}

// Real-world event: the upstream goes down (a crash, a deploy gone wrong)
// and comes back a second later.
//
// Blast radius: the gateway's connections to the upstream, all of them: new
// ones are refused and open ones cut, for the first second of the method.
//
// Expected: the robust gateway answers with fallbacks while the upstream is
// down, then its breaker lets a trial call through and closes: fresh quotes
// flow again, every answer a quote (the steady state after). The fragile gateway turns
// every request during the outage into a 502: its success rate falls far
// under 95%.
func TestGatewayWhenUpstreamIsDownAndBack(t *testing.T) {
	experiment(t, "the gateway answers while the upstream is down, and recovers when it is back",
		func(p *netfault.Proxy) chaostest.Step {
			return chaostest.Inject(p.Down(), chaostest.For(time.Second))
		},
		freshQuotes, successRate)
}

// Real-world event: the path to the upstream is squeezed (a saturated link,
// a misconfigured rate limiter): answers trickle at 4 KB/s, so a 6 KiB quote
// takes over a second.
//
// Blast radius: the gateway's connections to the upstream, answers only
// (downstream), all of them, for the whole 2 s method.
//
// Expected: the robust gateway's timeout covers reading the whole answer, so
// it gives up after 100 ms and answers with a fallback; the fragile gateway
// waits for the trickle: its p99 is far over 300 ms.
func TestGatewayWhenBandwidthIsSqueezed(t *testing.T) {
	experiment(t, "the gateway answers within 300 ms p99 while the upstream's answers trickle at 4 KB/s",
		func(p *netfault.Proxy) chaostest.Step {
			return chaostest.Inject(p.Bandwidth(4000, netfault.Downstream), chaostest.For(2*time.Second))
		}, nil, p99)
}

// The same claim judged against a control group, as Netflix's ChAP does:
// a second gateway of the same variant, in front of its own upstream
// through its own proxy that no fault touches, sampled at the same time.
// Its bounds are relative to what the control group measures in the same
// window, so whatever slows both groups alike (a busy CI runner, -race, a
// slow shared host) moves the bound with it instead of failing the test.
//
//   - success rate at least the control group's minus 5 points: the
//     robust gateway answers every request with a quote or a fallback, as
//     its twin does; one that passes the upstream's failure on loses every
//     request while the fault is on.
//   - p99 at most twice the control group's p99 plus 200 ms. The 200 ms
//     are twice the robust gateway's 100 ms upstream timeout, its worst
//     case by construction; the factor 2 absorbs the two groups' noise
//     differing. A gateway that waits for an upstream 800 ms late is four
//     times over the 200 ms, whatever the machine.
var (
	successVsControl = hypothesis.SuccessRateRelative(hypothesis.Control, 0.05)
	p99VsControl     = hypothesis.LatencyPRelative(99, hypothesis.Control, 2, 200*time.Millisecond)
)

func comparedWithControl(t *testing.T, title, url string) *hypothesis.Hypothesis {
	t.Helper()
	client := &http.Client{}
	t.Cleanup(client.CloseIdleConnections)
	return hypothesis.New(title,
		hypothesis.Observe(hypothesis.HTTPGet(url+"/quotes/ACME",
			hypothesis.ProbeName(probeName), hypothesis.WithClient(client),
			hypothesis.AcceptStatus(http.StatusOK, http.StatusServiceUnavailable)),
			hypothesis.Every(25*time.Millisecond),
			hypothesis.Timeout(time.Second),
			hypothesis.Expect(quoteOrFallback, successVsControl, p99VsControl)))
}

// Real-world event: the upstream becomes slow, 800 ms late, as in
// TestGatewayWhenUpstreamIsSlow; this time beside a control group.
//
// Blast radius: the experiment group's gateway's connections to its
// upstream, answers only, for the whole 2 s method. The control group's
// gateway, upstream and proxy are its own and never faulted.
//
// Expected: the robust gateway falls back after 100 ms: its p99 stays
// within twice its twin's plus 200 ms. The fragile gateway waits 800 ms
// for every answer while its twin answers in milliseconds: caught by the
// bound relative to the control group.
func TestGatewayWhenUpstreamIsSlowBesideAControlGroup(t *testing.T) {
	for _, v := range []gateway.Variant{gateway.Robust, gateway.Fragile} {
		t.Run(v.String(), func(t *testing.T) {
			start := func(name string) (*netfault.Proxy, *gateway.Running) {
				proxy := netfault.New(t, gateway.StartUpstream(t), netfault.Name(name))
				return proxy, gateway.Start(t, gateway.Config{Variant: v, UpstreamURL: "http://" + proxy.Addr()})
			}
			proxy, gw := start("quotes")
			_, twin := start("quotes (control)")
			slow := chaostest.Inject(proxy.Latency(800*time.Millisecond, netfault.Downstream), chaostest.For(2*time.Second))
			rep := chaostest.Run(t, comparedWithControl(t, "the gateway answers as promptly as its twin", gw.URL), slow,
				gatewayOptions("the gateway answers as promptly as its unfaulted twin while the upstream is 800 ms late", v, slow,
					[]hypothesis.Tolerance{p99VsControl},
					chaostest.Control(comparedWithControl(t, "the twin gateway, never faulted", twin.URL)))...)
			for i, c := range rep.ControlDuring {
				assert.True(t, c.Held(), "the control group, never faulted, must hold in window %d: %s", i+1, c.Summary())
			}
			if v == gateway.Fragile {
				return
			}
			assert.Positive(t, gw.Fallbacks(), "the robust gateway never answered with a fallback: the fault did not reach it")
			assert.Zero(t, twin.Fallbacks(), "the control group's gateway fell back: something but the fault slowed it")
		})
	}
}
