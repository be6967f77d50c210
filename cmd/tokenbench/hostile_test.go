package main

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// Escape sequences a hostile provider or file may send: a clipboard write (OSC 52), a link
// (OSC 8), a window title, clear screen, an 8-bit CSI and a right-to-left override.
const (
	oscClipboard = "\x1b]52;c;cm0gLXJmIH4=\x07"
	oscLink      = "\x1b]8;;https://evil.example\x1b\\"
	oscTitle     = "\x1b]0;pwned\x07"
	clearScreen  = "\x1b[2J"
	c1CSI        = "\u009b31m"
	rtlOverride  = "\u202e"
)

var hostile = oscClipboard + oscLink + oscTitle + clearScreen + c1CSI + rtlOverride

// wantNoRaw fails when out holds any byte or character a terminal would obey.
func wantNoRaw(t *testing.T, what, out string) {
	t.Helper()
	for _, bad := range []string{"\x1b", "\u009b", "\x07", "\u202e", "\r"} {
		if strings.Contains(out, bad) {
			t.Errorf("%s holds a raw %q:\n%q", what, bad, out)
		}
	}
}

// hostileProvider is a provider whose every answer carries escape sequences.
func hostileProvider(t *testing.T) *httptest.Server {
	t.Helper()
	var srv *httptest.Server
	srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		switch r.URL.Path {
		case "/.well-known/openid-configuration":
			w.Header().Set("Content-Type", "application/json")
			json.NewEncoder(w).Encode(map[string]any{
				"issuer": srv.URL, "authorization_endpoint": srv.URL + "/authorize" + hostile, "token_endpoint": srv.URL + "/token",
				"scopes_supported": []string{"openid", hostile}, "code_challenge_methods_supported": []string{"S256" + hostile},
			})
		case "/token":
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusBadRequest)
			json.NewEncoder(w).Encode(map[string]string{"error": "invalid_grant" + clearScreen, "error_description": "bad\r\rdone" + hostile, "error_uri": "https://idp.example/" + oscLink})
		case "/text":
			w.Header().Set("Content-Type", "text/plain")
			io.WriteString(w, "not json "+hostile)
		}
	}))
	t.Cleanup(srv.Close)
	return srv
}

// TestHostileTextIsShownNotObeyed: escape sequences in error, error_description and error_uri, in
// the discover summary, in a non-JSON body, in the -v trace and the Markdown trace reach the
// terminal as visible escapes.
func TestHostileTextIsShownNotObeyed(t *testing.T) {
	t.Parallel()
	srv := hostileProvider(t)
	md := filepath.Join(t.TempDir(), "trace.md")
	r := tb(t, "token", "--token-endpoint", srv.URL+"/token", "--grant", "client_credentials", "--client-id", "web", "--client-secret", "s", "-v", "--save-trace", md)
	wantExit(t, r, 1, `error: invalid_grant\x1b[2J: bad\r\rdone\x1b]52;c;`, `\u202e`, `https://idp.example/\x1b]8;;`)
	wantNoRaw(t, "token error and -v trace", r.stderr)
	data, err := os.ReadFile(md)
	if err != nil {
		t.Fatal(err)
	}
	wantNoRaw(t, "Markdown trace", string(data))

	r = tb(t, "token", "--token-endpoint", srv.URL+"/text", "--grant", "client_credentials", "--client-id", "web", "--client-secret", "s")
	wantExit(t, r, 1, "non_json_body", `not json \x1b]52`)
	wantNoRaw(t, "non-JSON snippet", r.stderr)

	r = tb(t, "discover", "--issuer", srv.URL)
	wantExit(t, r, 0, `/authorize\x1b]52;c;`)
	wantNoRaw(t, "discover summary", r.stderr)
}

// TestHostileProfileAndJWTText: an imported profile's client_id and a token's claims, shown for a
// person (profile list, profile show, jwt), hold no raw escape sequence; JSON output keeps the data.
func TestHostileProfileAndJWTText(t *testing.T) {
	t.Parallel()
	src := newProfileEnv(t)
	src.mustRun("profile", "add", "evil", "--issuer", "https://idp.evil.example", "--client-id", "app"+hostile, "--auth-method", "none")
	file := filepath.Join(t.TempDir(), "export.yaml")
	if err := os.WriteFile(file, []byte(src.mustRun("profile", "export").stdout), 0o600); err != nil {
		t.Fatal(err)
	}
	dst := newProfileEnv(t)
	dst.mustRun("profile", "import", file)
	for _, args := range [][]string{{"profile", "list"}, {"profile", "show", "evil"}} {
		r := dst.run(args...)
		wantExit(t, r, 0)
		wantNoRaw(t, strings.Join(args, " "), r.stdout+r.stderr)
	}
	wantOut(t, "profile list", dst.run("profile", "list").stdout, `app\x1b]52;c;`)
	r := dst.run("profile", "list", "--json")
	var entries []listEntry
	if err := json.Unmarshal([]byte(r.stdout), &entries); err != nil || len(entries) != 1 || entries[0].ClientID != "app"+hostile {
		t.Errorf("profile list --json did not keep the client_id exact: %v %+v", err, entries)
	}

	enc := func(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }
	claims, _ := json.Marshal(map[string]any{"sub": "alice" + rtlOverride + c1CSI, "name": hostile})
	token := enc(`{"alg":"none"}`) + "." + enc(string(claims)) + "."
	r = tb(t, "jwt", token)
	wantNoRaw(t, "jwt", r.stdout+r.stderr)
	wantOut(t, "jwt", r.stdout, `alice\u202e\u009b31m`)
}

// TestBackupDropsAMovedSecret: after the plain secret is moved to an environment variable, as
// tokenbench's own warning advises, neither profiles.yaml nor its .bak holds it; the .bak still
// keeps the rest of the previous version.
func TestBackupDropsAMovedSecret(t *testing.T) {
	t.Parallel()
	pe := newProfileEnv(t)
	const plain = "plain-secret-9d8e7f"
	pe.mustRun("profile", "add", "acme", "--issuer", "https://idp.acme.example", "--client-id", "web", "--plain-secret", plain, "--notes", "first version")
	pe.mustRun("profile", "add", "other", "--issuer", "https://idp.other.example", "--client-id", "x", "--plain-secret", "kept-secret-1a2b")
	pe.mustRun("profile", "edit", "acme", "--client-secret-ref", "env:ACME_SECRET", "--notes", "second version")
	for _, name := range []string{"profiles.yaml", "profiles.yaml.bak"} {
		data, err := os.ReadFile(filepath.Join(pe.dir, name))
		if err != nil {
			t.Fatal(err)
		}
		wantNot(t, name, string(data), plain)
		if name == "profiles.yaml.bak" {
			wantOut(t, name, string(data), "first version", "kept-secret-1a2b")
		}
	}
}

// TestHTTPSIssuerWithHTTPEndpoints: an https issuer whose metadata names an http:// token endpoint
// on another host is refused with a clear error; --allow-http-endpoints accepts it, with a warning;
// an http endpoint on the loopback interface is no downgrade and passes.
func TestHTTPSIssuerWithHTTPEndpoints(t *testing.T) {
	t.Parallel()
	var token atomic.Value
	token.Store("http://idp.example/token")
	var srv *httptest.Server
	srv = httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(map[string]any{"issuer": srv.URL, "authorization_endpoint": srv.URL + "/authorize", "token_endpoint": token.Load()})
	}))
	t.Cleanup(srv.Close)
	ca := filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(ca, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw}), 0o600); err != nil {
		t.Fatal(err)
	}
	r := tb(t, "discover", "--issuer", srv.URL, "--ca-file", ca)
	wantExit(t, r, 1, "error: cleartext_endpoint:", "token http://idp.example/token", "--allow-http-endpoints")
	r = tb(t, "token", "--issuer", srv.URL, "--ca-file", ca, "--grant", "client_credentials", "--client-id", "web", "--client-secret", "s")
	wantExit(t, r, 1, "error: cleartext_endpoint:")
	r = tb(t, "discover", "--issuer", srv.URL, "--ca-file", ca, "--allow-http-endpoints")
	wantExit(t, r, 0, "warning: --allow-http-endpoints:")
	token.Store("http://127.0.0.1:9/token")
	wantExit(t, tb(t, "discover", "--issuer", srv.URL, "--ca-file", ca), 0)
}

// TestBrowserOpensOnlyHTTP: an authorization endpoint of file:///etc/passwd in the metadata is
// shown but never handed to the browser.
func TestBrowserOpensOnlyHTTP(t *testing.T) {
	t.Parallel()
	var srv *httptest.Server
	srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(map[string]any{"issuer": srv.URL, "authorization_endpoint": "file:///etc/passwd", "token_endpoint": srv.URL + "/token"})
	}))
	t.Cleanup(srv.Close)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	dir := t.TempDir()
	opened, script := filepath.Join(dir, "opened"), filepath.Join(dir, "browser")
	if err := os.WriteFile(script, []byte("#!/bin/sh\necho \"$1\" > "+opened+"\n"), 0o700); err != nil {
		t.Fatal(err)
	}
	r := runCLI(t, invocation{ctx: ctx, env: map[string]string{"BROWSER": script},
		args: []string{"token", "--issuer", srv.URL, "--client-id", "web", "--auth-method", "none"}})
	wantOut(t, "stderr", r.stderr, `did not open "file:///etc/passwd`, "only http and https URLs are opened")
	if _, err := os.Stat(opened); !os.IsNotExist(err) {
		t.Error("the file: URL was handed to the browser")
	}
}

// TestJWTOutputBoundedByInput: a token whose claims nest 9,000 deep (24 KB) once made 162 MB of
// output, indentation growing with the square of the depth. Output now stays within a small
// multiple of the input, the limit is named, and --json keeps the claims exact.
func TestJWTOutputBoundedByInput(t *testing.T) {
	t.Parallel()
	const depth = 9000
	claims := `{"sub":"alice","deep":` + strings.Repeat("[", depth) + strings.Repeat("]", depth) + `}`
	enc := func(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }
	token := enc(`{"alg":"none"}`) + "." + enc(claims) + "."
	r := tb(t, "jwt", token)
	if len(r.stdout)+len(r.stderr) > 4*len(token)+64<<10 {
		t.Errorf("jwt wrote %d bytes for a %d-byte token", len(r.stdout)+len(r.stderr), len(token))
	}
	wantOut(t, "jwt", r.stdout, "nested 9001 levels deep, more than the 64 printed indented")
	r = tb(t, "jwt", "--json", token)
	if len(r.stdout) > 4*len(token)+64<<10 {
		t.Errorf("jwt --json wrote %d bytes for a %d-byte token", len(r.stdout), len(token))
	}
	var out struct{ Claims json.RawMessage }
	if err := json.Unmarshal([]byte(r.stdout), &out); err != nil || string(out.Claims) != claims {
		t.Errorf("jwt --json did not keep the claims exact: %v", err)
	}
}
