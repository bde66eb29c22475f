package chaostest_test

import (
	"fmt"
	"os"
	"os/signal"
	"syscall"
	"testing"

	"github.com/go-resilience/resilience/chaostest"
)

// envSlotDir names the directory of the experiment slots a subprocess of
// the slot tests shares with its siblings.
const envSlotDir = "CHAOSTEST_TEST_SLOTDIR"

// TestMain lets the experiments of this package's tests, all against fake
// systems and short windows, run under -short: they are the unit tests of
// the lifecycle. The subprocess that checks the -short skip keeps it.
//
// The experiment slots of these tests are their own (a directory of the
// process's, 64 of them unless CHAOSTEST_SLOTS says otherwise): they judge
// fake systems, mostly on testing/synctest's fake clock, and neither wait
// for the machine's real experiments nor make them wait. The slot tests
// set their own count and share a directory with their subprocesses.
//
// os/signal's watcher goroutine is started here, outside any
// testing/synctest bubble: started by an experiment inside one, it would
// belong to that bubble, which never ends while it runs.
func TestMain(m *testing.M) {
	if os.Getenv(envMode) == "" {
		chaostest.RunUnderShort()
	}
	c := make(chan os.Signal, 1)
	signal.Notify(c, syscall.SIGWINCH) // ignored by default, and again after Stop
	signal.Stop(c)
	dir := os.Getenv(envSlotDir)
	if dir == "" {
		d, err := os.MkdirTemp("", "chaostest-slots-")
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(2)
		}
		dir = d
		if os.Getenv("CHAOSTEST_SLOTS") == "" {
			os.Setenv("CHAOSTEST_SLOTS", "64")
		}
	}
	chaostest.UseSlotDir(dir)
	code := m.Run()
	if os.Getenv(envSlotDir) == "" {
		os.RemoveAll(dir)
	}
	os.Exit(code)
}
