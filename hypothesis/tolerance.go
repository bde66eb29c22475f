package hypothesis

import (
	"errors"
	"fmt"
)

// Tolerance is a bound a check must meet, passed to Expect. String is what
// messages and the journal show, e.g. "latency p99 <= 300ms".
//
// A tolerance is one of two kinds, told apart by its method:
//
//   - a ValueTolerance (Miss) judges each sample's value: Equals, InRange,
//     OneOf, Matches, JSONPath, Satisfies. A sample that misses one becomes
//     a failed sample.
//   - a WindowTolerance (Judge) judges the samples of a window: SuccessRate,
//     LatencyP, LatencyMax, MaxErrors, MinThroughput, MinSamples,
//     RecoversWithin, LatencyPRelative, SuccessRateRelative.
//
// Tolerances of your own implement one of the two. A tolerance may also
// have a Validate() error method: Hypothesis.Validate calls it before
// anything is sampled, and reports its error (first line) after the check,
// so it should name the field and the accepted range as the package's do:
// "AtMostConsecutive n must be >= 0, got -1".
type Tolerance interface {
	String() string
}

// ValueTolerance judges one sample's value: Miss returns nil when v meets
// it, or a short reason, e.g. "got 503"; the sample's error is then
// "<tolerance>: <reason>". Miss is called from the sampler's goroutines, so
// it must be safe for concurrent use; a panic in it is a miss. A value of
// type NoValue is never passed to it.
type ValueTolerance interface {
	Tolerance
	Miss(v any) error
}

// WindowTolerance judges the samples of one check over a window (see
// Window). Judge returns the verdict with the bound expected and the figure
// observed; Tolerance and Source are filled in for it when left empty. A
// panic in Judge makes the tolerance inconclusive.
//
// Errors of a check are held to SuccessRate(1) unless one of its window
// tolerances judges them; a tolerance of your own that does (say "at most 3
// consecutive errors") says so with a method JudgesErrors() bool returning
// true. On a test machine that could not keep the check's schedule (see
// Harness), only tolerances that judge errors decide a violation; a host's
// slowdown does not stretch the bounds of a tolerance of your own.
type WindowTolerance interface {
	Tolerance
	Judge(w Window) ToleranceResult
}

// validateTolerance checks that t is of one kind and valid.
func validateTolerance(t Tolerance) error {
	if t == nil {
		return errors.New("Expect tolerance must not be nil")
	}
	_, isValue := t.(ValueTolerance)
	_, isWindow := t.(WindowTolerance)
	switch {
	case !isValue && !isWindow:
		return fmt.Errorf("Expect tolerance %q (%T) must be a ValueTolerance (a Miss method) or a WindowTolerance (a Judge method)", t.String(), t)
	case isValue && isWindow:
		return fmt.Errorf("Expect tolerance %q (%T) must be a ValueTolerance or a WindowTolerance, not both", t.String(), t)
	case t.String() == "":
		return fmt.Errorf("Expect tolerance of type %T must have a name: its String is empty", t)
	}
	if v, ok := t.(interface{ Validate() error }); ok {
		if err := v.Validate(); err != nil {
			return errors.New(firstLine(err))
		}
	}
	return nil
}

// missOf is t.Miss(v), a panic turned into a miss.
func missOf(t ValueTolerance, v any) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("panicked: %v", r)
		}
	}()
	return t.Miss(v)
}

// judgeOf is t.Judge over w, with the result's names filled in and a panic
// turned into an inconclusive result.
func judgeOf(t WindowTolerance, w *window) (r ToleranceResult) {
	defer func() {
		if p := recover(); p != nil {
			r = ToleranceResult{Text: t.String(), Observed: fmt.Sprintf("panicked: %v", p)}
		}
		if r.Text == "" {
			r.Text = t.String()
		}
		if _, isDefault := t.(defaultSuccessRate); !isDefault && r.Source == nil {
			r.Source = t
		}
	}()
	return t.Judge(Window{w: w})
}

// judgesErrors reports whether t decides about failed samples; a check with
// no such tolerance gets SuccessRate(1).
func judgesErrors(t Tolerance) bool {
	switch t.(type) {
	case *successRate, *maxErrors, *recoversWithin, *relSuccessRate:
		return true
	}
	j, ok := t.(interface{ JudgesErrors() bool })
	return ok && j.JudgesErrors()
}
