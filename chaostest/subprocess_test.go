package chaostest_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/go-resilience/resilience/chaostest"
	"github.com/go-resilience/resilience/hypothesis"
)

// The ways a test ends that no in-process test can survive (the -timeout
// panic, an interrupt, a panic on the test goroutine) are checked on a copy
// of this test binary: TestSubprocessExperiment runs only there, and its
// faults' reverts leave a marker file that the parent checks.

const (
	envMode   = "CHAOSTEST_TEST_MODE"
	envMarker = "CHAOSTEST_TEST_MARKER"
	appliedAt = "CHAOSTEST-TEST-FAULT-APPLIED"
)

func TestSubprocessExperiment(t *testing.T) {
	mode := os.Getenv(envMode)
	if mode == "" {
		t.Skip("runs only as a subprocess of the rollback tests")
	}
	marker := os.Getenv(envMarker)
	marked := chaostest.FaultFunc("marked fault", func(context.Context) (chaostest.Revert, error) {
		fmt.Println(appliedAt)
		return func(context.Context) error { return os.WriteFile(marker, []byte("reverted\n"), 0o644) }, nil
	})
	var second chaostest.Fault
	switch mode {
	case "deadline":
		second = chaostest.FaultFunc("hangs while applying", func(ctx context.Context) (chaostest.Revert, error) {
			<-ctx.Done()
			return nil, ctx.Err()
		})
	case "panic":
		second = chaostest.FaultFunc("panics", func(ctx context.Context) (chaostest.Revert, error) {
			panic("the system under test panicked")
		})
	default: // "interrupt", "short": harmless, the method lasts long enough to be interrupted
		second = chaostest.FaultFunc("harmless", func(context.Context) (chaostest.Revert, error) { return nil, nil })
	}
	duration := time.Second
	if mode == "interrupt" {
		duration = time.Minute
	}
	probe := hypothesis.ProbeFunc("always fine", func(context.Context) (any, error) { return nil, nil })
	chaostest.Run(t, hypothesis.New("fine", hypothesis.Observe(probe, hypothesis.Every(10*time.Millisecond))),
		chaostest.Together(chaostest.Inject(marked), chaostest.Inject(second, chaostest.At(50*time.Millisecond))),
		chaostest.Title("subprocess "+mode),
		chaostest.Before(100*time.Millisecond),
		chaostest.Duration(duration),
		chaostest.Window(100*time.Millisecond),
		chaostest.After(100*time.Millisecond))
}

type subprocess struct {
	cmd      *exec.Cmd
	marker   string
	journals string
	out      bytes.Buffer // stdout, and stderr where the test does not read stdout itself
	errOut   bytes.Buffer // stderr while the test reads stdout
}

func (sp *subprocess) output() string { return sp.out.String() + sp.errOut.String() }

func startSubprocess(t *testing.T, mode string, args ...string) *subprocess {
	t.Helper()
	dir := t.TempDir()
	sp := &subprocess{marker: filepath.Join(dir, "reverted"), journals: filepath.Join(dir, "journals")}
	args = append([]string{"-test.run=^TestSubprocessExperiment$", "-test.v"}, args...)
	sp.cmd = exec.Command(os.Args[0], args...)
	sp.cmd.Env = append(os.Environ(), envMode+"="+mode, envMarker+"="+sp.marker, "CHAOSTEST_JOURNAL"+"="+sp.journals)
	return sp
}

func (sp *subprocess) run(t *testing.T) error {
	t.Helper()
	sp.cmd.Stdout = &sp.out
	sp.cmd.Stderr = &sp.out
	return sp.cmd.Run()
}

func (sp *subprocess) reverted(t *testing.T) {
	t.Helper()
	b, err := os.ReadFile(sp.marker)
	if err != nil || string(b) != "reverted\n" {
		t.Errorf("the fault was not reverted (marker: %q, %v); output:\n%s", b, err, sp.output())
	}
}

func (sp *subprocess) journalStatus(t *testing.T) string {
	t.Helper()
	paths, _ := filepath.Glob(filepath.Join(sp.journals, "*.journal.json"))
	if len(paths) != 1 {
		t.Fatalf("%d journals written, want 1; output:\n%s", len(paths), sp.output())
	}
	var j struct{ Status string }
	b, err := os.ReadFile(paths[0])
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &j); err != nil {
		t.Fatalf("journal: %v", err)
	}
	return j.Status
}

func TestRollbackBeforeTheTimeout(t *testing.T) {
	t.Parallel()
	sp := startSubprocess(t, "deadline", "-test.timeout=5s")
	err := sp.run(t)
	var exit *exec.ExitError
	if !errors.As(err, &exit) {
		t.Fatalf("subprocess: %v, want a failed test; output:\n%s", err, sp.output())
	}
	out := sp.output()
	if strings.Contains(out, "panic: test timed out") {
		t.Errorf("the -timeout panic fired: the experiment did not end before the deadline:\n%s", out)
	}
	mustContain(t, "output", out, "aborted: the test's deadline (go test -timeout) is near", `"hangs while applying" failed to apply`)
	sp.reverted(t)
	if got := sp.journalStatus(t); got != "aborted" {
		t.Errorf("journal status %q, want aborted", got)
	}
}

func TestRollbackOnPanicInTheTest(t *testing.T) {
	t.Parallel()
	sp := startSubprocess(t, "panic", "-test.timeout=60s")
	err := sp.run(t)
	if err == nil {
		t.Fatalf("the subprocess passed, want the panic to fail it:\n%s", sp.output())
	}
	mustContain(t, "output", sp.output(), "panic: the system under test panicked")
	sp.reverted(t)
}

func TestRollbackOnInterrupt(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("SIGINT cannot be sent to a process on Windows")
	}
	t.Parallel()
	sp := startSubprocess(t, "interrupt", "-test.timeout=120s")
	err := sp.interruptOnceApplied(t, startCatchingInterrupts)
	var exit *exec.ExitError
	if !errors.As(err, &exit) {
		t.Fatalf("subprocess: %v, want it stopped by the interrupt; output:\n%s", err, sp.output())
	}
	if ws, ok := exit.Sys().(syscall.WaitStatus); !ok || !ws.Signaled() || ws.Signal() != syscall.SIGINT {
		t.Errorf("subprocess ended with %v, want it killed by SIGINT re-raised after the rollback; output:\n%s", err, sp.output())
	}
	mustContain(t, "output", sp.output(), "interrupted; every applied fault was reverted")
	sp.reverted(t)
	if got := sp.journalStatus(t); got != "interrupted" {
		t.Errorf("journal status %q, want interrupted", got)
	}
}

func TestRunSkipsUnderShort(t *testing.T) {
	t.Parallel()
	sp := startSubprocess(t, "short", "-test.short", "-test.timeout=60s")
	if err := sp.run(t); err != nil {
		t.Fatalf("subprocess: %v:\n%s", err, sp.output())
	}
	mustContain(t, "output", sp.output(), "--- SKIP: TestSubprocessExperiment", `chaostest: experiment "subprocess short" skipped under -short`)
	if _, err := os.Stat(sp.marker); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("a fault was applied under -short")
	}
}

// Without -artifacts, testing removes the test's ArtifactDir when it ends:
// the journal's path is not logged, since it will not exist. With
// -artifacts it is kept, and logged.
func TestJournalPathLoggedOnlyWhenKept(t *testing.T) {
	t.Parallel()
	for _, kept := range []bool{false, true} {
		out := t.TempDir()
		args := []string{"-test.timeout=60s"}
		if kept {
			args = append(args, "-test.artifacts", "-test.outputdir="+out)
		}
		sp := startSubprocess(t, "harmless", args...)
		sp.cmd.Env = append(sp.cmd.Env, "CHAOSTEST_JOURNAL=") // the ArtifactDir, not a directory of the user's
		if err := sp.run(t); err != nil {
			t.Fatalf("subprocess: %v:\n%s", err, sp.output())
		}
		journals, _ := filepath.Glob(filepath.Join(out, "_artifacts", "*", "*.journal.json"))
		if !kept {
			mustContain(t, "output", sp.output(), "journal and report: not kept after the test (go test -artifacts, or -chaostest.journal=DIR, keeps them)")
			if strings.Contains(sp.output(), ".journal.json") {
				t.Errorf("a journal path that will not exist was logged:\n%s", sp.output())
			}
			continue
		}
		if len(journals) != 1 {
			t.Fatalf("with -artifacts: %d journals under %s, want 1:\n%s", len(journals), out, sp.output())
		}
		mustContain(t, "output", sp.output(), "journal: "+journals[0])
		// The index of every kept journal is in _artifacts, above each
		// test's own directory.
		index := filepath.Join(out, "_artifacts", "index.html")
		mustContain(t, "output", sp.output(), "(index of the directory: "+index+")")
		b, err := os.ReadFile(index)
		if err != nil {
			t.Fatal(err)
		}
		rel, _ := filepath.Rel(filepath.Join(out, "_artifacts"), journals[0])
		mustContain(t, "index", string(b), `<a href="`+filepath.ToSlash(rel)+`">journal</a>`)
		// The artifact directory is made (and go test says so) before the
		// narrative's first line: gotestsum ends a test's output there.
		o := sp.output()
		if a, n := strings.Index(o, "=== ARTIFACTS"), strings.Index(o, "chaostest: experiment"); a < 0 || n < 0 || a > n {
			t.Errorf("=== ARTIFACTS at %d, the narrative's first line at %d: want the directory first:\n%s", a, n, o)
		}
	}
}

// interruptOnceApplied starts the subprocess with start, sends it SIGINT
// once its fault is applied, as a user pressing Ctrl-C, and returns how it
// ended.
func (sp *subprocess) interruptOnceApplied(t *testing.T, start func(*exec.Cmd) error) error {
	t.Helper()
	sp.cmd.Stderr = &sp.errOut
	stdout, err := sp.cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := start(sp.cmd); err != nil {
		t.Fatal(err)
	}
	sc := bufio.NewScanner(stdout)
	applied := false
	for sc.Scan() {
		fmt.Fprintln(&sp.out, sc.Text())
		if sc.Text() == appliedAt {
			applied = true
			break
		}
	}
	if !applied {
		_ = sp.cmd.Process.Kill()
		_ = sp.cmd.Wait()
		t.Fatalf("the fault was never applied:\n%s", sp.output())
	}
	if err := sp.cmd.Process.Signal(os.Interrupt); err != nil {
		t.Fatal(err)
	}
	_, _ = io.Copy(&sp.out, stdout)
	return sp.cmd.Wait()
}

// startCatchingInterrupts starts cmd with SIGINT at its default handling,
// even where this process ignores it (started in the background by a
// shell, which makes its commands ignore SIGINT): a caught signal is reset
// to its default in a child, an ignored one stays ignored, so SIGINT is
// caught here while the child starts.
func startCatchingInterrupts(cmd *exec.Cmd) error {
	held := make(chan os.Signal, 1)
	signal.Notify(held, os.Interrupt)
	defer signal.Stop(held)
	return cmd.Start()
}

// A process started with SIGINT ignored keeps ignoring it during an
// experiment: the experiment is not aborted and ends as it would have.
// Before, the experiment caught the signal, aborted, and could not stop
// the process by raising it again.
func TestIgnoredInterruptIsLeftIgnored(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("SIGINT cannot be sent to a process on Windows")
	}
	sh, err := exec.LookPath("sh")
	if err != nil {
		t.Skip("needs sh to start a process with SIGINT ignored")
	}
	t.Parallel()
	sp := startSubprocess(t, "ignored", "-test.timeout=60s")
	// sh ignores SIGINT, and exec keeps it ignored in the test binary.
	sp.cmd.Args = append([]string{sh, "-c", `trap '' INT; exec "$0" "$@"`, sp.cmd.Path}, sp.cmd.Args[1:]...)
	sp.cmd.Path = sh
	if err := sp.interruptOnceApplied(t, (*exec.Cmd).Start); err != nil {
		t.Fatalf("subprocess: %v, want the experiment to end as if no signal came; output:\n%s", err, sp.output())
	}
	if strings.Contains(sp.output(), "interrupted") {
		t.Errorf("the ignored SIGINT interrupted the experiment; output:\n%s", sp.output())
	}
	sp.reverted(t)
	if got := sp.journalStatus(t); got != "completed" {
		t.Errorf("journal status %q, want completed", got)
	}
}
