package hypothesis

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/go-resilience/resilience/internal/hostload"
)

// Sample is one observation. Latency is measured from Intended (the
// scheduled start), so a stalled system cannot hide behind fewer requests.
type Sample struct {
	Check    int           // index of the check in the hypothesis
	Seq      int           // sequence number within the check
	Intended time.Time     // when the open-loop schedule wanted it to start
	Start    time.Time     // when it actually started (equal to End if it never started)
	End      time.Time     // when it finished
	Latency  time.Duration // End - Intended
	Value    any
	Err      error // nil when the sample succeeded (including value tolerances, see Evaluate)
	// InFlight marks a sample whose probe had not returned when it was read
	// (only from Sampler.Evaluate); its Latency is the time elapsed so far.
	InFlight bool
	// NotStarted marks a tick the sampler itself could not start: every
	// one of the check's in-flight slots was taken. It says nothing about
	// the system: it is counted apart, never as a success, an error or a
	// latency, and makes its window inconclusive.
	NotStarted bool
}

// Lag is how late the sampler started the probe against its intended
// time (Start - Intended): the harness's own delay, not the system's.
// It is 0 for a sample not started or still in flight.
func (s Sample) Lag() time.Duration {
	if s.NotStarted || s.InFlight || s.Start.IsZero() {
		return 0
	}
	return max(0, s.Start.Sub(s.Intended))
}

// stopGrace is how long Stop waits, beyond the longest timeout, for probes
// that ignore their context before recording them as failed. The derived
// in-flight bound leaves each probe the same grace past its deadline (see
// MaxInFlight).
const stopGrace = time.Second

// Sampler runs every check of a hypothesis open-loop until Stop. It is safe
// for concurrent use.
//
// Each check ticks at its interval on a fixed schedule starting at Started;
// every tick becomes exactly one sample, whatever the system does. At most
// InFlightLimit probes of a check run at once; by default that bound lets
// every tick start on time. A tick that finds every slot taken is not
// started (Sample.NotStarted): the sampler's own limit is never charged to
// the system as latency or errors. A probe's context carries the deadline
// Intended+Timeout; it is not cancelled by Stop or by the context given to
// Start, which only stop the schedule, so in-flight samples end on their
// own terms.
//
// While it runs, the sampler also takes part in a process-wide monitor of
// the host's CPU load and the Go scheduler's delay, reported per window in
// Result.Load.
type Sampler struct {
	h        *Hypothesis
	start    time.Time
	probeCtx context.Context
	vts      [][]ValueTolerance
	maxTicks int
	grace    time.Duration // see stopGrace

	stopCh   chan struct{}
	haltOnce sync.Once
	stopOnce sync.Once
	sched    sync.WaitGroup
	runs     sync.WaitGroup

	load        hostload.Source
	releaseOnce sync.Once // the monitor is released once: by Stop, or when the context given to Start ends

	mu      sync.Mutex
	stopAt  time.Time
	samples [][]Sample // per check, indexed by Seq
	final   []Sample
}

// Start validates h and starts sampling it at once; it returns the
// validation error, if any, before anything is sampled. Cancelling ctx stops
// the schedule as Stop does, but only Stop waits for in-flight probes.
func (h *Hypothesis) Start(ctx context.Context) (*Sampler, error) {
	return h.start(ctx, 0)
}

// start is Start with a bound on the ticks of each check (0: none), which
// benchmarks use to measure the sampler's cost without a schedule backlog.
func (h *Hypothesis) start(ctx context.Context, maxTicks int) (*Sampler, error) {
	if err := h.Validate(); err != nil {
		return nil, err
	}
	s := &Sampler{
		h:        h,
		maxTicks: maxTicks,
		grace:    stopGrace,
		probeCtx: context.WithoutCancel(ctx),
		stopCh:   make(chan struct{}),
		samples:  make([][]Sample, len(h.checks)),
		vts:      make([][]ValueTolerance, len(h.checks)),
	}
	for i, c := range h.checks {
		s.vts[i], _ = splitTolerances(c)
	}
	s.load = hostload.AcquireFor(ctx)
	s.start = time.Now()
	for i := range h.checks {
		s.sched.Add(1)
		go s.schedule(i)
	}
	go func() {
		select {
		case <-ctx.Done():
			s.halt()
			s.release()
		case <-s.stopCh:
		}
	}()
	return s, nil
}

// release gives back the sampler's share of the load monitor, once; its
// readings stay, so windows can still be judged.
func (s *Sampler) release() { s.releaseOnce.Do(s.load.Release) }

// Hypothesis returns the hypothesis being sampled.
func (s *Sampler) Hypothesis() *Hypothesis { return s.h }

// Started returns the origin of the schedule: sample n of every check is
// intended at Started() + n*interval.
func (s *Sampler) Started() time.Time { return s.start }

// halt stops scheduling new ticks; ticks intended before now still run.
func (s *Sampler) halt() {
	s.haltOnce.Do(func() {
		s.mu.Lock()
		s.stopAt = time.Now()
		s.mu.Unlock()
		close(s.stopCh)
	})
}

func (s *Sampler) stoppedBefore(t time.Time) bool {
	select {
	case <-s.stopCh:
	default:
		return false
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return !t.Before(s.stopAt)
}

func (s *Sampler) schedule(i int) {
	defer s.sched.Done()
	c := s.h.checks[i]
	limit := c.InFlightLimit()
	notStarted := fmt.Errorf("not started: probe saturated (all %d in-flight slots taken)", limit)
	slots := make(chan struct{}, limit)
	timer := time.NewTimer(time.Hour)
	defer timer.Stop()
	for seq := 0; s.maxTicks == 0 || seq < s.maxTicks; seq++ {
		intended := s.start.Add(time.Duration(seq) * c.every)
		if d := time.Until(intended); d > 0 {
			timer.Reset(d)
			select {
			case <-timer.C:
			case <-s.stopCh:
			}
		}
		if s.stoppedBefore(intended) {
			return
		}
		deadline := intended.Add(c.timeout)
		s.mu.Lock()
		s.samples[i] = append(s.samples[i], Sample{Check: i, Seq: seq, Intended: intended, InFlight: true})
		s.mu.Unlock()
		select {
		case slots <- struct{}{}:
		default:
			// Every slot is taken: this tick cannot start on time, and
			// waiting would charge the sampler's own limit to the system.
			now := time.Now()
			s.finish(i, seq, Sample{Start: now, End: now, Err: notStarted, NotStarted: true})
			continue
		}
		s.runs.Add(1)
		go s.run(i, seq, intended, deadline, slots)
	}
}

func (s *Sampler) run(i, seq int, intended, deadline time.Time, slots chan struct{}) {
	defer s.runs.Done()
	defer func() { <-slots }()
	c := s.h.checks[i]
	ctx, cancel := context.WithDeadline(s.probeCtx, deadline)
	start := time.Now()
	v, err := observe(ctx, c.probe)
	end := time.Now()
	cancel()
	if err == nil && end.After(deadline) {
		err = fmt.Errorf("timed out: answered %v after its intended start, timeout %v: %w", fmtDur(end.Sub(intended)), c.timeout, context.DeadlineExceeded)
	}
	if err == nil {
		err = firstMiss(s.vts[i], v)
	}
	s.finish(i, seq, Sample{Start: start, End: end, Value: v, Err: err})
}

// observe calls p, turning a panic into an error.
func observe(ctx context.Context, p Probe) (v any, err error) {
	defer func() {
		if r := recover(); r != nil {
			v, err = nil, fmt.Errorf("probe panicked: %v", r)
		}
	}()
	return p.Observe(ctx)
}

// finish records the outcome of an in-flight sample, unless Stop already
// gave up on it.
func (s *Sampler) finish(i, seq int, r Sample) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p := &s.samples[i][seq]
	if !p.InFlight {
		return
	}
	p.Start, p.End, p.Value, p.Err, p.InFlight, p.NotStarted = r.Start, r.End, r.Value, r.Err, false, r.NotStarted
	p.Latency = r.End.Sub(p.Intended)
	if r.NotStarted {
		p.Latency = 0
	}
}

// Samples returns a copy of the finished samples whose Intended time is in
// [from, to), ordered by Intended. In-flight samples are not included.
func (s *Sampler) Samples(from, to time.Time) []Sample {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Sample
	for _, ss := range s.samples {
		for _, x := range ss {
			if !x.InFlight && !x.Intended.Before(from) && x.Intended.Before(to) {
				out = append(out, x)
			}
		}
	}
	sortSamples(out)
	return out
}

// Evaluate judges the samples intended in [from, to). Samples still in
// flight at the call count as latency lower bounds (time.Since(Intended)),
// never as a silent pass. Result.Load holds the host's and the Go
// scheduler's load over the window.
func (s *Sampler) Evaluate(from, to time.Time) Result {
	return s.EvaluateWith(from, to, Refs{})
}

// EvaluateWith is Evaluate with references for the relative tolerances
// (see Refs).
func (s *Sampler) EvaluateWith(from, to time.Time, refs Refs) Result {
	s.mu.Lock()
	now := time.Now()
	var in []Sample
	for _, ss := range s.samples {
		for _, x := range ss {
			if x.Intended.Before(from) || !x.Intended.Before(to) {
				continue
			}
			if x.InFlight {
				x.Latency = now.Sub(x.Intended)
			}
			in = append(in, x)
		}
	}
	s.mu.Unlock()
	load := Load(s.load.Window(from, to))
	r := evaluate(s.h, in, from, to, refs, &load)
	r.explainSaturation()
	return r
}

// Stop stops scheduling, waits for in-flight probes (bounded by their
// timeout) and returns every sample, ordered by Intended. A probe that
// ignores its context and has not returned a second after its deadline is
// recorded as failed. Stop may be called more than once; later calls return
// the same samples.
func (s *Sampler) Stop() []Sample {
	s.stopOnce.Do(func() {
		s.halt()
		s.sched.Wait()
		done := make(chan struct{})
		go func() { s.runs.Wait(); close(done) }()
		var longest time.Duration
		for _, c := range s.h.checks {
			longest = max(longest, c.timeout)
		}
		t := time.NewTimer(longest + s.grace)
		defer t.Stop()
		select {
		case <-done:
		case <-t.C:
		}
		s.mu.Lock()
		defer s.mu.Unlock()
		now := time.Now()
		for i := range s.samples {
			for j := range s.samples[i] {
				p := &s.samples[i][j]
				if p.InFlight {
					p.InFlight = false
					p.Start, p.End = now, now
					p.Latency = now.Sub(p.Intended)
					p.Err = fmt.Errorf("abandoned: the probe ignored its context and had not returned %v after its deadline", s.grace)
				}
				s.final = append(s.final, *p)
			}
		}
		sortSamples(s.final)
		s.release()
	})
	return slices.Clone(s.final)
}

func sortSamples(ss []Sample) {
	slices.SortStableFunc(ss, func(a, b Sample) int {
		return cmp.Or(a.Intended.Compare(b.Intended), cmp.Compare(a.Check, b.Check), cmp.Compare(a.Seq, b.Seq))
	})
}

// Measure samples h for window, from now, and evaluates it: the plain-Go
// layer under Assert. It returns the validation error, if any, before
// anything is sampled. If ctx ends first, it returns the result of the
// samples taken so far (over the shortened window) with ctx's error.
func Measure(ctx context.Context, h *Hypothesis, window time.Duration) (Result, error) {
	if err := validateMeasure(h, window); err != nil {
		r := Result{Err: err}
		if h != nil {
			r.Hypothesis = h.title
		}
		return r, err
	}
	s, err := h.Start(ctx)
	if err != nil {
		return Result{Hypothesis: h.title, Err: err}, err
	}
	from := s.Started()
	to := from.Add(window)
	t := time.NewTimer(time.Until(to))
	defer t.Stop()
	select {
	case <-t.C:
	case <-ctx.Done():
	}
	if err = ctx.Err(); err != nil {
		if now := time.Now(); now.Before(to) {
			to = now
		}
		err = fmt.Errorf("measure %q: %w", h.title, err)
	}
	load := Load(s.load.Window(from, to)) // before Stop releases the monitor
	r := evaluate(h, s.Stop(), from, to, Refs{}, &load)
	r.explainSaturation()
	return r, err
}

func validateMeasure(h *Hypothesis, window time.Duration) error {
	if err := h.Validate(); err != nil {
		return err
	}
	if window <= 0 {
		return fmt.Errorf("hypothesis %q: window must be > 0, got %v", h.title, window)
	}
	for i, c := range h.checks {
		if c.every > window {
			return fmt.Errorf("hypothesis %q: check %d (%s): Every %v is longer than the window %v, which could hold no sample; accepted: Every <= %v", h.title, i+1, c.probe.Name(), c.every, window, window)
		}
		for _, t := range c.tolerances {
			if r, ok := t.(*recoversWithin); ok && r.d >= window {
				return fmt.Errorf("hypothesis %q: check %d (%s): RecoversWithin d must be < window (%v), got %v", h.title, i+1, c.probe.Name(), window, r.d)
			}
		}
	}
	return nil
}
