package chaostest

import (
	"context"
	"errors"
	"fmt"
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
		return refuse(t, title, err)
	}
	exp.Title = title
	if shortMode() {
		t.Skipf("chaostest: experiment %q skipped under -short: it injects faults and needs %v of wall time", title, exp.planned())
		return Report{Title: title, Status: StatusSkipped}
	}
	seed, skip, err := runSettings(t, exp)
	if err != nil {
		return refuse(t, title, err)
	}
	if skip != "" {
		t.Skipf("%s", skip)
		return Report{Title: title, Status: StatusSkipped}
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
		if err := exp.fits(time.Until(hardDeadline), reserve); err != nil {
			rep := refuse(t, title, err)
			rep.Seed = seed
			return rep
		}
		r.hardDeadline = hardDeadline
	}
	return r.run(hasDeadline, hardDeadline.Add(-reserve))
}

// refuse fails t, before anything started, with the one line of err.
func refuse(t T, title string, err error) Report {
	t.Helper()
	t.Errorf("chaostest: experiment %q: %v", title, err)
	t.FailNow()
	return Report{Title: title, Status: StatusAborted}
}

// runSettings reads the run's settings from the flags and the environment:
// the seed (unless the experiment has its own), or why t is skipped (it
// belongs to another shard), or which setting is bad.
func runSettings(t T, exp experiment) (seed int64, skip string, err error) {
	sh, err := shardSetting()
	if err != nil {
		return 0, "", err
	}
	if _, err := slotsSetting(); err != nil {
		return 0, "", err
	}
	if !sh.has(t.Name()) {
		return 0, fmt.Sprintf("chaostest: experiment %q belongs to another shard than %d/%d", exp.Title, sh.k, sh.n), nil
	}
	if exp.Seed != 0 {
		return exp.Seed, "", nil
	}
	if seed, err = seedSetting(); err != nil {
		return 0, "", fmt.Errorf("-%s / %s must be an integer: %v", flagSeed, envSeed, err)
	}
	return seed, "", nil
}

// fits reports whether the experiment fits in the time left before the
// test's deadline, with reserve to roll back.
func (e experiment) fits(left, reserve time.Duration) error {
	if need := e.planned() + reserve; left < need {
		return fmt.Errorf("the test's deadline (go test -timeout) leaves %v, but the experiment needs %v (Before %v + Settle %v + Duration %v + Recovery %v + After %v) plus %v to roll back; raise -timeout or shorten the windows",
			left.Round(time.Millisecond), e.planned(), e.Before, e.Settle, e.Duration, e.Recovery, e.After, reserve)
	}
	return nil
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

	r.logPlan()

	if err := r.takeSlotFor(abortAt, hasDeadline); err != nil {
		r.abort = err
		return r.conclude()
	}

	stopSampling, err := r.startSampling()
	defer stopSampling()
	if err != nil {
		r.abort = err
		return r.conclude()
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

// logPlan is the narrative's first line: the experiment's windows and
// what it expects.
func (r *runner) logPlan() {
	r.t.Helper()
	expect := "the hypothesis to hold"
	if r.e.Expect == expectDeviation {
		expect = "a deviation (a known weakness)"
	}
	r.logf("experiment %q: seed %d; before %v, method %v (window %v), after %v, recovery %v; expecting %s",
		r.e.Title, r.seed, r.e.Before, r.e.Duration, r.e.Window, r.e.After, r.e.Recovery, expect)
}

// startSampling starts sampling the steady state and, with a control
// group, the control group. Sampling outlives the run's context (windows
// are judged after an abort), keeping its values; stop ends it.
func (r *runner) startSampling() (stop func(), err error) {
	ctx, stop := context.WithCancel(context.WithoutCancel(r.ctx))
	r.samplerCtx = ctx
	if r.sampler, err = r.e.SteadyState.Start(ctx); err != nil {
		return stop, fmt.Errorf("start sampling the steady state: %w", err)
	}
	if r.e.Control == nil {
		return stop, nil
	}
	if r.control, err = r.e.Control.Start(ctx); err != nil {
		return stop, fmt.Errorf("start sampling the control group: %w", err)
	}
	return stop, nil
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
