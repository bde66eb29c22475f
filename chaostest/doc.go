// Package chaostest runs chaos-engineering experiments as ordinary Go tests.
//
// An experiment is a claim about availability: "the catalog answers within
// 300 ms p99 while its cache is slow". Run proves or disproves it with
// measurements, inside go test, and guarantees that every fault it injected
// is reverted however the test ends.
//
//	chaostest.Run(t, chaostest.Experiment{
//		Title:       "catalog answers within 300 ms while the cache is slow",
//		SteadyState: hypothesis.New("catalog is healthy", check),
//		Method:      chaostest.Steps(chaostest.Inject(slowCache).For(3 * time.Second)),
//	})
//
// # Map of the package
//
//   - experiment.go: Experiment, its defaults and Validate; Status, Report,
//     Deviation.
//   - fault.go: the Fault interface (Name, Apply returning a Revert), its
//     optional abilities (Validate, Attributes) and FaultFunc. Concrete
//     faults (toxiproxy toxics, container pause, ...) live in the fixtures
//     package; chaostest knows nothing of Docker or toxiproxy.
//   - schedule.go: Step (Inject(f).At(offset).For(d)) and Method (Steps,
//     Together, Sequence).
//   - run.go: Run, the lifecycle. Steady state before (the gate), the method
//     judged per window, rollback in reverse order, steady state after with a
//     recovery allowance (retry until met).
//   - settle.go: a window is judged once the samples intended in it have
//     finished (at the latest its check's timeout after it ends), so a slow
//     system is judged on its real latencies, not on samples still in flight.
//   - settle.go also waits for the control group's samples, when there is one.
//   - verdict.go: held, deviated, not steady, inconclusive or aborted, and
//     which of them pass. Only held passes, unless the experiment expects a
//     deviation (ExpectDeviation documents a known weakness; then a held run
//     fails). Not steady and inconclusive never pass.
//   - narrative.go: the t.Logf story (phases, faults on and off with their
//     offsets, one line per window with the control group's result and the
//     load it was judged under) and the failure message: violated
//     tolerances, a compact timeline, and the command that reproduces the run.
//   - journal.go: a JSON journal of the run in Chaos Toolkit's format, one
//     that Chaos Toolkit's own code accepts with its meanings (the rules:
//     journal_ctk_rules_test.go).
//   - report.go, reportchart.go, report.tmpl: a self-contained HTML report
//     beside the journal (timeline, fault bands, every sample's latency,
//     errors per window, verdicts, the control group, the load), written
//     after the verdict; reportindex.go: the index of a journal directory.
//   - flags.go: -chaostest.journal, -chaostest.failfast, -chaostest.seed and
//     their environment twins.
//   - signal.go: SIGINT during the method reverts the faults, then stops go
//     test as usual.
//   - t.go: T, the narrow testing interface (*testing.T satisfies it).
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
// group (Experiment.Control: the same checks against an unfaulted twin of
// the system, sampled at the same time, as Netflix's ChAP does); a window in
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
// fit. A SIGINT while the method runs is caught: every fault is reverted,
// the journal says "interrupted", and the interrupt is raised again so that
// go test stops. A failed revert fails the test, naming the fault.
//
// # Settings
//
// Flags of the test binary, each with an environment twin (a set flag wins):
//
//	-chaostest.journal=DIR   CHAOSTEST_JOURNAL   where journals are written (default: t.ArtifactDir(), see go test -artifacts)
//	-chaostest.failfast      CHAOSTEST_FAILFAST  stop each method at its first violated window
//	-chaostest.seed=N        CHAOSTEST_SEED      seed of experiments that set none; faults read it with SeedFrom
//
// Under -short, Run skips the test with its reason. Experiments share no
// state: they can run in parallel subtests.
package chaostest
