package main

import (
	"fmt"

	"github.com/tokenbench/tokenbench/tui/browser"
)

// openBrowser opens url in the user's browser and returns at once: the URL is always printed too,
// and the caller keeps waiting whether or not a browser started. $BROWSER is honoured (see
// tui/browser); without it the platform opener is used. Only http and https URLs are opened. The
// platform opener waits for its helper (xdg-open, open, a text browser …), so it runs on its own
// goroutine: nothing here blocks.
func openBrowser(e *env, url string) {
	if err := browser.CheckURL(url); err != nil {
		// The URL comes from the provider's metadata or answer: a file:, javascript: or UNC one
		// is not opened, and the user is not invited to open it either.
		fmt.Fprintf(e.stderr, "warning: %v; check where it came from before you open it\n", err)
		return
	}
	go func() {
		if err := browser.Open(url, e.getenv); err != nil {
			// Over SSH or in a container there is no browser: say what to do instead.
			fmt.Fprintf(e.stderr, "%v\nOpen the URL above in a browser yourself (over SSH: in your local browser, with the listener's port forwarded by ssh -L); set $BROWSER to choose one.\n", err)
		}
	}()
}
