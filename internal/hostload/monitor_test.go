package hostload

import (
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func closed(c <-chan struct{}) bool {
	select {
	case <-c:
		return true
	default:
		return false
	}
}

func TestAcquireRelease(t *testing.T) {
	m := Acquire()
	require.Same(t, m, Acquire(), "one monitor for the process")
	done := m.done
	require.Equal(t, 1, m.ring.len(), "Acquire takes the first reading")

	m.Release()
	assert.False(t, closed(done), "one user left")
	m.Release()
	assert.True(t, closed(done), "the last Release returns once the goroutine has stopped")

	m.Release() // beyond the Acquires: nothing
	shared.mu.Lock()
	assert.Nil(t, shared.m)
	shared.mu.Unlock()

	again := Acquire()
	assert.NotSame(t, m, again, "a fresh monitor after the last Release")
	assert.False(t, closed(again.done))
	m.Release() // the old monitor's extra Release leaves the new one alone
	assert.False(t, closed(again.done))
	again.Release()
	assert.True(t, closed(again.done))

	f := m.Window(m.start, time.Now())
	assert.GreaterOrEqual(t, f.Readings, 1, "a released monitor keeps its readings")
}

func TestAcquireConcurrent(t *testing.T) {
	var wg sync.WaitGroup
	monitors := make(chan *Monitor, 8*10)
	for range 8 {
		wg.Go(func() {
			for range 10 {
				m := Acquire()
				from := time.Now()
				f := m.Window(from, from.Add(time.Hour))
				assert.GreaterOrEqual(t, f.Readings, 1)
				monitors <- m
				m.Release()
			}
		})
	}
	wg.Wait()
	close(monitors)
	for m := range monitors {
		assert.True(t, closed(m.done), "every monitor stopped")
	}
	shared.mu.Lock()
	defer shared.mu.Unlock()
	assert.Nil(t, shared.m)
}

// The real monitor's figures are in range; whether the host is loaded is not
// tested, since that depends on the machine.
func TestMonitorReal(t *testing.T) {
	m := Acquire()
	t.Cleanup(m.Release)
	from := time.Now()
	f := m.Window(from, from.Add(time.Hour))
	t.Log(f)

	if runtime.GOOS == "linux" {
		assert.True(t, f.HostKnown, "/proc/stat on Linux")
	}
	assert.GreaterOrEqual(t, f.Readings, 1)
	assert.GreaterOrEqual(t, f.CPUs, 1)
	assert.True(t, 0 <= f.Busy && f.Busy <= 1, "busy %v", f.Busy)
	assert.GreaterOrEqual(t, f.RunQueue, 0.0)
	assert.GreaterOrEqual(t, float64(f.RunQueueMax), f.RunQueue)
	assert.True(t, 0 <= f.Pressure && f.Pressure <= 1, "pressure %v", f.Pressure)
	assert.GreaterOrEqual(t, f.SchedP99, time.Duration(0))
}
