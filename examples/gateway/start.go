package gateway

import "github.com/go-resilience/resilience/examples/internal/serve"

// T is what Start needs of a test (*testing.T satisfies it).
type T = serve.T

// Running is a gateway served over HTTP on a loopback address.
type Running struct {
	*Service
	URL string // base URL, e.g. "http://127.0.0.1:41234"
}

// Start runs a gateway in the test process for the duration of t.
func Start(t T, cfg Config) *Running {
	t.Helper()
	svc, err := New(cfg)
	return &Running{Service: svc, URL: serve.Start(t, "start gateway", svc, err, svc.Close)}
}

// StartUpstream runs the quote service in the test process for the duration
// of t and returns its address ("127.0.0.1:port"), to put a proxy in front of.
func StartUpstream(t T) string {
	t.Helper()
	return serve.HTTP(t, Upstream()).Listener.Addr().String()
}
