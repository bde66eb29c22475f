package explore

import (
	"errors"
	"fmt"
	"strings"

	"github.com/go-resilience/resilience/fixtures/httpfault"
	"github.com/go-resilience/resilience/fixtures/netfault"
	"github.com/go-resilience/resilience/hypothesis"
)

// System is one instance of the system under test, as the build function
// of Run makes it for one cell: the steady-state hypothesis that judges it,
// and the dependencies it reaches through proxies of its own.
//
// Every cell builds its own System, so that cells can run in parallel
// without one's fault reaching another's service: the proxies and the
// service are the cell's, the dependencies behind the proxies (containers,
// upstream servers) may be shared by every cell.
type System struct {
	Steady       *hypothesis.Hypothesis
	Dependencies []Dependency
}

// Dependency is something the system under test calls, reached through a
// TCP proxy (netfault), an HTTP proxy (httpfault), or both, the HTTP proxy
// in front of the TCP one: then every fault of the catalogue applies, a
// network fault on the TCP proxy, an HTTP fault on the HTTP one.
//
// Name is the matrix's row; empty means the name of the proxy (the TCP
// one when both are given).
type Dependency struct {
	Name string
	TCP  *netfault.Proxy
	HTTP *httpfault.Proxy
}

// TCP is the dependency reached through p, named after it.
func TCP(p *netfault.Proxy) Dependency { return Dependency{TCP: p} }

// HTTP is the dependency reached through p, named after it.
func HTTP(p *httpfault.Proxy) Dependency { return Dependency{HTTP: p} }

// name is the dependency's row name.
func (d Dependency) name() string {
	switch {
	case d.Name != "":
		return d.Name
	case d.TCP != nil:
		return d.TCP.Name()
	case d.HTTP != nil:
		return d.HTTP.Name()
	}
	return ""
}

// validate checks a system a build function returned; the error is one
// line naming what is wrong.
func (s System) validate() error {
	if s.Steady == nil {
		return errors.New("System.Steady: nil; accepted: the steady-state hypothesis (hypothesis.New) that judges the cell")
	}
	if err := s.Steady.Validate(); err != nil {
		return fmt.Errorf("System.Steady: %w", err)
	}
	if len(s.Dependencies) == 0 {
		return errors.New("System.Dependencies: none; accepted: at least one (explore.TCP, explore.HTTP or a Dependency with both proxies)")
	}
	seen := map[string]bool{}
	for i, d := range s.Dependencies {
		n := d.name()
		switch {
		case d.TCP == nil && d.HTTP == nil:
			return fmt.Errorf("System.Dependencies[%d] %q: no proxy; accepted: a TCP proxy, an HTTP proxy or both", i, d.Name)
		case strings.TrimSpace(n) == "":
			return fmt.Errorf("System.Dependencies[%d]: name empty; accepted: a non-empty Name or a named proxy", i)
		case strings.ContainsAny(n, "+/"):
			return fmt.Errorf("System.Dependencies[%d] %q: a name with '+' or '/'; accepted: a name without them ('+' joins the names of a pair, '/' nests subtests)", i, n)
		case seen[n]:
			return fmt.Errorf("System.Dependencies[%d]: name %q used twice; accepted: one name per dependency (the matrix's rows)", i, n)
		}
		seen[n] = true
	}
	return nil
}

// names are the dependencies' row names, in order.
func (s System) names() []string {
	var ns []string
	for _, d := range s.Dependencies {
		ns = append(ns, d.name())
	}
	return ns
}

// dependency returns the dependency named n.
func (s System) dependency(n string) (Dependency, bool) {
	for _, d := range s.Dependencies {
		if d.name() == n {
			return d, true
		}
	}
	return Dependency{}, false
}
