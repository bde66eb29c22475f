package hypothesis

import (
	"errors"
	"math"
	"slices"
	"time"
)

// Window is the read-only view of one check's samples over a window that a
// WindowTolerance judges. Value misses are already errors in it; under
// RecoversWithin(d) it starts d into the window. The zero Window is empty.
type Window struct{ w *window }

func (w Window) win() *window {
	if w.w == nil {
		return &window{}
	}
	return w.w
}

// From returns the start of the window (inclusive).
func (w Window) From() time.Time { return w.win().from }

// To returns the end of the window (exclusive).
func (w Window) To() time.Time { return w.win().to }

// Samples returns a copy of the finished samples, ordered by Intended.
func (w Window) Samples() []Sample {
	var out []Sample
	for _, s := range w.win().samples {
		if !s.InFlight {
			out = append(out, s)
		}
	}
	return out
}

// Finished counts the samples that finished: succeeded or failed.
func (w Window) Finished() int { return w.win().finished }

// InFlight counts the samples still in flight (from Sampler.Evaluate).
func (w Window) InFlight() int { return w.win().inFlight }

// Errors counts the finished samples that failed.
func (w Window) Errors() int { return w.win().errors }

// SuccessRate is the share of finished samples that succeeded, in [0,1];
// 0 when none finished.
func (w Window) SuccessRate() float64 {
	x := w.win()
	if x.finished == 0 {
		return 0
	}
	return float64(x.successes) / float64(x.finished)
}

// LatencyP is the p-th percentile (nearest rank, p in [1,100]) of the
// samples' latencies, failed ones included and those in flight counted with
// the time elapsed so far; 0 with no sample.
func (w Window) LatencyP(p float64) time.Duration { return percentile(w.win().latencies, p) }

// window is what window tolerances judge: the samples of one check intended
// in [from, to), ordered by Intended.
type window struct {
	from, to  time.Time
	samples   []Sample
	all       []Sample  // every sample of the window, before RecoversWithin cut it
	origin    time.Time // start of the whole window; from is origin+d under RecoversWithin
	finished  int
	successes int
	errors    int
	misses    int // errors that are value misses only: the probe answered
	inFlight  int
	latencies []time.Duration // sorted; in-flight samples count as lower bounds

	// What relative tolerances compare with; nil when there is none.
	baseline, control *windowStats
	// stretch multiplies every latency bound: 1, or the host's slowdown when
	// asking whether a saturated machine explains a violation.
	stretch float64
}

// stretched is a latency bound multiplied by the window's stretch.
func (w *window) stretched(d time.Duration) time.Duration {
	if w.stretch <= 1 {
		return d
	}
	return time.Duration(float64(d) * w.stretch)
}

func newWindow(samples, all []Sample, origin, from, to time.Time) *window {
	w := &window{origin: origin, from: from, to: to, samples: samples, all: all}
	w.latencies = make([]time.Duration, 0, len(samples))
	for _, s := range samples {
		w.latencies = append(w.latencies, s.Latency)
		switch {
		case s.InFlight:
			w.inFlight++
		case s.Err != nil:
			w.finished++
			w.errors++
			if isMiss(s.Err) {
				w.misses++
			}
		default:
			w.finished++
			w.successes++
		}
	}
	slices.Sort(w.latencies)
	return w
}

func isMiss(err error) bool {
	var me *missError
	return errors.As(err, &me)
}

// percentile is the nearest-rank percentile of sorted latencies.
func percentile(sorted []time.Duration, p float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	rank := int(math.Ceil(p / 100 * float64(len(sorted))))
	rank = max(1, min(rank, len(sorted)))
	return sorted[rank-1]
}

// windowStats are the figures of a judged window that relative tolerances
// compare with.
type windowStats struct {
	latencies []time.Duration // sorted
	finished  int
	successes int
}

func (w *window) stats() *windowStats {
	return &windowStats{latencies: w.latencies, finished: w.finished, successes: w.successes}
}

func (s *windowStats) successRate() float64 {
	if s.finished == 0 {
		return math.NaN()
	}
	return float64(s.successes) / float64(s.finished)
}
