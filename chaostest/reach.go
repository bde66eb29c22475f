package chaostest

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"
)

// Reach as evidence: what each applied fault measured it acted on (see
// Reach and MeasureReach) is shown in the narrative's fault-off line, the
// failure message, the journal (the output of the fault's run record) and
// the report. A fault whose reach says Reached false makes the run
// inconclusive, whatever the windows say, unless its step is marked
// MayReachNothing.

// MayReachNothing marks a step whose fault is meant to be quiet: one that
// only matters if the system happens to use what it breaks (a fallback
// cache, a dependency a request may or may not need). Its reach is still
// measured and reported, but a reach of nothing does not make the run
// inconclusive. By default every step is strict: a fault that reached
// nothing proves nothing about the system, so the run is inconclusive.
//
//	chaostest.Inject(fallback.Down(), chaostest.MayReachNothing()) // read only when the primary fails
func MayReachNothing() StepOption {
	return stepOption{desc: "MayReachNothing()", apply: func(s *Step) { s.quiet = true }}
}

// ApplyMeasured applies f outside an experiment, with a context that lets
// it register its reach as Run's does, and returns its revert and how to
// read the reach it registered (false when it registered none): the way
// to test a Fault's reach without running an experiment. Run reads the
// reach once the fault is reverted; so should the caller.
func ApplyMeasured(ctx context.Context, f Fault) (Revert, func() (Reach, bool), error) {
	m := &reachMeter{}
	rv, err := f.Apply(context.WithValue(ctx, reachKey{}, m))
	if err != nil {
		return nil, nil, err
	}
	return rv, func() (Reach, bool) {
		measure := m.get()
		if measure == nil {
			return Reach{}, false
		}
		return measure(), true
	}, nil
}

// FaultReach is one applied fault of a Report and what it reached.
type FaultReach struct {
	Fault string // the fault's Name
	// Reach is what the fault measured it acted on; nil when it measures
	// none (or failed to apply).
	Reach *Reach
	// MayReachNothing: its step allowed it to reach nothing.
	MayReachNothing bool
	// ApplyTook is how long the fault's Apply took.
	ApplyTook time.Duration
}

// Unreached reports whether the fault reached nothing although its step
// is strict: what makes a run inconclusive.
func (f FaultReach) Unreached() bool {
	return f.Reach != nil && !f.Reach.Reached && !f.MayReachNothing
}

// faultReaches are the report's faults.
func (rec *record) faultReaches() []FaultReach {
	var out []FaultReach
	for _, f := range rec.faults {
		if f.applyErr != nil {
			continue
		}
		fr := FaultReach{Fault: f.name, MayReachNothing: f.quiet, ApplyTook: f.applyEnd.Sub(f.applyStart)}
		if f.reach != nil {
			rc := *f.reach
			fr.Reach = &rc
		}
		out = append(out, fr)
	}
	return out
}

// mayReachNothing reports whether the step of sl was marked MayReachNothing.
func mayReachNothing(m Method, sl slot) bool {
	steps := planOf(m).steps
	return sl.index < len(steps) && steps[sl.index].quiet
}

// unreached are the applied faults that measured a reach of nothing and
// whose step is strict: each makes the run inconclusive.
func (rec *record) unreached() []faultRecord {
	var out []faultRecord
	for _, f := range rec.faults {
		if f.applyErr == nil && f.reach != nil && !f.reach.Reached && !f.quiet {
			out = append(out, f)
		}
	}
	return out
}

// reachNote is what the narrative adds to a fault's off line: "reached
// <summary>", or what happened when it reached nothing; "" when the fault
// measures no reach.
func (f *faultRecord) reachNote() string {
	if f.reach == nil {
		return ""
	}
	switch {
	case f.reach.Reached:
		return "reached " + reachSummary(f.reach)
	case f.quiet:
		return "reached nothing (allowed: MayReachNothing): " + reachSummary(f.reach)
	}
	return "REACHED NOTHING: " + reachSummary(f.reach)
}

func reachSummary(rc *Reach) string {
	if s := strings.TrimSpace(rc.Summary); s != "" {
		return s
	}
	if len(rc.Counts) == 0 {
		return "no figures"
	}
	var parts []string
	for _, k := range slices.Sorted(maps.Keys(rc.Counts)) {
		parts = append(parts, fmt.Sprintf("%s %d", k, rc.Counts[k]))
	}
	return strings.Join(parts, ", ")
}

// unreachedLine is the one line of the failure message, the journal's
// reason and the report's headline for a strict fault that reached nothing.
func unreachedLine(f faultRecord) string {
	return fmt.Sprintf("fault %q reached nothing, so the run proves nothing about the system: %s (a fault meant to be quiet is injected with MayReachNothing)",
		f.name, reachSummary(f.reach))
}

// writeUnreached is the failure message's account of an inconclusive run
// whose faults reached nothing: one line per such fault, then any
// deviation, which cannot be blamed on a fault that did not reach the system.
func (rec *record) writeUnreached(b *strings.Builder, un []faultRecord) {
	b.WriteString(": a fault reached nothing\n")
	for _, f := range un {
		fmt.Fprintf(b, "  %s\n", unreachedLine(f))
	}
	for _, d := range rec.rep.Deviations {
		label := fmt.Sprintf("also observed, %s, window at %s (faults: %s)", d.Phase, fmtOffset(d.Offset), faultList(d.Faults))
		writeViolations(b, label, d.Result)
	}
}

// applyNote says how long a fault took to apply, for its on line.
func (f *faultRecord) applyNote() string {
	return "applied in " + fmtDur(f.applyEnd.Sub(f.applyStart))
}

// reachOutput is a fault's reach in the output of its run record in the
// journal.
type reachOutput struct {
	Reached         bool             `json:"reached"`
	Summary         string           `json:"summary"`
	Counts          map[string]int64 `json:"counts"`
	MayReachNothing bool             `json:"may_reach_nothing"`
}

// reachOutput is the fault's reach for the journal; nil when it measures none.
func (f *faultRecord) reachOutput() *reachOutput {
	if f.reach == nil {
		return nil
	}
	counts := map[string]int64{}
	maps.Copy(counts, f.reach.Counts)
	return &reachOutput{Reached: f.reach.Reached, Summary: reachSummary(f.reach), Counts: counts, MayReachNothing: f.quiet}
}

// faultRow is one applied fault in the report's table of faults.
type faultRow struct {
	Name      string
	On        string // offset of its apply
	ApplyTook string
	Off       string // offset of its revert, "" when it was not reverted
	RevertBy  string
	Reach     string // the reach summary, or "not measured"
	ReachCSS  string // held (reached), inconclusive (reached nothing), quiet (allowed to), unknown
	Verdict   string // reached, reached nothing, not measured
}

// faultRows are the report's rows of the applied faults, in order of
// application.
func (rec *record) faultRows() []faultRow {
	o := rec.origin()
	var rows []faultRow
	for _, a := range rec.faults {
		row := faultRow{Name: a.name, On: fmtOffset(a.applyStart.Sub(o)), ApplyTook: fmtDur(a.applyEnd.Sub(a.applyStart)),
			Reach: "not measured by this fault", ReachCSS: "unknown", Verdict: "not measured"}
		if a.applyErr != nil {
			row.Reach, row.ReachCSS, row.Verdict = "failed to apply: "+a.applyErr.Error(), "violated", "failed"
			rows = append(rows, row)
			continue
		}
		if a.reverted() {
			row.Off, row.RevertBy = fmtOffset(a.revertStart.Sub(o))+" (took "+fmtDur(a.revertEnd.Sub(a.revertStart))+")", a.revertedBy
		}
		if a.reach != nil {
			row.Reach = reachSummary(a.reach)
			switch {
			case a.reach.Reached:
				row.ReachCSS, row.Verdict = "held", "reached"
			case a.quiet:
				row.ReachCSS, row.Verdict = "quiet", "reached nothing (MayReachNothing)"
			default:
				row.ReachCSS, row.Verdict = "inconclusive", "reached nothing"
			}
		}
		rows = append(rows, row)
	}
	return rows
}
