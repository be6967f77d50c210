package flows_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tokenbench/tokenbench/flows"
	"github.com/tokenbench/tokenbench/flows/demoidp"
	"github.com/tokenbench/tokenbench/flows/demoidp/demoidptest"
)

// wantOAuthError fails unless err is an OAuth error answer with that code whose description holds
// every fragment.
func wantOAuthErrorAll(t *testing.T, err error, code string, fragments ...string) {
	t.Helper()
	var oe *flows.OAuthError
	if !errors.As(err, &oe) {
		t.Fatalf("error %v (%T), want an OAuth error %s", err, err, code)
	}
	if oe.Code != code {
		t.Errorf("error code %q, want %q (%s)", oe.Code, code, oe.Description)
	}
	for _, f := range fragments {
		if !strings.Contains(oe.Description, f) {
			t.Errorf("error description %q lacks %q", oe.Description, f)
		}
	}
}

// samlAssertion is a SAML 2.0 assertion for the demo user, signed by the demo's trusted issuer.
func samlAssertion(t *testing.T, id, audience string, notOnOrAfter time.Time) []byte {
	t.Helper()
	xml, err := demoidp.SAMLBearerAssertion{ID: id, Audience: audience, NotOnOrAfter: notOnOrAfter}.Signed()
	if err != nil {
		t.Fatal(err)
	}
	return xml
}

func TestJWTBearerMadeAssertion(t *testing.T) {
	t.Parallel()
	p := demoidptest.Start(t)
	ctx := context.Background()
	for _, id := range []string{"demo-private-key-jwt", "demo-jwt"} {
		t.Run(id, func(t *testing.T) {
			c := demoClient(t, p, id)
			c.Config.Scopes = []string{"openid", "profile"}
			a, err := c.MakeAssertion(ctx, flows.AssertionClaims{Subject: "demo-user-1", Extra: map[string]any{"purpose": "test"}})
			if err != nil {
				t.Fatal(err)
			}
			claims := demoidptest.Claims(t, a)
			for _, k := range []string{"iss", "sub", "aud", "exp", "iat", "jti", "purpose"} {
				if _, ok := claims[k]; !ok {
					t.Errorf("assertion lacks %s: %v", k, claims)
				}
			}
			// RFC 7523 §3: the issuer identifies the authorization server; it is the default aud.
			if claims["iss"] != id || claims["aud"] != p.Issuer() {
				t.Errorf("iss %v aud %v, want %s and the issuer", claims["iss"], claims["aud"], id)
			}
			tok, err := c.JWTBearer(ctx, a)
			if err != nil {
				t.Fatal(err)
			}
			if tok.IDToken == "" || demoidptest.Claims(t, tok.AccessToken)["sub"] != "demo-user-1" {
				t.Errorf("want an access token for demo-user-1 and an id_token: %s", tok.Body)
			}
			if lastForm(t, c, "grant_type") != flows.GrantJWTBearer {
				t.Errorf("grant_type %q", lastForm(t, c, "grant_type"))
			}
			// The same assertion again is a replay.
			_, err = c.JWTBearer(ctx, a)
			wantOAuthErrorAll(t, err, "invalid_grant", "already used", "replay")
		})
	}
}

// TestJWTBearerAudienceWithoutIssuer: with endpoints given and no issuer, the assertion's aud is the
// token endpoint, the only identity of the authorization server known.
func TestJWTBearerAudienceWithoutIssuer(t *testing.T) {
	t.Parallel()
	p := demoidptest.Start(t)
	c := demoClient(t, p, "demo-jwt")
	c.Config.Issuer, c.Config.Endpoints.Token = "", p.Issuer()+"/token"
	a, err := c.MakeAssertion(context.Background(), flows.AssertionClaims{Subject: "demo-user-1"})
	if err != nil {
		t.Fatal(err)
	}
	if _, claims, _ := demoidptest.Decode(t, a); claims["aud"] != p.Issuer()+"/token" {
		t.Errorf("aud %v, want the token endpoint", claims["aud"])
	}
}

func TestJWTBearerTrustedIssuerFromFile(t *testing.T) {
	t.Parallel()
	p := demoidptest.Start(t)
	ctx := context.Background()
	// A JWT made elsewhere (here by another client object), read from a file.
	maker := demoClient(t, p, "demo-public")
	a, err := maker.MakeAssertion(ctx, flows.AssertionClaims{
		Issuer: demoidp.TrustedIssuer, Subject: "demo", Audience: []string{p.Issuer()},
		Key: readKey(t, demoidptest.TrustedIssuerKey), Lifetime: time.Minute,
	})
	if err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), "assertion.jwt")
	if err := os.WriteFile(file, []byte(a+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	c := demoClient(t, p, "demo-public")
	c.Config.Scopes = nil
	tok, err := c.JWTBearer(ctx, string(data))
	if err != nil {
		t.Fatal(err)
	}
	if tok.RefreshToken != "" || tok.IDToken != "" {
		t.Errorf("want an access token only: %s", tok.Body)
	}
}

func TestJWTBearerRejected(t *testing.T) {
	t.Parallel()
	p := demoidptest.Start(t)
	ctx := context.Background()
	c := demoClient(t, p, "demo-private-key-jwt")
	cases := []struct {
		name      string
		claims    flows.AssertionClaims
		fragments []string
	}{
		{"another audience", flows.AssertionClaims{Subject: "demo-user-1", Audience: []string{"https://other.example.com/token"}}, []string{"another audience", "https://other.example.com/token"}},
		{"expired", flows.AssertionClaims{Subject: "demo-user-1", Lifetime: time.Nanosecond}, []string{"expired at"}},
		{"untrusted issuer", flows.AssertionClaims{Issuer: "https://evil.example.com", Subject: "demo-user-1"}, []string{"not trusted"}},
		{"unknown subject", flows.AssertionClaims{Subject: "mallory"}, []string{`sub "mallory"`}},
		{"wrong key", flows.AssertionClaims{Issuer: demoidp.TrustedIssuer, Subject: "demo-user-1", Key: readKey(t, demoidptest.ClientKeyEC)}, []string{"does not verify"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if tc.name == "expired" {
				// exp one second in the past, beyond the provider's 30 s leeway.
				c2 := demoClient(t, p, "demo-private-key-jwt")
				c2.Now = func() time.Time { return time.Now().Add(-time.Hour) }
				a, err := c2.MakeAssertion(ctx, tc.claims)
				if err != nil {
					t.Fatal(err)
				}
				_, err = c.JWTBearer(ctx, a)
				wantOAuthErrorAll(t, err, "invalid_grant", tc.fragments...)
				return
			}
			a, err := c.MakeAssertion(ctx, tc.claims)
			if err != nil {
				t.Fatal(err)
			}
			_, err = c.JWTBearer(ctx, a)
			wantOAuthErrorAll(t, err, "invalid_grant", tc.fragments...)
		})
	}
}

func TestSAMLBearer(t *testing.T) {
	t.Parallel()
	p := demoidptest.Start(t)
	ctx := context.Background()
	c := demoClient(t, p, "demo-basic")
	c.Config.Scopes = []string{"openid"}
	xml := samlAssertion(t, "_a1", p.Issuer()+"/token", time.Now().Add(5*time.Minute))
	tok, err := c.SAMLBearer(ctx, xml)
	if err != nil {
		t.Fatal(err)
	}
	if demoidptest.Claims(t, tok.AccessToken)["sub"] != "demo-user-1" {
		t.Errorf("access token not for the demo user: %s", tok.Body)
	}
	sent := lastForm(t, c, "assertion")
	if strings.ContainsAny(sent, "=+/") || sent != flows.EncodeSAMLAssertion(xml) {
		t.Errorf("assertion not base64url without padding: %q", sent)
	}
	_, err = c.SAMLBearer(ctx, xml)
	wantOAuthErrorAll(t, err, "invalid_grant", "already used")
	_, err = c.SAMLBearer(ctx, samlAssertion(t, "_a2", "https://sp.example.com", time.Now().Add(5*time.Minute)))
	wantOAuthErrorAll(t, err, "invalid_grant", "another audience")
	_, err = c.SAMLBearer(ctx, samlAssertion(t, "_a3", p.Issuer(), time.Now().Add(-5*time.Minute)))
	wantOAuthErrorAll(t, err, "invalid_grant", "expired at")
}

func TestTokenExchangeAccessTokenToJWTWithActor(t *testing.T) {
	t.Parallel()
	p := demoidptest.Start(t)
	ctx := context.Background()
	user := demoClient(t, p, "demo-basic")
	_, subject, err := codeFlow(t, user)
	if err != nil {
		t.Fatal(err)
	}
	service := demoClient(t, p, "demo-post")
	actor, err := service.ClientCredentials(ctx)
	if err != nil {
		t.Fatal(err)
	}
	tok, err := service.TokenExchange(ctx, flows.TokenExchangeRequest{
		SubjectToken: subject.AccessToken, SubjectTokenType: flows.TokenTypeAccessToken,
		ActorToken: actor.AccessToken, ActorTokenType: flows.TokenTypeAccessToken,
		Resource: []string{"https://api.example.com/orders"}, Audience: []string{"orders-service"},
		Scope: "profile", RequestedTokenType: flows.TokenTypeJWT,
	})
	if err != nil {
		t.Fatal(err)
	}
	if tok.IssuedTokenType() != flows.TokenTypeJWT || tok.TokenType != "N_A" {
		t.Errorf("issued_token_type %q token_type %q, want jwt and N_A", tok.IssuedTokenType(), tok.TokenType)
	}
	claims := demoidptest.Claims(t, tok.AccessToken)
	if claims["sub"] != "demo-user-1" {
		t.Errorf("sub %v", claims["sub"])
	}
	aud, _ := claims["aud"].([]any)
	if len(aud) != 2 || aud[0] != "https://api.example.com/orders" || aud[1] != "orders-service" {
		t.Errorf("aud %v", claims["aud"])
	}
	act, _ := claims["act"].(map[string]any)
	if act["sub"] != "demo-post" {
		t.Errorf("act %v, want sub demo-post", claims["act"])
	}
	// The default is an access token, usable as one.
	at, err := service.TokenExchange(ctx, flows.TokenExchangeRequest{SubjectToken: subject.IDToken, SubjectTokenType: flows.TokenTypeIDToken})
	if err != nil {
		t.Fatal(err)
	}
	if at.IssuedTokenType() != flows.TokenTypeAccessToken || !at.IsBearer() {
		t.Errorf("issued_token_type %q token_type %q", at.IssuedTokenType(), at.TokenType)
	}
	if _, err := service.UserInfo(ctx, at.AccessToken); err != nil {
		t.Errorf("the exchanged access token does not work at userinfo: %v", err)
	}
}

func TestTokenExchangeRejected(t *testing.T) {
	t.Parallel()
	p := demoidptest.Start(t)
	ctx := context.Background()
	c := demoClient(t, p, "demo-basic")
	good, err := c.ClientCredentials(ctx)
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.TokenExchange(ctx, flows.TokenExchangeRequest{SubjectToken: "not-a-token", SubjectTokenType: flows.TokenTypeAccessToken})
	wantOAuthErrorAll(t, err, "invalid_request", "subject_token is not valid", "not an access token the provider issued")
	_, err = c.TokenExchange(ctx, flows.TokenExchangeRequest{SubjectToken: good.AccessToken, SubjectTokenType: "urn:example:token-type:magic"})
	wantOAuthErrorAll(t, err, "invalid_request", `"urn:example:token-type:magic" is not a token type`)
	_, err = c.TokenExchange(ctx, flows.TokenExchangeRequest{SubjectToken: good.AccessToken, SubjectTokenType: flows.TokenTypeAccessToken, RequestedTokenType: flows.TokenTypeSAML2})
	wantOAuthErrorAll(t, err, "invalid_request", "requested_token_type", "not supported")
	_, err = c.TokenExchange(ctx, flows.TokenExchangeRequest{SubjectToken: good.AccessToken, SubjectTokenType: flows.TokenTypeAccessToken, ActorToken: "x", ActorTokenType: flows.TokenTypeJWT})
	wantOAuthErrorAll(t, err, "invalid_request", "actor_token is not valid")
	if _, ok := flows.TokenTypeURI("bogus"); ok {
		t.Error("bogus is a token type")
	}
}
