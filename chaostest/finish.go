package chaostest

import (
	"errors"
	"fmt"
	"os"
	"strings"
	"time"
)

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

// finish stops sampling, records the run and decides its verdict, writes
// the journal, then the report, and tells the story.
func (r *runner) finish() Report {
	t := r.t
	t.Helper()
	r.finished = true
	r.stopSampling()
	if r.rollbackEnd.IsZero() {
		r.rollbackEnd = time.Now()
	}
	rec := r.record(time.Now())
	path, err := r.writeJournal(rec)
	if err != nil {
		t.Errorf("chaostest: experiment %q: write the journal: %v", rec.title, err)
	} else if path != "" {
		rec.rep.Journal = path
		if journalKept(r.t) {
			r.logf("journal: %s", path)
		} else {
			r.logf("journal and report: not kept after the test (go test -artifacts, or -chaostest.journal=DIR, keeps them)")
		}
	}
	r.report = rec.rep
	r.logf("verdict: %s (%s)", rec.rep.Status, verdictNote(rec.expect, rec.rep.Status, rec.asExpected))
	r.writeReport(rec)
	if rec.asExpected && rec.expect == expectDeviation {
		// A documented weakness still deserves its story under -v.
		r.logf("as documented: %s\n%s", rec.deviationsLine(), strings.TrimRight(rec.timeline(), "\n"))
	}
	if !rec.asExpected {
		t.Errorf("%s", rec.failureMessage())
	}
	return rec.rep
}

// stopSampling stops every sampler and keeps the samples of each group.
func (r *runner) stopSampling() {
	if r.sampler != nil {
		r.samples = r.sampler.Stop()
	}
	if r.control != nil {
		r.ctrlSamps = r.control.Stop()
	}
	if r.afterSampler != nil {
		r.afterSampler.Stop()
	}
}

// record writes down the finished run: sampling has stopped and every
// fault was reverted (or its revert failed). It decides the status.
func (r *runner) record(end time.Time) *record {
	e := r.e
	p := planOf(e.Method)
	rec := &record{
		test: r.t.Name(), title: e.Title, seed: r.seed, seedUsed: r.seedUse.used.Load(),
		steady: claimOf(e.SteadyState), method: e.Method.String(), sequence: p.arrangement == sequence,
		expect: e.Expect, reasons: reasonList(e.Reasons), failFast: e.FailFast, cell: e.Cell,
		before: e.Before, duration: e.Duration, window: e.Window, after: e.After, recovery: e.Recovery, settle: e.Settle,
		start: r.start, end: end, methodStart: r.m0, methodEnd: r.methodEnd, rollbackEnd: r.rollbackEnd,
		samples: r.samples, ctrlSamples: r.ctrlSamps, windows: r.windows, afters: r.after, ctrlAfters: r.ctrlAfter,
		events: r.events, failFastStop: r.failFastStop, revertFailed: r.revertFailed, rep: r.report,
	}
	if e.Control != nil {
		c := claimOf(e.Control)
		rec.control = &c
	}
	for _, sl := range p.slots(e.Duration) {
		rec.steps = append(rec.steps, stepOf(sl))
	}
	for _, a := range r.applied {
		f := a.faultRecord
		f.step = stepOf(a.slot)
		rec.faults = append(rec.faults, f)
	}
	if r.abort != nil {
		rec.abort, rec.interrupted = r.abort.Error(), errors.Is(r.abort, errInterrupted)
	}
	rec.rep.Status = rec.status()
	rec.rep.SeedUsed = rec.seedUsed
	rec.rep.Faults = rec.faultReaches()
	rec.rep.Duration = end.Sub(r.start)
	rec.asExpected = expected(e, rec.rep)
	rec.rep.Passed = rec.asExpected && !rec.revertFailed
	return rec
}
