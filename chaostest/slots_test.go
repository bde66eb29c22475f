package chaostest_test

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/go-resilience/resilience/chaostest"
	"github.com/go-resilience/resilience/hypothesis"
	"github.com/go-resilience/resilience/internal/testkit/faket"
)

// The machine-wide experiment slots are checked across processes: copies
// of this test binary run TestSlotSubprocess, sharing a directory of slots
// (envSlotDir, read by TestMain).

const measuredAt = "CHAOSTEST-TEST-MEASURED"

func TestSlotSubprocess(t *testing.T) {
	mode := os.Getenv(envMode)
	if mode != "slots" && mode != "holdslot" {
		t.Skip("runs only as a subprocess of the slot tests")
	}
	probe := hypothesis.ProbeFunc("always fine", func(context.Context) (any, error) { return nil, nil })
	h := hypothesis.New("fine", hypothesis.Observe(probe, hypothesis.Every(10*time.Millisecond)))
	if mode == "holdslot" {
		held := chaostest.FaultFunc("holds its slot", func(context.Context) (chaostest.Revert, error) {
			fmt.Println(appliedAt)
			return nil, nil
		})
		chaostest.Run(t, h, chaostest.Inject(held), chaostest.Before(50*time.Millisecond), chaostest.Settle(0),
			chaostest.Duration(time.Minute), chaostest.Window(time.Second), chaostest.After(50*time.Millisecond))
		return
	}
	harmless := chaostest.FaultFunc("harmless", func(context.Context) (chaostest.Revert, error) { return nil, nil })
	for i := range 3 {
		t.Run(fmt.Sprint(i), func(t *testing.T) {
			t.Parallel()
			rep := chaostest.Run(t, h, chaostest.Inject(harmless), chaostest.Before(100*time.Millisecond), chaostest.Settle(0),
				chaostest.Duration(300*time.Millisecond), chaostest.Window(100*time.Millisecond), chaostest.After(100*time.Millisecond))
			// The measured window: from the first sample of the steady state
			// before to the end of the after window.
			fmt.Printf("%s %d %d %d\n", measuredAt, rep.Before.From.UnixNano(), rep.After.To.UnixNano(), rep.SlotWait)
		})
	}
}

func slotSubprocess(t *testing.T, mode, dir string, slots int) *exec.Cmd {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestSlotSubprocess$", "-test.v", "-test.timeout=120s")
	cmd.Env = append(os.Environ(), envMode+"="+mode, envSlotDir+"="+dir, fmt.Sprintf("CHAOSTEST_SLOTS=%d", slots), "CHAOSTEST_JOURNAL="+t.TempDir())
	return cmd
}

// Two go test processes of three parallel experiments each, started
// together, never measure more than the slot count of experiments at once.
func TestSlotsBoundExperimentsAcrossProcesses(t *testing.T) {
	t.Parallel()
	const slots = 2
	dir := t.TempDir()
	cmds := []*exec.Cmd{slotSubprocess(t, "slots", dir, slots), slotSubprocess(t, "slots", dir, slots)}
	outs := make([]bytes.Buffer, len(cmds))
	var wg sync.WaitGroup
	errs := make([]error, len(cmds))
	for i, c := range cmds {
		c.Stdout, c.Stderr = &outs[i], &outs[i]
		wg.Go(func() { errs[i] = c.Run() })
	}
	wg.Wait()
	type span struct{ from, to int64 }
	var spans []span
	var waited, longest time.Duration
	for i, err := range errs {
		if err != nil {
			t.Fatalf("subprocess %d: %v:\n%s", i+1, err, outs[i].String())
		}
		for line := range strings.Lines(outs[i].String()) {
			var s span
			var w int64
			if n, _ := fmt.Sscanf(line, measuredAt+" %d %d %d", &s.from, &s.to, &w); n == 3 {
				spans = append(spans, s)
				waited += time.Duration(w)
				longest = max(longest, time.Duration(w))
			}
		}
	}
	if len(spans) != 6 {
		t.Fatalf("%d measured windows, want 6:\n%s\n%s", len(spans), outs[0].String(), outs[1].String())
	}
	// The most measured windows open at one instant: sweep their ends.
	type edge struct {
		at    int64
		delta int
	}
	var edges []edge
	for _, s := range spans {
		edges = append(edges, edge{s.from, +1}, edge{s.to, -1})
	}
	slices.SortFunc(edges, func(a, b edge) int {
		if a.at != b.at {
			return int(a.at - b.at)
		}
		return a.delta - b.delta // an end before a start at the same instant
	})
	open, most := 0, 0
	for _, e := range edges {
		open += e.delta
		most = max(most, open)
	}
	t.Logf("%d experiments, at most %d measured at once on %d slots; slot waits %v in all, the longest %v", len(spans), most, slots, waited, longest)
	if most > slots {
		t.Errorf("%d experiments measured at once, want at most %d (the slots)", most, slots)
	}
	// Six experiments of about 0.6s on two slots: some must have waited.
	if waited == 0 {
		t.Errorf("no experiment waited for a slot: the test did not make them compete")
	}
	both := outs[0].String() + outs[1].String()
	mustContain(t, "output", both, fmt.Sprintf("for an experiment slot (%d slots, machine-wide)", slots))
}

// A process killed (SIGKILL: no cleanup runs) while its experiment holds a
// slot frees it at once: the kernel drops the lock with the process.
func TestKilledProcessFreesItsSlot(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("no flock on Windows")
	}
	t.Parallel()
	dir := t.TempDir()
	cmd := slotSubprocess(t, "holdslot", dir, 1)
	var errOut bytes.Buffer
	cmd.Stderr = &errOut
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	sc := bufio.NewScanner(stdout)
	applied := false
	for !applied && sc.Scan() {
		applied = sc.Text() == appliedAt
	}
	if !applied {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		t.Fatalf("the experiment never started its method:\n%s", errOut.String())
	}
	if release, ok, err := chaostest.TryTakeSlot(dir, 1); err != nil || ok {
		if ok {
			release()
		}
		t.Fatalf("took the slot (%v, %v) while the subprocess's experiment holds it", ok, err)
	}
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	_ = cmd.Wait() // once reaped, the process's files are closed
	release, ok, err := chaostest.TryTakeSlot(dir, 1)
	if err != nil || !ok {
		t.Fatalf("the killed process's slot is still taken (%v, %v): the first try after its end must take it", ok, err)
	}
	release()
}

// A bad slot count fails the test in one line, before anything starts.
func TestSlotsSetting(t *testing.T) {
	for _, bad := range []string{"0", "-1", "65", "two"} {
		t.Setenv("CHAOSTEST_SLOTS", bad)
		s := &system{}
		f := newFault("never applied")
		ft, _ := runExp("TestSlots", quick(s.healthy(), chaostest.Inject(f)))
		if !ft.FailedNow() || f.applied.Load() != 0 || s.calls.Load() != 0 {
			t.Errorf("CHAOSTEST_SLOTS=%s: want the test failed before anything starts", bad)
		}
		mustContain(t, "failure message", ft.Errors(), fmt.Sprintf(`-chaostest.slots / CHAOSTEST_SLOTS %q: accepted: an integer from 1 to 64 (default 2)`, bad))
	}
}

// The wait for a slot ends in time for the test's deadline: an experiment
// that could no longer finish before it is aborted, having sampled nothing,
// with how long it waited.
func TestSlotWaitRespectsTheDeadline(t *testing.T) {
	t.Setenv("CHAOSTEST_SLOTS", "1")
	release, ok, err := chaostest.TryTakeSlot(chaostest.SlotDir(), 1)
	if err != nil || !ok {
		t.Fatalf("take the only slot: %v, %v", ok, err)
	}
	defer release()
	s := &system{}
	f := newFault("never applied")
	e := quick(s.healthy(), chaostest.Inject(f))
	e.Settle = new(time.Duration(0))
	// The experiment needs 400ms plus the 1s rollback reserve; the deadline
	// leaves 300ms more to wait for a slot.
	r := newFakeT("TestSlotDeadline")
	dt := faket.DeadlineT{T: r, At: time.Now().Add(400*time.Millisecond + time.Second + 300*time.Millisecond)}
	start := time.Now()
	play(r, dt, func(t chaostest.T) { run(t, e) })
	took := time.Since(start)
	if !r.FailedNow() || f.applied.Load() != 0 || s.calls.Load() != 0 {
		t.Fatalf("failNow %v, applied %d, probe calls %d: want the test stopped before anything was sampled:\n%s", r.FailedNow(), f.applied.Load(), s.calls.Load(), r.Errors())
	}
	// The wait ends 300ms in; writing the journal takes far less than the
	// rollback reserve of a second.
	if took < 300*time.Millisecond || took > 300*time.Millisecond+time.Second {
		t.Errorf("the run took %v, want the 300ms the deadline left to wait, and less than the reserve more", took)
	}
	mustContain(t, "failure message", r.Errors(), "the test's deadline (go test -timeout) is near: waited", "for an experiment slot (1 slot, machine-wide); the experiment needs 400ms")
}
