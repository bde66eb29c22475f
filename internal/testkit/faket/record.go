package faket

// Helpers counts the calls of Helper: a helper that takes a T calls it
// first.
func (f *T) Helpers() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.helpers
}

// ErrorLines are the messages reported with Errorf, one per call.
func (f *T) ErrorLines() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.errs...)
}
