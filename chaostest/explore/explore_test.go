package explore_test

import (
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/go-resilience/resilience/chaostest"
	"github.com/go-resilience/resilience/chaostest/explore"
)

// The whole catalogue on three dependencies, two robust and one fragile:
// the matrix must say exactly which failures the shop survives. Every
// verdict follows from the mechanism (see shopSteadyState): a robust part
// costs at most its 250 ms timeout; a fragile one fails every page at once
// (down, reset, 503) or makes it wait past the probe's 1 s timeout (a 2 s
// latency, silence, a 4 KB answer at 1 KB/s). Either way pages fail: a
// deviation by errors, which no slowdown of a busy machine explains away.
func TestMatrixOfThreeDependencies(t *testing.T) {
	upstreams := map[string]string{}
	for _, n := range []string{"prices", "stock", "reviews"} {
		upstreams[n] = startUpstream(t, n)
	}
	build := shopSystem(upstreams, map[string]bool{"prices": true, "stock": true}, "prices", "stock", "reviews")
	catalogue := explore.Faults(explore.Latency(2*time.Second), explore.Down(), explore.Reset(),
		explore.Unresponsive(), explore.Bandwidth(1000), explore.Status(503))
	// One cell at a time: a cell's shop is six proxies and four servers in
	// this process, and go test ./... runs this package beside others
	// (twenty experiments at once in chaostest, a browser). With -race,
	// two shops at once beside them were starved for whole windows (pages
	// of 800 ms, both robust parts past their timeout: 503s); one at a
	// time they were not, beside a CPU hog too.
	weak := []explore.Option{catalogue, explore.Parallel(1),
		explore.Weakness("reviews", "*", chaostest.Violates(pagesSucceed))}
	m := explore.Run(t, build, weak...)

	require.Equal(t, []string{"prices", "stock", "reviews"}, m.Dependencies)
	require.Len(t, m.Faults, 6)
	for _, c := range m.Cells {
		if c.Verdict == explore.NotRun {
			continue // filtered out by -run
		}
		want := explore.Held
		if c.Dependency == "reviews" {
			want = explore.Deviated
		}
		assert.Equal(t, want, c.Verdict, "%s × %s", c.Dependency, c.Fault)
		assert.True(t, c.Passed, "%s × %s", c.Dependency, c.Fault)
	}
	assert.Empty(t, m.Failed())
}

// Pairs: the shop survives the loss of either robust dependency, not of
// both at once; only the pair's row shows it.
func TestPairsFindWhatSingleCellsMiss(t *testing.T) {
	upstreams := map[string]string{"prices": startUpstream(t, "prices"), "stock": startUpstream(t, "stock")}
	build := shopSystem(upstreams, map[string]bool{"prices": true, "stock": true}, "prices", "stock")
	m := explore.Run(t, build, explore.Faults(explore.Down()), explore.Pairs(),
		explore.Weakness("prices+stock", "down", chaostest.Violates(pagesSucceed)))

	require.Equal(t, []string{"prices", "stock", "prices+stock"}, m.Dependencies)
	for _, row := range m.Dependencies {
		c, ok := m.Cell(row, "down")
		require.True(t, ok)
		if c.Verdict == explore.NotRun {
			continue
		}
		want := explore.Held
		if row == "prices+stock" {
			want = explore.Deviated
			assert.True(t, c.Weakness)
		}
		assert.Equal(t, want, c.Verdict, row)
	}
}

// A cell that does not end as declared fails its subtest with a line
// naming the dependency, the fault and the violated tolerance. Checked on
// a copy of the test binary, whose failure is the point.
func TestFailedCellNamesDependencyFaultAndTolerance(t *testing.T) {
	if os.Getenv("EXPLORE_TEST_UNDECLARED") == "1" {
		upstreams := map[string]string{"reviews": startUpstream(t, "reviews")}
		// The fragile part's weakness is not declared: the cell must fail.
		explore.Run(t, shopSystem(upstreams, nil, "reviews"), explore.Faults(explore.Down()))
		return
	}
	if testing.Short() {
		t.Skip("runs an experiment in a copy of the test binary")
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestFailedCellNamesDependencyFaultAndTolerance$", "-test.v")
	cmd.Env = append(os.Environ(), "EXPLORE_TEST_UNDECLARED=1")
	out, err := cmd.CombinedOutput()
	require.Error(t, err, "the cell with an undeclared weakness passed:\n%s", out)
	s := string(out)
	assert.Contains(t, s, "explore: cell reviews × down: deviated, violated success rate >= 95%", s)
	assert.Contains(t, s, "(expected held)")
	assert.Contains(t, s, "--- FAIL: TestFailedCellNamesDependencyFaultAndTolerance/reviews/down")
	assert.Contains(t, s, "deviated!", "the matrix marks the failed cell")
	assert.True(t, strings.Contains(s, "-run '^TestFailedCellNamesDependencyFaultAndTolerance$/^reviews$/^down$'") ||
		strings.Contains(s, "TestFailedCellNamesDependencyFaultAndTolerance/reviews/down"), "a reproduce command for the cell")
}
