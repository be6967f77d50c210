// Package browser opens a URL in the user's browser, honouring $BROWSER the way Python's webbrowser
// module reads it and falling back on the platform opener (xdg-open, open, rundll32).
//
// Open may block while the platform opener runs, so the TUI calls it inside a tea.Cmd and the
// command line on a goroutine. Callers always show the URL too: a browser may not start (over SSH,
// in a container) and the user can then copy it.
package browser

import (
	"errors"
	"fmt"
	"io"
	neturl "net/url"
	"os/exec"
	"strings"

	clibrowser "github.com/cli/browser"
)

// The platform opener's helpers must never write to the terminal (a TUI owns it) nor mix with a
// command's JSON on stdout. Set once, before any goroutine can open a browser.
func init() {
	clibrowser.Stdout, clibrowser.Stderr = io.Discard, io.Discard
}

// CheckURL refuses what is not an http or https URL with a host: a provider's metadata chooses the
// authorization and verification URLs, and file:///etc/passwd, javascript:, a UNC path (\\host\share)
// or a word starting with '-' handed to an opener would open a local file, run script or become an
// option of the helper.
func CheckURL(raw string) error {
	u, err := neturl.Parse(raw)
	if err != nil || (!strings.EqualFold(u.Scheme, "http") && !strings.EqualFold(u.Scheme, "https")) || u.Host == "" {
		return fmt.Errorf("did not open %q in a browser: only http and https URLs are opened", raw)
	}
	return nil
}

// Open opens url in the user's browser, after CheckURL. getenv reads the environment ($BROWSER); nil means no
// environment. With $BROWSER set, each of its alternatives is tried in turn until one starts, and
// Open returns without waiting for it to exit (it is reaped in the background). Otherwise the
// platform opener is run and waited for. The started programs' own output is discarded.
func Open(url string, getenv func(string) string) error {
	if err := CheckURL(url); err != nil {
		return err
	}
	spec := ""
	if getenv != nil {
		spec = getenv("BROWSER")
	}
	if strings.TrimSpace(spec) != "" {
		return startFromEnv(spec, url)
	}
	if err := clibrowser.OpenURL(url); err != nil {
		return fmt.Errorf("could not open a browser: %w", err)
	}
	return nil
}

// startFromEnv tries each alternative of $BROWSER in turn until one starts.
func startFromEnv(spec, url string) error {
	var failures []string
	for _, argv := range Commands(spec, url) {
		cmd := exec.Command(argv[0], argv[1:]...)
		if err := cmd.Start(); err != nil {
			failures = append(failures, err.Error())
			continue
		}
		go cmd.Wait() //nolint:errcheck // reaped only: its verdict is the callback, not its exit status
		return nil
	}
	if len(failures) == 0 {
		return errors.New("could not start a browser from $BROWSER: it names no command")
	}
	return fmt.Errorf("could not start a browser from $BROWSER (%s)", strings.Join(failures, "; "))
}

// Commands reads $BROWSER: alternatives separated by ':', each a command split into words on
// spaces, where %s stands for the URL; without %s the URL is the last argument.
func Commands(spec, url string) [][]string {
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
