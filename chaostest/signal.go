package chaostest

import (
	"context"
	"os"
	"os/signal"
	"sync"
	"syscall"
	"time"
)

// interruptWatch catches SIGINT (Ctrl-C) and SIGTERM (what CI runners, timeout
// and kill send first) while a method runs, so that an interrupted or
// terminated `go test` reverts every applied fault before it stops. Without
// it, the default handling would end the process at once, skipping every
// cleanup.
//
// Several experiments may watch at once (parallel tests): each gets the
// signal, reverts its own faults, stops watching and raises the signal
// again. The raise reaches the experiments still watching, and once none is
// left, the default handling ends the process as the uncaught signal would.
type interruptWatch struct {
	ch   chan os.Signal
	done chan struct{}
	wg   sync.WaitGroup
	sig  os.Signal // the signal caught; set by the watcher goroutine, read after wg.Wait
}

// stopSignals are the signals an experiment reverts its faults on.
var stopSignals = []os.Signal{os.Interrupt, syscall.SIGTERM}

// interruption is the cause a caught signal cancels the run with: it is
// errInterrupted for errors.Is, and names the signal.
type interruption struct{ sig os.Signal }

func (e interruption) Error() string {
	switch e.sig {
	case os.Interrupt:
		return errInterrupted.Error()
	case syscall.SIGTERM:
		return "terminated (SIGTERM)"
	}
	return "interrupted (" + e.sig.String() + ")"
}

func (e interruption) Is(target error) bool { return target == errInterrupted }

// caughtSignals are the stop signals experiments catch: those the process
// was not started with ignored, read before any experiment catches one. A
// shell ignores SIGINT in the commands it starts in the background (cmd &),
// and a runner may ignore either. Experiments leave those ignored: catching
// one would abort an experiment for a signal the process was set up to
// ignore, and the signal, raised again, would not stop go test as it stops
// a process that does not ignore it.
var caughtSignals = func() []os.Signal {
	var sigs []os.Signal
	for _, s := range stopSignals {
		if !signal.Ignored(s) {
			sigs = append(sigs, s)
		}
	}
	return sigs
}()

// watchInterrupts starts catching SIGINT and SIGTERM (those the process
// does not ignore); on one, it cancels the run with a cause that is
// errInterrupted.
func watchInterrupts(cancel context.CancelCauseFunc) *interruptWatch {
	w := &interruptWatch{ch: make(chan os.Signal, 1), done: make(chan struct{})}
	if len(caughtSignals) > 0 { // Notify with no signal would catch every signal
		signal.Notify(w.ch, caughtSignals...)
	}
	w.wg.Add(1)
	go func() {
		defer w.wg.Done()
		select {
		case sig := <-w.ch:
			w.sig = sig
			cancel(interruption{sig})
		case <-w.done:
		}
	}()
	return w
}

// stop restores the default handling of SIGINT and SIGTERM (unless other
// experiments still watch) and reports whether one was caught. It is
// idempotent.
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
	if w.sig == nil {
		// A signal that raced with stop is still an interrupt.
		select {
		case w.sig = <-w.ch:
		default:
		}
	}
	return w.sig != nil
}

// reraiseWait bounds how long reraise waits for the signal to end the
// process; it returns earlier only when other experiments still catch it
// (they raise it again once their own faults are reverted).
const reraiseWait = 5 * time.Second

// reraise sends the caught signal (SIGINT when none was) to the process
// again, now that the faults are reverted and this experiment no longer
// catches it, so go test stops as the user (or the runner) asked, and waits
// for it to take effect: returning at once would let the test end and the
// binary exit normally first. Where a process cannot signal itself, it exits.
func (w *interruptWatch) reraise() {
	sig := os.Signal(os.Interrupt)
	if w != nil && w.sig != nil {
		sig = w.sig
	}
	p, err := os.FindProcess(os.Getpid())
	if err == nil {
		err = p.Signal(sig)
	}
	if err != nil {
		os.Exit(2)
	}
	timer := time.NewTimer(reraiseWait)
	defer timer.Stop()
	<-timer.C
}
