package chaostest

import (
	"errors"
	"fmt"
	"time"

	"github.com/go-resilience/resilience/hypothesis"
)

// Defaults of an experiment's windows (the Before, Window and After
// options). Durations cannot be set to zero.
const (
	defaultBefore   = time.Second
	defaultWindow   = time.Second
	defaultAfter    = time.Second
	defaultOpenStep = time.Second // length of an open-ended step when Duration is not set
)

// experiment is a claim about a system under failure, as Run's arguments and
// options describe it: the steady state holds while the method's faults are
// applied, and the after state (SteadyAfter, by default the steady state)
// holds once they are reverted.
type experiment struct {
	Title       string
	SteadyState *hypothesis.Hypothesis
	Method      Method
	Control     *hypothesis.Hypothesis
	AfterState  *hypothesis.Hypothesis

	Before    time.Duration
	Duration  time.Duration
	Window    time.Duration
	After     time.Duration
	Recovery  time.Duration
	Settle    time.Duration // the settle allowance of the steady state before
	settleSet bool          // Settle was given (0 included)

	Expect   expectation
	Reasons  []Reason
	FailFast bool
	Seed     int64
	Cell     *gridCell // where the index of reports draws the run (GridCell)
}

// expectation says which outcome of an experiment passes the test.
type expectation int

const (
	// expectHold is the default: only a held hypothesis passes.
	expectHold expectation = iota
	// expectDeviation documents a known weakness (the ExpectDeviation
	// option): the test passes only if a deviation is seen, and fails when
	// the hypothesis holds (the weakness may have been fixed).
	expectDeviation
)

func (e expectation) String() string {
	switch e {
	case expectHold:
		return "hold"
	case expectDeviation:
		return "deviation"
	}
	return fmt.Sprintf("expectation(%d)", int(e))
}

// Status is the outcome of a run.
type Status string

const (
	StatusHeld         Status = "held"
	StatusDeviated     Status = "deviated"
	StatusNotSteady    Status = "not steady"
	StatusInconclusive Status = "inconclusive"
	StatusAborted      Status = "aborted" // interrupted, deadline, a fault failed to apply
	StatusSkipped      Status = "skipped" // under -short, or another shard's: nothing ran
)

// Phase is a part of an experiment: the steady state before (the gate), the
// method, or the steady state after the rollback.
type Phase string

// Phases of an experiment, as Deviation.Phase and the narrative name them.
const (
	PhaseBefore Phase = "before"
	PhaseDuring Phase = "during"
	PhaseAfter  Phase = "after"
)

// Deviation is one violated window.
type Deviation struct {
	Phase  Phase         // PhaseDuring or PhaseAfter
	Offset time.Duration // window start, from the start of the method
	// Faults are the names of the faults active in the window (during the
	// method), or, after it, of every fault the system was to recover from.
	Faults []string
	Result hypothesis.Result
}

// Violated reports whether tol (a tolerance as passed to hypothesis.Expect)
// was violated in this window.
func (d Deviation) Violated(tol hypothesis.Tolerance) bool {
	return d.Result.Violated(tol)
}

// Report is what Run observed.
type Report struct {
	Title      string
	Status     Status
	Passed     bool // the status is what the experiment expected and every fault was reverted
	Before     hypothesis.Result
	During     []hypothesis.Result
	After      hypothesis.Result
	Deviations []Deviation
	// The control group's results over the same windows (only with the
	// Control option).
	ControlBefore hypothesis.Result
	ControlDuring []hypothesis.Result
	ControlAfter  hypothesis.Result
	Journal       string // path of the journal file, "" if none was written; removed with the test's ArtifactDir unless go test -artifacts keeps it
	Seed          int64
	SeedUsed      bool // a fault read the seed (SeedFrom): -chaostest.seed replays it
	Duration      time.Duration
	// Faults are the faults applied in the method, in order of
	// application, each with the reach it measured (reach.go).
	Faults []FaultReach
	// SlotWait is how long the experiment waited for one of Slots
	// machine-wide experiment slots before its steady state before.
	SlotWait time.Duration
	Slots    int
}

// Deviated reports whether some deviation matches every reason (see
// Violates, While, NotRecovered); with no reason, whether the run deviated.
func (r Report) Deviated(reasons ...Reason) bool {
	if r.Status != StatusDeviated {
		return false
	}
	_, ok := r.matching(reasons)
	return ok
}

// matching returns the first deviation that matches every reason.
func (r Report) matching(reasons []Reason) (Deviation, bool) {
	for _, d := range r.Deviations {
		all := true
		for _, why := range reasons {
			all = all && why.matches(d)
		}
		if all {
			return d, true
		}
	}
	return Deviation{}, false
}

// resolve validates e and returns it with every default filled in.
func (e experiment) resolve() (experiment, error) {
	if e.SteadyState == nil {
		return e, errors.New("steady state: required; accepted: a hypothesis built with hypothesis.New")
	}
	if err := e.SteadyState.Validate(); err != nil {
		return e, fmt.Errorf("steady state: %w", err)
	}
	if err := e.validateControl(); err != nil {
		return e, err
	}
	if e.Method == nil {
		return e, errors.New("method: required; accepted: a Step (Inject), Together or Sequence")
	}
	if e.AfterState == nil {
		e.AfterState = e.SteadyState
	} else if err := e.AfterState.Validate(); err != nil {
		return e, fmt.Errorf("SteadyAfter: %w", err)
	}
	for _, h := range []struct {
		name string
		h    *hypothesis.Hypothesis
	}{{"steady state", e.SteadyState}, {"Control", e.Control}} {
		if h.h == nil {
			continue
		}
		if d, ok := h.h.RecoveryAllowance(); ok {
			return e, fmt.Errorf("%s: RecoversWithin(%v) judges a recovery, and %s is judged before any fault too; accepted: RecoversWithin only in SteadyAfter's hypothesis, or the Recovery option", h.name, d, h.name)
		}
	}
	if err := checkReasons(e.Reasons); err != nil {
		return e, err
	}
	if err := e.checkViolates(); err != nil {
		return e, err
	}
	if e.Expect != expectHold && e.Expect != expectDeviation {
		return e, fmt.Errorf("Expect must be hold or deviation, got %d", int(e.Expect))
	}
	if e.Before == 0 {
		e.Before = defaultBefore
	}
	if e.After == 0 {
		e.After = defaultAfter
	}
	if !e.settleSet {
		e.Settle = defaultSettle
	}
	p := planOf(e.Method)
	durationGiven := e.Duration != 0
	if !durationGiven {
		e.Duration = p.naturalEnd()
	}
	if err := p.validate(e.Duration); err != nil {
		return e, err
	}
	if e.Window > e.Duration {
		of := "the method's Duration"
		if !durationGiven {
			of = "the method's Duration (the end of its last step)"
		}
		return e, fmt.Errorf("Window: %v is longer than %s %v; accepted: > 0 and <= %v", e.Window, of, e.Duration, e.Duration)
	}
	if e.Window == 0 {
		e.Window = min(defaultWindow, e.Duration)
	}
	if err := e.checkEvery(); err != nil {
		return e, err
	}
	if d, ok := e.AfterState.RecoveryAllowance(); ok && d >= e.After {
		return e, fmt.Errorf("SteadyAfter: RecoversWithin(%v) must be shorter than the After window %v", d, e.After)
	}
	return e, nil
}

// checkEvery refuses a check sampled less often than its shortest window:
// that window could hold no sample, and would be inconclusive after the
// fault ran.
func (e experiment) checkEvery() error {
	shortest, which := e.Before, "Before"
	for _, w := range windowsOf(e.Duration, e.Window) {
		if d := w.to - w.from; d < shortest {
			shortest, which = d, "Window"
		}
	}
	if e.After < shortest {
		shortest, which = e.After, "After"
	}
	for _, h := range []struct {
		name string
		h    *hypothesis.Hypothesis
	}{{"steady state", e.SteadyState}, {"SteadyAfter", e.AfterState}, {"Control", e.Control}} {
		if h.h == nil {
			continue
		}
		for i, c := range h.h.Checks() {
			if c.Interval() > shortest {
				return fmt.Errorf("%s: check %d (%s): Every %v is longer than the shortest window (%s %v), which could hold no sample; accepted: Every <= %v, or longer windows",
					h.name, i+1, c.Probe().Name(), c.Interval(), which, shortest, shortest)
			}
		}
	}
	return nil
}

// checkViolates refuses a Violates reason whose tolerance no deviation can
// show: one that is not a tolerance of the steady state (or of SteadyAfter),
// such as a tolerance built again with the same arguments.
func (e experiment) checkViolates() error {
	for i, r := range e.Reasons {
		v, ok := r.(violates)
		if !ok || e.SteadyState.Declares(v.tol) || e.AfterState.Declares(v.tol) {
			continue
		}
		hint := "pass the very value given to hypothesis.Expect, e.g. kept in a variable"
		if sameText(e.SteadyState, v.tol) || sameText(e.AfterState, v.tol) {
			hint = "a tolerance with the same text is, but another value: " + hint
		}
		return fmt.Errorf("ExpectDeviation: reason %d: Violates(%s) is not a tolerance of the steady state %q, so no deviation can show it; accepted: %s", i+1, v.tol, e.SteadyState.Title(), hint)
	}
	return nil
}

// sameText reports whether a tolerance of h reads as tol does.
func sameText(h *hypothesis.Hypothesis, tol hypothesis.Tolerance) bool {
	for _, c := range h.Checks() {
		for _, t := range c.Tolerances() {
			if t != nil && t.String() == tol.String() {
				return true
			}
		}
	}
	return false
}

// planned is the wall time the experiment needs without overruns.
func (e experiment) planned() time.Duration {
	return e.Before + e.Settle + e.Duration + e.Recovery + e.After
}

// validateControl checks the control group against the steady state.
func (e experiment) validateControl() error {
	if e.Control == nil {
		if e.SteadyState.Uses(hypothesis.Control) {
			return errors.New("Control: required: the steady state has a tolerance relative to hypothesis.Control, so it needs a control group to compare with")
		}
		return nil
	}
	if e.Control == e.SteadyState {
		return errors.New("Control: must be a hypothesis of its own, against an unfaulted twin of the system, not the steady state itself")
	}
	if err := e.Control.Validate(); err != nil {
		return fmt.Errorf("Control: %w", err)
	}
	if n, m := len(e.Control.Checks()), len(e.SteadyState.Checks()); n != m {
		return fmt.Errorf("Control: must have as many checks as the steady state (%d, matched by position), got %d", m, n)
	}
	return nil
}
