package hostload

import (
	"testing"
	"time"
)

// BenchmarkRead is the cost of one reading of the real host and runtime:
// /proc/stat, /proc/pressure/cpu, the scheduler histogram and its delta into
// the ring.
func BenchmarkRead(b *testing.B) {
	m := newMonitor(procRoot)
	b.ReportAllocs()
	for b.Loop() {
		m.read()
	}
}

// BenchmarkWindow is the cost of summarising a window of a full ring (ten
// minutes of readings, each changing 25 of the runtime's histogram buckets,
// as a busy process does).
func BenchmarkWindow(b *testing.B) {
	m := newMonitor(procRoot)
	m.start = time.Now().Add(-time.Hour)
	counts := make([]uint64, len(m.buckets)-1)
	for i := range maxReadings {
		for k := range 25 {
			counts[(i+k)%len(counts)] += uint64(k + 1)
		}
		n := uint64(i)
		m.record(sample{
			at:       time.Duration(i) * Period,
			stat:     cpuStat{busy: 7 * n, total: 10 * n, running: uint32(i % 5), cpus: 2},
			host:     true,
			psi:      20_000 * n,
			pressure: true,
			sched:    counts,
		})
	}
	if m.ring.len() != maxReadings {
		b.Fatalf("ring holds %d readings, want %d", m.ring.len(), maxReadings)
	}
	for _, w := range []struct {
		name string
		d    time.Duration
	}{{"1s", time.Second}, {"10m", 10 * time.Minute}} {
		b.Run(w.name, func(b *testing.B) {
			from := m.start.Add(5*time.Minute - w.d/2)
			to := from.Add(w.d)
			b.ReportAllocs()
			for b.Loop() {
				if f := m.Window(from, to); f.Readings == 0 {
					b.Fatal("no readings")
				}
			}
		})
	}
}
