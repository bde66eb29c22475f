// Package faket is a recording fake of the project's narrow testing
// interface (chaostest.T), for the tests of helpers that stop a test (a bad
// input must fail the test with one line, and start nothing) and of
// chaostest's own lifecycle (what an experiment logs, reports and leaves
// registered as cleanups).
package faket

import (
	"context"
	"fmt"
	"runtime"
	"strings"
	"sync"
	"time"
)

// T records what a helper reports. FailNow and Skipf end the calling
// goroutine as testing.T's do, so Run runs the helper on a goroutine of its
// own. The zero T is named "fake" and has no context of its own.
type T struct {
	name string
	ctx  context.Context

	mu        sync.Mutex
	failed    bool
	failedNow bool
	skipped   bool
	msg       string
	logs      []string
	errs      []string
	panicked  any
	cleanups  []func()
	helpers   int // calls of Helper
}

// New returns a T named name, as testing.T.Name would show it.
func New(name string) *T { return &T{name: name} }

// WithContext gives f the context its Context returns, as testing.T's
// Context does; f itself is returned.
func (f *T) WithContext(ctx context.Context) *T {
	f.ctx = ctx
	return f
}

func (f *T) Helper() { f.mu.Lock(); f.helpers++; f.mu.Unlock() }

func (f *T) Name() string {
	if f.name == "" {
		return "fake"
	}
	return f.name
}

// Context is the context given with WithContext, else context.Background.
func (f *T) Context() context.Context {
	if f.ctx == nil {
		return context.Background()
	}
	return f.ctx
}

func (f *T) Logf(format string, args ...any) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.logs = append(f.logs, fmt.Sprintf(format, args...))
}

func (f *T) Errorf(format string, args ...any) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.failed = true
	line := fmt.Sprintf(format, args...)
	f.msg += line
	f.errs = append(f.errs, line)
}

// FailNow marks f failed and ends the calling goroutine, as testing.T's does.
func (f *T) FailNow() {
	f.mu.Lock()
	f.failed, f.failedNow = true, true
	f.mu.Unlock()
	runtime.Goexit()
}

func (f *T) Failed() bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.failed
}

func (f *T) Skipf(format string, args ...any) {
	f.mu.Lock()
	f.skipped = true
	f.msg += fmt.Sprintf(format, args...)
	f.mu.Unlock()
	runtime.Goexit()
}

func (f *T) Cleanup(fn func()) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.cleanups = append(f.cleanups, fn)
}

// Msg is everything reported with Errorf and Skipf.
func (f *T) Msg() string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.msg
}

// Errors are the messages reported with Errorf, one a line.
func (f *T) Errors() string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return strings.Join(f.errs, "\n")
}

// Logs are the lines logged with Logf, one a line.
func (f *T) Logs() string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return strings.Join(f.logs, "\n")
}

// Skipped reports whether Skipf was called.
func (f *T) Skipped() bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.skipped
}

// FailedNow reports whether FailNow was called.
func (f *T) FailedNow() bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.failedNow
}

// Panicked is the value the body given to Run panicked with, nil when it
// did not.
func (f *T) Panicked() any {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.panicked
}

// Cleanups counts the cleanups registered and not yet run.
func (f *T) Cleanups() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.cleanups)
}

// Run runs fn as a test body of f, on a goroutine of its own, then runs
// f's cleanups in reverse order of registration (and any they register),
// also after FailNow or Skipf. A panic of fn fails f and is kept for
// Panicked, instead of crashing the test binary.
func Run(f *T, fn func()) {
	done := make(chan struct{})
	go func() {
		defer close(done)
		defer func() {
			if p := recover(); p != nil {
				f.mu.Lock()
				f.panicked, f.failed = p, true
				f.mu.Unlock()
			}
		}()
		fn()
	}()
	<-done
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

// DeadlineT is a T with a deadline, like a test run with go test -timeout.
type DeadlineT struct {
	*T
	At time.Time
}

// Deadline is At, as testing.T.Deadline reports it.
func (d DeadlineT) Deadline() (time.Time, bool) { return d.At, true }

// ArtifactT is a T with an artifact directory, like testing.T.ArtifactDir.
type ArtifactT struct {
	*T
	Dir string
}

// ArtifactDir is Dir.
func (a ArtifactT) ArtifactDir() string { return a.Dir }
