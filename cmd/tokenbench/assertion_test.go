package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"
	"github.com/tokenbench/tokenbench/flows/demoidp"
	"github.com/tokenbench/tokenbench/flows/demoidp/demoidptest"
)

var (
	demoRSAKey       = filepath.Join("..", "..", "assets", "demo", "private-key-jwt-rsa.pem")
	trustedIssuerKey = filepath.Join("..", "..", "assets", "demo", "trusted-issuer-ec.pem")
)

func TestTokenJWTBearerMadeAssertion(t *testing.T) {
	t.Parallel()
	p := demoidptest.Start(t)
	r := tb(t, "token", "--issuer", p.Issuer(), "--grant", "jwt_bearer", "--client-id", "demo-private-key-jwt",
		"--signing-key", demoRSAKey, "--assertion-subject", "demo-user-1")
	wantExit(t, r, 0, "assertion: iss demo-private-key-jwt, sub demo-user-1", "id_token checks")
	if m := tokenResponse(t, r); m["id_token"] == nil {
		t.Errorf("no id_token for the default openid scope: %s", r.stdout)
	}
	// HS256 with the secret, and a trusted issuer's key for a public client.
	r = tb(t, "token", "--issuer", p.Issuer(), "--grant", "jwt_bearer", "--client-id", "demo-jwt", "--auth-method", "client_secret_jwt",
		"--client-secret", demoidptest.Secret(t, p, "demo-jwt"), "--assertion-subject", "demo", "--scope", "profile")
	wantExit(t, r, 0)
	tokenResponse(t, r)
	r = tb(t, "token", "--issuer", p.Issuer(), "--grant", "jwt_bearer", "--client-id", "demo-basic",
		"--client-secret", demoidptest.Secret(t, p, "demo-basic"), "--assertion-subject", "demo")
	wantExit(t, r, 2, "too short to sign the assertion with HS256")
	r = tb(t, "token", "--issuer", p.Issuer(), "--grant", "jwt_bearer", "--client-id", "demo-public", "--auth-method", "none",
		"--assertion-key", trustedIssuerKey, "--assertion-issuer", demoidp.TrustedIssuer, "--assertion-subject", "demo-user-1",
		"--assertion-audience", p.Issuer(), "--scope", "profile")
	wantExit(t, r, 0)
	tokenResponse(t, r)
}

func TestTokenJWTBearerFromFileAndRejected(t *testing.T) {
	t.Parallel()
	p := demoidptest.Start(t)
	// Make an assertion with one command (for another audience), use it from a file with another.
	dir := t.TempDir()
	r := tb(t, "token", "--issuer", p.Issuer(), "--grant", "jwt_bearer", "--client-id", "demo-private-key-jwt",
		"--signing-key", demoRSAKey, "--assertion-subject", "demo-user-1", "--assertion-audience", "https://other.example.com/token")
	wantExit(t, r, 1, "invalid_grant", "another audience")
	r = tb(t, "token", "--issuer", p.Issuer(), "--grant", "jwt_bearer", "--client-id", "demo-public", "--auth-method", "none",
		"--assertion-subject", "demo-user-1")
	wantExit(t, r, 2, "no key to sign the assertion")
	// An assertion made elsewhere, from a file and from stdin.
	a := makeTrustedAssertion(t, p)
	file := filepath.Join(dir, "assertion.jwt")
	if err := os.WriteFile(file, []byte(a+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	args := []string{"token", "--issuer", p.Issuer(), "--grant", "jwt_bearer", "--client-id", "demo-public", "--auth-method", "none", "--scope", "profile", "--assertion", file}
	r = tb(t, args...)
	wantExit(t, r, 0)
	tokenResponse(t, r)
	r = tb(t, args...)
	wantExit(t, r, 1, "invalid_grant", "already used", "replay")
	r = runCLI(t, invocation{args: append(args[:len(args)-1], "-"), stdin: strings.NewReader(makeTrustedAssertion(t, p))})
	wantExit(t, r, 0)
	r = tb(t, "token", "--issuer", p.Issuer(), "--grant", "jwt_bearer", "--client-id", "demo-public", "--auth-method", "none")
	wantExit(t, r, 2, "--grant jwt_bearer needs --assertion")
}

// makeTrustedAssertion signs an assertion for the demo user as the demo trusted issuer.
func makeTrustedAssertion(t *testing.T, p *demoidp.Provider) string {
	t.Helper()
	return signTrusted(t, map[string]any{
		"iss": demoidp.TrustedIssuer, "sub": "demo-user-1", "aud": p.Issuer() + "/token",
		"exp": time.Now().Add(time.Minute).Unix(), "iat": time.Now().Unix(), "jti": fmt.Sprint(time.Now().UnixNano()),
	})
}

func TestTokenSAML2Bearer(t *testing.T) {
	t.Parallel()
	p := demoidptest.Start(t)
	file := filepath.Join(t.TempDir(), "assertion.xml")
	xml, err := demoidp.SAMLBearerAssertion{ID: "_cli1", Audience: p.Issuer()}.Signed()
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(file, xml, 0o600); err != nil {
		t.Fatal(err)
	}
	args := []string{"token", "--issuer", p.Issuer(), "--grant", "saml2_bearer", "--client-id", "demo-basic", "--client-secret", demoidptest.Secret(t, p, "demo-basic"), "--assertion", file}
	r := tb(t, args...)
	wantExit(t, r, 0, "id_token checks")
	tokenResponse(t, r)
	r = tb(t, args...)
	wantExit(t, r, 1, "invalid_grant", "already used")
	r = tb(t, args[:len(args)-2]...)
	wantExit(t, r, 2, "--grant saml2_bearer needs --assertion FILE")
}

func TestTokenExchangeCLI(t *testing.T) {
	t.Parallel()
	p := demoidptest.Start(t)
	secret := demoidptest.Secret(t, p, "demo-basic")
	base := []string{"token", "--issuer", p.Issuer(), "--client-id", "demo-basic", "--client-secret", secret}
	r := tb(t, append(base, "--grant", "password", "--username", "demo", "--password", "demo")...)
	wantExit(t, r, 0)
	subject := tokenResponse(t, r)
	r = tb(t, append(base, "--grant", "client_credentials")...)
	wantExit(t, r, 0)
	actor := tokenResponse(t, r)

	r = tb(t, append(base, "--grant", "token_exchange",
		"--subject-token", subject["access_token"].(string), "--subject-token-type", "access_token",
		"--actor-token", actor["access_token"].(string), "--actor-token-type", "access_token",
		"--resource", "https://api.example.com/", "--audience", "billing", "--requested-token-type", "jwt")...)
	wantExit(t, r, 0, "issued token type: urn:ietf:params:oauth:token-type:jwt")
	m := tokenResponse(t, r)
	claims := demoidptest.Claims(t, m["access_token"].(string))
	act, _ := claims["act"].(map[string]any)
	if claims["sub"] != "demo-user-1" || act["sub"] != "demo-basic" {
		t.Errorf("sub %v act %v", claims["sub"], claims["act"])
	}
	aud, _ := claims["aud"].([]any)
	if len(aud) != 2 {
		t.Errorf("aud %v, want the resource and the audience", claims["aud"])
	}
	// id_token as the subject, read from stdin.
	r = runCLI(t, invocation{args: append(base, "--grant", "token_exchange", "--subject-token", "-", "--subject-token-type", "id_token"),
		stdin: strings.NewReader(subject["id_token"].(string) + "\n")})
	wantExit(t, r, 0, "issued token type: urn:ietf:params:oauth:token-type:access_token")

	r = tb(t, append(base, "--grant", "token_exchange", "--subject-token", "forged", "--subject-token-type", "access_token")...)
	wantExit(t, r, 1, "invalid_request", "subject_token is not valid")
	r = tb(t, append(base, "--grant", "token_exchange", "--subject-token", "x", "--subject-token-type", "passport")...)
	wantExit(t, r, 2, `unknown --subject-token-type "passport"`)
	r = tb(t, append(base, "--grant", "token_exchange", "--subject-token", subject["access_token"].(string), "--subject-token-type", "urn:example:passport")...)
	wantExit(t, r, 1, "invalid_request", "is not a token type the provider accepts")
	r = tb(t, append(base, "--grant", "token_exchange")...)
	wantExit(t, r, 2, "needs --subject-token")
}

// signTrusted signs claims with the demo trusted issuer's key (ES256).
func signTrusted(t *testing.T, claims map[string]any) string {
	t.Helper()
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.ES256, Key: demoidptest.Key(t, demoidptest.TrustedIssuerKey)}, nil)
	if err != nil {
		t.Fatal(err)
	}
	s, err := jwt.Signed(signer).Claims(claims).Serialize()
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// TestDemoSAMLAssertion: `demo saml-assertion` prints an assertion the provider accepts for the
// saml2_bearer grant; another audience or an unknown subject is refused by the provider with its
// reason.
func TestDemoSAMLAssertion(t *testing.T) {
	t.Parallel()
	p := demoidptest.Start(t)
	dir := t.TempDir()
	grant := func(args ...string) result {
		r := tb(t, append([]string{"demo", "saml-assertion"}, args...)...)
		wantExit(t, r, 0)
		if !strings.Contains(r.stdout, "<ds:Signature") {
			t.Fatalf("not a signed assertion:\n%s", r.stdout)
		}
		file := filepath.Join(dir, "assertion.xml")
		if err := os.WriteFile(file, []byte(r.stdout), 0o600); err != nil {
			t.Fatal(err)
		}
		return tb(t, "token", "--issuer", p.Issuer(), "--grant", "saml2_bearer", "--client-id", "demo-basic",
			"--client-secret", demoidptest.Secret(t, p, "demo-basic"), "--assertion", file)
	}
	wantExit(t, grant("--audience", p.Issuer()), 0, "id_token checks")
	wantExit(t, grant("--audience", "https://elsewhere.example"), 1, "invalid_grant", "another audience")
	wantExit(t, grant("--audience", p.Issuer(), "--subject", "alice"), 1, "invalid_grant", `NameID "alice" is not a user`)
	wantExit(t, grant("--audience", p.Issuer(), "--recipient", "https://elsewhere.example/token"), 1, "invalid_grant", "made for another recipient")
	wantExit(t, grant("--audience", p.Issuer(), "--lifetime", "1h"), 1, "invalid_grant", "accepts at most 10m0s")
	wantExit(t, tb(t, "demo", "saml-assertion"), 2, "--audience is required")
	wantExit(t, tb(t, "demo", "saml-assertion", "--audience", "not-a-url"), 2, "not an absolute URL")
}
