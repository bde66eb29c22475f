package inventory_test

import (
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"google.golang.org/grpc/codes"

	"github.com/go-resilience/resilience/examples/internal/serve"
	"github.com/go-resilience/resilience/examples/inventory"
	"github.com/go-resilience/resilience/fixtures/grpcfault"
)

func get(t *testing.T, url string) (int, inventory.Answer, http.Header) {
	t.Helper()
	resp, body := serve.Get(t, url)
	var a inventory.Answer
	if resp.Header.Get("Content-Type") == "application/json" {
		require.NoError(t, json.Unmarshal(body, &a), "body: %s", body)
	}
	return resp.StatusCode, a, resp.Header
}

func TestServiceAnswersTheUpstreamsCount(t *testing.T) {
	for _, v := range []inventory.Variant{inventory.Robust, inventory.Fragile} {
		t.Run(v.String(), func(t *testing.T) {
			svc := inventory.Start(t, inventory.Config{Variant: v, UpstreamAddr: inventory.StartUpstream(t)})
			code, a, _ := get(t, svc.URL+"/stock/SKU-42")
			require.Equal(t, http.StatusOK, code)
			assert.Equal(t, inventory.Answer{SKU: "SKU-42", Stock: inventory.Stock("SKU-42")}, a)
			assert.Equal(t, int64(1), svc.Attempts())
		})
	}
}

// While the upstream answers UNAVAILABLE to every call, the robust service
// makes at most Attempts calls per request, then fewer as its budget runs
// out (no retry once 5 tokens are spent), and answers its fallback; the
// fragile one retries until its deadline and answers 502.
func TestRetriesWhileTheUpstreamIsUnavailable(t *testing.T) {
	proxy := grpcfault.New(t, inventory.StartUpstream(t))
	f := proxy.Status(inventory.StockMethod, codes.Unavailable)
	revert, err := f.Apply(t.Context())
	require.NoError(t, err)
	t.Cleanup(func() { _ = revert(t.Context()) })

	robust := inventory.Start(t, inventory.Config{Variant: inventory.Robust, UpstreamAddr: proxy.Addr(), Backoff: time.Millisecond})
	code, a, h := get(t, robust.URL+"/stock/SKU-42")
	assert.Equal(t, http.StatusServiceUnavailable, code)
	assert.True(t, a.Fallback)
	assert.Equal(t, "true", h.Get(inventory.HeaderFallback))
	assert.Equal(t, int64(3), robust.Attempts(), "first request: three attempts")
	for range 10 {
		get(t, robust.URL+"/stock/SKU-42")
	}
	// Tokens: 10, less one per failure; a retry only while more than 5
	// are left: 3 + 2 attempts spend 5, then one attempt per request.
	assert.Equal(t, int64(3+2+9), robust.Attempts(), "the budget stops the retries")

	fragile := inventory.Start(t, inventory.Config{Variant: inventory.Fragile, UpstreamAddr: proxy.Addr(), Deadline: 200 * time.Millisecond})
	code, _, _ = get(t, fragile.URL+"/stock/SKU-42")
	assert.Equal(t, http.StatusBadGateway, code)
	assert.Greater(t, fragile.Attempts(), int64(20), "the fragile service retries at once, as often as its deadline allows")
}

func TestConfigValidate(t *testing.T) {
	for _, tc := range []struct {
		cfg  inventory.Config
		want string
	}{
		{inventory.Config{Variant: 7, UpstreamAddr: "x:1"}, "inventory: Variant must be Robust or Fragile, got 7"},
		{inventory.Config{}, `inventory: UpstreamAddr must be "host:port", got ""`},
		{inventory.Config{UpstreamAddr: "x:1", Deadline: -1}, "inventory: Deadline must be >= 0 (0 means 1s), got -1ns"},
		{inventory.Config{UpstreamAddr: "x:1", Attempts: -1}, "inventory: Attempts must be >= 0 (0 means 3), got -1"},
		{inventory.Config{UpstreamAddr: "x:1", Backoff: -1}, "inventory: Backoff must be >= 0 (0 means 25ms), got -1ns"},
	} {
		assert.EqualError(t, tc.cfg.Validate(), tc.want)
	}
	assert.NoError(t, inventory.Config{UpstreamAddr: "127.0.0.1:1"}.Validate())
}
