//go:build unix

package shipping_test

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/go-resilience/resilience/fixtures/process"
	"github.com/stretchr/testify/require"
)

// The rate service never outlives the test process that started it, even
// one killed with SIGKILL (no cleanup runs then): a copy of this test binary
// (TestRatesChild) starts it and is killed; the kernel kills the service
// with it (process.DiesWithTestProcess).
const ratesChildEnv = "SHIPPING_RATES_CHILD"

func TestRatesChild(t *testing.T) {
	if os.Getenv(ratesChildEnv) == "" {
		t.Skip("the child process of TestRatesNeverOutliveTheTestProcess")
	}
	rates, _ := startRates(t)
	fmt.Printf("RATES-PID %d\n", rates.PID())
	time.Sleep(time.Hour) // until killed
}

func TestRatesNeverOutliveTheTestProcess(t *testing.T) {
	if testing.Short() {
		t.Skip("runs a copy of the test binary and kills it (seconds); skipped under -short")
	}
	if !process.DiesWithTestProcess {
		t.Skip("no parent-death signal on " + runtime.GOOS + ": only the test's cleanup stops the service")
	}
	process.Build(t, "./cmd/rates") // the child's build is then a cache hit
	cmd := exec.Command(os.Args[0], "-test.run=^TestRatesChild$", "-test.count=1", "-test.timeout=2m")
	cmd.Env = append(os.Environ(), ratesChildEnv+"=1")
	out, err := cmd.StdoutPipe()
	require.NoError(t, err)
	require.NoError(t, cmd.Start())
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	pid := 0
	for sc := bufio.NewScanner(out); sc.Scan(); {
		if rest, ok := strings.CutPrefix(sc.Text(), "RATES-PID "); ok {
			pid, _ = strconv.Atoi(rest)
			break
		}
	}
	require.Positive(t, pid, "the child never started the rate service")
	require.NoError(t, syscall.Kill(pid, 0), "the rate service runs before the kill")
	require.NoError(t, cmd.Process.Signal(syscall.SIGKILL))
	go func() { _, _ = io.Copy(io.Discard, out) }()
	_ = cmd.Wait()
	// The kernel signals the service as its parent dies, and init reaps
	// it; 5 s is a wide margin on a loaded machine.
	deadline := time.Now().Add(5 * time.Second)
	for syscall.Kill(pid, 0) == nil && !zombie(pid) {
		if time.Now().After(deadline) {
			t.Fatalf("the rate service (pid %d) still runs 5s after its test process was killed with SIGKILL", pid)
		}
		time.Sleep(10 * time.Millisecond) // polling the kernel, not synchronising with code under test
	}
}

// zombie reports whether pid has ended and waits to be reaped (by whichever
// process adopted it).
func zombie(pid int) bool {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return false
	}
	s := string(b)
	i := strings.LastIndexByte(s, ')')
	return i > 0 && len(s) > i+2 && s[i+2] == 'Z'
}
