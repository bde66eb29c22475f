package explore

import (
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/go-resilience/resilience/chaostest"
	"github.com/go-resilience/resilience/fixtures/httpfault"
	"github.com/go-resilience/resilience/fixtures/netfault"
)

// Fault is one entry of the catalogue: a way a dependency can fail (slow,
// gone, cut, silent, squeezed, erroring), realised on whichever proxy the
// dependency has. A cell of the matrix is one Fault on one Dependency (or
// on a pair, with Pairs). Build it with Latency, Down, Reset,
// Unresponsive, Bandwidth, Status or Custom.
type Fault struct {
	name string
	tcp  func(p *netfault.Proxy) chaostest.Fault
	http func(p *httpfault.Proxy) chaostest.Fault
	err  error // a bad argument, reported by Run before anything starts
}

// Name is the fault as the matrix's column and the cell's subtest show it:
// "latency 1s", "down", "HTTP 503".
func (f Fault) Name() string { return f.name }

// String is Name.
func (f Fault) String() string { return f.name }

// appliesTo reports whether the fault can be made on d.
func (f Fault) appliesTo(d Dependency) bool {
	return (f.tcp != nil && d.TCP != nil) || (f.http != nil && d.HTTP != nil)
}

// on makes the fault on d: on its TCP proxy when both the fault and d have
// one (a network fault reaches every exchange), else on its HTTP proxy.
func (f Fault) on(d Dependency) chaostest.Fault {
	if f.tcp != nil && d.TCP != nil {
		return f.tcp(d.TCP)
	}
	return f.http(d.HTTP)
}

// Catalogue is the default list of faults, one per way a dependency
// commonly fails:
//
//	Latency(2*time.Second) past most clients' timeouts
//	Down()                 refused, open connections cut
//	Reset()                connections reset (TCP) or cut mid-answer (HTTP)
//	Unresponsive()         accepted, never answered
//	Bandwidth(1000)        1000 bytes a second: a saturated or lossy link
//	Status(503)            the dependency answers with an error
//
// Narrow or extend it with Faults: explore.Faults(append(explore.Catalogue(),
// mine)...). The latency should exceed the timeouts of the system under test,
// which only you know: a latency under them tests nothing. 2 s is also twice
// a probe's usual 1 s timeout: a system that waits for the dependency fails
// its requests rather than only slowing them down, a deviation by errors,
// which the slowdown of a busy machine cannot explain away (a latency
// bound can be: see the hypothesis package).
func Catalogue() []Fault {
	return []Fault{Latency(2 * time.Second), Down(), Reset(), Unresponsive(), Bandwidth(1000), Status(http.StatusServiceUnavailable)}
}

// Latency delays every answer of the dependency by d: each chunk of data
// it sends (netfault's Latency, downstream) or, through an HTTP proxy, the
// first byte of each answer (httpfault's Delay). Accepted: d >= 1ms.
func Latency(d time.Duration) Fault {
	f := Fault{
		name: "latency " + d.String(),
		tcp:  func(p *netfault.Proxy) chaostest.Fault { return p.Latency(d) },
		http: func(p *httpfault.Proxy) chaostest.Fault { return p.Delay(d) },
	}
	if d < time.Millisecond {
		f.err = fmt.Errorf("explore.Latency: %v out of range; accepted: >= 1ms", d)
	}
	return f
}

// Down takes the dependency away: new connections are refused and open
// ones cut (netfault's Down). TCP only.
func Down() Fault {
	return Fault{name: "down", tcp: func(p *netfault.Proxy) chaostest.Fault { return p.Down() }}
}

// Reset breaks every exchange: connections are reset as soon as they carry
// data (netfault's ResetPeer) or, through an HTTP proxy, every answer is cut
// mid-body (httpfault's Abort).
func Reset() Fault {
	return Fault{
		name: "reset",
		tcp:  func(p *netfault.Proxy) chaostest.Fault { return p.ResetPeer(0) },
		http: func(p *httpfault.Proxy) chaostest.Fault { return p.Abort() },
	}
}

// Unresponsive makes the dependency silent: connections are accepted and
// requests taken, but nothing answers until the fault ends (netfault's
// Timeout(0), or httpfault's Hang). Only a client's own timeout gets it
// out.
func Unresponsive() Fault {
	return Fault{
		name: "unresponsive",
		tcp:  func(p *netfault.Proxy) chaostest.Fault { return p.Timeout(0) },
		http: func(p *httpfault.Proxy) chaostest.Fault { return p.Hang() },
	}
}

// Bandwidth squeezes the dependency's answers to bytesPerSecond (netfault's
// Bandwidth; accepted: >= 1000). TCP only. A squeeze hurts in proportion to
// the size of the answers: 1 KB/s costs a 100-byte answer 100 ms.
func Bandwidth(bytesPerSecond int64) Fault {
	f := Fault{
		name: fmt.Sprintf("bandwidth %d Bps", bytesPerSecond), // bytes per second; no '/': names are subtest names
		tcp:  func(p *netfault.Proxy) chaostest.Fault { return p.Bandwidth(bytesPerSecond) },
	}
	if bytesPerSecond < 1000 {
		f.err = fmt.Errorf("explore.Bandwidth: %d bytes/s out of range; accepted: >= 1000", bytesPerSecond)
	}
	return f
}

// Status makes the dependency answer every request with the status code at
// once, without asking the upstream (httpfault's Respond). HTTP only.
// Accepted: 100 to 599.
func Status(code int) Fault {
	f := Fault{
		name: fmt.Sprintf("HTTP %d", code),
		http: func(p *httpfault.Proxy) chaostest.Fault { return p.Respond(code) },
	}
	if code < 100 || code > 599 {
		f.err = fmt.Errorf("explore.Status: %d out of range; accepted: 100 to 599", code)
	}
	return f
}

// Custom is a fault of your own: tcp makes it on a dependency's TCP proxy,
// http on its HTTP proxy; either may be nil when the fault has no such form
// (a cell where neither applies shows "n/a"). E.g. a partial fault:
//
//	explore.Custom("30% reset", func(p *netfault.Proxy) chaostest.Fault {
//		return p.ResetPeer(0, netfault.Toxicity(0.3))
//	}, nil)
func Custom(name string, tcp func(p *netfault.Proxy) chaostest.Fault, http func(p *httpfault.Proxy) chaostest.Fault) Fault {
	f := Fault{name: name, tcp: tcp, http: http}
	switch {
	case strings.TrimSpace(name) == "":
		f.err = fmt.Errorf("explore.Custom: name empty; accepted: a non-empty name, the matrix's column")
	case strings.Contains(name, "/"):
		f.err = fmt.Errorf("explore.Custom(%q): a name with '/'; accepted: a name without it (it names a subtest, where '/' nests)", name)
	case tcp == nil && http == nil:
		f.err = fmt.Errorf("explore.Custom(%q): tcp and http both nil; accepted: at least one", name)
	}
	return f
}
