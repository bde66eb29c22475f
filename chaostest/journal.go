package chaostest

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/go-resilience/resilience/hypothesis"
)

// The journal is a JSON record of a run in Chaos Toolkit's journal format,
// written so that Chaos Toolkit's own code accepts it with Chaos Toolkit's
// meanings (chaostoolkit-lib 1.45.0; the rules, with the file and function
// each comes from, are checked by TestJournalsFollowChaosToolkitRules):
//
//   - every activity has a "process" provider that re-runs this very
//     experiment from the module's root: go -C <package dir, relative to
//     the module root> test -run '^Test\z/^sub\z' (with -chaostest.seed=N
//     when a fault read the seed); \z, not $, so that a Markdown renderer
//     (chaostoolkit-reporting's pandoc) does not read the $...$ as maths;
//   - every hypothesis probe has the tolerance 0 (an exit status), and each
//     probe record's output has a "status" of 0 when the check held in that
//     window, 1 when it did not, so that Chaos Toolkit's within_tolerance
//     gives back the record's tolerance_met;
//   - "status" and "deviated" are what chaoslib's run.py would have written
//     for the same steady states: deviated only from the steady state after.
//
// What only chaostest knows (the verdict and its reason, the schedule, the
// human-readable tolerances, per-window verdicts, the control group, the
// load and harness figures, the samples) is under a "chaostest" key, and in
// the experiment under its "extensions" entry named "chaostest".

// chaosLibVersion is the "chaoslib-version" written in journals: the version
// of Chaos Toolkit's library whose journal format and rules they follow.
const chaosLibVersion = "1.45.0"

// journalTime is Chaos Toolkit's timestamp format (chaoslib 1.45 writes
// datetime.now(UTC).isoformat()): UTC, ISO 8601, microseconds, "+00:00".
const journalTime = "2006-01-02T15:04:05.000000-07:00"

// Chaos Toolkit's values for the journal's and the records' "status".
const (
	ctkCompleted   = "completed"
	ctkFailed      = "failed"
	ctkAborted     = "aborted"
	ctkInterrupted = "interrupted"
	ctkSucceeded   = "succeeded" // an activity's record
)

// jsonFloat is a float64 that JSON always shows as a float, 2.0 and not 2,
// as Python writes the floats of Chaos Toolkit's journals (durations,
// offsets, latencies). encoding/json writes float64(2) as 2.
type jsonFloat float64

// MarshalJSON writes f in decimal notation with at least one decimal.
func (f jsonFloat) MarshalJSON() ([]byte, error) {
	v := float64(f)
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return nil, fmt.Errorf("%v is not a JSON number", v)
	}
	b := strconv.AppendFloat(nil, v, 'f', -1, 64)
	if !bytes.ContainsRune(b, '.') {
		b = append(b, ".0"...)
	}
	return b, nil
}

type journal struct {
	ChaosLibVersion string            `json:"chaoslib-version"`
	Platform        string            `json:"platform"`
	Node            string            `json:"node"`
	Experiment      journalExperiment `json:"experiment"`
	Start           string            `json:"start"`
	Status          string            `json:"status"` // completed|failed|aborted|interrupted, as Chaos Toolkit means them
	Deviated        bool              `json:"deviated"`
	SteadyStates    steadyStates      `json:"steady_states"`
	Run             []activityRun     `json:"run"`
	Rollbacks       []activityRun     `json:"rollbacks"`
	End             string            `json:"end"`
	Duration        jsonFloat         `json:"duration"`
	Chaostest       runExtra          `json:"chaostest"`
}

// runExtra is chaostest's verdict of the run.
type runExtra struct {
	Verdict   string `json:"verdict"` // held|deviated|not steady|inconclusive|aborted
	Passed    bool   `json:"passed"`
	Reason    string `json:"reason,omitempty"` // why the verdict is not held, in one line
	Seed      int64  `json:"seed"`
	SeedUsed  bool   `json:"seed_used"` // a fault read the seed: -chaostest.seed replays it
	Test      string `json:"test"`
	Reproduce string `json:"reproduce"`
	Exception string `json:"exception,omitempty"` // why the run was aborted
	// StoppedByFailFast: the method stopped at its first violated window.
	StoppedByFailFast bool              `json:"stopped_by_fail_fast"`
	MethodStart       string            `json:"method_start,omitempty"`
	Deviations        []deviationOutput `json:"deviations"`
	RevertFailed      bool              `json:"revert_failed"`
	AfterCutShort     *steadyState      `json:"after_cut_short,omitempty"` // an after window judged before the run was aborted
	// SlotWait is how long the run waited for one of Slots machine-wide
	// experiment slots before its steady state before (seconds).
	SlotWait jsonFloat `json:"slot_wait"`
	Slots    int       `json:"slots"`
}

type deviationOutput struct {
	Phase  string    `json:"phase"` // during|after
	Offset jsonFloat `json:"offset"`
	Faults []string  `json:"faults"`
}

type journalExperiment struct {
	Version     string          `json:"version"`
	Title       string          `json:"title"`
	Description string          `json:"description"`
	Tags        []string        `json:"tags"`
	Hypothesis  hypothesisDecl  `json:"steady-state-hypothesis"`
	Method      []activityDecl  `json:"method"`
	Rollbacks   []activityDecl  `json:"rollbacks"`
	Extensions  []experimentExt `json:"extensions"`
}

// experimentExt is the experiment's "extensions" entry named "chaostest":
// its schedule and expectation (seconds for durations).
type experimentExt struct {
	Name     string          `json:"name"` // "chaostest"
	Before   jsonFloat       `json:"before"`
	Duration jsonFloat       `json:"duration"`
	Window   jsonFloat       `json:"window"`
	After    jsonFloat       `json:"after"`
	Recovery jsonFloat       `json:"recovery"`
	Settle   jsonFloat       `json:"settle"` // the settle allowance of the steady state before
	Expect   string          `json:"expect"`
	FailFast bool            `json:"fail_fast"`
	Schedule string          `json:"schedule"` // "together" or "sequence"
	Method   string          `json:"method"`
	Control  *hypothesisDecl `json:"control,omitempty"` // the control group's hypothesis
	Cell     *gridCell       `json:"cell,omitempty"`    // the experiment's place in a grid of the index (GridCell)
}

type hypothesisDecl struct {
	Title  string         `json:"title"`
	Probes []activityDecl `json:"probes"`
}

type activityDecl struct {
	Type      string          `json:"type"` // "probe" or "action"
	Name      string          `json:"name"`
	Tolerance *int            `json:"tolerance,omitempty"` // probes: 0, the exit status of a held check
	Provider  processProvider `json:"provider"`
	Chaostest activityExt     `json:"chaostest"`
}

// processProvider is Chaos Toolkit's "process" provider: path and argv.
type processProvider struct {
	Type      string   `json:"type"` // "process"
	Path      string   `json:"path"` // "go"
	Arguments []string `json:"arguments"`
}

// activityExt is what chaostest knows of an activity.
type activityExt struct {
	Func       string         `json:"func"`                // Observe|Apply|Revert
	Tolerances []string       `json:"tolerances,omitzero"` // a probe's tolerances, as chaostest judges them: [] for a check that drives load
	Arguments  map[string]any `json:"arguments,omitempty"` // a fault's Attributes
	At         *jsonFloat     `json:"at,omitempty"`        // offset in seconds from the method's start
	For        *jsonFloat     `json:"for,omitempty"`       // seconds, absent for open-ended steps
}

type steadyStates struct {
	Before *steadyState  `json:"before"`
	After  *steadyState  `json:"after"`
	During []steadyState `json:"during"`
}

type steadyState struct {
	SteadyStateMet bool          `json:"steady_state_met"`
	Probes         []activityRun `json:"probes"`
	Chaostest      windowExt     `json:"chaostest"`
}

// windowExt is chaostest's judgement of one window.
type windowExt struct {
	Window  string   `json:"window,omitempty"` // a method window, e.g. "+0s..+1s"
	Faults  []string `json:"faults,omitempty"` // the faults active in a method window
	Verdict string   `json:"verdict"`          // held|violated|inconclusive
	// The load the window was judged under, and the control group's
	// result over the same window.
	Load    *loadOutput  `json:"load,omitempty"`
	Control *steadyState `json:"control,omitempty"`
}

// loadOutput is hypothesis.Load: the host's CPU and the Go scheduler's
// delay over a window (durations in seconds, shares in [0,1]).
type loadOutput struct {
	HostKnown     bool      `json:"host_known"`
	CPUs          int       `json:"cpus"`
	Busy          jsonFloat `json:"cpu_busy"`
	RunQueue      jsonFloat `json:"run_queue"`
	RunQueueMax   int       `json:"run_queue_max"`
	PressureKnown bool      `json:"cpu_pressure_known"`
	Pressure      jsonFloat `json:"cpu_pressure"`
	SchedP99      jsonFloat `json:"go_sched_delay_p99"`
	Readings      int       `json:"readings"`
	Summary       string    `json:"summary"`
}

// harnessOutput is hypothesis.Harness: how late the sampler started a
// check's ticks in a window (seconds).
type harnessOutput struct {
	NotStarted int       `json:"not_started"`
	Late       int       `json:"late"`
	LagP50     jsonFloat `json:"lag_p50"`
	LagP90     jsonFloat `json:"lag_p90"`
	LagMax     jsonFloat `json:"lag_max"`
	Limit      jsonFloat `json:"lag_limit"`
	Saturated  bool      `json:"saturated"`
}

type activityRun struct {
	Activity     activityDecl `json:"activity"`
	Output       any          `json:"output"`
	Start        string       `json:"start"`
	Status       string       `json:"status"` // succeeded|failed
	Exception    []string     `json:"exception,omitempty"`
	End          string       `json:"end"`
	Duration     jsonFloat    `json:"duration"`
	ToleranceMet *bool        `json:"tolerance_met,omitempty"`
}

// probeOutput is the output of a probe record: one check judged over one
// window. Status is what the probe's tolerance 0 reads.
type probeOutput struct {
	Status     int               `json:"status"`  // 0: the check held in the window (or drives load beside judged checks); 1: it did not
	Verdict    string            `json:"verdict"` // held|violated|inconclusive, or "not judged" for a check that drives load
	Samples    int               `json:"sample_count"`
	Errors     int               `json:"error_count"`
	P50        jsonFloat         `json:"p50"`
	P99        jsonFloat         `json:"p99"`
	Max        jsonFloat         `json:"max"`
	FirstError string            `json:"first_error,omitempty"`
	ErrorKinds []errorKindOutput `json:"error_kinds"` // the errors by kind, most frequent first
	Reason     string            `json:"reason,omitempty"`
	Harness    harnessOutput     `json:"harness"`
	Tolerances []toleranceOutput `json:"tolerances"`
	Series     []sampleOutput    `json:"samples"`
}

type errorKindOutput struct {
	Kind  string `json:"kind"`
	Count int    `json:"count"`
}

type toleranceOutput struct {
	Tolerance string `json:"tolerance"`
	Expected  string `json:"expected"`
	Observed  string `json:"observed"`
	Verdict   string `json:"verdict"`
}

type sampleOutput struct {
	Seq        int       `json:"seq"`
	Intended   string    `json:"intended"`
	Latency    jsonFloat `json:"latency"`
	Lag        jsonFloat `json:"lag"`
	NotStarted bool      `json:"not_started,omitempty"`
	Error      string    `json:"error,omitempty"`
}

type faultOutput struct {
	AppliedAt  jsonFloat  `json:"applied_at"`            // seconds from the method's start
	RevertedAt *jsonFloat `json:"reverted_at,omitempty"` // seconds from the method's start
	RevertedBy string     `json:"reverted_by,omitempty"` // schedule|rollback|cleanup
	// Reach is what the fault measured it acted on (reach.go); absent when
	// the fault measures none.
	Reach *reachOutput `json:"reach,omitempty"`
}

func stamp(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(journalTime)
}

func seconds(d time.Duration) jsonFloat { return jsonFloat(d.Seconds()) }

// runPattern is the -run pattern that selects exactly the test named
// testName, e.g. "^TestCatalog$/^slow_cache$".
func runPattern(testName string) string { return anchoredPattern(testName, "$") }

// journalRunPattern is runPattern with \z (end of text, as $ is here)
// for $, e.g. `^TestCatalog\z/^slow_cache\z`: a pattern with two $ becomes
// maths once chaostoolkit-reporting's pandoc renders the journal.
func journalRunPattern(testName string) string { return anchoredPattern(testName, `\z`) }

func anchoredPattern(testName, end string) string {
	parts := strings.Split(testName, "/")
	for i, p := range parts {
		parts[i] = "^" + regexp.QuoteMeta(p) + end
	}
	return strings.Join(parts, "/")
}

// packageDir is the directory of the package under test: go test starts a
// test binary in it (read once, before a test can t.Chdir away).
var packageDir, _ = os.Getwd()

// packagePath is packageDir relative to the module's root, in slashes:
// "examples/catalog", "." for the root's own package, "" when no go.mod
// is found above it.
var packagePath = relToModule(packageDir)

func relToModule(dir string) string {
	if dir == "" {
		return ""
	}
	for root := dir; ; {
		if _, err := os.Stat(filepath.Join(root, "go.mod")); err == nil {
			rel, err := filepath.Rel(root, dir)
			if err != nil {
				return ""
			}
			return filepath.ToSlash(rel)
		}
		up := filepath.Dir(root)
		if up == root {
			return ""
		}
		root = up
	}
}

// rerun is the process provider of every activity: the go command that runs
// this experiment again, with its seed. Chaos Toolkit's process provider
// has no working directory, so the package's directory is given to go -C,
// relative to the module's root (where the journal is meant to be replayed
// from: an absolute path would name the machine that ran it); absolute
// only when no module root is found.
func (rec *record) rerun() processProvider {
	var args []string
	switch {
	case packagePath != "":
		args = append(args, "-C", packagePath)
	case packageDir != "":
		args = append(args, "-C", packageDir)
	}
	args = append(args, "test", "-run", journalRunPattern(rec.test))
	if rec.seedUsed {
		args = append(args, fmt.Sprintf("-%s=%d", flagSeed, rec.seed))
	}
	return processProvider{Type: "process", Path: "go", Arguments: args}
}

// ctkOutcome is the journal's "status" and "deviated" as chaoslib's run.py
// (1.45.0) writes them for the same steady states: the steady state before
// not met stops the run ("completed", or "failed" when a probe failed); the
// fail-fast stop of the method is "failed"; an interrupt "interrupted"; any
// other early end "aborted" (then no steady state after); the steady state
// after not met is a deviation ("completed", or "failed" when a probe
// failed). A deviation during the method only is not Chaos Toolkit's
// "deviated": chaostest.verdict says it.
func (rec *record) ctkOutcome(ss steadyStates) (status string, deviated bool) {
	if b := ss.Before; b != nil && !b.SteadyStateMet {
		return ctkPhaseStatus(b), false
	}
	switch {
	case rec.interrupted:
		return ctkInterrupted, false
	case rec.abort != "":
		return ctkAborted, false
	}
	if a := ss.After; a != nil && !a.SteadyStateMet {
		return ctkPhaseStatus(a), true
	}
	if rec.failFastStop {
		return ctkFailed, false
	}
	return ctkCompleted, false
}

// ctkPhaseStatus is the status of a run stopped by a steady state not met:
// "failed" when one of its probes failed, else "completed".
func ctkPhaseStatus(s *steadyState) string {
	for _, p := range s.Probes {
		if p.Status != ctkSucceeded {
			return ctkFailed
		}
	}
	return ctkCompleted
}

// journal assembles the journal of the run.
func (rec *record) journal() journal {
	host, _ := os.Hostname()
	prov := rec.rerun()
	j := journal{
		ChaosLibVersion: chaosLibVersion,
		Platform:        fmt.Sprintf("%s %s %s", runtime.GOOS, runtime.GOARCH, runtime.Version()),
		Node:            host,
		Experiment:      rec.experimentDecl(prov),
		Start:           stamp(rec.start),
		End:             stamp(rec.end),
		Duration:        seconds(rec.end.Sub(rec.start)),
		Run:             []activityRun{},
		Rollbacks:       []activityRun{},
		SteadyStates:    steadyStates{During: []steadyState{}},
		Chaostest: runExtra{
			Verdict: string(rec.rep.Status), Passed: rec.rep.Passed, Reason: rec.journalReason(),
			Seed: rec.seed, SeedUsed: rec.seedUsed, Test: rec.test, Reproduce: reproduceIn(journalRunPattern(rec.test), rec.seed, rec.seedUsed),
			StoppedByFailFast: rec.failFastStop, MethodStart: stamp(rec.methodStart), Deviations: []deviationOutput{},
			RevertFailed: rec.revertFailed, SlotWait: seconds(rec.rep.SlotWait), Slots: rec.rep.Slots,
		},
	}
	if rec.abort != "" {
		j.Chaostest.Exception = rec.abort
	}
	for _, d := range rec.rep.Deviations {
		j.Chaostest.Deviations = append(j.Chaostest.Deviations, deviationOutput{Phase: string(d.Phase), Offset: seconds(d.Offset), Faults: nonNil(d.Faults)})
	}
	probes := j.Experiment.Hypothesis.Probes
	if !rec.rep.Before.From.IsZero() {
		ss := rec.groups(prov, probes, rec.rep.Before, rec.rep.ControlBefore, "")
		j.SteadyStates.Before = &ss
	}
	for _, w := range rec.windows {
		if w.judged {
			ss := rec.groups(prov, probes, w.result, w.control, fmt.Sprintf("%s..%s", fmtOffset(w.from), fmtOffset(w.to)))
			ss.Chaostest.Faults = w.faults
			j.SteadyStates.During = append(j.SteadyStates.During, ss)
		}
	}
	if len(rec.afters) > 0 {
		ss := rec.groups(prov, probes, rec.rep.After, rec.rep.ControlAfter, "")
		j.SteadyStates.After = &ss
	}
	j.Status, j.Deviated = rec.ctkOutcome(j.SteadyStates)
	if j.Status == ctkAborted || j.Status == ctkInterrupted {
		// Chaos Toolkit runs no steady state after an aborted method.
		j.Chaostest.AfterCutShort, j.SteadyStates.After = j.SteadyStates.After, nil
	}
	j.Run, j.Rollbacks = rec.faultRuns(prov)
	j.Run = append(j.Run, rec.windowRuns(prov)...)
	slices.SortStableFunc(j.Run, func(a, b activityRun) int { return strings.Compare(a.Start, b.Start) })
	return j
}

// windowOutput is the output of a method window's probe record: the
// window's verdict, status 0 when it held (1 when not), and each check's.
type windowOutput struct {
	Status  int                 `json:"status"`
	Verdict string              `json:"verdict"`
	Window  string              `json:"window"`
	Faults  []string            `json:"faults"`
	Checks  []windowCheckOutput `json:"checks"`
}

type windowCheckOutput struct {
	Probe      string            `json:"probe"`
	Verdict    string            `json:"verdict"`
	Samples    int               `json:"sample_count"`
	Errors     int               `json:"error_count"`
	P99        jsonFloat         `json:"p99"`
	ErrorKinds []errorKindOutput `json:"error_kinds"`
	Tolerances []toleranceOutput `json:"tolerances"`
}

// windowRuns records each judged window of the method as a probe of the
// method, in run[], so that tools which show only the method's activities
// (chaostoolkit-reporting's "chaos report") show the deviation during the
// fault too. The record succeeded (the probe ran); its output's status and
// its tolerance_met say whether the window held. Chaos Toolkit derives
// "status" and "deviated" from the steady states, not from these records.
func (rec *record) windowRuns(prov processProvider) []activityRun {
	var runs []activityRun
	for _, w := range rec.windows {
		if !w.judged {
			continue
		}
		label := fmt.Sprintf("%s..%s", fmtOffset(w.from), fmtOffset(w.to))
		at, span := seconds(w.from), seconds(w.to-w.from)
		heldStatus := 0
		decl := activityDecl{Type: "probe", Name: fmt.Sprintf("window %s: %s", label, rec.steady.title), Tolerance: &heldStatus, Provider: prov,
			Chaostest: activityExt{Func: "Observe", At: &at, For: &span}}
		met := w.result.Held()
		out := windowOutput{Status: 1, Verdict: w.result.Verdict.String(), Window: label, Faults: nonNil(w.faults), Checks: []windowCheckOutput{}}
		if met {
			out.Status = 0
		}
		for _, c := range w.result.Checks {
			co := windowCheckOutput{Probe: c.Probe, Verdict: c.Verdict.String(), Samples: c.Samples, Errors: c.Errors, P99: seconds(c.P99),
				ErrorKinds: []errorKindOutput{}, Tolerances: []toleranceOutput{}}
			if c.LoadOnly {
				co.Verdict = notJudged
			}
			for _, k := range c.ErrorKinds {
				co.ErrorKinds = append(co.ErrorKinds, errorKindOutput{Kind: k.Kind, Count: k.Count})
			}
			for _, tr := range c.Tolerances {
				co.Tolerances = append(co.Tolerances, toleranceOutput{Tolerance: tr.Text, Expected: tr.Expected, Observed: tr.Observed, Verdict: tr.Verdict.String()})
			}
			out.Checks = append(out.Checks, co)
		}
		runs = append(runs, activityRun{
			Activity: decl, Output: out, Status: ctkSucceeded, ToleranceMet: &met,
			Start: stamp(w.result.From), End: stamp(w.result.To), Duration: seconds(w.result.To.Sub(w.result.From)),
		})
	}
	return runs
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// experimentDecl declares the experiment: its hypothesis, method and
// rollbacks, and chaostest's schedule in its extensions.
func (rec *record) experimentDecl(prov processProvider) journalExperiment {
	kind := "together"
	if rec.sequence {
		kind = "sequence"
	}
	x := journalExperiment{
		Version:     "1.0.0",
		Title:       rec.title,
		Description: fmt.Sprintf("go test %s: %s", rec.test, rec.method),
		Tags:        []string{"chaostest"},
		Hypothesis:  hypothesisDeclOf(prov, rec.steady),
		Method:      []activityDecl{},
		Rollbacks:   []activityDecl{},
		Extensions: []experimentExt{{
			Name: "chaostest", Before: seconds(rec.before), Duration: seconds(rec.duration), Window: seconds(rec.window),
			After: seconds(rec.after), Recovery: seconds(rec.recovery), Settle: seconds(rec.settle), Expect: rec.expect.String(),
			FailFast: rec.failFast, Schedule: kind, Method: rec.method, Cell: rec.cell,
		}},
	}
	if rec.control != nil {
		c := hypothesisDeclOf(prov, *rec.control)
		x.Extensions[0].Control = &c
	}
	for _, st := range rec.steps {
		x.Method = append(x.Method, actionDecl(prov, st))
		x.Rollbacks = append(x.Rollbacks, revertDecl(prov, st))
	}
	return x
}

func hypothesisDeclOf(prov processProvider, c claim) hypothesisDecl {
	d := hypothesisDecl{Title: c.title, Probes: []activityDecl{}}
	for _, chk := range c.checks {
		d.Probes = append(d.Probes, probeDecl(prov, chk))
	}
	return d
}

func probeDecl(prov processProvider, c checkDecl) activityDecl {
	heldStatus := 0
	return activityDecl{Type: "probe", Name: c.probe, Tolerance: &heldStatus, Provider: prov,
		Chaostest: activityExt{Func: "Observe", Tolerances: append([]string{}, c.tolerances...)}}
}

func actionDecl(prov processProvider, st stepRecord) activityDecl {
	at := seconds(st.start)
	d := activityDecl{Type: "action", Name: st.fault, Provider: prov, Chaostest: activityExt{Func: "Apply", At: &at, Arguments: st.attributes}}
	if !st.openEnds {
		f := seconds(st.end - st.start)
		d.Chaostest.For = &f
	}
	return d
}

func revertDecl(prov processProvider, st stepRecord) activityDecl {
	d := actionDecl(prov, st)
	d.Name = "revert " + d.Name
	d.Chaostest.Func = "Revert"
	d.Chaostest.At, d.Chaostest.For = nil, nil
	return d
}

// faultRuns records each application of a fault (run) and each revert
// (rollbacks, in the order they ran: reverse order of application).
func (rec *record) faultRuns(prov processProvider) (runs, rollbacks []activityRun) {
	runs, rollbacks = []activityRun{}, []activityRun{}
	for _, a := range rec.faults {
		out := faultOutput{AppliedAt: seconds(a.applyStart.Sub(rec.methodStart))}
		if a.reverted() && a.applyErr == nil {
			at := seconds(a.revertStart.Sub(rec.methodStart))
			out.RevertedAt, out.RevertedBy = &at, a.revertedBy
		}
		out.Reach = a.reachOutput()
		run := activityRun{
			Activity: actionDecl(prov, a.step), Output: out, Status: ctkSucceeded,
			Start: stamp(a.applyStart), End: stamp(a.applyEnd), Duration: seconds(a.applyEnd.Sub(a.applyStart)),
		}
		if a.applyErr != nil {
			run.Status, run.Exception, run.Output = ctkFailed, []string{a.applyErr.Error()}, nil
		}
		runs = append(runs, run)
	}
	for i := len(rec.faults) - 1; i >= 0; i-- {
		a := rec.faults[i]
		if a.applyErr != nil || !a.reverted() {
			continue
		}
		rb := activityRun{
			Activity: revertDecl(prov, a.step), Output: map[string]string{"reverted_by": a.revertedBy}, Status: ctkSucceeded,
			Start: stamp(a.revertStart), End: stamp(a.revertEnd), Duration: seconds(a.revertEnd.Sub(a.revertStart)),
		}
		if a.revertErr != nil {
			rb.Status, rb.Exception = ctkFailed, []string{a.revertErr.Error()}
		}
		rollbacks = append(rollbacks, rb)
	}
	return runs, rollbacks
}

// groups records one judged window of the experiment group, with the
// control group's beside it when there is one.
func (rec *record) groups(prov processProvider, probes []activityDecl, res, ctrl hypothesis.Result, label string) steadyState {
	ss := steadyStateOf(probes, res, rec.samples, label)
	if rec.control != nil && !ctrl.From.IsZero() {
		cs := steadyStateOf(hypothesisDeclOf(prov, *rec.control).Probes, ctrl, rec.ctrlSamples, label)
		ss.Chaostest.Control = &cs
	}
	return ss
}

// steadyStateOf records one judged window: one probe record per check, with
// the check's samples in that window.
func steadyStateOf(probes []activityDecl, res hypothesis.Result, samples []hypothesis.Sample, label string) steadyState {
	ss := steadyState{SteadyStateMet: res.Held(), Probes: []activityRun{}, Chaostest: windowExt{Window: label, Verdict: res.Verdict.String()}}
	if l := res.Load; l.Readings > 0 {
		ss.Chaostest.Load = &loadOutput{
			HostKnown: l.HostKnown, CPUs: l.CPUs, Busy: jsonFloat(l.Busy), RunQueue: jsonFloat(l.RunQueue), RunQueueMax: l.RunQueueMax,
			PressureKnown: l.PressureKnown, Pressure: jsonFloat(l.Pressure), SchedP99: seconds(l.SchedP99), Readings: l.Readings,
			Summary: l.String(),
		}
	}
	for i, c := range res.Checks {
		decl := activityDecl{Type: "probe", Name: c.Probe}
		if i < len(probes) {
			decl = probes[i]
		}
		ss.Probes = append(ss.Probes, probeRun(decl, i, c, res, samples))
	}
	return ss
}

// probeRun is the record of check i over the window of res. Its status is
// "failed" when every sample failed and the check did not hold (the probe
// could not observe the system at all); a failed probe's tolerance is not
// met, as in Chaos Toolkit. A check that drives load is not judged: its
// tolerance is met whenever the window judged another check, so that the
// steady state is met exactly when the window held, as Chaos Toolkit reads
// it (every probe's tolerance met); its errors never fail the record.
func probeRun(decl activityDecl, i int, c hypothesis.CheckResult, res hypothesis.Result, samples []hypothesis.Sample) activityRun {
	met := c.Verdict == hypothesis.Held
	verdict := c.Verdict.String()
	if c.LoadOnly {
		met, verdict = judgesACheck(res), notJudged
	}
	out := probeOutput{
		Status: 1, Verdict: verdict, Samples: c.Samples, Errors: c.Errors,
		P50: seconds(c.P50), P99: seconds(c.P99), Max: seconds(c.Max), FirstError: c.FirstError, Reason: c.Reason,
		Harness: harnessOutput{
			NotStarted: c.Harness.NotStarted, Late: c.Harness.Late, LagP50: seconds(c.Harness.LagP50),
			LagP90: seconds(c.Harness.LagP90), LagMax: seconds(c.Harness.LagMax), Limit: seconds(c.Harness.Limit),
			Saturated: c.Harness.Saturated,
		},
		Tolerances: []toleranceOutput{}, Series: []sampleOutput{}, ErrorKinds: []errorKindOutput{},
	}
	for _, k := range c.ErrorKinds {
		out.ErrorKinds = append(out.ErrorKinds, errorKindOutput{Kind: k.Kind, Count: k.Count})
	}
	if met {
		out.Status = 0
	}
	decl.Chaostest.Tolerances = []string{}
	for _, tr := range c.Tolerances {
		decl.Chaostest.Tolerances = append(decl.Chaostest.Tolerances, tr.Text)
		out.Tolerances = append(out.Tolerances, toleranceOutput{Tolerance: tr.Text, Expected: tr.Expected, Observed: tr.Observed, Verdict: tr.Verdict.String()})
	}
	for _, s := range samples {
		if s.Check != i || s.Intended.Before(res.From) || !s.Intended.Before(res.To) {
			continue
		}
		so := sampleOutput{Seq: s.Seq, Intended: stamp(s.Intended), Latency: seconds(s.Latency), Lag: seconds(s.Lag()), NotStarted: s.NotStarted}
		if s.Err != nil {
			so.Error = s.Err.Error()
		}
		out.Series = append(out.Series, so)
	}
	run := activityRun{
		Activity: decl, Output: out, Status: ctkSucceeded, ToleranceMet: &met,
		Start: stamp(res.From), End: stamp(res.To), Duration: seconds(res.To.Sub(res.From)),
	}
	if !met && !c.LoadOnly && c.Samples > 0 && c.Errors == c.Samples {
		run.Status, run.Exception = ctkFailed, []string{c.FirstError}
	}
	return run
}

// notJudged is the verdict a probe record gives a check that drives load.
const notJudged = "not judged"

// judgesACheck reports whether res judged at least one check: one that
// does not only drive load.
func judgesACheck(res hypothesis.Result) bool {
	for _, c := range res.Checks {
		if !c.LoadOnly {
			return true
		}
	}
	return false
}

// journalReason says in one line why the verdict is not held: the abort, or
// the first window that decided the verdict and what its checks observed.
func (rec *record) journalReason() string {
	if rec.abort != "" {
		return rec.abort
	}
	switch rec.rep.Status {
	case StatusHeld:
		return ""
	case StatusNotSteady, StatusInconclusive:
		if un := rec.unreached(); len(un) > 0 {
			return unreachedLine(un[0])
		}
		if !rec.rep.Before.Held() || (rec.control != nil && !rec.rep.ControlBefore.Held()) {
			return "before: " + unmetChecks(rec.rep.Before, rec.rep.ControlBefore)
		}
	case StatusDeviated:
		if len(rec.rep.Deviations) > 0 {
			d := rec.rep.Deviations[0]
			return fmt.Sprintf("%s %s: %s", string(d.Phase), fmtOffset(d.Offset), unmetChecks(d.Result, hypothesis.Result{}))
		}
	}
	for _, w := range rec.windows {
		if w.judged && !w.result.Held() {
			return fmt.Sprintf("during %s..%s: %s", fmtOffset(w.from), fmtOffset(w.to), unmetChecks(w.result, w.control))
		}
	}
	return "after: " + unmetChecks(rec.rep.After, rec.rep.ControlAfter)
}

// unmetChecks lists the checks of res (and of the control group's ctrl)
// that did not hold, each with its reason or its violated tolerances.
func unmetChecks(res, ctrl hypothesis.Result) string {
	var parts []string
	for g, rr := range []hypothesis.Result{res, ctrl} {
		for _, c := range rr.Checks {
			if c.Verdict == hypothesis.Held {
				continue
			}
			what := c.Reason
			for _, tr := range c.Tolerances {
				if what == "" && tr.Verdict == hypothesis.Violated {
					what = fmt.Sprintf("%s: expected %s, observed %s", tr.Text, tr.Expected, tr.Observed)
				}
			}
			name := c.Probe
			if g == 1 {
				name = "control group: " + name
			}
			parts = append(parts, fmt.Sprintf("%s %s (%s)", name, c.Verdict, what))
		}
	}
	if len(parts) == 0 && res.Err != nil {
		return res.Err.Error()
	}
	return strings.Join(parts, "; ")
}

// journalDir is where journals go: the -chaostest.journal flag or the
// CHAOSTEST_JOURNAL variable when set, else the test's ArtifactDir, else
// nowhere.
func (r *runner) journalDir() string {
	if d := journalDirSetting(); d != "" {
		return d
	}
	return artifactDirOf(r.t)
}

// journalKept reports whether the journal outlives the test: written where
// the user asked (-chaostest.journal), or in an ArtifactDir that go test
// keeps (-artifacts). Without -artifacts, testing removes a *testing.T's
// ArtifactDir when the test ends, so its path is not worth a log line; the
// ArtifactDir of a T of another kind is its own business.
func journalKept(t T) bool {
	if journalDirSetting() != "" {
		return true
	}
	if _, std := t.(testing.TB); !std {
		return true
	}
	f := flag.Lookup("test.artifacts")
	if f == nil {
		return true // not a go test binary: the directory is the caller's
	}
	kept, _ := strconv.ParseBool(f.Value.String())
	return kept
}

var unsafeName = regexp.MustCompile(`[^A-Za-z0-9._-]+`)

// journalName derives a file name from the test's name, e.g.
// "TestCatalog_slow_cache.journal.json".
func journalName(testName string, n int) string {
	base := unsafeName.ReplaceAllString(testName, "_")
	if n > 1 {
		base = fmt.Sprintf("%s.%d", base, n)
	}
	return base + ".journal.json"
}

// writeJournal writes the journal and returns its path, or "" when there is
// no directory to write it to. A second experiment in the same test gets a
// numbered file rather than overwriting the first.
func (r *runner) writeJournal(rec *record) (string, error) {
	dir := r.journalDir()
	if dir == "" {
		return "", nil
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(rec.journal()); err != nil {
		return "", err
	}
	data := buf.Bytes()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}
	for n := 1; ; n++ {
		path := filepath.Join(dir, journalName(r.t.Name(), n))
		f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
		if errors.Is(err, fs.ErrExist) {
			continue
		}
		if err != nil {
			return "", err
		}
		_, werr := f.Write(data)
		cerr := f.Close()
		return path, errors.Join(werr, cerr)
	}
}
