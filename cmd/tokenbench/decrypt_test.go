package main

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/tokenbench/tokenbench/flows/demoidp/demoidptest"
)

// demoECKey is the demo client EC key; demo-encrypted's tokens are encrypted to the RSA one
// (demoRSAKey).
var demoECKey = filepath.Join("..", "..", "assets", "demo", "private-key-jwt-ec.pem")

// encryptedToken runs token for demo-encrypted with extra flags.
func encryptedToken(t *testing.T, issuer string, extra ...string) result {
	t.Helper()
	return tb(t, append([]string{"token", "--issuer", issuer, "--client-id", "demo-encrypted", "--client-secret", "demo-encrypted-secret"}, extra...)...)
}

func TestTokenDecryptsTheIDToken(t *testing.T) {
	t.Parallel()
	p := demoidptest.Start(t)
	r := encryptedToken(t, p.Issuer(), "--decryption-key", demoRSAKey)
	wantExit(t, r, 0)
	m := tokenResponse(t, r)
	if idt, _ := m["id_token"].(string); strings.Count(idt, ".") != 4 {
		t.Errorf("stdout should keep the id_token as sent, a JWE: %q", idt)
	}
	wantAllPassed(t, r, "id_token checks")
	if !strings.Contains(r.stderr, "decrypted (alg RSA-OAEP-256, enc A256GCM)") {
		t.Errorf("no decryption check:\n%s", r.stderr)
	}

	r = encryptedToken(t, p.Issuer())
	wantExit(t, r, 1, "this token is encrypted (JWE alg RSA-OAEP-256, enc A256GCM): give --decryption-key", "jwe_not_decryptable")
	tokenResponse(t, r) // the tokens are printed all the same

	r = encryptedToken(t, p.Issuer(), "--decryption-key", demoECKey)
	wantExit(t, r, 1, "decryption_failed", "needs an RSA private key")
}

func TestJWTDecryptionKey(t *testing.T) {
	t.Parallel()
	p := demoidptest.Start(t)
	idt, _ := tokenResponse(t, encryptedToken(t, p.Issuer(), "--decryption-key", demoRSAKey))["id_token"].(string)
	r := tb(t, "jwt", "--issuer", p.Issuer(), "--client-id", "demo-encrypted", "--decryption-key", demoRSAKey, idt)
	wantExit(t, r, 0)
	for _, want := range []string{"JWE (encrypted token, alg RSA-OAEP-256, enc A256GCM), decrypted: inside, a JWS (signed token, alg RS256)", "Encrypted header:", `"cty": "JWT"`, "Claims:", `"sub"`, "decryption", "signature"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("stdout lacks %q:\n%s", want, r.stdout)
		}
	}
	r = tb(t, "jwt", "--json", "--decryption-key", demoRSAKey, idt)
	for _, want := range []string{`"kind": "JWS"`, `"encrypted_header": {`, `"name": "decryption"`, `"aud": "demo-encrypted"`} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("--json lacks %q:\n%s", want, r.stdout)
		}
	}
	r = tb(t, "jwt", idt)
	wantExit(t, r, 1, "this token is encrypted (JWE alg RSA-OAEP-256, enc A256GCM): give --decryption-key")
	r = tb(t, "jwt", "--decryption-key", filepath.Join(t.TempDir(), "missing.pem"), idt)
	wantExit(t, r, 2, "--decryption-key")
}

// TestJWTProfileDecryptionKey: `jwt --profile` decrypts with the profile's decryption_key, and
// --decryption-key beside it takes its place for the run.
func TestJWTProfileDecryptionKey(t *testing.T) {
	t.Parallel()
	p := demoidptest.Start(t)
	idt, _ := tokenResponse(t, encryptedToken(t, p.Issuer(), "--decryption-key", demoRSAKey))["id_token"].(string)
	pe := newProfileEnv(t)
	abs, err := filepath.Abs(demoRSAKey)
	if err != nil {
		t.Fatal(err)
	}
	pe.mustRun("profile", "add", "enc", "--issuer", p.Issuer(), "--client-id", "demo-encrypted", "--decryption-key", abs)
	r := pe.run("jwt", "--profile", "enc", idt)
	wantExit(t, r, 0)
	wantOut(t, "jwt --profile", r.stdout, "decrypted (alg RSA-OAEP-256, enc A256GCM)")
	r = pe.run("jwt", "--profile", "enc", "--decryption-key", demoECKey, idt)
	wantExit(t, r, 1)
	wantOut(t, "jwt --profile --decryption-key", r.stdout, "needs an RSA private key")
}
