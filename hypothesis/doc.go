// Package hypothesis turns "the system is healthy" into measurements and a
// verdict: a steady-state hypothesis is a title and checks; a check samples a
// probe open-loop at a fixed rate and judges the samples with tolerances.
//
//	h := hypothesis.New("checkout is healthy",
//		hypothesis.Observe(hypothesis.HTTPGet(url), hypothesis.Every(20*time.Millisecond),
//			hypothesis.Expect(hypothesis.SuccessRate(0.99), hypothesis.LatencyP(99, 300*time.Millisecond))))
//	hypothesis.Require(t, h, 2*time.Second)
//
// # Building a hypothesis
//
// [New] makes a [Hypothesis] of a title and checks; [Observe] makes a
// [Check] of a [Probe] and options (a [CheckOption] each); [Check.With] derives a check with
// more options. [Hypothesis.Validate] rejects bad input (see Bad input
// below); [Hypothesis.Uses] and [Hypothesis.RecoveryAllowance] tell an
// experiment what the hypothesis needs.
//
// # Probes
//
// A [Probe] observes the system once and returns the value tolerances judge:
//
//   - [HTTP] and [HTTPGet] send the same request every time; [HTTPRequest]
//     builds each request anew (idempotency keys, unique ids). Each
//     observes an [HTTPResponse]; each [HTTPOption]: [WithHeader], [WithBody],
//     [WithClient], [AcceptStatus], [ProbeName].
//   - [TCPConnect] opens a connection; [SQLPing] and [SQLQuery] ask a
//     database.
//   - [Rate] turns a counter into its increase per second; before it has a
//     reading old enough it observes a [NoValue], which is not judged.
//   - [ProbeFunc] adapts a function.
//
// # Check options
//
// [Every] (the interval), [Timeout] (per sample, from its intended start),
// [MaxInFlight] (how many probes at once; derived by default), [Expect]
// (the tolerances, each optionally followed by a [Label] of its intent,
// shown with it: "no item page lost (success rate >= 99%)") and [LoadOnly]
// (a check that drives load and is never judged). By default a check
// samples every 100 ms with a timeout of 1 s.
//
// # Value tolerances
//
// A [ValueTolerance] judges each sample's value; a sample that misses one is
// a failed sample: [Equals], [InRange], [OneOf], [Matches], [JSONPath],
// [Satisfies].
//
// # Window tolerances
//
// A [WindowTolerance] judges the samples of a window: [SuccessRate],
// [MaxErrors], [RecoversWithin] (these judge errors; a check with none of
// them is held to SuccessRate(1)), [LatencyP], [LatencyMax],
// [MinThroughput], [MinSamples].
//
// # Relative tolerances
//
// Bounds that move with the machine, against a [Ref]: [Baseline] (the same
// check before the fault) or [Control] (an unfaulted twin sampled at the
// same time), given to [EvaluateWith] or [Sampler.EvaluateWith] as [Refs]:
// [LatencyPRelative], [SuccessRateRelative].
//
// # Judging
//
// [Evaluate] and [EvaluateWith] are pure: they judge samples ([Sample]) over a
// window, reading no clock. [Hypothesis.Start] returns a [Sampler] that
// samples until [Sampler.Stop] and judges any window while it runs
// ([Sampler.Evaluate]): what an experiment uses before, during and after a
// fault. [Measure] samples one window and judges it. [Assert] and [Require]
// wrap Measure for tests, [AssertResult] and [RequireResult] a Result you
// have; all take the narrow [T] (*testing.T satisfies it). Assert reports
// and goes on; Require stops the test, from the test goroutine only.
//
// # Results
//
// A [Result] holds a [Verdict] ([Held], [Violated], [Inconclusive]; the
// zero value is inconclusive, so nothing is a silent pass), one
// [CheckResult] per check (figures: samples, errors, success rate, latency
// percentiles, the [Harness]) and per tolerance a [ToleranceResult]:
// expected and observed as text for people, rounded to four significant
// digits, and as exact numbers (Bound and Measured, in a [Unit]) for
// reports. [Result.Summary] is one line, [Result.String] the labelled
// failure message, [Result.Violated] says whether a given tolerance was
// violated. Result.Load is the host's [Load] over the window.
//
// # Writing your own probe or tolerance
//
// A probe is a Name and an Observe method that honours its context; a
// tolerance is a String and either a Miss method ([ValueTolerance]) or a
// Judge method ([WindowTolerance]) over a read-only [Window]. Optional
// methods add abilities: Validate() error (probe or tolerance; called by
// Hypothesis.Validate) and, for a window tolerance, JudgesErrors() bool
// (the default success rate then stands down). A panic in Observe or Miss
// is a failed sample, one in Judge an inconclusive tolerance: never the
// test's crash. See the example of WindowTolerance.
//
// # Open-loop sampling and coordinated omission
//
// Each check's samples are scheduled at Started + n*interval and every tick
// becomes a sample, whatever the system does. Latency is End - Intended, not
// End - Start: when the system stalls, the ticks that queue behind the stall
// carry the time they waited, so a stalled system cannot look fast by
// answering fewer requests. By default as many probes may be in flight as
// the schedule needs, each allowed a second past its deadline to return
// (⌈(Timeout+1s)/Every⌉+1, capped at 1024), so the sampler never charges
// its own limit to the system; a tick that still finds every
// slot taken is not started (Sample.NotStarted), counted apart, and makes
// its window inconclusive.
//
// # Verdicts
//
// A check is violated if a window tolerance is, or, when it declares no
// tolerance judging errors, a value tolerance is (the default success rate
// then judges the other errors, so a miss is reported once, under its
// tolerance); a violation stands unless the test machine explains it (see
// below). A check is inconclusive if it has no sample, only samples in
// flight, ticks not started, fewer finished samples than MinSamples
// (default 1), a value tolerance with no value to judge, or a relative
// tolerance without its reference; else held. A LoadOnly check is not
// judged. A hypothesis is violated if any judged check is, else
// inconclusive if any is (or if none is judged), else held. Only held
// passes Assert.
//
// # Verdicts on a busy machine
//
// A verdict is about the system, not the test machine. Three remedies:
//
//   - Harness: every sample records how late the sampler started it
//     ([Sample.Lag]). When more than a tenth of a window's ticks started
//     later than Harness.Limit (the smaller of the interval and a tenth
//     of the timeout), the harness could not keep its schedule: then only
//     failures timing cannot cause (an error answer, a refused connection,
//     a wrong value) decide, and a violation made of latency, throughput or
//     probes that ran out of time is inconclusive ("the test machine was
//     saturated", with the host's figures from Result.Load); a probe that
//     ran out of time counts against the system all the same when the
//     harness took less than a quarter of its time (its start delay plus
//     the scheduler's delay p99): it had three quarters of its timeout and
//     got no answer. So is one that
//     disappears once each probe's start delay is discounted. Value
//     tolerances judge values, not time: their violations stand.
//   - Host: Sampler.Evaluate reads the host's [Load] over the window (CPU
//     busy, tasks runnable per CPU, CPU pressure, the Go scheduler's
//     delay). On a saturated host everything runs slower, the system under
//     test too, by about the number of runnable tasks per CPU
//     ([Load.Slowdown]). A latency violation that holds once every latency
//     bound of the package's tolerances is stretched by that slowdown is
//     inconclusive, not a violation; one far beyond it, or a violated error
//     budget, stands.
//   - Baseline and Control: LatencyPRelative(99, Baseline, 3, 50ms) and
//     SuccessRateRelative(Baseline, 0.01) bound a window by the steady
//     state measured before the fault, so a slower machine moves both.
//     Control bounds it by a control group sampled at the same time (an
//     unfaulted twin); when the control group is violated too, the window
//     is inconclusive. The option chaostest.Control runs it.
//
// # Bad input
//
// Validate, Start, Measure, Assert and Require reject a bad hypothesis with a
// one-line error naming the field and the accepted range, before anything is
// sampled: `hypothesis "x": check 1 (GET http://...): Every must be > 0, got -1s`.
//
// # Overhead
//
// Measured on the 2-core reference machine, shared with other builds, with
// `go test -run '^$' -bench . -benchmem ./hypothesis/ ./internal/hostload/`:
//
//   - BenchmarkSamplerOverhead, the sampler's own cost per sample (a probe
//     that returns at once, scheduled faster than it can run: scheduling,
//     goroutine, timer, context, bookkeeping): about 5 µs, 5 allocations and
//     2 KB, so a check sampled every 10 ms costs well under 0.1 % of a core.
//   - Saturation detection: BenchmarkHarnessOf, the harness figures of a
//     40-sample window, 1.6 µs (40 ns a sample); the host monitor, shared by
//     every sampler of the process, reads /proc every 50 ms at 35 µs a
//     reading (0.07 % of a core) and summarises a 1 s window in 1.6 µs.
//   - BenchmarkEvaluateWindow, judging a 40-sample window: about 11 µs; a
//     violated one, judged again with start delays discounted, 17 µs; with
//     tolerances relative to a control group, whose window is judged too
//     (twice), 40 µs. BenchmarkSamplerEvaluate, a 1 s window judged while
//     sampling runs, load figures included: 25 µs.
package hypothesis
