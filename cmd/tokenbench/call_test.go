package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tokenbench/tokenbench/flows/demoidp"
	"github.com/tokenbench/tokenbench/flows/demoidp/demoidptest"
)

// TestCallDPoPEndToEnd gets a DPoP-bound token from the built-in provider, which demands server
// nonces, and calls its API with it: the nonce retry is shown, the answer printed as JSON; without
// the key, or at a path that does not exist, the call fails with the reason.
func TestCallDPoPEndToEnd(t *testing.T) {
	t.Parallel()
	p := demoidptest.Start(t, "dpop-nonce")
	dir := t.TempDir()
	keyFile := filepath.Join(dir, "dpop.json")
	r := tb(t, "token", "--dpop-key", keyFile, "--issuer", p.Issuer(), "--client-id", "demo-public", "--auth-method", "none")
	wantExit(t, r, 0)
	at := tokenResponse(t, r)["access_token"].(string)
	tokenFile := filepath.Join(dir, "token.txt")
	if err := os.WriteFile(tokenFile, []byte(at+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	api := p.Issuer() + demoidp.APIPath

	// No provider needed: the key and the token suffice.
	r = tb(t, "call", api, "--access-token", "@"+tokenFile, "--dpop-key", keyFile)
	wantExit(t, r, 0, "GET "+api+" (DPoP) → HTTP 401 Unauthorized", `error="use_dpop_nonce"`,
		"retried with the server's DPoP-Nonce (RFC 9449 §9): GET "+api+" (DPoP) → HTTP 200 OK, application/json")
	var m map[string]any
	if err := json.Unmarshal([]byte(r.stdout), &m); err != nil || m["bound"] != "dpop" || m["sub"] != "demo-user-1" {
		t.Fatalf("stdout %s (%v)", r.stdout, err)
	}
	if !strings.Contains(r.stdout, "\n  \"bound\": \"dpop\"") {
		t.Errorf("stdout is not pretty-printed:\n%s", r.stdout)
	}

	// A body, a header, the token from stdin, the trace with the token masked.
	r = runCLI(t, invocation{
		args:  []string{"call", "post", api, "--access-token", "-", "--dpop-key", keyFile, "--data", `{"order":42}`, "-H", "X-Request-Id: r-7", "-v"},
		stdin: strings.NewReader(at + "\n"),
	})
	wantExit(t, r, 0, "> POST "+api, "> X-Request-Id: r-7", `> {"order":42}`, "> Authorization: DPoP [redacted]", "> Content-Type: application/json")
	if !strings.Contains(r.stdout, `"method": "POST"`) || !strings.Contains(r.stdout, `"content_type": "application/json"`) {
		t.Errorf("stdout %s", r.stdout)
	}
	if strings.Contains(r.stderr, at) {
		t.Error("the trace shows the access token")
	}

	// Without the key the token goes as a bearer token, which the API refuses with the reason.
	r = tb(t, "call", api, "--access-token", at)
	wantExit(t, r, 1, "(Bearer) → HTTP 401 Unauthorized", "error: invalid_token:", "not as a Bearer token", "The access token was not accepted")
	if r.stdout != "" {
		t.Errorf("stdout %s", r.stdout)
	}

	// Another status: the body on stdout, exit 1 with the status explained.
	r = tb(t, "call", p.Issuer()+"/api/nothing", "--access-token", "@"+tokenFile, "--dpop-key", keyFile)
	wantExit(t, r, 1, "HTTP 404 Not Found", "error: unexpected_status: the resource server answered HTTP 404 Not Found; its body is on stdout")
	if !strings.Contains(r.stdout, "404 page not found") {
		t.Errorf("stdout %s", r.stdout)
	}
}

func TestCallUsageErrors(t *testing.T) {
	t.Parallel()
	const api = "http://127.0.0.1:1/api"
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"call", api}, "no access token"},
		{[]string{"call", "api/whoami", "--access-token", "t"}, `"api/whoami" is not an absolute http or https URL`},
		{[]string{"call", "GE T", api, "--access-token", "t"}, "is not an HTTP method"},
		{[]string{"call", "GET", api, "extra", "--access-token", "t"}, "accepts between 1 and 2 arg(s)"},
		{[]string{"call", api, "--access-token", "t", "-H", "Authorization: Bearer x"}, "the call sets Authorization itself"},
		{[]string{"call", api, "--access-token", "t", "-H", "no colon"}, "give it as 'Name: value'"},
		{[]string{"call", api, "--access-token", "@/no/such/file"}, "--access-token: open /no/such/file"},
		{[]string{"call", api, "--access-token", "t", "--dpop"}, "--dpop needs --dpop-key FILE"},
	} {
		r := tb(t, tc.args...)
		wantExit(t, r, 2, tc.want)
	}
}
