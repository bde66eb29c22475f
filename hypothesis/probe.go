package hypothesis

import (
	"context"
	"errors"
)

// Probe observes the system once. Implementations must honour ctx: the
// sampler puts the check's timeout on it. A panic in Observe is recovered by
// the sampler and recorded as a failed sample carrying the panic's message.
//
// A probe may also implement a Validate() error method; its error is reported
// by Hypothesis.Validate before anything is sampled, and should name the
// field and the accepted range: "Rate over must be > 0, got 0s".
//
// The value Observe returns is what value tolerances judge; a probe that
// answered but has nothing to judge yet returns a NoValue. An error is a
// failed sample; a probe that fails on its own account (not the system's)
// should say so in the error's text, as HTTPRequest's "build request: ..." does.
type Probe interface {
	Name() string
	Observe(ctx context.Context) (any, error)
}

// NoValue is the value of a sample whose probe answered but has nothing to
// judge yet: Rate before it has a reading old enough to compare with.
// Value tolerances skip such a sample (their Observed counts it as
// "without a value yet"); it is not a failure, and counts as a success in
// the window's figures. A value tolerance with only such samples to judge
// leaves its check inconclusive. Reason says why there is no value.
type NoValue struct{ Reason string }

// String is "no value: <reason>".
func (n NoValue) String() string { return "no value: " + n.Reason }

// ProbeFunc adapts a function to a Probe: hypothesis.ProbeFunc("queue depth", fn).
// The value fn returns is what value tolerances judge.
func ProbeFunc(name string, fn func(ctx context.Context) (any, error)) Probe {
	return funcProbe{name: name, fn: fn}
}

type funcProbe struct {
	name string
	fn   func(ctx context.Context) (any, error)
}

func (p funcProbe) Name() string { return p.name }

func (p funcProbe) Observe(ctx context.Context) (any, error) { return p.fn(ctx) }

func (p funcProbe) Validate() error {
	if p.name == "" {
		return errors.New("ProbeFunc name must not be empty")
	}
	if p.fn == nil {
		return errors.New("ProbeFunc function must not be nil")
	}
	return nil
}

// probeValidator is the optional ability of a probe to reject its own
// configuration before anything is sampled.
type probeValidator interface {
	Validate() error
}
