// Package caught checks that an experiment on a fragile service was caught
// for the reason the service is fragile: the run deviated, in a window while
// the injected fault was active, and the tolerances that guard the weakness
// are among those violated. A fragile twin caught by accident (a not-steady
// gate, an unrelated probe failure, a different tolerance) fails the check.
//
// A weakness that outlives its fault (a metastable failure: a retry storm
// that goes on once the fault is removed) is caught after the fault instead:
// [CheckNotRecovered] and [RequireNotRecovered] want the steady state after
// the rollback, past the recovery allowance, to violate the reasons.
package caught

import (
	"fmt"
	"slices"
	"strings"

	"github.com/go-resilience/resilience/chaostest"
	"github.com/go-resilience/resilience/hypothesis"
)

// T is what Require needs of a test (*testing.T satisfies it).
type T interface {
	Helper()
	Errorf(format string, args ...any)
	FailNow()
}

// Reason is a tolerance of one check of the hypothesis, identified by the
// check's probe name and the tolerance's String.
type Reason struct {
	Probe     string
	Tolerance hypothesis.Tolerance
}

// Because is the reason "probe's tolerance was violated".
func Because(probe string, tol hypothesis.Tolerance) Reason {
	return Reason{Probe: probe, Tolerance: tol}
}

func (r Reason) String() string { return fmt.Sprintf("%s: %s", r.Probe, r.Tolerance) }

// Check returns nil when rep deviated during the method, in a window where
// fault was active and every reason's tolerance was violated; otherwise an
// error saying what was observed instead.
func Check(rep chaostest.Report, fault chaostest.Fault, reasons ...Reason) error {
	if rep.Status != chaostest.StatusDeviated {
		return fmt.Errorf("status %q, want %q", rep.Status, chaostest.StatusDeviated)
	}
	var seen []string
	for _, d := range rep.Deviations {
		if d.Phase != chaostest.PhaseDuring || !slices.Contains(d.Faults, fault.Name()) {
			continue
		}
		violated := violatedIn(d.Result)
		if violatesAll(violated, reasons) {
			return nil
		}
		seen = append(seen, fmt.Sprintf("window at +%v violated [%s]", d.Offset, strings.Join(violated, "; ")))
	}
	if len(seen) == 0 {
		seen = []string{"no window of the method deviated while it was active"}
	}
	return fmt.Errorf("want a window with fault %q active that violates [%s]; got: %s",
		fault.Name(), wanted(reasons), strings.Join(seen, ", "))
}

// violatedIn lists "probe: tolerance" for every violated tolerance of r.
func violatedIn(r hypothesis.Result) []string {
	var out []string
	for _, c := range r.Checks {
		for _, tr := range c.Tolerances {
			if tr.Verdict == hypothesis.Violated {
				out = append(out, c.Probe+": "+tr.Tolerance)
			}
		}
	}
	return out
}

// CheckNotRecovered returns nil when rep deviated after the rollback: every
// fault had been reverted, the recovery allowance was spent, and the steady
// state after still violated every reason's tolerance (chaostest reports
// this as a deviation in phase "after"). A run that deviated only while the
// fault was active recovered, and is not caught by this check.
func CheckNotRecovered(rep chaostest.Report, reasons ...Reason) error {
	if rep.Status != chaostest.StatusDeviated {
		return fmt.Errorf("status %q, want %q", rep.Status, chaostest.StatusDeviated)
	}
	var seen []string
	for _, d := range rep.Deviations {
		if d.Phase != chaostest.PhaseAfter {
			continue
		}
		violated := violatedIn(d.Result)
		if violatesAll(violated, reasons) {
			return nil
		}
		seen = append(seen, fmt.Sprintf("after window at +%v violated [%s]", d.Offset, strings.Join(violated, "; ")))
	}
	if len(seen) == 0 {
		seen = []string{"the steady state after the rollback held within the recovery allowance: it recovered"}
	}
	return fmt.Errorf("want the steady state after the rollback to violate [%s]; got: %s",
		wanted(reasons), strings.Join(seen, ", "))
}

// RequireNotRecovered fails t unless CheckNotRecovered passes.
func RequireNotRecovered(t T, rep chaostest.Report, reasons ...Reason) {
	t.Helper()
	if err := CheckNotRecovered(rep, reasons...); err != nil {
		t.Errorf("the fragile service was not caught failing to recover: %v", err)
		t.FailNow()
	}
}

// violatesAll reports whether every reason is among violated.
func violatesAll(violated []string, reasons []Reason) bool {
	for _, r := range reasons {
		if !slices.Contains(violated, r.String()) {
			return false
		}
	}
	return true
}

// wanted lists the reasons, "; "-separated.
func wanted(reasons []Reason) string {
	want := make([]string, len(reasons))
	for i, r := range reasons {
		want[i] = r.String()
	}
	return strings.Join(want, "; ")
}

// Require fails t unless Check passes.
func Require(t T, rep chaostest.Report, fault chaostest.Fault, reasons ...Reason) {
	t.Helper()
	if err := Check(rep, fault, reasons...); err != nil {
		t.Errorf("the fragile service was not caught for the right reason: %v", err)
		t.FailNow()
	}
}
