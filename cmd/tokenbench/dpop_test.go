package main

import (
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/tokenbench/tokenbench/flows/demoidp/demoidptest"
)

func TestTokenDPoPEndToEnd(t *testing.T) {
	t.Parallel()
	p := demoidptest.Start(t)
	keyFile := filepath.Join(t.TempDir(), "dpop.json")
	creds := []string{"--issuer", p.Issuer(), "--client-id", "demo-public", "--auth-method", "none"}
	r := tb(t, append([]string{"token", "--dpop", "--dpop-key", keyFile}, creds...)...)
	wantExit(t, r, 0, "DPoP key: generated an ES256 key", keyFile, "DPoP binding checks:", "cnf.jkt")
	wantAllPassed(t, r, "DPoP binding checks", "id_token checks")
	m := tokenResponse(t, r)
	if m["token_type"] != "DPoP" {
		t.Errorf("token_type %v", m["token_type"])
	}
	if fi, err := os.Stat(keyFile); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("key file: %v %v", fi, err)
	}
	at := m["access_token"].(string)

	// The same key, now read from the file, for userinfo.
	r = tb(t, append([]string{"userinfo", "--dpop", "--dpop-key", keyFile, at}, creds...)...)
	wantExit(t, r, 0)
	if !strings.Contains(r.stdout, `"sub":"demo-user-1"`) {
		t.Errorf("userinfo printed %s", r.stdout)
	}
	// Without the key, as a bearer token: refused with the reason.
	r = tb(t, append([]string{"userinfo", at}, creds...)...)
	wantExit(t, r, 1, "invalid_token", "not as a Bearer token")
	// With another key.
	r = tb(t, append([]string{"token", "--grant", "refresh_token", "--refresh-token", m["refresh_token"].(string), "--dpop"}, creds...)...)
	wantExit(t, r, 1, "invalid_grant", "refresh token is bound to the DPoP key")
	if dir := generatedKeyDir(t, r.stderr); dir != "" {
		os.RemoveAll(dir)
	}
	// userinfo cannot generate the key the token is bound to.
	r = tb(t, append([]string{"userinfo", "--dpop", at}, creds...)...)
	wantExit(t, r, 2, "--dpop needs --dpop-key FILE")
	// A key file that is not a key is refused, never overwritten; a missing one is not made here.
	bad := filepath.Join(t.TempDir(), "not-a-key.pem")
	if err := os.WriteFile(bad, []byte("hello\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	r = tb(t, append([]string{"token", "--dpop-key", bad}, creds...)...)
	wantExit(t, r, 2, "--dpop-key "+bad+":")
	if data, _ := os.ReadFile(bad); string(data) != "hello\n" {
		t.Errorf("the bad key file was changed: %q", data)
	}
	r = tb(t, append([]string{"userinfo", "--dpop-key", bad + ".missing", at}, creds...)...)
	wantExit(t, r, 2, "--dpop-key:", "no such file")
}

// generatedKeyDir is the temporary directory a generated DPoP key was written to, from stderr.
func generatedKeyDir(t *testing.T, stderr string) string {
	t.Helper()
	m := regexp.MustCompile(`wrote it to (\S+) \(mode 0600\)`).FindStringSubmatch(stderr)
	if m == nil {
		return ""
	}
	return filepath.Dir(m[1])
}

func TestTokenDPoPGeneratedKeyAndNonce(t *testing.T) {
	t.Parallel()
	p := demoidptest.Start(t, "dpop-nonce")
	r := tb(t, "token", "-v", "--dpop", "--grant", "client_credentials", "--issuer", p.Issuer(), "--client-id", "demo-basic", "--client-secret", demoidptest.Secret(t, p, "demo-basic"))
	wantExit(t, r, 0, "DPoP key: generated", "use_dpop_nonce", "DPoP binding checks:")
	dir := generatedKeyDir(t, r.stderr)
	if dir == "" || !strings.HasPrefix(dir, os.TempDir()) {
		t.Fatalf("no temporary key directory in stderr:\n%s", r.stderr)
	}
	defer os.RemoveAll(dir)
	fi, err := os.Stat(filepath.Join(dir, "dpop-key.json"))
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("generated key: %v %v", fi, err)
	}
	if tokenResponse(t, r)["token_type"] != "DPoP" {
		t.Errorf("stdout %s", r.stdout)
	}
}

func TestTokenDPoPUnboundTokenFails(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(`{"access_token":"opaque-token","token_type":"Bearer","expires_in":60}`)) //nolint:errcheck
	}))
	defer srv.Close()
	keyFile := filepath.Join(t.TempDir(), "k.json")
	r := tb(t, "token", "--dpop-key", keyFile, "--grant", "client_credentials", "--token-endpoint", srv.URL+"/token", "--client-id", "svc", "--client-secret", "s")
	wantExit(t, r, 1, "token_type is \"Bearer\", not DPoP", "dpop_not_bound", "cnf.jkt")
}
