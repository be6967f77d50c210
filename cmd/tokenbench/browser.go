package main

import (
	"fmt"

	"github.com/tokenbench/tokenbench/tui/browser"
)

// openBrowser opens url in the user's browser and returns at once: the URL is always printed too,
// and the caller keeps waiting whether or not a browser started. $BROWSER is honoured (see
// tui/browser); without it the platform opener is used. The platform opener waits for its helper
// (xdg-open, open, a text browser …), so it runs on its own goroutine: nothing here blocks.
func openBrowser(e *env, url string) {
	go func() {
		if err := browser.Open(url, e.getenv); err != nil {
			fmt.Fprintf(e.stderr, "%v; open the URL above yourself.\n", err)
		}
	}()
}
