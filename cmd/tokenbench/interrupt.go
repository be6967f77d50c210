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
// start-up cost of a headless run), so only the commands that wait for a person or serve until
// stopped catch them; a single request ends at ctrl-c by the default action, at once, as curl does.
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

// waits says that the command now waits for a person (a browser, an approval, stdin) or serves
// until stopped: from here on ctrl-c cancels it cleanly ("interrupted", listeners closed).
func (e *env) waits() {
	if e.catchInterrupts != nil {
		e.catchInterrupts()
	}
}
