package chaostest

import (
	"context"
	"fmt"
	"sort"
	"time"

	"github.com/go-resilience/resilience/hypothesis"
)

// method applies the faults on their schedule and judges the windows.
func (r *runner) method() {
	r.t.Helper()
	r.slots = planOf(r.e.Method).slots(r.e.Duration)
	order := make([]slot, len(r.slots))
	copy(order, r.slots)
	sort.SliceStable(order, func(i, j int) bool { return order[i].start < order[j].start })
	r.windows = windowsOf(r.e.Duration, r.e.Window)
	r.m0 = time.Now()
	r.logf("method: %v", r.e.Method)
	defer func() { r.methodEnd = time.Now() }()

	for next := 0; ; {
		due := r.nextDue(order, next)
		if err := r.sleepUntil(r.m0.Add(due)); err != nil {
			r.abort = err
			return
		}
		// Windows first (judged on [from, to)), then scheduled reverts, then applies.
		if r.judgeDue(due) {
			return
		}
		for i := len(r.applied) - 1; i >= 0; i-- {
			if a := r.applied[i]; !a.slot.openEnds && !a.reverted() && a.slot.end <= due {
				r.revertOne(a, "schedule")
			}
		}
		for ; next < len(order) && order[next].start <= due; next++ {
			if !r.applyOne(order[next]) {
				return
			}
		}
		if due >= r.e.Duration {
			return // the windows still waiting for samples are judged after rollback
		}
	}
}

// nextDue is the next instant anything is due, as an offset from the
// method's start: the next step of order (from next on), the end of the
// next window to judge, or a scheduled revert.
func (r *runner) nextDue(order []slot, next int) time.Duration {
	due := r.e.Duration
	if next < len(order) {
		due = min(due, order[next].start)
	}
	if r.nextWindow < len(r.windows) {
		if now, end := time.Since(r.m0), r.windows[r.nextWindow].to; end > now {
			due = min(due, end)
		} else {
			due = min(due, now+settlePoll) // ended, waiting for its samples
		}
	}
	for _, a := range r.applied {
		if !a.slot.openEnds && !a.reverted() {
			due = min(due, a.slot.end)
		}
	}
	return due
}

// judgeDue judges the windows that ended by due and whose samples are in.
// It reports whether the method stops there (fail-fast).
func (r *runner) judgeDue(due time.Duration) bool {
	r.t.Helper()
	for ; r.nextWindow < len(r.windows); r.nextWindow++ {
		w := r.windows[r.nextWindow]
		if w.to > due || !r.settled(r.m0.Add(w.from), r.m0.Add(w.to)) {
			return false
		}
		if r.judge(r.nextWindow) && r.e.FailFast {
			r.failFastStop = true
			r.logf("fail-fast: stopping the method at %s: window %d violated the hypothesis", r.offset(time.Now()), r.nextWindow+1)
			return true
		}
	}
	return false
}

// judgeRemaining judges the method's windows that were still waiting for
// their samples when it ended.
func (r *runner) judgeRemaining() {
	r.t.Helper()
	for ; r.nextWindow < len(r.windows); r.nextWindow++ {
		w := r.windows[r.nextWindow]
		if err := r.settle(r.m0.Add(w.from), r.m0.Add(w.to)); err != nil {
			r.abort = err
			return
		}
		r.judge(r.nextWindow)
	}
}

// applyOne applies a step's fault and registers its revert with t.Cleanup at
// once. It returns false when the fault failed to apply.
func (r *runner) applyOne(sl slot) bool {
	t := r.t
	t.Helper()
	a := &appliedFault{slot: sl, meter: &reachMeter{},
		faultRecord: faultRecord{name: sl.fault.Name(), quiet: mayReachNothing(r.e.Method, sl), applyStart: time.Now()}}
	rv, err := sl.fault.Apply(context.WithValue(r.ctx, reachKey{}, a.meter))
	a.applyEnd = time.Now()
	if err != nil {
		a.applyErr = err
		r.failed = a
		r.applied = append(r.applied, a)
		a.once.Do(func() {}) // nothing to revert: Apply must leave nothing applied
		r.event(a.applyStart, "apply failed", fmt.Sprintf("%s: %v", a.name, err))
		r.logf("%s fault failed to apply: %s: %v", r.offset(a.applyStart), a.name, err)
		if cause := context.Cause(r.ctx); cause != nil {
			r.abort = fmt.Errorf("%w; fault %q failed to apply: %v", cause, a.name, err)
		} else {
			r.abort = fmt.Errorf("fault %q failed to apply: %w", a.name, err)
		}
		return false
	}
	a.revert = rv
	r.applied = append(r.applied, a)
	t.Cleanup(func() {
		t.Helper()
		ctx, cancel := context.WithTimeout(context.Background(), revertTimeout)
		defer cancel()
		if did, err := a.doRevert("cleanup", ctx); did && err != nil {
			t.Errorf("chaostest: experiment %q: revert of fault %q failed: %v", r.e.Title, a.name, err)
		}
	})
	r.event(a.applyStart, "on", a.name+" ("+a.applyNote()+")")
	r.logf("%s fault on: %s (%s)", r.offset(a.applyStart), a.name, a.applyNote())
	return true
}

// judge evaluates window i and reports whether it was violated.
func (r *runner) judge(i int) bool {
	r.t.Helper()
	w := &r.windows[i]
	from, to := r.m0.Add(w.from), r.m0.Add(w.to)
	w.result, w.control = r.evaluate(from, to)
	w.judged = true
	for _, a := range r.applied {
		if a.activeIn(from, to) {
			w.faults = append(w.faults, a.name)
		}
	}
	r.report.During = append(r.report.During, w.result)
	if r.control != nil {
		r.report.ControlDuring = append(r.report.ControlDuring, w.control)
	}
	r.logf("window %d [%s, %s): %s; faults: %s", i+1, fmtOffset(w.from), fmtOffset(w.to), w.result.Summary(), faultList(w.faults))
	r.logGroups(w.result, w.control)
	violated := w.result.Verdict == hypothesis.Violated
	if violated {
		r.report.Deviations = append(r.report.Deviations, Deviation{Phase: PhaseDuring, Offset: w.from, Faults: w.faults, Result: w.result})
	}
	return violated
}

// window is one judged window of the method.
type window struct {
	from, to time.Duration // offsets from the method start
	result   hypothesis.Result
	control  hypothesis.Result // the control group's, when there is one
	faults   []string
	judged   bool
}

// windowsOf cuts the method into windows of length w; a remainder shorter
// than half a window is merged into the last window.
func windowsOf(duration, w time.Duration) []window {
	var ws []window
	for from := time.Duration(0); from < duration; from += w {
		to := min(from+w, duration)
		if len(ws) > 0 && to-from < w/2 {
			ws[len(ws)-1].to = to
			break
		}
		ws = append(ws, window{from: from, to: to})
	}
	return ws
}
