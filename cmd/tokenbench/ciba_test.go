package main

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tokenbench/tokenbench/flows/demoidp/demoidptest"
)

func TestTokenCIBAApproved(t *testing.T) {
	t.Parallel()
	p := demoidptest.Start(t) // polls every second
	r := tb(t, "token", "--grant", "ciba", "--login-hint", "demo", "--binding-message", "W4SCT", "--issuer", p.Issuer(), "--client-id", "demo-basic", "--client-secret", demoidptest.Secret(t, p, "demo-basic"), "-v")
	wantExit(t, r, 0, "backchannel authentication started: auth_req_id ", "W4SCT", p.Issuer()+"/ciba?auth_req_id=")
	tokenResponse(t, r)
	wantAllPassed(t, r, "id_token checks")
	if !regexp.MustCompile(`auth_req_id \S{12}…,`).MatchString(r.stderr) {
		t.Errorf("auth_req_id not shortened:\n%s", r.stderr)
	}
}

func TestTokenCIBADeniedAndUnknownUser(t *testing.T) {
	t.Parallel()
	p := demoidptest.Start(t)
	secret := demoidptest.Secret(t, p, "demo-basic")
	stderr := &syncBuffer{}
	done := make(chan result, 1)
	go func() {
		done <- runCLI(t, invocation{
			args:   []string{"token", "--grant", "ciba", "--no-browser", "--login-hint", "demo", "--issuer", p.Issuer(), "--client-id", "demo-basic", "--client-secret", secret},
			stderr: stderr,
		})
	}()
	waitOutput(t, stderr, "(add &deny=1 to deny)")
	approval := regexp.MustCompile(`http://\S+/ciba\?auth_req_id=\S+`).FindString(stderr.String())
	resp, err := http.Get(approval + "&deny=1")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	select {
	case r := <-done:
		wantExit(t, r, 1, "error: access_denied")
	case <-time.After(10 * time.Second):
		t.Fatal("the command did not end after the denial")
	}

	r := tb(t, "token", "--grant", "ciba", "--login-hint", "mallory", "--issuer", p.Issuer(), "--client-id", "demo-basic", "--client-secret", secret)
	wantExit(t, r, 1, `error: unknown_user_id`, `login_hint "mallory" names no user`, "The provider does not know the user named by the hint")
}

func TestTokenCIBACancelled(t *testing.T) {
	t.Parallel()
	p := demoidptest.Start(t)
	ctx, cancel := context.WithCancel(context.Background())
	stderr := &syncBuffer{}
	done := make(chan result, 1)
	go func() {
		done <- runCLI(t, invocation{
			args:   []string{"token", "--grant", "ciba", "--no-browser", "--login-hint", "demo", "--issuer", p.Issuer(), "--client-id", "demo-basic", "--client-secret", demoidptest.Secret(t, p, "demo-basic")},
			stderr: stderr, ctx: ctx,
		})
	}()
	waitOutput(t, stderr, "Waiting for approval")
	cancel()
	select {
	case r := <-done:
		wantExit(t, r, exitInterrupted, "tokenbench: interrupted")
	case <-time.After(5 * time.Second):
		t.Fatal("the command did not end on cancellation")
	}
}

// writeDetails writes an authorization_details file.
func writeDetails(t *testing.T, content string) string {
	t.Helper()
	name := filepath.Join(t.TempDir(), "details.json")
	if err := os.WriteFile(name, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return name
}

// accessTokenClaims decodes the claims of the printed access token, unverified.
func accessTokenClaims(t *testing.T, m map[string]any) map[string]any {
	t.Helper()
	parts := strings.Split(m["access_token"].(string), ".")
	if len(parts) != 3 {
		t.Fatalf("access token is not a JWS: %v", m["access_token"])
	}
	b, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		t.Fatal(err)
	}
	var claims map[string]any
	if err := json.Unmarshal(b, &claims); err != nil {
		t.Fatal(err)
	}
	return claims
}

func audience(v any) []string {
	if s, ok := v.(string); ok {
		return []string{s}
	}
	var out []string
	for _, x := range v.([]any) {
		out = append(out, x.(string))
	}
	return out
}

const cliDetails = `[{"type": "payment_initiation", "actions": ["initiate"], "instructedAmount": {"currency": "EUR", "amount": "12.00"}}]`

func TestTokenRARAndResources(t *testing.T) {
	t.Parallel()
	p := demoidptest.Start(t)
	secret := demoidptest.Secret(t, p, "demo-basic")
	file := writeDetails(t, cliDetails)
	resources := []string{"https://api.example.com/", "https://payments.example.com/"}

	r := tb(t, "token", "--grant", "client_credentials", "--authorization-details", file, "--resource", resources[0], "--resource", resources[1], "--issuer", p.Issuer(), "--client-id", "demo-basic", "--client-secret", secret)
	wantExit(t, r, 0, "authorization_details granted (RFC 9396 §7):", `"type": "payment_initiation"`)
	m := tokenResponse(t, r)
	if m["authorization_details"] == nil {
		t.Errorf("no authorization_details in %s", r.stdout)
	}
	if aud := audience(accessTokenClaims(t, m)["aud"]); !slices.Equal(aud, resources) {
		t.Errorf("aud = %v, want %v", aud, resources)
	}

	// The authorization code grant, plain and pushed: the details and resources go on the
	// authorization request, the resources on the token request too.
	for _, extra := range [][]string{nil, {"--par"}} {
		args := append([]string{"token", "--authorization-details", file, "--resource", resources[1], "--issuer", p.Issuer(), "--client-id", "demo-basic", "--client-secret", secret, "-v"}, extra...)
		r = tb(t, args...)
		wantExit(t, r, 0, "authorization_details granted", "payment_initiation")
		wantAllPassed(t, r, "id_token checks")
		m = tokenResponse(t, r)
		if aud := audience(accessTokenClaims(t, m)["aud"]); !slices.Equal(aud, resources[1:]) {
			t.Errorf("%v: aud = %v", extra, aud)
		}
		if !strings.Contains(r.stderr, "authorization_details=%5B%7B") {
			t.Errorf("%v: authorization_details not in the trace:\n%s", extra, r.stderr)
		}
	}
}

func TestTokenRARAndResourceErrors(t *testing.T) {
	t.Parallel()
	p := demoidptest.Start(t)
	secret := demoidptest.Secret(t, p, "demo-basic")
	cc := []string{"token", "--grant", "client_credentials", "--issuer", p.Issuer(), "--client-id", "demo-basic", "--client-secret", secret}

	r := tb(t, append(cc, "--resource", "https://api.example.com/#frag")...)
	wantExit(t, r, 1, `warning: resource "https://api.example.com/#frag" has a fragment`, "error: invalid_target", "The requested resource is not valid")

	r = tb(t, append(cc, "--authorization-details", writeDetails(t, `[{"type":"pizza_order"}]`))...)
	wantExit(t, r, 1, "error: invalid_authorization_details", `unknown type "pizza_order"`, "The authorization_details are not acceptable")

	for content, want := range map[string]string{
		`{"type":"payment_initiation"}`: "is a JSON object; RFC 9396 §2 wants an array",
		`[{"actions":["read"]}]`:        "authorization_details[0] has no type",
		`not json`:                      "is not JSON",
	} {
		r = tb(t, append(cc, "--authorization-details", writeDetails(t, content))...)
		wantExit(t, r, 2, want)
	}
	r = tb(t, append(cc, "--authorization-details", filepath.Join(t.TempDir(), "missing.json"))...)
	wantExit(t, r, 2, "--authorization-details:", "no such file")
}

func TestTokenCIBAUsageErrors(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--grant", "ciba"}, "--grant ciba needs the user: --login-hint, --id-token-hint or --login-hint-token"},
		{[]string{"--login-hint", "demo"}, "--login-hint applies to --grant ciba only"},
		{[]string{"--grant", "password", "--authorization-details", "x.json"}, "--authorization-details is sent on --grant authorization_code"},
	} {
		r := tb(t, append([]string{"token", "--issuer", "http://127.0.0.1:1"}, tc.args...)...)
		wantExit(t, r, 2, tc.want)
	}
}

// freeLoopbackURL is an http URL on a port of 127.0.0.1 that was free a moment ago: a client
// notification endpoint is registered before anyone listens on it.
func freeLoopbackURL(t *testing.T, path string) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return "http://" + ln.Addr().String() + path
}

// TestTokenCIBAPingAndPush: a client registered for ping or push gets its tokens through the
// notification endpoint tokenbench serves, as OpenID CIBA Core §10.2 and §10.3 describe.
func TestTokenCIBAPingAndPush(t *testing.T) {
	t.Parallel()
	p := demoidptest.Start(t)
	for mode, want := range map[string][]string{
		"ping": {"ciba notification ──", "< 204 No Content", "ciba token ──", "ping notification received"},
		"push": {"ciba notification ──", "< 204 No Content", "push notification received"},
	} {
		t.Run(mode, func(t *testing.T) {
			endpoint := freeLoopbackURL(t, "/ciba")
			reg := demoidptest.RegisterCIBA(t, p, mode, endpoint)
			r := tb(t, "token", "--grant", "ciba", "--ciba-mode", mode, "--ciba-notification-endpoint", endpoint, "--login-hint", "demo",
				"--issuer", p.Issuer(), "--client-id", reg.ID, "--client-secret", reg.Secret, "-v")
			wantExit(t, r, 0, append(want, "notification comes to "+endpoint)...)
			tokenResponse(t, r)
			wantAllPassed(t, r, "id_token checks")
			if mode == "push" && strings.Contains(r.stderr, "ciba token ──") {
				t.Errorf("push mode called the token endpoint:\n%s", r.stderr)
			}
		})
	}
	r := tb(t, "token", "--grant", "ciba", "--ciba-mode", "ping", "--login-hint", "demo", "--issuer", p.Issuer(), "--client-id", "demo-basic", "--client-secret", demoidptest.Secret(t, p, "demo-basic"))
	wantExit(t, r, 2, "--ciba-mode ping needs the client notification endpoint")
}
