package inventory

import (
	"net"

	"google.golang.org/grpc"

	"github.com/go-resilience/resilience/examples/internal/serve"
)

// T is what Start needs of a test (*testing.T satisfies it).
type T = serve.T

// Running is a stock service served over HTTP on a loopback address.
type Running struct {
	*Service
	URL string // base URL, e.g. "http://127.0.0.1:41234"
}

// Start runs a stock service in the test process for the duration of t.
func Start(t T, cfg Config) *Running {
	t.Helper()
	svc, err := New(cfg)
	return &Running{Service: svc, URL: serve.Start(t, "start inventory", svc, err, func() { _ = svc.Close() })}
}

// StartUpstream runs the gRPC inventory service in the test process for the
// duration of t and returns its address ("127.0.0.1:port"), to put a proxy
// in front of.
func StartUpstream(t T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	serve.Check(t, "start inventory upstream", err)
	s := grpc.NewServer()
	RegisterUpstream(s)
	done := make(chan struct{})
	go func() { defer close(done); _ = s.Serve(ln) }()
	t.Cleanup(func() {
		s.Stop()
		<-done
	})
	return ln.Addr().String()
}
