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
//     tolerances (Observe(p).Every(d).Timeout(d).MaxInFlight(n).Expect(...)).
//   - hypothesis.go: Hypothesis (New, Validate).
//   - tolerance.go, tolerance_value.go, tolerance_window.go: the closed set of
//     tolerances. Value tolerances judge each sample (Equals, InRange, OneOf,
//     Matches, JSONPath, Satisfies); window tolerances judge a window
//     (SuccessRate, LatencyP, LatencyMax, MaxErrors, MinThroughput, MinSamples,
//     RecoversWithin).
//   - sampler.go: Sample, Sampler (Start, Samples, Evaluate, Stop) and Measure.
//   - evaluate.go: Evaluate, the pure judgement of samples over a window.
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
// answering fewer requests. Concurrency is bounded by MaxInFlight; a tick
// that cannot start before its timeout is a failed sample.
//
// # Verdicts
//
// A check with no tolerance judging errors (SuccessRate, MaxErrors,
// RecoversWithin) is held to SuccessRate(1). A check is violated if a window
// tolerance is; inconclusive if it has no sample, only samples in flight,
// or fewer finished samples than MinSamples (default 1); else held. A
// hypothesis is violated if any check is, else inconclusive if any check is,
// else held. Only held passes Assert.
//
// # Bad input
//
// Validate, Start, Measure, Assert and Require reject a bad hypothesis with a
// one-line error naming the field and the accepted range, before anything is
// sampled: `hypothesis "x": check 1 (GET http://...): Every must be > 0, got -1s`.
//
// # Overhead
//
// BenchmarkSamplerOverhead measures the sampler's own cost per sample with a
// probe that returns at once, scheduled faster than it can run (so the
// figure is the scheduling, goroutine, timer, context and bookkeeping cost
// of one sample). On the 2-core reference machine, shared with other builds:
// about 4 µs, 5 allocations and 2 KB per sample, so a check sampled every 10 ms costs
// the process well under 0.1 % of a core. Reproduce with
// `go test -run XXX -bench SamplerOverhead ./hypothesis/`.
package hypothesis
