package main

import (
	"net"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/tokenbench/tokenbench/flows/demoidp/demoidptest"
)

// A loopback redirect URI without a port whose port 80 cannot be bound (the test holds it when it
// can): the listener takes another port, the authorization request names it, stderr says why, and
// the flow completes against the demo provider, which accepts any loopback port (RFC 8252 §7.3).
func TestTokenLoopbackWithoutPortFallsBack(t *testing.T) {
	if held, err := net.Listen("tcp", "127.0.0.1:80"); err == nil {
		defer held.Close()
	}
	p := demoidptest.Start(t)
	r := tb(t, "token", "--issuer", p.Issuer(), "--client-id", "demo-public", "--auth-method", "none", "--redirect-uri", "http://127.0.0.1/callback")
	wantExit(t, r, 0, "note: listening on :", "because :80 is not available", "the provider must accept any loopback port (RFC 8252 §7.3)")
	m := regexp.MustCompile(`Open this URL to sign in:\n\n  (\S+)\n`).FindStringSubmatch(r.stderr)
	if m == nil {
		t.Fatalf("no authorization URL:\n%s", r.stderr)
	}
	u, err := url.Parse(m[1])
	if err != nil {
		t.Fatal(err)
	}
	sent := u.Query().Get("redirect_uri")
	port := regexp.MustCompile(`^http://127\.0\.0\.1:(\d+)/callback$`).FindStringSubmatch(sent)
	if port == nil || port[1] == "80" {
		t.Fatalf("redirect_uri sent %q, want http://127.0.0.1:PORT/callback with the port bound", sent)
	}
	wantExit(t, r, 0, "listening on :"+port[1]+" because")
	tokenResponse(t, r)
}

// With only --issuer, the BlockID direct authorize posts to {issuer}/v1/authorize (not the discovered
// authorization_endpoint, the browser's page) and says so; --authorization-endpoint overrides it.
func TestTokenDirectAuthorizeWithOnlyIssuer(t *testing.T) {
	t.Parallel()
	p := demoidptest.Start(t)
	secret := demoidptest.Secret(t, p, "demo-jwt")
	proof := demoidptest.ProofJWT(t, p.Issuer(), secret)
	args := []string{"token", "--issuer", p.Issuer(), "--client-id", "demo-jwt", "--client-secret", secret, "--auth-method", "client_secret_jwt", "--proof-jwt", proof, "-v",
		"--redirect-uri", "https://app.example.com/callback"}
	r := tb(t, args...)
	wantExit(t, r, 0, "direct authorize: POST "+p.Issuer()+"/v1/authorize ({issuer}/v1/authorize, BlockID's path; --authorization-endpoint posts elsewhere)")
	tokenResponse(t, r)
	wantAllPassed(t, r, "authorization response checks", "id_token checks")
	if !strings.Contains(r.stderr, "POST "+p.Issuer()+"/v1/authorize") || strings.Contains(r.stderr, "POST "+p.Issuer()+"/authorize ") {
		t.Errorf("the trace does not show the POST to /v1/authorize:\n%s", r.stderr)
	}

	// An explicit endpoint wins: the browser's page is no direct authorize, so the provider refuses.
	r = tb(t, append(args, "--authorization-endpoint", p.Issuer()+"/authorize")...)
	wantExit(t, r, 1, "direct authorize: POST "+p.Issuer()+"/authorize (the configured authorization endpoint)", "error: access_denied")
}
