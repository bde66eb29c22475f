package hostload

import (
	"context"
	"time"
)

// Source is where a sampler reads the load of its windows: the process-wide
// [Monitor] ([Acquire]), or, in unit tests on a fake clock, a fake that
// starts no goroutine of its own.
type Source interface {
	// Window summarises the load over [from, to).
	Window(from, to time.Time) Figures
	// Release gives back the source; Window still answers.
	Release()
}

type sourceKey struct{}

// WithSource returns a context under which [AcquireFor] calls acquire
// instead of [Acquire]. Unit tests running in a testing/synctest bubble give
// their samplers a fake this way: the process-wide monitor, shared by every
// bubble, would tie their fake clocks together.
func WithSource(ctx context.Context, acquire func() Source) context.Context {
	return context.WithValue(ctx, sourceKey{}, acquire)
}

// AcquireFor returns the source ctx carries (see [WithSource]), else the
// process-wide monitor of [Acquire].
func AcquireFor(ctx context.Context) Source {
	if acquire, ok := ctx.Value(sourceKey{}).(func() Source); ok && acquire != nil {
		return acquire()
	}
	return Acquire()
}

// Fixed is a [Source] whose every window has the same figures: unit tests
// of judgement on a fake clock use it.
type Fixed Figures

// Window returns the fixed figures.
func (f Fixed) Window(from, to time.Time) Figures { return Figures(f) }

// Release does nothing.
func (Fixed) Release() {}
