package chaostest

import (
	"bytes"
	"context"
	"errors"
	"html"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/go-resilience/resilience/hypothesis"
	"github.com/go-resilience/resilience/internal/testkit/faket"
)

func noRevert(context.Context) error          { return nil }
func noFault(context.Context) (Revert, error) { return noRevert, nil }

// fakeSpec describes a fake run: a fragile service probed every 25ms for
// a 1s steady state before, a method of three 1s windows and a 1s steady
// state after. Its first fault (the first two windows) adds 800ms to every
// answer; a second fault, when asked for, replaces it in the second window
// and makes every answer fail.
type fakeSpec struct {
	name, title string
	twoFaults   bool
	control     bool
	healthy     bool // no fault has any effect: every window holds
	// saturated: in the third window the harness starts every probe 60ms
	// late and answers take 360ms: a violation the test machine explains.
	saturated bool
}

// fakeRun builds the record of a finished run, from hand-made samples
// judged by the hypothesis package: the report reads nothing else.
func fakeRun(tb testing.TB, spec fakeSpec) *record {
	tb.Helper()
	if spec.name == "" {
		spec.name = "TestFake/fragile"
	}
	if spec.title == "" {
		spec.title = "the fake service answers within 300 ms while its cache is slow"
	}
	const every = 25 * time.Millisecond
	check := func(name string) hypothesis.Check {
		p := hypothesis.ProbeFunc(name, func(context.Context) (any, error) { return nil, nil })
		return hypothesis.Observe(p, hypothesis.Every(every), hypothesis.Timeout(time.Second), hypothesis.Expect(hypothesis.SuccessRate(0.95), hypothesis.LatencyP(99, 300*time.Millisecond)))
	}
	var method Method = Inject(FaultFunc("cache: latency +800ms", noFault), For(2*time.Second))
	if spec.twoFaults {
		method = Sequence(Inject(FaultFunc("cache: latency +800ms", noFault), For(time.Second)),
			Inject(FaultFunc("cache: down", noFault), For(time.Second)))
	}
	e := experiment{
		Title: spec.title, SteadyState: hypothesis.New("the fake service is fast", check("GET /items/42")),
		Method: method, Before: time.Second, Duration: 3 * time.Second, Window: time.Second, After: time.Second,
		Expect: expectDeviation, Seed: 42,
	}
	if spec.healthy {
		e.Expect = expectHold
	}
	if spec.control {
		e.Control = hypothesis.New("the unfaulted twin", check("GET /items/42 (twin)"))
	}
	e, err := e.resolve()
	if err != nil {
		tb.Fatal(err)
	}
	t0 := time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)
	r := &record{
		test: spec.name, title: e.Title, seed: 42, steady: claimOf(e.SteadyState), method: e.Method.String(),
		sequence: spec.twoFaults, expect: e.Expect, before: e.Before, duration: e.Duration, window: e.Window, after: e.After, settle: e.Settle,
		start: t0, methodStart: t0.Add(e.Before + 20*time.Millisecond),
	}
	if spec.control {
		c := claimOf(e.Control)
		r.control = &c
	}
	r.methodEnd = r.methodStart.Add(e.Duration)
	r.rollbackEnd = r.methodEnd.Add(2 * time.Millisecond)
	afterFrom, afterTo := r.rollbackEnd, r.rollbackEnd.Add(e.After)
	for _, sl := range planOf(e.Method).slots(e.Duration) {
		st := stepOf(sl)
		r.steps = append(r.steps, st)
		a := faultRecord{step: st, name: st.fault, applyStart: r.methodStart.Add(sl.start), revertedBy: "schedule"}
		a.applyEnd, a.revertStart = a.applyStart.Add(time.Millisecond), r.methodStart.Add(sl.end)
		a.revertEnd = a.revertStart.Add(time.Millisecond)
		r.faults = append(r.faults, a)
		r.events = append(r.events, event{at: a.applyStart, kind: "on", text: a.name}, event{at: a.revertStart, kind: "off", text: a.name})
	}
	// The samples: the experiment group suffers the active fault, the
	// control group never does.
	effect := func(at time.Time) (time.Duration, error) {
		if spec.healthy {
			return 0, nil
		}
		for _, a := range r.faults {
			if !at.Before(a.applyStart) && at.Before(a.revertStart) {
				if a.name == "cache: down" {
					return 0, errors.New("502 Bad Gateway: dial cache: connection refused")
				}
				return 800 * time.Millisecond, nil
			}
		}
		return 0, nil
	}
	for k := 0; ; k++ {
		at := t0.Add(time.Duration(k) * every)
		if !at.Before(afterTo) {
			break
		}
		base := time.Duration(2000+(k*7919)%3000) * time.Microsecond // 2-5ms
		lag := time.Duration(50+(k*31)%400) * time.Microsecond
		extra, err := effect(at)
		if spec.saturated && !at.Before(r.methodStart.Add(2*time.Second)) && at.Before(r.methodEnd) {
			lag, extra = 60*time.Millisecond, 360*time.Millisecond
		}
		lat := base + extra
		r.samples = append(r.samples, hypothesis.Sample{Check: 0, Seq: k, Intended: at, Start: at.Add(lag), End: at.Add(lat), Latency: lat, Err: err})
		if spec.control {
			cl := base + time.Millisecond
			r.ctrlSamples = append(r.ctrlSamples, hypothesis.Sample{Check: 0, Seq: k, Intended: at, Start: at.Add(lag), End: at.Add(cl), Latency: cl})
		}
	}
	eval := func(from, to time.Time, base, cbase *hypothesis.Result) (hypothesis.Result, hypothesis.Result) {
		var ctrl hypothesis.Result
		refs := hypothesis.Refs{Baseline: base}
		if spec.control {
			ctrl = hypothesis.EvaluateWith(e.Control, r.ctrlSamples, from, to, hypothesis.Refs{Baseline: cbase})
			refs.Control = &ctrl
		}
		return hypothesis.EvaluateWith(e.SteadyState, r.samples, from, to, refs), ctrl
	}
	r.rep = Report{Title: e.Title, Seed: 42}
	r.rep.Before, r.rep.ControlBefore = eval(t0, t0.Add(e.Before), nil, nil)
	baseline, ctrlBaseline := r.rep.Before, r.rep.ControlBefore
	r.windows = windowsOf(e.Duration, e.Window)
	for i := range r.windows {
		w := &r.windows[i]
		from, to := r.methodStart.Add(w.from), r.methodStart.Add(w.to)
		w.result, w.control = eval(from, to, &baseline, &ctrlBaseline)
		w.judged = true
		for _, a := range r.faults {
			if a.activeIn(from, to) {
				w.faults = append(w.faults, a.name)
			}
		}
		r.rep.During = append(r.rep.During, w.result)
		if spec.control {
			r.rep.ControlDuring = append(r.rep.ControlDuring, w.control)
		}
		if w.result.Verdict == hypothesis.Violated {
			r.rep.Deviations = append(r.rep.Deviations, Deviation{Phase: PhaseDuring, Offset: w.from, Faults: w.faults, Result: w.result})
		}
	}
	after, ctrlAfter := eval(afterFrom, afterTo, &baseline, &ctrlBaseline)
	r.afters, r.rep.After = []hypothesis.Result{after}, after
	if spec.control {
		r.ctrlAfters, r.rep.ControlAfter = []hypothesis.Result{ctrlAfter}, ctrlAfter
	}
	r.rep.Status = r.status()
	r.asExpected = expected(e, r.rep)
	r.rep.Passed = r.asExpected
	r.rep.Duration = afterTo.Sub(t0) + 40*time.Millisecond
	r.end = t0.Add(r.rep.Duration)
	return r
}

// page renders the report of r.
func page(tb testing.TB, r *record) string {
	tb.Helper()
	var buf bytes.Buffer
	if err := renderReport(&buf, r.reportPage("TestFake_fragile.journal.json")); err != nil {
		tb.Fatal(err)
	}
	return buf.String()
}

func count(s, sub string) int { return strings.Count(s, sub) }

// The report of a deviated run with two faults and a control group shows
// every sample of both groups, each fault's band, and each window's
// verdict in its colour.
func TestReportShowsSamplesFaultsAndVerdicts(t *testing.T) {
	r := fakeRun(t, fakeSpec{twoFaults: true, control: true})
	if r.rep.Status != StatusDeviated {
		t.Fatalf("the fake run is %s, want deviated", r.rep.Status)
	}
	out := page(t, r)

	if got, want := count(out, `<circle class="sample `), len(r.samples)+len(r.ctrlSamples); got != want {
		t.Errorf("%d sample circles, want %d (every sample of both groups)", got, want)
	}
	exp, ctl := blockOf(t, out, "experiment"), blockOf(t, out, "control")
	if got := count(exp, `<circle class="sample `); got != len(r.samples) {
		t.Errorf("experiment group: %d circles, want %d", got, len(r.samples))
	}
	if got := count(ctl, `<circle class="sample `); got != len(r.ctrlSamples) {
		t.Errorf("control group: %d circles, want %d", got, len(r.ctrlSamples))
	}
	// The first fault makes answers 800ms late, the second makes 40 fail.
	if got := count(exp, `<circle class="sample error"`); got != 40 {
		t.Errorf("experiment group: %d error circles, want 40 (the second fault's window)", got)
	}
	if got := count(ctl, `<circle class="sample error"`); got != 0 {
		t.Errorf("control group: %d error circles, want 0", got)
	}
	if got := count(out, `class="shade fault-shade"`); got != 2 {
		t.Errorf("%d fault bands, want 2", got)
	}
	if got := count(out, `<rect class="fault" `); got != 2 {
		t.Errorf("%d fault lanes, want 2", got)
	}
	// Verdict lane: before, W1, W2 violated, W3, after: 3 held, 2 violated;
	// the control group's lane: 5 held.
	if got := count(out, `class="v-violated window"`); got != 2 {
		t.Errorf("%d violated windows in the chart, want 2", got)
	}
	if got := count(out, `class="v-held window"`); got != 3+5 {
		t.Errorf("%d held windows in the chart, want 8 (3 of the experiment group, 5 of the control group)", got)
	}
	if got := count(out, `<span class="v violated">violated</span>`); got < 2 {
		t.Errorf("windows table: %d violated cells, want at least 2", got)
	}
	for _, want := range []string{
		// Passed first: an expected deviation does not look like a failure.
		`<header class="head passed">`,
		`<div class="badge passed" id="outcome">passed · expected deviation</div>`,
		`<div class="badge small violated expected" id="verdict">deviated</div>`,
		`<title>passed · expected deviation (deviated): `,
		`<span class="pass">test passed</span>`,
		`data-samples="` + strconv.Itoa(len(r.samples)+len(r.ctrlSamples)) + `"`,
		`data-faults="2"`,
		`<meta name="chaostest:verdict" content="deviated">`,
		`<meta name="chaostest:passed" content="true">`,
		`http-equiv="Content-Security-Policy" content="default-src 'none';`,
		`>latency p99 &lt;= 300ms</text>`,                      // the bound's label
		`>error rate &lt;= 5% (success rate &gt;= 95%)</text>`, // the error-rate bound's label, in error-rate terms
		`<td>window 2</td>`,   // the windows table
		`>cache: down</text>`, // the second fault's lane
		`502 Bad Gateway: dial cache: connection refused`,
	} {
		if !strings.Contains(out, want) {
			t.Errorf("the report does not contain %s", want)
		}
	}
	text := html.UnescapeString(out)
	for _, want := range []string{
		"go test ./chaostest -run '^TestFake$/^fragile$'",
		"errors by kind: connection refused ×40",
		"latency p99 <= 300ms", "expected <= 300ms", "success rate >= 95%",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("the report does not show %q", want)
		}
	}
	if strings.Contains(out, "<script") {
		t.Errorf("the report has a script; it must need none")
	}
	checkInside(t, out, r)
}

// A window judged while the test machine was saturated is amber, with the
// reason beside its verdict.
func TestReportShowsWhyAWindowIsInconclusive(t *testing.T) {
	r := fakeRun(t, fakeSpec{twoFaults: true, saturated: true})
	if v := r.windows[2].result.Verdict; v != hypothesis.Inconclusive {
		t.Fatalf("window 3 is %v, want inconclusive: %s", v, r.windows[2].result.Summary())
	}
	out := page(t, r)
	if got := count(out, `class="v-inconclusive window"`); got != 1 {
		t.Errorf("%d inconclusive windows in the chart, want 1", got)
	}
	if !strings.Contains(out, `>W3 inconclusive</text>`) || !strings.Contains(out, `line2" `) || !strings.Contains(out, `>test machine saturated</text>`) {
		t.Errorf("the chart does not say why window 3 is inconclusive")
	}
	if !strings.Contains(out, `<span class="reason">inconclusive: the test machine was saturated`) {
		t.Errorf("the windows table does not give the reason of the inconclusive window")
	}
	if !strings.Contains(out, `<td class="warn">lag p90 60ms`) {
		t.Errorf("the load of the saturated window is not flagged")
	}
}

// blockOf is the SVG group of one group's panels.
func blockOf(t *testing.T, out, group string) string {
	t.Helper()
	i := strings.Index(out, `data-group="`+group+`"`)
	if i < 0 {
		t.Fatalf("no %s group in the chart", group)
	}
	j := strings.Index(out[i:], "</g>")
	return out[i : i+j]
}

var circleAt = regexp.MustCompile(`<circle class="sample [a-z]+" cx="([0-9.-]+)" cy="([0-9.-]+)"`)

// checkInside checks that every sample is drawn inside the plot.
func checkInside(t *testing.T, out string, r *record) {
	t.Helper()
	c := r.reportPage("").Chart
	for _, m := range circleAt.FindAllStringSubmatch(out, -1) {
		x, _ := strconv.ParseFloat(m[1], 64)
		y, _ := strconv.ParseFloat(m[2], 64)
		if x < c.X0 || x > c.X1 || y < 0 || y > c.H {
			t.Errorf("a sample at (%v, %v) is outside the plot [%v, %v] × [0, %v]", x, y, c.X0, c.X1, c.H)
			return
		}
	}
}

// A title, a test name and a fault name are the user's text: escaped, never markup.
func TestReportEscapesUserText(t *testing.T) {
	r := fakeRun(t, fakeSpec{name: `TestX/<img src=x onerror=alert(1)>`, title: `<script>alert("owned")</script> & "quotes"`})
	out := page(t, r)
	if strings.Contains(out, "<script") || strings.Contains(out, "<img") {
		t.Fatalf("user text reached the page as markup:\n%s", out[:min(len(out), 3000)])
	}
	for _, want := range []string{
		`<h1 id="title">&lt;script&gt;alert(&#34;owned&#34;)&lt;/script&gt; &amp; &#34;quotes&#34;</h1>`,
		`<meta name="chaostest:title" content="&lt;script&gt;alert(&#34;owned&#34;)&lt;/script&gt; &amp; &#34;quotes&#34;">`,
		`&lt;img src=x onerror=alert(1)&gt;`,
	} {
		if !strings.Contains(out, want) {
			t.Errorf("the report does not contain %s", want)
		}
	}
}

// The report goes next to the journal; with a journal directory of its own
// the index is regenerated beside it; the narrative names both.
func TestWriteReportNextToTheJournalAndIndex(t *testing.T) {
	dir := t.TempDir()
	t.Setenv(envJournal, dir)
	r := fakeRun(t, fakeSpec{twoFaults: true})
	r.rep.Journal = filepath.Join(dir, "TestFake_fragile.journal.json")
	writeRecord(t, r.rep.Journal, journalOf("TestFake/fragile", r.title, StatusDeviated, true, nil))
	ft := faket.New(r.test)
	(&runner{t: ft}).writeReport(r)
	if ft.Failed() {
		t.Fatalf("writeReport failed: %s", ft.Errors())
	}
	report := filepath.Join(dir, "TestFake_fragile.report.html")
	if _, err := os.Stat(report); err != nil {
		t.Fatal(err)
	}
	if want := "report: " + report + " (index of the directory: " + filepath.Join(dir, "index.html") + ")"; !strings.Contains(ft.Logs(), want) {
		t.Errorf("the narrative does not say %q:\n%s", want, ft.Logs())
	}
	idx, err := os.ReadFile(filepath.Join(dir, "index.html"))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(idx, []byte(`<a href="TestFake_fragile.report.html">TestFake/fragile</a>`)) {
		t.Errorf("the index does not link the report:\n%s", idx)
	}
	if tmp, _ := filepath.Glob(filepath.Join(dir, ".chaostest-*")); len(tmp) > 0 {
		t.Errorf("temporary files left behind: %v", tmp)
	}
}

// Without a directory shared by experiments (the test's own ArtifactDir)
// there is no index; a report that cannot be written fails the test.
func TestWriteReportFailureFailsTheTest(t *testing.T) {
	t.Setenv(envJournal, "")
	dir := t.TempDir()
	r := fakeRun(t, fakeSpec{})
	r.rep.Journal = filepath.Join(dir, "TestFake_fragile.journal.json")
	ft := faket.New(r.test)
	(&runner{t: ft}).writeReport(r)
	if ft.Failed() || !strings.Contains(ft.Logs(), "report: "+filepath.Join(dir, "TestFake_fragile.report.html")) {
		t.Fatalf("errors %q, log %q", ft.Errors(), ft.Logs())
	}
	if _, err := os.Stat(filepath.Join(dir, "index.html")); err == nil {
		t.Errorf("an index was written in a directory of one test")
	}

	blocker := filepath.Join(dir, "not-a-directory")
	if err := os.WriteFile(blocker, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	r = fakeRun(t, fakeSpec{})
	r.rep.Journal = filepath.Join(blocker, "TestFake_fragile.journal.json")
	ft = faket.New(r.test)
	(&runner{t: ft}).writeReport(r)
	if !strings.Contains(ft.Errors(), `chaostest: experiment "the fake service answers within 300 ms while its cache is slow": write the report: `) {
		t.Errorf("a report that cannot be written does not fail the test: errors %q", ft.Errors())
	}
}

// The bounds drawn are the ones the tolerances were judged against: read
// from the numbers hypothesis judged with, absolute and relative alike.
func TestBoundsReadFromTolerances(t *testing.T) {
	const none = -1.0
	t0 := time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)
	var samples []hypothesis.Sample
	for k := range 40 {
		at := t0.Add(time.Duration(k) * 25 * time.Millisecond)
		lat := time.Duration(5+k%5) * time.Millisecond
		samples = append(samples, hypothesis.Sample{Check: 0, Seq: k, Intended: at, Start: at, End: at.Add(lat), Latency: lat})
	}
	from, to := t0, t0.Add(time.Second)
	probe := hypothesis.ProbeFunc("api", func(context.Context) (any, error) { return nil, nil })
	judge := func(refs hypothesis.Refs, tols ...hypothesis.Tolerance) []hypothesis.ToleranceResult {
		h := hypothesis.New("bounds", hypothesis.Observe(probe, hypothesis.Every(25*time.Millisecond), hypothesis.Expect(tols...)))
		return hypothesis.EvaluateWith(h, samples, from, to, refs).Checks[0].Tolerances
	}
	control := hypothesis.EvaluateWith(hypothesis.New("twin", hypothesis.Observe(probe, hypothesis.Every(25*time.Millisecond))), samples, from, to, hypothesis.Refs{})
	ctrlP99 := control.Checks[0].P99
	results := judge(hypothesis.Refs{Control: &control},
		hypothesis.LatencyP(99, 300*time.Millisecond), hypothesis.LatencyMax(time.Second), hypothesis.SuccessRate(0.95),
		hypothesis.LatencyPRelative(99, hypothesis.Control, 2, 200*time.Millisecond), hypothesis.SuccessRateRelative(hypothesis.Control, 0.05),
		hypothesis.MaxErrors(0))
	results = append(results, judge(hypothesis.Refs{}, hypothesis.LatencyP(50, time.Second))...) // with the default success rate
	want := []struct {
		lat  time.Duration // 0: no latency bound
		rate float64       // the highest error rate allowed; none: no such bound
	}{
		{300 * time.Millisecond, none}, {time.Second, none}, {0, 0.05},
		{2*ctrlP99 + 200*time.Millisecond, none}, {0, 0.05}, {0, none},
		{0, 0}, {time.Second, none},
	}
	if len(results) != len(want) {
		t.Fatalf("%d tolerance results, want %d: %+v", len(results), len(want), results)
	}
	for i, tr := range results {
		c := want[i]
		if d, ok := latencyBound(tr); ok != (c.lat > 0) || d.Round(time.Microsecond) != c.lat.Round(time.Microsecond) {
			t.Errorf("%s (%s): latency bound %v (%v), want %v", tr.Text, tr.Expected, d, ok, c.lat)
		}
		f, ok := errorRateBound(tr)
		if ok != (c.rate != none) || (ok && (f < c.rate-1e-9 || f > c.rate+1e-9)) {
			t.Errorf("%s (%s): error-rate bound %v (%v), want %v", tr.Text, tr.Expected, f, ok, c.rate)
		}
	}
}

// BenchmarkWriteReport is what writing the report adds to an experiment,
// after its verdict: building the page, rendering it and writing it, for a
// realistic run (a 1s steady state before, three 1s windows, a 1s steady
// state after, a probe every 25ms: 201 samples, and as many in a control
// group). The README quotes its figure.
func BenchmarkWriteReport(b *testing.B) {
	r := fakeRun(b, fakeSpec{twoFaults: true, control: true})
	path := filepath.Join(b.TempDir(), "TestFake_fragile"+reportSuffix)
	var size int64
	for b.Loop() {
		if _, err := saveReport(r, path); err != nil {
			b.Fatal(err)
		}
	}
	if fi, err := os.Stat(path); err == nil {
		size = fi.Size()
	}
	b.ReportMetric(float64(len(r.samples)+len(r.ctrlSamples)), "samples")
	b.ReportMetric(float64(size)/1024, "KiB")
}
