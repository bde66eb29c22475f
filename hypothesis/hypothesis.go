package hypothesis

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
)

// Hypothesis is a claim about the steady state of a system: a title and one
// or more checks. It is immutable once built.
type Hypothesis struct {
	title  string
	checks []Check
}

// New builds a hypothesis. Nothing is validated here: Validate, Start,
// Measure, Assert and Require reject a bad hypothesis before sampling.
func New(title string, checks ...Check) *Hypothesis {
	return &Hypothesis{title: title, checks: slices.Clone(checks)}
}

// Title returns the title given to New.
func (h *Hypothesis) Title() string { return h.title }

// Checks returns a copy of the checks.
func (h *Hypothesis) Checks() []Check { return slices.Clone(h.checks) }

// String is the title.
func (h *Hypothesis) String() string { return h.title }

// Validate returns nil or a one-line error naming the field and the accepted
// range, e.g. `hypothesis "x": check 1 (GET http://...): Every must be > 0, got -1s`.
// Checks are numbered from 1 in messages.
func (h *Hypothesis) Validate() error {
	if h == nil {
		return errors.New("hypothesis: must not be nil")
	}
	if strings.TrimSpace(h.title) == "" {
		return fmt.Errorf("hypothesis: title must not be empty or only spaces, got %q; accepted: the claim, e.g. \"checkout stays fast\"", h.title)
	}
	if len(h.checks) == 0 {
		return fmt.Errorf("hypothesis %q: needs at least one check, got 0", h.title)
	}
	for i, c := range h.checks {
		if err := c.validate(); err != nil {
			if c.probe == nil || c.probe.Name() == "" {
				return fmt.Errorf("hypothesis %q: check %d: %w", h.title, i+1, err)
			}
			return fmt.Errorf("hypothesis %q: check %d (%s): %w", h.title, i+1, c.probe.Name(), err)
		}
	}
	return nil
}

// Declares reports whether tol is one of the tolerances passed to Expect in
// a check of h: the very value, as Result.Violated matches it (a tolerance
// built again with the same arguments is another value).
func (h *Hypothesis) Declares(tol Tolerance) bool {
	if h == nil {
		return false
	}
	for _, c := range h.checks {
		for _, t := range c.tolerances {
			if sameTolerance(t, tol) {
				return true
			}
		}
	}
	return false
}

// Uses reports whether a tolerance of h compares with ref (see
// LatencyPRelative and SuccessRateRelative): an experiment whose hypothesis
// uses Control needs a control group.
func (h *Hypothesis) Uses(ref Ref) bool {
	if h == nil {
		return false
	}
	for _, c := range h.checks {
		for _, t := range c.tolerances {
			switch x := t.(type) {
			case *relLatencyP:
				if x.ref == ref {
					return true
				}
			case *relSuccessRate:
				if x.ref == ref {
					return true
				}
			}
		}
	}
	return false
}

// RecoveryAllowance returns the d of a RecoversWithin(d) in some check of h:
// a hypothesis that allows failures at the start of its window, which an
// experiment judges only after its faults (chaostest.SteadyAfter).
func (h *Hypothesis) RecoveryAllowance() (time.Duration, bool) {
	if h == nil {
		return 0, false
	}
	for _, c := range h.checks {
		for _, t := range c.tolerances {
			if r, ok := t.(*recoversWithin); ok {
				return r.d, true
			}
		}
	}
	return 0, false
}
