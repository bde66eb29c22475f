package orders_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/go-resilience/resilience/chaostest"
	"github.com/go-resilience/resilience/examples/orders"
	"github.com/go-resilience/resilience/fixtures"
	"github.com/go-resilience/resilience/fixtures/netfault"
	"github.com/go-resilience/resilience/hypothesis"
)

// The steady-state hypothesis: "every order is taken, and taken once".
//
// Two checks. The first places an order every 50 ms, as clients do, each
// under a fresh idempotency key; the service's acknowledgements go into a
// ledger. The second audits the database every 100 ms: every order in the
// ledger must be stored exactly once.
//
// Thresholds, and why (the services' own numbers are in orders.Config and
// retry.go):
//
//   - at least 95% of orders are acknowledged. The robust service retries
//     through every fault below and loses none (its orders' deadline, 4 s,
//     is longer than any outage here plus a backoff and an attempt); the
//     margin is two unlucky orders in a 2.5 s window of 50. A service that
//     does not retry loses every order placed during a 1 s fault, 40% of
//     the window; the retry storm loses every order once it has started,
//     100%. Both land tens of points under the bound.
//   - p99 acknowledgement latency at most 3 s: a client at a checkout waits
//     a few seconds, not more. The robust service's slowest order is one
//     placed as the fault begins: it waits out the fault (1 s; about 1.5 s
//     for a Postgres restart, stop and start included), then at most one
//     backoff (250 ms), then one attempt, set-up of a pool connection
//     included (tens of ms): about 1.3-1.8 s. When answers are lost, the
//     pool's connections set up during the fault are set up into the black
//     hole and hold their slots until it ends (toxiproxy closes them when
//     the toxic is removed: about 1.1 s), or, for a black hole that never
//     closes them, until their 1.5 s connect timeout, 0.2 s into the fault
//     at the earliest: 1.7 s and a new set-up. In the connection-storm
//     experiment the fault lasts 2 s: 2 s plus 250 ms plus a set-up, about
//     2.3 s at worst (2.0-2.1 s measured). The robust service adds at most
//     a third of a second to the fault it waits out, against an allowance
//     of 1 s or more. The bound is not what catches the fragile twins (the
//     storm's orders take their full 4 s and fail, under the success rate),
//     so it need not be tight.
//   - no acknowledged order missing or stored twice (exactlyOnce, a value
//     tolerance on the audit's result): exactly-once has no margin. Being
//     about a value, not about time, its violation stands even on a
//     saturated machine. The audit's own failures (a query timing out) are
//     errors of the check, judged by MaxErrors(0) as timing like any other.
const (
	placeProbe = "POST /orders"
	auditProbe = "audit: acknowledged orders stored exactly once"
)

var (
	successRate = hypothesis.SuccessRate(0.95)
	p99         = hypothesis.LatencyP(99, 3*time.Second)
	exactlyOnce = hypothesis.Satisfies("every acknowledged order stored exactly once", func(c orders.Consistency) bool {
		return c.Anomalies() == 0
	})
	auditOK = hypothesis.MaxErrors(0)
)

// placing is the check that places orders through client.
func placing(client *orders.Client) hypothesis.Check {
	order := orders.Order{Item: "sku-42", Quantity: 1}
	return hypothesis.Observe(hypothesis.ProbeFunc(placeProbe, func(ctx context.Context) (any, error) {
		return client.Place(ctx, order)
	}),
		hypothesis.Every(50*time.Millisecond),
		hypothesis.Timeout(5*time.Second), // longer than the service's 4 s RequestTimeout: the service decides
		// At least Timeout/Every + 1 = 101: every tick starts on time even
		// if every order took its full 5 s.
		hypothesis.MaxInFlight(128),
		hypothesis.Expect(successRate, p99))
}

// auditing is the check that the ledger's orders are stored exactly once.
// It reads the table through db, a pool of its own straight to Postgres
// (orders.AuditPool), so that it sees the database while the service's path
// to it is faulted, and adds no connection set-up of its own to the
// database's load: its 1 s timeout bounds a query on a connection that is
// already there (a few milliseconds), not a connection set-up.
func auditing(db *pgxpool.Pool, table string, ledger *orders.Ledger) hypothesis.Check {
	return hypothesis.Observe(hypothesis.ProbeFunc(auditProbe, func(ctx context.Context) (any, error) {
		c, err := orders.Audit(ctx, db, table, ledger)
		if err != nil {
			return nil, err
		}
		return c, nil
	}),
		hypothesis.Every(100*time.Millisecond),
		hypothesis.Timeout(time.Second),
		hypothesis.Expect(exactlyOnce, auditOK))
}

// variantUnderTest is one service variant in one experiment, and whether the
// experiment expects it to hold.
type variantUnderTest struct {
	variant orders.Variant
	fragile bool
}

// setup starts the service of variant v behind a proxy of its own in front
// of pg, and returns it with its client and ledger.
func setup(t *testing.T, pg *fixtures.Postgres, v orders.Variant) (*orders.Running, *orders.Client, *orders.Ledger, *netfault.Proxy) {
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

// The windows of every experiment on a network fault. The fault lasts 1 s;
// the method goes on for 1.5 s more and is judged as one window, so that
// orders placed during the fault, whose retries end after it, are judged
// with it (the robust service's slowest ends about 0.8 s after the fault).
// The recovery allowance (2 s) is four times what the robust service
// needs to drain its backlog after a fault (one backoff, 250 ms, and a
// pool set-up): by the end of the method it is healthy again.
const (
	faultFor       = time.Second
	methodDuration = 2500 * time.Millisecond
	recovery       = 2 * time.Second
)

// takenOnce is the hypothesis "every order is taken, and taken once"
// (placing and auditing).
func takenOnce(t *testing.T, pg *fixtures.Postgres, svc *orders.Running, client *orders.Client, ledger *orders.Ledger) *hypothesis.Hypothesis {
	t.Helper()
	return hypothesis.New("every order is taken, and taken once",
		placing(client), auditing(orders.AuditPool(t, pg.DSN), svc.Table(), ledger))
}

// windows are the options of an experiment whose method lasts method and
// is judged as one window, with a second of steady state before and after
// and the recovery allowance; a fragile variant is expected to deviate for
// the reasons given.
func windows(title string, method time.Duration, fragile bool, reasons ...chaostest.Reason) []chaostest.Option {
	opts := []chaostest.Option{
		chaostest.Title(title),
		chaostest.Duration(method),
		chaostest.Window(method),
		chaostest.Before(time.Second),
		chaostest.After(time.Second),
		chaostest.Recovery(recovery),
	}
	if fragile {
		opts = append(opts, chaostest.ExpectDeviation(reasons...))
	}
	return opts
}

// networkExperiment runs an experiment whose fault is on the service's path
// to Postgres, the database itself staying up: the audit is part of the
// hypothesis. The robust service must hold; the fragile one must deviate
// while the fault is on, violating caughtBy.
func networkExperiment(t *testing.T, title string, fault func(*netfault.Proxy) chaostest.Fault,
	fragile orders.Variant, caughtBy hypothesis.Tolerance) {
	t.Helper()
	for _, vt := range []variantUnderTest{{orders.Robust, false}, {fragile, true}} {
		t.Run(vt.variant.String(), func(t *testing.T) {
			pg := fixtures.SharedPostgres(t)
			svc, client, ledger, proxy := setup(t, pg, vt.variant)
			f := fault(proxy)
			conns := countConnections(t, svc, client)
			rep := chaostest.Run(t, takenOnce(t, pg, svc, client, ledger),
				chaostest.Inject(f, chaostest.For(faultFor)),
				windows(title, methodDuration, vt.fragile, chaostest.While(f), chaostest.Violates(caughtBy))...)
			conns.log(t, rep, faultFor)
			if !vt.fragile {
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
		resetConnections, orders.NoRetry, successRate)
}

func resetConnections(p *netfault.Proxy) chaostest.Fault {
	return p.ResetPeer(0, netfault.Upstream)
}

// Real-world event: the database's answers are lost (a one-way partition, a
// stuck middlebox): statements arrive and commit, but no answer comes back,
// for one second.
//
// Blast radius: the service's connections to Postgres, answers only
// (downstream), all of them.
//
// Expected: both services time each statement out after 200 ms and retry
// until the answers flow again, so both keep taking orders. (A connection
// set up during the fault is set up into the black hole: its answers are
// lost too, and it holds its pool slot until the fault ends, when toxiproxy
// closes it, or at worst until its 1.5 s connect timeout.)
// But an order whose INSERT committed before its answer was lost is written
// again by the retry unless the write is idempotent: the robust service's
// retry finds the order by its key and returns it; the service without
// idempotency stores it a second time, and the audit catches the duplicate.
func TestOrdersWhenAnswersAreLost(t *testing.T) {
	networkExperiment(t, "every order is taken, once, while the database's answers are lost",
		func(p *netfault.Proxy) chaostest.Fault {
			return p.Timeout(0, netfault.Downstream)
		},
		orders.NoIdempotency, exactlyOnce)
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
//
// Windows: the outage is the second of the fault plus Postgres's own stop
// and start (about half a second more); the method lasts 3 s so that the
// orders placed during it, which finish at most 250 ms plus an attempt after
// Postgres is back, are judged in it.
func TestOrdersWhenPostgresRestarts(t *testing.T) {
	for _, vt := range []variantUnderTest{{orders.Robust, false}, {orders.NoRetry, true}} {
		t.Run(vt.variant.String(), func(t *testing.T) {
			pg := fixtures.StartPostgres(t)
			svc, client, ledger, _ := setup(t, pg, vt.variant)
			audit := orders.AuditPool(t, pg.DSN) // follows Postgres to its new port
			f := pg.Container().Stop()           // started again when the step ends
			conns := countConnections(t, svc, client)
			rep := chaostest.Run(t, hypothesis.New("every order is taken", placing(client)),
				chaostest.Inject(f, chaostest.For(faultFor)),
				windows("every order is taken while Postgres restarts", 3*time.Second, vt.fragile,
					chaostest.While(f), chaostest.Violates(successRate))...)
			conns.log(t, rep, faultFor)
			if !vt.fragile {
				assert.Positive(t, svc.Retries(), "the robust service never retried: the fault did not reach it")
			}

			ctx, cancel := context.WithTimeout(t.Context(), time.Minute) // a reconnection after the restart, on a busy host
			defer cancel()
			c, err := orders.Audit(ctx, audit, svc.Table(), ledger)
			require.NoError(t, err)
			require.Zero(t, c.Anomalies(), "after the restart: %s", c)
			require.Positive(t, c.Acknowledged)
			t.Logf("audit after the restart: %s", c)
		})
	}
}

// Real-world event: the connections-reset event of
// TestOrdersWhenConnectionsAreReset, for 2 s, against a Postgres with the
// capacity of a small instance: a container whose CPU quota is scaled until
// it sets up about 60 connections a second (sizeAsSmallInstance). The
// claim is about what happens once the fault is removed: the service must
// recover within the recovery allowance, not only survive the fault.
//
// Blast radius: a Postgres container of this experiment's own (a storm on
// the package's shared one would reach the other experiments), and its CPU
// quota: a storm cannot take the test machine's cores from the harness, and
// Postgres's capacity is the experiment's, measured, not the machine's (a
// machine with more cores gives it no more, a slower or busier one no
// less).
//
// Expected: the robust service holds, as in TestOrdersWhenConnectionsAreReset:
// its retries are budgeted (at most 5 a second while nothing succeeds), its
// connections pooled (4 at most, set up once and reused), so after the fault
// it sets its pool up again and is healthy at once. The storm twin does not
// recover, and for reasons that do not depend on luck:
//
//   - Postgres forks a process per connection, and this one sets up about
//     60 connections a second (4 clients in a loop; about 0.3 to 0.45 CPU
//     on the 2-core reference machine, quiet or beside stress-ng --cpu 1).
//     Clients that give up after 200 ms and try again get almost none
//     through: 4 a second for 20 clients, none for 40. A set-up abandoned
//     at 200 ms has cost Postgres its fork and start, and is replaced at
//     once by another.
//   - Healthy, the storm twin needs one connection per order: 20 a second,
//     a third of that capacity, so it is steady before the fault (connects
//     take tens of milliseconds, under its 200 ms attempt timeout).
//   - During the fault its attempts fail at once and are retried 10 ms to
//     250 ms later, so the set-ups grow with the orders waiting: about 120
//     in the first second, 160 a second over the two, each of them a fork
//     on Postgres (toxiproxy connects upstream before the reset).
//   - At the fault's end the ~40 orders placed during it come back every
//     250 ms, together (no jitter), on top of the 20 new ones a second:
//     about 180 set-ups a second, three times the capacity. Set-up slows past
//     200 ms, every attempt times out while its connection is still being
//     set up, and is retried: every order retries until its 4 s deadline,
//     and no success ever lowers the demand. Measured: about 205 set-ups a
//     second over the 4.5 s after the fault, 225 in the last window, and no
//     order taken; with a 15 s allowance, 210 a second and no order taken
//     for all of the 17.5 s. It does not recover while orders keep coming:
//     the 2 s allowance is not what it misses.
//   - max_connections (100) does not stop it: when the set-ups in progress
//     reach it, Postgres refuses the next ones at once ("too many clients",
//     SQLSTATE 53300), which the storm retries like any other error. The
//     audit holds a pooled connection opened before the storm, so it is not
//     among those refused (its queries may still time out: Postgres is at
//     its quota).
//
// Margins, both sides, by capacity: the storm twin's healthy load is a third
// of the capacity (three times less capacity and it would not be steady
// before the fault), and the storm took hold at 60 to 100 set-ups a second
// (a quota of half a CPU, before the calibration; every run), but not at
// twice that (1 CPU: 4 runs of 4 recovered). A fixed half CPU was not
// enough: on a loaded CI runner the same quota could not set up the storm
// twin's 20 a second before any fault, and neither twin held its claim
// (see capacity_test.go).
func TestOrdersRecoverAfterAConnectionStorm(t *testing.T) {
	const (
		stormFaultFor  = 2 * time.Second
		stormMethodFor = stormFaultFor + 1500*time.Millisecond // as in networkExperiment
	)
	for _, vt := range []variantUnderTest{{orders.Robust, false}, {orders.Storm, true}} {
		t.Run(vt.variant.String(), func(t *testing.T) {
			pg := fixtures.StartPostgres(t)
			sizeAsSmallInstance(t, pg)
			svc, client, ledger, proxy := setup(t, pg, vt.variant)
			f := resetConnections(proxy)
			conns := countConnections(t, svc, client)
			rep := chaostest.Run(t, takenOnce(t, pg, svc, client, ledger),
				chaostest.Inject(f, chaostest.For(stormFaultFor)),
				windows("every order is taken, once, and orders flow again after database connections were reset",
					stormMethodFor, vt.fragile, chaostest.NotRecovered(), chaostest.Violates(successRate))...)
			opened, placed := conns.log(t, rep, stormFaultFor)
			if vt.fragile {
				return
			}
			assert.Positive(t, svc.Retries(), "the robust service never retried: the fault did not reach it")
			// Pooled connections are reused: after the fault, the robust
			// service sets up its pool again (at most 4, a few more if a
			// set-up failed), while a service that connects per order sets
			// up at least one per order, 50 or more from the fault's end
			// to the end of the run (2.5 s at least, at 20 orders a second).
			assert.Less(t, opened, placed/4,
				"after the fault: %d connections set up for %d orders placed: the service connects per order", opened, placed)
		})
	}
}
