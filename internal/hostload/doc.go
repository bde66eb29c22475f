// Package hostload measures how loaded the test process and its host were
// during a window of an experiment, so that a verdict can tell a slow system
// under test from a saturated test machine.
//
//	m := hostload.Acquire()
//	defer m.Release()
//	start := time.Now()
//	// ... the judged window ...
//	f := m.Window(start, time.Now())
//	if f.HostSaturated() {
//		// the figures measure the machine as much as the system: say so
//	}
//	t.Logf("load: %v", f)
//
// One [Monitor] serves the whole process: every [Period] (50 ms) it reads
// /proc/stat (CPU time and runnable tasks), /proc/pressure/cpu (the time in
// which tasks waited for a CPU) and the Go runtime's scheduler latency
// histogram, and keeps ten minutes of readings. Without /proc (not Linux, or
// a kernel without PSI) the host figures are marked unknown; the scheduler
// figures are always there.
//
// # Map of the package
//
// Monitoring:
//   - [Acquire] returns the process-wide [Monitor], started on first use and
//     taking its first reading at once; [Monitor.Release] gives it back, and
//     the last one stops its goroutine.
//   - [Monitor.Window] summarises the readings of a window into [Figures];
//     for a window still open it takes one more reading first.
//
// Judging:
//   - [Figures] holds the figures of one window; [Figures.String] is one line
//     for a test log or a failure message.
//   - [Figures.HostSaturated] says whether the host's CPUs were saturated,
//     with the reasoning behind its thresholds.
//
// Inside (unexported): proc.go parses /proc/stat and /proc/pressure/cpu
// (pure parsers, tested on captures in testdata/proc); sched.go reads the
// scheduler histogram and takes its quantile; ring.go keeps the readings,
// each with the sparse delta of the histogram since the reading before;
// window.go computes the figures from the ring.
//
// # Cost
//
// Measured on the project's 2-CPU machine (AMD EPYC, Linux 6.18, Go 1.26)
// with
//
//	go test -run '^$' -bench . -benchtime 2s ./internal/hostload/
//
// quiet (the first figure) and while other jobs kept the load average near 6
// (the range, from -count 5):
//
//	BenchmarkRead-2          38 µs/op  (45-83 µs)    300-470 B/op   6 allocs/op
//	BenchmarkWindow/1s-2    1.6 µs/op  (1.7-3.2 µs)        0 B/op   0 allocs/op
//	BenchmarkWindow/10m-2  0.75 ms/op  (1.5-2.0 ms)        0 B/op   0 allocs/op
//
// A reading is mostly the kernel generating the two /proc files; its
// allocations are os.Open's, plus the ring's growth amortised until it is
// full. At one reading per Period the monitor takes under 0.2% of one CPU.
// The Window benchmarks summarise a full ring (12000 readings, each changing
// 25 histogram buckets): a 1 s window costs a few µs, one over all ten
// minutes a millisecond or two, nearly all of it summing histogram deltas.
package hostload
