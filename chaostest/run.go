package chaostest

import (
	"context"
	"errors"
	"fmt"
	"os"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/go-resilience/resilience/hypothesis"
)

const (
	// revertTimeout bounds one fault's revert.
	revertTimeout = 10 * time.Second
	// minDeadlineReserve is the least time kept free before the test's
	// deadline to roll back, evaluate and write the journal.
	minDeadlineReserve = time.Second
)

// Errors that end a run early; context.Cause of the run's context.
var (
	errDeadline    = errors.New("the test's deadline (go test -timeout) is near")
	errInterrupted = errors.New("interrupted (SIGINT)")
)

// Run runs an experiment as part of the test t, on the test goroutine: the
// claim that steady holds while method's faults are applied. It fails t
// unless the outcome is what the experiment expected:
//
//  0. it waits for one of the machine-wide experiment slots
//     (-chaostest.slots), and holds it until its verdict is written;
//  1. steady is sampled over the Before window (the gate), slid forward
//     for up to Settle until it holds; if it never does, the run is "not
//     steady" (or "inconclusive" when the gate could not be judged) and the
//     method never runs;
//  2. the method applies its faults on their schedule while steady is
//     judged per Window; a violated window is a deviation;
//  3. every applied fault is reverted, in reverse order of application;
//  4. the after state (SteadyAfter, by default steady) is sampled over the
//     After window, slid forward for up to Recovery until it holds;
//  5. the verdict is logged, and on failure reported with a timeline and the
//     command that reproduces the run; the journal is written.
//
// Options (Title, Control, SteadyAfter, Before, Settle, Duration, Window,
// After, Recovery, expectDeviation, FailFast, Seed) are checked before anything
// starts: a bad one fails t with one line naming it and the accepted range.
//
// Every applied fault's revert is also registered with t.Cleanup the moment
// it is applied, so that a panic or t.FailNow still reverts it. Run aborts
// the method, reverting, when t's context ends and before the test's
// deadline, and on SIGINT or SIGTERM while the method runs reverts every
// fault before letting the signal stop go test. Run skips t under -short.
func Run(t T, steady *hypothesis.Hypothesis, method Method, opts ...Option) Report {
	t.Helper()
	exp, err := build(steady, method, opts)
	title := exp.Title
	if title == "" {
		title = t.Name()
	}
	if err != nil {
		t.Errorf("chaostest: experiment %q: %v", title, err)
		t.FailNow()
		return Report{Title: title, Status: StatusAborted}
	}
	exp.Title = title
	if shortMode() {
		t.Skipf("chaostest: experiment %q skipped under -short: it injects faults and needs %v of wall time", title, exp.planned())
		return Report{Title: title, Status: StatusSkipped}
	}
	sh, err := shardSetting()
	if err != nil {
		t.Errorf("chaostest: experiment %q: %v", title, err)
		t.FailNow()
		return Report{Title: title, Status: StatusAborted}
	}
	if _, err := slotsSetting(); err != nil {
		t.Errorf("chaostest: experiment %q: %v", title, err)
		t.FailNow()
		return Report{Title: title, Status: StatusAborted}
	}
	if !sh.has(t.Name()) {
		t.Skipf("chaostest: experiment %q belongs to another shard than %d/%d", title, sh.k, sh.n)
		return Report{Title: title, Status: StatusSkipped}
	}
	seed := exp.Seed
	if seed == 0 {
		if seed, err = seedSetting(); err != nil {
			t.Errorf("chaostest: experiment %q: -%s / %s must be an integer: %v", title, flagSeed, envSeed, err)
			t.FailNow()
			return Report{Title: title, Status: StatusAborted}
		}
	}
	exp.FailFast = exp.FailFast || failFastSetting()
	// The test's artifact directory is made before the narrative's first
	// line: go test -json reports it as an "artifacts" event, at which
	// gotestsum (1.13) ends the test's output, so lines logged before it
	// would be lost from its JUnit body.
	if journalDirSetting() == "" {
		artifactDirOf(t)
	}

	r := &runner{t: t, e: exp, seed: seed, start: time.Now(), seedUse: &seedUse{seed: seed}}
	r.report = Report{Title: title, Seed: seed}
	hardDeadline, hasDeadline := deadlineOf(t)
	reserve := max(minDeadlineReserve, exp.planned()/10)
	if hasDeadline {
		left := time.Until(hardDeadline)
		if need := exp.planned() + reserve; left < need {
			t.Errorf("chaostest: experiment %q: the test's deadline (go test -timeout) leaves %v, but the experiment needs %v (Before %v + Settle %v + Duration %v + Recovery %v + After %v) plus %v to roll back; raise -timeout or shorten the windows",
				title, left.Round(time.Millisecond), exp.planned(), exp.Before, exp.Settle, exp.Duration, exp.Recovery, exp.After, reserve)
			t.FailNow()
			return Report{Title: title, Status: StatusAborted, Seed: seed}
		}
		r.hardDeadline = hardDeadline
	}
	return r.run(hasDeadline, hardDeadline.Add(-reserve))
}

// Validate checks an experiment as Run would, without running it: nil, or
// the one-line error Run would fail the test with.
func Validate(steady *hypothesis.Hypothesis, method Method, opts ...Option) error {
	_, err := build(steady, method, opts)
	return err
}

// build applies the options and resolves the experiment; on error the
// experiment holds what the options set so far (its Title for messages).
func build(steady *hypothesis.Hypothesis, method Method, opts []Option) (experiment, error) {
	e := experiment{SteadyState: steady, Method: method}
	if err := e.options(opts); err != nil {
		return e, err
	}
	return e.resolve()
}

// runner is the state of one run. Everything runs on the test goroutine
// except the sampler's probes and the interrupt watcher, which only cancels
// the run's context.
type runner struct {
	t            T
	e            experiment
	seed         int64
	seedUse      *seedUse
	start        time.Time // the run's start
	m0           time.Time // the method's start
	methodEnd    time.Time
	rollbackEnd  time.Time
	hardDeadline time.Time

	ctx        context.Context
	interrupts *interruptWatch
	sampler    *hypothesis.Sampler
	samples    []hypothesis.Sample
	control    *hypothesis.Sampler // the control group's, when the experiment has one
	ctrlSamps  []hypothesis.Sample
	// The after state's sampler, when SteadyAfter gave a hypothesis of its
	// own: started at the end of the rollback.
	afterSampler *hypothesis.Sampler
	afterSamps   []hypothesis.Sample
	samplerCtx   context.Context

	// The steady state before, once judged: what tolerances relative to
	// hypothesis.Baseline compare with, in each group.
	baseline, ctrlBaseline *hypothesis.Result

	slot       *slotLock // the machine-wide experiment slot, while held
	slots      []slot
	applied    []*appliedFault // in order of application
	failed     *appliedFault   // the fault whose Apply failed
	windows    []window
	nextWindow int                 // the first window not judged yet
	after      []hypothesis.Result // every after window tried, in order
	ctrlAfter  []hypothesis.Result // the control group's, alongside

	events       []event
	report       Report
	abort        error // why the run ended early
	failFastStop bool
	revertFailed bool
	finished     bool
}

// appliedFault is one application of a step's fault.
type appliedFault struct {
	slot       slot
	name       string
	applyStart time.Time
	applyEnd   time.Time
	applyErr   error

	revert      Revert
	once        sync.Once
	revertStart time.Time
	revertEnd   time.Time
	revertErr   error
	revertedBy  string // "schedule", "rollback" or "cleanup"

	meter *reachMeter // what the fault registered with MeasureReach
	reach *Reach      // measured once reverted; nil: the fault measures none
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

func (a *appliedFault) reverted() bool { return !a.revertEnd.IsZero() }

// activeIn reports whether the fault was applied at some time in [from, to).
func (a *appliedFault) activeIn(from, to time.Time) bool {
	if a.applyErr != nil || !a.applyStart.Before(to) {
		return false
	}
	return !a.reverted() || a.revertEnd.After(from)
}

// window is one judged window of the method.
type window struct {
	from, to time.Duration // offsets from the method start
	result   hypothesis.Result
	control  hypothesis.Result // the control group's, when there is one
	faults   []string
	judged   bool
}

func (r *runner) run(hasDeadline bool, abortAt time.Time) Report {
	t := r.t
	t.Helper()
	var cancel context.CancelCauseFunc
	r.ctx, cancel = context.WithCancelCause(context.WithValue(contextOf(t), seedKey{}, r.seedUse))
	defer cancel(nil)
	if hasDeadline {
		var stop context.CancelFunc
		r.ctx, stop = context.WithDeadlineCause(r.ctx, abortAt, errDeadline)
		defer stop()
	}
	defer r.giveSlot() // after the verdict, and after unwind
	// Whatever ends the test goroutine from here on (a panic in a fault, or
	// t.FailNow called by one), the applied faults are reverted now, not
	// only by the cleanups registered with t.
	defer r.unwind()

	expect := "the hypothesis to hold"
	if r.e.Expect == expectDeviation {
		expect = "a deviation (a known weakness)"
	}
	r.logf("experiment %q: seed %d; before %v, method %v (window %v), after %v, recovery %v; expecting %s",
		r.e.Title, r.seed, r.e.Before, r.e.Duration, r.e.Window, r.e.After, r.e.Recovery, expect)

	if err := r.takeSlotFor(abortAt, hasDeadline); err != nil {
		r.abort = err
		return r.conclude()
	}

	// Sampling outlives the run's context (windows are judged after an
	// abort), keeping its values.
	samplerCtx, stopSampling := context.WithCancel(context.WithoutCancel(r.ctx))
	defer stopSampling()
	r.samplerCtx = samplerCtx
	s, err := r.e.SteadyState.Start(samplerCtx)
	if err != nil {
		r.abort = fmt.Errorf("start sampling the steady state: %w", err)
		return r.conclude()
	}
	r.sampler = s
	if r.e.Control != nil {
		c, err := r.e.Control.Start(samplerCtx)
		if err != nil {
			r.abort = fmt.Errorf("start sampling the control group: %w", err)
			return r.conclude()
		}
		r.control = c
	}

	// 1. Steady state before, within the settle allowance.
	if !r.steadyBefore() {
		return r.conclude()
	}

	// 2. Method, with interrupts caught while faults may be applied.
	r.interrupts = watchInterrupts(cancel)
	r.method()
	// 3. Rollback.
	r.rollback("rollback")
	if r.abort == nil && !r.failFastStop {
		// Windows that end with the method are judged once their samples are in.
		r.judgeRemaining()
	}
	if r.interrupts.stop() && r.abort == nil {
		r.abort = errInterrupted
	}
	if r.abort != nil {
		return r.conclude()
	}

	// 4. Steady state after.
	r.steadyAfter()
	return r.conclude()
}

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

	next := 0
	for {
		// The next instant anything is due, as an offset from the method start.
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
		if err := r.sleepUntil(r.m0.Add(due)); err != nil {
			r.abort = err
			return
		}
		// Windows first (judged on [from, to)), then scheduled reverts, then applies.
		for r.nextWindow < len(r.windows) {
			w := r.windows[r.nextWindow]
			if w.to > due || !r.settled(r.m0.Add(w.from), r.m0.Add(w.to)) {
				break
			}
			if r.judge(r.nextWindow) && r.e.FailFast {
				r.failFastStop = true
				r.logf("fail-fast: stopping the method at %s: window %d violated the hypothesis", r.offset(time.Now()), r.nextWindow+1)
				return
			}
			r.nextWindow++
		}
		for i := len(r.applied) - 1; i >= 0; i-- {
			if a := r.applied[i]; !a.slot.openEnds && !a.reverted() && a.slot.end <= due {
				r.revertOne(a, "schedule")
			}
		}
		for next < len(order) && order[next].start <= due {
			if !r.applyOne(order[next]) {
				return
			}
			next++
		}
		if due >= r.e.Duration {
			return // the windows still waiting for samples are judged after rollback
		}
	}
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
	a := &appliedFault{slot: sl, name: sl.fault.Name(), applyStart: time.Now(), meter: &reachMeter{}}
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
	r.event(a.applyStart, "on", a.name+" ("+applyNote(a)+")")
	r.logf("%s fault on: %s (%s)", r.offset(a.applyStart), a.name, applyNote(a))
	return true
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
	if note := r.reachNote(a); note != "" {
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

// steadyAfter samples the hypothesis after rollback: windows of length After
// starting at the rollback's end, then every recoveryStep later, until one
// holds or the next would start past Recovery.
func (r *runner) steadyAfter() {
	r.t.Helper()
	step := recoveryStep(r.e.After)
	origin := r.rollbackEnd
	if r.e.AfterState != r.e.SteadyState {
		s, err := r.e.AfterState.Start(r.samplerCtx)
		if err != nil {
			r.abort = fmt.Errorf("start sampling the after state: %w", err)
			return
		}
		r.afterSampler = s
		origin = s.Started()
		r.logf("steady state after: sampling %q (SteadyAfter)", r.e.AfterState.Title())
	}
	for k := 0; ; k++ {
		from := origin.Add(time.Duration(k) * step)
		to := from.Add(r.e.After)
		if err := r.settle(from, to); err != nil {
			r.abort = err
			return
		}
		res, ctrl := r.evaluate(from, to)
		r.after = append(r.after, res)
		r.report.After = res
		if r.control != nil {
			r.ctrlAfter = append(r.ctrlAfter, ctrl)
			r.report.ControlAfter = ctrl
		}
		last := time.Duration(k+1)*step > r.e.Recovery
		if res.Held() {
			if r.e.Recovery > 0 {
				r.logf("steady state after (%v): %s; recovered after %v", r.e.After, res.Summary(), from.Sub(origin))
			} else {
				r.logf("steady state after (%v): %s", r.e.After, res.Summary())
			}
			r.logGroups(res, ctrl)
			return
		}
		if last {
			r.logf("steady state after (%v): %s", r.e.After, res.Summary())
			r.logGroups(res, ctrl)
			if res.Verdict == hypothesis.Violated || anyViolated(r.after) {
				worst := res
				for _, a := range r.after {
					if a.Verdict == hypothesis.Violated {
						worst = a
					}
				}
				r.report.Deviations = append(r.report.Deviations, Deviation{Phase: PhaseAfter, Offset: worst.From.Sub(r.m0), Faults: r.appliedNames(), Result: worst})
				r.logf("%s", strings.TrimSpace(r.notRecovered()))
			}
			return
		}
		r.logf("steady state after, attempt %d (%v): %s; retrying within the recovery allowance %v", k+1, r.e.After, res.Summary(), r.e.Recovery)
	}
}

// evaluate judges [from, to) in both groups. The control group is judged
// first, its tolerances relative to hypothesis.Control comparing it with
// itself; then the experiment group, against its baseline and the control
// group's result. Before the baseline exists (the gate), a window is its
// own baseline. The second result is zero without a control group.
func (r *runner) evaluate(from, to time.Time) (hypothesis.Result, hypothesis.Result) {
	if r.afterSampler != nil {
		// The after state is a claim of its own: no baseline, no control.
		return r.afterSampler.EvaluateWith(from, to, hypothesis.Refs{}), hypothesis.Result{}
	}
	var ctrl hypothesis.Result
	refs := hypothesis.Refs{Baseline: r.baseline}
	if r.control != nil {
		cb := r.ctrlBaseline
		first := r.control.EvaluateWith(from, to, hypothesis.Refs{Baseline: cb})
		if cb == nil {
			cb = &first
		}
		ctrl = r.control.EvaluateWith(from, to, hypothesis.Refs{Baseline: cb, Control: &first})
		refs.Control = &ctrl
	}
	if refs.Baseline == nil {
		first := r.sampler.EvaluateWith(from, to, refs)
		refs.Baseline = &first
	}
	return r.sampler.EvaluateWith(from, to, refs), ctrl
}

// gate is the verdict of the steady state before, in both groups: the
// method runs only when it held.
func (r *runner) gate() hypothesis.Verdict {
	v := r.report.Before.Verdict
	if r.control != nil {
		c := r.report.ControlBefore.Verdict
		if c == hypothesis.Violated || (c == hypothesis.Inconclusive && v == hypothesis.Held) {
			v = c
		}
	}
	if r.report.Before.Verdict == hypothesis.Violated {
		v = hypothesis.Violated
	}
	return v
}

// recoveryStep is how far apart the sliding after-windows start.
func recoveryStep(after time.Duration) time.Duration {
	return max(after/4, time.Millisecond)
}

func anyViolated(rs []hypothesis.Result) bool {
	for _, r := range rs {
		if r.Verdict == hypothesis.Violated {
			return true
		}
	}
	return false
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

// sleepUntil waits until when, or until the run is aborted.
func (r *runner) sleepUntil(when time.Time) error {
	if err := r.ctx.Err(); err != nil {
		return context.Cause(r.ctx)
	}
	d := time.Until(when)
	if d <= 0 {
		return nil
	}
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case <-timer.C:
		return nil
	case <-r.ctx.Done():
		return context.Cause(r.ctx)
	}
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

// conclude finishes a run that ended on the test goroutine's normal path.
// After an interrupt it lets the signal stop go test; after an interrupt or
// near the deadline it stops the test, which could not finish in time.
func (r *runner) conclude() Report {
	t := r.t
	t.Helper()
	rep := r.finish()
	if errors.Is(r.abort, errInterrupted) {
		fmt.Fprintf(os.Stderr, "chaostest: %s: experiment %q interrupted; every applied fault was reverted\n", t.Name(), r.e.Title)
		r.interrupts.reraise()
	}
	if errors.Is(r.abort, errInterrupted) || errors.Is(r.abort, errDeadline) {
		t.FailNow()
	}
	return rep
}

// finish stops sampling, decides the verdict, tells the story and writes the
// journal, then the report.
func (r *runner) finish() Report {
	t := r.t
	t.Helper()
	r.finished = true
	if r.sampler != nil {
		r.samples = r.sampler.Stop()
	}
	if r.control != nil {
		r.ctrlSamps = r.control.Stop()
	}
	if r.afterSampler != nil {
		r.afterSamps = r.afterSampler.Stop()
	}
	if r.rollbackEnd.IsZero() {
		r.rollbackEnd = time.Now()
	}
	r.report.Status = r.status()
	r.report.SeedUsed = r.seedUse.used.Load()
	r.report.Faults = r.faultReaches()
	ok := r.expected()
	r.report.Passed = ok && !r.revertFailed
	r.report.Duration = time.Since(r.start)
	path, err := r.writeJournal(time.Now())
	if err != nil {
		t.Errorf("chaostest: experiment %q: write the journal: %v", r.e.Title, err)
	} else if path != "" {
		r.report.Journal = path
		if journalKept(r.t) {
			r.logf("journal: %s", path)
		} else {
			r.logf("journal and report: not kept after the test (go test -artifacts, or -chaostest.journal=DIR, keeps them)")
		}
	}
	r.logf("verdict: %s (%s)", r.report.Status, verdictNote(r.e.Expect, r.report.Status, ok))
	r.writeReport()
	if ok && r.e.Expect == expectDeviation {
		// A documented weakness still deserves its story under -v.
		r.logf("as documented: %s\n%s", r.deviationsLine(), strings.TrimRight(r.timeline(), "\n"))
	}
	if !ok {
		t.Errorf("%s", r.failureMessage())
	}
	return r.report
}

// appliedNames are the names of the faults applied in the method, in order
// of application: what the steady state after is to recover from.
func (r *runner) appliedNames() []string {
	var names []string
	for _, a := range r.applied {
		if a.applyErr == nil && !slices.Contains(names, a.name) {
			names = append(names, a.name)
		}
	}
	return names
}
