package main

import (
	"context"
	"os"
	"os/signal"
	"sync"
	"syscall"
)

// interruptible returns a context that ctrl-c or SIGTERM cancels once catch has been called, and
// catch. Catching signals costs the runtime two threads (about a millisecond of CPU, the largest
// start-up cost of a headless run), so a command catches them only when an interruption has
// something to end cleanly (see cancelOnInterrupt); otherwise a request ends at ctrl-c by the
// default action, at once, as curl does.
func interruptible(parent context.Context) (context.Context, context.CancelFunc, func()) {
	ctx, cancel := context.WithCancel(parent)
	catch := sync.OnceFunc(func() {
		ch := make(chan os.Signal, 1)
		signal.Notify(ch, os.Interrupt, syscall.SIGTERM)
		go func() {
			select {
			case <-ch:
				cancel()
			case <-ctx.Done():
			}
			signal.Stop(ch) // a second ctrl-c kills at once, should anything still be winding down
		}()
	})
	return ctx, cancel, catch
}

// cancelOnInterrupt makes ctrl-c cancel the command cleanly from here on: the wait or request ends,
// listeners close, the trace is still saved or printed, and "interrupted" is said. A command calls it
// when it starts to wait for a person (a browser, an approval, stdin) or to serve until stopped, and
// when it has a trace to save or print on the way out.
func (e *env) cancelOnInterrupt() {
	if e.catchInterrupts != nil {
		e.catchInterrupts()
	}
}
