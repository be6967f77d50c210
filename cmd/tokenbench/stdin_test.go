package main

import (
	"strings"
	"testing"

	"github.com/tokenbench/tokenbench/flows/demoidp/demoidptest"
)

// TestStdinOverTheLimit: standard input longer than the 1 MiB tokenbench reads is an error naming
// the limit, not a token cut short: jwt does not decode a truncated token, and token does not send
// a truncated refresh token or assertion.
func TestStdinOverTheLimit(t *testing.T) {
	t.Parallel()
	p := demoidptest.Start(t)
	big := "eyJhbGciOiJub25lIn0." + strings.Repeat("A", 5<<20) + "."
	r := runCLI(t, invocation{args: []string{"jwt", "-"}, stdin: strings.NewReader(big)})
	wantExit(t, r, 1, "standard input holds more than 1048576 bytes (1 MiB)")
	wantNot(t, "stderr", r.stderr, "parts")

	r = runCLI(t, invocation{args: []string{"token", "--issuer", p.Issuer(), "--grant", "refresh_token", "--client-id", "demo-basic",
		"--client-secret", demoidptest.Secret(t, p, "demo-basic"), "--refresh-token", "-", "-v"}, stdin: strings.NewReader(big)})
	wantExit(t, r, 1, "1 MiB")
	wantNot(t, "stderr", r.stderr, "POST "+p.Issuer()+"/token")

	r = runCLI(t, invocation{args: []string{"token", "--issuer", p.Issuer(), "--grant", "jwt_bearer", "--client-id", "demo-basic",
		"--client-secret", demoidptest.Secret(t, p, "demo-basic"), "--assertion", "-", "-v"}, stdin: strings.NewReader(big)})
	wantExit(t, r, 1, "1 MiB")
	wantNot(t, "stderr", r.stderr, "POST "+p.Issuer()+"/token")

	r = runCLI(t, invocation{args: []string{"jwt", "-"}, stdin: strings.NewReader(strings.Repeat("x", 1<<20))})
	wantNot(t, "stderr at the limit", r.stderr, "1 MiB")
}
