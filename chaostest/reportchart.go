package chaostest

import (
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/go-resilience/resilience/hypothesis"
)

// The report's chart: one inline SVG whose x axis is the run's time, from
// the first sample to the last window, in offsets from the method's start.
// From the top: lanes for the phases, one per fault (its on/off span, also
// shaded across every panel below), the experiment group's verdict per
// window and the control group's; then per check and group a latency panel
// (every sample, log scale, with each window's p50 and p99 and the latency
// bounds of its tolerances) and an error-rate panel (per window, with the
// success-rate bound). The geometry is computed here; report.tmpl draws it.

const (
	chartWidth  = 1100.0
	chartLeft   = 118.0 // lane labels and the latency axis
	chartRight  = 16.0
	laneHeight  = 20.0
	latHeight   = 170.0
	errHeight   = 96.0 // tall enough to read an error rate of a few percent against its bound
	minDecades  = 2.0
	charWidthPx = 6.3 // average width of a character of the lanes' 11px text
)

type chart struct {
	W, H    float64
	X0, X1  float64
	Lanes   []lane
	Shades  []rect // each fault's on/off span, across the lanes and panels below
	LegendY float64
	Blocks  []block
	Samples int // circles drawn, both groups
	Faults  int // faults shaded
}

type lane struct {
	Y, H     float64
	Label    string
	Bands    []band
	TwoLines bool // each band has a second, smaller line of text
}

// band is a span of a lane: a phase, a fault, a window's verdict.
type band struct {
	X, W    float64
	CSS     string
	Text    string
	Text2   string  // a second line, in a two-line lane
	TX      float64 // where the text starts (ends, with End)
	End     bool    // the text ends at TX: a mark near the chart's right edge
	TextCSS string
	Tip     string
	Verdict string // a verdict lane's: held, violated, inconclusive
}

type rect struct {
	X, Y, W, H float64
	Tip        string
}

// block is one group's view of one check: its latency and error panels.
type block struct {
	Title  string
	Group  string // experiment or control
	Lat    panel
	Err    panel
	XTicks []tick
	TicksY float64 // baseline of the x tick labels
}

type panel struct {
	Y, H   float64
	YTicks []tick
	Dots   []dot
	Lines  []segment
	Bars   []bar
	Labels []label
}

type tick struct {
	At   float64 // x or y
	Text string
}

type dot struct {
	X, Y float64
	CSS  string
	Tip  string
}

type segment struct {
	X1, X2, Y float64
	CSS       string
	Tip       string
}

type bar struct {
	X, Y, W, H float64
	CSS        string
	Tip        string
}

type label struct {
	X, Y float64
	Text string
	CSS  string
}

// timeAxis maps instants of the run to x.
type timeAxis struct {
	t0, origin time.Time
	span       time.Duration
	x0, x1     float64
}

func (a timeAxis) x(t time.Time) float64 {
	f := float64(t.Sub(a.t0)) / float64(a.span)
	return a.x0 + max(0, min(1, f))*(a.x1-a.x0)
}

// ticks are the x axis's labelled offsets from the method's start: about
// ten, on a 1-2-5 step.
func (a timeAxis) ticks() []tick {
	step := niceStep(float64(a.span) / 10)
	from := float64(a.t0.Sub(a.origin))
	to := from + float64(a.span)
	var ts []tick
	for v := math.Ceil(from/step) * step; v <= to; v += step {
		d := time.Duration(math.Round(v))
		ts = append(ts, tick{At: a.x(a.origin.Add(d)), Text: fmtOffset(d)})
	}
	return ts
}

// niceStep is the smallest 1, 2 or 5 × 10^k at least v.
func niceStep(v float64) float64 {
	if v <= 0 {
		return 1
	}
	e := math.Pow(10, math.Floor(math.Log10(v)))
	for _, m := range []float64{1, 2, 5, 10} {
		if m*e >= v {
			return m * e
		}
	}
	return 10 * e
}

// logAxis maps latencies to y on a log scale, lo at the bottom of the panel.
type logAxis struct {
	lo, hi float64 // nanoseconds, powers of ten
	y0, h  float64 // the panel's top and height
}

func newLogAxis(lo, hi time.Duration, y0, h float64) logAxis {
	l, u := float64(max(lo, time.Microsecond)), float64(max(hi, time.Microsecond))
	l = math.Pow(10, math.Floor(math.Log10(l)))
	u = math.Pow(10, math.Ceil(math.Log10(u*1.02)))
	if u/l < math.Pow(10, minDecades) {
		u = l * math.Pow(10, minDecades)
	}
	return logAxis{lo: l, hi: u, y0: y0, h: h}
}

func (a logAxis) y(d time.Duration) float64 {
	v := max(float64(d), a.lo)
	f := (math.Log10(v) - math.Log10(a.lo)) / (math.Log10(a.hi) - math.Log10(a.lo))
	return a.y0 + a.h - min(1, f)*a.h
}

// ticks are the decades, and 2 and 5 of each when there are few decades.
func (a logAxis) ticks() []tick {
	decades := math.Round(math.Log10(a.hi / a.lo))
	var ts []tick
	for v := a.lo; v <= a.hi*1.0001; v *= 10 {
		for _, m := range []float64{1, 2, 5} {
			if m > 1 && (decades > 3 || v*m > a.hi) {
				continue
			}
			d := time.Duration(v * m)
			ts = append(ts, tick{At: a.y(d), Text: d.String()})
		}
	}
	return ts
}

// chart lays out the run's chart over the windows js.
func (rec *record) chart(js []judged) chart {
	c := chart{W: chartWidth, X0: chartLeft, X1: chartWidth - chartRight}
	ax := rec.timeAxis(js, c.X0, c.X1)
	y := 6.0
	c.Lanes = append(c.Lanes, lane{Y: y, H: laneHeight, Label: "phase", Bands: rec.phaseBands(ax)})
	y += laneHeight + 4
	faultTop := y
	y = rec.faultLanes(&c, ax, y)
	c.Faults = len(c.Shades)
	y += 2
	c.Lanes = append(c.Lanes, lane{Y: y, H: 2*laneHeight - 6, Label: "verdict", Bands: verdictBands(ax, js, false), TwoLines: true})
	y += 2*laneHeight - 4
	if rec.control != nil {
		c.Lanes = append(c.Lanes, lane{Y: y, H: laneHeight - 4, Label: "control verdict", Bands: verdictBands(ax, js, true)})
		y += laneHeight - 2
	}
	c.LegendY = y + 16
	y += 30

	groups := []struct {
		name    string
		samples []hypothesis.Sample
	}{{"experiment", rec.samples}}
	if rec.control != nil {
		groups = append(groups, struct {
			name    string
			samples []hypothesis.Sample
		}{"control", rec.ctrlSamples})
	}
	for ci, chk := range rec.steady.checks {
		lo, hi := latencyRange(ci, js, rec.samples, rec.ctrlSamples)
		probe := chk.probe
		for _, g := range groups {
			b := block{Group: g.name}
			b.Title = fmt.Sprintf("%s group · %s · latency of every sample (log scale), then errors per window", g.name, probe)
			if g.name == "control" {
				b.Title = fmt.Sprintf("control group (no fault) · %s · same scales", probe)
			}
			y += 18
			b.Lat = panel{Y: y, H: latHeight}
			la := newLogAxis(lo, hi, y, latHeight)
			b.Lat.YTicks = la.ticks()
			b.Lat.Dots = sampleDots(ax, la, ci, g.samples)
			c.Samples += len(b.Lat.Dots)
			b.Lat.Lines, b.Lat.Labels = latencyLines(ax, la, ci, js, g.name == "control")
			y += latHeight + 12
			b.Err = panel{Y: y, H: errHeight}
			b.Err.YTicks = []tick{{At: y + errHeight, Text: "0%"}, {At: y + errHeight*3/4, Text: "error rate"}, {At: y + errHeight/2, Text: "50%"}, {At: y + 6, Text: "100%"}}
			b.Err.Bars, b.Err.Lines, b.Err.Labels = errorBars(ax, b.Err, ci, js, g.name == "control")
			y += errHeight
			b.XTicks = ax.ticks()
			b.TicksY = y + 13
			y += 26
			c.Blocks = append(c.Blocks, b)
		}
	}
	for i := range c.Shades {
		c.Shades[i].Y, c.Shades[i].H = faultTop, y-26-faultTop
	}
	c.H = y + 4
	return c
}

// faultLanes lays out a lane per applied fault from y on, each fault's
// shading across the chart, and returns the y below them.
func (rec *record) faultLanes(c *chart, ax timeAxis, y float64) float64 {
	for _, a := range rec.faults {
		l := lane{Y: y, H: laneHeight - 2, Label: fmt.Sprintf("fault %d", len(c.Lanes))}
		from := ax.x(a.applyStart)
		y += laneHeight
		if a.applyErr != nil {
			l.Bands = append(l.Bands, fitText(band{X: from, W: 2, CSS: "fault-failed", Text: "failed to apply: " + a.name, Tip: a.name + ": " + a.applyErr.Error()}, c.X1))
			c.Lanes = append(c.Lanes, l)
			continue
		}
		to, off := c.X1, "never reverted"
		if a.reverted() {
			to = ax.x(a.revertStart)
			off = fmt.Sprintf("off at %s (%s)", fmtOffset(a.revertStart.Sub(ax.origin)), a.revertedBy)
		}
		w := max(to-from, 1)
		tip := fmt.Sprintf("%s: on at %s, %s", a.name, fmtOffset(a.applyStart.Sub(ax.origin)), off)
		l.Bands = append(l.Bands, fitText(band{X: from, W: w, CSS: "fault", Text: a.name, Tip: tip}, c.X1))
		c.Lanes = append(c.Lanes, l)
		c.Shades = append(c.Shades, rect{X: from, W: w, Tip: tip})
	}
	return y
}

// timeAxis spans every sample and every window of the run.
func (rec *record) timeAxis(js []judged, x0, x1 float64) timeAxis {
	var t0, t1 time.Time
	widen := func(t time.Time) {
		if t.IsZero() {
			return
		}
		if t0.IsZero() || t.Before(t0) {
			t0 = t
		}
		if t1.IsZero() || t.After(t1) {
			t1 = t
		}
	}
	for _, ss := range [][]hypothesis.Sample{rec.samples, rec.ctrlSamples} {
		for _, s := range ss {
			widen(s.Intended)
		}
	}
	for _, j := range js {
		widen(j.from)
		widen(j.to)
	}
	widen(rec.methodStart)
	widen(rec.methodEnd)
	if !rec.methodStart.IsZero() {
		widen(rec.rollbackEnd)
	}
	if t0.IsZero() {
		t0 = rec.start
	}
	span := t1.Sub(t0)
	if span <= 0 {
		span = time.Second
	}
	pad := span / 100
	return timeAxis{t0: t0.Add(-pad), origin: rec.origin(), span: span + 2*pad, x0: x0, x1: x1}
}

// phaseBands are the phases of the run: the steady state before, the
// method, the rollback and the steady state after (with its recovery).
func (rec *record) phaseBands(ax timeAxis) []band {
	var bs []band
	add := func(from, to time.Time, css, text string) {
		if from.IsZero() || to.IsZero() {
			return
		}
		x, x2 := ax.x(from), ax.x(to)
		tip := fmt.Sprintf("%s: %s … %s", text, fmtOffset(from.Sub(ax.origin)), fmtOffset(to.Sub(ax.origin)))
		bs = append(bs, fitText(band{X: x, W: max(x2-x, 1), CSS: css, Text: text, Tip: tip}, ax.x1))
	}
	add(rec.rep.Before.From, rec.rep.Before.To, "ph-before", "before")
	if !rec.methodStart.IsZero() {
		add(rec.methodStart, rec.methodEnd, "ph-method", "method")
		if rec.rollbackEnd.Sub(rec.methodEnd) > 0 {
			add(rec.methodEnd, rec.rollbackEnd, "ph-rollback", "")
		}
	}
	if n := len(rec.afters); n > 0 {
		text := "after"
		if n > 1 || rec.recovery > 0 {
			text = fmt.Sprintf("recovery + after (%d attempt%s)", n, plural(n))
		}
		add(rec.rollbackEnd, rec.afters[n-1].To, "ph-after", text)
	}
	return bs
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}

// verdictBands colour each window by its verdict. Of the attempts after,
// which overlap, only the last (the one that decided) is drawn; the table
// lists them all.
func verdictBands(ax timeAxis, js []judged, control bool) []band {
	var bs []band
	lastAfter := -1
	for i, j := range js {
		if strings.HasPrefix(j.label, "after") {
			lastAfter = i
		}
	}
	for i, j := range js {
		if strings.HasPrefix(j.label, "after") && i != lastAfter {
			continue
		}
		res := j.res
		if control {
			res = j.ctrl
			if res.From.IsZero() {
				continue
			}
		}
		v := res.Verdict.String()
		x, x2 := ax.x(j.from), ax.x(j.to)
		why := shortReason(res)
		if why == "" {
			why = brokenSummary(res)
		}
		b := band{X: x + 1, W: max(x2-x-2, 1), CSS: "v-" + v, Verdict: v, Text: j.short + " " + v, Text2: why, Tip: j.label + ": " + res.Summary()}
		if control {
			b.Text, b.Text2 = v, ""
			if why != "" {
				b.Text += ": " + why
			}
		}
		bs = append(bs, fitText(b, ax.x1))
	}
	return bs
}

// brokenSummary says in a few words which tolerances a violated result
// broke, with the figure observed and the bound: "latency p99 805ms > 300ms".
func brokenSummary(res hypothesis.Result) string {
	if res.Verdict != hypothesis.Violated {
		return ""
	}
	var parts []string
	for _, c := range res.Checks {
		for _, tr := range c.Tolerances {
			if tr.Verdict != hypothesis.Violated {
				continue
			}
			name, op := tr.Text, ""
			if i := strings.Index(name, " <= "); i >= 0 {
				name, op = name[:i], " > "
			} else if i := strings.Index(name, " >= "); i >= 0 {
				name, op = name[:i], " < "
			}
			obs, _, _ := strings.Cut(tr.Observed, " ")
			part := name + " " + obs
			if b := boundFigure(tr.Expected); b != "" && op != "" {
				part += op + b
			}
			parts = append(parts, part)
		}
	}
	return strings.Join(slices.Compact(parts), ", ")
}

// shortReason says in a few words why a result is inconclusive, for its
// band; the windows table gives the reason in full.
func shortReason(res hypothesis.Result) string {
	if res.Verdict != hypothesis.Inconclusive {
		return ""
	}
	if res.Err != nil {
		return "invalid hypothesis"
	}
	for _, c := range res.Checks {
		switch r := c.Reason; {
		case r == "":
		case strings.HasPrefix(r, "the test machine was saturated"):
			return "test machine saturated"
		case strings.HasPrefix(r, "the harness started probes late"):
			return "harness started probes late"
		case strings.HasPrefix(r, "the control group"):
			return "control group violated too"
		case strings.Contains(r, "not started"):
			return "ticks not started"
		case strings.HasPrefix(r, "the probe never answered"):
			return "probe never answered"
		case strings.Contains(r, "fewer than") || r == "no sample in the window":
			return "too few samples"
		default:
			return r
		}
	}
	return ""
}

// fitText cuts a band's texts to its width, and starts them 4px in. The
// text of a mark (a fault that failed to apply) goes beside it, on the side
// with more room.
func fitText(b band, right float64) band {
	b.TX = b.X + 4
	width := b.W - 8
	switch {
	case b.CSS == "fault-failed":
		b.TextCSS = "faultfailedtext"
		width = right - b.TX
		if left := b.X - chartLeft - 4; width < float64(len([]rune(b.Text)))*charWidthPx && left > width {
			b.TX, b.End, width = b.X-4, true, left
			b.TextCSS += " end"
		}
	case b.CSS == "ph-method":
		b.TextCSS = "phtext light"
	case strings.HasPrefix(b.CSS, "ph-"):
		b.TextCSS = "phtext"
	case b.CSS == "v-inconclusive":
		b.TextCSS = "bandtext dark"
	default:
		b.TextCSS = "bandtext"
	}
	b.Text = cut(b.Text, int(width/charWidthPx))
	b.Text2 = cut(b.Text2, int(width/(charWidthPx*0.9)))
	return b
}

// cut shortens s to n characters, ending with "…" when cut.
func cut(s string, n int) string {
	rs := []rune(s)
	switch {
	case n >= len(rs):
		return s
	case n < 3:
		return ""
	}
	return string(rs[:n-1]) + "…"
}

// latencyRange is the span of the latency axis of check ci: every sample
// of both groups and every bound drawn.
func latencyRange(ci int, js []judged, groups ...[]hypothesis.Sample) (lo, hi time.Duration) {
	see := func(d time.Duration) {
		if d <= 0 {
			return
		}
		if lo == 0 || d < lo {
			lo = d
		}
		hi = max(hi, d)
	}
	for _, ss := range groups {
		for _, s := range ss {
			if s.Check == ci && !s.NotStarted {
				see(s.Latency)
			}
		}
	}
	for _, j := range js {
		for _, res := range []hypothesis.Result{j.res, j.ctrl} {
			if ci < len(res.Checks) {
				for _, tr := range res.Checks[ci].Tolerances {
					if d, ok := latencyBound(tr); ok {
						see(d)
					}
				}
			}
		}
	}
	if lo == 0 {
		lo, hi = time.Millisecond, 100*time.Millisecond
	}
	return lo, hi
}

// sampleDots are the samples of check ci, one circle each: a success, an
// error, or a tick the harness could not start (at the bottom).
func sampleDots(ax timeAxis, la logAxis, ci int, samples []hypothesis.Sample) []dot {
	ds := make([]dot, 0, len(samples))
	for _, s := range samples {
		if s.Check != ci {
			continue
		}
		d := dot{X: ax.x(s.Intended), Y: la.y(s.Latency), CSS: "ok"}
		at := fmtOffset(s.Intended.Sub(ax.origin))
		switch {
		case s.NotStarted:
			d.Y, d.CSS = la.y0+la.h-2, "notstarted"
			d.Tip = fmt.Sprintf("#%d at %s: not started (the harness had no free slot)", s.Seq, at)
		case s.Err != nil:
			d.CSS = "error"
			d.Tip = fmt.Sprintf("#%d at %s: %s, error: %s", s.Seq, at, fmtDur(s.Latency), clip(s.Err.Error(), 200))
		default:
			d.Tip = fmt.Sprintf("#%d at %s: %s", s.Seq, at, fmtDur(s.Latency))
		}
		ds = append(ds, d)
	}
	return ds
}

func clip(s string, n int) string {
	if rs := []rune(s); len(rs) > n {
		return string(rs[:n-1]) + "…"
	}
	return s
}

// check returns the result of check ci in the window, of the control group
// when control is set; false when the window has none.
func (j judged) check(ci int, control bool) (hypothesis.CheckResult, bool) {
	res := j.res
	if control {
		res = j.ctrl
	}
	if ci >= len(res.Checks) || res.From.IsZero() {
		return hypothesis.CheckResult{}, false
	}
	return res.Checks[ci], true
}

// latencyLines are each window's p50 and p99 of check ci, and the latency
// bounds its tolerances judged them against; each bound is labelled once.
func latencyLines(ax timeAxis, la logAxis, ci int, js []judged, control bool) ([]segment, []label) {
	var ls []segment
	var labels []label
	seen := map[string]bool{}
	for _, j := range js {
		cr, ok := j.check(ci, control)
		if !ok {
			continue
		}
		x1, x2 := ax.x(j.from), ax.x(j.to)
		if cr.Samples > 0 {
			ls = append(ls,
				segment{X1: x1, X2: x2, Y: la.y(cr.P50), CSS: "p50", Tip: j.label + ": p50 " + fmtDur(cr.P50)},
				segment{X1: x1, X2: x2, Y: la.y(cr.P99), CSS: "p99", Tip: j.label + ": p99 " + fmtDur(cr.P99)})
		}
		for _, tr := range boundsOf(j, ci) {
			d, ok := latencyBound(tr)
			if !ok {
				continue
			}
			css, tip := boundStyle(j, tr, control)
			ls = append(ls, segment{X1: x1, X2: x2, Y: la.y(d), CSS: css, Tip: tip})
			if !seen[tr.Text] {
				seen[tr.Text] = true
				labels = append(labels, label{X: x1 + 3, Y: la.y(d) - 3, Text: tr.Text, CSS: "boundlabel"})
			}
		}
	}
	return ls, labels
}

// errorBars are the error rate of check ci per window, with its count, and
// the highest error rate the success-rate tolerances allowed.
func errorBars(ax timeAxis, p panel, ci int, js []judged, control bool) ([]bar, []segment, []label) {
	var bs []bar
	var ls []segment
	var labels []label
	yOf := func(f float64) float64 { return p.Y + p.H - max(0, min(1, f))*p.H }
	seen := map[string]bool{}
	for _, j := range js {
		cr, ok := j.check(ci, control)
		if !ok {
			continue
		}
		x1, x2 := ax.x(j.from), ax.x(j.to)
		rate := 0.0
		if cr.Samples > 0 {
			rate = float64(cr.Errors) / float64(cr.Samples)
		}
		top := yOf(rate)
		bs = append(bs, bar{X: x1 + 1, W: max(x2-x1-2, 1), Y: top, H: p.Y + p.H - top, CSS: "errbar",
			Tip: fmt.Sprintf("%s: %s of %s (%s)", j.label, nouns(cr.Errors, "error", "errors"), nouns(cr.Samples, "sample", "samples"), fmtPct(rate))})
		if cr.Errors > 0 && x2-x1 > 40 {
			labels = append(labels, label{X: (x1 + x2) / 2, Y: max(top-3, p.Y+9), Text: fmt.Sprintf("%d/%d", cr.Errors, cr.Samples), CSS: "errcount"})
		}
		for _, tr := range boundsOf(j, ci) {
			f, ok := errorRateBound(tr)
			if !ok {
				continue
			}
			css, tip := boundStyle(j, tr, control)
			ls = append(ls, segment{X1: x1, X2: x2, Y: yOf(f), CSS: css, Tip: tip})
			if !seen[tr.Text] && f > 0 {
				seen[tr.Text] = true
				// In error-rate terms, as the panel is drawn: "error rate <= 5%".
				labels = append(labels, label{X: x1 + 3, Y: yOf(f) - 3, Text: fmt.Sprintf("error rate <= %s (%s)", fmtPct(f), tr.Text), CSS: "boundlabel"})
			}
		}
	}
	return bs, ls, labels
}

// boundsOf are the tolerances whose bounds the panels of check ci draw in
// window j: the experiment group's, in the control group's panels too, so
// that the unfaulted twin is read against the bounds the experiment was
// judged by.
func boundsOf(j judged, ci int) []hypothesis.ToleranceResult {
	cr, ok := j.check(ci, false)
	if !ok {
		return nil
	}
	return cr.Tolerances
}

// boundStyle is the class and tooltip of a bound: broken where the
// experiment group violated it; in the control group's panel, never
// broken (the control group was not judged against it) and said to be the
// experiment's.
func boundStyle(j judged, tr hypothesis.ToleranceResult, control bool) (css, tip string) {
	tip = fmt.Sprintf("%s: %s, expected %s, observed %s", j.label, tr.Text, tr.Expected, tr.Observed)
	if control {
		return "bound", fmt.Sprintf("%s: the experiment group's bound %s, expected %s", j.label, tr.Text, tr.Expected)
	}
	if tr.Verdict == hypothesis.Violated {
		return "bound broken", tip
	}
	return "bound", tip
}

// boundFigure is the bound a tolerance was judged against, as its Expected
// text shows it: the figure after the last " = " (a relative bound, as
// computed from its reference), else after "<= " or ">= "; "" when the text
// has no figure (a relative bound with no reference to compute it from).
func boundFigure(expected string) string {
	s := expected
	if i := strings.LastIndex(s, " = "); i >= 0 {
		s = s[i+3:]
	} else if strings.HasPrefix(s, "<= ") || strings.HasPrefix(s, ">= ") {
		s = s[3:]
	} else {
		return ""
	}
	if i := strings.IndexByte(s, ' '); i >= 0 {
		s = s[:i]
	}
	return s
}

// latencyBound is the latency a latency tolerance allowed in a window.
func latencyBound(tr hypothesis.ToleranceResult) (time.Duration, bool) {
	if !strings.HasPrefix(tr.Text, "latency ") || tr.Unit != hypothesis.UnitSeconds || tr.Bound <= 0 {
		return 0, false
	}
	return time.Duration(tr.Bound * float64(time.Second)), true
}

// errorRateBound is the highest error rate a success-rate tolerance allowed
// in a window.
func errorRateBound(tr hypothesis.ToleranceResult) (float64, bool) {
	if !strings.HasPrefix(tr.Text, "success rate ") || tr.Unit != hypothesis.UnitRatio {
		return 0, false
	}
	return min(1, max(0, 1-tr.Bound)), true
}
