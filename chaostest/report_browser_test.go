package chaostest_test

import (
	"fmt"
	"image"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/go-resilience/resilience/chaostest"
	"github.com/go-resilience/resilience/hypothesis"
	"github.com/go-resilience/resilience/internal/testkit/browsertest"
	"github.com/go-resilience/resilience/internal/testkit/faket"
)

// The report of a fragile twin, as a person sees it in a browser: headless
// Chromium loads it with no console message, draws every sample and both
// faults' bands, says "deviated" and colours the violated windows; its
// screenshot is kept as an artifact (go test -artifacts -outputdir=DIR).
// Skips where no browser is installed; fails there under
// CHAOSTEST_REQUIRE_BROWSER=1 (set by .ci/run, and by make test under CI).
func TestReportInABrowser(t *testing.T) {
	browser := browsertest.Require(t)
	// Not parallel: the browser's CPU must not disturb the timing of the
	// package's parallel experiments, which wait until this test is done.
	t.Run("the console is heard", func(t *testing.T) {
		// Without this, "no console message" could mean a browser whose log
		// format changed.
		page := filepath.Join(t.TempDir(), "noisy.html")
		if err := os.WriteFile(page, []byte(`<!DOCTYPE html><html><body><script>console.error("heard")</script></body></html>`), 0o644); err != nil {
			t.Fatal(err)
		}
		got, err := browsertest.Load(t.Context(), browser, page)
		if err != nil {
			t.Fatal(err)
		}
		if len(got.Console) != 1 || !strings.Contains(got.Console[0], `"heard"`) {
			t.Fatalf("console messages %q, want the page's one error", got.Console)
		}
	})

	dir := t.ArtifactDir()
	s, rep := fragileTwinRun(t, dir)
	report := strings.TrimSuffix(rep.Journal, ".journal.json") + ".report.html"
	t.Logf("report: %s", report)

	page, err := browsertest.Load(t.Context(), browser, report)
	if err != nil {
		t.Fatal(err)
	}
	if len(page.Console) > 0 {
		t.Errorf("the page wrote to the console:\n%s", strings.Join(page.Console, "\n"))
	}
	dom := page.DOM
	samples := int(s.calls.Load())
	if got := strings.Count(dom, `<circle class="sample `); got != samples {
		t.Errorf("the page draws %d samples, want %d (every probe the run made)", got, samples)
	}
	if want := fmt.Sprintf(`data-samples="%d"`, samples); !strings.Contains(dom, want) {
		t.Errorf("the chart does not declare %s", want)
	}
	if got := strings.Count(dom, `class="shade fault-shade"`); got != 2 {
		t.Errorf("the page shades %d fault bands, want 2", got)
	}
	violated, held := 0, 0
	for _, res := range append(append([]hypothesis.Result{rep.Before}, rep.During...), rep.After) {
		switch res.Verdict {
		case hypothesis.Violated:
			violated++
		case hypothesis.Held:
			held++
		}
	}
	if got := strings.Count(dom, `class="v-violated window"`); got != violated || violated == 0 {
		t.Errorf("the page colours %d windows violated, want %d", got, violated)
	}
	if got := strings.Count(dom, `class="v-held window"`); got != held {
		t.Errorf("the page colours %d windows held, want %d", got, held)
	}
	for _, want := range []string{
		`id="outcome">passed · expected deviation</div>`,
		`class="head passed"`,
		`id="verdict">deviated</div>`,
		`<span class="pass">test passed</span>`,
		`errors by kind: service unavailable ×`,
		`<span class="v violated">violated</span>`,
		`>cache: latency +400ms</text>`,
		`>cache: down</text>`,
		`go test ./chaostest -run`, `^TestReportInABrowser$/^fragile$`,
	} {
		if !strings.Contains(dom, want) {
			t.Errorf("the page does not show %s", want)
		}
	}

	shot := filepath.Join(dir, "fragile-twin.report.png")
	if err := browsertest.Screenshot(t.Context(), browser, report, shot, 1200, 1500); err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshot: %s", shot)
	checkScreenshot(t, shot)

	indexInABrowser(t, browser, dir)
}

// indexInABrowser checks the index of dir, beside two cells of a grid run
// into it (one held, one failed): the grid in its verdicts' colours, and
// the filter by result, which needs no script: index.html#show-failed
// fades the cell that passed.
func indexInABrowser(t *testing.T, browser, dir string) {
	t.Helper()
	for _, c := range []struct {
		variant string
		fault   func(s *system) chaostest.Fault
	}{
		{"robust", func(*system) chaostest.Fault { return newFault("cache: down") }},
		{"fragile", func(s *system) chaostest.Fault { return breaks(s, "cache: down") }},
	} {
		s := &system{}
		e := quick(s.healthy(), chaostest.Inject(c.fault(s)))
		r := newFakeT("TestReportInABrowser/" + c.variant + "/cache/down")
		play(r, faket.ArtifactT{T: r, Dir: dir}, func(t chaostest.T) {
			chaostest.Run(t, e.SteadyState, e.Method, append(e.options(), chaostest.GridCell("TestReportInABrowser/"+c.variant, "cache", "down"))...)
		})
	}
	index, err := chaostest.IndexReports(dir)
	if err != nil {
		t.Fatal(err)
	}
	page, err := browsertest.Load(t.Context(), browser, index)
	if err != nil {
		t.Fatal(err)
	}
	if len(page.Console) > 0 {
		t.Errorf("the index wrote to the console:\n%s", strings.Join(page.Console, "\n"))
	}
	for _, want := range []string{
		`<table class="grid" data-grid="TestReportInABrowser">`,
		`<td class="cell c-held v-held passed"`, `<td class="cell c-violated v-deviated failed"`,
		`id="counts">2 passed, 1 failed`,
	} {
		if !strings.Contains(page.DOM, want) {
			t.Errorf("the index does not show %s", want)
		}
	}
	heldCell, deviatedCell := [3]uint8{0xd7, 0xec, 0xd8}, [3]uint8{0xf6, 0xd2, 0xd2}
	for _, v := range []struct {
		fragment       string
		held, deviated bool
	}{{"", true, true}, {"show-failed", false, true}, {"show-passed", true, false}} {
		shot := filepath.Join(dir, "index"+strings.TrimPrefix(v.fragment, "show")+".png")
		if err := browsertest.ScreenshotAt(t.Context(), browser, index, v.fragment, shot, 1200, 900); err != nil {
			t.Fatal(err)
		}
		t.Logf("screenshot of index.html#%s: %s", v.fragment, shot)
		img := decodePNG(t, shot)
		if n := pixels(img, heldCell); (n > 100) != v.held {
			t.Errorf("index.html#%s: %d pixels of a held cell's green, want it shown: %v", v.fragment, n, v.held)
		}
		if n := pixels(img, deviatedCell); (n > 100) != v.deviated {
			t.Errorf("index.html#%s: %d pixels of a deviated cell's red, want it shown: %v", v.fragment, n, v.deviated)
		}
	}
}

func decodePNG(t *testing.T, path string) image.Image {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatalf("the screenshot is not a PNG: %v", err)
	}
	return img
}

// fragileTwinRun runs the experiment of a fragile twin into dir: its cache
// is slow for the first window (every answer 400ms late), then down for
// the second (every answer an error); the third holds again.
func fragileTwinRun(t *testing.T, dir string) (*system, chaostest.Report) {
	t.Helper()
	s := &system{}
	h := hypothesis.New("the fragile twin answers fast",
		hypothesis.Observe(s.probe(), hypothesis.Every(10*time.Millisecond), hypothesis.Timeout(time.Second), hypothesis.Expect(hypothesis.SuccessRate(0.9), hypothesis.LatencyP(99, 200*time.Millisecond))))
	e := Experiment{
		Title:       "the fragile twin answers within 200 ms while its cache is slow, then down",
		SteadyState: h,
		Method: chaostest.Sequence(
			chaostest.Inject(slows(s, "cache: latency +400ms", 400*time.Millisecond), chaostest.For(500*time.Millisecond)),
			chaostest.Inject(breaks(s, "cache: down"), chaostest.For(500*time.Millisecond))),
		Before: 500 * time.Millisecond, Duration: 1500 * time.Millisecond, Window: 500 * time.Millisecond,
		After: 500 * time.Millisecond, ExpectDeviation: true, Seed: 7,
	}
	r := newFakeT("TestReportInABrowser/fragile")
	var rep chaostest.Report
	play(r, faket.ArtifactT{T: r, Dir: dir}, func(t chaostest.T) { rep = run(t, e) })
	if r.Failed() || rep.Status != chaostest.StatusDeviated {
		t.Fatalf("status %q, want deviated:\n%s\n%s", rep.Status, r.Logs(), r.Errors())
	}
	return s, rep
}

// checkScreenshot checks what the screenshot shows: the verdict's red, the
// held windows' green and the faults' shading, in the report's own colours;
// and at the top, a test that passed by deviating as expected: green, no
// red.
func checkScreenshot(t *testing.T, path string) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatalf("the screenshot is not a PNG: %v", err)
	}
	if b := img.Bounds(); b.Dx() != 1200 || b.Dy() != 1500 {
		t.Errorf("the screenshot is %v, want 1200×1500", b.Size())
	}
	red, green := [3]uint8{0xc6, 0x28, 0x28}, [3]uint8{0x2e, 0x7d, 0x32}
	head := cropped{img, image.Rect(0, 0, 1200, 110)}
	if n := pixels(head, red); n > 0 {
		t.Errorf("the header has %d red pixels: a test that passed by deviating as expected must not look failed", n)
	}
	if n := pixels(head, green); n < 200 {
		t.Errorf("the header has %d green pixels, want the passed badge and border", n)
	}
	for name, c := range map[string][3]uint8{
		"red of a violated window":  {0xc6, 0x28, 0x28},
		"green of a held window":    {0x2e, 0x7d, 0x32},
		"shading of a fault":        {0xec, 0xe3, 0xf9},
		"purple of a fault's lane":  {0x6a, 0x3f, 0xb5},
		"blue of a sample answered": {0x15, 0x65, 0xc0},
	} {
		if n := pixels(img, c); n < 50 {
			t.Errorf("the screenshot has %d pixels of the %s (#%02x%02x%02x), want it visible", n, name, c[0], c[1], c[2])
		}
	}
}

// cropped is the part of an image inside r.
type cropped struct {
	image.Image
	r image.Rectangle
}

func (c cropped) Bounds() image.Rectangle { return c.r.Intersect(c.Image.Bounds()) }

func pixels(img image.Image, c [3]uint8) int {
	n := 0
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			r, g, bl, _ := img.At(x, y).RGBA()
			if uint8(r>>8) == c[0] && uint8(g>>8) == c[1] && uint8(bl>>8) == c[2] {
				n++
			}
		}
	}
	return n
}
