package main

import (
	"testing"

	"github.com/tokenbench/tokenbench/flows/demoidp/demoidptest"
)

// --token-header, and a profile's token_headers, reach the token endpoint behind a gateway that
// wants them; a malformed one is a usage error.
func TestTokenHeaderFlagAndProfileField(t *testing.T) {
	t.Parallel()
	p := demoidptest.Start(t)
	gw := demoidptest.StartGateway(t, p, "X-Gateway-Key", "k1").URL
	base := []string{"token", "--issuer", p.Issuer(), "--token-endpoint", gw + "/token", "--client-id", "demo-basic",
		"--client-secret", demoidptest.Secret(t, p, "demo-basic"), "--grant", "client_credentials"}
	wantExit(t, tb(t, base...), 1, "the gateway wants")
	tokenResponse(t, tb(t, append(base, "--token-header", "X-Gateway-Key: k1")...))
	wantExit(t, tb(t, append(base, "--token-header", "Authorization: Basic x")...), 2, "--token-header")

	pe := newProfileEnv(t)
	pe.mustRun("profile", "add", "gw", "--issuer", p.Issuer(), "--token-endpoint", gw+"/token", "--client-id", "demo-basic",
		"--plain-secret", demoidptest.Secret(t, p, "demo-basic"), "--grant", "client_credentials", "--token-header", "X-Gateway-Key: k1")
	wantOut(t, "profiles.yaml", pe.file(), "token_headers:", "X-Gateway-Key: k1")
	wantOut(t, "profile show", pe.mustRun("profile", "show", "gw").stdout, "X-Gateway-Key: k1")
	tokenResponse(t, pe.mustRun("token", "--profile", "gw"))
	// A flag beside --profile replaces the profile's headers for this run.
	wantExit(t, pe.run("token", "--profile", "gw", "--token-header", "X-Other: 1"), 1, "the gateway wants")
	wantExit(t, pe.run("token", "--profile", "gw", "--token-header", "bad header"), 2, "--token-header")
}
