package chaostest

import (
	"context"
	"errors"
	"sync/atomic"
)

// Revert undoes an applied fault. It must be idempotent and tolerate
// "already gone": chaostest calls it at most once, but a fault's own cleanup
// or a global reset may have undone the fault first.
type Revert func(ctx context.Context) error

// Fault is a failure that can be injected and reverted. Implementations live
// with the thing they break (the fixtures package has network and container
// faults); chaostest only schedules them.
//
// A Fault may have optional abilities, found by type assertion:
//
//	interface{ Validate() error }            checked before anything starts; a one-line error naming the field
//	interface{ Attributes() map[string]any } recorded as the activity's chaostest "arguments" in the journal
type Fault interface {
	// Name is what messages and the journal show, e.g.
	// "redis: latency 500ms ±50ms downstream, toxicity 100%".
	Name() string
	// Apply injects the fault and returns how to revert it. When Apply
	// returns an error nothing may be left applied. A nil Revert with a nil
	// error means there is nothing to undo.
	Apply(ctx context.Context) (Revert, error)
}

// validator is the optional ability of a Fault to check its settings before
// the experiment starts.
type validator interface{ Validate() error }

// attributer is the optional ability of a Fault to describe its settings for
// the journal.
type attributer interface{ Attributes() map[string]any }

// FaultFunc adapts a name and an apply function to a Fault.
func FaultFunc(name string, apply func(ctx context.Context) (Revert, error)) Fault {
	return faultFunc{name: name, apply: apply}
}

type faultFunc struct {
	name  string
	apply func(ctx context.Context) (Revert, error)
}

func (f faultFunc) Name() string { return f.name }

func (f faultFunc) Apply(ctx context.Context) (Revert, error) {
	return f.apply(ctx)
}

func (f faultFunc) Validate() error {
	if f.name == "" {
		return errors.New("FaultFunc: name empty; accepted: a non-empty name, as messages and the journal show it")
	}
	if f.apply == nil {
		return errors.New("FaultFunc: apply must not be nil")
	}
	return nil
}

type seedKey struct{}

// seedUse is the experiment's seed, and whether a fault read it.
type seedUse struct {
	seed int64
	used atomic.Bool
}

// SeedFrom returns the experiment's seed from the context chaostest passes to
// Fault.Apply, so that a fault with randomness of its own can be replayed
// with -chaostest.seed. A fault that reads it makes the failure message
// print the seed in its reproduce command; when no fault read it, the seed
// would replay nothing and is not printed.
func SeedFrom(ctx context.Context) (int64, bool) {
	s, ok := ctx.Value(seedKey{}).(*seedUse)
	if !ok {
		return 0, false
	}
	s.used.Store(true)
	return s.seed, true
}
