package hypothesis

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
)

// Defaults of a Check (the Every and Timeout options).
const (
	defaultEvery   = 100 * time.Millisecond
	defaultTimeout = time.Second
)

// maxDerivedInFlight caps the in-flight bound derived from Timeout/Every:
// past it, a check asks for more concurrent probes than a test process
// should run for one check (Every 1ms with a 10s timeout would be 10001).
// Ticks that find the capped bound reached are counted as not started.
const maxDerivedInFlight = 1024

// Check is a probe sampled open-loop at a fixed interval and judged by
// tolerances. It is a value, built by Observe with CheckOptions.
//
// Value tolerances (Equals, InRange, OneOf, Matches, JSONPath, Satisfies)
// judge each sample; window tolerances (SuccessRate, LatencyP, LatencyMax,
// MaxErrors, MinThroughput, MinSamples, RecoversWithin) judge the samples of
// a window. Errors are judged by SuccessRate, MaxErrors, RecoversWithin or
// SuccessRateRelative; when a check declares none of these, SuccessRate(1)
// applies, so a check is never silently indifferent to failures. A LoadOnly
// check is sampled but never judged.
type Check struct {
	probe       Probe
	every       time.Duration
	timeout     time.Duration
	maxInFlight int
	tolerances  []Tolerance
	labels      []string // labels[i] names the intent of tolerances[i], or ""
	labelErr    string   // a Label that named no tolerance
	loadOnly    bool
}

// CheckOption configures a Check: Every, Timeout, MaxInFlight, Expect and
// LoadOnly. Options apply in order; a later one of the same kind wins
// (Expect appends). Values are checked when the hypothesis is validated.
type CheckOption interface {
	applyCheck(c *Check)
	String() string
}

type checkOption struct {
	desc  string
	apply func(c *Check)
}

func (o checkOption) applyCheck(c *Check) { o.apply(c) }
func (o checkOption) String() string      { return o.desc }

// Observe builds a check of p: by default sampled every 100ms with a 1s
// timeout, an in-flight bound derived from them (see MaxInFlight), and no
// tolerance (every sample must succeed).
//
//	hypothesis.Observe(probe, hypothesis.Every(20*time.Millisecond),
//		hypothesis.Expect(hypothesis.SuccessRate(0.99), hypothesis.LatencyP(99, 300*time.Millisecond)))
func Observe(p Probe, opts ...CheckOption) Check {
	c := Check{probe: p, every: defaultEvery, timeout: defaultTimeout}
	for _, o := range opts {
		if o != nil {
			o.applyCheck(&c)
		}
	}
	return c
}

// Every sets the sampling interval (default 100ms; accepted: > 0). The
// schedule is fixed: sample n is intended at start + n*d whatever the
// system does.
func Every(d time.Duration) CheckOption {
	return checkOption{desc: fmt.Sprintf("Every(%v)", d), apply: func(c *Check) { c.every = d }}
}

// Timeout sets the per-sample timeout (default 1s; accepted: > 0), counted
// from the sample's intended start and enforced through the probe's context.
func Timeout(d time.Duration) CheckOption {
	return checkOption{desc: fmt.Sprintf("Timeout(%v)", d), apply: func(c *Check) { c.timeout = d }}
}

// MaxInFlight bounds how many probes of this check run at once. The default
// (0) is derived so that every tick can start on time: a probe that honours
// its context returns soon after its deadline Timeout, but not at it (an
// HTTP client still tears its connection down), so the derived bound leaves
// each probe up to a second past its deadline, the grace Sampler.Stop gives
// it too: ⌈(Timeout+1s)/Every⌉+1 (capped at 1024). A bound of your own
// must be at least ⌈Timeout/Every⌉+1, what probes lasting exactly their
// timeout keep in flight (or 1024): a smaller one would make the sampler's
// own limit look like the system's latency.
//
// A tick that finds every slot taken (a probe that ignores its context, or
// the cap) is not started: it is counted apart as NotStarted, never as a
// failed request of the system, and makes its window inconclusive.
func MaxInFlight(n int) CheckOption {
	return checkOption{desc: fmt.Sprintf("MaxInFlight(%d)", n), apply: func(c *Check) { c.maxInFlight = n }}
}

// Expect appends tolerances the check must meet: the package's, or ones of
// your own (see ValueTolerance and WindowTolerance), each optionally
// followed by a Label of its intent.
func Expect(t ...Tolerance) CheckOption {
	t = slices.Clone(t)
	return checkOption{desc: fmt.Sprintf("Expect(%s)", count(len(t), "tolerance", "tolerances")), apply: func(c *Check) {
		c.addTolerances(t)
	}}
}

// LoadOnly makes the check drive load without being judged: it is sampled
// like any other (its samples are recorded, its figures shown in
// CheckResult: samples, errors, success rate, latencies, harness), but it
// takes no tolerance, is not held to the default success rate, and never
// makes a Result violated or inconclusive: not by its errors or latencies,
// nor by ticks it started late or could not start. Result.Summary and
// String say "drives load (not judged)". A hypothesis whose checks all drive
// load judges nothing: its verdict is inconclusive. Use it for the traffic
// that makes a fault bite (writes that fill a queue, reads that warm a
// cache) beside the checks that state the hypothesis.
func LoadOnly() CheckOption {
	return checkOption{desc: "LoadOnly()", apply: func(c *Check) { c.loadOnly = true }}
}

// LoadOnly reports whether the check only drives load (see the LoadOnly option).
func (c Check) LoadOnly() bool { return c.loadOnly }

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
	return inFlightFor(c.timeout+stopGrace, c.every)
}

// neededInFlight is how many probes can be in flight at once when every
// tick starts on time and each lasts up to its timeout, capped: the least
// MaxInFlight accepted.
func (c Check) neededInFlight() int { return inFlightFor(c.timeout, c.every) }

// inFlightFor is how many probes lasting up to last are in flight at once
// when one starts every every, capped at maxDerivedInFlight.
func inFlightFor(last, every time.Duration) int {
	if every <= 0 || last <= 0 {
		return 1
	}
	n := (last+every-1)/every + 1
	return int(min(n, maxDerivedInFlight))
}

// Tolerances returns a copy of the tolerances declared with Expect.
func (c Check) Tolerances() []Tolerance { return slices.Clone(c.tolerances) }

// String describes the check: "GET http://x every 100ms: success rate >= 99%, latency p99 <= 300ms",
// or "POST http://x/orders every 50ms, drives load (not judged)".
func (c Check) String() string {
	var b strings.Builder
	b.WriteString(c.probeName())
	fmt.Fprintf(&b, " every %v", c.every)
	if c.loadOnly {
		b.WriteString(", " + loadOnlyReason)
	}
	for i, t := range c.tolerances {
		if i == 0 {
			b.WriteString(": ")
		} else {
			b.WriteString(", ")
		}
		b.WriteString(labelled(c.labelOf(t), toleranceString(t)))
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
	if c.labelErr != "" {
		return errors.New(c.labelErr)
	}
	if c.loadOnly && len(c.tolerances) > 0 {
		return fmt.Errorf("LoadOnly check has %s; accepted: none (a check that drives load is never judged)", count(len(c.tolerances), "tolerance", "tolerances"))
	}
	recovers := 0
	for _, t := range c.tolerances {
		if err := validateTolerance(t); err != nil {
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

// With returns a copy of c with more options applied, e.g. a shared check
// sampled faster in one test: base.With(hypothesis.Every(10*time.Millisecond)).
func (c Check) With(opts ...CheckOption) Check {
	c.tolerances, c.labels = slices.Clip(c.tolerances), slices.Clip(c.labels)
	for _, o := range opts {
		if o != nil {
			o.applyCheck(&c)
		}
	}
	return c
}
