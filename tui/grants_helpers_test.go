package tui

import (
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/charmbracelet/x/exp/teatest/v2"

	"github.com/tokenbench/tokenbench/flows"
)

// Helpers of the tests of the assertion grants, mutual TLS and CIBA's hints.

// x5tValue is a certificate's SHA-256 thumbprint (43 base64url characters), new with every
// provider start.
var x5tValue = regexp.MustCompile(`(^|[^A-Za-z0-9_-])[A-Za-z0-9_-]{43}($|[^A-Za-z0-9_-])`)

// grantScrub is flowScrub that also hides the test's temporary directory and the certificate
// thumbprints, which change from run to run.
func grantScrub(dir string) func(string) string {
	return func(s string) string {
		if dir != "" {
			s = strings.ReplaceAll(s, dir, "TMP")
		}
		return x5tValue.ReplaceAllString(flowScrub(s), "${1}X5T${2}")
	}
}

// grantOptions are the app's options on client c for a test whose files are under dir.
func grantOptions(c *flows.Client, dir string) Options {
	o := flowOptions(c, nil)
	o.Scrub = grantScrub(dir)
	return o
}

// writeFile writes a test file under dir and returns its path.
func writeFile(t *testing.T, dir, name string, data []byte) string {
	t.Helper()
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// sentForm is the form of the last request the client sent for a trace step ("token", "ciba").
func sentForm(t *testing.T, c *flows.Client, step string) url.Values {
	t.Helper()
	xs := c.Trace.Exchanges()
	for i := len(xs) - 1; i >= 0; i-- {
		if xs[i].Step == step {
			v, err := url.ParseQuery(string(xs[i].RequestBody))
			if err != nil {
				t.Fatal(err)
			}
			return v
		}
	}
	t.Fatalf("no %s request in the trace", step)
	return nil
}

// sendKeys presses keys in the running app, in order.
func sendKeys(tm *teatest.TestModel, keys ...string) {
	for _, k := range keys {
		tm.Send(press(k))
	}
}
