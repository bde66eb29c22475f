package gateway

import (
	"net/http/httptest"
)

// T is what Start needs of a test (*testing.T satisfies it).
type T interface {
	Helper()
	Errorf(format string, args ...any)
	FailNow()
	Cleanup(func())
}

// Running is a gateway served over HTTP on a loopback address.
type Running struct {
	*Service
	URL string // base URL, e.g. "http://127.0.0.1:41234"
}

// Start runs a gateway in the test process for the duration of t.
func Start(t T, cfg Config) *Running {
	t.Helper()
	svc, err := New(cfg)
	if err != nil {
		t.Errorf("start gateway: %v", err)
		t.FailNow()
	}
	srv := httptest.NewServer(svc.Handler())
	t.Cleanup(func() {
		srv.Close()
		svc.Close()
	})
	return &Running{Service: svc, URL: srv.URL}
}

// StartUpstream runs the quote service in the test process for the duration
// of t and returns its address ("127.0.0.1:port"), to put a proxy in front of.
func StartUpstream(t T) string {
	t.Helper()
	srv := httptest.NewServer(Upstream())
	t.Cleanup(srv.Close)
	return srv.Listener.Addr().String()
}
