// Command tokenbench is a terminal workbench for OAuth 2.0 and OpenID Connect. Its subcommands run
// the flows headless (scripts, CI, SSH); `tokenbench demo` walks through a whole flow against the
// built-in provider.
//
// This package only parses the command line and wires it to the flows package: every protocol step
// happens there.
package main

import (
	"context"
	"os"
)

func main() {
	// Once a command asks (cancelOnInterrupt), ctrl-c or SIGTERM cancels the context: waits end,
	// requests are abandoned, listeners close.
	ctx, stop, catch := interruptible(context.Background())
	e := osEnv()
	e.catchInterrupts = catch
	code := run(ctx, e, os.Args[1:])
	stop()
	os.Exit(code)
}
