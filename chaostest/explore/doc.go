// Package explore answers "which failures of which dependency does my
// service survive?" without one test per pair: it runs one chaostest
// experiment per dependency and fault of a catalogue, each a subtest, and
// reports the matrix of their verdicts, as Filibuster does for the faults a
// functional test can meet.
//
//	m := explore.Run(t, func(t *testing.T) explore.System {
//		cache := netfault.New(t, redisAddr, netfault.Name("redis"))
//		svc := catalog.Start(t, catalog.Config{RedisAddr: cache.Addr(), ...})
//		return explore.System{Steady: steadyState(t, svc.URL), Dependencies: []explore.Dependency{explore.TCP(cache)}}
//	}, explore.Weakness("redis", "down", chaostest.Violates(successRate)))
//
// # Exploring
//
//   - [Run] takes the test and a build function that makes one instance
//     of the [System] under test: its steady-state hypothesis and its
//     [Dependency]s, each reached through a proxy of its own ([TCP]
//     (fixtures/netfault), [HTTP] (fixtures/httpfault), or both, the HTTP
//     proxy in front of the TCP one). Each cell builds its own, so cells
//     run in parallel (up to go test -parallel, or [Parallel]) without
//     reaching each other; what is behind the proxies (containers,
//     upstreams) is shared.
//   - Each cell is a subtest "dependency/fault": go test -run
//     'TestX/redis/down' runs one; its failure names the dependency, the
//     fault and the tolerance it violated, and gives the command that
//     replays it.
//   - [Option]s: [Faults] (the catalogue, narrowed or extended), [Pairs]
//     (every pair of dependencies at once), [Weakness] (a cell expected to
//     deviate: the matrix as a regression gate), [With] (options of every
//     cell's experiment, such as chaostest.Duration), [Parallel] (how many
//     cells at once).
//
// # The catalogue
//
// A [Fault] is a way a dependency fails, realised on the proxy it has:
// [Latency], [Down], [Reset], [Unresponsive], [Bandwidth], [Status], or
// [Custom] for one of your own. [Catalogue] is the default list, one of
// each. A fault with no form for a dependency's proxies is "n/a" in its row
// (Down needs a TCP proxy, Status an HTTP one).
//
// # The matrix
//
// [Matrix] has a [Cell] per row and column with its [Verdict]: held,
// deviated (with the tolerances violated), inconclusive, not run or n/a.
// Run logs it (go test -v shows it) and returns it. Every cell must hold,
// except declared weaknesses, which must deviate as declared; a cell that
// does not fails its subtest. A run replays with the seed the matrix prints
// (-chaostest.seed): the cells' faults draw from it, and so does the order
// the cells start in.
package explore
