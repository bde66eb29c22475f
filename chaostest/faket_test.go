package chaostest_test

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/go-resilience/resilience/chaostest"
	"github.com/go-resilience/resilience/hypothesis"
	"github.com/go-resilience/resilience/internal/hostload"
)

// recT is a recording fake of chaostest.T. Like testing.T, FailNow and Skipf
// stop the calling goroutine with runtime.Goexit, so the code under test
// runs on a goroutine of its own (see play), and cleanups run after it, in
// reverse order of registration.
type recT struct {
	name    string
	created time.Time

	mu       sync.Mutex
	logs     []string
	errs     []string
	skips    []string
	failed   bool
	failNow  bool
	cleanups []func()
	panicked any
}

func newRecT(name string) *recT { return &recT{name: name, created: time.Now()} }

// start is when the fake test started.
func (f *recT) start() time.Time { return f.created }

// Context gives the experiment's samplers a load source of their own, an
// idle host: the process-wide host monitor would tie together the fake
// clocks of the tests running in testing/synctest bubbles.
func (f *recT) Context() context.Context { return withIdleHost(context.Background()) }

// idleHost is the load of every window of this package's tests.
var idleHost = hostload.Fixed{Readings: 2, HostKnown: true, CPUs: 2, Busy: 0.1, SchedP99: 100 * time.Microsecond}

func withIdleHost(ctx context.Context) context.Context {
	return hostload.WithSource(ctx, func() hostload.Source { return idleHost })
}

func (f *recT) Helper()      {}
func (f *recT) Name() string { return f.name }
func (f *recT) Logf(format string, args ...any) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.logs = append(f.logs, fmt.Sprintf(format, args...))
}
func (f *recT) Errorf(format string, args ...any) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.errs = append(f.errs, fmt.Sprintf(format, args...))
	f.failed = true
}
func (f *recT) FailNow() {
	f.mu.Lock()
	f.failed, f.failNow = true, true
	f.mu.Unlock()
	runtime.Goexit()
}
func (f *recT) Failed() bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.failed
}
func (f *recT) Skipf(format string, args ...any) {
	f.mu.Lock()
	f.skips = append(f.skips, fmt.Sprintf(format, args...))
	f.mu.Unlock()
	runtime.Goexit()
}
func (f *recT) Cleanup(fn func()) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.cleanups = append(f.cleanups, fn)
}

func (f *recT) runCleanups() {
	for {
		f.mu.Lock()
		if len(f.cleanups) == 0 {
			f.mu.Unlock()
			return
		}
		fn := f.cleanups[len(f.cleanups)-1]
		f.cleanups = f.cleanups[:len(f.cleanups)-1]
		f.mu.Unlock()
		fn()
	}
}

func (f *recT) log() string    { f.mu.Lock(); defer f.mu.Unlock(); return strings.Join(f.logs, "\n") }
func (f *recT) errors() string { f.mu.Lock(); defer f.mu.Unlock(); return strings.Join(f.errs, "\n") }

// deadlineT is a recT with a deadline, like a test run with go test -timeout.
type deadlineT struct {
	*recT
	deadline time.Time
}

func (d deadlineT) Deadline() (time.Time, bool) { return d.deadline, true }

// artifactT is a recT with an artifact directory.
type artifactT struct {
	*recT
	dir string
}

func (a artifactT) ArtifactDir() string { return a.dir }

// play runs body as a test would: on its own goroutine, then the cleanups,
// also after FailNow, Skipf or a panic (which it records instead of
// crashing the test binary).
func play(f *recT, t chaostest.T, body func(t chaostest.T)) {
	done := make(chan struct{})
	go func() {
		defer close(done)
		defer f.runCleanups()
		defer func() {
			if p := recover(); p != nil {
				f.mu.Lock()
				f.panicked = p
				f.failed = true
				f.mu.Unlock()
			}
		}()
		body(t)
	}()
	<-done
}

// runExp plays Run(e) on a fresh recording T and returns both.
func runExp(name string, e Experiment) (*recT, chaostest.Report) {
	f := newRecT(name)
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
