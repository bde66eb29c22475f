package explore

import (
	"cmp"
	"flag"
	"fmt"
	"hash/fnv"
	"math/rand/v2"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-resilience/resilience/chaostest"
)

// Cell defaults: short experiments, as many cells must fit in a test run.
// Each is long enough to judge: a one-second window holds 40 samples of a
// probe every 25 ms, enough for a p99; two windows during the fault; two
// seconds to recover (a breaker's half-open probe, a pool's redial).
var cellDefaults = []chaostest.Option{
	chaostest.Before(time.Second),
	chaostest.Duration(2 * time.Second),
	chaostest.Window(time.Second),
	chaostest.Recovery(2 * time.Second),
	chaostest.After(time.Second),
}

// Run explores the fault space of a system: one experiment (a cell) per
// dependency and fault of the catalogue, each a subtest of t named
// "dependency/fault" (go test -run 'TestX/redis/down' runs one cell, spaces
// in names become underscores), and returns the matrix of their verdicts,
// which it also logs.
//
// build makes one instance of the system for the test it is given: Run
// calls it once in t to learn the dependencies (the matrix's rows) and
// check every cell before any fault is applied, then once in each cell.
// Everything build starts with t.Cleanup ends with that test; build must
// not call t.Parallel (Run runs the cells concurrently itself). Run takes a
// *testing.T rather than a narrow interface because its cells are subtests
// and build starts fixtures with theirs. A cell's experiment is
// chaostest.Run of the system's steady state while the fault is on. Up to
// go test's -parallel cells run at once (by default as many as the machine
// has cores; Parallel sets another number), which is safe because each has
// its own system; Run returns when every cell has ended.
//
// Every cell must hold, except those declared with Weakness, which must
// deviate as declared. A cell that does not fails its subtest, with the
// experiment's message and a line naming dependency, fault and the
// violated tolerances.
//
// Randomness replays: the cells run with one seed (-chaostest.seed, else
// time-based), the matrix prints it, and the order the cells start in is
// drawn from it.
func Run(t *testing.T, build func(t *testing.T) System, opts ...Option) *Matrix {
	t.Helper()
	start := time.Now()
	cfg, err := configure(opts)
	if err == nil && build == nil {
		err = fmt.Errorf("build: nil; accepted: a function that makes the system for one cell")
	}
	if err != nil {
		t.Fatalf("explore: %v", err)
	}
	if testing.Short() {
		t.Skipf("explore: skipped under -short: every cell injects a fault and needs seconds of wall time")
	}
	seed, err := chaostest.ConfiguredSeed()
	if err != nil {
		t.Fatalf("explore: -chaostest.seed / CHAOSTEST_SEED must be an integer: %v", err)
	}
	probe := build(t)
	if err := probe.validate(); err != nil {
		t.Fatalf("explore: build: %v", err)
	}
	m := plan(probe, cfg, seed)
	m.Test = t.Name()
	if err := check(probe, cfg, m); err != nil {
		t.Fatalf("explore: %v", err)
	}

	// Cells start in an order drawn from the seed, at most -parallel at
	// once. t.Run may be called from several goroutines; each cell is a
	// subtest named "row/column", so -run selects rows and cells as if
	// they were nested.
	cells := m.order(seed)
	var mu sync.Mutex
	var wg sync.WaitGroup
	slots := make(chan struct{}, cmp.Or(cfg.parallel, parallelism()))
	for _, i := range cells {
		slots <- struct{}{}
		wg.Add(1)
		go func(c Cell) {
			defer func() { <-slots; wg.Done() }()
			t.Run(c.Dependency+"/"+c.Fault, func(t *testing.T) {
				defer func() {
					// Also when the cell stopped midway (FailNow, a skip).
					if t.Skipped() {
						c.Verdict = NotRun
					}
					mu.Lock()
					m.Cells[i] = c
					mu.Unlock()
				}()
				runCell(t, build, cfg, &c, seed, m.Hypothesis)
			})
		}(m.Cells[i])
	}
	wg.Wait()
	m.Elapsed = time.Since(start)
	t.Logf("explore: %s", m)
	return m
}

// plan lays out the matrix: rows for the dependencies (and pairs), columns
// for the faults, each cell not run yet or not applicable.
func plan(s System, cfg config, seed int64) *Matrix {
	m := &Matrix{Hypothesis: s.Steady.Title(), Seed: seed}
	names := s.names()
	m.Dependencies = slices.Clone(names)
	if cfg.pairs {
		for i := range names {
			for j := i + 1; j < len(names); j++ {
				m.Dependencies = append(m.Dependencies, names[i]+"+"+names[j])
			}
		}
	}
	for _, f := range cfg.faults {
		m.Faults = append(m.Faults, f.name)
	}
	for _, row := range m.Dependencies {
		deps := rowDependencies(s, row)
		for _, f := range cfg.faults {
			c := Cell{Dependency: row, Fault: f.name, Verdict: NotRun}
			for _, d := range deps {
				if !f.appliesTo(d) {
					c.Verdict = NotApplicable
				}
			}
			for _, w := range cfg.weaknesses {
				c.Weakness = c.Weakness || (c.Verdict != NotApplicable && w.matches(row, f.name))
			}
			m.Cells = append(m.Cells, c)
		}
	}
	return m
}

// check validates every cell's experiment as chaostest.Run would, and
// that every declared weakness matches a cell, before any fault is applied.
func check(s System, cfg config, m *Matrix) error {
	for _, w := range cfg.weaknesses {
		if !slices.ContainsFunc(m.Cells, func(c Cell) bool {
			return c.Verdict != NotApplicable && w.matches(c.Dependency, c.Fault)
		}) {
			return fmt.Errorf("%s: matches no cell; rows: %s; columns: %s (a cell marked n/a cannot be a weakness)",
				w, strings.Join(m.Dependencies, ", "), strings.Join(m.Faults, ", "))
		}
	}
	for _, c := range m.Cells {
		if c.Verdict == NotApplicable {
			continue
		}
		method, err := cellMethod(s, cfg, c)
		if err == nil {
			err = chaostest.Validate(s.Steady, method, cellOptions(cfg, c, 1, m.Hypothesis)...)
		}
		if err != nil {
			return fmt.Errorf("cell %s × %s: %v", c.Dependency, c.Fault, err)
		}
	}
	return nil
}

// runCell runs one cell's experiment on a system of its own and fills in
// c. Until the experiment ends the cell is inconclusive: one stopped
// midway is never a pass.
func runCell(t *testing.T, build func(t *testing.T) System, cfg config, c *Cell, seed int64, title string) {
	t.Helper()
	c.Verdict = Inconclusive
	s := build(t)
	if err := s.validate(); err != nil {
		t.Fatalf("explore: cell %s × %s: build: %v", c.Dependency, c.Fault, err)
	}
	method, err := cellMethod(s, cfg, *c)
	if err != nil {
		t.Fatalf("explore: cell %s × %s: %v", c.Dependency, c.Fault, err)
	}
	r := chaostest.Run(t, s.Steady, method, cellOptions(cfg, *c, seed, title)...)
	c.Report = r
	c.Verdict = verdictOf(r)
	c.Violated = violatedOf(r)
	c.Passed = r.Passed
	if c.failed() {
		t.Errorf("explore: cell %s", c.note())
	}
}

// cellMethod is the cell's fault, on its dependency or on both of a pair,
// for the whole method.
func cellMethod(s System, cfg config, c Cell) (chaostest.Method, error) {
	var f Fault
	for _, g := range cfg.faults {
		if g.name == c.Fault {
			f = g
		}
	}
	deps := rowDependencies(s, c.Dependency)
	if len(deps) == 0 {
		return nil, fmt.Errorf("the system build returned has no dependency %q; it has: %s", c.Dependency, strings.Join(s.names(), ", "))
	}
	var steps []chaostest.Step
	for _, d := range deps {
		if !f.appliesTo(d) {
			return nil, fmt.Errorf("%s does not apply to dependency %q as build returned it this time (its proxies changed)", f.name, d.name())
		}
		steps = append(steps, chaostest.Inject(f.on(d)))
	}
	return chaostest.Together(steps...), nil
}

// cellOptions are the options of a cell's experiment: the defaults, the
// user's, the seed, and the weakness it documents.
func cellOptions(cfg config, c Cell, seed int64, title string) []chaostest.Option {
	opts := []chaostest.Option{chaostest.Title(fmt.Sprintf("%s, with %s: %s", title, c.Dependency, c.Fault))}
	opts = append(opts, cellDefaults...)
	opts = append(opts, cfg.with...)
	opts = append(opts, chaostest.Seed(seed))
	if c.Weakness {
		var reasons []chaostest.Reason
		for _, w := range cfg.weaknesses {
			if w.matches(c.Dependency, c.Fault) {
				reasons = append(reasons, w.reasons...)
			}
		}
		opts = append(opts, chaostest.ExpectDeviation(reasons...))
	}
	return opts
}

// rowDependencies are the dependencies of a row: one, or the two of a pair.
func rowDependencies(s System, row string) []Dependency {
	var deps []Dependency
	for _, n := range strings.Split(row, "+") {
		d, ok := s.dependency(n)
		if !ok {
			return nil
		}
		deps = append(deps, d)
	}
	return deps
}

// order is the order the cells that apply start in, as indices into
// m.Cells, drawn from the seed.
func (m *Matrix) order(seed int64) []int {
	var cells []int
	for i, c := range m.Cells {
		if c.Verdict != NotApplicable {
			cells = append(cells, i)
		}
	}
	rng := rand.New(rand.NewPCG(uint64(seed), hashOf("explore order")))
	rng.Shuffle(len(cells), func(i, j int) { cells[i], cells[j] = cells[j], cells[i] })
	return cells
}

// parallelism is how many cells run at once: go test's -parallel (by
// default GOMAXPROCS).
func parallelism() int {
	if f := flag.Lookup("test.parallel"); f != nil {
		if n, err := strconv.Atoi(f.Value.String()); err == nil && n > 0 {
			return n
		}
	}
	return runtime.GOMAXPROCS(0)
}

func hashOf(s string) uint64 {
	h := fnv.New64a()
	_, _ = h.Write([]byte(s))
	return h.Sum64()
}
