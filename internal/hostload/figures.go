package hostload

import (
	"fmt"
	"strings"
	"time"
)

// Figures describe the load during one window. The zero value is a window
// without readings.
type Figures struct {
	// HostKnown reports whether /proc/stat could be read (Linux) at the
	// readings bounding the window; when false (elsewhere, or without /proc)
	// Busy, RunQueue and RunQueueMax are zero.
	HostKnown bool
	// CPUs is the number of the host's online CPUs (the cpuN lines of
	// /proc/stat), or runtime.NumCPU when the host is unknown.
	CPUs int
	// Busy is the share of the CPU time of all CPUs over the window that was
	// neither idle nor iowait (steal counts as busy: the CPU was not ours), in
	// [0,1]. Like Pressure it needs two readings, so it is zero for a window
	// holding only the monitor's first reading.
	Busy float64
	// RunQueue is the mean over the window's readings of the host's runnable
	// tasks other than the monitor's reader: /proc/stat procs_running minus
	// one, since the task reading the file is running. An idle host reads 0,
	// and RunQueue >= CPUs means more runnable tasks than CPUs.
	RunQueue float64
	// RunQueueMax is the most runnable tasks (the reader not counted) seen at
	// one reading.
	RunQueueMax int
	// PressureKnown reports whether /proc/pressure/cpu could be read (Linux
	// 4.20 and later, with PSI enabled) at the readings bounding the window.
	PressureKnown bool
	// Pressure is the share of the wall time in which at least one runnable
	// task waited for a CPU (the PSI "some" total's delta over the window), in
	// [0,1]; zero unless PressureKnown.
	Pressure float64
	// SchedP99 is the 99th percentile of the time this process's goroutines
	// waited, runnable, before they ran, over the window (the delta of the
	// runtime/metrics histogram /sched/latencies:seconds between the
	// readings bounding it), rounded up to its bucket's upper bound; zero if
	// nothing was scheduled.
	SchedP99 time.Duration
	// Readings is the number of readings taken in the window.
	Readings int
}

// HostSaturated reports whether the host's CPUs were saturated over the
// window: Busy >= 0.9 and RunQueue >= CPUs, or Pressure >= 0.5 when known.
//
// The mechanism is queueing: a task that becomes runnable while every CPU is
// taken waits for a time slice (milliseconds), so the test's own probes,
// proxies and servers are delayed by the machine, not by the system under
// test. RunQueue counts the runnable tasks besides the reader; when they are at
// least as many as the CPUs, more tasks were runnable than there were CPUs (the
// reader makes one more), so each time the test process wanted a CPU it had to
// wait for one or take it from another task. procs_running is an instant, so
// Busy >= 0.9 over the whole window confirms that the queue lasted rather than
// being bursts the readings happened to catch; 0.9, not 1, because tick
// accounting and the gaps between tasks leave a saturated host a few percent
// short. Busy alone proves nothing: a busy host may still have had a CPU free
// whenever a task woke. Pressure measures the waiting
// itself: a few percent comes from bursts on a healthy host, while 0.5 means
// that for half the window some task was kept from a CPU, so delays were the
// rule, not the exception.
func (f Figures) HostSaturated() bool {
	if f.HostKnown && f.Busy >= 0.9 && f.RunQueue >= float64(f.CPUs) {
		return true
	}
	return f.PressureKnown && f.Pressure >= 0.5
}

// String is one line, e.g. "host CPU 100% busy, 14.2 runnable on 2 CPUs (max
// 20), CPU pressure 85%; Go scheduler delay p99 31ms", or without /proc "host
// load unknown (no /proc/stat); Go scheduler delay p99 31ms".
func (f Figures) String() string {
	if f.Readings == 0 {
		return "no load readings in window"
	}
	var b strings.Builder
	if f.HostKnown {
		cpus := "CPUs"
		if f.CPUs == 1 {
			cpus = "CPU"
		}
		fmt.Fprintf(&b, "host CPU %.0f%% busy, %.1f runnable on %d %s (max %d)",
			100*f.Busy, f.RunQueue, f.CPUs, cpus, f.RunQueueMax)
	} else {
		b.WriteString("host load unknown (no /proc/stat)")
	}
	if f.PressureKnown {
		fmt.Fprintf(&b, ", CPU pressure %.0f%%", 100*f.Pressure)
	}
	fmt.Fprintf(&b, "; Go scheduler delay p99 %v", roundDuration(f.SchedP99))
	return b.String()
}

// roundDuration rounds d to two significant digits: 29.360128ms reads 29ms,
// 1.835008ms reads 1.8ms.
func roundDuration(d time.Duration) time.Duration {
	unit := time.Duration(1)
	for v := d / 100; v > 0; v /= 10 {
		unit *= 10
	}
	return d.Round(unit)
}
