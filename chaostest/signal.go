package chaostest

import (
	"context"
	"os"
	"os/signal"
	"sync"
	"time"
)

// interruptWatch catches SIGINT while a method runs, so that an interrupted
// `go test` reverts every applied fault before it stops. Without it, the
// default handling would end the process at once, skipping every cleanup.
//
// Several experiments may watch at once (parallel tests): each gets the
// signal, reverts its own faults, stops watching and raises the signal
// again. The raise reaches the experiments still watching, and once none is
// left, the default handling ends the process as an uncaught interrupt would.
type interruptWatch struct {
	ch   chan os.Signal
	done chan struct{}
	wg   sync.WaitGroup
	got  bool // set by the watcher goroutine; read after wg.Wait
}

// watchInterrupts starts catching SIGINT; on one, it cancels the run with
// errInterrupted.
func watchInterrupts(cancel context.CancelCauseFunc) *interruptWatch {
	w := &interruptWatch{ch: make(chan os.Signal, 1), done: make(chan struct{})}
	signal.Notify(w.ch, os.Interrupt)
	w.wg.Add(1)
	go func() {
		defer w.wg.Done()
		select {
		case <-w.ch:
			w.got = true
			cancel(errInterrupted)
		case <-w.done:
		}
	}()
	return w
}

// stop restores the default handling of SIGINT (unless other experiments
// still watch) and reports whether one was caught. It is idempotent.
func (w *interruptWatch) stop() bool {
	if w == nil {
		return false
	}
	select {
	case <-w.done:
	default:
		signal.Stop(w.ch)
		close(w.done)
	}
	w.wg.Wait()
	if !w.got {
		// A signal that raced with stop is still an interrupt.
		select {
		case <-w.ch:
			w.got = true
		default:
		}
	}
	return w.got
}

// reraiseWait bounds how long reraise waits for the signal to end the
// process; it returns earlier only when other experiments still catch SIGINT
// (they raise it again once their own faults are reverted).
const reraiseWait = 5 * time.Second

// reraise sends SIGINT to the process again, now that the faults are
// reverted and this experiment no longer catches it, so go test stops as
// the user asked, and waits for it to take effect: returning at once would
// let the test end and the binary exit normally first. Where a process
// cannot signal itself, it exits.
func (w *interruptWatch) reraise() {
	p, err := os.FindProcess(os.Getpid())
	if err == nil {
		err = p.Signal(os.Interrupt)
	}
	if err != nil {
		os.Exit(2)
	}
	timer := time.NewTimer(reraiseWait)
	defer timer.Stop()
	<-timer.C
}
