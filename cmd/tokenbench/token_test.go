package main

import (
	"bufio"
	"context"
	"encoding/json"
	"encoding/pem"
	"io"
	"log"
	"net"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"
	"github.com/tokenbench/tokenbench/flows/demoidp"
	"github.com/tokenbench/tokenbench/flows/demoidp/demoidptest"
)

// tokenResponse decodes the token response a command printed on stdout.
func tokenResponse(t *testing.T, r result) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal([]byte(r.stdout), &m); err != nil {
		t.Fatalf("stdout is not a JSON token response (%v):\n%s\nstderr:\n%s", err, r.stdout, r.stderr)
	}
	if s, _ := m["access_token"].(string); s == "" {
		t.Fatalf("no access_token in %s", r.stdout)
	}
	return m
}

// wantAllPassed checks that the printed checks passed or were skipped, and that some passed.
func wantAllPassed(t *testing.T, r result, headings ...string) {
	t.Helper()
	if strings.Contains(r.stderr, "✗") {
		t.Errorf("a check failed:\n%s", r.stderr)
	}
	for _, h := range headings {
		if !strings.Contains(r.stderr, h+":\n") {
			t.Errorf("stderr lacks the %q table:\n%s", h, r.stderr)
		}
	}
	if !strings.Contains(r.stderr, "✓ pass") {
		t.Errorf("no check passed:\n%s", r.stderr)
	}
}

func TestTokenAuthorizationCodeEachAuthMethod(t *testing.T) {
	t.Parallel()
	p := demoidptest.Start(t)
	rsaKey := filepath.Join("..", "..", "assets", "demo", "private-key-jwt-rsa.pem")
	ecKey := filepath.Join("..", "..", "assets", "demo", "private-key-jwt-ec.pem")
	secretFile := filepath.Join(t.TempDir(), "secret")
	if err := os.WriteFile(secretFile, []byte(demoidptest.Secret(t, p, "demo-post")+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name string
		args []string
		env  map[string]string
	}{
		{"client_secret_basic", []string{"--client-id", "demo-basic", "--client-secret", demoidptest.Secret(t, p, "demo-basic")}, nil},
		// The file wins over the environment (a wrong secret there would fail the test).
		{"client_secret_post from file", []string{"--client-id", "demo-post", "--auth-method", "client_secret_post", "--client-secret-file", secretFile}, map[string]string{envClientSecret: "wrong"}},
		{"none (public, PKCE)", []string{"--client-id", "demo-public", "--auth-method", "none"}, nil},
		{"client_secret_jwt from env", []string{"--client-id", "demo-jwt", "--auth-method", "client_secret_jwt"}, map[string]string{envClientSecret: demoidptest.Secret(t, p, "demo-jwt")}},
		{"private_key_jwt RS256", []string{"--client-id", "demo-private-key-jwt", "--auth-method", "private_key_jwt", "--signing-key", rsaKey, "--signing-alg", "RS256"}, nil},
		{"private_key_jwt PS256", []string{"--client-id", "demo-private-key-jwt", "--signing-key", rsaKey, "--signing-alg", "PS256"}, nil},
		{"private_key_jwt ES256", []string{"--client-id", "demo-private-key-jwt", "--signing-key", ecKey}, nil},
		{"special characters in id and secret", []string{"--client-id", "demo:special+id", "--client-secret", demoidptest.Secret(t, p, "demo:special+id")}, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			env := map[string]string{"BROWSER": browserEnv(t)}
			for k, v := range tc.env {
				env[k] = v
			}
			r := runCLI(t, invocation{args: append([]string{"token", "--issuer", p.Issuer()}, tc.args...), env: env})
			wantExit(t, r, 0, "Open this URL to sign in:")
			m := tokenResponse(t, r)
			if m["id_token"] == nil || m["refresh_token"] == nil {
				t.Errorf("want an id_token and a refresh_token: %s", r.stdout)
			}
			wantAllPassed(t, r, "authorization response checks", "id_token checks")
		})
	}
}

// authURL waits until the command has printed the authorization URL on stderr.
func authURL(t *testing.T, stderr *syncBuffer) string {
	t.Helper()
	re := regexp.MustCompile(`Open this URL to sign in:\n\n  (\S+)\n`)
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		if m := re.FindStringSubmatch(stderr.String()); m != nil {
			return m[1]
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatalf("no authorization URL on stderr:\n%s", stderr.String())
	return ""
}

// pasteFlow runs the authorization code grant with a non-loopback redirect URI: it reads the URL
// from stderr, plays the browser up to the redirect, and pastes the result on stdin. paste turns
// the redirect URL into what is pasted.
func pasteFlow(t *testing.T, p *demoidp.Provider, paste func(loc string) string, extra ...string) (result, string) {
	t.Helper()
	stdinR, stdinW := io.Pipe()
	stderr := &syncBuffer{}
	args := append([]string{"token", "--issuer", p.Issuer(), "--client-id", "demo-basic", "--client-secret", demoidptest.Secret(t, p, "demo-basic"),
		"--redirect-uri", "https://app.example.com/callback", "--no-browser"}, extra...)
	done := make(chan result, 1)
	go func() { done <- runCLI(t, invocation{args: args, stdin: stdinR, stderr: stderr}) }()
	loc := demoidptest.Redirect(t, authURL(t, stderr))
	if _, err := io.WriteString(stdinW, paste(loc)+"\n"); err != nil {
		t.Fatal(err)
	}
	stdinW.Close()
	return <-done, loc
}

func TestTokenPastedRedirect(t *testing.T) {
	t.Parallel()
	p := demoidptest.Start(t)
	r, loc := pasteFlow(t, p, func(loc string) string { return loc })
	if !strings.HasPrefix(loc, "https://app.example.com/callback?") {
		t.Fatalf("redirect to %s", loc)
	}
	wantExit(t, r, 0, "Paste the URL it ended on")
	tokenResponse(t, r)
	wantAllPassed(t, r, "authorization response checks", "id_token checks")

	t.Run("query only", func(t *testing.T) {
		r, _ := pasteFlow(t, p, func(loc string) string { return loc[strings.Index(loc, "?"):] })
		wantExit(t, r, 0)
		tokenResponse(t, r)
	})
}

// TestTokenReusedCode pastes a redirect whose code was already redeemed, into a request that sends
// the same state (--param state=…), so only the provider can object.
func TestTokenReusedCode(t *testing.T) {
	t.Parallel()
	p := demoidptest.Start(t)
	var first string
	r, _ := pasteFlow(t, p, func(loc string) string { first = loc; return loc }, "--param", "state=fixed-state")
	wantExit(t, r, 0)
	r, _ = pasteFlow(t, p, func(string) string { return first }, "--param", "state=fixed-state")
	wantExit(t, r, 1, "error: invalid_grant: authorization code already used", "Likely causes:", "Spec:")
	if r.stdout != "" {
		t.Errorf("stdout should be empty on failure: %s", r.stdout)
	}
}

func TestTokenClientCredentials(t *testing.T) {
	t.Parallel()
	p := demoidptest.Start(t)
	r := tb(t, "token", "--grant", "client_credentials", "--issuer", p.Issuer(), "--client-id", "demo-basic", "--client-secret", demoidptest.Secret(t, p, "demo-basic"))
	wantExit(t, r, 0)
	m := tokenResponse(t, r)
	if m["id_token"] != nil || strings.Contains(r.stderr, "id_token checks") {
		t.Errorf("client_credentials gave an id_token: %s\n%s", r.stdout, r.stderr)
	}
}

func TestTokenPasswordAndRefresh(t *testing.T) {
	t.Parallel()
	p := demoidptest.Start(t)
	r := runCLI(t, invocation{
		args: []string{"token", "--grant", "password", "--issuer", p.Issuer(), "--client-id", "demo-public", "--auth-method", "none", "--username", "demo"},
		env:  map[string]string{envPassword: "demo"},
	})
	wantExit(t, r, 0)
	wantAllPassed(t, r, "id_token checks")
	rt, _ := tokenResponse(t, r)["refresh_token"].(string)
	if rt == "" {
		t.Fatalf("no refresh token: %s", r.stdout)
	}
	r = runCLI(t, invocation{
		args:  []string{"token", "--grant", "refresh_token", "--refresh-token", "-", "--issuer", p.Issuer(), "--client-id", "demo-public", "--auth-method", "none"},
		stdin: strings.NewReader(rt + "\n"),
	})
	wantExit(t, r, 0, "refresh token: rotated")
	if newRT, _ := tokenResponse(t, r)["refresh_token"].(string); newRT == "" || newRT == rt {
		t.Errorf("refresh token not rotated in %s", r.stdout)
	}
	// The old one was rotated away: using it again is refused.
	r = tb(t, "token", "--grant", "refresh_token", "--refresh-token", rt, "--issuer", p.Issuer(), "--client-id", "demo-public", "--auth-method", "none")
	wantExit(t, r, 1, "error: invalid_grant: refresh token already used")
}

func TestTokenWrongPassword(t *testing.T) {
	t.Parallel()
	p := demoidptest.Start(t)
	r := tb(t, "token", "--grant", "password", "--issuer", p.Issuer(), "--client-id", "demo-public", "--auth-method", "none", "--username", "demo", "--password", "nope")
	wantExit(t, r, 1, "error: invalid_grant: invalid username or password")
}

func TestTokenDeviceCode(t *testing.T) {
	t.Parallel()
	p := demoidptest.Start(t) // polls every second
	r := tb(t, "token", "--grant", "device_code", "--issuer", p.Issuer(), "--client-id", "demo-basic", "--client-secret", demoidptest.Secret(t, p, "demo-basic"), "-v")
	wantExit(t, r, 0, "and enter the code", "/device?user_code=")
	tokenResponse(t, r)
	wantAllPassed(t, r, "id_token checks")
}

// proofJWTExpiring is a proof JWT for the demo provider that expires at exp.
func proofJWTExpiring(t *testing.T, p *demoidp.Provider, secret string, exp time.Time) string {
	t.Helper()
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.HS256, Key: []byte(secret)}, nil)
	if err != nil {
		t.Fatal(err)
	}
	proof, err := jwt.Signed(signer).Claims(jwt.Claims{
		Subject: "demo", Audience: jwt.Audience{p.Issuer()}, Expiry: jwt.NewNumericDate(exp),
	}).Serialize()
	if err != nil {
		t.Fatal(err)
	}
	return proof
}

func TestTokenDirectAuthorizeWithProofJWT(t *testing.T) {
	t.Parallel()
	p := demoidptest.Start(t)
	secret := demoidptest.Secret(t, p, "demo-jwt")
	proof := demoidptest.ProofJWT(t, p.Issuer(), secret)
	args := []string{"token", "--issuer", p.Issuer(), "--authorization-endpoint", p.Issuer() + "/v1/authorize",
		"--client-id", "demo-jwt", "--client-secret", secret, "--auth-method", "client_secret_jwt", "--redirect-uri", "https://app.example.com/callback"}
	// No browser: with --proof-jwt nothing is opened.
	r := runCLI(t, invocation{args: append(args, "--proof-jwt", proof)})
	wantExit(t, r, 0)
	if strings.Contains(r.stderr, "Open this URL") {
		t.Errorf("direct authorize opened a URL:\n%s", r.stderr)
	}
	tokenResponse(t, r)
	wantAllPassed(t, r, "authorization response checks", "id_token checks")

	r = runCLI(t, invocation{args: append(args, "--proof-jwt", "not-a-jwt")})
	wantExit(t, r, 1, "error: invalid_request: proof_of_authentication_jwt")

	// A direct authorize has no listener: a redirect URI must be given, not the loopback default.
	r = runCLI(t, invocation{args: append(slices.Clone(args[:len(args)-2]), "--proof-jwt", proof)})
	wantExit(t, r, exitUsage, "--proof-jwt needs --redirect-uri, the client's registered redirect URI")

	// An expired proof is not sent: it is explained as the proof's problem.
	expired := proofJWTExpiring(t, p, secret, time.Now().Add(-10*time.Minute))
	r = runCLI(t, invocation{args: append(args, "--proof-jwt", expired, "-v")})
	wantExit(t, r, 1, "error: proof_jwt_rejected: the proof_of_authentication_jwt expired at", "so it was not sent", "The proof-of-authentication JWT was not accepted")
	if strings.Contains(r.stderr, "> POST "+p.Issuer()+"/v1/authorize") {
		t.Errorf("the expired proof was sent:\n%s", r.stderr)
	}
}

// TestTokenFailures checks the exit status and the explanation of each way a grant can fail.
func TestTokenFailures(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name   string
		faults []string
		args   []string
		want   []string
	}{
		{"wrong iss", []string{"wrong-iss"}, nil, []string{"✗ fail     iss", "error: iss_mismatch:"}},
		{"access denied", []string{"deny"}, nil, []string{"error: access_denied: the demo provider is set to deny", "Access was denied", "Likely causes:", "Check:", "Spec: "}},
		{"expired code", []string{"expired-code"}, nil, []string{"error: invalid_grant: authorization code expired"}},
		{"html discovery", []string{"html-discovery"}, nil, []string{"error: no_discovery:", "HTML page"}},
		{"html error page", []string{"html-errors"}, []string{"--grant", "client_credentials"}, []string{"error: html_page:"}},
		{"error on 200", []string{"error-on-200"}, []string{"--grant", "client_credentials"}, []string{"error: invalid_grant:", "HTTP 200"}},
		{"slow server", []string{"slow=2s"}, []string{"--grant", "client_credentials", "--timeout", "200ms"}, []string{"error: timeout:"}},
		{"huge body", []string{"huge-body"}, []string{"--grant", "client_credentials"}, []string{"error: body_too_large:"}},
		{"expired id_token", []string{"expired-id-token"}, nil, []string{"✗ fail     exp", "error: token_expired:"}},
		{"bad signature", []string{"bad-signature"}, nil, []string{"✗ fail     signature", "error: signature_invalid:"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			p := demoidptest.Start(t, tc.faults...)
			args := append([]string{"token", "--issuer", p.Issuer(), "--client-id", "demo-basic", "--client-secret", demoidptest.Secret(t, p, "demo-basic")}, tc.args...)
			start := time.Now()
			r := tb(t, args...)
			wantExit(t, r, 1, tc.want...)
			if d := time.Since(start); d > 10*time.Second {
				t.Errorf("took %s", d)
			}
		})
	}
}

// TestTokenExpiredIDTokenStillPrinted: the tokens were obtained, so they are printed, but the
// failed check makes the exit status 1.
func TestTokenExpiredIDTokenStillPrinted(t *testing.T) {
	t.Parallel()
	p := demoidptest.Start(t, "expired-id-token")
	r := tb(t, "token", "--grant", "password", "--username", "demo", "--password", "demo", "--issuer", p.Issuer(), "--client-id", "demo-public", "--auth-method", "none")
	wantExit(t, r, 1, "error: token_expired:", "The token has expired")
	tokenResponse(t, r)
}

func TestTokenConnectionRefused(t *testing.T) {
	t.Parallel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	r := tb(t, "token", "--grant", "client_credentials", "--issuer", "http://"+addr, "--client-id", "x", "--client-secret", "y")
	wantExit(t, r, 1, "error: connection_refused:")
}

func TestTokenTLS(t *testing.T) {
	t.Parallel()
	p := demoidptest.Start(t)
	srv := httptest.NewUnstartedServer(p.Handler())
	srv.Config.ErrorLog = log.New(io.Discard, "", 0) // the refused handshakes are the point
	srv.StartTLS()
	t.Cleanup(srv.Close)
	caFile := filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(caFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw}), 0o600); err != nil {
		t.Fatal(err)
	}
	args := []string{"token", "--grant", "client_credentials", "--token-endpoint", srv.URL + "/token", "--client-id", "demo-basic", "--client-secret", demoidptest.Secret(t, p, "demo-basic")}

	r := tb(t, args...)
	wantExit(t, r, 1, "error: tls_unknown_authority:")

	r = tb(t, append(args, "--ca-file", caFile)...)
	wantExit(t, r, 0)
	tokenResponse(t, r)

	r = tb(t, append(args, "--insecure")...)
	wantExit(t, r, 0, "warning: --insecure")
}

// TestVerboseTraceMasksSecrets: -v prints every exchange, and neither the client secret nor any
// token appears on stderr.
func TestVerboseTraceMasksSecrets(t *testing.T) {
	t.Parallel()
	p := demoidptest.Start(t)
	for _, id := range []string{"demo-basic", "demo-post"} {
		secret := demoidptest.Secret(t, p, id)
		method := "client_secret_basic"
		if id == "demo-post" {
			method = "client_secret_post"
		}
		creds := []string{"--issuer", p.Issuer(), "--client-id", id, "--client-secret", secret, "--auth-method", method}
		r := tb(t, append([]string{"token", "-v"}, creds...)...)
		wantExit(t, r, 0, "── #1 discovery ──", "> POST "+p.Issuer()+"/token", "[redacted]")
		m := tokenResponse(t, r)
		rt := m["refresh_token"].(string)
		r2 := runCLI(t, invocation{args: append([]string{"token", "--curl", "--grant", "refresh_token", "--refresh-token", "-"}, creds...), stdin: strings.NewReader(rt)})
		wantExit(t, r2, 0, "grant_type=refresh_token", "── #", "curl -X POST '"+p.Issuer()+"/token' -H ")
		m2 := tokenResponse(t, r2)
		secrets := []string{secret, rt, m["access_token"].(string), m["id_token"].(string), m2["access_token"].(string), m2["refresh_token"].(string)}
		for _, s := range secrets {
			for _, stderr := range []string{r.stderr, r2.stderr} {
				if strings.Contains(stderr, s) {
					t.Errorf("%s: a secret (%.12s…) appears on stderr:\n%s", id, s, stderr)
				}
			}
		}
	}
	t.Run("show-secrets", func(t *testing.T) {
		secret := demoidptest.Secret(t, p, "demo-post")
		r := tb(t, "token", "--show-secrets", "--grant", "client_credentials", "--issuer", p.Issuer(), "--client-id", "demo-post", "--client-secret", secret, "--auth-method", "client_secret_post")
		wantExit(t, r, 0, "warning: --show-secrets", "client_secret="+secret)
	})
}

func TestTokenUsageErrors(t *testing.T) {
	t.Parallel()
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"token", "--issuer", "http://127.0.0.1:1", "--auth-method", "magic"}, `unknown --auth-method "magic"; valid methods: client_secret_basic, client_secret_post, none, client_secret_jwt, private_key_jwt`},
		{[]string{"token", "--issuer", "http://127.0.0.1:1", "--grant", "implicit"}, `unknown --grant "implicit"`},
		{[]string{"token", "--issuer", "http://127.0.0.1:1", "--pkce", "S512"}, `unknown --pkce "S512"`},
		{[]string{"token", "--issuer", "http://127.0.0.1:1", "--param", "novalue"}, `--param "novalue": expected name=value`},
		{[]string{"token", "--client-id", "x"}, "no provider: give --issuer"},
		{[]string{"token", "--no-such-flag"}, "unknown flag: --no-such-flag"},
		{[]string{"token", "--issuer", "http://127.0.0.1:1", "--grant", "refresh_token"}, "needs --refresh-token"},
		{[]string{"tokne"}, `unknown command "tokne"; did you mean token?`},
	}
	for _, tc := range cases {
		r := tb(t, tc.args...)
		wantExit(t, r, 2, tc.want)
	}
}

func TestResourceCommands(t *testing.T) {
	t.Parallel()
	p := demoidptest.Start(t)
	creds := []string{"--issuer", p.Issuer(), "--client-id", "demo-basic", "--client-secret", demoidptest.Secret(t, p, "demo-basic")}
	r := tb(t, append([]string{"token", "--grant", "password", "--username", "demo", "--password", "demo"}, creds...)...)
	wantExit(t, r, 0)
	at := tokenResponse(t, r)["access_token"].(string)

	r = tb(t, append([]string{"userinfo", at}, creds...)...)
	wantExit(t, r, 0)
	if !strings.Contains(r.stdout, `"sub":"demo-user-1"`) {
		t.Errorf("userinfo printed %s", r.stdout)
	}

	r = runCLI(t, invocation{args: append([]string{"introspect", "-", "--token-type-hint", "access_token"}, creds...), stdin: strings.NewReader(at + "\n")})
	wantExit(t, r, 0)
	if !strings.Contains(r.stdout, `"active":true`) {
		t.Errorf("introspect printed %s", r.stdout)
	}

	r = tb(t, append([]string{"revoke", "--token", at}, creds...)...)
	wantExit(t, r, 0, "revoked (HTTP 200)")
	if r.stdout != "" {
		t.Errorf("revoke printed on stdout: %s", r.stdout)
	}

	r = tb(t, append([]string{"introspect", at}, creds...)...)
	wantExit(t, r, 0)
	if !strings.Contains(r.stdout, `"active":false`) {
		t.Errorf("introspect after revoke printed %s", r.stdout)
	}

	r = tb(t, append([]string{"userinfo", at}, creds...)...)
	wantExit(t, r, 1, "error: invalid_token:")

	r = tb(t, append([]string{"userinfo"}, creds...)...)
	wantExit(t, r, 2, "no token")
}

// TestDemoServe runs `tokenbench demo --serve` as a real process: the issuer then the client lines on
// stdout, usable at once, and a clean exit on SIGINT.
func TestDemoServe(t *testing.T) {
	t.Parallel()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	cmd := newHelperCommand(exe, helperMain, "demo", "--serve")
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	stderr := &syncBuffer{}
	cmd.Stderr = stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill() }) //nolint:errcheck // already gone when the test passes
	sc := bufio.NewScanner(stdout)
	var lines []string
	for len(lines) < 8 && sc.Scan() {
		lines = append(lines, sc.Text())
	}
	if len(lines) < 8 || !strings.HasPrefix(lines[0], "http://127.0.0.1:") {
		t.Fatalf("stdout began %q; stderr:\n%s", lines, stderr.String())
	}
	issuer, clients := lines[0], map[string][]string{}
	for _, l := range lines[1:] {
		f := strings.Fields(l)
		if len(f) != 3 {
			t.Fatalf("client line %q is not 'client_id secret method'", l)
		}
		clients[f[0]] = f
	}
	if c := clients["demo-public"]; c == nil || c[1] != "-" || c[2] != "none" {
		t.Errorf("demo-public line is %q", c)
	}
	if c := clients["demo-encrypted"]; c == nil || c[1] != "demo-encrypted-secret" || c[2] != "client_secret_basic" {
		t.Errorf("demo-encrypted line is %q", c)
	}
	basic := clients["demo-basic"]
	if basic == nil || basic[2] != "client_secret_basic" {
		t.Fatalf("demo-basic line is %q", basic)
	}
	r := tb(t, "token", "--grant", "client_credentials", "--issuer", issuer, "--client-id", basic[0], "--client-secret", basic[1])
	wantExit(t, r, 0)

	waitFor(t, func() bool { return strings.Contains(stderr.String(), "until interrupted") })
	if !strings.Contains(stderr.String(), "tokenbench token --issuer "+issuer) {
		t.Errorf("stderr lacks an example command:\n%s", stderr.String())
	}
	// The key files it names sign private_key_jwt assertions the provider accepts.
	keys := 0
	for _, line := range strings.Split(stderr.String(), "\n") {
		if path := strings.TrimSpace(line); strings.HasSuffix(path, ".pem") && filepath.IsAbs(path) {
			r := tb(t, "token", "--grant", "client_credentials", "--issuer", issuer, "--client-id", "demo-private-key-jwt", "--signing-key", path)
			wantExit(t, r, 0)
			keys++
		}
	}
	if keys != 2 {
		t.Errorf("%d key files named, want 2:\n%s", keys, stderr.String())
	}
	if err := cmd.Process.Signal(os.Interrupt); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("after SIGINT: %v; stderr:\n%s", err, stderr.String())
		}
	case <-time.After(10 * time.Second):
		t.Fatal("demo --serve did not stop on SIGINT")
	}
}

func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		if cond() {
			return
		}
	}
	t.Fatal("timed out waiting")
}

// TestTokenInterrupted: ctrl-c while waiting for the browser ends the command at once, with status
// 130, and frees the listener.
func TestTokenInterrupted(t *testing.T) {
	t.Parallel()
	p := demoidptest.Start(t)
	ctx, cancel := context.WithCancel(context.Background())
	stderr := &syncBuffer{}
	done := make(chan result, 1)
	go func() {
		done <- runCLI(t, invocation{
			args:   []string{"token", "--no-browser", "--issuer", p.Issuer(), "--client-id", "demo-public", "--auth-method", "none"},
			stderr: stderr, ctx: ctx,
		})
	}()
	authURL(t, stderr)
	cancel()
	select {
	case r := <-done:
		wantExit(t, r, exitInterrupted, "tokenbench: interrupted")
	case <-time.After(5 * time.Second):
		t.Fatal("the command did not end on cancellation")
	}
}

// TestTokenInterruptedBySignal: the same with a real ctrl-c (SIGINT) to a real process. A command
// catches signals once it waits (a single request does not pay for the handler), so this is the
// path a user takes.
func TestTokenInterruptedBySignal(t *testing.T) {
	t.Parallel()
	p := demoidptest.Start(t)
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	cmd := newHelperCommand(exe, helperMain, "token", "--no-browser", "--issuer", p.Issuer(), "--client-id", "demo-public", "--auth-method", "none")
	stderr := &syncBuffer{}
	cmd.Stderr = stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill() }) //nolint:errcheck // already gone when the test passes
	authURL(t, stderr)
	if err := cmd.Process.Signal(os.Interrupt); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case <-done:
		if code := cmd.ProcessState.ExitCode(); code != exitInterrupted || !strings.Contains(stderr.String(), "tokenbench: interrupted") {
			t.Errorf("after SIGINT: exit %d, want %d with \"tokenbench: interrupted\"; stderr:\n%s", code, exitInterrupted, stderr.String())
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the command did not end on SIGINT")
	}
}

// TestInterruptedAtASlowProviderSavesTheTrace: ctrl-c (a real SIGINT to a real process) while a
// provider does not answer ends the command with "interrupted", and --save-trace still writes the
// trace: that is the trace a ticket needs.
func TestInterruptedAtASlowProviderSavesTheTrace(t *testing.T) {
	t.Parallel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	accepted := make(chan net.Conn, 4)
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			accepted <- c // read nothing, answer nothing
		}
	}()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	saved := filepath.Join(t.TempDir(), "trace.md")
	cmd := newHelperCommand(exe, helperMain, "discover", "--issuer", "http://"+ln.Addr().String(), "--save-trace", saved)
	stderr := &syncBuffer{}
	cmd.Stderr = stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill() }) //nolint:errcheck // already gone when the test passes
	select {
	case c := <-accepted:
		defer c.Close()
	case <-time.After(10 * time.Second):
		t.Fatal("the request never reached the provider")
	}
	if err := cmd.Process.Signal(os.Interrupt); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("the command did not end on SIGINT")
	}
	if code := cmd.ProcessState.ExitCode(); code != exitInterrupted || !strings.Contains(stderr.String(), "tokenbench: interrupted") {
		t.Errorf("after SIGINT: exit %d, want %d with \"tokenbench: interrupted\"; stderr:\n%s", code, exitInterrupted, stderr.String())
	}
	if b, err := os.ReadFile(saved); err != nil || !strings.Contains(string(b), ln.Addr().String()) {
		t.Errorf("the trace was not saved (%v):\n%s", err, b)
	}
}

// TestTokenWrongStateIsIgnored: a callback whose state is not the request's is ignored, with a note,
// while tokenbench keeps waiting; when the wait ends (here ctrl-c), the failed state check and its
// explanation are shown and the exit status is 1.
func TestTokenWrongStateIsIgnored(t *testing.T) {
	t.Parallel()
	p := demoidptest.Start(t, "wrong-state")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	stderr := &syncBuffer{}
	done := make(chan result, 1)
	go func() {
		done <- runCLI(t, invocation{ctx: ctx, stderr: stderr, env: map[string]string{"BROWSER": browserEnv(t)},
			args: []string{"token", "--issuer", p.Issuer(), "--client-id", "demo-basic", "--client-secret", demoidptest.Secret(t, p, "demo-basic")}})
	}()
	waitOutput(t, stderr, "state is not the one this request sent")
	select {
	case r := <-done:
		t.Fatalf("the command ended on the forged callback: exit %d\n%s", r.code, r.stderr)
	case <-time.After(300 * time.Millisecond):
	}
	cancel()
	r := <-done
	wantExit(t, r, 1, "note: ignored a GET on the callback listener", "still waiting", "error: state_mismatch:", "a response with another state was ignored because", "The state in the callback does not match")
}
