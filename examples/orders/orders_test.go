package orders_test

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/go-resilience/resilience/examples/orders"
	"github.com/go-resilience/resilience/fixtures"
)

func TestOrderIsStoredExactlyOnce(t *testing.T) {
	pg := fixtures.SharedPostgres(t)
	for _, v := range []orders.Variant{orders.Robust, orders.NoRetry, orders.NoIdempotency, orders.Storm} {
		t.Run(v.String(), func(t *testing.T) {
			svc := orders.Start(t, orders.Config{Variant: v, PostgresDSN: pg.DSN()})
			ledger := orders.NewLedger()
			client := orders.NewClient(svc.URL, "unit", ledger)

			for range 3 {
				r, err := client.Place(t.Context(), orders.Order{Item: "sku-1", Quantity: 2})
				require.NoError(t, err)
				assert.Positive(t, r.ID)
				if v != orders.Storm { // whose attempts must connect within 200 ms: not always so on a busy host
					assert.Equal(t, 1, r.Attempts)
				}
			}
			c, err := orders.Audit(t.Context(), orders.AuditPool(t, pg.DSN), svc.Table(), ledger)
			require.NoError(t, err)
			assert.Equal(t, 3, c.Acknowledged)
			assert.Zero(t, c.Anomalies(), "%s", c)
			if v == orders.Storm {
				assert.GreaterOrEqual(t, svc.ConnectAttempts(), int64(3), "a connection per attempt")
			} else {
				// The pool's warm connection, and at most one more if the
				// first order came before it was set up; then reuse.
				assert.LessOrEqual(t, svc.ConnectAttempts(), int64(2), "pooled connections are reused")
			}
		})
	}
}

// A repeated key is what a retry looks like from the database's side.
func TestRepeatedKeyIsANoOpOnlyWithIdempotency(t *testing.T) {
	pg := fixtures.SharedPostgres(t)
	for _, tc := range []struct {
		v    orders.Variant
		rows int
	}{{orders.Robust, 1}, {orders.NoRetry, 1}, {orders.NoIdempotency, 2}, {orders.Storm, 1}} {
		t.Run(tc.v.String(), func(t *testing.T) {
			svc := orders.Start(t, orders.Config{Variant: tc.v, PostgresDSN: pg.DSN()})
			first, err := svc.Place(t.Context(), "key-1", orders.Order{Item: "sku-1", Quantity: 1})
			require.NoError(t, err)
			second, err := svc.Place(t.Context(), "key-1", orders.Order{Item: "sku-1", Quantity: 1})
			require.NoError(t, err)
			if tc.rows == 1 {
				assert.Equal(t, first.ID, second.ID, "the retry must return the stored order")
			}

			ledger := orders.NewLedger()
			ledger.Record(second)
			c, err := orders.Audit(t.Context(), orders.AuditPool(t, pg.DSN), svc.Table(), ledger)
			require.NoError(t, err)
			if tc.rows == 1 {
				assert.Zero(t, c.Anomalies(), "%s", c)
			} else {
				assert.Equal(t, []string{"key-1"}, c.Duplicated, "%s", c)
			}
		})
	}
}

func TestAuditFindsMissingOrders(t *testing.T) {
	pg := fixtures.SharedPostgres(t)
	svc := orders.Start(t, orders.Config{PostgresDSN: pg.DSN()})
	ledger := orders.NewLedger()
	ledger.Record(orders.Receipt{ID: 999, IdempotencyKey: "never-stored"})
	c, err := orders.Audit(t.Context(), orders.AuditPool(t, pg.DSN), svc.Table(), ledger)
	require.NoError(t, err)
	assert.Equal(t, []string{"never-stored"}, c.Missing)
	assert.Equal(t, "1 acknowledged, 1 missing, 0 duplicated (never-stored)", c.String())
}

func TestOrderRejectsBadRequests(t *testing.T) {
	pg := fixtures.SharedPostgres(t)
	svc := orders.Start(t, orders.Config{PostgresDSN: pg.DSN()})
	for name, tc := range map[string]struct {
		key, body string
	}{
		"no key":        {"", `{"item":"a","quantity":1}`},
		"not JSON":      {"k", `{`},
		"no item":       {"k", `{"quantity":1}`},
		"zero quantity": {"k", `{"item":"a","quantity":0}`},
	} {
		t.Run(name, func(t *testing.T) {
			req, err := http.NewRequest(http.MethodPost, svc.URL+"/orders", bytes.NewBufferString(tc.body))
			require.NoError(t, err)
			if tc.key != "" {
				req.Header.Set(orders.HeaderIdempotencyKey, tc.key)
			}
			resp, err := http.DefaultClient.Do(req)
			require.NoError(t, err)
			resp.Body.Close()
			assert.Equal(t, http.StatusBadRequest, resp.StatusCode)
		})
	}
}

func TestNewFailsWithoutADatabase(t *testing.T) {
	// Nothing listens on port 1: creating the table fails, and New says so.
	svc, err := orders.New(t.Context(), orders.Config{PostgresDSN: "postgres://u:p@127.0.0.1:1/db?connect_timeout=1"})
	if err == nil {
		svc.Close()
		t.Fatal("New succeeded without a database")
	}
	assert.Contains(t, err.Error(), "orders: ")
}

func TestRetryableErrors(t *testing.T) {
	for _, tc := range []struct {
		err  error
		want bool
	}{
		{&pgconn.PgError{Code: "57P01"}, true},  // admin_shutdown: the server restarts
		{&pgconn.PgError{Code: "57P03"}, true},  // cannot_connect_now: starting up
		{&pgconn.PgError{Code: "08006"}, true},  // connection_failure
		{&pgconn.PgError{Code: "40001"}, true},  // serialization_failure
		{&pgconn.PgError{Code: "23505"}, false}, // unique_violation
		{&pgconn.PgError{Code: "42P01"}, false}, // undefined_table
		{context.DeadlineExceeded, true},
		{errors.New("read: connection reset by peer"), true},
		{pgx.ErrNoRows, false},
	} {
		assert.Equal(t, tc.want, orders.Retryable(tc.err), "%v", tc.err)
	}
}

func TestConfigValidate(t *testing.T) {
	ok := orders.Config{PostgresDSN: "postgres://x@127.0.0.1/x"}
	require.NoError(t, ok.Validate())
	for _, tc := range []struct {
		mutate func(*orders.Config)
		want   string
	}{
		{func(c *orders.Config) { c.PostgresDSN = "" }, "PostgresDSN must be"},
		{func(c *orders.Config) { c.Variant = 5 }, "Variant must be Robust, NoRetry, NoIdempotency or Storm, got 5"},
		{func(c *orders.Config) { c.AttemptTimeout = -time.Second }, "AttemptTimeout must be >= 0 (0 means 200ms), got -1s"},
		{func(c *orders.Config) { c.RequestTimeout = -1 }, "RequestTimeout must be >= 0"},
		{func(c *orders.Config) { c.ConnectTimeout = -1 }, "ConnectTimeout must be >= 0 (0 means 1.5s)"},
		{func(c *orders.Config) { c.MaxConns = -1 }, "MaxConns must be in [0, 1000]"},
		{func(c *orders.Config) { c.MaxInFlight = -1 }, "MaxInFlight must be >= 0"},
		{func(c *orders.Config) { c.Backoff = -1 }, "Backoff must be >= 0"},
	} {
		cfg := ok
		tc.mutate(&cfg)
		err := cfg.Validate()
		require.Error(t, err)
		assert.Contains(t, err.Error(), tc.want)
		assert.False(t, strings.Contains(err.Error(), "\n"), "one line: %q", err)
	}
}
