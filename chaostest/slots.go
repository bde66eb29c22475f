package chaostest

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// Experiments are scheduled machine-wide. Every experiment measures the
// machine it runs on, and on a shared runner the harness's own load (other
// experiments' probes, their systems, their faults) becomes the measured
// system's latency and errors. So an experiment takes one of a few slots
// before its steady state before is sampled, and gives it back once its
// verdict is written. The slots are lock files (flock) in a directory of the
// user's cache, shared by every test process of the user on the machine:
// `go test ./...` runs several packages' binaries at once, and they queue
// for the same slots. The kernel releases a lock when its process ends, so
// a killed test never keeps a slot.
//
// A sweep over the lock files is cheap (one flock call per slot, with
// LOCK_NB), so a waiting experiment sweeps every slotPoll; a freed slot is
// taken within that. Waiting is not first come, first served.

const (
	// defaultSlots is the number of experiments measured at once when
	// neither -chaostest.slots nor CHAOSTEST_SLOTS sets it. Measured on a
	// 2-core machine already busy with other builds, beside stress-ng --cpu
	// 1 (docs/scheduling.md): eight 3s experiments of a loopback HTTP
	// service (p99 <= 100ms, 250ms timeouts) at once, all eight missed their
	// gate (p99 up to 485ms, the harness up to 200ms late) with 8 slots;
	// with 4 and 2 slots every gate held in most runs (p99 31 to 75ms, the
	// harness at most 12ms late), with 1 slot too, in four times the wall
	// time of 4. Two, one experiment per core, keeps that margin for
	// experiments heavier than a loopback service (containers, proxies)
	// and halves the wall time of one at a time.
	defaultSlots = 2
	// maxSlots bounds the setting: beyond it, slots no longer schedule anything.
	maxSlots = 64
	// slotPoll is how often a waiting experiment tries the slots again.
	slotPoll = 10 * time.Millisecond
)

// slotsSetting parses -chaostest.slots / CHAOSTEST_SLOTS; defaultSlots when unset.
func slotsSetting() (int, error) {
	v := strings.TrimSpace(setting(flagSlots, envSlots))
	if v == "" {
		return defaultSlots, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 || n > maxSlots {
		return 0, fmt.Errorf("-%s / %s %q: accepted: an integer from 1 to %d (default %d)", flagSlots, envSlots, v, maxSlots, defaultSlots)
	}
	return n, nil
}

// slotDir is the directory of the slots' lock files. This package's tests
// point it elsewhere.
var slotDir = defaultSlotDir

// defaultSlotDir is go-resilience/slots in the user's cache directory, or in
// the temporary directory when there is no cache directory.
func defaultSlotDir() string {
	base, err := os.UserCacheDir()
	if err != nil || base == "" {
		base = os.TempDir()
	}
	return filepath.Join(base, "go-resilience", "slots")
}

// slotLock is a slot taken: an open lock file holding an exclusive flock.
type slotLock struct {
	f      *os.File
	index  int // 1-based
	of     int // the slot count
	waited time.Duration
}

// release gives the slot back: closing the file drops the lock. Idempotent.
func (l *slotLock) release() {
	if l == nil || l.f == nil {
		return
	}
	_ = l.f.Close()
	l.f = nil
}

// takeSlot waits for one of n machine-wide slots in dir, or until ctx ends (then it
// returns context.Cause(ctx) with how long it waited).
func takeSlot(ctx context.Context, dir string, n int) (*slotLock, error) {
	start := time.Now()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("experiment slots: %w", err)
	}
	files := make([]*os.File, n)
	defer func() {
		for _, f := range files {
			if f != nil {
				_ = f.Close()
			}
		}
	}()
	for i := range files {
		f, err := os.OpenFile(filepath.Join(dir, fmt.Sprintf("slot-%d.lock", i+1)), os.O_RDWR|os.O_CREATE, 0o644)
		if err != nil {
			return nil, fmt.Errorf("experiment slots: %w", err)
		}
		files[i] = f
	}
	var timer *time.Timer
	for {
		for i, f := range files {
			ok, err := tryLock(f)
			if err != nil {
				return nil, fmt.Errorf("experiment slots: lock %s: %w", f.Name(), err)
			}
			if ok {
				files[i] = nil // kept open: it holds the lock
				return &slotLock{f: f, index: i + 1, of: n, waited: time.Since(start)}, nil
			}
		}
		if timer == nil {
			timer = time.NewTimer(slotPoll)
			defer timer.Stop()
		} else {
			timer.Reset(slotPoll)
		}
		select {
		case <-timer.C:
		case <-ctx.Done():
			return &slotLock{of: n, waited: time.Since(start)}, context.Cause(ctx)
		}
	}
}

// errSlotWait is the cause of a wait for a slot cut short so that the
// experiment could still finish before the test's deadline.
var errSlotWait = errors.New("no experiment slot came free in time")

// takeSlotFor takes the run's slot before its steady state before: it
// waits no longer than the test's deadline leaves time for the whole
// experiment, and no longer than the test's context lasts.
func (r *runner) takeSlotFor(abortAt time.Time, hasDeadline bool) error {
	n, err := slotsSetting()
	if err != nil {
		return err
	}
	ctx := r.ctx
	if hasDeadline {
		var cancel context.CancelFunc
		ctx, cancel = context.WithDeadlineCause(ctx, abortAt.Add(-r.e.planned()), errSlotWait)
		defer cancel()
	}
	l, err := takeSlot(ctx, slotDir(), n)
	if l != nil {
		r.report.SlotWait, r.report.Slots = l.waited, n
	}
	if err != nil {
		if l == nil {
			return err
		}
		if errors.Is(err, errSlotWait) {
			err = fmt.Errorf("%w: waited %v for an experiment slot (%s); the experiment needs %v", errDeadline, fmtWait(l.waited), slotsPhrase(n), r.e.planned())
		} else {
			err = fmt.Errorf("%w while it waited %v for an experiment slot (%s)", err, fmtWait(l.waited), slotsPhrase(n))
		}
		return err
	}
	r.slot = l
	if l.waited >= slotPoll {
		r.logf("waited %v for an experiment slot (%s)", fmtWait(l.waited), slotsPhrase(n))
	}
	return nil
}

// giveSlot gives the run's slot back, once its verdict is written.
func (r *runner) giveSlot() { r.slot.release() }

func slotsPhrase(n int) string {
	if n == 1 {
		return "1 slot, machine-wide"
	}
	return fmt.Sprintf("%d slots, machine-wide", n)
}

// fmtWait rounds a wait for reading: to 100ms from a second, else to the
// millisecond.
func fmtWait(d time.Duration) time.Duration {
	if d >= time.Second {
		return d.Round(100 * time.Millisecond)
	}
	return d.Round(time.Millisecond)
}
