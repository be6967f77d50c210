package main

import (
	"fmt"
	"os/exec"
	"strings"

	"github.com/cli/browser"
)

// openBrowser opens url in the user's browser and returns at once: the URL is always printed too,
// and the caller keeps waiting whether or not a browser started. $BROWSER is honoured the way
// Python's webbrowser module reads it; without it the platform opener is used.
func openBrowser(e *env, url string) {
	if spec := e.getenv("BROWSER"); strings.TrimSpace(spec) != "" {
		startBrowserFromEnv(e, spec, url)
		return
	}
	// The platform opener waits for its helper (xdg-open, open, a text browser …), so it runs on its
	// own goroutine: nothing here blocks.
	go func() {
		if err := browser.OpenURL(url); err != nil {
			fmt.Fprintf(e.stderr, "Could not open a browser (%v); open the URL above yourself.\n", err)
		}
	}()
}

// startBrowserFromEnv tries each alternative of $BROWSER in turn until one starts.
func startBrowserFromEnv(e *env, spec, url string) {
	var failures []string
	for _, argv := range browserCommands(spec, url) {
		cmd := exec.Command(argv[0], argv[1:]...)
		cmd.Stderr = e.stderr
		if err := cmd.Start(); err != nil {
			failures = append(failures, err.Error())
			continue
		}
		go cmd.Wait() //nolint:errcheck // reaped only: its verdict is the callback, not its exit status
		return
	}
	fmt.Fprintf(e.stderr, "Could not start a browser from $BROWSER (%s); open the URL above yourself.\n", strings.Join(failures, "; "))
}

// browserCommands reads $BROWSER: alternatives separated by ':', each a command split into words
// on spaces, where %s stands for the URL; without %s the URL is the last argument.
func browserCommands(spec, url string) [][]string {
	var out [][]string
	for _, alt := range strings.Split(spec, ":") {
		words := strings.Fields(alt)
		if len(words) == 0 {
			continue
		}
		substituted := false
		for i, w := range words {
			if strings.Contains(w, "%s") {
				words[i] = strings.ReplaceAll(w, "%s", url)
				substituted = true
			}
		}
		if !substituted {
			words = append(words, url)
		}
		out = append(out, words)
	}
	return out
}
