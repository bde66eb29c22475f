package hostload

import (
	"runtime"
	"runtime/metrics"
	"sort"
	"time"
)

// Window summarizes the readings taken in [from, to) (plus the one just
// before from, so that deltas cover the window). If the window has not ended
// yet (to in the future), it first takes one fresh reading, so a window
// shorter than the period still has figures. The figures' ends are accurate to
// one Period: deltas run from the last reading before from to the last reading
// before to. A window older than the monitor's history (ten minutes) gets what
// is left of it; one with no reading has Readings 0 and no other figures.
func (m *Monitor) Window(from, to time.Time) Figures {
	if to.After(time.Now()) {
		m.read()
	}
	return m.summarize(from.Sub(m.start), to.Sub(m.start))
}

// summarize computes the figures of the readings taken in [from, to), times
// since the monitor's start.
func (m *Monitor) summarize(from, to time.Duration) Figures {
	m.mu.Lock()
	defer m.mu.Unlock()
	f := Figures{CPUs: runtime.NumCPU()}
	r := &m.ring
	i := sort.Search(r.len(), func(k int) bool { return r.at(k).at >= from })
	j := sort.Search(r.len(), func(k int) bool { return r.at(k).at >= to })
	if j <= i {
		return f
	}
	f.Readings = j - i
	base := max(i-1, 0) // without a reading before the window, its first is the base
	first, last := r.at(base), r.at(j-1)

	if first.host && last.host {
		f.HostKnown = true
		if last.stat.cpus > 0 {
			f.CPUs = int(last.stat.cpus)
		}
		f.Busy = busyShare(first.stat, last.stat)
		f.RunQueue, f.RunQueueMax = runQueue(r, i, j)
	}
	if first.pressure && last.pressure {
		f.PressureKnown = true
		f.Pressure = pressureShare(first, last)
	}

	if len(m.buckets) > 1 {
		if n := len(m.buckets) - 1; cap(m.sum) < n {
			m.sum = make([]uint64, n)
		} else {
			m.sum = m.sum[:n]
			clear(m.sum)
		}
		for k := base + 1; k < j; k++ {
			r.histogram(r.at(k), m.sum)
		}
		f.SchedP99 = quantile(metrics.Float64Histogram{Counts: m.sum, Buckets: m.buckets}, 0.99)
	}
	return f
}

// busyShare is the share of the CPU time between two readings that was not
// idle or iowait, in [0,1]; 0 if no time passed. iowait may go backwards on
// some kernels, so busy time is clamped to [0, total].
func busyShare(a, b cpuStat) float64 {
	if b.total <= a.total {
		return 0
	}
	total := b.total - a.total
	if b.busy <= a.busy {
		return 0
	}
	return float64(min(b.busy-a.busy, total)) / float64(total)
}

// pressureShare is the share of the wall time between two readings in which
// some runnable task waited for a CPU, in [0,1].
func pressureShare(a, b *reading) float64 {
	wall := (b.at - a.at).Microseconds()
	if wall <= 0 || b.psi <= a.psi {
		return 0
	}
	return min(float64(b.psi-a.psi)/float64(wall), 1)
}

// runQueue is the mean and the maximum of the runnable tasks other than the
// reader itself over the readings i..j-1 that read /proc/stat.
func runQueue(r *ring, i, j int) (mean float64, most int) {
	sum, n := 0, 0
	for k := i; k < j; k++ {
		rd := r.at(k)
		if !rd.host {
			continue
		}
		q := max(int(rd.stat.running)-1, 0)
		sum += q
		most = max(most, q)
		n++
	}
	if n == 0 {
		return 0, 0
	}
	return float64(sum) / float64(n), most
}
