package smoke

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	toxiproxy "github.com/Shopify/toxiproxy/v2"
	"github.com/go-resilience/resilience/fixtures"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/redis/go-redis/v9"
	"github.com/rs/zerolog"
	"github.com/stretchr/testify/require"
)

// The toxic's latency, and the least extra delay a request must show while it
// is on. The margin only guards against a toxic that does nothing: the extra
// delay of one round trip through a 200 ms downstream latency is 200 ms, and
// no scheduling noise makes it smaller.
const (
	toxicLatency = 200 * time.Millisecond
	minAdded     = 150 * time.Millisecond
)

// embeddedProxy starts toxiproxy's server in the test process and a proxy in
// front of upstream; both are gone when the test ends.
func embeddedProxy(t *testing.T, upstream string) *toxiproxy.Proxy {
	t.Helper()
	server := toxiproxy.NewServer(toxiproxy.NewMetricsContainer(prometheus.NewRegistry()), zerolog.Nop())
	proxy := toxiproxy.NewProxy(server, "smoke", "127.0.0.1:0", upstream)
	require.NoError(t, server.Collection.Add(proxy, true), "start proxy")
	t.Cleanup(func() { _ = server.Collection.Clear() })
	return proxy
}

func addLatency(t *testing.T, proxy *toxiproxy.Proxy, latency time.Duration) {
	t.Helper()
	body := fmt.Sprintf(`{"name":"latency","type":"latency","stream":"downstream","toxicity":1,"attributes":{"latency":%d}}`,
		latency.Milliseconds())
	_, err := proxy.Toxics.AddToxicJson(strings.NewReader(body))
	require.NoError(t, err, "add latency toxic")
}

func removeLatency(t *testing.T, proxy *toxiproxy.Proxy) {
	t.Helper()
	require.NoError(t, proxy.Toxics.RemoveToxic(context.Background(), "latency"), "remove latency toxic")
}

// fastest returns the quickest of n timed calls of fn: the figure least
// disturbed by a busy machine, so that the comparison below is about the toxic.
func fastest(t *testing.T, n int, fn func() error) time.Duration {
	t.Helper()
	best := time.Duration(1<<63 - 1)
	for range n {
		start := time.Now()
		require.NoError(t, fn())
		best = min(best, time.Since(start))
	}
	return best
}

func TestEmbeddedToxiproxyAddsLatencyInFrontOfHTTPServer(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		_, _ = io.WriteString(w, "ok")
	}))
	t.Cleanup(srv.Close)
	proxy := embeddedProxy(t, srv.Listener.Addr().String())

	// A fresh connection per request: the toxic applies to every link anyway,
	// and this keeps each measurement independent.
	client := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
	t.Cleanup(client.CloseIdleConnections)
	get := func() error {
		resp, err := client.Get("http://" + proxy.Listen + "/")
		if err != nil {
			return err
		}
		defer resp.Body.Close()
		_, err = io.Copy(io.Discard, resp.Body)
		return err
	}

	before := fastest(t, 5, get)
	addLatency(t, proxy, toxicLatency)
	during := fastest(t, 3, get)
	removeLatency(t, proxy)
	after := fastest(t, 5, get)

	t.Logf("GET through embedded toxiproxy: before %v, with %v latency %v, after %v", before, toxicLatency, during, after)
	require.GreaterOrEqual(t, during-before, minAdded, "the latency toxic must slow each request")
	require.Less(t, after, during-minAdded, "removing the toxic must restore the speed")
}

func TestRedisContainerBehindToxiproxy(t *testing.T) {
	ctx := t.Context()
	// Started through the fixtures, as every container of the project is:
	// published on loopback only and labelled with its owner, so that
	// nothing outlives the test process.
	r := fixtures.StartRedis(t)
	endpoint := r.Addr()
	t.Logf("redis container %.12s listening at %s", r.Container().ID(), endpoint)

	proxy := embeddedProxy(t, endpoint)
	rdb := redis.NewClient(&redis.Options{Addr: proxy.Listen, Password: r.Password(), PoolSize: 1})
	t.Cleanup(func() { _ = rdb.Close() })
	require.NoError(t, rdb.Set(ctx, "smoke", "ok", 0).Err())
	get := func() error {
		v, err := rdb.Get(ctx, "smoke").Result()
		if err == nil && v != "ok" {
			err = fmt.Errorf("GET smoke = %q, want ok", v)
		}
		return err
	}

	before := fastest(t, 5, get)
	addLatency(t, proxy, toxicLatency)
	during := fastest(t, 3, get)
	removeLatency(t, proxy)
	after := fastest(t, 5, get)

	t.Logf("redis GET through toxiproxy: before %v, with %v latency %v, after %v", before, toxicLatency, during, after)
	require.GreaterOrEqual(t, during-before, minAdded, "the latency toxic must slow each Redis command")
	require.Less(t, after, during-minAdded, "removing the toxic must restore the speed")
}
