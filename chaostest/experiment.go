package chaostest

import (
	"errors"
	"fmt"
	"time"

	"github.com/go-resilience/resilience/hypothesis"
)

// Defaults of an Experiment's windows. A zero field of the Experiment takes
// its default; durations cannot be set to zero.
const (
	DefaultBefore   = time.Second
	DefaultWindow   = time.Second
	DefaultAfter    = time.Second
	defaultOpenStep = time.Second // length of an open-ended step when Duration is not set
)

// Expectation says which outcome of an experiment passes the test.
type Expectation int

const (
	// ExpectHold is the default: only a held hypothesis passes.
	ExpectHold Expectation = iota
	// ExpectDeviation documents a known weakness: the test passes only if a
	// deviation is seen, and fails when the hypothesis holds (the weakness
	// may have been fixed).
	ExpectDeviation
)

func (e Expectation) String() string {
	switch e {
	case ExpectHold:
		return "hold"
	case ExpectDeviation:
		return "deviation"
	}
	return fmt.Sprintf("Expectation(%d)", int(e))
}

// Experiment is a claim about a system under failure: its steady state holds
// (SteadyState) while the Method's faults are applied.
type Experiment struct {
	Title       string                 // what the experiment claims; default: the test's name
	SteadyState *hypothesis.Hypothesis // required
	Method      Method                 // required: at least one step

	// Control, when set, is the control group (as Netflix's ChAP runs it):
	// the same checks, in the same order, against an unfaulted twin of the
	// system (its own proxy with no fault, or a second instance), sampled
	// at the same time as SteadyState and judged over the same windows.
	// Tolerances relative to hypothesis.Control compare the two groups
	// window by window, and a window in which the control group is violated
	// too is inconclusive: noise that hits both groups is not the fault's.
	Control *hypothesis.Hypothesis

	Before   time.Duration // steady-state gate window before the method; default 1s
	Duration time.Duration // length of the method; default: end of the last step (a step's For, or 1s if open-ended)
	Window   time.Duration // during the method the hypothesis is judged per window of this length; default 1s (clamped to Duration)
	After    time.Duration // steady-state window after rollback; default 1s
	Recovery time.Duration // allowance after rollback before the after window must hold (retry-until-met); default 0

	Expect   Expectation
	FailFast bool  // stop the method at the first violated window (also the -chaostest.failfast flag)
	Seed     int64 // seed for any randomness of the experiment (0: from -chaostest.seed, else time-based); logged for reproduction
}

// Status is the outcome of a run.
type Status string

const (
	StatusHeld         Status = "held"
	StatusDeviated     Status = "deviated"
	StatusNotSteady    Status = "not steady"
	StatusInconclusive Status = "inconclusive"
	StatusAborted      Status = "aborted" // interrupted, deadline, a fault failed to apply
)

// Phases of an experiment, as Deviation.Phase and the narrative name them.
const (
	PhaseBefore = "before"
	PhaseDuring = "during"
	PhaseAfter  = "after"
)

// Deviation is one violated window.
type Deviation struct {
	Phase  string        // "during" or "after"
	Offset time.Duration // window start, from the start of the method
	Faults []string      // names of the faults active in that window
	Result hypothesis.Result
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
	// The control group's results over the same windows (only with
	// Experiment.Control).
	ControlBefore hypothesis.Result
	ControlDuring []hypothesis.Result
	ControlAfter  hypothesis.Result
	Journal       string // path of the journal file, "" if none was written
	Seed          int64
	Duration      time.Duration
}

// Validate returns nil or a one-line error naming the field and the accepted
// range. Run calls it before anything starts.
func (e Experiment) Validate() error {
	_, err := e.resolve()
	return err
}

// resolve validates e and returns it with every default filled in.
func (e Experiment) resolve() (Experiment, error) {
	if e.SteadyState == nil {
		return e, errors.New("SteadyState is required: a hypothesis built with hypothesis.New")
	}
	if err := e.SteadyState.Validate(); err != nil {
		return e, fmt.Errorf("SteadyState: %w", err)
	}
	if err := e.validateControl(); err != nil {
		return e, err
	}
	for _, f := range []struct {
		name string
		v    time.Duration
	}{{"Before", e.Before}, {"Duration", e.Duration}, {"Window", e.Window}, {"After", e.After}, {"Recovery", e.Recovery}} {
		if f.v < 0 {
			return e, fmt.Errorf("%s must be >= 0 (0 = default), got %v", f.name, f.v)
		}
	}
	if e.Expect != ExpectHold && e.Expect != ExpectDeviation {
		return e, fmt.Errorf("Expect must be ExpectHold or ExpectDeviation, got %d", int(e.Expect))
	}
	if len(e.Method.steps) == 0 {
		return e, errors.New("Method must have at least one step (build it with Steps, Together or Sequence)")
	}
	if e.Before == 0 {
		e.Before = DefaultBefore
	}
	if e.After == 0 {
		e.After = DefaultAfter
	}
	if e.Duration == 0 {
		e.Duration = e.Method.naturalEnd()
	}
	if e.Window == 0 {
		e.Window = DefaultWindow
	}
	e.Window = min(e.Window, e.Duration)
	if e.Window <= 0 {
		return e, fmt.Errorf("Window must be > 0 after defaults, got %v", e.Window)
	}
	if err := e.Method.validate(e.Duration); err != nil {
		return e, err
	}
	return e, nil
}

// planned is the wall time the experiment needs without overruns.
func (e Experiment) planned() time.Duration {
	return e.Before + e.Duration + e.Recovery + e.After
}

// validateControl checks the control group against the steady state.
func (e Experiment) validateControl() error {
	if e.Control == nil {
		if e.SteadyState.Uses(hypothesis.Control) {
			return errors.New("Control is required: SteadyState has a tolerance relative to hypothesis.Control, so it needs a control group to compare with")
		}
		return nil
	}
	if e.Control == e.SteadyState {
		return errors.New("Control must be a hypothesis of its own, against an unfaulted twin of the system, not SteadyState itself")
	}
	if err := e.Control.Validate(); err != nil {
		return fmt.Errorf("Control: %w", err)
	}
	if n, m := len(e.Control.Checks()), len(e.SteadyState.Checks()); n != m {
		return fmt.Errorf("Control must have as many checks as SteadyState (%d, matched by position), got %d", m, n)
	}
	return nil
}
