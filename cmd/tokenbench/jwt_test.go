package main

import (
	"encoding/base64"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/go-jose/go-jose/v4"
	"github.com/tokenbench/tokenbench/assets"
	"github.com/tokenbench/tokenbench/flows"
	"github.com/tokenbench/tokenbench/flows/demoidp"
	"github.com/tokenbench/tokenbench/flows/demoidp/demoidptest"
)

func b64(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }

// idToken gets a fresh id_token from the provider with the password grant.
func idToken(t *testing.T, issuer string) string {
	t.Helper()
	r := tb(t, "token", "--grant", "password", "--username", "demo", "--password", "demo", "--issuer", issuer, "--client-id", "demo-public", "--auth-method", "none")
	wantExit(t, r, 0)
	return tokenResponse(t, r)["id_token"].(string)
}

func TestJWTDecodeAndVerify(t *testing.T) {
	t.Parallel()
	p := demoidptest.Start(t)
	tok := idToken(t, p.Issuer())

	t.Run("decode only", func(t *testing.T) {
		r := tb(t, "jwt", tok)
		wantExit(t, r, 0, "warning: the token's signature was NOT verified")
		for _, want := range []string{"JWS (signed token, alg RS256)", "Header:", `"alg": "RS256"`, "Claims:", `"sub": "demo-user-1"`, " UTC, in ", "– skipped  signature   no JWKS or issuer given"} {
			if !strings.Contains(r.stdout, want) {
				t.Errorf("stdout lacks %q:\n%s", want, r.stdout)
			}
		}
	})

	t.Run("json with issuer from stdin", func(t *testing.T) {
		r := runCLI(t, invocation{args: []string{"jwt", "-", "--json", "--issuer", p.Issuer(), "--client-id", "demo-public"}, stdin: strings.NewReader(tok + "\n")})
		wantExit(t, r, 0)
		wantNot(t, "stderr", r.stderr, "NOT verified")
		var out struct {
			Kind   string
			Header map[string]any
			Claims map[string]any
			Checks []struct{ Name, Status, Detail, Kind string }
		}
		if err := json.Unmarshal([]byte(r.stdout), &out); err != nil {
			t.Fatalf("--json output is not JSON (%v): %s", err, r.stdout)
		}
		if out.Kind != "JWS" || out.Header["alg"] != "RS256" || out.Claims["sub"] != "demo-user-1" || len(out.Checks) == 0 {
			t.Errorf("unexpected shape: %+v", out)
		}
		statuses := map[string]string{}
		for _, c := range out.Checks {
			statuses[c.Name] = c.Status
		}
		for _, name := range []string{"signature", "iss", "aud", "azp", "exp"} {
			if statuses[name] != "pass" {
				t.Errorf("check %s is %q, want pass: %s", name, statuses[name], r.stdout)
			}
		}
	})

	t.Run("jwks file", func(t *testing.T) {
		// A JWKS with another key (the demo client's): the signature check fails on the kid.
		pemKey, err := os.ReadFile(filepath.Join("..", "..", "assets", "demo", "private-key-jwt-rsa.pem"))
		if err != nil {
			t.Fatal(err)
		}
		key, err := flows.ParseSigningKey(pemKey)
		if err != nil {
			t.Fatal(err)
		}
		set, err := json.Marshal(jose.JSONWebKeySet{Keys: []jose.JSONWebKey{key.Public()}})
		if err != nil {
			t.Fatal(err)
		}
		jwks := filepath.Join(t.TempDir(), "jwks.json")
		if err := os.WriteFile(jwks, set, 0o600); err != nil {
			t.Fatal(err)
		}
		r := tb(t, "jwt", "--jwks", jwks, tok)
		wantExit(t, r, 1, "error: unknown_kid:")
	})

	t.Run("wrong audience and nonce", func(t *testing.T) {
		r := tb(t, "jwt", "--audience", "someone-else", "--nonce", "n-1", tok)
		wantExit(t, r, 1, "error: audience_mismatch:", "error: nonce_mismatch:")
	})
}

func TestJWTMalformed(t *testing.T) {
	t.Parallel()
	ex, ok := assets.Explain("malformed_jwt")
	if !ok {
		t.Fatal("no explanation for malformed_jwt")
	}
	for _, in := range []string{"not-a-jwt", "a.b", b64(`{"alg":"RS256"}`) + ".!!!." + b64("sig")} {
		r := tb(t, "jwt", in)
		wantExit(t, r, 1, "error: malformed_jwt:", ex.Title, "Likely causes:")
		if r.stdout != "" {
			t.Errorf("%q: stdout %q", in, r.stdout)
		}
	}
	// Empty stdin is malformed too, not a hang.
	r := runCLI(t, invocation{args: []string{"jwt"}, stdin: strings.NewReader("")})
	wantExit(t, r, 1, "error: malformed_jwt: the input is empty")
}

func TestJWTAlgNone(t *testing.T) {
	t.Parallel()
	tok := b64(`{"alg":"none"}`) + "." + b64(`{"sub":"x","exp":4102444800}`) + "."
	r := tb(t, "jwt", tok)
	wantExit(t, r, 1, "error: alg_none:")
	if !strings.Contains(r.stdout, "✗ fail     alg") {
		t.Errorf("stdout:\n%s", r.stdout)
	}
}

func TestJWTEncrypted(t *testing.T) {
	t.Parallel()
	tok := strings.Join([]string{b64(`{"alg":"RSA-OAEP","enc":"A256GCM","kid":"k1"}`), b64("key"), b64("iv"), b64("ciphertext"), b64("tag")}, ".")
	r := tb(t, "jwt", tok)
	wantExit(t, r, 1, "error: jwe_not_decryptable:")
	if !strings.Contains(r.stdout, "JWE (encrypted token, alg RSA-OAEP, enc A256GCM)") || strings.Contains(r.stdout, "Claims:") {
		t.Errorf("stdout:\n%s", r.stdout)
	}
	r = tb(t, "jwt", "--json", tok)
	if !strings.Contains(r.stdout, `"claims": null`) || !strings.Contains(r.stdout, `"kind": "JWE"`) {
		t.Errorf("--json:\n%s", r.stdout)
	}
}

// With --issuer, the checks use what discovery says: the alg check names the provider's
// id_token_signing_alg_values_supported, and clock_skew is measured against the Date header of the
// discovery answer, so a provider whose clock is 10 minutes behind is caught.
func TestJWTIssuerUsesDiscovery(t *testing.T) {
	t.Parallel()
	checks := func(t *testing.T, r result) map[string]checkJSON {
		t.Helper()
		var out struct{ Checks []checkJSON }
		if err := json.Unmarshal([]byte(r.stdout), &out); err != nil {
			t.Fatalf("--json output is not JSON (%v): %s", err, r.stdout)
		}
		m := map[string]checkJSON{}
		for _, c := range out.Checks {
			m[c.Name] = c
		}
		return m
	}

	p := demoidptest.Start(t)
	r := tb(t, "jwt", "--json", "--issuer", p.Issuer(), "--client-id", "demo-public", idToken(t, p.Issuer()))
	wantExit(t, r, 0)
	got := checks(t, r)
	if c := got["alg"]; c.Status != "pass" || c.Detail != "alg RS256 is among the provider's advertised algorithms (RS256)" {
		t.Errorf("alg check: %+v", c)
	}
	if c := got["clock_skew"]; c.Status != "pass" || !strings.Contains(c.Detail, "its Date header said") {
		t.Errorf("clock_skew check: %+v", c)
	}

	// The token command would refuse the skewed provider's token, so the clock is set back after.
	behind := demoidptest.Start(t)
	tok := idToken(t, behind.Issuer())
	var f demoidp.Faults
	if err := f.Set("clock-skew=-10m"); err != nil {
		t.Fatal(err)
	}
	behind.SetFaults(f)
	r = tb(t, "jwt", "--json", "--issuer", behind.Issuer(), "--client-id", "demo-public", tok)
	wantExit(t, r, 1, "error: clock_skew:")
	if c := checks(t, r)["clock_skew"]; c.Status != "fail" || !strings.Contains(c.Detail, "10m ahead of the provider's") {
		t.Errorf("clock_skew check against a provider 10 minutes behind: %+v", c)
	}
}

// When discovery fails, stderr says which checks go without what it would have told.
func TestJWTIssuerDiscoveryFails(t *testing.T) {
	t.Parallel()
	p := demoidptest.Start(t)
	tok := idToken(t, p.Issuer())
	gone := demoidptest.Start(t)
	issuer := gone.Issuer()
	gone.Close()
	r := tb(t, "jwt", "--issuer", issuer, tok)
	wantExit(t, r, 1, "note: discovery of "+issuer+" failed, so the alg check cannot use the provider's advertised algorithms and the clock difference is not measured")
}

// blockIDSampleIDToken is the id_token of BlockID's public documentation, its signature redacted
// ("…XXXXXX").
const blockIDSampleIDToken = "eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCIsImtpZCI6IjVtbmhJbmVYN1dLdk81NEM2c1h5VzFaXzZEQUwtV1F1S2EzTUxEbEtPeEUifQ." +
	"eyJzdWIiOiJqZW5pc2giLCJ1c2VybmFtZSI6ImplbmlzaCIsImZpcnN0bmFtZSI6ImplbmlzaCIsImxhc3RuYW1lIjoicGF0ZWwiLCJlbWFpbCI6ImplbmlzaC5wYXRlbEAxa29zbW9zLmNvbSIsImF0X2hhc2giOiI4Y3BHWlVGSU9vV1N5MkpocEtyY2J3IiwiYXVkIjoiMmVlNTI5Njk5ZmFhMmFhZjNiMjRiNjE1NGJjMDU0NjgiLCJleHAiOjE2NzI5MTczODMsImlhdCI6MTY3MjkxMzc4MywiaXNzIjoiaHR0cHM6Ly9ibG9ja2lkLWRldi4xa29zbW9zLm5ldC9vYXV0aDIvY29tbXVuaXR5L2RldngifQ." +
	"QG1k04soewILKaQxEM1IC55G26KOdZIwAaABLUGH1d1b-T3q3ipGgSFIpUqEpPCGWHaJyW3ssxdVV3Xu4AmHNBT5Ju9I7XQcP9iseSDhcvIL9uT0bJuv-gjJ3_Qkq4ULP6zPFEi91omCDRwtVZzFRQXzSYlVKBMzyTf1IMAb5Ieo_-g0ZjKSP7KMkRi-Ygr_2NCD17qibLnkVRUU_U_DuK2F9o76hC-uXHc7ZybSTxw7LfrYDBJCwcoGhtlC3WKk59P-XxxfAlwC-EHVtVi7l8KzccTocZm2qXqYkJDAlxgegx0nVRK2UNQsQ-UAfKiytlpXFjUN3nym8IRgXXXXXX"

// TestJWTRedactedSignatureStillDecodes: the documentation's sample token is shown, claims and times,
// with the signature check failed and why, as jwt.io shows it.
func TestJWTRedactedSignatureStillDecodes(t *testing.T) {
	t.Parallel()
	r := tb(t, "jwt", blockIDSampleIDToken)
	out := r.stdout + r.stderr
	if r.code != exitFailure {
		t.Errorf("exit %d, want 1 (checks failed)", r.code)
	}
	for _, want := range []string{`"sub": "jenish"`, "2023-01-05 11:16:23 UTC, expired", "✗ fail     signature", "not canonical base64url", "cannot be checked", "✗ fail     exp"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "malformed_jwt") {
		t.Errorf("the token was refused as malformed:\n%s", out)
	}
}
