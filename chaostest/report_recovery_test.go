package chaostest

import (
	"html"
	"strings"
	"testing"
	"time"

	"github.com/go-resilience/resilience/hypothesis"
)

// notRecoveredRun is the fake run of a service that deviated during the
// method and did not recover after it: n attempts after the faults, each
// as broken as the second window.
func notRecoveredRun(t *testing.T, n int) *record {
	t.Helper()
	r := fakeRun(t, fakeSpec{twoFaults: true, control: true})
	broken := r.windows[1].result
	if broken.Verdict != hypothesis.Violated {
		t.Fatalf("window 2 is %v, want violated", broken.Verdict)
	}
	r.afters, r.ctrlAfters = nil, nil
	for k := range n {
		a := broken
		a.From = r.rollbackEnd.Add(time.Duration(k) * r.after)
		a.To = a.From.Add(r.after)
		r.afters = append(r.afters, a)
		c := r.rep.ControlAfter
		c.From, c.To = a.From, a.To
		r.ctrlAfters = append(r.ctrlAfters, c)
	}
	r.rep.After = r.afters[n-1]
	r.rep.Deviations = append(r.rep.Deviations, Deviation{Phase: PhaseAfter, Offset: r.afters[n-1].From.Sub(r.methodStart), Result: r.afters[n-1]})
	return r
}

// A run that deviated during the method and did not recover says both in
// its headline: the first deviation, and that it did not recover.
func TestHeadlineSaysDidNotRecover(t *testing.T) {
	r := notRecoveredRun(t, 4)
	h := r.headline()
	if !strings.HasPrefix(h, "window 1 [+0s, +1s): ") || !strings.Contains(h, "; did not recover after the faults were reverted (4 attempts): violated") {
		t.Errorf("headline %q: want the first deviation and that it did not recover", h)
	}
	if h := fakeRun(t, fakeSpec{twoFaults: true}).headline(); strings.Contains(h, "did not recover") {
		t.Errorf("headline %q of a run that recovered says it did not", h)
	}
	out := html.UnescapeString(page(t, r))
	if !strings.Contains(out, "did not recover after the faults were reverted (4 attempts)") {
		t.Errorf("the report's head does not say the run did not recover")
	}
}

// Repeated attempts after the faults fold: the first and the last are rows
// of the windows table, the ones between are shown on demand.
func TestReportFoldsRepeatedAttemptsAfter(t *testing.T) {
	out := page(t, notRecoveredRun(t, 5))
	for _, want := range []string{
		`<td class="nw">after, attempt 1 of 5</td>`,
		`<td class="nw">after, attempt 5 of 5</td>`,
		`<details><summary>attempts 2–4 of 5: 3 violated (show)</summary>`,
	} {
		if !strings.Contains(out, want) {
			t.Errorf("the report does not contain %s", want)
		}
	}
	i, j := strings.Index(out, "<details>"), strings.Index(out, "</details>")
	if i < 0 || j < i {
		t.Fatal("no fold")
	}
	fold := out[i:j]
	for k, in := range map[string]bool{"attempt 1 of 5": false, "attempt 2 of 5": true, "attempt 3 of 5": true, "attempt 4 of 5": true, "attempt 5 of 5": false} {
		if strings.Contains(fold, k) != in {
			t.Errorf("%s inside the fold: %v, want %v", k, !in, in)
		}
	}
	// Two attempts: nothing to fold.
	if out := page(t, notRecoveredRun(t, 2)); strings.Contains(out, "<details>") {
		t.Errorf("two attempts folded")
	}
}

// The control group's panels carry the fault's shading and the bounds the
// experiment group was judged by (never drawn broken there: the control
// group was not judged against them); the error panel is tall enough to
// read a bound of 5%, labelled in error-rate terms.
func TestControlPanelsCarryShadingAndBounds(t *testing.T) {
	r := fakeRun(t, fakeSpec{twoFaults: true, control: true})
	// The control group's own hypothesis has no tolerance: the bounds it
	// shows are the experiment's.
	for i := range r.windows {
		for k := range r.windows[i].control.Checks {
			r.windows[i].control.Checks[k].Tolerances = nil
		}
	}
	c := r.reportPage("").Chart
	var ctrl block
	for _, b := range c.Blocks {
		if b.Group == "control" {
			ctrl = b
		}
	}
	if ctrl.Group == "" {
		t.Fatal("no control block")
	}
	for _, s := range c.Shades {
		if s.Y > ctrl.Lat.Y || s.Y+s.H < ctrl.Err.Y+ctrl.Err.H {
			t.Errorf("the fault's shading spans [%.1f, %.1f], not the control group's panels [%.1f, %.1f]", s.Y, s.Y+s.H, ctrl.Lat.Y, ctrl.Err.Y+ctrl.Err.H)
		}
	}
	latBounds, errBounds := 0, 0
	for _, l := range ctrl.Lat.Lines {
		if strings.HasPrefix(l.CSS, "bound") {
			latBounds++
			if l.CSS != "bound" {
				t.Errorf("a bound drawn %q in the control group's panel", l.CSS)
			}
		}
	}
	for _, l := range ctrl.Err.Lines {
		if strings.HasPrefix(l.CSS, "bound") {
			errBounds++
			if l.CSS != "bound" {
				t.Errorf("a bound drawn %q in the control group's panel", l.CSS)
			}
		}
	}
	// One latency and one success-rate bound in each of the 5 windows.
	if latBounds != 5 || errBounds != 5 {
		t.Errorf("the control group's panels draw %d latency and %d error-rate bounds, want 5 and 5", latBounds, errBounds)
	}
	// 5% of the error panel's height: at least 4 pixels above its floor.
	if h := ctrl.Err.H; h*0.05 < 4 {
		t.Errorf("the error panel is %.0f pixels tall: a 5%% bound lies %.1f pixels above 0%%", h, h*0.05)
	}
	labelled := false
	for _, l := range ctrl.Err.Labels {
		labelled = labelled || l.Text == "error rate <= 5% (success rate >= 95%)"
	}
	if !labelled {
		t.Errorf("the control group's error panel does not label the bound in error-rate terms: %+v", ctrl.Err.Labels)
	}
}
