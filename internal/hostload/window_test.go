package hostload

import (
	"math"
	"runtime"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// syntheticMonitor returns a monitor that is not running and whose readings
// the test injects with record. Its start is an hour ago, so the windows of
// the tests are over and Window takes no reading of its own.
func syntheticMonitor(t *testing.T) *Monitor {
	t.Helper()
	m := newMonitor(t.TempDir())
	m.start = time.Now().Add(-time.Hour)
	m.buckets = testBuckets
	return m
}

// window is m.Window with times as offsets from m's start.
func window(m *Monitor, from, to time.Duration) Figures {
	return m.Window(m.start.Add(from), m.start.Add(to))
}

// hostSample is a reading of a 2-CPU host with PSI; hist is the cumulative
// scheduler histogram over testBuckets.
func hostSample(at time.Duration, busy, total uint64, running uint32, psi uint64, hist ...uint64) sample {
	return sample{
		at:       at,
		stat:     cpuStat{busy: busy, total: total, running: running, cpus: 2},
		host:     true,
		psi:      psi,
		pressure: true,
		sched:    hist,
	}
}

const ms = time.Millisecond

// fiveReadings are readings every 50 ms; a window [100ms, 250ms) holds those
// at 100, 150 and 200 ms, and the one at 50 ms bounds it before.
func fiveReadings(m *Monitor) {
	m.record(hostSample(0*ms, 0, 0, 1, 0, 0, 0, 0, 0, 0))
	m.record(hostSample(50*ms, 100, 200, 1, 10_000, 0, 10, 0, 0, 0))
	m.record(hostSample(100*ms, 150, 300, 3, 20_000, 0, 60, 0, 0, 0))
	m.record(hostSample(150*ms, 240, 400, 5, 50_000, 0, 60, 1, 0, 0))
	m.record(hostSample(200*ms, 330, 500, 2, 80_000, 0, 110, 2, 0, 0))
	m.record(hostSample(250*ms, 500, 600, 9, 130_000, 0, 110, 2, 50, 0))
}

func TestWindow(t *testing.T) {
	m := syntheticMonitor(t)
	fiveReadings(m)
	f := window(m, 100*ms, 250*ms)
	assert.Equal(t, 3, f.Readings)
	assert.True(t, f.HostKnown)
	assert.Equal(t, 2, f.CPUs)
	assert.InDelta(t, (330.0-100)/(500-200), f.Busy, 1e-9, "busy ticks from the reading before the window to its last")
	assert.InDelta(t, (2.0+4+1)/3, f.RunQueue, 1e-9, "the reader is not counted")
	assert.Equal(t, 4, f.RunQueueMax)
	assert.True(t, f.PressureKnown)
	assert.InDelta(t, 70_000.0/150_000, f.Pressure, 1e-9, "µs stalled over the µs between the bounding readings")
	// The delta from 50 to 200 ms is 100 at 1ms and 2 at 10ms: rank 101 of 102
	// is in the 10ms bucket. The reading at 250 ms would put it at 100ms.
	assert.Equal(t, 10*ms, f.SchedP99)
	assert.False(t, f.HostSaturated())
}

func TestWindowBeforeFirstReading(t *testing.T) {
	m := syntheticMonitor(t)
	fiveReadings(m)
	// No reading before the window: the first in it bounds it.
	f := window(m, -time.Second, 125*ms)
	assert.Equal(t, 3, f.Readings)
	assert.InDelta(t, 150.0/300, f.Busy, 1e-9)
	assert.InDelta(t, 2.0/3, f.RunQueue, 1e-9)
	assert.InDelta(t, 20_000.0/100_000, f.Pressure, 1e-9)
	assert.Equal(t, time.Millisecond, f.SchedP99, "60 at 1ms since the first reading")

	// Only the first reading: no deltas.
	f = window(m, -time.Second, 10*ms)
	assert.Equal(t, 1, f.Readings)
	assert.True(t, f.HostKnown)
	assert.Zero(t, f.Busy)
	assert.Zero(t, f.Pressure)
	assert.Zero(t, f.SchedP99)
}

func TestWindowWithoutReadings(t *testing.T) {
	m := syntheticMonitor(t)
	assert.Equal(t, Figures{CPUs: runtime.NumCPU()}, window(m, 0, time.Second), "no readings at all")
	fiveReadings(m)
	for _, w := range [][2]time.Duration{{110 * ms, 140 * ms}, {time.Second, 2 * time.Second}, {-time.Second, 0}, {200 * ms, 100 * ms}} {
		f := window(m, w[0], w[1])
		assert.Equal(t, Figures{CPUs: runtime.NumCPU()}, f, "window %v", w)
		assert.Equal(t, "no load readings in window", f.String())
	}
}

func TestWindowHostUnknown(t *testing.T) {
	m := syntheticMonitor(t)
	for i, hist := range [][]uint64{{0, 0, 0, 0, 0}, {0, 10, 0, 0, 0}, {0, 20, 0, 0, 0}} {
		m.record(sample{at: time.Duration(i) * Period, sched: hist})
	}
	f := window(m, 0, time.Second)
	assert.Equal(t, Figures{CPUs: runtime.NumCPU(), SchedP99: time.Millisecond, Readings: 3}, f)
	assert.Equal(t, "host load unknown (no /proc/stat); Go scheduler delay p99 1ms", f.String())
}

func TestWindowCountersGoingBack(t *testing.T) {
	m := syntheticMonitor(t)
	// iowait can decrease on some kernels, so busy ticks can too.
	m.record(hostSample(0, 100, 200, 1, 500))
	m.record(hostSample(Period, 90, 250, 1, 400))
	f := window(m, 0, time.Second)
	assert.Zero(t, f.Busy)
	assert.Zero(t, f.Pressure)

	m.record(hostSample(2*Period, 200, 260, 1, 400))
	f = window(m, Period, time.Second)
	assert.Equal(t, 1.0, f.Busy, "busy ticks beyond total ticks are clamped")
	m.record(hostSample(3*Period, 200, 260, 1, 1_000_000))
	f = window(m, 3*Period, time.Second)
	assert.Equal(t, 1.0, f.Pressure, "a pressure beyond the wall time is clamped")
}

func TestWindowOlderThanHistory(t *testing.T) {
	m := syntheticMonitor(t)
	m.ring = newRing(4, 100)
	for i := range 10 {
		n := uint64(i)
		m.record(hostSample(time.Duration(i)*Period, 10*n, 20*n, 1, 0, 0, n, 0, 0, 0))
	}
	f := window(m, 0, time.Hour)
	assert.Equal(t, 4, f.Readings, "what is left")
	assert.InDelta(t, 0.5, f.Busy, 1e-9)
	assert.Equal(t, Figures{CPUs: runtime.NumCPU()}, window(m, 0, 5*Period), "all gone")
}

// When the histogram entries run out before the readings do, the ring drops
// readings: every reading it keeps has its whole delta.
func TestRingEntryBound(t *testing.T) {
	m := syntheticMonitor(t)
	m.ring = newRing(100, 6)
	for i := range 10 {
		n := uint64(i)
		m.record(sample{at: time.Duration(i) * Period, sched: []uint64{0, n, n, 0, 0}})
	}
	r := &m.ring
	require.Equal(t, 3, r.len(), "two entries a reading")
	assert.Equal(t, 6, int(r.eEnd-r.eStart))
	counts := make([]uint64, 5)
	for k := range r.len() {
		r.histogram(r.at(k), counts)
	}
	assert.Equal(t, []uint64{0, 3, 3, 0, 0}, counts)
	assert.Equal(t, 3, window(m, 0, time.Hour).Readings)
}

func TestRecordSplitsHugeDeltas(t *testing.T) {
	m := syntheticMonitor(t)
	huge := uint64(3*math.MaxUint32 + 5)
	m.record(sample{at: 0, sched: []uint64{0, 0, 0, 0, 0}})
	m.record(sample{at: Period, sched: []uint64{0, huge, 1, 0, 0}})
	r := &m.ring
	assert.Equal(t, 5, int(r.at(1).histLen), "four entries for bucket 1, one for bucket 2")
	counts := make([]uint64, 5)
	r.histogram(r.at(1), counts)
	assert.Equal(t, []uint64{0, huge, 1, 0, 0}, counts)
}

func TestRecordHistogramChangesShape(t *testing.T) {
	m := syntheticMonitor(t)
	m.record(sample{at: 0, sched: []uint64{0, 5, 0, 0, 0}})
	m.record(sample{at: Period, sched: []uint64{1, 2, 3}}) // does not match the buckets: ignored
	m.record(sample{at: 2 * Period, sched: []uint64{0, 50, 0, 0, 0}})
	m.record(sample{at: 3 * Period, sched: []uint64{0, 50, 0, 7, 0}})
	f := window(m, 0, time.Hour)
	assert.Equal(t, 100*ms, f.SchedP99, "only the delta between matching readings")
}

// A window that has not ended takes a reading at the call: here of the
// captured files, after one injected ten seconds earlier.
func TestWindowOpenTakesReading(t *testing.T) {
	m := newMonitor(captureRoot)
	now := time.Now()
	m.start = now.Add(-time.Hour)
	capture, ok := m.proc.stat()
	require.True(t, ok)
	psi, ok := m.proc.pressure()
	require.True(t, ok)
	m.record(sample{
		at:       now.Add(-10 * time.Second).Sub(m.start),
		stat:     cpuStat{busy: capture.busy - 100, total: capture.total - 200, running: 4, cpus: 2},
		host:     true,
		psi:      psi - 1_000_000,
		pressure: true,
	})

	f := m.Window(now.Add(-5*time.Second), now.Add(time.Hour))
	assert.Equal(t, 1, f.Readings)
	assert.True(t, f.HostKnown)
	assert.Equal(t, 2, f.CPUs)
	assert.InDelta(t, 0.5, f.Busy, 1e-9)
	assert.Zero(t, f.RunQueue, "procs_running 1 is the reader")
	assert.True(t, f.PressureKnown)
	assert.InDelta(t, 0.1, f.Pressure, 0.01, "1 s of 10 s")
}

func TestWindowWithoutProc(t *testing.T) {
	m := newMonitor(t.TempDir())
	m.read()
	f := m.Window(m.start, time.Now().Add(time.Hour))
	assert.Equal(t, 2, f.Readings)
	assert.False(t, f.HostKnown)
	assert.False(t, f.PressureKnown)
	assert.Zero(t, f.Busy)
	assert.Zero(t, f.RunQueue)
}
