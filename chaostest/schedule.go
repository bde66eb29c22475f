package chaostest

import (
	"fmt"
	"time"
)

// Step is a fault scheduled in the method of an experiment: Inject(f) with
// StepOptions. A Step is a Method by itself; Together and Sequence combine
// several.
type Step struct {
	fault  Fault
	at     time.Duration
	dur    time.Duration
	hasFor bool
	quiet  bool // MayReachNothing: reaching nothing does not make the run inconclusive
}

// StepOption schedules a step: At and For; MayReachNothing marks it quiet.
type StepOption interface {
	applyStep(s *Step)
	String() string
}

type stepOption struct {
	desc  string
	apply func(s *Step)
}

func (o stepOption) applyStep(s *Step) { o.apply(s) }
func (o stepOption) String() string    { return o.desc }

// Inject schedules f: by default at offset 0 of the method, for the rest of
// the method.
//
//	chaostest.Inject(cache.Latency(500*time.Millisecond), chaostest.At(time.Second), chaostest.For(2*time.Second))
func Inject(f Fault, opts ...StepOption) Step {
	s := Step{fault: f}
	for _, o := range opts {
		if o != nil {
			o.applyStep(&s)
		}
	}
	return s
}

// At sets the offset of the step from the start of the method (in a
// Sequence: from the end of the previous step); accepted: >= 0.
func At(offset time.Duration) StepOption {
	return stepOption{desc: fmt.Sprintf("At(%v)", offset), apply: func(s *Step) { s.at = offset }}
}

// For sets how long the fault stays applied; accepted: > 0. Without For
// the fault stays until the method ends. The time a fault's Apply takes (a
// container restart can take seconds) counts against it: the fault is
// reverted For after its Apply began.
func For(d time.Duration) StepOption {
	return stepOption{desc: fmt.Sprintf("For(%v)", d), apply: func(s *Step) { s.dur = d; s.hasFor = true }}
}

// Fault returns the scheduled fault.
func (s Step) Fault() Fault { return s.fault }

// String describes the step, e.g. `"redis latency" at +1s for 2s`.
func (s Step) String() string {
	name := "<nil fault>"
	if s.fault != nil {
		name = s.fault.Name()
	}
	out := fmt.Sprintf("%q at +%v", name, s.at)
	if s.hasFor {
		out += fmt.Sprintf(" for %v", s.dur)
	} else {
		out += " until the method ends"
	}
	if s.quiet {
		out += " (may reach nothing)"
	}
	return out
}

func (s Step) plan() schedule { return schedule{arrangement: together, steps: []Step{s}} }

type arrangement int

const (
	together arrangement = iota
	sequence
)

// Method is the schedule of an experiment's faults: a Step, or several
// combined by Together or Sequence.
type Method interface {
	plan() schedule
	String() string
}

// schedule is a Method's steps and how they are arranged.
type schedule struct {
	arrangement arrangement
	steps       []Step
}

func (m schedule) plan() schedule { return m }

// planOf returns the schedule of m.
func planOf(m Method) schedule { return m.plan() }

// Together schedules every step from the same origin, the start of the
// method, each at its own At offset.
func Together(steps ...Step) Method {
	return schedule{arrangement: together, steps: append([]Step(nil), steps...)}
}

// Sequence schedules each step after the previous one ended: its At is added
// to that point. Every step in a Sequence must have a For.
func Sequence(steps ...Step) Method {
	return schedule{arrangement: sequence, steps: append([]Step(nil), steps...)}
}

// String describes the method, e.g. `together: "a" at +0s for 1s`.
func (m schedule) String() string {
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
func (m schedule) naturalEnd() time.Duration {
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
func (m schedule) validate(duration time.Duration) error {
	if len(m.steps) == 0 {
		return fmt.Errorf("method: no step; accepted: at least one Step (Inject) in Together or Sequence")
	}
	for i, s := range m.steps {
		n := i + 1
		if s.fault == nil {
			return fmt.Errorf("Method step %d: fault must not be nil", n)
		}
		if s.at < 0 {
			return fmt.Errorf("Method step %d (%q): At must be >= 0, got %v", n, s.fault.Name(), s.at)
		}
		if s.hasFor && s.dur <= 0 {
			return fmt.Errorf("Method step %d (%q): For %v out of range; accepted: > 0 (leave For out to last until the method ends)", n, s.fault.Name(), s.dur)
		}
		if m.arrangement == sequence && !s.hasFor {
			return fmt.Errorf("Method step %d (%q): every step in a Sequence must have a For > 0", n, s.fault.Name())
		}
		if v, ok := s.fault.(validator); ok {
			if err := v.Validate(); err != nil {
				return fmt.Errorf("Method step %d (%q): %w", n, s.fault.Name(), err)
			}
		}
	}
	slots := m.slots(duration)
	for i, a := range slots {
		for _, b := range slots[i+1:] {
			if a.fault.Name() == b.fault.Name() && a.start < b.end && b.start < a.end {
				return fmt.Errorf("Method steps %d and %d: the same fault %q overlaps itself from +%v to +%v; accepted: one application of a fault at a time (its toxics would stack)",
					a.index+1, b.index+1, a.fault.Name(), max(a.start, b.start), min(a.end, b.end))
			}
			if a.start < b.end && b.start < a.end {
				if err := overlaps(a.fault, b.fault); err != nil {
					return fmt.Errorf("Method steps %d and %d, together from +%v to +%v: %w", a.index+1, b.index+1, max(a.start, b.start), min(a.end, b.end), err)
				}
			}
		}
	}
	for _, sl := range slots {
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

// overlaps asks each of two faults applied at once whether it refuses the
// other.
func overlaps(a, b Fault) error {
	if o, ok := a.(overlapper); ok {
		if err := o.Overlaps(b); err != nil {
			return err
		}
	}
	if o, ok := b.(overlapper); ok {
		return o.Overlaps(a)
	}
	return nil
}

// plan places every step on the method's clock.
func (m schedule) slots(duration time.Duration) []slot {
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
