// Package examples holds small, real services and the resilience tests
// that prove (or disprove) that they survive the failures of their
// dependencies. They are the project's worked examples: each experiment reads
// like the discipline it serves, with a steady-state hypothesis, a blast
// radius, a real-world event and an expected outcome. README.md walks through
// them as a tutorial.
//
// Every service comes in a robust version and a fragile twin that lacks the
// one thing resilience needs. Robust versions must hold their hypothesis;
// fragile twins declare chaostest.ExpectDeviation with their reasons, so the
// suite passes only when the framework catches the weakness for the right
// reason: the injected fault was active (chaostest.While) and the tolerance
// that guards the weakness was violated (chaostest.Violates). The fault-space
// tests name no fault: fixtures/explore runs one experiment per dependency
// and fault of a catalogue and shows the matrix, the fragile twins'
// weaknesses declared per cell (explore.Weakness).
//
// # Map
//
//	catalog/          HTTP catalog, Redis cache-aside in front of Postgres
//	                  robust: 50 ms bounds on every cache call, fallback to Postgres
//	                  fragile: no timeout on the cache, cache errors are request errors
//	                  experiments: Redis slow, down, paused; the fault space of Redis,
//	                  Postgres and both at once (fixtures/explore, with pairs)
//	orders/           HTTP order taking, writes to Postgres with idempotency keys
//	                  robust: retries with jittered backoff and a retry budget, a bounded
//	                  pool whose set-ups outlive an attempt, load shedding,
//	                  INSERT ... ON CONFLICT on the key
//	                  fragile twins: NoRetry, NoIdempotency (a retry duplicates orders),
//	                  Storm (a connection per attempt, no jitter, no budget: a retry storm)
//	                  experiments: connections reset, answers lost, Postgres restarts,
//	                  recovery after a connection storm (a metastable failure),
//	                  serialization failures on half the writes (pgfault)
//	                  plus an audit: every acknowledged order stored exactly once
//	gateway/          HTTP gateway in front of an upstream quote service
//	                  robust: 100 ms client timeout, circuit breaker (sony/gobreaker), fallback
//	                  fragile: bare http.Client, no timeout, no breaker
//	                  experiments: upstream slow, down and back, bandwidth squeezed,
//	                  503 for 30% of requests (httpfault), beside a control group;
//	                  the fault space of its upstream, TCP and HTTP (fixtures/explore)
//	inventory/        HTTP stock service, asks a gRPC inventory upstream
//	                  robust: retries UNAVAILABLE with jittered backoff, 3 attempts,
//	                  a retry budget (gRPC's retry throttling), fallback
//	                  fragile: retries UNAVAILABLE at once until its deadline
//	                  experiment: the upstream sheds 95% of calls (grpcfault), the
//	                  fragile twin caught by the upstream's request rate: a retry storm
//	likes/            HTTP like counter on Redis (INCR)
//	                  robust: retries a refused write with backoff, on a new connection
//	                  fragile: one attempt, READONLY is a request error
//	                  experiment: a failover, writes answered READONLY (redisfault)
//	shipping/         a rate service run as a binary (cmd/rates, fixtures/process), and its client
//	                  robust: retries with full jitter within a 4 s budget
//	                  fragile: one attempt
//	                  experiment: the rate service crashes (SIGKILL) and starts again, slowly
//	internal/summary  prints the table of verdicts from the experiments' journals
//	internal/serve    the plumbing of every Start: serve a handler for a test's duration
//	internal/variant  the Robust/Fragile type the two-variant services share
//
// Each service package has a Config with Validate, a New constructor that
// returns an http.Handler through Service.Handler, and a Start helper that
// serves it on a loopback address for the duration of a test. The shipping
// service is a binary instead (cmd/rates, run by fixtures/process); its
// package is the client that calls it.
//
// # Running
//
//	TESTCONTAINERS_HOST_OVERRIDE=localhost TESTCONTAINERS_RYUK_DISABLED=true \
//	CHAOSTEST_REQUIRE_DOCKER=1 CHAOSTEST_JOURNAL=/tmp/journals \
//	go test -race -count=1 -v ./examples/...
//	go run ./examples/internal/summary /tmp/journals
//
// The catalog and orders tests need Docker (Redis and Postgres containers,
// shared per package through fixtures.Main); the gateway and inventory need
// none.
package examples
