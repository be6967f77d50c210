package stepper

import (
	"net/url"
	"testing"

	"github.com/tokenbench/tokenbench/flows"
)

// Helpers of the tests of the assertion grants, mutual TLS and CIBA's hints.

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
