package hypothesis

import (
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"sync"
	"time"
)

// Rate probes a counter (requests served, messages consumed, bytes written)
// and observes how fast it grows: each sample calls read and observes, as a
// float64, the counter's increase per second since the latest reading at
// least over ago. over (> 0) is the shortest interval a rate is taken over,
// so that a check sampled every 20ms does not divide 20ms of the counter's
// jitter by 20ms; a second or a few scrape intervals is typical.
//
// Until a reading at least over old exists (the first samples of a probe),
// a sample observes a NoValue: it is not a failure (the counter was read),
// and value tolerances do not judge it, so InRange(100, 200) never sees a
// rate taken over too short an interval.
//
// A decrease is a counter reset (the process behind it restarted): the
// counter is taken to have restarted from 0, so the increase across the
// reset is the value read after it, as Prometheus's rate() does. A read
// error is a failed sample and leaves no reading; a read that returns NaN
// or ±Inf is a failed sample too. Each reading is timed when read returns.
// The probe keeps its readings (the last 2*over of them) between samples,
// checks and samplers: a Rate stands for one counter.
func Rate(name string, read func(ctx context.Context) (float64, error), over time.Duration) Probe {
	return &rateProbe{name: name, read: read, over: over, now: time.Now}
}

type reading struct {
	at time.Time
	v  float64
}

type rateProbe struct {
	name string
	read func(ctx context.Context) (float64, error)
	over time.Duration
	now  func() time.Time // the clock; tests set it

	mu       sync.Mutex
	readings []reading // ordered by at
}

func (p *rateProbe) Name() string { return p.name }

func (p *rateProbe) Validate() error {
	switch {
	case p.name == "":
		return errors.New("Rate name must not be empty")
	case p.read == nil:
		return errors.New("Rate read function must not be nil")
	case p.over <= 0:
		return fmt.Errorf("Rate over must be > 0, got %v", p.over)
	}
	return nil
}

func (p *rateProbe) Observe(ctx context.Context) (any, error) {
	v, err := p.read(ctx)
	at := p.now()
	if err != nil {
		return nil, err
	}
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return nil, fmt.Errorf("counter read %s, want a finite number", fmtFloat(v))
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	k, _ := slices.BinarySearchFunc(p.readings, at, func(r reading, t time.Time) int {
		if r.at.After(t) {
			return 1
		}
		return -1 // equal times: after the ones already there
	})
	p.readings = slices.Insert(p.readings, k, reading{at: at, v: v})
	out := p.rateAt(k)
	p.prune()
	return out, nil
}

// base is the index of the latest reading at least over older than
// reading k, or -1.
func (p *rateProbe) base(k int) int {
	for j := k - 1; j >= 0; j-- {
		if p.readings[k].at.Sub(p.readings[j].at) >= p.over {
			return j
		}
	}
	return -1
}

// rateAt is the rate observed at reading k: the increase per second since
// its base, each decrease counted as a reset to 0; or a NoValue.
func (p *rateProbe) rateAt(k int) any {
	j := p.base(k)
	if j < 0 {
		if k == 0 {
			return NoValue{Reason: fmt.Sprintf("first reading of the counter; a rate needs one %v old", p.over)}
		}
		return NoValue{Reason: fmt.Sprintf("no reading %v old yet (the oldest is %s old)", p.over, fmtDur(p.readings[k].at.Sub(p.readings[0].at)))}
	}
	increase := 0.0
	for i := j + 1; i <= k; i++ {
		d := p.readings[i].v - p.readings[i-1].v
		if d < 0 { // a reset: the counter restarted from 0
			d = p.readings[i].v
		}
		increase += d
	}
	return increase / p.readings[k].at.Sub(p.readings[j].at).Seconds()
}

// prune forgets readings more than 2*over older than the newest, keeping
// the newest's base (a reading that arrives late, from a slow read, still
// finds its own).
func (p *rateProbe) prune() {
	newest := len(p.readings) - 1
	keep := p.base(newest)
	cut := 0
	for cut < keep && p.readings[newest].at.Sub(p.readings[cut].at) > 2*p.over {
		cut++
	}
	p.readings = slices.Delete(p.readings, 0, cut)
}
