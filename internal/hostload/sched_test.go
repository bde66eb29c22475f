package hostload

import (
	"math"
	"runtime/metrics"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// testBuckets is a histogram shaped like the runtime's: -Inf first, +Inf
// last. Counts: (-Inf,0) [0,1ms) [1ms,10ms) [10ms,100ms) [100ms,+Inf).
var testBuckets = []float64{math.Inf(-1), 0, 0.001, 0.010, 0.100, math.Inf(1)}

func TestQuantile(t *testing.T) {
	for _, tc := range []struct {
		name   string
		counts []uint64
		q      float64
		want   time.Duration
	}{
		{"nothing counted", []uint64{0, 0, 0, 0, 0}, 0.99, 0},
		{"p99 in the bulk", []uint64{0, 99, 1, 0, 0}, 0.99, time.Millisecond},
		{"p99 in the tail", []uint64{0, 98, 2, 0, 0}, 0.99, 10 * time.Millisecond},
		{"one value", []uint64{0, 0, 0, 1, 0}, 0.99, 100 * time.Millisecond},
		{"+Inf bucket reads its lower bound", []uint64{0, 1, 0, 0, 99}, 0.99, 100 * time.Millisecond},
		{"below zero reads zero", []uint64{5, 0, 0, 0, 0}, 0.99, 0},
		{"q 0 is the least bucket", []uint64{0, 0, 3, 4, 0}, 0, 10 * time.Millisecond},
		{"q 1 is the greatest bucket", []uint64{0, 1, 3, 4, 0}, 1, 100 * time.Millisecond},
		{"q beyond 1 is 1", []uint64{0, 1, 3, 0, 0}, 2, 10 * time.Millisecond},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := quantile(metrics.Float64Histogram{Counts: tc.counts, Buckets: testBuckets}, tc.q)
			assert.Equal(t, tc.want, got)
		})
	}
}

func TestQuantileMismatchedBuckets(t *testing.T) {
	h := metrics.Float64Histogram{Counts: []uint64{1, 2, 3}, Buckets: testBuckets}
	assert.Equal(t, time.Duration(0), quantile(h, 0.99))
}

func TestSeconds(t *testing.T) {
	assert.Equal(t, time.Duration(0), seconds(math.Inf(-1)))
	assert.Equal(t, time.Duration(0), seconds(math.NaN()))
	assert.Equal(t, 64*time.Nanosecond, seconds(6.4e-08))
	assert.Equal(t, time.Duration(math.MaxInt64), seconds(1e300))
}

// The runtime's histogram is what quantile expects: one bound more than
// counts, the last +Inf.
func TestSchedReader(t *testing.T) {
	h := newSchedReader().read()
	require.NotNil(t, h)
	require.Len(t, h.Buckets, len(h.Counts)+1)
	assert.True(t, math.IsInf(h.Buckets[len(h.Buckets)-1], 1))
	assert.LessOrEqual(t, len(h.Buckets), math.MaxUint16)
}
