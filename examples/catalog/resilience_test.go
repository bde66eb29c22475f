package catalog_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/go-resilience/resilience/chaostest"
	"github.com/go-resilience/resilience/examples/catalog"
	"github.com/go-resilience/resilience/fixtures"
	"github.com/go-resilience/resilience/fixtures/netfault"
	"github.com/go-resilience/resilience/hypothesis"
)

// The steady-state hypothesis: "the catalog answers item pages, fast".
//
// A probe asks for one item every 25 ms (40 requests a second: enough for a
// p99 over a one-second window to mean something, little enough for two
// cores). The thresholds are the catalog's service-level objective:
//
//   - at least 95% of requests succeed. The robust catalog should answer all
//     of them, whatever the cache does; the margin absorbs one unlucky
//     request per window, not a failing dependency (a dead cache fails the
//     fragile catalog on every request).
//   - p99 latency at most 300 ms. A healthy request takes a few
//     milliseconds; the robust catalog's worst case is its 50 ms cache
//     timeout plus a Postgres query, six times under the bound. The faults
//     below slow the cache by 800 ms or stop it, so the fragile catalog,
//     which waits for the cache, lands far above it.
const probeName = "GET /items/42"

var (
	successRate = hypothesis.SuccessRate(0.95)
	p99         = hypothesis.LatencyP(99, 300*time.Millisecond)
)

func steadyState(t *testing.T, url string) *hypothesis.Hypothesis {
	t.Helper()
	client := &http.Client{}
	t.Cleanup(client.CloseIdleConnections)
	return hypothesis.New("the catalog answers item pages, fast",
		hypothesis.Observe(hypothesis.HTTPGet(url+"/items/42",
			hypothesis.ProbeName(probeName), hypothesis.WithClient(client)), hypothesis.Every(25*time.Millisecond), hypothesis.Timeout(time.Second), hypothesis.Expect(successRate, p99)))
}

// cacheFault is the fault of one experiment, built against the Redis the
// catalog uses (for container faults) and the proxy it talks through (for
// network faults).
type cacheFault func(redis *fixtures.Redis, proxy *netfault.Proxy) chaostest.Fault

// experiment runs the same experiment on both variants of the catalog. The
// robust catalog must hold. The fragile one must deviate, and be caught by
// the tolerances in caughtBy while the fault is on: that, not any failure,
// is the proof that the experiment detects the weakness.
//
// ownRedis gives the experiment a Redis container of its own: container
// faults (pause) are refused on the package's shared container, since they
// would reach every test using it.
func experiment(t *testing.T, title string, ownRedis bool, fault cacheFault, caughtBy ...hypothesis.Tolerance) {
	t.Helper()
	for _, v := range []catalog.Variant{catalog.Robust, catalog.Fragile} {
		t.Run(v.String(), func(t *testing.T) {
			var redis *fixtures.Redis
			if ownRedis {
				redis = fixtures.StartRedis(t)
			} else {
				redis = fixtures.SharedRedis(t)
			}
			proxy := redis.Proxy(t)
			svc := catalog.Start(t, catalog.Config{
				Variant:       v,
				RedisAddr:     proxy.Addr(), // the blast radius: only this catalog's cache connections
				RedisPassword: redis.Password(),
				PostgresDSN:   fixtures.SharedPostgres(t).DSN(),
			})
			f := fault(redis, proxy)
			opts := []chaostest.Option{
				chaostest.Title(title),
				chaostest.Before(time.Second),
				chaostest.Window(time.Second),
				chaostest.After(time.Second),
				// The cache comes back when the fault is reverted; the first
				// requests after it may still pay for connections that died.
				chaostest.Recovery(2 * time.Second),
			}
			if v == catalog.Fragile {
				// Caught for the weakness it has: while the fault is on,
				// the tolerances that guard it are violated.
				reasons := []chaostest.Reason{chaostest.While(f)}
				for _, tol := range caughtBy {
					reasons = append(reasons, chaostest.Violates(tol))
				}
				opts = append(opts, chaostest.ExpectDeviation(reasons...))
			}
			chaostest.Run(t, steadyState(t, svc.URL), chaostest.Inject(f, chaostest.For(2*time.Second)), opts...)
			if v == catalog.Fragile {
				return
			}
			// Holding proves nothing if the fault never reached the
			// service: the robust catalog must have bypassed its cache.
			assert.Positive(t, svc.Bypassed(), "the robust catalog never bypassed its cache: the fault did not reach it")
		})
	}
}

// Real-world event: Redis becomes slow. A fork for a snapshot, a KEYS on a
// big instance, a noisy neighbour: every answer takes 800 ms more.
//
// Blast radius: the catalog's connections to Redis, answers only
// (downstream), every connection (toxicity 1). Postgres is untouched.
//
// Expected: the robust catalog gives up on the cache after 50 ms and answers
// from Postgres, within the 300 ms p99. The fragile catalog waits for every
// answer: its p99 is at least 800 ms.
func TestCatalogWhenRedisIsSlow(t *testing.T) {
	experiment(t, "the catalog answers within 300 ms p99 while Redis answers 800 ms late", false,
		func(_ *fixtures.Redis, proxy *netfault.Proxy) chaostest.Fault {
			return proxy.Latency(800*time.Millisecond, netfault.Downstream, netfault.Toxicity(1))
		},
		p99)
}

// Real-world event: Redis is down (its host is gone, a failover is under
// way): connections are refused and the open ones are cut.
//
// Blast radius: the catalog's connections to Redis, all of them.
//
// Expected: the robust catalog answers every request from Postgres. The
// fragile catalog turns the cache's errors into 500s: its success rate falls
// far under 95%.
func TestCatalogWhenRedisIsDown(t *testing.T) {
	experiment(t, "the catalog keeps answering while Redis is down", false,
		func(_ *fixtures.Redis, proxy *netfault.Proxy) chaostest.Fault {
			return proxy.Down()
		},
		successRate)
}

// Real-world event: the Redis process freezes (a long GC-like stall, a VM
// migration, a stuck disk during a synchronous save): connections stay open
// and are even accepted, but nothing answers.
//
// Blast radius: the Redis container itself (paused), so a container of
// this experiment's own.
//
// Expected: the robust catalog's 50 ms read timeout turns the silence into
// a cache error and it answers from Postgres. The fragile catalog waits as
// long as Redis is frozen: its requests hang up to the probe's 1 s timeout,
// far over the 300 ms p99. (When a window is judged, the requests still
// hanging count by the time they have waited so far, not yet as errors: the
// p99 is the tolerance that catches this.)
func TestCatalogWhenRedisIsPaused(t *testing.T) {
	experiment(t, "the catalog keeps answering while Redis is frozen", true,
		func(redis *fixtures.Redis, _ *netfault.Proxy) chaostest.Fault {
			return redis.Container().Pause()
		},
		p99)
}
