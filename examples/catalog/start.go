package catalog

import (
	"context"
	"net/http/httptest"
	"time"
)

// T is what Start needs of a test (*testing.T satisfies it).
type T interface {
	Helper()
	Errorf(format string, args ...any)
	FailNow()
	Cleanup(func())
}

// Running is a catalog service served over HTTP on a loopback address.
type Running struct {
	*Service
	URL string // base URL, e.g. "http://127.0.0.1:41234"
}

// Start runs a catalog service in the test process for the duration of t:
// the HTTP server and the service's clients are closed by t.Cleanup.
func Start(t T, cfg Config) *Running {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	svc, err := New(ctx, cfg)
	if err != nil {
		t.Errorf("start catalog: %v", err)
		t.FailNow()
	}
	srv := httptest.NewServer(svc.Handler())
	t.Cleanup(func() {
		srv.Close()
		svc.Close()
	})
	return &Running{Service: svc, URL: srv.URL}
}
