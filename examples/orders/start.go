package orders

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/go-resilience/resilience/examples/internal/serve"
)

// T is what Start and AuditPool need of a test (*testing.T satisfies it).
type T = serve.T

// setupTimeout bounds what the harness sets up before an experiment (the
// service's table, the audit's first connection). Set-up takes tens of
// milliseconds on a quiet machine; the bound is for a busy one, where a
// Postgres connection has been seen to take seconds: set-up must not be
// what fails.
const setupTimeout = time.Minute

// Running is an orders service served over HTTP on a loopback address.
type Running struct {
	*Service
	URL string // base URL, e.g. "http://127.0.0.1:41234"
}

// Start runs an orders service in the test process for the duration of t:
// the HTTP server and the pool are closed by t.Cleanup.
func Start(t T, cfg Config) *Running {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), setupTimeout)
	defer cancel()
	svc, err := New(ctx, cfg)
	return &Running{Service: svc, URL: serve.Start(t, "start orders", svc, err, svc.Close)}
}

// AuditPool opens a pool for Audit, to the database dsn names (a direct
// DSN, not the service's proxy), for the duration of t: closed by
// t.Cleanup. dsn is called again for every connection the pool sets up, so
// the pool follows a database that restarted on a new address.
//
// It holds at most 2 connections (an audit is one short query), and its
// first connection is set up before AuditPool returns, within setupTimeout:
// the audit then runs its queries on a connection that exists, and its own
// timeout bounds the query, not a connection set-up on a busy host. A later
// set-up (after a restart) is bounded by 30 s, and goes on in the
// background when the audit that asked for it times out.
func AuditPool(t T, dsn func() string) *pgxpool.Pool {
	t.Helper()
	cfg, err := pgxpool.ParseConfig(dsn())
	serve.Check(t, "audit pool", err)
	cfg.MaxConns = 2
	cfg.MinConns = 1
	cfg.ConnConfig.ConnectTimeout = 30 * time.Second
	cfg.BeforeConnect = func(_ context.Context, cc *pgx.ConnConfig) error {
		now, err := pgx.ParseConfig(dsn())
		if err != nil {
			return err
		}
		cc.Host, cc.Port, cc.Fallbacks = now.Host, now.Port, now.Fallbacks
		return nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), setupTimeout)
	defer cancel()
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	serve.Check(t, "audit pool", err)
	t.Cleanup(pool.Close)
	serve.Check(t, "audit pool: first connection", pool.Ping(ctx))
	return pool
}
