package faket

// Helpers counts the calls of Helper: a helper that takes a T calls it
// first.
func (f *T) Helpers() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.helpers
}

// Errors are the messages reported with Errorf, one per call.
func (f *T) Errors() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.errs...)
}

// Stopped reports whether FailNow was called.
func (f *T) Stopped() bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.stopped
}
