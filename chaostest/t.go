package chaostest

import (
	"context"
	"time"
)

// T is the narrow testing interface of chaostest and fixtures; *testing.T and
// *testing.B satisfy it. It is an interface of this package, not testing.TB,
// so that the framework can be tested with a recording fake.
//
// Newer abilities are reached by type assertion when the value has them:
// Context() context.Context, Deadline() (time.Time, bool) and
// ArtifactDir() string.
type T interface {
	Helper()
	Name() string
	Logf(format string, args ...any)
	Errorf(format string, args ...any)
	FailNow()
	Failed() bool
	Skipf(format string, args ...any)
	Cleanup(func())
}

type deadliner interface{ Deadline() (time.Time, bool) }

type artifactDirer interface{ ArtifactDir() string }

// deadlineOf returns the time at which the test binary exceeds its -timeout.
func deadlineOf(t T) (time.Time, bool) {
	if d, ok := t.(deadliner); ok {
		return d.Deadline()
	}
	return time.Time{}, false
}

// artifactDirOf returns t.ArtifactDir() when t has it. ArtifactDir may call
// FailNow when it cannot create the directory, as testing.T does; that is
// what a test would do with the error anyway.
func artifactDirOf(t T) string {
	if a, ok := t.(artifactDirer); ok {
		return a.ArtifactDir()
	}
	return ""
}

type contexter interface{ Context() context.Context }

// contextOf returns t.Context() when t has it (canceled just before t's
// cleanups run), else context.Background().
func contextOf(t T) context.Context {
	if c, ok := t.(contexter); ok {
		if ctx := c.Context(); ctx != nil {
			return ctx
		}
	}
	return context.Background()
}
