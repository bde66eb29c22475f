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
// by Hypothesis.Validate before anything is sampled.
type Probe interface {
	Name() string
	Observe(ctx context.Context) (any, error)
}

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
