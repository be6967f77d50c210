package main

import (
	"net"
	"net/url"
	"regexp"
	"testing"
)

// A loopback redirect URI without a port whose port 80 cannot be bound (the test holds it when it
// can): the listener takes another port, the authorization request names it, stderr says why, and
// the flow completes against the demo provider, which accepts any loopback port (RFC 8252 §7.3).
func TestTokenLoopbackWithoutPortFallsBack(t *testing.T) {
	if held, err := net.Listen("tcp", "127.0.0.1:80"); err == nil {
		defer held.Close()
	}
	p := startProvider(t)
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
