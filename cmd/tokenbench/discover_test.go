package main

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"

	"github.com/tokenbench/tokenbench/flows/demoidp/demoidptest"
)

// TestDiscover: the metadata as received on stdout; on stderr its source, the issuer check, the
// endpoints, what the provider supports and, with --keys, its signing keys.
func TestDiscover(t *testing.T) {
	t.Parallel()
	p := demoidptest.Start(t)
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
	p := demoidptest.Start(t, "html-discovery")
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

// TestSaveTrace: --save-trace writes the session as HAR 1.2 (a .har name) or Markdown, secrets
// redacted, file mode 0600; a failed command saves its trace too.
func TestSaveTrace(t *testing.T) {
	t.Parallel()
	p := demoidptest.Start(t)
	dir := t.TempDir()
	har, md := filepath.Join(dir, "session.har"), filepath.Join(dir, "session.md")
	secret := demoidptest.Secret(t, p, "demo-basic")
	r := tb(t, "token", "--issuer", p.Issuer(), "--grant", "client_credentials", "--client-id", "demo-basic", "--client-secret", secret, "--save-trace", har)
	wantExit(t, r, 0, "HTTP exchanges to "+har+", secrets redacted")
	data, err := os.ReadFile(har)
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Log struct {
			Version string
			Entries []struct{ Request struct{ URL string } }
		}
	}
	if err := json.Unmarshal(data, &doc); err != nil || doc.Log.Version != "1.2" || len(doc.Log.Entries) < 2 {
		t.Fatalf("not a HAR 1.2 document of the session: %v\n%.400s", err, data)
	}
	wantNot(t, "HAR", string(data), secret)
	wantNot(t, "HAR", string(data), tokenResponse(t, r)["access_token"].(string))
	if fi, err := os.Stat(har); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("the HAR file's mode: %v %v", fi.Mode(), err)
	}
	r = tb(t, "token", "--issuer", p.Issuer(), "--grant", "client_credentials", "--client-id", "demo-basic", "--client-secret", "not-the-secret-5e1f", "--save-trace", md)
	wantExit(t, r, 1, "invalid_client", "to "+md)
	data, err = os.ReadFile(md)
	if err != nil {
		t.Fatal(err)
	}
	wantOut(t, "Markdown", string(data), "# tokenbench trace", "token — POST "+p.Issuer()+"/token → 401")
	wantNot(t, "Markdown", string(data), "not-the-secret-5e1f")
}

// TestTokenWarnsUnverifiedSignature: with no discovery and no JWKS URL, the id_token's signature is
// skipped: the command says why and exits 1, since 0 means every check passed.
func TestTokenWarnsUnverifiedSignature(t *testing.T) {
	t.Parallel()
	p := demoidptest.Start(t, "html-discovery")
	args := []string{"token", "--issuer", p.Issuer(), "--token-endpoint", p.Issuer() + "/token", "--grant", "password",
		"--username", "demo", "--password", "demo", "--client-id", "demo-basic", "--client-secret", demoidptest.Secret(t, p, "demo-basic")}
	wantExit(t, tb(t, args...), 1, "no JWKS URL", "error: the id_token's signature could not be verified: ")
	r := tb(t, append(args, "--jwks-uri", p.Issuer()+"/jwks")...)
	wantExit(t, r, 0, "id_token checks")
	wantNot(t, "stderr", r.stderr, "NOT verified")
}
