// Package hypothesis turns "the system is healthy" into measurements and a
// verdict: a steady-state hypothesis is a title and checks; a check samples a
// probe open-loop at a fixed rate and judges the samples with tolerances.
//
// Map of the package:
//
//   - probe.go, probe_http.go, probe_tcp.go, probe_sql.go: Probe, the one-method
//     interface that observes the system once, and the probes provided:
//     ProbeFunc, HTTP/HTTPGet (value HTTPResponse), TCPConnect, SQLPing, SQLQuery.
//   - check.go: Check, a probe with its interval, timeout, concurrency bound and
//     tolerances (Observe(p).Every(d).Timeout(d).Expect(...)); the in-flight
//     bound is derived from Timeout/Every unless MaxInFlight sets one.
//   - hypothesis.go: Hypothesis (New, Validate).
//   - tolerance.go, tolerance_value.go, tolerance_window.go: the closed set of
//     tolerances. Value tolerances judge each sample (Equals, InRange, OneOf,
//     Matches, JSONPath, Satisfies); window tolerances judge a window
//     (SuccessRate, LatencyP, LatencyMax, MaxErrors, MinThroughput, MinSamples,
//     RecoversWithin).
//   - tolerance_relative.go: tolerances relative to a reference (Ref: the
//     Baseline before the fault, or the Control group in the same window):
//     LatencyPRelative, SuccessRateRelative.
//   - harness.go: Harness (how late the sampler started a check's ticks, and
//     whether it could keep its schedule) and Load (the host's CPU and the Go
//     scheduler's delay over a window).
//   - sampler.go: Sample, Sampler (Start, Samples, Evaluate, Stop) and Measure.
//   - evaluate.go: Evaluate and EvaluateWith (with Refs), the pure judgement
//     of samples over a window.
//   - verdict.go, result.go: Verdict (held, violated, inconclusive; the zero
//     value is inconclusive), Result with per-tolerance expected and observed
//     figures, Summary and the labelled String used in failure messages.
//   - assert.go: the testing layer, Assert and Require, over the narrow T.
//
// # Layers
//
// Evaluate(h, samples, from, to) is pure. Hypothesis.Start returns a Sampler
// whose Evaluate judges any window while sampling goes on (what an
// experiment uses before, during and after a fault). Measure samples one
// window and judges it. Assert and Require wrap Measure for tests.
//
// # Open-loop sampling and coordinated omission
//
// Each check's samples are scheduled at Started + n*interval and every tick
// becomes a sample, whatever the system does. Latency is End - Intended, not
// End - Start: when the system stalls, the ticks that queue behind the stall
// carry the time they waited, so a stalled system cannot look fast by
// answering fewer requests. By default as many probes may be in flight as
// the schedule needs (⌈Timeout/Every⌉+1, capped at 1024), so the sampler
// never charges its own limit to the system; a tick that still finds every
// slot taken is not started (Sample.NotStarted), counted apart, and makes
// its window inconclusive.
//
// # Verdicts on a noisy machine
//
// A verdict is about the system, not the test machine. Three remedies:
//
//   - Harness: every sample records how late the sampler started it
//     (Sample.Lag). When more than a tenth of a window's ticks started
//     later than Harness.Limit (the smaller of the interval and a tenth of
//     the timeout), the harness
//     could not keep its schedule: then only failures timing cannot cause
//     (an error answer, a refused connection, a wrong value) decide, and a
//     violation made of latency, throughput or probes that ran out of time
//     is inconclusive ("the test machine was saturated", with the host's
//     figures from Result.Load); so is one that disappears once each
//     probe's start delay is discounted. Value tolerances judge values, not
//     time: their violations stand.
//   - Host: Sampler.Evaluate reads the host's load over the window (Load:
//     CPU busy, tasks runnable per CPU, CPU pressure, the Go scheduler's
//     delay). On a saturated host everything runs slower, the system under
//     test too, by about the number of runnable tasks per CPU
//     (Load.Slowdown). A latency violation that holds once every latency
//     bound is stretched by that slowdown is inconclusive, not a violation;
//     one far beyond it, or a violated error budget, stands.
//   - Baseline: LatencyPRelative(99, Baseline, 3, 50ms) and
//     SuccessRateRelative(Baseline, 0.01) bound a window by the steady
//     state measured before the fault, so a slower machine moves both.
//   - Control: the same, against a control group sampled at the same time
//     (an unfaulted twin of the system); when the control group is violated
//     too, the window is inconclusive. chaostest.Experiment.Control runs it.
//
// # Verdicts
//
// A check with no tolerance judging errors (SuccessRate, MaxErrors,
// RecoversWithin, SuccessRateRelative) is held to SuccessRate(1). A check is
// violated if a window tolerance is (unless the harness explains it, see
// above); inconclusive if it has no sample, only samples in flight, ticks
// not started, fewer finished samples than MinSamples (default 1), or a
// relative tolerance without its reference; else held. A hypothesis is
// violated if any check is, else inconclusive if any check is, else held.
// Only held passes Assert.
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
//   - BenchmarkEvaluateWindow, judging a 40-sample window: 11 µs; a violated
//     one, judged again with start delays discounted, 17 µs; with tolerances
//     relative to a control group, whose window is judged too (twice), 40 µs.
//     BenchmarkSamplerEvaluate, a 1 s window judged while sampling runs,
//     load figures included: 25 µs.
package hypothesis
