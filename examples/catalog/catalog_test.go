package catalog_test

import (
	"encoding/json"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/go-resilience/resilience/examples/catalog"
	"github.com/go-resilience/resilience/examples/internal/serve"
	"github.com/go-resilience/resilience/fixtures"
)

// closedAddr is a loopback address nobody listens on: connecting to it is
// refused at once, like a cache that is down.
func closedAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := l.Addr().String()
	require.NoError(t, l.Close())
	return addr
}

func TestCatalogServesFromPostgresThenFromTheCache(t *testing.T) {
	redis, pg := fixtures.SharedRedis(t), fixtures.SharedPostgres(t)
	for _, v := range []catalog.Variant{catalog.Robust, catalog.Fragile} {
		t.Run(v.String(), func(t *testing.T) {
			svc := catalog.Start(t, catalog.Config{Variant: v, RedisAddr: redis.Addr(), RedisPassword: redis.Password(), PostgresDSN: pg.DSN()})

			want := catalog.Item{ID: 42, Name: "item 42", PriceCents: 4200}
			for _, outcome := range []string{catalog.CacheMiss, catalog.CacheHit} {
				resp, body := serve.Get(t, svc.URL+"/items/42")
				require.Equal(t, http.StatusOK, resp.StatusCode, "body: %s", body)
				assert.Equal(t, outcome, resp.Header.Get("X-Cache"))
				var got catalog.Item
				require.NoError(t, json.Unmarshal(body, &got))
				assert.Equal(t, want, got)
			}
		})
	}
}

func TestCatalogRejectsUnknownAndMalformedIDs(t *testing.T) {
	redis, pg := fixtures.SharedRedis(t), fixtures.SharedPostgres(t)
	svc := catalog.Start(t, catalog.Config{RedisAddr: redis.Addr(), RedisPassword: redis.Password(), PostgresDSN: pg.DSN()})

	resp, _ := serve.Get(t, svc.URL+"/items/100000")
	assert.Equal(t, http.StatusNotFound, resp.StatusCode)
	resp, _ = serve.Get(t, svc.URL+"/items/abc")
	assert.Equal(t, http.StatusBadRequest, resp.StatusCode)
	resp, _ = serve.Get(t, svc.URL+"/items/0")
	assert.Equal(t, http.StatusBadRequest, resp.StatusCode)
}

func TestRobustCatalogBypassesADeadCache(t *testing.T) {
	pg := fixtures.SharedPostgres(t)
	svc := catalog.Start(t, catalog.Config{Variant: catalog.Robust, RedisAddr: closedAddr(t), PostgresDSN: pg.DSN()})

	resp, body := serve.Get(t, svc.URL+"/items/7")
	require.Equal(t, http.StatusOK, resp.StatusCode, "body: %s", body)
	assert.Equal(t, catalog.CacheBypass, resp.Header.Get("X-Cache"))
	assert.Equal(t, int64(1), svc.Bypassed())
}

func TestFragileCatalogFailsWithADeadCache(t *testing.T) {
	pg := fixtures.SharedPostgres(t)
	svc := catalog.Start(t, catalog.Config{Variant: catalog.Fragile, RedisAddr: closedAddr(t), PostgresDSN: pg.DSN()})

	resp, body := serve.Get(t, svc.URL+"/items/7")
	assert.Equal(t, http.StatusInternalServerError, resp.StatusCode)
	assert.Contains(t, string(body), "read cache")
}

func TestConfigValidate(t *testing.T) {
	ok := catalog.Config{RedisAddr: "127.0.0.1:6379", PostgresDSN: "postgres://x@127.0.0.1/x"}
	require.NoError(t, ok.Validate())
	for _, tc := range []struct {
		mutate func(*catalog.Config)
		want   string
	}{
		{func(c *catalog.Config) { c.RedisAddr = "" }, "RedisAddr must be"},
		{func(c *catalog.Config) { c.PostgresDSN = "" }, "PostgresDSN must be"},
		{func(c *catalog.Config) { c.Variant = 9 }, "Variant must be Robust or Fragile, got 9"},
		{func(c *catalog.Config) { c.CacheTimeout = -time.Millisecond }, "CacheTimeout must be >= 0 (0 means 50ms), got -1ms"},
		{func(c *catalog.Config) { c.TTL = -time.Second }, "TTL must be >= 0"},
	} {
		cfg := ok
		tc.mutate(&cfg)
		err := cfg.Validate()
		require.Error(t, err)
		assert.Contains(t, err.Error(), tc.want)
		assert.False(t, strings.Contains(err.Error(), "\n"), "one line: %q", err)
	}
}
