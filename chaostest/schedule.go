package chaostest

import (
	"fmt"
	"time"
)

// Step is a fault scheduled in the method of an experiment. It is a value;
// its methods return modified copies.
type Step struct {
	fault  Fault
	at     time.Duration
	dur    time.Duration
	hasFor bool
}

// Inject schedules f at offset 0 of the method, for the rest of the method.
func Inject(f Fault) Step { return Step{fault: f} }

// At sets the offset of the step from the start of the method (in a
// Sequence: from the end of the previous step). Negative offsets are
// rejected when the experiment is validated.
func (s Step) At(offset time.Duration) Step { s.at = offset; return s }

// For sets how long the fault stays applied; 0 means until the method ends.
// Negative durations are rejected when the experiment is validated.
func (s Step) For(d time.Duration) Step { s.dur = d; s.hasFor = true; return s }

// Fault returns the scheduled fault.
func (s Step) Fault() Fault { return s.fault }

// String describes the step, e.g. `"redis latency" at +1s for 2s`.
func (s Step) String() string {
	name := "<nil fault>"
	if s.fault != nil {
		name = s.fault.Name()
	}
	out := fmt.Sprintf("%q at +%v", name, s.at)
	if s.dur > 0 {
		out += fmt.Sprintf(" for %v", s.dur)
	} else {
		out += " until the method ends"
	}
	return out
}

type arrangement int

const (
	together arrangement = iota
	sequence
)

// Method is the schedule of an experiment's faults. Build it with Steps,
// Together or Sequence; the zero Method has no steps and is rejected.
type Method struct {
	arrangement arrangement
	steps       []Step
}

// Together schedules every step from the same origin, the start of the
// method, each at its own At offset.
func Together(steps ...Step) Method {
	return Method{arrangement: together, steps: append([]Step(nil), steps...)}
}

// Steps is Together; it reads well with a single step.
func Steps(steps ...Step) Method { return Together(steps...) }

// Sequence schedules each step after the previous one ended: its At is added
// to that point. Every step in a Sequence must have a For.
func Sequence(steps ...Step) Method {
	return Method{arrangement: sequence, steps: append([]Step(nil), steps...)}
}

// Len is the number of steps.
func (m Method) Len() int { return len(m.steps) }

// String describes the method, e.g. `together: "a" at +0s for 1s`.
func (m Method) String() string {
	kind := "together"
	if m.arrangement == sequence {
		kind = "sequence"
	}
	out := kind + ":"
	for i, s := range m.steps {
		if i > 0 {
			out += ","
		}
		out += " " + s.String()
	}
	return out
}

// slot is a step placed on the method's clock: offsets from the method start.
// end is the offset at which the fault is reverted; open-ended steps end
// with the method.
type slot struct {
	index    int // position of the step in the method, from 0
	fault    Fault
	start    time.Duration
	end      time.Duration
	openEnds bool
}

// naturalEnd is where the method would end if Duration were not set: the end
// of the last step, counting an open-ended step as lasting defaultOpenStep.
func (m Method) naturalEnd() time.Duration {
	var end, cursor time.Duration
	for _, s := range m.steps {
		origin := time.Duration(0)
		if m.arrangement == sequence {
			origin = cursor
		}
		d := s.dur
		if d == 0 {
			d = defaultOpenStep
		}
		e := origin + s.at + d
		cursor = e
		end = max(end, e)
	}
	return end
}

// validate checks the steps against the method's duration; the error names
// the step and says the accepted range.
func (m Method) validate(duration time.Duration) error {
	if len(m.steps) == 0 {
		return fmt.Errorf("Method must have at least one step (build it with Steps, Together or Sequence)")
	}
	for i, s := range m.steps {
		n := i + 1
		if s.fault == nil {
			return fmt.Errorf("Method step %d: fault must not be nil", n)
		}
		if s.at < 0 {
			return fmt.Errorf("Method step %d (%q): At must be >= 0, got %v", n, s.fault.Name(), s.at)
		}
		if s.dur < 0 {
			return fmt.Errorf("Method step %d (%q): For must be >= 0 (0 = until the method ends), got %v", n, s.fault.Name(), s.dur)
		}
		if m.arrangement == sequence && s.dur == 0 {
			return fmt.Errorf("Method step %d (%q): every step in a Sequence must have a For > 0", n, s.fault.Name())
		}
		if v, ok := s.fault.(validator); ok {
			if err := v.Validate(); err != nil {
				return fmt.Errorf("Method step %d (%q): %w", n, s.fault.Name(), err)
			}
		}
	}
	for _, sl := range m.plan(duration) {
		n := sl.index + 1
		if sl.start >= duration {
			return fmt.Errorf("Method step %d (%q): starts at +%v, past the method's Duration %v; must start before Duration", n, sl.fault.Name(), sl.start, duration)
		}
		if !sl.openEnds && sl.end > duration {
			return fmt.Errorf("Method step %d (%q): ends at +%v, past the method's Duration %v; must end at or before Duration", n, sl.fault.Name(), sl.end, duration)
		}
	}
	return nil
}

// plan places every step on the method's clock.
func (m Method) plan(duration time.Duration) []slot {
	slots := make([]slot, 0, len(m.steps))
	var cursor time.Duration
	for i, s := range m.steps {
		origin := time.Duration(0)
		if m.arrangement == sequence {
			origin = cursor
		}
		sl := slot{index: i, fault: s.fault, start: origin + s.at}
		if s.dur > 0 {
			sl.end = sl.start + s.dur
		} else {
			sl.end = duration
			sl.openEnds = true
		}
		cursor = sl.end
		slots = append(slots, sl)
	}
	return slots
}
