package chaostest

import (
	"bytes"
	_ "embed"
	"errors"
	"fmt"
	"html/template"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/go-resilience/resilience/hypothesis"
)

// The report: one self-contained HTML page per run, written next to its
// journal once the verdict is known. It needs no network and no script:
// the charts are inline SVG, the styles inline, and a Content-Security-Policy
// forbids anything else. It shows the timeline with the phases and each
// fault's on and off shaded; every sample's latency over time with the
// windows' p50 and p99 and the tolerance bounds; the errors and error rate
// per window; the control group beside the experiment group; each window's
// verdict in colour, with the reason when inconclusive and the load it was
// judged under; the violated tolerances with expected and observed figures;
// each applied fault with the time its apply took and its reach (reach.go);
// and the command that reproduces the run. In a journal directory shared by
// experiments (-chaostest.journal, go test -artifacts), index.html lists
// every run in it, from the journals (see reportindex.go). The page is drawn by reportchart.go and the
// templates in report.tmpl; every text a user wrote goes through
// html/template's escaping.

// reportSuffix ends the file name of every report: the journal's name with
// ".journal.json" replaced, e.g. "TestCatalog_slow_cache.report.html".
const reportSuffix = ".report.html"

// reportPath is where the report of the run whose journal is at journal goes.
func reportPath(journal string) string {
	base := strings.TrimSuffix(journal, ".journal.json")
	if base == journal {
		base = strings.TrimSuffix(journal, filepath.Ext(journal))
	}
	return base + reportSuffix
}

// writeReport writes the run's report next to its journal and, in a journal
// directory shared by experiments (-chaostest.journal, or go test
// -artifacts's _artifacts), regenerates the directory's index. It
// runs after the verdict, so it never slows or changes the experiment; a
// failure fails the test, as a journal write failure does. Without a
// journal there is no report.
func (r *runner) writeReport(rec *record) {
	t := r.t
	t.Helper()
	if rec.rep.Journal == "" {
		return
	}
	path, err := saveReport(rec, reportPath(rec.rep.Journal))
	if err != nil {
		t.Errorf("chaostest: experiment %q: write the report: %v", rec.title, err)
		return
	}
	dir := indexDir(r.t, rec.rep.Journal)
	if dir == "" {
		if journalKept(r.t) {
			r.logf("report: %s", path)
		}
		return
	}
	index, err := writeIndex(dir)
	if err != nil {
		t.Errorf("chaostest: experiment %q: write the index of reports: %v", rec.title, err)
		return
	}
	r.logf("report: %s (index of the directory: %s)", path, index)
}

// saveReport renders the report of rec and writes it to path, through a temporary
// file renamed into place, so that no reader (the index of a concurrent
// test process) ever sees half a report. A bug in the rendering is an
// error of the report, never a crash of the test.
func saveReport(rec *record, path string) (_ string, err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("render the report: panic: %v", p)
		}
	}()
	var buf bytes.Buffer
	journal := ""
	if rec.rep.Journal != "" {
		journal = filepath.Base(rec.rep.Journal)
	}
	if err := renderReport(&buf, rec.reportPage(journal)); err != nil {
		return "", err
	}
	return path, writeFileAtomic(path, buf.Bytes())
}

// writeFileAtomic writes data to path through a temporary file in the same
// directory, renamed over path once complete.
func writeFileAtomic(path string, data []byte) error {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	f, err := os.CreateTemp(dir, ".chaostest-*.tmp")
	if err != nil {
		return err
	}
	_, werr := f.Write(data)
	cerr := f.Chmod(0o644)
	if err := errors.Join(werr, cerr, f.Close()); err != nil {
		os.Remove(f.Name())
		return err
	}
	if err := os.Rename(f.Name(), path); err != nil {
		os.Remove(f.Name())
		return err
	}
	return nil
}

//go:embed report.tmpl
var reportTemplateText string

// reportTemplates are the report's and the index's pages. The functions do
// the little arithmetic of the chart's layout, and print coordinates with
// one decimal.
var reportTemplates = template.Must(template.New("report.tmpl").Funcs(template.FuncMap{
	"f": func(v float64) string { return strconv.FormatFloat(v, 'f', 1, 64) },
	"plus": func(vs ...float64) float64 {
		s := 0.0
		for _, v := range vs {
			s += v
		}
		return s
	},
	"minus":     func(a, b float64) float64 { return a - b },
	"half":      func(v float64) float64 { return v / 2 },
	"hasPrefix": strings.HasPrefix,
}).Parse(reportTemplateText))

// renderReport writes the HTML page of p.
func renderReport(w io.Writer, p reportPage) error {
	return reportTemplates.ExecuteTemplate(w, "report", p)
}

// reportPage is everything the report shows, computed from the run.
type reportPage struct {
	Title     string
	Test      string
	Status    string // the run's Status
	StatusCSS string // its class: held, violated, inconclusive, notsteady, aborted
	Passed    bool
	// Outcome is what is seen first: whether the test passed, and when it
	// passed by deviating, that the deviation was expected ("passed ·
	// expected deviation"); OutcomeCSS is passed or failed.
	Outcome    string
	OutcomeCSS string
	Expect     string
	Note       string // what the run's status was, in words
	Abort      string // why the run ended early
	Hypothesis string
	Checks     []string
	Control    string // the control group's hypothesis, "" without one
	Method     string
	Seed       int64
	Started    string
	Duration   string
	Reproduce  string
	Journal    string // the journal's file name, beside the report
	Headline   string // one line on what decided the verdict
	Chart      chart
	Windows    []windowRow
	Violations []violationRow
	Faults     []faultRow // each applied fault, with its reach
	Events     []eventRow
	Meta       []metaTag // the run's outcome in the page's head, for tools that read pages
}

// windowRow is one judged window in the windows table.
type windowRow struct {
	Label    string
	Span     string
	Faults   string
	Exp      groupCells
	Ctrl     *groupCells // nil without a control group
	Load     string
	LoadWarn bool // the harness could not keep its schedule, or the host was saturated
	// HasControl: the run has a control group, and the table its column.
	HasControl bool
	// More are attempts after the faults that the table folds away (the
	// ones between the first and the last), shown on demand; this row is
	// then only their fold, summed up in MoreSummary.
	More        []windowRow
	MoreSummary string
}

// groupCells are one group's figures over a window.
type groupCells struct {
	Verdict    string
	VerdictCSS string
	Samples    int
	Errors     int
	ErrorRate  string
	P50        string
	P99        string
	Max        string
	Reason     string // why inconclusive
	ErrorKinds string // the errors by kind of a window that did not hold, "status 404 ×20, connection refused ×2"
	// Checks are each judged check's figures when there are several: the
	// group's row then adds none of them together.
	Checks []checkCells
}

// checkCells are one check's figures over a window.
type checkCells struct {
	Probe      string
	Verdict    string
	VerdictCSS string
	Samples    int
	Errors     int
	ErrorRate  string
	P50        string
	P99        string
	Max        string
	ErrorKinds string
}

// violationRow is one tolerance that did not hold.
type violationRow struct {
	Window     string
	Group      string
	Probe      string
	Tolerance  string
	Verdict    string
	VerdictCSS string
	Expected   string
	Observed   string
}

// eventRow is a moment of the timeline.
type eventRow struct {
	at   time.Duration
	At   string
	Kind string
	Text string
	CSS  string
}

// metaTag is a <meta name="chaostest:NAME" content="..."> of the page's head.
type metaTag struct{ Name, Content string }

// judged is a window of the run as the report draws it: its span, its label
// and both groups' results.
type judged struct {
	label    string
	short    string // the label in the chart's verdict lane
	from, to time.Time
	res      hypothesis.Result
	ctrl     hypothesis.Result // zero without a control group
	faults   []string
}

// judgedWindows lists the windows of the run in order: the steady state
// before, each judged window of the method, every attempt after.
func (rec *record) judgedWindows() []judged {
	var js []judged
	rep := rec.rep
	if !rep.Before.From.IsZero() {
		js = append(js, judged{label: "before", short: "before", from: rep.Before.From, to: rep.Before.To, res: rep.Before, ctrl: rep.ControlBefore})
	}
	for i, w := range rec.windows {
		if !w.judged {
			continue
		}
		js = append(js, judged{label: fmt.Sprintf("window %d", i+1), short: fmt.Sprintf("W%d", i+1),
			from: rec.methodStart.Add(w.from), to: rec.methodStart.Add(w.to), res: w.result, ctrl: w.control, faults: w.faults})
	}
	for i, a := range rec.afters {
		j := judged{label: "after", short: "after", from: a.From, to: a.To, res: a}
		if len(rec.afters) > 1 {
			j.label = fmt.Sprintf("after, attempt %d of %d", i+1, len(rec.afters))
			j.short = fmt.Sprintf("after %d", i+1)
		}
		if i < len(rec.ctrlAfters) {
			j.ctrl = rec.ctrlAfters[i]
		}
		js = append(js, j)
	}
	return js
}

// reportPage builds the page of the finished run.
func (rec *record) reportPage(journal string) reportPage {
	rep := rec.rep
	expect := "the hypothesis to hold"
	if rec.expect == expectDeviation {
		expect = "a deviation (the experiment documents a known weakness)"
	}
	p := reportPage{
		Title:     rec.title,
		Test:      rec.test,
		Status:    string(rep.Status),
		StatusCSS: statusCSS(rep.Status),
		Passed:    rep.Passed,
		Outcome:   "failed", OutcomeCSS: "failed",
		Expect:    expect,
		Note:      rec.statusNote(),
		Seed:      rec.seed,
		Started:   rec.start.Format("2006-01-02 15:04:05 MST"),
		Duration:  fmtDur(rep.Duration),
		Reproduce: reproduceCommand(rec.test, rec.seed, rec.seedUsed),
		Journal:   journal,
		Method:    rec.method,
	}
	if rep.Passed {
		p.Outcome, p.OutcomeCSS = "passed", "passed"
		if rep.Status == StatusDeviated {
			p.Outcome = "passed · expected deviation"
		}
	}
	if rec.abort != "" {
		p.Abort = rec.abort
	}
	p.Hypothesis = rec.steady.title
	for _, c := range rec.steady.checks {
		p.Checks = append(p.Checks, c.text)
	}
	if rec.control != nil {
		p.Control = rec.control.title
	}
	js := rec.judgedWindows()
	for _, j := range js {
		p.Windows = append(p.Windows, rec.windowRow(j))
		p.Violations = append(p.Violations, violations(j.label, "experiment", j.res)...)
		if rec.control != nil && !j.ctrl.From.IsZero() {
			p.Violations = append(p.Violations, violations(j.label, "control", j.ctrl)...)
		}
	}
	p.Faults = rec.faultRows()
	p.Windows = foldAttempts(p.Windows)
	p.Events = rec.eventRows()
	p.Headline = rec.headline()
	p.Chart = rec.chart(js)
	p.Meta = []metaTag{
		{"verdict", p.Status},
		{"passed", strconv.FormatBool(p.Passed)},
		{"expect", rec.expect.String()},
		{"title", p.Title},
		{"test", p.Test},
		{"started", rec.start.UTC().Format(time.RFC3339)},
		{"duration", p.Duration},
		{"seed", strconv.FormatInt(rec.seed, 10)},
		{"headline", p.Headline},
	}
	return p
}

// statusNote says in words what the run's status was.
func (rec *record) statusNote() string {
	st := rec.rep.Status
	note := "the run " + string(st)
	switch {
	case st == StatusDeviated:
		note = "the run deviated"
	case st == StatusHeld:
		note = "the hypothesis held"
	case st == StatusNotSteady:
		note = "the run was not steady: the system was unhealthy before any fault, so the method never ran"
	case st == StatusInconclusive && len(rec.unreached()) > 0:
		note = "the run was inconclusive: a fault reached nothing, which never passes"
	case st == StatusInconclusive:
		note = "the run was inconclusive: some window could not be judged, which never passes"
	case st == StatusAborted:
		note = "the run was aborted"
	}
	if rec.expect == expectDeviation && st == StatusHeld {
		note += ": the weakness this test documents may be fixed"
	}
	if rec.revertFailed {
		note += "; a fault's revert failed"
	}
	return note
}

// statusCSS is the class of a run's status.
func statusCSS(s Status) string {
	switch s {
	case StatusHeld:
		return "held"
	case StatusDeviated:
		return "violated"
	case StatusInconclusive:
		return "inconclusive"
	case StatusNotSteady:
		return "notsteady"
	}
	return "aborted"
}

// headline is one line on what decided the verdict: the first violated
// window, else the first window that could not be judged, else the result
// of the last window judged.
func (rec *record) headline() string {
	if rec.abort != "" {
		return "aborted: " + rec.abort
	}
	if un := rec.unreached(); len(un) > 0 {
		return unreachedLine(un[0])
	}
	if len(rec.rep.Deviations) > 0 {
		d := rec.rep.Deviations[0]
		if d.Phase == PhaseAfter {
			return "did not recover after the faults were reverted: " + d.Result.Summary()
		}
		h := fmt.Sprintf("%s, window at %s: %s", d.Phase, fmtOffset(d.Offset), d.Result.Summary())
		for i, w := range rec.windows {
			if w.judged && w.from == d.Offset {
				h = fmt.Sprintf("window %d [%s, %s): %s", i+1, fmtOffset(w.from), fmtOffset(w.to), d.Result.Summary())
				break
			}
		}
		return h + rec.notRecoveredToo()
	}
	js := rec.judgedWindows()
	for _, j := range js {
		if j.res.Verdict != hypothesis.Held {
			return j.label + ": " + j.res.Summary()
		}
		if rec.control != nil && !j.ctrl.From.IsZero() && j.ctrl.Verdict != hypothesis.Held {
			return j.label + ", control group: " + j.ctrl.Summary()
		}
	}
	if len(js) > 0 {
		return "every window held; " + js[len(js)-1].label + ": " + js[len(js)-1].res.Summary()
	}
	return string(rec.rep.Status)
}

// notRecoveredToo is what the headline of a run that deviated during the
// method adds when it did not recover after the faults either: a
// deviation after is as much news as the first one.
func (rec *record) notRecoveredToo() string {
	for _, d := range rec.rep.Deviations[1:] {
		if d.Phase != PhaseAfter {
			continue
		}
		attempts := ""
		if n := len(rec.afters); n > 1 {
			attempts = fmt.Sprintf(" (%d attempts)", n)
		}
		return "; did not recover after the faults were reverted" + attempts + ": " + d.Result.Summary()
	}
	return ""
}

func (rec *record) windowRow(j judged) windowRow {
	o := rec.origin()
	w := windowRow{
		Label:  j.label,
		Span:   fmtOffset(j.from.Sub(o)) + " … " + fmtOffset(j.to.Sub(o)),
		Faults: faultList(j.faults),
		Exp:    cells(j.res),
	}
	if j.label == "before" || strings.HasPrefix(j.label, "after") {
		w.Faults = "—"
	}
	if rec.control != nil {
		w.HasControl = true
		if !j.ctrl.From.IsZero() {
			c := cells(j.ctrl)
			w.Ctrl = &c
		}
	}
	w.Load, w.LoadWarn = briefLoad(j.res)
	return w
}

// cells are a result's figures: its one judged check's, or with several,
// each check's in Checks (never added together).
func cells(res hypothesis.Result) groupCells {
	g := groupCells{Verdict: res.Verdict.String(), VerdictCSS: res.Verdict.String()}
	var p50, p99, mx time.Duration
	var reasons []string
	var judged []hypothesis.CheckResult
	for _, c := range res.Checks {
		if !c.LoadOnly {
			judged = append(judged, c)
		}
	}
	if len(judged) > 1 {
		for _, c := range judged {
			cc := checkCells{Probe: c.Probe, Verdict: c.Verdict.String(), VerdictCSS: c.Verdict.String(), Samples: c.Samples, Errors: c.Errors, ErrorRate: "–"}
			if c.Samples > 0 {
				cc.ErrorRate = fmtPct(float64(c.Errors) / float64(c.Samples))
				cc.P50, cc.P99, cc.Max = fmtDur(c.P50), fmtDur(c.P99), fmtDur(c.Max)
			}
			if c.Verdict != hypothesis.Held {
				cc.ErrorKinds = hypothesis.ErrorCounts(c.ErrorKinds)
			}
			g.Checks = append(g.Checks, cc)
			if c.Verdict == hypothesis.Inconclusive && c.Reason != "" {
				reasons = append(reasons, c.Probe+": "+c.Reason)
			}
		}
		if res.Err != nil {
			reasons = append(reasons, res.Err.Error())
		}
		g.Reason = strings.Join(reasons, "; ")
		return g
	}
	for _, c := range judged {
		g.Samples += c.Samples
		g.Errors += c.Errors
		p50, p99, mx = max(p50, c.P50), max(p99, c.P99), max(mx, c.Max)
		if c.Verdict == hypothesis.Inconclusive && c.Reason != "" {
			reasons = append(reasons, c.Reason)
		}
		if c.Verdict != hypothesis.Held {
			g.ErrorKinds = hypothesis.ErrorCounts(c.ErrorKinds)
		}
	}
	if res.Err != nil {
		reasons = append(reasons, res.Err.Error())
	}
	g.Reason = strings.Join(reasons, "; ")
	g.ErrorRate = "–"
	if g.Samples > 0 {
		g.ErrorRate = fmtPct(float64(g.Errors) / float64(g.Samples))
		g.P50, g.P99, g.Max = fmtDur(p50), fmtDur(p99), fmtDur(mx)
	}
	return g
}

// briefLoad is the load a window was judged under, in a few words: how late
// the harness started its ticks (worst check) and the host's CPU. It reports
// whether either was saturated.
func briefLoad(res hypothesis.Result) (string, bool) {
	var worst hypothesis.Harness
	warn := false
	for _, c := range res.Checks {
		if c.Harness.LagP90 > worst.LagP90 || worst.Limit == 0 {
			worst = c.Harness
		}
		warn = warn || c.Harness.Saturated
	}
	s := fmt.Sprintf("lag p90 %s, max %s (limit %s)", fmtDur(worst.LagP90), fmtDur(worst.LagMax), worst.Limit)
	if worst.NotStarted > 0 {
		s += fmt.Sprintf(", %d not started", worst.NotStarted)
	}
	l := res.Load
	if l.Readings > 0 && l.HostKnown {
		s += fmt.Sprintf("; CPU %s busy, %.1f runnable on %d", fmtPct(l.Busy), l.RunQueue, l.CPUs)
		if l.PressureKnown {
			s += fmt.Sprintf(", pressure %s", fmtPct(l.Pressure))
		}
		warn = warn || l.HostSaturated()
	}
	return s, warn
}

// violations lists the tolerances of res that did not hold.
func violations(window, group string, res hypothesis.Result) []violationRow {
	var vs []violationRow
	for _, c := range res.Checks {
		for _, tr := range c.Tolerances {
			if tr.Verdict == hypothesis.Held {
				continue
			}
			vs = append(vs, violationRow{Window: window, Group: group, Probe: c.Probe, Tolerance: tr.Text,
				Verdict: tr.Verdict.String(), VerdictCSS: tr.Verdict.String(), Expected: tr.Expected, Observed: tr.Observed})
		}
	}
	return vs
}

// eventRows are the moments of the run: phases, faults on and off, failures.
func (rec *record) eventRows() []eventRow {
	o := rec.origin()
	var rows []eventRow
	add := func(at time.Time, kind, text, css string) {
		rows = append(rows, eventRow{at: at.Sub(o), At: fmtOffset(at.Sub(o)), Kind: kind, Text: text, CSS: css})
	}
	if !rec.rep.Before.From.IsZero() {
		add(rec.rep.Before.From, "before", "steady state before: "+rec.rep.Before.Summary(), "phase")
	}
	if !rec.methodStart.IsZero() {
		add(rec.methodStart, "method", rec.method, "phase")
	}
	for _, ev := range rec.events {
		css := "fault"
		if strings.Contains(ev.kind, "failed") {
			css = "failure"
		}
		add(ev.at, "fault "+ev.kind, ev.text, css)
	}
	if !rec.methodStart.IsZero() && !rec.rollbackEnd.IsZero() {
		add(rec.rollbackEnd, "rolled back", "every fault reverted", "phase")
	}
	if n := len(rec.afters); n > 0 {
		add(rec.afters[n-1].From, "after", "steady state after: "+rec.afters[n-1].Summary(), "phase")
	}
	sort.SliceStable(rows, func(i, j int) bool { return rows[i].at < rows[j].at })
	return rows
}

// fmtPct shows a share as a percentage with at most one decimal.
func fmtPct(f float64) string {
	s := strconv.FormatFloat(f*100, 'f', 1, 64)
	return strings.TrimSuffix(s, ".0") + "%"
}

// nouns is n with its noun, singular for one: "1 error", "3 errors".
func nouns(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}
