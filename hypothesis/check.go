package hypothesis

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// Defaults of a Check.
const (
	DefaultEvery   = 100 * time.Millisecond
	DefaultTimeout = time.Second
)

// maxDerivedInFlight caps the in-flight bound derived from Timeout/Every:
// past it, a check asks for more concurrent probes than a test process
// should run for one check (Every 1ms with a 10s timeout would be 10001).
// Ticks that find the capped bound reached are counted as not started.
const maxDerivedInFlight = 1024

// Check is a probe sampled open-loop at a fixed interval and judged by
// tolerances. It is a value: every method returns a modified copy, so a
// Check can be shared and refined without surprises.
//
// Value tolerances (Equals, InRange, OneOf, Matches, JSONPath, Satisfies)
// judge each sample; window tolerances (SuccessRate, LatencyP, LatencyMax,
// MaxErrors, MinThroughput, MinSamples, RecoversWithin) judge the samples of
// a window. Errors are judged by SuccessRate, MaxErrors or RecoversWithin;
// when a check declares none of these, SuccessRate(1) applies, so a check is
// never silently indifferent to failures.
type Check struct {
	probe       Probe
	every       time.Duration
	timeout     time.Duration
	maxInFlight int
	tolerances  []Tolerance
}

// Observe starts a check of p with the defaults: every 100ms, a 1s timeout,
// an in-flight bound derived from them (see MaxInFlight), and no tolerance
// (every sample must succeed).
func Observe(p Probe) Check {
	return Check{probe: p, every: DefaultEvery, timeout: DefaultTimeout}
}

// Every sets the sampling interval (default 100ms). The schedule is fixed:
// sample n is intended at start + n*d whatever the system does.
func (c Check) Every(d time.Duration) Check { c.every = d; return c }

// Timeout sets the per-sample timeout (default 1s), counted from the
// sample's intended start and enforced through the probe's context.
func (c Check) Timeout(d time.Duration) Check { c.timeout = d; return c }

// MaxInFlight bounds how many probes of this check run at once. The default
// (0) is derived so that every tick can start on time: a probe lasts at most
// Timeout, so at most ⌈Timeout/Every⌉+1 run at once (capped at 1024). A
// bound of your own must be at least that (or 1024): a smaller one would
// make the sampler's own limit look like the system's latency.
//
// A tick that finds every slot taken (a probe that ignores its context, or
// the cap) is not started: it is counted apart as NotStarted, never as a
// failed request of the system, and makes its window inconclusive.
func (c Check) MaxInFlight(n int) Check { c.maxInFlight = n; return c }

// Expect appends tolerances.
func (c Check) Expect(t ...Tolerance) Check {
	c.tolerances = append(slices.Clip(c.tolerances), t...)
	return c
}

// Probe returns the check's probe.
func (c Check) Probe() Probe { return c.probe }

// Interval returns the sampling interval set by Every.
func (c Check) Interval() time.Duration { return c.every }

// ProbeTimeout returns the per-sample timeout set by Timeout.
func (c Check) ProbeTimeout() time.Duration { return c.timeout }

// InFlightLimit returns the bound in force: the one set by MaxInFlight, or
// the one derived from Timeout and Every.
func (c Check) InFlightLimit() int {
	if c.maxInFlight > 0 {
		return c.maxInFlight
	}
	return c.neededInFlight()
}

// neededInFlight is how many probes can be in flight at once when every
// tick starts on time and each lasts up to its timeout, capped.
func (c Check) neededInFlight() int {
	if c.every <= 0 || c.timeout <= 0 {
		return 1
	}
	n := (c.timeout+c.every-1)/c.every + 1
	return int(min(n, maxDerivedInFlight))
}

// Tolerances returns a copy of the tolerances declared with Expect.
func (c Check) Tolerances() []Tolerance { return slices.Clone(c.tolerances) }

// String describes the check: "GET http://x every 100ms: success rate >= 99%, latency p99 <= 300ms".
func (c Check) String() string {
	var b strings.Builder
	b.WriteString(c.probeName())
	fmt.Fprintf(&b, " every %v", c.every)
	for i, t := range c.tolerances {
		if i == 0 {
			b.WriteString(": ")
		} else {
			b.WriteString(", ")
		}
		b.WriteString(toleranceString(t))
	}
	return b.String()
}

func (c Check) probeName() string {
	if c.probe == nil {
		return "<nil probe>"
	}
	return c.probe.Name()
}

func toleranceString(t Tolerance) string {
	if t == nil {
		return "<nil tolerance>"
	}
	return t.String()
}

// validate returns a one-line reason naming the field, without the check's prefix.
func (c Check) validate() error {
	if c.probe == nil {
		return fmt.Errorf("probe must not be nil")
	}
	if v, ok := c.probe.(probeValidator); ok {
		if err := v.Validate(); err != nil {
			return err
		}
	}
	if c.every <= 0 {
		return fmt.Errorf("Every must be > 0, got %v", c.every)
	}
	if c.timeout <= 0 {
		return fmt.Errorf("Timeout must be > 0, got %v", c.timeout)
	}
	if c.maxInFlight < 0 {
		return fmt.Errorf("MaxInFlight must be >= %d (or 0 to derive it from Timeout/Every), got %d", c.neededInFlight(), c.maxInFlight)
	}
	if need := c.neededInFlight(); c.maxInFlight > 0 && c.maxInFlight < need {
		return fmt.Errorf("MaxInFlight %d is too small for Every %v and Timeout %v: probes lasting up to the timeout keep %d in flight; accepted: >= %d, or 0 to derive it",
			c.maxInFlight, c.every, c.timeout, need, need)
	}
	recovers := 0
	for _, t := range c.tolerances {
		if t == nil {
			return fmt.Errorf("Expect tolerance must not be nil")
		}
		if err := t.validate(); err != nil {
			return err
		}
		if _, ok := t.(*recoversWithin); ok {
			recovers++
		}
	}
	if recovers > 1 {
		return fmt.Errorf("RecoversWithin may appear at most once per check, got %d", recovers)
	}
	return nil
}
