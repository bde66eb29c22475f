package orders_test

import (
	"context"
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/go-resilience/resilience/chaostest"
	"github.com/go-resilience/resilience/examples/internal/caught"
	"github.com/go-resilience/resilience/examples/orders"
	"github.com/go-resilience/resilience/fixtures"
	"github.com/go-resilience/resilience/hypothesis"
)

// The steady-state hypothesis: "every order is taken, and taken once".
//
// Two checks. The first places an order every 50 ms, as clients do, each
// under a fresh idempotency key; the service's acknowledgements go into a
// ledger. The second audits the database every 100 ms: every order in the
// ledger must be stored exactly once.
//
// Thresholds, and why:
//
//   - at least 95% of orders are acknowledged. The robust service retries
//     through every fault below and should lose none; the margin is one
//     unlucky order in a window, while a service that does not retry loses
//     every order placed during a 1 s fault (40% of a 2.5 s window).
//   - p99 acknowledgement latency at most 3 s: a client at a checkout waits
//     a few seconds, not more. The robust service's worst case is the
//     fault's length (1 s, plus Postgres's own stop and start for a restart)
//     plus one backoff step and one attempt timeout (250 + 200 ms).
//   - no acknowledged order missing or stored twice (MaxErrors(0) on the
//     audit): exactly-once has no margin.
const (
	placeProbe = "POST /orders"
	auditProbe = "audit: acknowledged orders stored exactly once"
)

var (
	successRate = hypothesis.SuccessRate(0.95)
	p99         = hypothesis.LatencyP(99, 3*time.Second)
	noAnomaly   = hypothesis.MaxErrors(0)
)

// placing is the check that places orders through client.
func placing(client *orders.Client) hypothesis.Check {
	order := orders.Order{Item: "sku-42", Quantity: 1}
	return hypothesis.Observe(hypothesis.ProbeFunc(placeProbe, func(ctx context.Context) (any, error) {
		return client.Place(ctx, order)
	})).
		Every(50*time.Millisecond).
		Timeout(5*time.Second). // longer than the service's 4 s budget: the service decides
		MaxInFlight(128).       // room for every order placed while Postgres restarts
		Expect(successRate, p99)
}

// auditing is the check that the ledger's orders are stored exactly once.
// It reads the table over a connection of its own, straight to Postgres, so
// it sees the database while the service's path to it is faulted.
func auditing(dsn func() string, table string, ledger *orders.Ledger) hypothesis.Check {
	return hypothesis.Observe(hypothesis.ProbeFunc(auditProbe, func(ctx context.Context) (any, error) {
		c, err := orders.Audit(ctx, dsn(), table, ledger)
		if err != nil {
			return nil, err
		}
		if c.Anomalies() > 0 {
			return c, errors.New(c.String())
		}
		return c, nil
	})).
		Every(100 * time.Millisecond).
		Timeout(time.Second).
		Expect(noAnomaly)
}

// variantUnderTest is one service variant in one experiment, and whether the
// experiment expects it to hold.
type variantUnderTest struct {
	variant orders.Variant
	fragile bool
}

// setup starts the service of variant v behind a proxy of its own in front
// of pg, and returns it with its client and ledger.
func setup(t *testing.T, pg *fixtures.Postgres, v orders.Variant) (*orders.Running, *orders.Client, *orders.Ledger, *fixtures.Proxy) {
	t.Helper()
	proxy := pg.Proxy(t)
	svc := orders.Start(t, orders.Config{Variant: v, PostgresDSN: pg.ProxyDSN(proxy)})
	ledger := orders.NewLedger()
	client := orders.NewClient(svc.URL, t.Name(), ledger)
	hc := &http.Client{}
	t.Cleanup(hc.CloseIdleConnections)
	client.HTTP = hc
	return svc, client, ledger, proxy
}

// networkExperiment runs an experiment whose fault is on the service's path
// to Postgres, the database itself staying up: the audit is part of the
// hypothesis. The robust service must hold; the fragile one must be caught
// by the reasons given.
func networkExperiment(t *testing.T, title string, fault func(*fixtures.Proxy) chaostest.Fault,
	fragile orders.Variant, caughtBy ...caught.Reason) {
	t.Helper()
	for _, vt := range []variantUnderTest{{orders.Robust, false}, {fragile, true}} {
		t.Run(vt.variant.String(), func(t *testing.T) {
			pg := fixtures.SharedPostgres(t)
			svc, client, ledger, proxy := setup(t, pg, vt.variant)
			f := fault(proxy)
			e := chaostest.Experiment{
				Title: title,
				SteadyState: hypothesis.New("every order is taken, and taken once",
					placing(client), auditing(pg.DSN, svc.Table(), ledger)),
				// The fault lasts 1 s; the method goes on for 1.5 s more and is
				// judged as one window, so that orders placed during the fault,
				// whose retries end after it, are judged with it.
				Method:   chaostest.Steps(chaostest.Inject(f).For(time.Second)),
				Duration: 2500 * time.Millisecond,
				Window:   2500 * time.Millisecond,
				Before:   time.Second,
				After:    time.Second,
				Recovery: 2 * time.Second,
			}
			if vt.fragile {
				e.Expect = chaostest.ExpectDeviation
			}
			rep := chaostest.Run(t, e)
			if vt.fragile {
				caught.Require(t, rep, f, caughtBy...)
			} else {
				// Holding proves nothing if the fault never reached the
				// service: the robust service must have retried.
				assert.Positive(t, svc.Retries(), "the robust service never retried: the fault did not reach it")
			}
			t.Logf("orders acknowledged: %d", ledger.Len())
		})
	}
}

// Real-world event: connections to the database are reset (a load balancer
// or NAT in between restarts, a firewall drops its connection table): every
// statement sent is answered by a TCP reset, for one second.
//
// Blast radius: the service's connections to Postgres, requests only
// (upstream: the statement never reaches the database), all of them.
//
// Expected: the robust service retries with backoff and takes every order,
// a second late at worst. The service that does not retry returns 503 for
// every order placed during the fault: its success rate falls under 95%.
func TestOrdersWhenConnectionsAreReset(t *testing.T) {
	networkExperiment(t, "every order is taken, once, while database connections are reset",
		func(p *fixtures.Proxy) chaostest.Fault {
			return p.ResetPeer(0).Direction(fixtures.Upstream)
		},
		orders.NoRetry, caught.Because(placeProbe, successRate))
}

// Real-world event: the database's answers are lost (a one-way partition, a
// stuck middlebox): statements arrive and commit, but no answer comes back,
// for one second.
//
// Blast radius: the service's connections to Postgres, answers only
// (downstream), all of them.
//
// Expected: both services time each attempt out after 200 ms and retry until
// the answers flow again, so both keep taking orders. But an order whose
// INSERT committed before its answer was lost is written again by the retry
// unless the write is idempotent: the robust service's retry finds the order
// by its key and returns it; the service without idempotency stores it a
// second time, and the audit catches the duplicate.
func TestOrdersWhenAnswersAreLost(t *testing.T) {
	networkExperiment(t, "every order is taken, once, while the database's answers are lost",
		func(p *fixtures.Proxy) chaostest.Fault {
			return p.Timeout(0).Direction(fixtures.Downstream)
		},
		orders.NoIdempotency, caught.Because(auditProbe, noAnomaly))
}

// Real-world event: Postgres restarts (a minor version upgrade, a host
// reboot, the OOM killer): it shuts down, closing every connection, stays
// down for a second, then starts again and recovers.
//
// Blast radius: the database itself, so a Postgres container of this
// experiment's own (it comes back on a new host port; the service's proxy
// follows it, as a DNS name would).
//
// Expected: the robust service retries until Postgres is back and takes
// every order; the service that does not retry fails every order placed
// while Postgres is down, over a second's worth: its success rate falls far
// under 95%. The audit cannot read a database that is down, so here it runs
// once, after the experiment: every acknowledged order must be stored
// exactly once.
func TestOrdersWhenPostgresRestarts(t *testing.T) {
	for _, vt := range []variantUnderTest{{orders.Robust, false}, {orders.NoRetry, true}} {
		t.Run(vt.variant.String(), func(t *testing.T) {
			pg := fixtures.StartPostgres(t)
			svc, client, ledger, _ := setup(t, pg, vt.variant)
			f := pg.Container().Stop() // started again when the step ends
			e := chaostest.Experiment{
				Title:       "every order is taken while Postgres restarts",
				SteadyState: hypothesis.New("every order is taken", placing(client)),
				Method:      chaostest.Steps(chaostest.Inject(f).For(time.Second)),
				Duration:    3 * time.Second,
				Window:      3 * time.Second,
				Before:      time.Second,
				After:       time.Second,
				Recovery:    2 * time.Second,
			}
			if vt.fragile {
				e.Expect = chaostest.ExpectDeviation
			}
			rep := chaostest.Run(t, e)
			if vt.fragile {
				caught.Require(t, rep, f, caught.Because(placeProbe, successRate))
			} else {
				assert.Positive(t, svc.Retries(), "the robust service never retried: the fault did not reach it")
			}

			c, err := orders.Audit(t.Context(), pg.DSN(), svc.Table(), ledger)
			require.NoError(t, err)
			require.Zero(t, c.Anomalies(), "after the restart: %s", c)
			require.Positive(t, c.Acknowledged)
			t.Logf("audit after the restart: %s", c)
		})
	}
}
