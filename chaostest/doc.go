// Package chaostest runs chaos-engineering experiments as ordinary Go tests.
//
// An experiment is a claim about availability: "the catalog answers within
// 300 ms p99 while its cache is slow". [Run] proves or disproves it with
// measurements, inside go test, and guarantees that every fault it injected
// is reverted however the test ends.
//
//	chaostest.Run(t, steady, chaostest.Inject(slowCache, chaostest.For(3*time.Second)),
//		chaostest.Title("catalog answers within 300 ms while the cache is slow"))
//
// # Running an experiment
//
//   - [Run] takes the steady-state hypothesis (built with the hypothesis
//     package) and a [Method], and returns a [Report]; [Validate] checks the
//     same arguments without running anything.
//   - [Option]s: [Title]; the windows [Before] (the gate), [Settle] (the
//     gate's allowance), [Duration], [Window], [After] and [Recovery]; [Control] (a control group);
//     [SteadyAfter] (what must hold after the rollback, when that differs
//     from the steady state); [ExpectDeviation]; [FailFast]; [Seed].
//
// # The method
//
//   - [Inject] schedules a [Fault] as a [Step], with [StepOption]s [At],
//     [For] and [MayReachNothing]; a Step is a Method by itself.
//   - [Together] runs steps from the same origin; [Sequence] runs each after
//     the previous one.
//   - A [Fault] has a Name and an Apply that returns its [Revert];
//     [FaultFunc] adapts a function. Optional abilities, found by type
//     assertion: Validate (checked before anything starts) and Attributes
//     (recorded in the journal). Concrete faults live with what they break:
//     the fixtures/netfault package (network faults, no Docker needed) and
//     the fixtures package (container faults). [SeedFrom] gives a fault the
//     experiment's seed.
//
// # Phases and verdicts
//
// An experiment runs in phases ([Phase]): the steady state [PhaseBefore]
// (the gate, judged over Before, slid forward by a quarter of Before at a
// time until it holds or the Settle allowance is spent: if it never holds
// the method never runs), the method
// [PhaseDuring], judged window by window, the rollback, and the steady state
// [PhaseAfter], judged over After, slid forward by a quarter of After at a
// time until it holds or the Recovery allowance is spent. The time a fault's
// Apply takes (a container restart can take seconds) counts against its
// step: a step's For runs from the moment its Apply began, and a window is
// judged on the samples intended in it, whatever was applying.
//
// The [Status] is held, deviated, not steady (the gate was violated),
// inconclusive (some window could not be judged, the gate included) or
// aborted; skipped when nothing ran (under -short, or another shard's
// experiment). Only held passes, unless the experiment documents a known
// weakness with [ExpectDeviation]: then it passes only when a [Deviation]
// shows every [Reason] given: [Violates] a tolerance (the very value passed
// to hypothesis.Expect, matched by identity; one that is not in the
// hypothesis is refused before the run), [While] a fault was applied,
// or [NotRecovered] after the rollback. [Report.Deviated] asks the same
// question of a report.
//
// # Evidence that the fault happened
//
// A fault that reached nothing proves nothing: the most common wiring
// mistake (the service is given its dependency's address, not the
// proxy's) leaves every window held. So a fault measures its [Reach]: its
// Apply calls [MeasureReach] with how to count what it acted on
// (connections, requests, the container's use), and Run reads it once the
// fault is reverted. The reach ends the fault's off line of the narrative
// ("fault off (schedule): quotes: latency 1s … reached 12 connections"),
// and is the output of the fault's run record in the journal and a column
// of the report's table of faults, beside the time the fault took to
// apply. A fault whose reach says Reached false makes the run
// inconclusive, never held and never the deviation an experiment expects,
// with one line in the failure message naming the fault and saying what
// happened and how to fix it. A fault meant to be quiet (it only matters
// if the system happens to use what it breaks) is injected with
// [MayReachNothing]: its reach is reported, the run judged as usual. A
// fault that measures no reach is never held against the run.
// [ApplyMeasured] applies a fault outside an experiment, to test its reach.
//
// # What a run tells
//
// The narrative (t.Logf, shown with -v) names the phases, the faults on and
// off with their offsets, and one line per window with its verdict (each
// check's own figures when there are several, the check that broke named),
// the control group's and the load it was judged under. A failure says what
// was expected and observed, the errors by kind (status 404 ×20, probe
// timeout ×3), shows a compact timeline, and gives the command that
// reproduces the run from the module's root (go test ./pkg -run '^Test$',
// with -chaostest.seed when a fault read the seed). The journal is a JSON
// record in Chaos Toolkit's format, which its own code accepts with its
// meanings (see journal_ctk_rules_test.go); each judged window of the
// method is also a probe record of its run[], so that chaos report shows
// it. A self-contained HTML report, whose header says first whether the
// test passed (an expected deviation is a pass), and an index of a journal
// directory sit beside it. See docs/reading-a-run.md.
//
// # Verdicts on a noisy machine
//
// A pre-merge gate must give the same verdict on a newcomer's busy 2-core
// runner as on the machine it was written on. Every window is judged with
// the harness's lateness and the host's load beside it (see the hypothesis
// package): a window judged while the harness could not keep its schedule
// is inconclusive, with the figures, never a deviation, unless a value
// tolerance (a consistency check) was violated. Bounds can be relative to
// the steady state before the fault (hypothesis.Baseline) or to a control
// group ([Control]: the same checks against an unfaulted twin of the
// system, sampled at the same time, as Netflix's ChAP does); a window in
// which the control group is violated too is inconclusive. A steady state
// after that does not recover within the allowance, although every fault
// was reverted, is reported as a metastable failure.
//
// # Rollback guarantees
//
// Each fault's revert is registered with t.Cleanup the moment the fault is
// applied, and also run explicitly when its step ends and at the end of the
// method; a revert runs at most once. So faults are reverted when the test
// passes, fails, panics in a probe or in the system under test, or calls
// FailNow. The testing package's -timeout panic runs no cleanups, so Run
// aborts the method (reverting) before the test's deadline, keeping at least
// a second for the rollback, and refuses up front an experiment that cannot
// fit. Run also stops when the test's context ends. A SIGINT or SIGTERM
// while the method runs is caught: every fault is reverted, the journal
// says "interrupted", and the signal is raised again so that go test stops.
// A signal the process was started with ignored (a shell's background job
// ignores SIGINT) stays ignored. A failed revert fails the test, naming the
// fault.
//
// # Settings
//
// Flags of the test binary, each with an environment twin (a set flag wins):
//
//	-chaostest.journal=DIR   CHAOSTEST_JOURNAL   where journals are kept (default: t.ArtifactDir(), kept by go test -artifacts)
//	-chaostest.failfast      CHAOSTEST_FAILFAST  stop each method at its first violated window
//	-chaostest.seed=N        CHAOSTEST_SEED      seed of experiments that set none; faults read it with SeedFrom
//	-chaostest.shard=K/N     CHAOSTEST_SHARD     run only the experiments of shard K of N (a stable hash of the test's name)
//	-chaostest.slots=N       CHAOSTEST_SLOTS     experiments measured at once on the machine, by every test process (1 to 64, default 2)
//
// Run keeps index.html, the index of every run whose journal is in the
// journal directory (-chaostest.journal), or with go test -artifacts in the
// _artifacts directory: read from the journals, failures first, the runs
// placed by [GridCell] (the explorer's cells) drawn as grids of verdicts,
// filtered by result without a script, each linked to its journal and
// report. [IndexReports] writes it for any directory, e.g. the journals of
// every shard copied into one.
//
// Under -short, Run skips the test with its reason. Experiments share no
// state: run them in parallel subtests (t.Parallel) when their systems are
// apart; Run does not make a test parallel by itself.
//
// # Many experiments at once
//
// Experiments are scheduled machine-wide: [Run] takes one of a few
// experiment slots before its steady state before and gives it back after
// its verdict, so that the experiments of every package of a `go test ./...`
// (several test binaries at once) do not measure each other's load. The
// slots are lock files (flock) in the user's cache directory
// (go-resilience/slots), released by the kernel when a process ends, even
// killed. The wait respects the test's context and deadline, and shows in
// the narrative ("waited 3.2s for an experiment slot (2 slots,
// machine-wide)"), in [Report.SlotWait], and in the journal (slot_wait,
// slots). Sharding (-chaostest.shard) is how a suite grows past one
// machine. See docs/scheduling.md for the figures behind the default.
//
// Package explore (fixtures/explore) runs one experiment per dependency
// and fault of a catalogue, each a subtest, in parallel on systems of
// their own, and reports the matrix of verdicts.
package chaostest
