package main

import (
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"testing"

	"github.com/tokenbench/tokenbench/flows/demoidp/demoidptest"
)

// gateway passes requests on to the provider only when they carry X-Gateway-Key: k1, as an API
// gateway in front of a token endpoint may want.
func gateway(t *testing.T, provider string) string {
	t.Helper()
	target, err := url.Parse(provider)
	if err != nil {
		t.Fatal(err)
	}
	proxy := httputil.NewSingleHostReverseProxy(target)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("X-Gateway-Key") != "k1" {
			http.Error(w, `{"error":"access_denied","error_description":"no gateway key"}`, http.StatusForbidden)
			return
		}
		proxy.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	return srv.URL
}

// --token-header, and a profile's token_headers, reach the token endpoint behind a gateway that
// wants them; a malformed one is a usage error.
func TestTokenHeaderFlagAndProfileField(t *testing.T) {
	t.Parallel()
	p := demoidptest.Start(t)
	gw := gateway(t, p.Issuer())
	base := []string{"token", "--issuer", p.Issuer(), "--token-endpoint", gw + "/token", "--client-id", "demo-basic",
		"--client-secret", demoidptest.Secret(t, p, "demo-basic"), "--grant", "client_credentials"}
	wantExit(t, tb(t, base...), 1, "no gateway key")
	tokenResponse(t, tb(t, append(base, "--token-header", "X-Gateway-Key: k1")...))
	wantExit(t, tb(t, append(base, "--token-header", "Authorization: Basic x")...), 2, "--token-header")

	pe := newProfileEnv(t)
	pe.mustRun("profile", "add", "gw", "--issuer", p.Issuer(), "--token-endpoint", gw+"/token", "--client-id", "demo-basic",
		"--plain-secret", demoidptest.Secret(t, p, "demo-basic"), "--grant", "client_credentials", "--token-header", "X-Gateway-Key: k1")
	wantOut(t, "profiles.yaml", pe.file(), "token_headers:", "X-Gateway-Key: k1")
	wantOut(t, "profile show", pe.mustRun("profile", "show", "gw").stdout, "X-Gateway-Key: k1")
	tokenResponse(t, pe.mustRun("token", "--profile", "gw"))
	// A flag beside --profile replaces the profile's headers for this run.
	wantExit(t, pe.run("token", "--profile", "gw", "--token-header", "X-Other: 1"), 1, "no gateway key")
	wantExit(t, pe.run("token", "--profile", "gw", "--token-header", "bad header"), 2, "--token-header")
}
