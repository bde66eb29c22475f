package catalog_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/go-resilience/resilience/chaostest"
	"github.com/go-resilience/resilience/examples/catalog"
	"github.com/go-resilience/resilience/fixtures"
	"github.com/go-resilience/resilience/fixtures/explore"
)

// The fault space of the catalog: its two dependencies, Redis and Postgres,
// each through a proxy of the cell's own in front of the package's shared
// containers, and both at once (explore.Pairs), under four ways of failing:
// 2 s late (twice the probe's timeout, so that a catalog that waits fails
// by errors), down, reset, unresponsive.
//
// Expected, from the mechanism:
//   - Redis alone: the robust catalog gives up on the cache after 50 ms
//     and answers from Postgres, in every cell, as its single experiments
//     found (TestCatalogWhenRedisIsSlow, ...IsDown, ...IsPaused); the
//     fragile one waits for the cache or fails with it: deviated;
//   - Postgres alone: never deviated, because the probe asks for one item,
//     which is in the cache from the first request on (the TTL is a
//     minute): the cache shields the steady state from the database. The
//     matrix says so in each cell's reach: a fault that acts only on data
//     (latency, reset) meets none and the cell is unreached, one that acts
//     on the pool's idle connection (down cuts it) reached it and the
//     catalog held. Both say the same: this steady state does not depend on
//     Postgres; a hypothesis that must cover the database would probe
//     uncached items;
//   - both at once: deviated by both. The robust catalog's fallback is
//     Postgres: with the cache and the database failing, it has nothing to
//     answer from. A weakness of the design no single cell shows.
func TestCatalogFaultSpace(t *testing.T) {
	faults := explore.Faults(explore.Latency(2*time.Second), explore.Down(), explore.Reset(), explore.Unresponsive())
	for _, v := range []catalog.Variant{catalog.Robust, catalog.Fragile} {
		t.Run(v.String(), func(t *testing.T) {
			opts := []explore.Option{faults, explore.Pairs(),
				explore.Weakness("redis+postgres", "*", chaostest.Violates(successRate)),
				// Connections cut by the fault (pgx's, go-redis's) are
				// found broken at their next use after the rollback.
				explore.With(chaostest.Recovery(2 * time.Second))}
			if v == catalog.Fragile {
				opts = append(opts, explore.Weakness("redis", "*", chaostest.Violates(successRate)))
			}
			m := explore.Run(t, func(t *testing.T) explore.System {
				redis, postgres := fixtures.SharedRedis(t), fixtures.SharedPostgres(t)
				cache, db := redis.Proxy(t), postgres.Proxy(t)
				svc := catalog.Start(t, catalog.Config{Variant: v, RedisAddr: cache.Addr(), RedisPassword: redis.Password(), PostgresDSN: postgres.ProxyDSN(db)})
				return explore.System{
					Steady: steadyState(t, svc.URL),
					Dependencies: []explore.Dependency{
						{Name: "redis", TCP: cache},
						{Name: "postgres", TCP: db},
					},
				}
			}, opts...)
			for _, c := range m.Cells {
				if c.Verdict == explore.NotRun {
					continue // -run may select some cells only
				}
				want := explore.Held
				if c.Dependency == "redis+postgres" || (v == catalog.Fragile && c.Dependency == "redis") {
					want = explore.Deviated
				}
				if c.Dependency == "postgres" && c.Verdict == explore.Unreached {
					continue // shielded by the cache: see above
				}
				assert.Equal(t, want, c.Verdict, "%s × %s", c.Dependency, c.Fault)
			}
		})
	}
}
