package smoke

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	toxiproxy "github.com/Shopify/toxiproxy/v2"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/rs/zerolog"

	"github.com/go-resilience/resilience/chaostest"
	"github.com/go-resilience/resilience/hypothesis"
)

// End to end, with no container and none of the fixtures: toxiproxy
// embedded in the test process sits between a service and its backend, and
// a latency toxic written by hand against chaostest.Fault is the fault.
// chaostest knows nothing of toxiproxy: any fault source plugs in.

// proxied starts an embedded toxiproxy in front of upstream and returns the
// proxy; everything is removed when the test ends.
func proxied(t *testing.T, upstream string) *toxiproxy.Proxy {
	t.Helper()
	server := toxiproxy.NewServer(toxiproxy.NewMetricsContainer(prometheus.NewRegistry()), zerolog.Nop())
	p := toxiproxy.NewProxy(server, "backend", "127.0.0.1:0", upstream)
	if err := server.Collection.Add(p, true); err != nil {
		t.Fatalf("start proxy: %v", err)
	}
	t.Cleanup(func() { _ = server.Collection.Remove("backend") })
	return p
}

// latencyFault is a toxiproxy latency toxic as a chaostest.Fault.
type latencyFault struct {
	proxy   *toxiproxy.Proxy
	latency time.Duration
}

func (f latencyFault) Name() string {
	return fmt.Sprintf("backend: latency %v downstream", f.latency)
}

func (f latencyFault) Attributes() map[string]any {
	return map[string]any{"latency": f.latency.Milliseconds(), "stream": "downstream"}
}

func (f latencyFault) Apply(context.Context) (chaostest.Revert, error) {
	const name = "chaostest_latency"
	body := fmt.Sprintf(`{"name":%q,"type":"latency","stream":"downstream","toxicity":1,"attributes":{"latency":%d}}`, name, f.latency.Milliseconds())
	if _, err := f.proxy.Toxics.AddToxicJson(strings.NewReader(body)); err != nil {
		return nil, fmt.Errorf("add latency toxic: %w", err)
	}
	return func(ctx context.Context) error {
		err := f.proxy.Toxics.RemoveToxic(ctx, name)
		if errors.Is(err, toxiproxy.ErrToxicNotFound) {
			return nil // already gone
		}
		return err
	}, nil
}

// service answers / by asking the backend through addr. With a timeout, it
// answers from its fallback when the backend is too slow.
func service(t *testing.T, addr string, timeout time.Duration) *httptest.Server {
	t.Helper()
	client := &http.Client{Transport: &http.Transport{}}
	t.Cleanup(client.CloseIdleConnections)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx := r.Context()
		if timeout > 0 {
			var cancel context.CancelFunc
			ctx, cancel = context.WithTimeout(ctx, timeout)
			defer cancel()
		}
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+addr+"/", nil)
		resp, err := client.Do(req)
		if err != nil {
			if timeout > 0 {
				_, _ = io.WriteString(w, "fallback")
				return
			}
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		defer resp.Body.Close()
		_, _ = io.Copy(w, resp.Body)
	}))
	t.Cleanup(srv.Close)
	return srv
}

func TestEndToEndLatencyThroughEmbeddedToxiproxy(t *testing.T) {
	t.Parallel()
	backend := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.WriteString(w, "item 42")
	}))
	t.Cleanup(backend.Close)

	steady := func(svc *httptest.Server) *hypothesis.Hypothesis {
		return hypothesis.New("service is fast",
			hypothesis.Observe(hypothesis.HTTPGet(svc.URL),
				hypothesis.Every(20*time.Millisecond),
				hypothesis.Expect(hypothesis.SuccessRate(1), hypothesis.LatencyP(99, 300*time.Millisecond))))
	}
	slow := func(p *toxiproxy.Proxy) chaostest.Step {
		return chaostest.Inject(latencyFault{proxy: p, latency: 1500 * time.Millisecond})
	}
	windows := []chaostest.Option{
		chaostest.Title("the service answers within 300ms while its backend is slow"),
		chaostest.Before(300 * time.Millisecond),
		chaostest.Duration(1200 * time.Millisecond),
		chaostest.Window(600 * time.Millisecond),
		chaostest.After(300 * time.Millisecond),
		chaostest.Recovery(time.Second),
	}

	t.Run("without a timeout the hypothesis deviates", func(t *testing.T) {
		t.Parallel()
		p := proxied(t, backend.Listener.Addr().String())
		// A fragile service: the weakness is the point.
		rep := chaostest.Run(t, steady(service(t, p.Listen, 0)), slow(p), append(windows, chaostest.ExpectDeviation())...)
		if rep.Status != chaostest.StatusDeviated {
			t.Fatalf("status %q, want deviated", rep.Status)
		}
		d := rep.Deviations[0]
		if d.Phase != chaostest.PhaseDuring || len(d.Faults) != 1 || !strings.Contains(d.Faults[0], "latency 1.5s") {
			t.Errorf("deviation %+v, want one during the latency fault", d)
		}
		// 1.5s, five times the bound: every answer outlives the probe's 1s
		// timeout, however busy the machine (a bound stretched by a
		// saturated host's slowdown does not excuse errors).
		if c := d.Result.Checks[0]; c.P99 < time.Second || c.Errors == 0 {
			t.Errorf("p99 %v, %d errors during a 1.5s latency toxic, want >= 1s and timeouts", c.P99, c.Errors)
		}
		if n := len(p.Toxics.GetToxicArray()); n != 0 {
			t.Errorf("%d toxics left on the proxy after the experiment", n)
		}
	})
	t.Run("with a timeout and a fallback it holds", func(t *testing.T) {
		t.Parallel()
		p := proxied(t, backend.Listener.Addr().String())
		rep := chaostest.Run(t, steady(service(t, p.Listen, 100*time.Millisecond)), slow(p), windows...)
		if rep.Status != chaostest.StatusHeld {
			t.Fatalf("status %q, want held", rep.Status)
		}
		if n := len(p.Toxics.GetToxicArray()); n != 0 {
			t.Errorf("%d toxics left on the proxy after the experiment", n)
		}
	})
}
