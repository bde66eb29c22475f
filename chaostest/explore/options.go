package explore

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/go-resilience/resilience/chaostest"
)

// Option configures an exploration: Faults, Pairs, Weakness, With,
// Parallel.
type Option interface {
	applyExplore(c *config) error
	String() string
}

type option struct {
	desc  string
	apply func(c *config) error
}

func (o option) applyExplore(c *config) error { return o.apply(c) }
func (o option) String() string               { return o.desc }

// config is an exploration's settings.
type config struct {
	faults     []Fault
	pairs      bool
	weaknesses []weakness
	with       []chaostest.Option
	parallel   int // cells at once; 0: go test's -parallel
}

// weakness is a declared expected deviation of the cells it matches.
type weakness struct {
	dependency, fault string // "*" matches every row or column
	reasons           []chaostest.Reason
}

func (w weakness) matches(dependency, fault string) bool {
	return (w.dependency == "*" || w.dependency == dependency) && (w.fault == "*" || w.fault == fault)
}

func (w weakness) String() string {
	return fmt.Sprintf("Weakness(%q, %q)", w.dependency, w.fault)
}

// Faults sets the catalogue the cells are made from (default: Catalogue()).
// Accepted: at least one fault, names unique.
func Faults(fs ...Fault) Option {
	fs = slices.Clone(fs)
	names := make([]string, len(fs))
	for i, f := range fs {
		names[i] = f.name
	}
	return option{desc: fmt.Sprintf("Faults(%s)", strings.Join(names, ", ")), apply: func(c *config) error {
		if len(fs) == 0 {
			return errors.New("Faults: none; accepted: at least one fault (leave the option out for Catalogue())")
		}
		seen := map[string]bool{}
		for i, f := range fs {
			switch {
			case f.err != nil:
				return fmt.Errorf("Faults: %w", f.err)
			case f.name == "" || (f.tcp == nil && f.http == nil):
				return fmt.Errorf("Faults: fault %d is a zero Fault; accepted: a fault made by Latency, Down, Reset, Unresponsive, Bandwidth, Status or Custom", i+1)
			case seen[f.name]:
				return fmt.Errorf("Faults: %q twice; accepted: one fault per name (the matrix's columns)", f.name)
			}
			seen[f.name] = true
		}
		c.faults = fs
		return nil
	}}
}

// Pairs adds a row for every pair of dependencies: each fault that applies
// to both, on both at once ("redis+postgres"). A system that survives the
// loss of either may not survive the loss of both.
func Pairs() Option {
	return option{desc: "Pairs()", apply: func(c *config) error { c.pairs = true; return nil }}
}

// Weakness declares that the cells of dependency (a row name, "a+b" for a
// pair, or "*") and fault (a column name as Fault.Name gives it, or "*")
// are expected to deviate, with every reason given (chaostest.Violates,
// NotRecovered): a known weakness, which the matrix then guards as a
// regression gate. Such a cell fails when it holds (the weakness may have
// been fixed: remove the declaration) or deviates otherwise; every other
// cell fails unless it holds. A declaration that matches no cell is an
// error, so a renamed fault cannot silently lift it.
func Weakness(dependency, fault string, reasons ...chaostest.Reason) Option {
	w := weakness{dependency: dependency, fault: fault, reasons: slices.Clone(reasons)}
	return option{desc: w.String(), apply: func(c *config) error {
		if strings.TrimSpace(dependency) == "" || strings.TrimSpace(fault) == "" {
			return fmt.Errorf("%s: empty name; accepted: a row (dependency, \"a+b\" for a pair) and a column (fault name), or \"*\" for all", w)
		}
		for i, r := range reasons {
			if r == nil {
				return fmt.Errorf("%s: reason %d is nil", w, i+1)
			}
		}
		c.weaknesses = append(c.weaknesses, w)
		return nil
	}}
}

// With passes options to every cell's experiment (chaostest.Before,
// Duration, Window, After, Recovery, Control, SteadyAfter, FailFast, ...),
// after the explorer's defaults: Before 1s, Duration 2s, Window 1s,
// Recovery 2s, After 1s. ExpectDeviation is refused: declare weaknesses
// per cell with Weakness.
func With(opts ...chaostest.Option) Option {
	opts = slices.Clone(opts)
	descs := make([]string, len(opts))
	for i, o := range opts {
		if o != nil {
			descs[i] = o.String()
		}
	}
	return option{desc: fmt.Sprintf("With(%s)", strings.Join(descs, ", ")), apply: func(c *config) error {
		for i, o := range opts {
			switch {
			case o == nil:
				return fmt.Errorf("With: option %d is nil", i+1)
			case strings.HasPrefix(o.String(), "ExpectDeviation("):
				return fmt.Errorf("With: %s; accepted: any option but ExpectDeviation (declare a cell's expected deviation with explore.Weakness)", o)
			}
		}
		c.with = append(c.with, opts...)
		return nil
	}}
}

// Parallel runs at most n cells at once (default: go test's -parallel, by
// default as many as the machine has cores). Accepted: n >= 1. Each cell
// is a system of its own taking CPU while it runs; where the system is
// heavy, or the machine also runs other test binaries (go test ./... runs
// several packages at once), fewer cells at once keep each cell's system
// from being starved by the others, at the cost of wall time.
func Parallel(n int) Option {
	return option{desc: fmt.Sprintf("Parallel(%d)", n), apply: func(c *config) error {
		if n < 1 {
			return fmt.Errorf("Parallel: %d cells at once out of range; accepted: >= 1", n)
		}
		c.parallel = n
		return nil
	}}
}

func configure(opts []Option) (config, error) {
	c := config{faults: Catalogue()}
	for i, o := range opts {
		if o == nil {
			return c, fmt.Errorf("option %d is nil", i+1)
		}
		if err := o.applyExplore(&c); err != nil {
			return c, err
		}
	}
	return c, nil
}
