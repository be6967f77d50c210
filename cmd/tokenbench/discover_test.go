package main

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"
)

// TestDiscover: the metadata as received on stdout; on stderr its source, the issuer check, the
// endpoints, what the provider supports and, with --keys, its signing keys.
func TestDiscover(t *testing.T) {
	t.Parallel()
	p := startProvider(t)
	r := tb(t, "discover", "--issuer", p.Issuer(), "--keys")
	wantExit(t, r, 0, "metadata from "+p.Issuer()+"/.well-known/openid-configuration", "✓ issuer "+p.Issuer(),
		"pushed_authorization", p.Issuer()+"/par", "PKCE methods", "S256, plain", "response types", "code id_token, id_token",
		"signing keys (1)", "RSA 2048", "RS256", "sig")
	var m map[string]any
	if err := json.Unmarshal([]byte(r.stdout), &m); err != nil || m["issuer"] != p.Issuer() {
		t.Fatalf("stdout is not the metadata: %v\n%s", err, r.stdout)
	}
	wantNot(t, "stderr", r.stderr, "! PKCE S256 is not advertised")
}

// TestDiscoverFailures: no metadata (an HTML page with status 200), a document for another issuer,
// and what a careful client would miss in one that loads.
func TestDiscoverFailures(t *testing.T) {
	t.Parallel()
	p := startProvider(t, "html-discovery")
	wantExit(t, tb(t, "discover", "--issuer", p.Issuer()), 1, "no_discovery", "HTML page")

	var srv *httptest.Server
	issuer := "https://sso.acme.test"
	srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(map[string]any{"issuer": issuer, "authorization_endpoint": srv.URL + "/authorize", "token_endpoint": srv.URL + "/token"})
	}))
	t.Cleanup(srv.Close)
	wantExit(t, tb(t, "discover", "--issuer", srv.URL), 1, "issuer", `"https://sso.acme.test"`)
	issuer = srv.URL
	wantExit(t, tb(t, "discover", "--issuer", srv.URL), 0, "! PKCE S256 is not advertised", "carries no iss (RFC 9207)", "(not advertised)")
	wantExit(t, tb(t, "discover", "--token-endpoint", srv.URL+"/token"), 2, "discover needs the issuer")
}
