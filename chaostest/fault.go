package chaostest

import (
	"context"
	"errors"
	"sync"
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
//	interface{ Overlaps(other Fault) error } checked before anything starts, for each other fault of the
//	                                         method whose window overlaps this one's: an error refuses the
//	                                         pair (two latencies on one stream of a proxy would add up)
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

// overlapper is the optional ability of a Fault to refuse another fault
// applied at the same time.
type overlapper interface{ Overlaps(other Fault) error }

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

// Reach is what an applied fault acted on, as the fault itself measured it
// while it was applied: evidence that it met the system under test. A fault
// that reached nothing proves nothing about the system, so a run in which a
// fault reached nothing is inconclusive unless its step says MayReachNothing.
type Reach struct {
	// Reached is false when the fault acted on nothing: no connection went
	// through its proxy, no request matched it, the container was not used.
	Reached bool
	// Summary says in a few words what the fault acted on, e.g. "12
	// connections, delayed 340 chunks (1.2 MB) downstream"; when nothing was
	// reached, what happened and how to fix it, e.g. "no connection went
	// through proxy quotes (127.0.0.1:40123) while it was applied: does the
	// service dial the upstream 127.0.0.1:8080 instead of the proxy?".
	Summary string
	// Counts are the figures behind Summary, by name (e.g. "connections",
	// "chunks_delayed_downstream"), as the journal and the report show them.
	Counts map[string]int64
}

type reachKey struct{}

// reachMeter holds the function a fault registered with MeasureReach.
type reachMeter struct {
	mu      sync.Mutex
	measure func() Reach
}

func (m *reachMeter) get() func() Reach {
	if m == nil {
		return nil
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.measure
}

// MeasureReach is called by a Fault's Apply, with the context Apply was
// given, to say how the fault measures its reach: chaostest calls reach once
// the fault has been reverted (and may call it earlier, to show progress),
// and records the result in the narrative, the journal and the report. A
// fault that never calls it has an unknown reach, which is never held
// against the run. Outside chaostest (a context without an experiment) it
// does nothing.
func MeasureReach(ctx context.Context, reach func() Reach) {
	m, ok := ctx.Value(reachKey{}).(*reachMeter)
	if !ok || reach == nil {
		return
	}
	m.mu.Lock()
	m.measure = reach
	m.mu.Unlock()
}
