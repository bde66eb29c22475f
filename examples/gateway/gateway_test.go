package gateway_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/go-resilience/resilience/examples/gateway"
	"github.com/go-resilience/resilience/examples/internal/serve"
)

func TestGatewayPassesTheQuoteThrough(t *testing.T) {
	for _, v := range []gateway.Variant{gateway.Robust, gateway.Fragile} {
		t.Run(v.String(), func(t *testing.T) {
			up := gateway.StartUpstream(t)
			gw := gateway.Start(t, gateway.Config{Variant: v, UpstreamURL: "http://" + up})

			resp, body := serve.Get(t, gw.URL+"/quotes/ACME")
			require.Equal(t, http.StatusOK, resp.StatusCode, "body: %s", body)
			var q gateway.Quote
			require.NoError(t, json.Unmarshal(body, &q))
			assert.Equal(t, "ACME", q.Symbol)
			assert.Len(t, q.History, gateway.HistoryPoints)
			assert.Greater(t, len(body), 4096, "a quote is a few KiB, so that a bandwidth squeeze shows")
		})
	}
}

// blockingUpstream answers only once release is closed.
func blockingUpstream(t *testing.T) (url string, release func()) {
	t.Helper()
	ch := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-ch:
		case <-r.Context().Done():
		}
	}))
	var once atomic.Bool
	release = func() {
		if once.CompareAndSwap(false, true) {
			close(ch)
		}
	}
	t.Cleanup(srv.Close)
	t.Cleanup(release) // before srv.Close: a blocked handler would hold Close
	return srv.URL, release
}

func TestRobustGatewayAnswersWithAFallbackWhileTheUpstreamHangs(t *testing.T) {
	up, _ := blockingUpstream(t)
	gw := gateway.Start(t, gateway.Config{Variant: gateway.Robust, UpstreamURL: up})

	// The upstream never answers during this call: only the gateway's own
	// timeout can end it.
	resp, body := serve.Get(t, gw.URL+"/quotes/ACME")
	assert.Equal(t, http.StatusServiceUnavailable, resp.StatusCode)
	assert.Equal(t, "true", resp.Header.Get(gateway.HeaderFallback))
	assert.Equal(t, "1", resp.Header.Get("Retry-After"))
	var fb gateway.Fallback
	require.NoError(t, json.Unmarshal(body, &fb), "body: %s", body)
	assert.True(t, fb.Fallback)
	assert.Equal(t, "ACME", fb.Symbol)
}

func TestFragileGatewayWaitsAsLongAsTheUpstream(t *testing.T) {
	up, release := blockingUpstream(t)
	gw := gateway.Start(t, gateway.Config{Variant: gateway.Fragile, UpstreamURL: up})

	done := make(chan int, 1)
	go func() {
		resp, err := http.Get(gw.URL + "/quotes/ACME")
		if err != nil {
			done <- -1
			return
		}
		resp.Body.Close()
		done <- resp.StatusCode
	}()
	// Well past the robust variant's 100 ms timeout, the request still waits,
	// and it is counted in flight.
	select {
	case code := <-done:
		t.Fatalf("the fragile gateway answered %d while the upstream hung", code)
	case <-time.After(500 * time.Millisecond):
	}
	assert.Equal(t, int64(1), gw.InFlight())
	release()
	assert.Equal(t, http.StatusOK, <-done)
}

func TestRobustGatewayBreakerOpensAndClosesAgain(t *testing.T) {
	var calls atomic.Int64
	var healthy atomic.Bool
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		if !healthy.Load() {
			http.Error(w, "down for maintenance", http.StatusInternalServerError)
			return
		}
		gateway.Upstream().ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	gw := gateway.Start(t, gateway.Config{Variant: gateway.Robust, UpstreamURL: srv.URL,
		TripAfter: 3, OpenFor: 100 * time.Millisecond})

	for range 3 {
		resp, _ := serve.Get(t, gw.URL+"/quotes/ACME")
		assert.Equal(t, http.StatusServiceUnavailable, resp.StatusCode)
	}
	require.Equal(t, "open", gw.BreakerState())
	require.Equal(t, int64(3), calls.Load())

	// While open, the gateway does not call the upstream at all.
	resp, _ := serve.Get(t, gw.URL+"/quotes/ACME")
	assert.Equal(t, http.StatusServiceUnavailable, resp.StatusCode)
	assert.Equal(t, int64(3), calls.Load(), "an open breaker let a call through")

	// The upstream comes back: after OpenFor a trial call closes the breaker.
	healthy.Store(true)
	require.Eventually(t, func() bool {
		resp, _ := serve.Get(t, gw.URL+"/quotes/ACME")
		return resp.StatusCode == http.StatusOK
	}, 5*time.Second, 20*time.Millisecond)
	assert.Equal(t, "closed", gw.BreakerState())
}

func TestFragileGatewayTurnsUpstreamErrorsInto502(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		http.Error(w, "boom", http.StatusInternalServerError)
	}))
	t.Cleanup(srv.Close)
	gw := gateway.Start(t, gateway.Config{Variant: gateway.Fragile, UpstreamURL: srv.URL})
	resp, body := serve.Get(t, gw.URL+"/quotes/ACME")
	assert.Equal(t, http.StatusBadGateway, resp.StatusCode)
	assert.Contains(t, string(body), "upstream answered 500")
	assert.Equal(t, "none", gw.BreakerState())
}

func TestConfigValidate(t *testing.T) {
	ok := gateway.Config{UpstreamURL: "http://127.0.0.1:1"}
	require.NoError(t, ok.Validate())
	for _, tc := range []struct {
		cfg  gateway.Config
		want string
	}{
		{gateway.Config{}, "UpstreamURL must be"},
		{gateway.Config{UpstreamURL: ok.UpstreamURL, Variant: 7}, "Variant must be Robust or Fragile, got 7"},
		{gateway.Config{UpstreamURL: ok.UpstreamURL, Timeout: -time.Second}, "Timeout must be >= 0 (0 means 100ms), got -1s"},
		{gateway.Config{UpstreamURL: ok.UpstreamURL, TripAfter: -1}, "TripAfter must be >= 0"},
		{gateway.Config{UpstreamURL: ok.UpstreamURL, OpenFor: -1}, "OpenFor must be >= 0"},
	} {
		err := tc.cfg.Validate()
		require.Error(t, err)
		assert.Contains(t, err.Error(), tc.want)
		assert.False(t, strings.Contains(err.Error(), "\n"), "one line: %q", err)
	}
}
