// Command summary prints a table of the chaostest journals in a directory:
// one row per experiment and service version, with the expected outcome, the
// verdicts, and the figures that decided them.
//
//	CHAOSTEST_JOURNAL=/tmp/journals go test -count=1 ./examples/...
//	go run ./examples/internal/summary /tmp/journals
//
// Journals are in Chaos Toolkit's format, with chaostest's own keys under
// "chaostest" (verdict, passed, test) and the expectation in the
// experiment's "chaostest" extension. The verdict is chaostest's (held,
// deviated, not steady, inconclusive, aborted), not Chaos Toolkit's status.
// When a test ran several times (-count=N), its runs are grouped in one row,
// and the verdicts column shows whether they all agreed.
//
// ERRORS DURING counts the failed samples of the judged checks only: a
// check that drives load (hypothesis.LoadOnly) is not judged, and its errors
// are the load's, not the hypothesis's. VIOLATED AFTER lists the tolerances
// violated in the steady state after the rollback (a system that did not
// recover).
//
// SLOT WAIT is the longest an experiment waited, over its runs, for one of
// the machine-wide experiment slots before it started (-chaostest.slots).
//
// HARNESS LAG p90 is how late the harness started its probes, at worst over
// every judged window; SATURATED counts the windows in which it could not keep
// its schedule (judged inconclusive when they would otherwise deviate).
//
// The exit status is 1 when a run did not pass (a robust service deviated, a
// fragile one was not caught, or a run was not steady) or when the directory
// holds no journal, 2 on bad usage or an unreadable journal.
package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/go-resilience/resilience/chaostest"
)

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: summary DIR (a directory of *.journal.json, as written with CHAOSTEST_JOURNAL=DIR)")
		os.Exit(2)
	}
	rows, err := load(os.Args[1])
	if err != nil {
		fmt.Fprintln(os.Stderr, "summary:", err)
		os.Exit(2)
	}
	// The index of the directory's reports, written again so that the
	// journals of several runs (the shards of a suite) copied into one
	// directory get one index of them all.
	if reports, _ := filepath.Glob(filepath.Join(os.Args[1], "*.report.html")); len(reports) > 0 {
		if _, err := chaostest.IndexReports(os.Args[1]); err != nil {
			fmt.Fprintln(os.Stderr, "summary: index of the reports:", err)
			os.Exit(2)
		}
	}
	if !render(os.Stdout, rows) {
		os.Exit(1)
	}
}

// journal is the part of a chaostest journal the summary reads.
type journal struct {
	Experiment struct {
		Title      string `json:"title"`
		Extensions []struct {
			Name   string `json:"name"`
			Expect string `json:"expect"`
		} `json:"extensions"`
	} `json:"experiment"`
	Chaostest struct {
		Verdict string `json:"verdict"`
		Passed  bool   `json:"passed"`
		Test    string `json:"test"`
		// SlotWait is how long the run waited for an experiment slot (s).
		SlotWait float64 `json:"slot_wait"`
	} `json:"chaostest"`
	// Run holds the method's activities; a fault's output carries the reach
	// it measured.
	Run []struct {
		Activity struct {
			Type string `json:"type"`
		} `json:"activity"`
		Output struct {
			Reach *struct {
				Reached bool `json:"reached"`
			} `json:"reach"`
		} `json:"output"`
	} `json:"run"`
	SteadyStates struct {
		Before *steadyState  `json:"before"`
		During []steadyState `json:"during"`
		After  *steadyState  `json:"after"`
	} `json:"steady_states"`
}

type steadyState struct {
	Met    bool          `json:"steady_state_met"`
	Probes []probeRecord `json:"probes"`
}

// probeRecord is one check judged over one window.
type probeRecord struct {
	Activity struct {
		Name string `json:"name"`
	} `json:"activity"`
	Output struct {
		Verdict string  `json:"verdict"`
		Reason  string  `json:"reason"`
		Samples int     `json:"sample_count"`
		Errors  int     `json:"error_count"`
		P99     float64 `json:"p99"`
		Harness struct {
			LagP90    float64 `json:"lag_p90"`
			Saturated bool    `json:"saturated"`
		} `json:"harness"`
		Tolerances []struct {
			Tolerance string `json:"tolerance"`
			Observed  string `json:"observed"`
			Verdict   string `json:"verdict"`
		} `json:"tolerances"`
	} `json:"output"`
}

// loadOnly reports whether the probe record is of a check that drives load
// and is not judged (hypothesis.LoadOnly): "not judged" since the journal
// says so, its reason before.
func (p probeRecord) loadOnly() bool {
	return p.Output.Verdict == "not judged" || p.Output.Reason == "drives load (not judged)"
}

// expect is the experiment's expectation, "hold" or "deviation", from its
// "chaostest" extension.
func (j journal) expect() string {
	for _, x := range j.Experiment.Extensions {
		if x.Name == "chaostest" {
			return x.Expect
		}
	}
	return ""
}

// row is one experiment on one service version, over all its runs.
type row struct {
	Experiment string // the test's name, e.g. "CatalogWhenRedisIsSlow"
	Version    string // the subtest's name, e.g. "robust"
	Expect     string // "hold" or "deviation"
	Verdicts   map[string]int
	Runs       int
	Passed     int
	BeforeP99  time.Duration // worst over runs
	DuringP99  time.Duration // worst over the method's windows and runs
	Errors     int           // failed samples during the method, over runs
	Samples    int
	Violated   []string      // tolerances violated during the method
	After      []string      // tolerances violated in the steady state after the rollback
	SlotWait   time.Duration // the longest wait for an experiment slot, over runs
	LagP90     time.Duration // the harness's worst p90 lateness, over every judged window and run
	Windows    int           // judged windows, over runs
	Saturated  int           // judged windows in which the harness could not keep its schedule
}

// load reads every journal in dir and groups them by test.
func load(dir string) ([]*row, error) {
	paths, err := filepath.Glob(filepath.Join(dir, "*.journal.json"))
	if err != nil {
		return nil, err
	}
	byTest := map[string]*row{}
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			return nil, err
		}
		var j journal
		if err := json.Unmarshal(b, &j); err != nil {
			return nil, fmt.Errorf("%s: %w", filepath.Base(p), err)
		}
		if j.Chaostest.Test == "" {
			return nil, fmt.Errorf("%s: no \"test\" under \"chaostest\": not a chaostest journal", filepath.Base(p))
		}
		r := byTest[j.Chaostest.Test]
		if r == nil {
			r = newRow(j)
			byTest[j.Chaostest.Test] = r
		}
		r.add(j)
	}
	rows := make([]*row, 0, len(byTest))
	for _, r := range byTest {
		rows = append(rows, r)
	}
	sort.Slice(rows, func(a, b int) bool {
		if rows[a].Experiment != rows[b].Experiment {
			return rows[a].Experiment < rows[b].Experiment
		}
		return rows[a].Version < rows[b].Version
	})
	return rows, nil
}

func newRow(j journal) *row {
	test := j.Chaostest.Test
	// TestName/version, or TestName/version/cell... for an explorer's
	// cells (TestGatewayFaultSpace/fragile/quotes/down): the version is the
	// first subtest, the cell stays with the experiment.
	exp, version := test, "-"
	if parts := strings.Split(test, "/"); len(parts) >= 2 {
		exp, version = strings.Join(append(parts[:1:1], parts[2:]...), "/"), parts[1]
	}
	return &row{
		Experiment: strings.TrimPrefix(exp, "Test"),
		Version:    version,
		Expect:     j.expect(),
		Verdicts:   map[string]int{},
	}
}

func seconds(s float64) time.Duration { return time.Duration(s * float64(time.Second)) }

// verdict is chaostest's verdict, or "unreached" for a run whose faults all
// measured their reach and reached nothing (quiet steps, such as an
// explorer's cells): its windows say nothing about the faults.
func (j journal) verdict() string {
	faults := 0
	for _, a := range j.Run {
		if a.Output.Reach == nil {
			continue
		}
		if a.Output.Reach.Reached {
			return j.Chaostest.Verdict
		}
		faults++
	}
	if faults > 0 && (j.Chaostest.Verdict == "held" || j.Chaostest.Verdict == "deviated") {
		return "unreached"
	}
	return j.Chaostest.Verdict
}

func (r *row) add(j journal) {
	r.Runs++
	r.Verdicts[j.verdict()]++
	r.SlotWait = max(r.SlotWait, seconds(j.Chaostest.SlotWait))
	if j.Chaostest.Passed {
		r.Passed++
	}
	if b := j.SteadyStates.Before; b != nil {
		for _, p := range b.Probes {
			r.BeforeP99 = max(r.BeforeP99, seconds(p.Output.P99))
		}
	}
	windows := append([]steadyState{}, j.SteadyStates.During...)
	for _, w := range []*steadyState{j.SteadyStates.Before, j.SteadyStates.After} {
		if w != nil {
			windows = append(windows, *w)
		}
	}
	for _, w := range windows {
		r.Windows++
		saturated := false
		for _, p := range w.Probes {
			r.LagP90 = max(r.LagP90, seconds(p.Output.Harness.LagP90))
			saturated = saturated || p.Output.Harness.Saturated
		}
		if saturated {
			r.Saturated++
		}
	}
	for _, w := range j.SteadyStates.During {
		for _, p := range w.Probes {
			if p.loadOnly() {
				continue
			}
			r.DuringP99 = max(r.DuringP99, seconds(p.Output.P99))
			r.Errors += p.Output.Errors
			r.Samples += p.Output.Samples
			for _, tr := range p.Output.Tolerances {
				if tr.Verdict == "violated" && !slices.Contains(r.Violated, tr.Tolerance) {
					r.Violated = append(r.Violated, tr.Tolerance)
				}
			}
		}
	}
	if a := j.SteadyStates.After; a != nil {
		for _, p := range a.Probes {
			for _, tr := range p.Output.Tolerances {
				if tr.Verdict == "violated" && !slices.Contains(r.After, tr.Tolerance) {
					r.After = append(r.After, tr.Tolerance)
				}
			}
		}
	}
}

// list joins tolerances, or says "-" for none.
func list(tols []string) string {
	if len(tols) == 0 {
		return "-"
	}
	return strings.Join(tols, "; ")
}

func (r *row) verdicts() string {
	keys := make([]string, 0, len(r.Verdicts))
	for k := range r.Verdicts {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	if len(keys) == 1 && r.Runs == 1 {
		return keys[0]
	}
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = fmt.Sprintf("%s×%d", k, r.Verdicts[k])
	}
	return strings.Join(parts, " ")
}

func round(d time.Duration) string {
	switch {
	case d >= time.Second:
		return d.Round(10 * time.Millisecond).String()
	case d >= time.Millisecond:
		return d.Round(100 * time.Microsecond).String()
	}
	return d.Round(time.Microsecond).String()
}

// render writes the table and reports whether every run passed.
func render(w io.Writer, rows []*row) bool {
	if len(rows) == 0 {
		fmt.Fprintln(w, "no chaostest journal found: run the examples with CHAOSTEST_JOURNAL=DIR")
		return false
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "EXPERIMENT\tVERSION\tEXPECTED\tVERDICT\tRESULT\tSLOT WAIT\tp99 BEFORE\tWORST p99 DURING\tERRORS DURING\tHARNESS LAG p90\tSATURATED\tVIOLATED DURING\tVIOLATED AFTER")
	all := true
	for _, r := range rows {
		result := "pass"
		if r.Passed < r.Runs {
			result = fmt.Sprintf("FAIL (%d of %d)", r.Runs-r.Passed, r.Runs)
			all = false
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%d/%d\t%s\t%d/%d\t%s\t%s\n",
			r.Experiment, r.Version, r.Expect, r.verdicts(), result, round(r.SlotWait),
			round(r.BeforeP99), round(r.DuringP99), r.Errors, r.Samples, round(r.LagP90), r.Saturated, r.Windows, list(r.Violated), list(r.After))
	}
	_ = tw.Flush()
	runs, passed := 0, 0
	for _, r := range rows {
		runs += r.Runs
		passed += r.Passed
	}
	fmt.Fprintf(w, "%d experiment runs, %d passed, %d failed\n", runs, passed, runs-passed)
	return all
}
