package hostload

import (
	"math"
	"sync"
	"time"
)

// Period is how often the monitor reads.
const Period = 50 * time.Millisecond

// procRoot is where the monitor of Acquire reads the host's figures. Tests
// give newMonitor a directory of captured files instead.
const procRoot = "/proc"

// Monitor samples the host's CPU load and the Go scheduler's delay at a fixed
// period until its last user releases it. One monitor serves the whole process.
type Monitor struct {
	start   time.Time // readings' times are offsets from it, on the monotonic clock
	buckets []float64 // bounds of the scheduler latency histogram; fixed for the process

	readMu sync.Mutex // serialises readings, so they enter the ring in time order
	proc   *procReader
	sched  *schedReader

	mu    sync.Mutex
	ring  ring
	prev  []uint64 // cumulative scheduler histogram at the newest reading; empty if unknown
	delta []entry  // record's scratch
	sum   []uint64 // summarize's scratch

	refs int           // users; guarded by shared.mu
	stop chan struct{} // closed by the last Release
	done chan struct{} // closed when the goroutine has stopped
}

// shared is the process-wide monitor, nil when nobody holds it.
var shared struct {
	mu sync.Mutex
	m  *Monitor
}

// Acquire returns the process-wide monitor, starting it if needed; every
// Acquire must be paired with one Release. The monitor's goroutine stops when
// the count drops to zero (and a later Acquire starts a fresh one, with no
// readings of the old). A started monitor has taken its first reading, so every
// window that starts after Acquire returns has a reading before it. Safe for
// concurrent use.
func Acquire() *Monitor {
	shared.mu.Lock()
	defer shared.mu.Unlock()
	if shared.m == nil {
		shared.m = newMonitor(procRoot)
		shared.m.run()
	}
	shared.m.refs++
	return shared.m
}

// Release gives back one Acquire. The last one stops the monitor's goroutine
// and returns once it has stopped; the readings stay, so Window still answers.
// A Release beyond the Acquires of m does nothing.
func (m *Monitor) Release() {
	shared.mu.Lock()
	defer shared.mu.Unlock()
	if m.refs == 0 {
		return
	}
	m.refs--
	if m.refs > 0 {
		return
	}
	close(m.stop)
	<-m.done
	if shared.m == m {
		shared.m = nil
	}
}

// newMonitor returns a monitor reading the files under root, not yet running.
func newMonitor(root string) *Monitor {
	m := &Monitor{
		start: time.Now(),
		proc:  newProcReader(root),
		sched: newSchedReader(),
		ring:  newRing(maxReadings, maxEntries),
	}
	if h := m.sched.read(); h != nil && len(h.Buckets) <= math.MaxUint16 {
		m.buckets = h.Buckets // the runtime never changes them
	}
	return m
}

// run takes the first reading and starts the goroutine that takes the others.
func (m *Monitor) run() {
	m.read()
	m.stop, m.done = make(chan struct{}), make(chan struct{})
	go m.loop(m.stop, m.done)
}

// loop reads every Period until stop is closed, then closes done.
func (m *Monitor) loop(stop <-chan struct{}, done chan<- struct{}) {
	defer close(done)
	tick := time.NewTicker(Period)
	defer tick.Stop()
	for {
		select {
		case <-stop:
			return
		case <-tick.C:
			m.read()
		}
	}
}

// sample is one reading as taken, before the ring keeps it.
type sample struct {
	at       time.Duration // since the monitor started
	stat     cpuStat
	host     bool
	psi      uint64
	pressure bool
	sched    []uint64 // cumulative scheduler latency counts; nil if unknown
}

// read takes one reading now and records it.
func (m *Monitor) read() {
	m.readMu.Lock()
	defer m.readMu.Unlock()
	s := sample{at: time.Since(m.start)}
	s.stat, s.host = m.proc.stat()
	s.psi, s.pressure = m.proc.pressure()
	if h := m.sched.read(); h != nil {
		s.sched = h.Counts
	}
	m.record(s)
}

// record adds s to the ring, its scheduler histogram as the delta since the
// previous reading. Tests call it to inject readings.
func (m *Monitor) record(s sample) {
	m.mu.Lock()
	defer m.mu.Unlock()
	delta := m.delta[:0]
	switch {
	case len(s.sched) == 0 || len(s.sched) != len(m.buckets)-1:
		m.prev = m.prev[:0]
	case len(m.prev) != len(s.sched):
		m.prev = append(m.prev[:0], s.sched...) // the first: nothing to subtract
	default:
		for i, c := range s.sched {
			for d := c - min(c, m.prev[i]); d > 0; {
				n := min(d, math.MaxUint32)
				delta = append(delta, entry{bucket: uint16(i), count: uint32(n)})
				d -= n
			}
		}
		copy(m.prev, s.sched)
	}
	m.delta = delta
	m.ring.push(reading{
		at:       s.at,
		stat:     s.stat,
		psi:      s.psi,
		host:     s.host,
		pressure: s.pressure,
	}, delta)
}

// Users is how many Acquires of the process-wide monitor are not yet
// released: 0 when no monitor goroutine runs. Tests use it to prove that
// nothing is left behind.
func Users() int {
	shared.mu.Lock()
	defer shared.mu.Unlock()
	if shared.m == nil {
		return 0
	}
	return shared.m.refs
}
