package main

import (
	"strings"
	"testing"

	"github.com/tokenbench/tokenbench/flows/demoidp/demoidptest"
)

// client_secret_jwt with a secret shorter than HS256's 32 bytes (RFC 7518 §3.2) fails before
// anything is sent, saying how long the secret is and what to do, not with go-jose's own words;
// demo-jwt's registered 42-byte secret gets a token.
func TestTokenClientSecretJWTShortSecret(t *testing.T) {
	t.Parallel()
	p := demoidptest.Start(t)
	args := []string{"token", "--issuer", p.Issuer(), "--grant", "client_credentials", "--client-id", "demo-jwt",
		"--auth-method", "client_secret_jwt", "--scope", "profile", "--client-secret"}
	r := tb(t, append(args, demoidptest.Secret(t, p, "demo-jwt"))...)
	wantExit(t, r, 0)
	tokenResponse(t, r)

	r = tb(t, append(args, "only-twenty-bytes!!!")...)
	wantExit(t, r, 1, "error: client_secret_too_short: the client secret is 20 bytes, too short to sign the client assertion with HS256, which needs at least 32",
		"RFC 7518 §3.2", "register a client secret of 32 bytes or more with the provider", "private_key_jwt with --signing-key",
		"The client secret is too short to sign with HMAC")
	if strings.Contains(r.stderr, "go-jose") || r.stdout != "" {
		t.Errorf("stdout %q, stderr:\n%s", r.stdout, r.stderr)
	}
}
