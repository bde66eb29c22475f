package chaostest_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/go-resilience/resilience/chaostest"
	"github.com/go-resilience/resilience/hypothesis"
	"github.com/go-resilience/resilience/internal/hostload"
	"github.com/go-resilience/resilience/internal/testkit/faket"
)

// newFakeT is a recording fake T named name (see testkit/faket). Its
// context gives the experiment's samplers a load source of their own, an
// idle host: the process-wide host monitor would tie together the fake
// clocks of the tests running in testing/synctest bubbles.
func newFakeT(name string) *faket.T {
	return faket.New(name).WithContext(withIdleHost(context.Background()))
}

// idleHost is the load of every window of this package's tests.
var idleHost = hostload.Fixed{Readings: 2, HostKnown: true, CPUs: 2, Busy: 0.1, SchedP99: 100 * time.Microsecond}

func withIdleHost(ctx context.Context) context.Context {
	return hostload.WithSource(ctx, func() hostload.Source { return idleHost })
}

// play runs body with t (f, or f with a deadline or an artifact
// directory) as a test would: see faket.Run.
func play(f *faket.T, t chaostest.T, body func(t chaostest.T)) {
	faket.Run(f, func() { body(t) })
}

// runExp plays Run(e) on a fresh recording T and returns both.
func runExp(name string, e Experiment) (*faket.T, chaostest.Report) {
	f := newFakeT(name)
	var rep chaostest.Report
	play(f, f, func(t chaostest.T) { rep = run(t, e) })
	return f, rep
}

// system is a fake system under test: healthy until a fault breaks it.
type system struct {
	broken  atomic.Bool
	slow    atomic.Int64 // added latency, ns
	calls   atomic.Int64
	panicky atomic.Bool
	// lingerUntil keeps the system broken until then (ns since epoch), as a
	// system that needs time to recover after the fault is gone.
	lingerUntil atomic.Int64
}

func (s *system) probe() hypothesis.Probe {
	return hypothesis.ProbeFunc("fake service", func(ctx context.Context) (any, error) {
		s.calls.Add(1)
		if s.panicky.Load() {
			panic("probe exploded")
		}
		if d := time.Duration(s.slow.Load()); d > 0 {
			select {
			case <-time.After(d):
			case <-ctx.Done():
				return nil, ctx.Err()
			}
		}
		if s.broken.Load() || time.Now().UnixNano() < s.lingerUntil.Load() {
			return nil, errors.New("service unavailable")
		}
		return "ok", nil
	})
}

// healthy is the hypothesis of the fake system: every probe succeeds.
func (s *system) healthy(tol ...hypothesis.Tolerance) *hypothesis.Hypothesis {
	if len(tol) == 0 {
		tol = []hypothesis.Tolerance{hypothesis.SuccessRate(1), hypothesis.MinSamples(3)}
	}
	return hypothesis.New("fake service is healthy",
		hypothesis.Observe(s.probe(), hypothesis.Every(10*time.Millisecond), hypothesis.Timeout(time.Second), hypothesis.Expect(tol...)))
}

// fakeFault records what happens to it.
type fakeFault struct {
	name      string
	onApply   func(ctx context.Context) error
	onRevert  func() error
	applied   atomic.Int64
	reverted  atomic.Int64
	journal   *[]string // shared order of events between faults
	journalMu *sync.Mutex
}

func newFault(name string) *fakeFault { return &fakeFault{name: name} }

func (f *fakeFault) note(what string) {
	if f.journal == nil {
		return
	}
	f.journalMu.Lock()
	defer f.journalMu.Unlock()
	*f.journal = append(*f.journal, what+" "+f.name)
}

func (f *fakeFault) Name() string { return f.name }

// faultTakes is how long a fake fault takes to apply or revert, before it
// changes the system. On testing/synctest's fake clock, a fault that took no
// time would change the system at the very instant of a probe's tick (the
// method's steps start on ticks of the schedule), and which of the two ran
// first would be the scheduler's choice.
const faultTakes = time.Millisecond

func (f *fakeFault) Apply(ctx context.Context) (chaostest.Revert, error) {
	time.Sleep(faultTakes)
	if f.onApply != nil {
		if err := f.onApply(ctx); err != nil {
			return nil, err
		}
	}
	f.applied.Add(1)
	f.note("on")
	return func(context.Context) error {
		time.Sleep(faultTakes)
		f.reverted.Add(1)
		f.note("off")
		if f.onRevert != nil {
			return f.onRevert()
		}
		return nil
	}, nil
}

// breaks returns a fault that breaks s while applied.
func breaks(s *system, name string) *fakeFault {
	f := newFault(name)
	f.onApply = func(context.Context) error { s.broken.Store(true); return nil }
	f.onRevert = func() error { s.broken.Store(false); return nil }
	return f
}

// order returns faults sharing one event log.
func order(names ...string) ([]*fakeFault, func() []string) {
	var log []string
	var mu sync.Mutex
	fs := make([]*fakeFault, len(names))
	for i, n := range names {
		fs[i] = newFault(n)
		fs[i].journal, fs[i].journalMu = &log, &mu
	}
	return fs, func() []string {
		mu.Lock()
		defer mu.Unlock()
		return append([]string(nil), log...)
	}
}

// short windows keep the package's tests fast.
func quick(h *hypothesis.Hypothesis, m chaostest.Method) Experiment {
	return Experiment{
		Title:       "fake service stays healthy",
		SteadyState: h,
		Method:      m,
		Before:      100 * time.Millisecond,
		Duration:    200 * time.Millisecond,
		Window:      100 * time.Millisecond,
		After:       100 * time.Millisecond,
		Seed:        42,
	}
}

func mustContain(t *testing.T, what, got string, wants ...string) {
	t.Helper()
	for _, w := range wants {
		if !strings.Contains(got, w) {
			t.Errorf("%s does not contain %q:\n%s", what, w, got)
		}
	}
}
