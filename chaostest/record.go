package chaostest

import (
	"strconv"
	"time"

	"github.com/go-resilience/resilience/hypothesis"
)

// Record first, render second: the runner runs the experiment and, once
// sampling has stopped, writes down what happened as a record, plain data
// with nothing live in it (no sampler, no revert, no T). The journal, the
// report and its chart, the failure message and the timeline are functions
// of the record alone, as go-cmp's engine hands plain data to its
// reporter; a test renders a record written by hand.

// record is one finished run.
type record struct {
	test     string // the test's name
	title    string
	seed     int64
	seedUsed bool // a fault read the seed

	// The experiment as declared.
	steady   claim
	control  *claim // the control group's, nil without one
	method   string // as Method.String shows it
	sequence bool   // the method's steps run one after the other
	steps    []stepRecord
	expect   expectation
	reasons  string // ExpectDeviation's reasons, as the failure message lists them
	failFast bool
	cell     *gridCell

	before, duration, window, after, recovery, settle time.Duration

	// The run's moments: its start and end, the method's start and end
	// (zero when it never ran), the end of the rollback.
	start, end, methodStart, methodEnd, rollbackEnd time.Time

	samples, ctrlSamples []hypothesis.Sample // every sample of each group
	windows              []window            // the method's windows, judged or not
	afters, ctrlAfters   []hypothesis.Result // every after window tried, in order, in each group
	faults               []faultRecord       // in order of application
	events               []event

	abort        string // why the run ended early, "" when it did not
	interrupted  bool   // it ended on SIGINT or SIGTERM
	failFastStop bool   // the method stopped at its first violated window
	revertFailed bool
	asExpected   bool // the status is what the experiment expected

	// rep is what Run returns: the results of each phase, the deviations,
	// the status, the slot wait; Journal is set once the journal is written.
	rep Report
}

// claim is a hypothesis as declared: its title and its checks.
type claim struct {
	title  string
	checks []checkDecl
}

// checkDecl is one check of a claim.
type checkDecl struct {
	probe      string   // the probe's name ("check N" without one)
	text       string   // the check, as Check.String shows it
	tolerances []string // as each tolerance's String shows it
}

// claimOf declares h.
func claimOf(h *hypothesis.Hypothesis) claim {
	c := claim{title: h.Title()}
	for i, chk := range h.Checks() {
		d := checkDecl{probe: probeName(i, chk), text: chk.String(), tolerances: []string{}}
		for _, tol := range chk.Tolerances() {
			d.tolerances = append(d.tolerances, tol.String())
		}
		c.checks = append(c.checks, d)
	}
	return c
}

// probeName is the name of check i's probe.
func probeName(i int, c hypothesis.Check) string {
	if p := c.Probe(); p != nil {
		return p.Name()
	}
	return "check " + strconv.Itoa(i+1)
}

// stepRecord is a step of the method on its clock: offsets from the
// method's start.
type stepRecord struct {
	fault      string         // its fault's Name
	attributes map[string]any // its fault's Attributes; nil without
	start, end time.Duration
	openEnds   bool
}

// stepOf records sl.
func stepOf(sl slot) stepRecord {
	s := stepRecord{fault: sl.fault.Name(), start: sl.start, end: sl.end, openEnds: sl.openEnds}
	if a, ok := sl.fault.(attributer); ok {
		s.attributes = a.Attributes()
	}
	return s
}

// faultRecord is one application of a step's fault.
type faultRecord struct {
	step       stepRecord // filled in when the run is recorded
	name       string
	quiet      bool // its step is MayReachNothing
	applyStart time.Time
	applyEnd   time.Time
	applyErr   error

	revertStart time.Time
	revertEnd   time.Time
	revertErr   error
	revertedBy  string // "schedule", "rollback" or "cleanup"

	reach *Reach // measured once reverted; nil: the fault measures none
}

func (f *faultRecord) reverted() bool { return !f.revertEnd.IsZero() }

// activeIn reports whether the fault was applied at some time in [from, to).
func (f *faultRecord) activeIn(from, to time.Time) bool {
	if f.applyErr != nil || !f.applyStart.Before(to) {
		return false
	}
	return !f.reverted() || f.revertEnd.After(from)
}

// origin is the zero of every offset: the method's start, or the run's
// start when the method never ran.
func (rec *record) origin() time.Time { return originOf(rec.methodStart, rec.start) }

// offset formats the time of at from the method's start, e.g. "+1.25s".
func (rec *record) offset(at time.Time) string { return fmtOffset(at.Sub(rec.origin())) }
