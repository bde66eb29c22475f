package chaostest_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// This file writes down the rules by which Chaos Toolkit's own code reads a
// journal, as ctkProblems; journal_ctk_test.go checks every journal the
// suite's scenarios produce against them (and, with
// CHAOSTEST_CHECK_JOURNALS=DIR, every journal in DIR, such as the .journals
// that `make example` writes).
//
// Each rule names the file and function of chaostoolkit-lib 1.45.0 (the
// chaoslib package; 1.42.0 has the same rules) it comes from. No code of
// Chaos Toolkit is copied here: the rules are restated, and within_tolerance
// is re-implemented in Go for the tolerance shapes a journal may hold.

// envCheckJournals names a directory of journals to check against the rules.
const envCheckJournals = "CHAOSTEST_CHECK_JOURNALS"

// ctkStatuses are the only journal statuses Chaos Toolkit writes
// (chaoslib/run.py, Runner._run: any other status is overridden with
// "completed" at the end of the run).
var ctkStatuses = map[string]bool{"completed": true, "failed": true, "aborted": true, "interrupted": true}

// chaostestVerdicts are chaostest's own verdicts, under the "chaostest" key.
var chaostestVerdicts = map[string]bool{"held": true, "deviated": true, "not steady": true, "inconclusive": true, "aborted": true}

// floatKeys hold seconds (or shares): Python writes them as floats, with a
// decimal point (chaoslib/run.py, Runner._run: duration = time.time() -
// started_at; chaoslib/activity.py, execute_activity: duration =
// (end - start).total_seconds()), and so does chaostest for every figure
// of the same kind. intKeys hold counts.
var (
	floatKeys = map[string]bool{
		"duration": true, "before": true, "after": true, "window": true, "recovery": true, "at": true, "for": true,
		"offset": true, "applied_at": true, "reverted_at": true, "p50": true, "p99": true, "max": true,
		"latency": true, "lag": true, "lag_p50": true, "lag_p90": true, "lag_max": true, "lag_limit": true,
		"cpu_busy": true, "run_queue": true, "cpu_pressure": true, "go_sched_delay_p99": true,
	}
	intKeys = map[string]bool{
		"seed": true, "sample_count": true, "error_count": true, "seq": true, "not_started": true, "late": true,
		"cpus": true, "run_queue_max": true, "readings": true, "tolerance": true,
	}
)

// ctkCheck accumulates the rules a journal breaks, each with where.
type ctkCheck struct {
	problems []string
	test     string // chaostest.test of the journal
	seed     string // chaostest.seed, as written
	seedUsed bool   // chaostest.seed_used
	args     []any  // the process arguments every activity must share
}

func (c *ctkCheck) failf(where, format string, args ...any) {
	c.problems = append(c.problems, where+": "+fmt.Sprintf(format, args...))
}

// ctkProblems returns the Chaos Toolkit rules that the journal raw breaks;
// none for a journal that Chaos Toolkit reads with chaostest's meaning.
func ctkProblems(raw []byte) []string {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return []string{"not JSON: " + err.Error()}
	}
	j, ok := v.(map[string]any)
	if !ok {
		return []string{"not a JSON object"}
	}
	c := &ctkCheck{}
	c.numbers(j, "journal")
	c.chaostestKeys(j)
	c.journalKeys(j)
	if exp, ok := j["experiment"].(map[string]any); ok {
		c.experiment(exp)
	}
	c.steadyStates(j)
	c.records(j)
	c.outcome(j)
	return c.problems
}

// numbers: floats as floats, counts as integers, everywhere.
func (c *ctkCheck) numbers(v any, where string) {
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			if n, ok := e.(json.Number); ok {
				isFloat := strings.ContainsAny(n.String(), ".eE")
				switch {
				case floatKeys[k] && !isFloat:
					c.failf(where+"."+k, "%s is written as an integer; Chaos Toolkit writes this figure as a float (%s.0)", n, n)
				case intKeys[k] && isFloat:
					c.failf(where+"."+k, "%s is written as a float; it is a count", n)
				}
			}
			c.numbers(e, where+"."+k)
		}
	case []any:
		for i, e := range x {
			c.numbers(e, fmt.Sprintf("%s[%d]", where, i))
		}
	}
}

// chaostestKeys: chaostest's own keys are there, so that nothing of its
// verdict is lost in the mapping to Chaos Toolkit's meanings.
func (c *ctkCheck) chaostestKeys(j map[string]any) {
	x, ok := j["chaostest"].(map[string]any)
	if !ok {
		c.failf("journal", `no "chaostest" object`)
		return
	}
	if v, _ := x["verdict"].(string); !chaostestVerdicts[v] {
		c.failf("chaostest.verdict", "%v, want one of held, deviated, not steady, inconclusive, aborted", x["verdict"])
	}
	if _, ok := x["passed"].(bool); !ok {
		c.failf("chaostest.passed", "%v, want a boolean", x["passed"])
	}
	if _, ok := x["stopped_by_fail_fast"].(bool); !ok {
		c.failf("chaostest.stopped_by_fail_fast", "%v, want a boolean", x["stopped_by_fail_fast"])
	}
	if n, ok := x["slot_wait"].(json.Number); !ok || !strings.Contains(n.String(), ".") || strings.HasPrefix(n.String(), "-") {
		c.failf("chaostest.slot_wait", "%v, want the seconds waited for an experiment slot, a decimal number >= 0", x["slot_wait"])
	}
	if n, ok := x["slots"].(json.Number); !ok || strings.ContainsAny(n.String(), ".eE-") {
		c.failf("chaostest.slots", "%v, want the slot count, an integer >= 0", x["slots"])
	}
	c.test, _ = x["test"].(string)
	if c.test == "" {
		c.failf("chaostest.test", "missing")
	}
	if n, ok := x["seed"].(json.Number); ok {
		c.seed = n.String()
	} else {
		c.failf("chaostest.seed", "%v, want an integer", x["seed"])
	}
	c.seedUsed, _ = x["seed_used"].(bool)
	if v, _ := x["reproduce"].(string); !reproduceLine.MatchString(v) || strings.Contains(v, "$") {
		c.failf("chaostest.reproduce", "%q, want a go test command of the package, from the module root, with no $ (pandoc's maths)", v)
	}
}

// journalKeys: the keys and types of chaoslib/run.py initialize_run_journal,
// with "end" and "duration" that Runner._run adds.
func (c *ctkCheck) journalKeys(j map[string]any) {
	for _, k := range []string{"chaoslib-version", "platform", "node", "start", "end"} {
		if s, ok := j[k].(string); !ok || s == "" {
			c.failf("journal."+k, "%v, want a non-empty string", j[k])
		}
	}
	for _, k := range []string{"start", "end"} {
		if s, ok := j[k].(string); ok {
			c.timestamp("journal."+k, s)
		}
	}
	if _, ok := j["experiment"].(map[string]any); !ok {
		c.failf("journal.experiment", "not an object")
	}
	if s, _ := j["status"].(string); !ctkStatuses[s] {
		c.failf("journal.status", "%v, want completed, failed, aborted or interrupted (chaoslib/run.py Runner._run)", j["status"])
	}
	if _, ok := j["deviated"].(bool); !ok {
		c.failf("journal.deviated", "%v, want a boolean", j["deviated"])
	}
	for _, k := range []string{"run", "rollbacks"} {
		if _, ok := j[k].([]any); !ok {
			c.failf("journal."+k, "%v, want a list", j[k])
		}
	}
	if _, ok := j["duration"].(json.Number); !ok {
		c.failf("journal.duration", "%v, want a number of seconds", j["duration"])
	}
	ss, ok := j["steady_states"].(map[string]any)
	if !ok {
		c.failf("journal.steady_states", "not an object")
		return
	}
	for _, k := range []string{"before", "after"} {
		if v, present := ss[k]; !present {
			c.failf("steady_states", "no %q (initialize_run_journal sets it to null)", k)
		} else if _, ok := v.(map[string]any); v != nil && !ok {
			c.failf("steady_states."+k, "%v, want an object or null", v)
		}
	}
	if _, ok := ss["during"].([]any); !ok {
		c.failf("steady_states.during", "%v, want a list", ss["during"])
	}
}

// timestamp: ISO 8601 as Python's datetime.isoformat() writes it, which
// chaostoolkit-reporting parses with dateparser (pretty_date).
func (c *ctkCheck) timestamp(where, s string) {
	for _, layout := range []string{"2006-01-02T15:04:05.999999-07:00", "2006-01-02T15:04:05.999999"} {
		if _, err := time.Parse(layout, s); err == nil {
			return
		}
	}
	c.failf(where, "%q is not an ISO 8601 timestamp as datetime.isoformat() writes it", s)
}

// experiment: chaoslib/experiment.py ensure_experiment_is_valid.
func (c *ctkCheck) experiment(e map[string]any) {
	for _, k := range []string{"title", "description"} {
		if s, _ := e[k].(string); s == "" {
			c.failf("experiment."+k, "missing or empty: experiment requires a %s", k)
		}
	}
	if tags, present := e["tags"]; present {
		list, _ := tags.([]any)
		for _, tag := range list {
			if s, _ := tag.(string); s == "" {
				c.failf("experiment.tags", "%v: experiment tags must be non-empty strings", tags)
			}
		}
	}
	// chaoslib/extension.py validate_extensions: every extension has a name.
	exts, _ := e["extensions"].([]any)
	found := false
	for i, x := range exts {
		xm, _ := x.(map[string]any)
		name, _ := xm["name"].(string)
		if strings.TrimSpace(name) == "" {
			c.failf(fmt.Sprintf("experiment.extensions[%d]", i), "all extensions require a non-empty name")
		}
		if name == "chaostest" {
			found = true
			if s, _ := xm["expect"].(string); s != "hold" && s != "deviation" {
				c.failf("experiment.extensions[chaostest].expect", "%v, want hold or deviation", s)
			}
		}
	}
	if !found {
		c.failf("experiment.extensions", `no extension named "chaostest"`)
	}
	// Configuration, secrets and controls are validated by loading them
	// (load_configuration, load_secrets, validate_controls): a journal
	// declares none.
	for _, k := range []string{"configuration", "secrets", "controls"} {
		if _, present := e[k]; present {
			c.failf("experiment."+k, "declared; chaostest journals declare none")
		}
	}
	// chaoslib/hypothesis.py ensure_hypothesis_is_valid.
	if h, ok := e["steady-state-hypothesis"].(map[string]any); ok {
		if s, _ := h["title"].(string); s == "" {
			c.failf("steady-state-hypothesis.title", "hypothesis requires a title")
		}
		probes, _ := h["probes"].([]any)
		if len(probes) == 0 {
			c.failf("steady-state-hypothesis.probes", "none: Chaos Toolkit would not run the hypothesis (run.py has_steady_state_hypothesis_with_probes)")
		}
		for i, p := range probes {
			c.hypothesisProbe(fmt.Sprintf("steady-state-hypothesis.probes[%d]", i), p)
		}
	} else {
		c.failf("experiment", "no steady-state-hypothesis")
	}
	method, ok := e["method"].([]any)
	if !ok {
		c.failf("experiment.method", "missing: an experiment requires a method, which can be empty")
	}
	for i, a := range method {
		c.activity(fmt.Sprintf("experiment.method[%d]", i), a)
	}
	rollbacks, _ := e["rollbacks"].([]any)
	for i, a := range rollbacks {
		c.activity(fmt.Sprintf("experiment.rollbacks[%d]", i), a)
	}
}

// hypothesisProbe: a valid activity with a valid tolerance
// (chaoslib/hypothesis.py ensure_hypothesis_is_valid).
func (c *ctkCheck) hypothesisProbe(where string, p any) {
	c.activity(where, p)
	m, _ := p.(map[string]any)
	tol, present := m["tolerance"]
	if !present {
		c.failf(where, "hypothesis probe must have a tolerance entry")
		return
	}
	if err := ctkToleranceValid(tol); err != nil {
		c.failf(where+".tolerance", "%v", err)
	}
	// chaostest's own: the tolerance is the exit status 0 and the
	// human-readable tolerances are kept beside it.
	if n, ok := tol.(json.Number); !ok || n.String() != "0" {
		c.failf(where+".tolerance", "%v, want 0: a held check's status", tol)
	}
	x, _ := m["chaostest"].(map[string]any)
	if _, ok := x["tolerances"].([]any); !ok {
		c.failf(where+".chaostest.tolerances", "missing: the tolerances chaostest judged")
	}
}

// ctkToleranceValid restates chaoslib/hypothesis.py
// ensure_hypothesis_tolerance_is_valid: a boolean, an integer, a string, a
// list, or an object of type probe, regex, jsonpath or range.
func ctkToleranceValid(tol any) error {
	switch x := tol.(type) {
	case bool, string, []any:
		return nil
	case json.Number:
		if strings.ContainsAny(x.String(), ".eE") {
			return fmt.Errorf("%s is a float: a tolerance must be an integer, a string, a boolean, a list or an object", x)
		}
		return nil
	case map[string]any:
		switch x["type"] {
		case "probe":
			return nil // validated as an activity; chaostest writes none
		case "regex":
			if _, ok := x["pattern"].(string); !ok {
				return errors.New("hypothesis regex probe tolerance must have a `pattern` key")
			}
			return nil
		case "jsonpath":
			// check_json_path: fails unless the optional jsonpath2 package is installed.
			return errors.New("a jsonpath tolerance needs chaostoolkit-lib[jsonpath]: a default install rejects it")
		case "range":
			r, _ := x["range"].([]any)
			if len(r) != 2 {
				return errors.New("hypothesis range must be a sequence of two numbers")
			}
			return nil
		}
		return fmt.Errorf("hypothesis probe tolerance type '%v' is unsupported", x["type"])
	}
	return fmt.Errorf("%v: a tolerance must be an integer, a string, a boolean, a list or an object", tol)
}

// activity: chaoslib/activity.py ensure_activity_is_valid, and for the
// process provider chaoslib/provider/process.py validate_process_activity
// and run_process_activity.
func (c *ctkCheck) activity(where string, a any) {
	m, ok := a.(map[string]any)
	if !ok || len(m) == 0 {
		c.failf(where, "empty activity is no activity")
		return
	}
	if _, ok := m["ref"]; ok {
		c.failf(where, "a reference to an activity; chaostest writes none")
		return
	}
	if t := m["type"]; t != "probe" && t != "action" {
		c.failf(where+".type", "'%v' is not a supported activity type", t)
	}
	if s, _ := m["name"].(string); s == "" {
		c.failf(where+".name", "an activity must have a name")
	}
	if t, present := m["timeout"]; present {
		if _, ok := t.(json.Number); !ok {
			c.failf(where+".timeout", "activity timeout must be a number")
		}
	}
	if b, present := m["background"]; present {
		if _, ok := b.(bool); !ok {
			c.failf(where+".background", "activity background must be a boolean")
		}
	}
	if _, present := m["pauses"]; present {
		c.failf(where+".pauses", "declared; chaostest writes none")
	}
	prov, ok := m["provider"].(map[string]any)
	if !ok {
		c.failf(where, "an activity requires a provider")
		return
	}
	switch prov["type"] {
	case "process":
		c.process(where+".provider", prov)
	case "python", "http":
		c.failf(where+".provider.type", "%v; chaostest writes process providers", prov["type"])
	default:
		c.failf(where+".provider.type", "unknown provider type '%v'", prov["type"])
	}
}

// process: validate_process_activity wants a path that shutil.which finds
// and that is executable; run_process_activity runs a list of arguments as
// argv (each str()'d, None and "" dropped), a string through a shell, an
// object as its flattened items. chaostest's own: the provider re-runs the
// journal's test with its seed, in the package's directory (go -C: the
// process provider has no working directory).
func (c *ctkCheck) process(where string, p map[string]any) {
	path, _ := p["path"].(string)
	if path == "" {
		c.failf(where, "a process activity must have a path")
	} else if _, err := exec.LookPath(path); err != nil {
		c.failf(where+".path", "path '%s' cannot be found: %v", path, err)
	}
	if path != "go" {
		c.failf(where+".path", "%q, want go", path)
	}
	args, ok := p["arguments"].([]any)
	if !ok {
		c.failf(where+".arguments", "%v, want a list: the argv of go", p["arguments"])
		return
	}
	for i, a := range args {
		if s, _ := a.(string); s == "" {
			c.failf(fmt.Sprintf("%s.arguments[%d]", where, i), "%v: run_process_activity drops empty arguments, or str()s others", a)
		}
	}
	want := []string{"-C", "<dir>", "test", "-run", runPatternOf(c.test)}
	if c.seedUsed {
		want = append(want, "-chaostest.seed="+c.seed)
	}
	got := make([]string, len(args))
	for i, a := range args {
		got[i], _ = a.(string)
	}
	if len(got) == len(want) && (filepath.IsLocal(got[1]) || got[1] == ".") {
		want[1] = got[1]
	}
	if strings.Join(got, "\x00") != strings.Join(want, "\x00") {
		c.failf(where+".arguments", "%q, want %q: go -C <package dir, relative to the module root> test -run <the test> [-chaostest.seed=<seed>, when a fault read it]", got, want)
	}
	if c.args == nil {
		c.args = args
	} else if fmt.Sprint(c.args) != fmt.Sprint(args) {
		c.failf(where+".arguments", "%v differs from another activity's %v: every activity re-runs the same experiment", args, c.args)
	}
}

// reproduceLine is a go test command of a package from the module's root.
var reproduceLine = regexp.MustCompile(`^go test (\.|\./[^ ]+) -run '`)

// runPatternOf restates the -run pattern of a test name in a journal
// (journal.go): anchored with \z, no $ for pandoc to take for maths.
func runPatternOf(test string) string {
	parts := strings.Split(test, "/")
	for i, p := range parts {
		parts[i] = "^" + regexp.QuoteMeta(p) + `\z`
	}
	return strings.Join(parts, "/")
}

// steadyStates checks every steady state: before, each during window,
// after, and the control group's beside each.
func (c *ctkCheck) steadyStates(j map[string]any) {
	ss, _ := j["steady_states"].(map[string]any)
	for _, k := range []string{"before", "after"} {
		if s, ok := ss[k].(map[string]any); ok {
			c.steadyState("steady_states."+k, s)
		}
	}
	during, _ := ss["during"].([]any)
	for i, s := range during {
		m, ok := s.(map[string]any)
		if !ok {
			c.failf(fmt.Sprintf("steady_states.during[%d]", i), "not an object")
			continue
		}
		c.steadyState(fmt.Sprintf("steady_states.during[%d]", i), m)
	}
	x, _ := j["chaostest"].(map[string]any)
	if x, ok := x["after_cut_short"].(map[string]any); ok {
		c.steadyState("chaostest.after_cut_short", x)
	}
}

// steadyState: chaoslib/hypothesis.py run_steady_state_hypothesis. A state
// has steady_state_met and probes; each probe record is an activity record
// with tolerance_met, which is false for a failed probe and otherwise
// within_tolerance(tolerance, output); the state is met when every probe's
// tolerance is.
func (c *ctkCheck) steadyState(where string, s map[string]any) {
	met, ok := s["steady_state_met"].(bool)
	if !ok {
		c.failf(where+".steady_state_met", "%v, want a boolean", s["steady_state_met"])
	}
	probes, ok := s["probes"].([]any)
	if !ok || len(probes) == 0 {
		c.failf(where+".probes", "%v, want a list of probe records", s["probes"])
	}
	all := true
	for i, p := range probes {
		pw := fmt.Sprintf("%s.probes[%d]", where, i)
		rec, ok := p.(map[string]any)
		if !ok {
			c.failf(pw, "not an object")
			continue
		}
		c.record(pw, rec)
		c.hypothesisProbe(pw+".activity", rec["activity"])
		tm, ok := rec["tolerance_met"].(bool)
		if !ok {
			c.failf(pw+".tolerance_met", "%v, want a boolean", rec["tolerance_met"])
			continue
		}
		all = all && tm
		want := false
		if rec["status"] == "succeeded" {
			act, _ := rec["activity"].(map[string]any)
			w, err := ctkWithinTolerance(act["tolerance"], rec["output"])
			if err != nil {
				c.failf(pw, "within_tolerance(%v, output) raises %v", act["tolerance"], err)
				continue
			}
			want = w
		}
		if tm != want {
			c.failf(pw+".tolerance_met", "%v, but Chaos Toolkit's within_tolerance of its tolerance and output says %v", tm, want)
		}
		c.probeOutput(pw+".output", rec["output"])
	}
	if met != all {
		c.failf(where+".steady_state_met", "%v, but its probes' tolerance_met say %v", met, all)
	}
	x, _ := s["chaostest"].(map[string]any)
	if v, _ := x["verdict"].(string); (v == "held") != met {
		c.failf(where+".chaostest.verdict", "%q with steady_state_met %v", v, met)
	}
	if ctl, ok := x["control"].(map[string]any); ok {
		c.steadyState(where+".chaostest.control", ctl)
	}
}

// probeOutput: chaostest's output of a probe record: the status 0 or 1 the
// tolerance reads, and the check's verdict it stands for (a check that
// drives load is "not judged", with either status: see probeRun).
func (c *ctkCheck) probeOutput(where string, o any) {
	m, ok := o.(map[string]any)
	if !ok {
		c.failf(where, "not an object")
		return
	}
	st, _ := m["status"].(json.Number)
	v, _ := m["verdict"].(string)
	if (v != "not judged" && (v == "held") != (st.String() == "0")) || (st.String() != "0" && st.String() != "1") {
		c.failf(where, "status %v with verdict %q, want 0 exactly when the check held, else 1", m["status"], v)
	}
	for _, k := range []string{"sample_count", "error_count", "p99", "harness", "tolerances", "samples"} {
		if _, ok := m[k]; !ok {
			c.failf(where, "no %q", k)
		}
	}
}

// record: chaoslib/activity.py execute_activity writes activity, output,
// start, status (succeeded or failed), end, duration, and exception (a
// list of strings) when the activity failed.
func (c *ctkCheck) record(where string, r map[string]any) {
	for _, k := range []string{"activity", "output", "start", "status", "end", "duration"} {
		if _, ok := r[k]; !ok {
			c.failf(where, "no %q", k)
		}
	}
	for _, k := range []string{"start", "end"} {
		if s, ok := r[k].(string); ok {
			c.timestamp(where+"."+k, s)
		}
	}
	switch r["status"] {
	case "succeeded":
	case "failed":
		exc, _ := r["exception"].([]any)
		if len(exc) == 0 {
			c.failf(where+".exception", "a failed activity has its exception, a list of strings")
		}
	default:
		c.failf(where+".status", "%v, want succeeded or failed", r["status"])
	}
}

// records checks the method's and the rollbacks' records.
func (c *ctkCheck) records(j map[string]any) {
	for _, k := range []string{"run", "rollbacks"} {
		list, _ := j[k].([]any)
		for i, r := range list {
			w := fmt.Sprintf("%s[%d]", k, i)
			m, ok := r.(map[string]any)
			if !ok {
				c.failf(w, "not an object")
				continue
			}
			c.record(w, m)
			c.activity(w+".activity", m["activity"])
			// chaostest's own: a method window's probe record says with
			// tolerance_met what its tolerance reads of its output.
			if tm, ok := m["tolerance_met"].(bool); ok {
				act, _ := m["activity"].(map[string]any)
				if want, err := ctkWithinTolerance(act["tolerance"], m["output"]); err != nil || want != tm {
					c.failf(w+".tolerance_met", "%v, but within_tolerance of its tolerance and output says %v (%v)", tm, want, err)
				}
			}
			if k == "run" {
				c.reach(w+".output", m["output"], j)
			}
		}
	}
}

// reach: chaostest's own, the output of a fault's run record may hold the
// fault's reach: reached (a boolean), a summary, counts (integers) and
// may_reach_nothing; a strict fault that reached nothing makes the run
// inconclusive (or aborted), never held or deviated.
func (c *ctkCheck) reach(where string, out any, j map[string]any) {
	o, _ := out.(map[string]any)
	rv, present := o["reach"]
	if !present {
		return
	}
	r, ok := rv.(map[string]any)
	if !ok {
		c.failf(where+".reach", "%v, want an object", rv)
		return
	}
	reached, ok := r["reached"].(bool)
	if !ok {
		c.failf(where+".reach.reached", "%v, want a boolean", r["reached"])
	}
	if s, _ := r["summary"].(string); s == "" {
		c.failf(where+".reach.summary", "missing or empty")
	}
	quiet, ok := r["may_reach_nothing"].(bool)
	if !ok {
		c.failf(where+".reach.may_reach_nothing", "%v, want a boolean", r["may_reach_nothing"])
	}
	counts, ok := r["counts"].(map[string]any)
	if !ok {
		c.failf(where+".reach.counts", "%v, want an object of counts", r["counts"])
	}
	for k, v := range counts {
		if n, ok := v.(json.Number); !ok || strings.ContainsAny(n.String(), ".eE") {
			c.failf(where+".reach.counts."+k, "%v, want an integer count", v)
		}
	}
	x, _ := j["chaostest"].(map[string]any)
	if v, _ := x["verdict"].(string); !reached && !quiet && (v == "held" || v == "deviated") {
		c.failf(where+".reach", "a fault reached nothing, yet the verdict is %q: such a run is inconclusive", v)
	}
}

// outcome: "status" and "deviated" mean what chaoslib/run.py makes them:
//   - deviated is set only by run_deviation_validation_hypothesis, when the
//     steady state after is not met (initialize_run_journal: false);
//   - run_gate_hypothesis: the steady state before not met stops the run
//     with "completed", or "failed" when one of its probes did not succeed:
//     no method, no steady state during or after;
//   - run_deviation_validation_hypothesis: the same for the steady state
//     after;
//   - the steady state after runs only when the status is not "aborted" or
//     "interrupted" (Runner._run);
//   - run_hypothesis_continuously: with fail_fast, a steady state during
//     not met sets "failed" and stops the method;
//   - run_method sets "aborted" when the method raised; Runner._run sets
//     "interrupted" on an interrupt or exit signal;
//   - else the run is "completed".
func (c *ctkCheck) outcome(j map[string]any) {
	status, _ := j["status"].(string)
	deviated, _ := j["deviated"].(bool)
	ss, _ := j["steady_states"].(map[string]any)
	x, _ := j["chaostest"].(map[string]any)
	verdict, _ := x["verdict"].(string)
	failFast, _ := x["stopped_by_fail_fast"].(bool)
	before, _ := ss["before"].(map[string]any)
	after, _ := ss["after"].(map[string]any)
	during, _ := ss["during"].([]any)
	run, _ := j["run"].([]any)
	unmet := func(s map[string]any) bool { return s != nil && s["steady_state_met"] == false }

	if want := unmet(after); deviated != want {
		c.failf("journal.deviated", "%v, but the steady state after says %v (run.py run_deviation_validation_hypothesis)", deviated, want)
	}
	want := "completed"
	switch {
	case unmet(before):
		want = phaseStatus(before)
		if len(run) > 0 || len(during) > 0 || after != nil {
			c.failf("journal", "the steady state before was not met, yet the method or the steady state after ran (run.py run_gate_hypothesis)")
		}
	case verdict == "aborted":
		want = status // aborted or interrupted, checked below
		if status != "aborted" && status != "interrupted" {
			c.failf("journal.status", "%q for an aborted run, want aborted or interrupted", status)
		}
		if after != nil {
			c.failf("steady_states.after", "recorded for an aborted run: Chaos Toolkit runs no steady state after an aborted method")
		}
	case unmet(after):
		want = phaseStatus(after)
	case failFast:
		want = "failed"
		anyUnmet := false
		for _, d := range during {
			m, _ := d.(map[string]any)
			anyUnmet = anyUnmet || unmet(m)
		}
		if !anyUnmet {
			c.failf("chaostest.stopped_by_fail_fast", "true, but no steady state during was unmet")
		}
	}
	if status != want {
		c.failf("journal.status", "%q, but Chaos Toolkit writes %q for these steady states (chaostest verdict %q)", status, want, verdict)
	}
	if (status == "aborted" || status == "interrupted") != (verdict == "aborted") {
		c.failf("journal.status", "%q with chaostest verdict %q: aborted and interrupted are chaostest's aborted runs, and only those", status, verdict)
	}
}

func phaseStatus(s map[string]any) string {
	probes, _ := s["probes"].([]any)
	for _, p := range probes {
		if m, _ := p.(map[string]any); m["status"] != "succeeded" {
			return "failed"
		}
	}
	return "completed"
}

// ctkWithinTolerance restates chaoslib/hypothesis.py within_tolerance, a
// function dispatched on the tolerance's Python type, for the shapes a
// journal can hold: a boolean compares with the value; an integer with the
// value's "status" when the value is an object that has one, else with the
// value; a string with the value; a list holds the value's "status" when
// the value is an object that has one, else is an inclusive range when it
// has two items (Python raises TypeError when the items and the value do
// not compare), else holds the value. Values compare as Python compares
// them: True == 1, 0 == 0.0 == False. An object tolerance (probe, regex,
// jsonpath, range) is not re-implemented: chaostest writes none.
func ctkWithinTolerance(tol, value any) (bool, error) {
	switch t := tol.(type) {
	case bool:
		return pyEqual(value, t), nil
	case json.Number:
		if strings.ContainsAny(t.String(), ".eE") {
			// No implementation is registered for float: the base function returns None.
			return false, nil
		}
		if m, ok := value.(map[string]any); ok {
			if st, ok := m["status"]; ok {
				return pyEqual(st, t), nil
			}
		}
		return pyEqual(value, t), nil
	case string:
		return pyEqual(value, t), nil
	case []any:
		if m, ok := value.(map[string]any); ok {
			if st, ok := m["status"]; ok {
				return pyIn(st, t), nil
			}
		}
		if len(t) == 2 {
			lo, err := pyLessEq(t[0], value)
			if err != nil {
				return false, err
			}
			hi, err := pyLessEq(value, t[1])
			return lo && hi, err
		}
		return pyIn(value, t), nil
	}
	return false, fmt.Errorf("tolerance %v: not a shape re-implemented here", tol)
}

// pyNumber is a JSON number or boolean as a Python number.
func pyNumber(v any) (float64, bool) {
	switch x := v.(type) {
	case bool:
		if x {
			return 1, true
		}
		return 0, true
	case json.Number:
		f, err := x.Float64()
		return f, err == nil
	}
	return 0, false
}

// pyEqual is Python's == on values decoded from JSON.
func pyEqual(a, b any) bool {
	if x, ok := pyNumber(a); ok {
		y, ok := pyNumber(b)
		return ok && x == y
	}
	switch x := a.(type) {
	case nil:
		return b == nil
	case string:
		y, ok := b.(string)
		return ok && x == y
	case []any:
		y, ok := b.([]any)
		if !ok || len(x) != len(y) {
			return false
		}
		for i := range x {
			if !pyEqual(x[i], y[i]) {
				return false
			}
		}
		return true
	case map[string]any:
		y, ok := b.(map[string]any)
		if !ok || len(x) != len(y) {
			return false
		}
		for k, v := range x {
			if w, ok := y[k]; !ok || !pyEqual(v, w) {
				return false
			}
		}
		return true
	}
	return false
}

func pyIn(v any, list []any) bool {
	for _, e := range list {
		if pyEqual(v, e) {
			return true
		}
	}
	return false
}

// pyLessEq is Python's <=: numbers with numbers, strings with strings,
// TypeError otherwise (lists, which Python orders, do not occur here).
func pyLessEq(a, b any) (bool, error) {
	if x, ok := pyNumber(a); ok {
		if y, ok := pyNumber(b); ok {
			return x <= y, nil
		}
	}
	if x, ok := a.(string); ok {
		if y, ok := b.(string); ok {
			return x <= y, nil
		}
	}
	return false, fmt.Errorf("TypeError: '<=' not supported between %s and %s", pyType(a), pyType(b))
}

func pyType(v any) string {
	switch v.(type) {
	case string:
		return "str"
	case map[string]any:
		return "dict"
	case []any:
		return "list"
	case nil:
		return "NoneType"
	}
	return "number"
}

// The rules themselves: the shapes the old journals had are rejected for
// the reasons Chaos Toolkit rejected them.
func TestChaosToolkitRulesRejectWhatChaosToolkitRejects(t *testing.T) {
	t.Parallel()
	n := func(s string) json.Number { return json.Number(s) }
	cases := []struct {
		tol, value any
		want       bool
		err        string
	}{
		{n("0"), map[string]any{"status": n("0"), "verdict": "held"}, true, ""},
		{n("0"), map[string]any{"status": n("1"), "verdict": "violated"}, false, ""},
		{n("0"), map[string]any{"status": false}, true, ""}, // Python: False == 0
		{true, true, true, ""},
		{true, map[string]any{"tolerance_met": true}, false, ""},
		{"held", "held", true, ""},
		{[]any{"success rate >= 95%", "latency p99 <= 300ms"}, map[string]any{"verdict": "held"}, false, "TypeError"},
		{[]any{"a", "z"}, "held", true, ""},
		{[]any{n("0"), n("1")}, map[string]any{"status": n("0")}, true, ""},
	}
	for _, c := range cases {
		got, err := ctkWithinTolerance(c.tol, c.value)
		if c.err != "" {
			if err == nil || !strings.Contains(err.Error(), c.err) {
				t.Errorf("within_tolerance(%v, %v): error %v, want %s", c.tol, c.value, err, c.err)
			}
			continue
		}
		if err != nil || got != c.want {
			t.Errorf("within_tolerance(%v, %v) = %v, %v; want %v", c.tol, c.value, got, err, c.want)
		}
	}
	if err := ctkToleranceValid(n("0.5")); err == nil {
		t.Errorf("a float tolerance passed validation")
	}
	for _, tol := range []any{n("0"), true, "x", []any{}, map[string]any{"type": "range", "range": []any{n("0"), n("1")}}} {
		if err := ctkToleranceValid(tol); err != nil {
			t.Errorf("tolerance %v: %v", tol, err)
		}
	}
	old := []byte(`{"experiment": {"title": "t", "description": "d", "method": [
		{"type": "action", "name": "a", "provider": {"type": "go", "func": "Apply"}}]},
		"status": "failed", "deviated": true, "duration": 2}`)
	problems := strings.Join(ctkProblems(old), "\n")
	for _, want := range []string{"unknown provider type 'go'", "journal.duration: 2 is written as an integer", `no "chaostest" object`} {
		if !strings.Contains(problems, want) {
			t.Errorf("problems of an old journal lack %q:\n%s", want, problems)
		}
	}
}
