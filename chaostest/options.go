package chaostest

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/go-resilience/resilience/hypothesis"
)

// Option configures an experiment: Title, Control, SteadyAfter, the windows
// (Before, Duration, Window, After, Recovery), ExpectDeviation, FailFast and
// Seed. Options apply in order; a later one of the same kind wins. Values
// are checked before anything starts, with a one-line error naming the
// option and the accepted range.
type Option interface {
	applyExperiment(e *experiment) error
	String() string
}

type option struct {
	desc  string
	apply func(e *experiment) error
}

func (o option) applyExperiment(e *experiment) error { return o.apply(e) }
func (o option) String() string                      { return o.desc }

// Title says what the experiment claims, in messages, the journal and the
// report; the default is the test's name.
func Title(s string) Option {
	return option{desc: fmt.Sprintf("Title(%q)", s), apply: func(e *experiment) error {
		if strings.TrimSpace(s) == "" {
			return errors.New("Title: empty; accepted: a non-empty claim, or no Title option for the test's name")
		}
		e.Title = s
		return nil
	}}
}

// Control adds a control group (as Netflix's ChAP runs it): the same checks,
// in the same order, against an unfaulted twin of the system (its own proxy
// with no fault, or a second instance), sampled at the same time as the
// steady state and judged over the same windows. Tolerances relative to
// hypothesis.Control compare the two groups window by window, and a window in
// which the control group is violated too is inconclusive: noise that hits
// both groups is not the fault's.
func Control(h *hypothesis.Hypothesis) Option {
	return option{desc: "Control(" + title(h) + ")", apply: func(e *experiment) error {
		if h == nil {
			return errors.New("Control: nil; accepted: a hypothesis built with hypothesis.New")
		}
		e.Control = h
		return nil
	}}
}

// SteadyAfter states what must hold once every fault is reverted, when that
// differs from the steady state: e.g. "fresh data again" after a fault
// during which a fallback was fine. By default the steady state is judged
// after the rollback too. Its checks are sampled from the start, beside the
// steady state's, and judged only after the rollback; it is the one place
// for hypothesis.RecoversWithin.
func SteadyAfter(h *hypothesis.Hypothesis) Option {
	return option{desc: "SteadyAfter(" + title(h) + ")", apply: func(e *experiment) error {
		if h == nil {
			return errors.New("SteadyAfter: nil; accepted: a hypothesis built with hypothesis.New")
		}
		e.AfterState = h
		return nil
	}}
}

func title(h *hypothesis.Hypothesis) string {
	if h == nil {
		return "nil"
	}
	return fmt.Sprintf("%q", h.Title())
}

func durationOption(name string, d time.Duration, set func(e *experiment), accepted string) Option {
	return option{desc: fmt.Sprintf("%s(%v)", name, d), apply: func(e *experiment) error {
		if d <= 0 && !(d == 0 && name == "Recovery") {
			return fmt.Errorf("%s: %v out of range; accepted: %s", name, d, accepted)
		}
		set(e)
		return nil
	}}
}

// Before sets the steady-state gate window before the method (default 1s;
// accepted: > 0). The method runs only if the steady state holds over it.
func Before(d time.Duration) Option {
	return durationOption("Before", d, func(e *experiment) { e.Before = d }, "> 0 (default 1s)")
}

// Duration sets the length of the method (accepted: > 0). By default it
// ends with its last step (a step without For counts 1s).
func Duration(d time.Duration) Option {
	return durationOption("Duration", d, func(e *experiment) { e.Duration = d }, "> 0 (default: the end of the last step)")
}

// Window sets the length of the windows the method is judged in (default
// 1s, or Duration when shorter; accepted: > 0 and <= Duration, and at least
// every check's Every, like Before and After).
func Window(d time.Duration) Option {
	return durationOption("Window", d, func(e *experiment) { e.Window = d }, "> 0 (default 1s)")
}

// After sets the window of the steady state after the rollback (default 1s;
// accepted: > 0).
func After(d time.Duration) Option {
	return durationOption("After", d, func(e *experiment) { e.After = d }, "> 0 (default 1s)")
}

// Recovery sets the allowance after the rollback within which the after
// window must come to hold (default 0: at once; accepted: >= 0). The after
// window is judged from the end of the rollback, then slid forward by a
// quarter of After at a time, until one holds or the next would start
// later than Recovery after the rollback.
func Recovery(d time.Duration) Option {
	return durationOption("Recovery", d, func(e *experiment) { e.Recovery = d }, ">= 0")
}

// ExpectDeviation documents a known weakness: the test passes only if a
// window deviates, and that deviation shows every reason given (Violates,
// While, NotRecovered); it fails when the hypothesis holds (the weakness may
// have been fixed) and when the deviation is not the documented one.
func ExpectDeviation(reasons ...Reason) Option {
	reasons = slices.Clone(reasons)
	return option{desc: fmt.Sprintf("ExpectDeviation(%s)", reasonList(reasons)), apply: func(e *experiment) error {
		e.Expect = expectDeviation
		e.Reasons = reasons
		return nil
	}}
}

// FailFast stops the method at the first violated window (also the
// -chaostest.failfast flag).
func FailFast() Option {
	return option{desc: "FailFast()", apply: func(e *experiment) error { e.FailFast = true; return nil }}
}

// Seed sets the seed of the experiment's randomness (accepted: != 0; by
// default -chaostest.seed, else time-based). Faults read it with SeedFrom.
func Seed(n int64) Option {
	return option{desc: fmt.Sprintf("Seed(%d)", n), apply: func(e *experiment) error {
		if n == 0 {
			return errors.New("Seed: 0; accepted: any other integer (0 means time-based: leave the option out)")
		}
		e.Seed = n
		return nil
	}}
}

// Reason is what a deviation must show for ExpectDeviation (and
// Report.Deviated): Violates, While or NotRecovered. A deviation matches
// when it shows every reason given.
type Reason interface {
	matches(d Deviation) bool
	check() error
	String() string
}

// Violates wants the deviated window to violate tol: the very tolerance
// value passed to hypothesis.Expect (matched by identity, not by text). A
// tol that is not a tolerance of the steady state (or of SteadyAfter), such
// as one built again with the same arguments, is refused before the run.
func Violates(tol hypothesis.Tolerance) Reason { return violates{tol} }

type violates struct{ tol hypothesis.Tolerance }

func (v violates) matches(d Deviation) bool { return d.Violated(v.tol) }
func (v violates) check() error {
	if v.tol == nil {
		return errors.New("Violates: nil tolerance; accepted: a tolerance passed to hypothesis.Expect")
	}
	return nil
}
func (v violates) String() string {
	if v.tol == nil {
		return "violates <nil>"
	}
	return "violates " + v.tol.String()
}

// While wants the deviated window to fall in the method while f was applied.
func While(f Fault) Reason { return while{f} }

type while struct{ f Fault }

func (w while) matches(d Deviation) bool {
	return d.Phase == PhaseDuring && slices.Contains(d.Faults, w.f.Name())
}
func (w while) check() error {
	if w.f == nil {
		return errors.New("While: nil fault; accepted: a fault of the method")
	}
	return nil
}
func (w while) String() string {
	if w.f == nil {
		return "while <nil>"
	}
	return fmt.Sprintf("while %q", w.f.Name())
}

// NotRecovered wants the deviation after the rollback: the system did not
// recover within the Recovery allowance although every fault was reverted
// (a metastable failure, or lasting damage).
func NotRecovered() Reason { return notRecovered{} }

type notRecovered struct{}

func (notRecovered) matches(d Deviation) bool { return d.Phase == PhaseAfter }
func (notRecovered) check() error             { return nil }
func (notRecovered) String() string           { return "not recovered after the rollback" }

func reasonList(rs []Reason) string {
	out := make([]string, len(rs))
	for i, r := range rs {
		if r == nil { // the Reason types are this package's own values: nil is the only bad one
			out[i] = "<nil>"
			continue
		}
		out[i] = r.String()
	}
	return strings.Join(out, ", ")
}

func checkReasons(rs []Reason) error {
	for i, r := range rs {
		if r == nil {
			return fmt.Errorf("ExpectDeviation: reason %d is nil; accepted: Violates, While or NotRecovered", i+1)
		}
		if err := r.check(); err != nil {
			return fmt.Errorf("ExpectDeviation: reason %d: %w", i+1, err)
		}
	}
	return nil
}

// options applies opts to e; the error names the option.
func (e *experiment) options(opts []Option) error {
	for i, o := range opts {
		if o == nil {
			return fmt.Errorf("option %d is nil; accepted: a chaostest Option (Inject, Title, Before, Window, After, Recovery, ExpectDeviation, ...), none nil", i+1)
		}
		if err := o.applyExperiment(e); err != nil {
			return err
		}
	}
	return nil
}
