// Package faket is a recording fake of the project's narrow testing
// interface (chaostest.T), for the tests of helpers that stop a test: a
// bad input must fail the test with one line, and start nothing.
package faket

import (
	"fmt"
	"runtime"
	"sync"
)

// T records what a helper reports. FailNow and Skipf end the calling
// goroutine as testing.T's do, so Run runs the helper on a goroutine of its
// own.
type T struct {
	mu       sync.Mutex
	failed   bool
	skipped  bool
	msg      string
	cleanups []func()
	helpers  int      // calls of Helper
	errs     []string // each Errorf's message
	stopped  bool     // FailNow was called
}

func (f *T) Helper()             { f.mu.Lock(); f.helpers++; f.mu.Unlock() }
func (f *T) Name() string        { return "fake" }
func (f *T) Logf(string, ...any) {}
func (f *T) Errorf(format string, args ...any) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.failed = true
	f.msg += fmt.Sprintf(format, args...)
	f.errs = append(f.errs, fmt.Sprintf(format, args...))
}
func (f *T) FailNow() { f.mu.Lock(); f.stopped = true; f.mu.Unlock(); runtime.Goexit() }
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

// Skipped reports whether Skipf was called.
func (f *T) Skipped() bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.skipped
}

// Cleanups counts the cleanups registered and not yet run.
func (f *T) Cleanups() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.cleanups)
}

// Run runs fn as a test body of f, on a goroutine of its own, then runs
// f's cleanups in reverse order of registration.
func Run(f *T, fn func()) {
	done := make(chan struct{})
	go func() {
		defer close(done)
		fn()
	}()
	<-done
	f.mu.Lock()
	cs := f.cleanups
	f.cleanups = nil
	f.mu.Unlock()
	for i := len(cs) - 1; i >= 0; i-- {
		cs[i]()
	}
}
