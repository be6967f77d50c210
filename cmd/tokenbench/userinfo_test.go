package main

import (
	"encoding/base64"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tokenbench/tokenbench/flows/demoidp/demoidptest"
)

// TestUserInfoEncryptedJWT: demo-encrypted's userinfo is signed, then encrypted. With
// --decryption-key the decrypted claims go to stdout and the checks to stderr (the subject
// compared with --id-token's, given as a token or a file); --raw prints the JWE as received.
func TestUserInfoEncryptedJWT(t *testing.T) {
	t.Parallel()
	p := demoidptest.Start(t)
	creds := []string{"--issuer", p.Issuer(), "--client-id", "demo-encrypted"}
	m := tokenResponse(t, encryptedToken(t, p.Issuer(), "--grant", "password", "--username", "demo", "--password", "demo", "--decryption-key", demoRSAKey))
	at, idt := m["access_token"].(string), m["id_token"].(string)

	r := tb(t, append([]string{"userinfo", "--decryption-key", demoRSAKey, "--id-token", idt, at}, creds...)...)
	wantExit(t, r, 0, "signed with alg RS256, then encrypted", "userinfo checks:")
	wantAllPassed(t, r, "userinfo checks")
	var claims map[string]any
	if err := json.Unmarshal([]byte(r.stdout), &claims); err != nil || claims["sub"] != "demo-user-1" || claims["aud"] != "demo-encrypted" {
		t.Fatalf("stdout is not the decrypted claims (%v):\n%s", err, r.stdout)
	}
	for _, want := range []string{"decryption", "valid RS256 signature", `iss "` + p.Issuer() + `" is the expected issuer`, `contains the client_id "demo-encrypted"`, `userinfo sub "demo-user-1" is the id_token's sub`} {
		wantOut(t, "stderr", r.stderr, want)
	}

	// The id_token from a file; the JWT as received with --raw.
	file := filepath.Join(t.TempDir(), "id_token")
	if err := os.WriteFile(file, []byte(idt+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	r = tb(t, append([]string{"userinfo", "--raw", "--decryption-key", demoRSAKey, "--id-token", file, at}, creds...)...)
	wantExit(t, r, 0, `userinfo sub "demo-user-1" is the id_token's sub`)
	if out := strings.TrimSpace(r.stdout); strings.Count(out, ".") != 4 || strings.Contains(out, "{") {
		t.Errorf("--raw should print the JWE as received: %s", r.stdout)
	}

	// Without --id-token the subject check is skipped, saying why.
	r = tb(t, append([]string{"userinfo", "--decryption-key", demoRSAKey, at}, creds...)...)
	wantExit(t, r, 0, "skipped  sub match", "no id_token was given (--id-token TOKEN|FILE)")

	// An encrypted --id-token needs the key; a missing file is named.
	r = tb(t, append([]string{"userinfo", "--id-token", idt, at}, creds...)...)
	wantExit(t, r, 2, "--id-token", "no decryption key is configured")
	r = tb(t, append([]string{"userinfo", "--decryption-key", demoRSAKey, "--id-token", "missing.jwt", at}, creds...)...)
	wantExit(t, r, 2, `--id-token "missing.jwt" is neither a JWT nor a file`)
}

// TestUserInfoSubjectMismatch: a JSON answer has nothing to verify, and says so; its sub is
// compared with the id_token's, and a mismatch fails with both values and exit status 1, the
// claims still printed.
func TestUserInfoSubjectMismatch(t *testing.T) {
	t.Parallel()
	p := demoidptest.Start(t)
	creds := []string{"--issuer", p.Issuer(), "--client-id", "demo-basic", "--client-secret", demoidptest.Secret(t, p, "demo-basic")}
	m := tokenResponse(t, tb(t, append([]string{"token", "--grant", "password", "--username", "demo", "--password", "demo"}, creds...)...))
	at, idt := m["access_token"].(string), m["id_token"].(string)

	r := tb(t, append([]string{"userinfo", "--id-token", idt, at}, creds...)...)
	wantExit(t, r, 0, "plain JSON (application/json), not signed: there is no signature, iss or aud to verify", `userinfo sub "demo-user-1" is the id_token's sub`)

	// An id_token about someone else (decoded only: its sub is what is compared).
	enc := func(v map[string]any) string {
		b, _ := json.Marshal(v)
		return base64.RawURLEncoding.EncodeToString(b)
	}
	other := enc(map[string]any{"alg": "none"}) + "." + enc(map[string]any{"sub": "someone-else"}) + "."
	r = tb(t, append([]string{"userinfo", "--id-token", other, at}, creds...)...)
	wantExit(t, r, 1, "✗ fail", `userinfo sub is "demo-user-1", but the id_token's sub is "someone-else"`, "must not be used")
	wantOut(t, "stdout", r.stdout, `"sub":"demo-user-1"`)
}
