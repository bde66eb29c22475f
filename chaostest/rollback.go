package chaostest

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"
)

// appliedFault is one application of a step's fault, while the run is
// live: what will be recorded of it, and how to revert it once.
type appliedFault struct {
	faultRecord
	slot   slot
	revert Revert
	once   sync.Once
	meter  *reachMeter // what the fault registered with MeasureReach
}

// doRevert reverts the fault once; it returns true when this call did it.
func (a *appliedFault) doRevert(by string, ctx context.Context) (bool, error) {
	did := false
	a.once.Do(func() {
		did = true
		a.revertedBy = by
		a.revertStart = time.Now()
		if a.revert != nil {
			a.revertErr = safeRevert(ctx, a.revert)
		}
		a.revertEnd = time.Now()
		if measure := a.meter.get(); measure != nil {
			rc := measure()
			a.reach = &rc
		}
	})
	if !did {
		return false, nil
	}
	return true, a.revertErr
}

// safeRevert turns a panicking revert into an error, so that one broken
// revert cannot stop the others.
func safeRevert(ctx context.Context, rv Revert) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("revert panicked: %v", p)
		}
	}()
	return rv(ctx)
}

// revertOne reverts an applied fault now and reports a failed revert.
func (r *runner) revertOne(a *appliedFault, by string) {
	t := r.t
	t.Helper()
	ctx, cancel := r.revertContext()
	defer cancel()
	did, err := a.doRevert(by, ctx)
	if !did {
		return
	}
	if err != nil {
		r.revertFailed = true
		r.event(a.revertStart, "revert failed", fmt.Sprintf("%s: %v", a.name, err))
		r.logf("%s fault revert FAILED: %s: %v", r.offset(a.revertStart), a.name, err)
		t.Errorf("chaostest: experiment %q: revert of fault %q failed: %v", r.e.Title, a.name, err)
		return
	}
	off := a.name
	if note := a.reachNote(); note != "" {
		off += " … " + note
	}
	r.event(a.revertStart, "off", off)
	r.logf("%s fault off (%s): %s", r.offset(a.revertStart), by, off)
}

// revertContext bounds a revert by revertTimeout and, when the test has a
// deadline, by a moment before it.
func (r *runner) revertContext() (context.Context, context.CancelFunc) {
	ctx, cancel := context.WithTimeout(context.Background(), revertTimeout)
	if r.hardDeadline.IsZero() {
		return ctx, cancel
	}
	ctx2, cancel2 := context.WithDeadline(ctx, r.hardDeadline.Add(-minDeadlineReserve/4))
	return ctx2, func() { cancel2(); cancel() }
}

// rollback reverts every fault still applied, in reverse order of application.
func (r *runner) rollback(by string) {
	r.t.Helper()
	pending := 0
	for _, a := range r.applied {
		if !a.reverted() {
			pending++
		}
	}
	if pending > 0 {
		r.logf("rollback: reverting %d fault(s) in reverse order of application", pending)
	}
	for i := len(r.applied) - 1; i >= 0; i-- {
		if a := r.applied[i]; !a.reverted() {
			r.revertOne(a, by)
		}
	}
	r.rollbackEnd = time.Now()
}

// unwind runs when the test goroutine leaves Run abnormally: a panic in a
// fault's Apply, or t.FailNow called inside one. It reverts now what is
// applied and records the run as aborted.
func (r *runner) unwind() {
	if r.finished {
		return
	}
	r.t.Helper()
	if r.abort == nil {
		r.abort = errors.New("the test stopped (panic or FailNow) while the experiment ran")
	}
	r.rollback("rollback")
	r.interrupts.stop()
	r.finish()
}
