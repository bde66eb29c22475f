package catalog

import (
	"context"
	"time"

	"github.com/go-resilience/resilience/examples/internal/serve"
)

// T is what Start needs of a test (*testing.T satisfies it).
type T = serve.T

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
	return &Running{Service: svc, URL: serve.Start(t, "start catalog", svc, err, svc.Close)}
}
