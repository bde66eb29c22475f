package hostload

import (
	"math"
	"time"
)

// The ring's bounds: ten minutes of readings, and room for 32 histogram
// entries per reading on average (a process whose goroutines all contend
// changes 20 to 35 of the runtime's 162 scheduler latency buckets per period,
// an idle one a few). When the entries run out first, the ring keeps fewer
// readings: a shorter history, never a reading without its histogram. At the
// bounds the ring holds 12000 readings of 56 bytes and 384000 entries of 8, about
// 3.7 MB; it grows to them as readings come, so a short test pays for what it
// keeps.
const (
	maxReadings = int(10 * time.Minute / Period)
	maxEntries  = 32 * maxReadings
)

// reading is one sample of the host and of the process, as the ring keeps it.
type reading struct {
	at       time.Duration // since the monitor started, on the monotonic clock
	stat     cpuStat
	psi      uint64 // cumulative µs of CPU pressure ("some")
	hist     uint64 // stream position of the first entry of the reading's histogram delta
	histLen  uint16
	host     bool // stat was read
	pressure bool // psi was read
}

// entry is one bucket's share of a reading's scheduler latency histogram
// delta: the goroutines that became runnable since the previous reading and
// waited bucket's latency. A delta beyond MaxUint32 takes several entries.
type entry struct {
	bucket uint16
	count  uint32
}

// ring keeps the newest readings and their histogram entries. Positions are
// stream positions (the number of items pushed before); an item's slot is its
// position modulo the bound. The slices grow by append to their bound.
type ring struct {
	readings       []reading
	rStart, rEnd   uint64
	entries        []entry
	eStart, eEnd   uint64
	maxR, maxE     int
	maxEntryPerRdg int
}

func newRing(maxR, maxE int) ring {
	return ring{maxR: maxR, maxE: maxE, maxEntryPerRdg: min(maxE, math.MaxUint16)}
}

// len is the number of readings held.
func (r *ring) len() int { return int(r.rEnd - r.rStart) }

// at returns the k-th reading held, oldest first.
func (r *ring) at(k int) *reading {
	return &r.readings[(r.rStart+uint64(k))%uint64(r.maxR)]
}

// push adds rd with its histogram delta, dropping the oldest readings to make
// room. rd must not be older than the newest reading held.
func (r *ring) push(rd reading, delta []entry) {
	if len(delta) > r.maxEntryPerRdg {
		delta = delta[:r.maxEntryPerRdg] // unreachable with the runtime's 162 buckets
	}
	for r.len() > 0 && (r.len() == r.maxR || int(r.eEnd-r.eStart)+len(delta) > r.maxE) {
		old := r.at(0)
		r.eStart = old.hist + uint64(old.histLen)
		r.rStart++
	}
	rd.hist, rd.histLen = r.eEnd, uint16(len(delta))
	for _, e := range delta {
		r.entries = put(r.entries, r.eEnd, r.maxE, e)
		r.eEnd++
	}
	r.readings = put(r.readings, r.rEnd, r.maxR, rd)
	r.rEnd++
}

// histogram adds the histogram delta of rd to counts.
func (r *ring) histogram(rd *reading, counts []uint64) {
	for p := rd.hist; p < rd.hist+uint64(rd.histLen); p++ {
		e := r.entries[p%uint64(r.maxE)]
		if int(e.bucket) < len(counts) {
			counts[e.bucket] += uint64(e.count)
		}
	}
}

// put stores v at stream position pos of a ring slice bounded by bound,
// appending while the slice has not reached its bound (then pos == len(s)).
func put[T any](s []T, pos uint64, bound int, v T) []T {
	if len(s) < bound {
		return append(s, v)
	}
	s[pos%uint64(bound)] = v
	return s
}
