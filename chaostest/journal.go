package chaostest

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"time"

	"github.com/go-resilience/resilience/hypothesis"
)

// The journal is a JSON record of a run in Chaos Toolkit's journal format,
// so that its reporting tools can read it. Chaos Toolkit's own keys come
// first and keep their meaning; what only chaostest knows (the verdict, the
// schedule, the samples) is added under keys Chaos Toolkit ignores.

// ChaosLibVersion is the "chaoslib-version" written in journals: the version
// of Chaos Toolkit's journal format that they follow.
const ChaosLibVersion = "1.42.0"

// journalTime is Chaos Toolkit's timestamp format: UTC, ISO 8601, no zone.
const journalTime = "2006-01-02T15:04:05.000000"

type journal struct {
	ChaosLibVersion string            `json:"chaoslib-version"`
	Platform        string            `json:"platform"`
	Node            string            `json:"node"`
	Experiment      journalExperiment `json:"experiment"`
	Start           string            `json:"start"`
	Status          string            `json:"status"` // completed|failed|aborted|interrupted
	Deviated        bool              `json:"deviated"`
	SteadyStates    steadyStates      `json:"steady_states"`
	Run             []activityRun     `json:"run"`
	Rollbacks       []activityRun     `json:"rollbacks"`
	End             string            `json:"end"`
	Duration        float64           `json:"duration"`

	// chaostest's own keys.
	Verdict     string `json:"verdict"`
	Passed      bool   `json:"passed"`
	Seed        int64  `json:"seed"`
	Test        string `json:"test"`
	Reproduce   string `json:"reproduce"`
	Exception   string `json:"exception,omitempty"`
	MethodStart string `json:"method_start,omitempty"`
}

type journalExperiment struct {
	Version     string          `json:"version"`
	Title       string          `json:"title"`
	Description string          `json:"description"`
	Hypothesis  hypothesisDecl  `json:"steady-state-hypothesis"`
	Method      []activityDecl  `json:"method"`
	Rollbacks   []activityDecl  `json:"rollbacks"`
	Chaostest   experimentExtra `json:"chaostest"`
}

type experimentExtra struct {
	Before   float64 `json:"before"`
	Duration float64 `json:"duration"`
	Window   float64 `json:"window"`
	After    float64 `json:"after"`
	Recovery float64 `json:"recovery"`
	Expect   string  `json:"expect"`
	FailFast bool    `json:"fail_fast"`
	Schedule string  `json:"schedule"` // "together" or "sequence"
}

type hypothesisDecl struct {
	Title  string         `json:"title"`
	Probes []activityDecl `json:"probes"`
}

type activityDecl struct {
	Type      string   `json:"type"` // "probe" or "action"
	Name      string   `json:"name"`
	Tolerance []string `json:"tolerance,omitempty"`
	Provider  provider `json:"provider"`
	At        *float64 `json:"at,omitempty"`  // offset in seconds (chaostest)
	For       *float64 `json:"for,omitempty"` // seconds, absent for open-ended steps (chaostest)
}

type provider struct {
	Type      string         `json:"type"` // always "go"
	Func      string         `json:"func"`
	Arguments map[string]any `json:"arguments,omitempty"`
}

type steadyStates struct {
	Before *steadyState  `json:"before"`
	After  *steadyState  `json:"after"`
	During []steadyState `json:"during"`
}

type steadyState struct {
	SteadyStateMet bool          `json:"steady_state_met"`
	Probes         []activityRun `json:"probes"`
	// chaostest: the window judged, and in the method the faults active in it.
	Window  string   `json:"window,omitempty"`
	Faults  []string `json:"faults,omitempty"`
	Verdict string   `json:"verdict"`
	// The load the window was judged under, and the control group's
	// result over the same window.
	Load    *loadOutput  `json:"load,omitempty"`
	Control *steadyState `json:"control,omitempty"`
}

// loadOutput is hypothesis.Load: the host's CPU and the Go scheduler's
// delay over a window (durations in seconds, shares in [0,1]).
type loadOutput struct {
	HostKnown     bool    `json:"host_known"`
	CPUs          int     `json:"cpus"`
	Busy          float64 `json:"cpu_busy"`
	RunQueue      float64 `json:"run_queue"`
	RunQueueMax   int     `json:"run_queue_max"`
	PressureKnown bool    `json:"cpu_pressure_known"`
	Pressure      float64 `json:"cpu_pressure"`
	SchedP99      float64 `json:"go_sched_delay_p99"`
	Readings      int     `json:"readings"`
	Summary       string  `json:"summary"`
}

// harnessOutput is hypothesis.Harness: how late the sampler started a
// check's ticks in a window (seconds).
type harnessOutput struct {
	NotStarted int     `json:"not_started"`
	Late       int     `json:"late"`
	LagP50     float64 `json:"lag_p50"`
	LagP90     float64 `json:"lag_p90"`
	LagMax     float64 `json:"lag_max"`
	Limit      float64 `json:"lag_limit"`
	Saturated  bool    `json:"saturated"`
}

type activityRun struct {
	Activity     activityDecl `json:"activity"`
	Output       any          `json:"output"`
	Start        string       `json:"start"`
	Status       string       `json:"status"` // succeeded|failed
	Exception    []string     `json:"exception,omitempty"`
	End          string       `json:"end"`
	Duration     float64      `json:"duration"`
	ToleranceMet *bool        `json:"tolerance_met,omitempty"`
}

type probeOutput struct {
	Verdict    string            `json:"verdict"`
	Samples    int               `json:"sample_count"`
	Errors     int               `json:"error_count"`
	P50        float64           `json:"p50"`
	P99        float64           `json:"p99"`
	Max        float64           `json:"max"`
	FirstError string            `json:"first_error,omitempty"`
	Reason     string            `json:"reason,omitempty"`
	Harness    harnessOutput     `json:"harness"`
	Tolerances []toleranceOutput `json:"tolerances"`
	Series     []sampleOutput    `json:"samples"`
}

type toleranceOutput struct {
	Tolerance string `json:"tolerance"`
	Expected  string `json:"expected"`
	Observed  string `json:"observed"`
	Verdict   string `json:"verdict"`
}

type sampleOutput struct {
	Seq        int     `json:"seq"`
	Intended   string  `json:"intended"`
	Latency    float64 `json:"latency"`
	Lag        float64 `json:"lag"`
	NotStarted bool    `json:"not_started,omitempty"`
	Error      string  `json:"error,omitempty"`
}

type faultOutput struct {
	AppliedAt  float64  `json:"applied_at"`            // seconds from the method's start
	RevertedAt *float64 `json:"reverted_at,omitempty"` // seconds from the method's start
	RevertedBy string   `json:"reverted_by,omitempty"` // schedule|rollback|cleanup
}

func stamp(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(journalTime)
}

func seconds(d time.Duration) float64 { return d.Seconds() }

// journalStatus maps a run's status to Chaos Toolkit's: a completed run
// held; a deviated, not steady or inconclusive one failed.
func (r *runner) journalStatus() string {
	switch {
	case errors.Is(r.abort, errInterrupted):
		return "interrupted"
	case r.abort != nil:
		return "aborted"
	case r.report.Status == StatusHeld:
		return "completed"
	}
	return "failed"
}

// buildJournal assembles the journal of the run so far.
func (r *runner) buildJournal(end time.Time) journal {
	host, _ := os.Hostname()
	e := r.e
	checks := e.SteadyState.Checks()
	j := journal{
		ChaosLibVersion: ChaosLibVersion,
		Platform:        fmt.Sprintf("%s %s %s", runtime.GOOS, runtime.GOARCH, runtime.Version()),
		Node:            host,
		Start:           stamp(r.start),
		Status:          r.journalStatus(),
		Deviated:        r.report.Status == StatusDeviated,
		End:             stamp(end),
		Duration:        seconds(end.Sub(r.start)),
		Verdict:         string(r.report.Status),
		Passed:          r.report.Passed,
		Seed:            r.seed,
		Test:            r.t.Name(),
		Reproduce:       reproduceCommand(r.t.Name(), r.seed),
		MethodStart:     stamp(r.m0),
		Run:             []activityRun{},
		Rollbacks:       []activityRun{},
		SteadyStates:    steadyStates{During: []steadyState{}},
	}
	if r.abort != nil {
		j.Exception = r.abort.Error()
	}
	kind := "together"
	if e.Method.arrangement == sequence {
		kind = "sequence"
	}
	j.Experiment = journalExperiment{
		Version:     "1.0.0",
		Title:       e.Title,
		Description: fmt.Sprintf("go test %s: %s", r.t.Name(), e.Method),
		Hypothesis:  hypothesisDecl{Title: e.SteadyState.Title(), Probes: []activityDecl{}},
		Method:      []activityDecl{},
		Rollbacks:   []activityDecl{},
		Chaostest: experimentExtra{
			Before: seconds(e.Before), Duration: seconds(e.Duration), Window: seconds(e.Window),
			After: seconds(e.After), Recovery: seconds(e.Recovery), Expect: e.Expect.String(),
			FailFast: e.FailFast, Schedule: kind,
		},
	}
	probes := make([]activityDecl, len(checks))
	for i, c := range checks {
		probes[i] = probeDecl(i, c)
	}
	j.Experiment.Hypothesis.Probes = probes
	for _, sl := range e.Method.plan(e.Duration) {
		j.Experiment.Method = append(j.Experiment.Method, actionDecl(sl))
		rb := actionDecl(sl)
		rb.Name = "revert " + rb.Name
		rb.Provider.Func = "Revert"
		rb.At, rb.For = nil, nil
		j.Experiment.Rollbacks = append(j.Experiment.Rollbacks, rb)
	}

	if !r.report.Before.From.IsZero() {
		ss := r.groups(probes, r.report.Before, r.report.ControlBefore, "")
		j.SteadyStates.Before = &ss
	}
	for _, w := range r.windows {
		if w.judged {
			ss := r.groups(probes, w.result, w.control, fmt.Sprintf("%s..%s", fmtOffset(w.from), fmtOffset(w.to)))
			ss.Faults = w.faults
			j.SteadyStates.During = append(j.SteadyStates.During, ss)
		}
	}
	if len(r.after) > 0 {
		ss := r.groups(probes, r.report.After, r.report.ControlAfter, "")
		j.SteadyStates.After = &ss
	}

	for _, a := range r.applied {
		out := faultOutput{AppliedAt: seconds(a.applyStart.Sub(r.m0))}
		if a.reverted() && a.applyErr == nil {
			at := seconds(a.revertStart.Sub(r.m0))
			out.RevertedAt, out.RevertedBy = &at, a.revertedBy
		}
		run := activityRun{
			Activity: actionDecl(a.slot), Output: out, Status: "succeeded",
			Start: stamp(a.applyStart), End: stamp(a.applyEnd), Duration: seconds(a.applyEnd.Sub(a.applyStart)),
		}
		if a.applyErr != nil {
			run.Status, run.Exception, run.Output = "failed", []string{a.applyErr.Error()}, nil
		}
		j.Run = append(j.Run, run)
	}
	for i := len(r.applied) - 1; i >= 0; i-- {
		a := r.applied[i]
		if a.applyErr != nil || !a.reverted() {
			continue
		}
		decl := actionDecl(a.slot)
		decl.Name = "revert " + decl.Name
		decl.Provider.Func = "Revert"
		decl.At, decl.For = nil, nil
		rb := activityRun{
			Activity: decl, Output: map[string]string{"reverted_by": a.revertedBy}, Status: "succeeded",
			Start: stamp(a.revertStart), End: stamp(a.revertEnd), Duration: seconds(a.revertEnd.Sub(a.revertStart)),
		}
		if a.revertErr != nil {
			rb.Status, rb.Exception = "failed", []string{a.revertErr.Error()}
		}
		j.Rollbacks = append(j.Rollbacks, rb)
	}
	return j
}

func probeDecl(i int, c hypothesis.Check) activityDecl {
	name := fmt.Sprintf("check %d", i+1)
	if p := c.Probe(); p != nil {
		name = p.Name()
	}
	d := activityDecl{Type: "probe", Name: name, Tolerance: []string{}, Provider: provider{Type: "go", Func: "Observe"}}
	for _, tol := range c.Tolerances() {
		d.Tolerance = append(d.Tolerance, tol.String())
	}
	return d
}

func actionDecl(sl slot) activityDecl {
	at := seconds(sl.start)
	d := activityDecl{Type: "action", Name: sl.fault.Name(), Provider: provider{Type: "go", Func: "Apply"}, At: &at}
	if a, ok := sl.fault.(attributer); ok {
		d.Provider.Arguments = a.Attributes()
	}
	if !sl.openEnds {
		f := seconds(sl.end - sl.start)
		d.For = &f
	}
	return d
}

// groups records one judged window of the experiment group, with the
// control group's beside it when there is one.
func (r *runner) groups(probes []activityDecl, res, ctrl hypothesis.Result, label string) steadyState {
	ss := r.steadyState(probes, res, r.samples, label)
	if r.e.Control != nil && !ctrl.From.IsZero() {
		cprobes := make([]activityDecl, 0, len(r.e.Control.Checks()))
		for i, c := range r.e.Control.Checks() {
			cprobes = append(cprobes, probeDecl(i, c))
		}
		cs := r.steadyState(cprobes, ctrl, r.ctrlSamps, label)
		ss.Control = &cs
	}
	return ss
}

// steadyState records one judged window: one probe record per check, with
// the check's samples in that window.
func (r *runner) steadyState(probes []activityDecl, res hypothesis.Result, samples []hypothesis.Sample, label string) steadyState {
	ss := steadyState{SteadyStateMet: res.Held(), Window: label, Verdict: res.Verdict.String(), Probes: []activityRun{}}
	if l := res.Load; l.Readings > 0 {
		ss.Load = &loadOutput{
			HostKnown: l.HostKnown, CPUs: l.CPUs, Busy: l.Busy, RunQueue: l.RunQueue, RunQueueMax: l.RunQueueMax,
			PressureKnown: l.PressureKnown, Pressure: l.Pressure, SchedP99: seconds(l.SchedP99), Readings: l.Readings,
			Summary: l.String(),
		}
	}
	for i, c := range res.Checks {
		decl := activityDecl{Type: "probe", Name: c.Probe, Provider: provider{Type: "go", Func: "Observe"}}
		if i < len(probes) {
			decl = probes[i]
		}
		decl.Tolerance = []string{}
		out := probeOutput{
			Verdict: c.Verdict.String(), Samples: c.Samples, Errors: c.Errors,
			P50: seconds(c.P50), P99: seconds(c.P99), Max: seconds(c.Max), FirstError: c.FirstError, Reason: c.Reason,
			Harness: harnessOutput{
				NotStarted: c.Harness.NotStarted, Late: c.Harness.Late, LagP50: seconds(c.Harness.LagP50),
				LagP90: seconds(c.Harness.LagP90), LagMax: seconds(c.Harness.LagMax), Limit: seconds(c.Harness.Limit),
				Saturated: c.Harness.Saturated,
			},
			Tolerances: []toleranceOutput{}, Series: []sampleOutput{},
		}
		for _, tr := range c.Tolerances {
			decl.Tolerance = append(decl.Tolerance, tr.Tolerance)
			out.Tolerances = append(out.Tolerances, toleranceOutput{Tolerance: tr.Tolerance, Expected: tr.Expected, Observed: tr.Observed, Verdict: tr.Verdict.String()})
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
		met := c.Verdict == hypothesis.Held
		status := "succeeded"
		if c.Samples > 0 && c.Errors == c.Samples {
			status = "failed"
		}
		run := activityRun{
			Activity: decl, Output: out, Status: status, ToleranceMet: &met,
			Start: stamp(res.From), End: stamp(res.To), Duration: seconds(res.To.Sub(res.From)),
		}
		if status == "failed" {
			run.Exception = []string{c.FirstError}
		}
		ss.Probes = append(ss.Probes, run)
	}
	return ss
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
func (r *runner) writeJournal(end time.Time) (string, error) {
	dir := r.journalDir()
	if dir == "" {
		return "", nil
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(r.buildJournal(end)); err != nil {
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
