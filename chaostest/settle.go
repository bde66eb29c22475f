package chaostest

import (
	"time"

	"github.com/go-resilience/resilience/hypothesis"
)

// A window is judged once its samples are in: a sample intended near the
// end of a window is still in flight when the window ends, and judging it
// then would count a slow system's samples only as latency lower bounds
// (or not at all, when every one of them is still waiting). Each sample ends
// by its intended start plus its check's timeout, so a window is judged at
// the latest that long after it ends, and earlier once every tick of the
// window has finished.

const (
	// settlePoll is how often an unsettled window is checked again.
	settlePoll = 5 * time.Millisecond
	// settleSlack covers the scheduling delay of a probe reaching its deadline.
	settleSlack = 100 * time.Millisecond
)

// settleMax is the longest a window's samples can take to finish after it
// ends: the longest check timeout.
func settleMax(h *hypothesis.Hypothesis) time.Duration {
	var d time.Duration
	for _, c := range h.Checks() {
		d = max(d, c.ProbeTimeout())
	}
	return d + settleSlack
}

// settled reports whether every tick intended in [from, to) has finished,
// or can no longer be waited for.
func (r *runner) settled(from, to time.Time) bool {
	s := r.judged()
	wait := settleMax(s.Hypothesis())
	if r.control != nil {
		wait = max(wait, settleMax(r.e.Control))
	}
	if time.Now().After(to.Add(wait)) {
		return true
	}
	return samplesIn(s, from, to) && (r.control == nil || samplesIn(r.control, from, to))
}

// judged is the sampler of the hypothesis judged now: the after state's
// once it is sampled apart (SteadyAfter), else the steady state's.
func (r *runner) judged() *hypothesis.Sampler {
	if r.afterSampler != nil {
		return r.afterSampler
	}
	return r.sampler
}

// samplesIn reports whether every tick of s intended in [from, to) has finished.
func samplesIn(s *hypothesis.Sampler, from, to time.Time) bool {
	checks := s.Hypothesis().Checks()
	counts := make([]int, len(checks))
	for _, x := range s.Samples(from, to) {
		if x.Check >= 0 && x.Check < len(counts) {
			counts[x.Check]++
		}
	}
	started := s.Started()
	for i, c := range checks {
		if counts[i] < ticks(started, c.Interval(), from, to) {
			return false
		}
	}
	return true
}

// settle waits until the window [from, to) is settled, or the run is aborted.
func (r *runner) settle(from, to time.Time) error {
	if err := r.sleepUntil(to); err != nil {
		return err
	}
	for !r.settled(from, to) {
		if err := r.sleepUntil(time.Now().Add(settlePoll)); err != nil {
			return err
		}
	}
	return nil
}

// ticks counts the n >= 0 with started + n*every in [from, to).
func ticks(started time.Time, every time.Duration, from, to time.Time) int {
	if every <= 0 || !from.Before(to) {
		return 0
	}
	first := ceilDiv(from.Sub(started), every)
	end := ceilDiv(to.Sub(started), every)
	return max(0, end-max(first, 0))
}

// ceilDiv is ⌈a/b⌉ for b > 0, clamped at 0 from below.
func ceilDiv(a, b time.Duration) int {
	if a <= 0 {
		return 0
	}
	return int((a + b - 1) / b)
}
