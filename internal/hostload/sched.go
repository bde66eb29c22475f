package hostload

import (
	"math"
	"runtime/metrics"
	"time"
)

// schedLatencies is the runtime/metrics histogram of the time goroutines
// spent runnable before they ran.
const schedLatencies = "/sched/latencies:seconds"

// schedReader reads the scheduler latency histogram, reusing the runtime's
// buffer. It is not safe for concurrent use.
type schedReader struct {
	sample [1]metrics.Sample
}

// newSchedReader returns a reader of the scheduler latency histogram.
func newSchedReader() *schedReader {
	r := &schedReader{}
	r.sample[0].Name = schedLatencies
	return r
}

// read returns the cumulative histogram of the process's scheduler
// latencies; its Counts are valid until the next read. It returns nil if the
// runtime does not have the metric.
func (r *schedReader) read() *metrics.Float64Histogram {
	metrics.Read(r.sample[:])
	if r.sample[0].Value.Kind() != metrics.KindFloat64Histogram {
		return nil
	}
	return r.sample[0].Value.Float64Histogram()
}

// quantile returns the q-quantile (q in [0,1]) of the values counted in h:
// the upper bound of the bucket holding the value of rank ceil(q*total), or
// its lower bound when the upper one is +Inf, so it never understates the
// latency by more than one bucket's width. It returns 0 when h counts
// nothing, and ignores the histogram if its buckets do not match its counts.
func quantile(h metrics.Float64Histogram, q float64) time.Duration {
	if len(h.Buckets) != len(h.Counts)+1 {
		return 0
	}
	var total uint64
	for _, c := range h.Counts {
		total += c
	}
	if total == 0 {
		return 0
	}
	rank := uint64(math.Ceil(q * float64(total)))
	rank = min(max(rank, 1), total)
	var seen uint64
	for i, c := range h.Counts {
		seen += c
		if seen < rank {
			continue
		}
		bound := h.Buckets[i+1]
		if math.IsInf(bound, 1) {
			bound = h.Buckets[i]
		}
		return seconds(bound)
	}
	return seconds(h.Buckets[len(h.Buckets)-1]) // unreachable: rank <= total
}

// seconds converts a histogram bound to a Duration, saturating instead of
// overflowing, and treating bounds below zero (the -Inf of the first bucket)
// as zero.
func seconds(s float64) time.Duration {
	switch {
	case math.IsNaN(s) || s <= 0:
		return 0
	case s >= float64(math.MaxInt64)/1e9:
		return math.MaxInt64
	}
	return time.Duration(s * 1e9)
}
