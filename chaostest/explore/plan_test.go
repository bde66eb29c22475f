package explore

import (
	"context"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/go-resilience/resilience/chaostest"
	"github.com/go-resilience/resilience/fixtures/httpfault"
	"github.com/go-resilience/resilience/fixtures/netfault"
	"github.com/go-resilience/resilience/hypothesis"
)

// These tests check the explorer's plan, validation and drawing without
// running an experiment: they pass under -short.

func steady() *hypothesis.Hypothesis {
	return hypothesis.New("steady", hypothesis.Observe(hypothesis.ProbeFunc("ok", func(context.Context) (any, error) { return nil, nil })))
}

// system has a TCP-only dependency "cache" and an HTTP-only one "api".
func system(t *testing.T) System {
	upstream := httptest.NewServer(nil)
	t.Cleanup(upstream.Close)
	return System{Steady: steady(), Dependencies: []Dependency{
		TCP(netfault.New(t, upstream, netfault.Name("cache"))),
		HTTP(httpfault.New(t, upstream, httpfault.Name("api"))),
	}}
}

func TestBadOptionsAreOneLineErrorsNamingTheField(t *testing.T) {
	for _, tc := range []struct {
		opt  Option
		want string
	}{
		{Faults(), "Faults: none; accepted: at least one fault"},
		{Faults(Down(), Down()), `Faults: "down" twice`},
		{Faults(Fault{}), "Faults: fault 1 is a zero Fault"},
		{Faults(Latency(0)), "explore.Latency: 0s out of range; accepted: >= 1ms"},
		{Faults(Bandwidth(10)), "explore.Bandwidth: 10 bytes/s out of range; accepted: >= 1000"},
		{Faults(Status(42)), "explore.Status: 42 out of range; accepted: 100 to 599"},
		{Faults(Custom("", nil, nil)), "explore.Custom: name empty"},
		{Faults(Custom("a/b", func(p *netfault.Proxy) chaostest.Fault { return p.Down() }, nil)), "a name with '/'"},
		{Faults(Custom("nothing", nil, nil)), "tcp and http both nil"},
		{Weakness("", "down"), "empty name"},
		{Weakness("cache", "down", nil), "reason 1 is nil"},
		{With(nil), "With: option 1 is nil"},
		{With(chaostest.ExpectDeviation()), "declare a cell's expected deviation with explore.Weakness"},
		{Parallel(0), "Parallel: 0 cells at once out of range; accepted: >= 1"},
		{nil, "option 1 is nil"},
	} {
		_, err := configure([]Option{tc.opt})
		require.Error(t, err, "%v", tc.opt)
		assert.Contains(t, err.Error(), tc.want)
		assert.NotContains(t, err.Error(), "\n")
	}
}

func TestBadSystemsAreOneLineErrors(t *testing.T) {
	p := netfault.New(t, "127.0.0.1:1", netfault.Name("cache"))
	for _, tc := range []struct {
		s    System
		want string
	}{
		{System{Dependencies: []Dependency{TCP(p)}}, "System.Steady: nil"},
		{System{Steady: steady()}, "System.Dependencies: none"},
		{System{Steady: steady(), Dependencies: []Dependency{{Name: "x"}}}, `System.Dependencies[0] "x": no proxy`},
		{System{Steady: steady(), Dependencies: []Dependency{TCP(p), TCP(p)}}, `name "cache" used twice`},
		{System{Steady: steady(), Dependencies: []Dependency{{Name: "a+b", TCP: p}}}, "a name with '+' or '/'"},
	} {
		err := tc.s.validate()
		require.Error(t, err)
		assert.Contains(t, err.Error(), tc.want)
	}
}

// A fault applies where the dependency has a proxy of its kind; the others
// are n/a, and so are never run nor declarable as weaknesses.
func TestPlanMarksWhatDoesNotApply(t *testing.T) {
	s := system(t)
	cfg, err := configure([]Option{Faults(Down(), Status(503), Latency(time.Second)), Pairs()})
	require.NoError(t, err)
	m := plan(s, cfg, 1)
	require.Equal(t, []string{"cache", "api", "cache+api"}, m.Dependencies)
	verdict := func(row, col string) Verdict { c, ok := m.Cell(row, col); require.True(t, ok); return c.Verdict }
	assert.Equal(t, NotRun, verdict("cache", "down"))
	assert.Equal(t, NotApplicable, verdict("cache", "HTTP 503"))
	assert.Equal(t, NotApplicable, verdict("api", "down"))
	assert.Equal(t, NotRun, verdict("api", "HTTP 503"))
	assert.Equal(t, NotApplicable, verdict("cache+api", "down"), "a pair's fault must apply to both")
	assert.Equal(t, NotRun, verdict("cache+api", "latency 1s"))

	cfg, err = configure([]Option{Faults(Down(), Status(503)), Weakness("api", "down")})
	require.NoError(t, err)
	err = check(s, cfg, plan(s, cfg, 1))
	require.Error(t, err)
	assert.Contains(t, err.Error(), `Weakness("api", "down"): matches no cell; rows: cache, api; columns: down, HTTP 503`)
}

// Each cell is validated as chaostest.Run would before any fault is
// applied: a bad cell option stops the exploration with one line.
func TestCellsAreValidatedFirst(t *testing.T) {
	s := system(t)
	cfg, err := configure([]Option{Faults(Down()), With(chaostest.Window(-time.Second))})
	require.NoError(t, err)
	err = check(s, cfg, plan(s, cfg, 1))
	require.Error(t, err)
	assert.Contains(t, err.Error(), "cell cache × down: Window")
}

// The order the cells start in is drawn from the seed: the same seed, the
// same order; another seed, another order.
func TestCellOrderReplaysWithTheSeed(t *testing.T) {
	s := system(t)
	cfg, err := configure(nil)
	require.NoError(t, err)
	m := plan(s, cfg, 1)
	first := m.order(42)
	assert.Equal(t, first, m.order(42))
	assert.NotEqual(t, first, m.order(43))
	assert.Len(t, first, 5+4, "cache: the 5 TCP faults (not Status); api: the 4 with an HTTP form (not Down, Bandwidth)")
}

func TestMatrixShowsVerdictsWeaknessesAndFailures(t *testing.T) {
	m := &Matrix{
		Test: "TestShop", Hypothesis: "the page answers", Dependencies: []string{"cache", "db"}, Faults: []string{"down", "latency 1s"},
		Seed: 7, Elapsed: 12 * time.Second,
		Cells: []Cell{
			{Dependency: "cache", Fault: "down", Verdict: Held, Passed: true},
			{Dependency: "cache", Fault: "latency 1s", Verdict: Deviated, Violated: []string{"latency p99 <= 300ms (observed 1.01s, during)"}},
			{Dependency: "db", Fault: "down", Verdict: Deviated, Weakness: true, Passed: true, Violated: []string{"success rate >= 95% (observed 0%, during)"}},
			{Dependency: "db", Fault: "latency 1s", Verdict: NotRun},
		},
	}
	assert.Equal(t, `fault space of TestShop ("the page answers"): 2 dependencies × 2 faults, 3 cells run in 12s, seed 7
        down        latency 1s
cache   held        deviated!
db      deviated*   not run

  cache × latency 1s: deviated, violated latency p99 <= 300ms (observed 1.01s, during) (expected held)
  db × down: deviated, violated success rate >= 95% (observed 0%, during)
  * a declared weakness (explore.Weakness): expected to deviate
  ! not the expected outcome: the cell's subtest failed`, m.String())
	require.Len(t, m.Failed(), 1)
	assert.Equal(t, "latency 1s", m.Failed()[0].Fault)
}
