package explore

import (
	"fmt"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/go-resilience/resilience/chaostest"
	"github.com/go-resilience/resilience/hypothesis"
)

// Verdict is what a cell of the matrix found.
type Verdict string

// A cell's verdicts. Held and Deviated are decisive; Inconclusive is never
// a pass (the system was not steady before the fault, a window could not be
// judged, or the experiment was aborted); NotRun and NotApplicable are
// neither.
const (
	Held          Verdict = "held"
	Deviated      Verdict = "deviated"
	Inconclusive  Verdict = "inconclusive"
	NotRun        Verdict = "not run" // filtered out by -run, skipped under -short or by -chaostest.shard
	NotApplicable Verdict = "n/a"     // the fault has no form for the dependency's proxies
)

// Cell is one experiment of the matrix: one fault on one dependency (or a
// pair, "a+b").
type Cell struct {
	Dependency, Fault string
	Verdict           Verdict
	// Violated are the tolerances the deviations violated, with what was
	// observed: "latency p99 <= 300ms (observed 1.02s)".
	Violated []string
	Weakness bool // a declared weakness: the cell is expected to deviate
	Passed   bool // the cell ran and its outcome is the expected one
	Report   chaostest.Report
}

// expected is what the cell should show: held, or deviated for a weakness.
func (c Cell) expected() Verdict {
	if c.Weakness {
		return Deviated
	}
	return Held
}

// failed reports whether the cell ran and did not end as expected.
func (c Cell) failed() bool {
	return c.Verdict != NotRun && c.Verdict != NotApplicable && !c.Passed
}

// Matrix is the result of an exploration: a verdict per dependency (row)
// and fault (column).
type Matrix struct {
	Test         string // the test that explored, t.Name()
	Hypothesis   string
	Dependencies []string // rows, in the system's order; pairs after
	Faults       []string // columns, in the catalogue's order
	Cells        []Cell   // row by row
	Seed         int64
	Elapsed      time.Duration
}

// Cell returns the cell of dependency and fault.
func (m *Matrix) Cell(dependency, fault string) (Cell, bool) {
	for _, c := range m.Cells {
		if c.Dependency == dependency && c.Fault == fault {
			return c, true
		}
	}
	return Cell{}, false
}

// Failed are the cells that ran and did not end as expected.
func (m *Matrix) Failed() []Cell {
	var cs []Cell
	for _, c := range m.Cells {
		if c.failed() {
			cs = append(cs, c)
		}
	}
	return cs
}

// String draws the matrix: one row per dependency, one column per fault.
// A declared weakness is marked "*"; a cell whose outcome is not the
// expected one "!". Below it, what each deviation violated.
func (m *Matrix) String() string {
	var b strings.Builder
	ran := 0
	for _, c := range m.Cells {
		if c.Verdict != NotRun && c.Verdict != NotApplicable {
			ran++
		}
	}
	pairs := 0
	for _, d := range m.Dependencies {
		if strings.Contains(d, "+") {
			pairs++
		}
	}
	rows := count(len(m.Dependencies)-pairs, "dependency", "dependencies")
	if pairs > 0 {
		rows = "(" + rows + " and " + count(pairs, "pair", "pairs") + ")"
	}
	fmt.Fprintf(&b, "fault space of %s (%q): %s × %s, %s run in %v, seed %d\n",
		m.Test, m.Hypothesis, rows, count(len(m.Faults), "fault", "faults"),
		count(ran, "cell", "cells"), m.Elapsed.Round(100*time.Millisecond), m.Seed)
	tw := tabwriter.NewWriter(&b, 0, 0, 3, ' ', 0)
	fmt.Fprintf(tw, "\t%s\n", strings.Join(m.Faults, "\t"))
	for _, dep := range m.Dependencies {
		row := []string{dep}
		for _, f := range m.Faults {
			c, _ := m.Cell(dep, f)
			row = append(row, c.mark())
		}
		fmt.Fprintf(tw, "%s\n", strings.Join(row, "\t"))
	}
	_ = tw.Flush()
	var notes []string
	for _, c := range m.Cells {
		if c.Verdict == Deviated || c.failed() {
			notes = append(notes, c.note())
		}
	}
	if len(notes) > 0 {
		b.WriteString("\n")
		for _, n := range notes {
			b.WriteString("  " + n + "\n")
		}
	}
	if slices.ContainsFunc(m.Cells, func(c Cell) bool { return c.Weakness }) {
		b.WriteString("  * a declared weakness (explore.Weakness): expected to deviate\n")
	}
	if len(m.Failed()) > 0 {
		b.WriteString("  ! not the expected outcome: the cell's subtest failed\n")
	}
	return strings.TrimRight(b.String(), "\n")
}

// mark is the cell as the table shows it.
func (c Cell) mark() string {
	s := string(c.Verdict)
	if c.Weakness {
		s += "*"
	}
	if c.failed() {
		s += "!"
	}
	return s
}

// note is one line on a deviated or failed cell: dependency, fault,
// verdict, what was violated and what was expected.
func (c Cell) note() string {
	s := fmt.Sprintf("%s × %s: %s", c.Dependency, c.Fault, c.Verdict)
	if len(c.Violated) > 0 {
		s += ", violated " + strings.Join(c.Violated, "; ")
	}
	if c.failed() {
		s += fmt.Sprintf(" (expected %s)", c.expected())
	}
	return s
}

// verdictOf reads a cell's verdict from its experiment's report.
func verdictOf(r chaostest.Report) Verdict {
	switch r.Status {
	case chaostest.StatusHeld:
		return Held
	case chaostest.StatusDeviated:
		return Deviated
	case "":
		return NotRun // skipped by chaostest (-short, shard)
	}
	return Inconclusive
}

// violatedOf lists the tolerances the report's deviations violated, once
// each, with the first figure observed.
func violatedOf(r chaostest.Report) []string {
	var out []string
	seen := map[string]bool{}
	for _, d := range r.Deviations {
		for _, ch := range d.Result.Checks {
			for _, tr := range ch.Tolerances {
				if tr.Verdict != hypothesis.Violated || seen[tr.Tolerance] {
					continue
				}
				seen[tr.Tolerance] = true
				out = append(out, fmt.Sprintf("%s (observed %s, %s)", tr.Tolerance, tr.Observed, d.Phase))
			}
		}
	}
	return out
}

func count(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}
