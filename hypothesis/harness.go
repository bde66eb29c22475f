package hypothesis

import (
	"fmt"
	"strings"
	"time"

	"github.com/go-resilience/resilience/internal/hostload"
)

// Harness is how well the sampler kept one check's schedule in a window:
// the test machine's share of what was measured. A probe started late
// carries the harness's delay in its latency (which counts from the
// intended start), so a window in which the harness could not keep its
// schedule says more about the test machine than about the system.
type Harness struct {
	// NotStarted counts the ticks the sampler could not start at all
	// (every in-flight slot taken). They are not samples of the system.
	NotStarted int
	// Late counts the ticks started more than Limit after their intended time.
	Late int
	// LagP50, LagP90 and LagMax are how late the ticks started
	// (Sample.Lag): the Go scheduler's and the timer's delay in this process.
	LagP50, LagP90, LagMax time.Duration
	// Limit is the lateness from which the harness is behind its schedule:
	// the smaller of the check's interval (a tick later than that starts
	// after the next one was due: the schedule slipped) and a tenth of its
	// timeout (a probe started that late has lost a tenth of its time to
	// answer), never under 2ms, the scheduling noise of a busy but healthy
	// process. (How far a late start could explain a latency violation is
	// judged per sample: see Evaluate.)
	Limit time.Duration
	// Saturated is set when the harness could not keep the schedule: more
	// than a tenth of the ticks started later than Limit (LagP90 > Limit),
	// or a tick could not be started at all.
	Saturated bool
}

// minLagLimit is the least Harness.Limit: a process on a busy 2-core
// machine under -race routinely starts a goroutine a millisecond late.
const minLagLimit = 2 * time.Millisecond

// lagLimit is Harness.Limit for c.
func (c Check) lagLimit() time.Duration {
	return max(min(c.every, c.timeout/10), minLagLimit)
}

// harnessOf measures how late the started samples of c started.
func harnessOf(c Check, samples []Sample, notStarted int) Harness {
	h := Harness{NotStarted: notStarted, Limit: c.lagLimit()}
	lags := make([]time.Duration, 0, len(samples))
	for _, s := range samples {
		if s.InFlight || s.Start.IsZero() {
			continue
		}
		l := s.Lag()
		lags = append(lags, l)
		if l > h.Limit {
			h.Late++
		}
	}
	sortDurations(lags)
	h.LagP50, h.LagP90 = percentile(lags, 50), percentile(lags, 90)
	if len(lags) > 0 {
		h.LagMax = lags[len(lags)-1]
	}
	h.Saturated = h.NotStarted > 0 || h.LagP90 > h.Limit
	return h
}

// String is one line: "ticks started late by p50 0.1ms, p90 0.3ms, max 1.2ms (limit 10ms); 0 late, 0 not started".
func (h Harness) String() string {
	return fmt.Sprintf("ticks started late by p50 %s, p90 %s, max %s (limit %s); %d late, %d not started",
		fmtDur(h.LagP50), fmtDur(h.LagP90), fmtDur(h.LagMax), h.Limit, h.Late, h.NotStarted)
}

func (h Harness) notStartedReason() string {
	return fmt.Sprintf("%s not started: probe saturated (every in-flight slot taken); the sampler could not observe the system on schedule", count(h.NotStarted, "tick", "ticks"))
}

func (h Harness) saturatedReason() string {
	if h.NotStarted > 0 {
		return "the test machine was saturated: " + h.notStartedReason()
	}
	return fmt.Sprintf("the test machine was saturated: the harness could not keep its schedule (ticks started up to %s late, p90 %s, over the %s limit; %d late)",
		fmtDur(h.LagMax), fmtDur(h.LagP90), h.Limit, h.Late)
}

// Load is the host's and the test process's load over a window, as a
// process-wide monitor read it every 50ms. On a machine without /proc
// (not Linux) HostKnown is false and only SchedP99 is measured.
type Load struct {
	HostKnown     bool          // /proc/stat could be read
	CPUs          int           // online CPUs
	Busy          float64       // share of CPU time busy over the window, all CPUs, in [0,1]
	RunQueue      float64       // mean number of runnable tasks
	RunQueueMax   int           // most runnable tasks seen at one reading
	PressureKnown bool          // /proc/pressure/cpu could be read
	Pressure      float64       // share of the window in which some runnable task waited for a CPU
	SchedP99      time.Duration // p99 of the Go scheduler's delay in this process (time goroutines waited to run)
	Readings      int           // readings the figures come from
}

// String is one line: "host CPU 100% busy, 14.2 runnable on 2 CPUs (max 20), CPU pressure 85%; Go scheduler delay p99 31ms".
func (l Load) String() string { return hostload.Figures(l).String() }

// HostSaturated reports whether the host's CPUs were saturated: more work
// runnable than CPUs to run it, nearly all the time.
func (l Load) HostSaturated() bool { return hostload.Figures(l).HostSaturated() }

// Slowdown estimates how much slower than on an idle machine work ran
// during the window: with R tasks runnable on C CPUs each gets C/R of a
// CPU, so a step that needs the CPU takes R/C times as long. It is at
// least 1, and 1 when the host's load is unknown.
func (l Load) Slowdown() float64 {
	if !l.HostKnown || l.CPUs <= 0 {
		return 1
	}
	return max(1, l.RunQueue/float64(l.CPUs))
}

// explainSaturation adds the load figures to the reason of every check the
// harness could not keep on schedule: the figures say why.
func (r *Result) explainSaturation() {
	if r.Load.Readings == 0 {
		return
	}
	for i := range r.Checks {
		c := &r.Checks[i]
		if strings.HasPrefix(c.Reason, "the test machine was saturated") && !strings.Contains(c.Reason, "host CPU") {
			c.Reason += "; " + r.Load.String()
		}
	}
}
