package flows_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/tokenbench/tokenbench/flows"
	"github.com/tokenbench/tokenbench/flows/demoidp/demoidptest"
)

func oauthCode(err error) string {
	var oe *flows.OAuthError
	if errors.As(err, &oe) {
		return oe.Code
	}
	return ""
}

func kindOf(err error) flows.Kind {
	var fe *flows.Error
	if errors.As(err, &fe) {
		return fe.Kind
	}
	return ""
}

func TestAuthorizationCodeFlowEveryClientAuthMethod(t *testing.T) {
	p := demoidptest.Start(t)
	for _, id := range []string{"demo-basic", "demo-post", "demo-public", "demo-jwt", "demo-private-key-jwt", "demo:special+id"} {
		t.Run(id, func(t *testing.T) {
			c := demoClient(t, p, id)
			req, tok, err := codeFlow(t, c)
			if err != nil {
				t.Fatalf("flow: %v", err)
			}
			if tok.AccessToken == "" || tok.IDToken == "" || tok.RefreshToken == "" || !tok.IsBearer() {
				t.Fatalf("incomplete token response: %s", tok.Body)
			}
			rep := c.ValidateIDToken(context.Background(), tok.IDToken, flows.Expect{Nonce: req.Nonce, AccessToken: tok.AccessToken, ServerDate: tok.ServerDate, IDToken: true})
			if !rep.OK() {
				t.Fatalf("id_token checks failed: %+v", rep.Failed())
			}
		})
	}
}

func TestPrivateKeyJWTAlgorithms(t *testing.T) {
	p := demoidptest.Start(t)
	for _, tc := range []struct{ key, alg string }{
		{demoidptest.ClientKeyRSA, "RS256"},
		{demoidptest.ClientKeyRSA, "PS256"},
		{demoidptest.ClientKeyEC, "ES256"},
	} {
		t.Run(tc.alg, func(t *testing.T) {
			c := demoClient(t, p, "demo-private-key-jwt")
			c.Config.SigningKey = readKey(t, tc.key)
			c.Config.SigningAlg = tc.alg
			c.Config.Scopes = nil
			if _, err := c.ClientCredentials(context.Background()); err != nil {
				t.Fatal(err)
			}
			assertion := lastForm(t, c, "client_assertion")
			j, err := flows.DecodeJWT(assertion)
			if err != nil {
				t.Fatal(err)
			}
			if j.Alg() != tc.alg || j.ClaimString("jti") == "" || j.ClaimString("iss") != "demo-private-key-jwt" {
				t.Fatalf("assertion header/claims: %v %v", j.Header, j.Claims)
			}
			iat, _ := j.ClaimTime("iat")
			exp, _ := j.ClaimTime("exp")
			if d := exp.Sub(iat); d <= 0 || d > 5*60e9 {
				t.Fatalf("assertion lifetime %v, want short", d)
			}
		})
	}
}

func TestClientAssertionsHaveFreshJTI(t *testing.T) {
	p := demoidptest.Start(t)
	c := demoClient(t, p, "demo-jwt")
	c.Config.Scopes = nil
	seen := map[string]bool{}
	for range 3 {
		if _, err := c.ClientCredentials(context.Background()); err != nil {
			t.Fatal(err)
		}
		j, err := flows.DecodeJWT(lastForm(t, c, "client_assertion"))
		if err != nil {
			t.Fatal(err)
		}
		jti := j.ClaimString("jti")
		if seen[jti] {
			t.Fatalf("jti %q reused", jti)
		}
		seen[jti] = true
	}
}

func TestWrongAuthMethodIsInvalidClient(t *testing.T) {
	p := demoidptest.Start(t)
	c := demoClient(t, p, "demo-basic")
	c.Config.AuthMethod = flows.AuthClientSecretPost
	_, err := c.ClientCredentials(context.Background())
	if oauthCode(err) != "invalid_client" {
		t.Fatalf("err = %v, want invalid_client", err)
	}
	var oe *flows.OAuthError
	errors.As(err, &oe)
	if oe.Status != 401 {
		t.Errorf("status %d, want 401", oe.Status)
	}
	if _, ex, ok := flows.Explain(err); !ok || len(ex.Causes) == 0 {
		t.Errorf("no explanation for %v", err)
	}
}

func TestPKCEChoices(t *testing.T) {
	p := demoidptest.Start(t)
	for _, m := range []flows.PKCEMethod{flows.PKCES256, flows.PKCEPlain, flows.PKCENone} {
		t.Run(string(m), func(t *testing.T) {
			c := demoClient(t, p, "demo-basic")
			c.Config.PKCE = m
			req, _, err := codeFlow(t, c)
			if err != nil {
				t.Fatal(err)
			}
			got := req.Params.Get("code_challenge_method")
			want := map[flows.PKCEMethod]string{flows.PKCES256: "S256", flows.PKCEPlain: "plain", flows.PKCENone: ""}[m]
			if got != want {
				t.Fatalf("code_challenge_method %q, want %q", got, want)
			}
			if m == flows.PKCEPlain && req.Params.Get("code_challenge") != req.CodeVerifier {
				t.Fatal("plain challenge must be the verifier")
			}
		})
	}
	t.Run("public client needs PKCE", func(t *testing.T) {
		c := demoClient(t, p, "demo-public")
		c.Config.PKCE = flows.PKCENone
		_, _, err := codeFlow(t, c)
		if err == nil {
			t.Fatal("a public client without PKCE must be refused")
		}
	})
}

func TestPKCEVerifierMismatchIsInvalidGrant(t *testing.T) {
	p := demoidptest.Start(t)
	c := demoClient(t, p, "demo-basic")
	req, res, err := authorize(t, c)
	if err != nil {
		t.Fatal(err)
	}
	req.CodeVerifier = strings.Repeat("x", 43)
	if _, err := c.ExchangeCode(context.Background(), req, res.Code); oauthCode(err) != "invalid_grant" {
		t.Fatalf("err = %v, want invalid_grant", err)
	}
}

func TestAuthorizeParametersAreSent(t *testing.T) {
	p := demoidptest.Start(t)
	c := demoClient(t, p, "demo-basic")
	c.Config.AuthParams = map[string][]string{
		"prompt": {"none"}, "login_hint": {"demo"}, "max_age": {"300"}, "acr_values": {"urn:mace:incommon:iap:silver"},
		"claims": {`{"id_token":{"email":null}}`}, "resource": {"https://api.example.com/a", "https://api.example.com/b"},
		"audience": {"api"}, "response_mode": {"query"}, "x-custom": {"1"},
	}
	req, err := c.NewAuthRequest(context.Background(), "")
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range c.Config.AuthParams {
		if got := req.Params[k]; strings.Join(got, ",") != strings.Join(v, ",") {
			t.Errorf("%s = %v, want %v", k, got, v)
		}
	}
	for _, k := range []string{"state", "nonce", "code_challenge", "client_id", "redirect_uri", "scope"} {
		if req.Params.Get(k) == "" {
			t.Errorf("missing %s", k)
		}
	}
	if req.Params.Get("response_type") != "code" {
		t.Errorf("response_type %q", req.Params.Get("response_type"))
	}
	other, _ := c.NewAuthRequest(context.Background(), "")
	if other.State == req.State || other.Nonce == req.Nonce || other.CodeVerifier == req.CodeVerifier {
		t.Error("state, nonce and verifier must be fresh for every request")
	}
}

func TestCallbackFaults(t *testing.T) {
	for _, tc := range []struct {
		fault string
		kind  flows.Kind
		code  string
	}{
		{"wrong-iss", flows.KindIssMismatch, ""},
		{"deny", "", "access_denied"},
		{"deny wrong-iss", flows.KindIssMismatch, ""}, // RFC 9207 §2.4 covers error responses too
	} {
		t.Run(tc.fault, func(t *testing.T) {
			p := demoidptest.Start(t, strings.Fields(tc.fault)...)
			_, _, err := authorize(t, demoClient(t, p, "demo-basic"))
			if kindOf(err) != tc.kind || oauthCode(err) != tc.code {
				t.Fatalf("err = %v, want kind %q code %q", err, tc.kind, tc.code)
			}
			if _, _, ok := flows.Explain(err); !ok {
				t.Errorf("no explanation for %v", err)
			}
		})
	}
	t.Run("deny carries its description", func(t *testing.T) {
		p := demoidptest.Start(t, "deny")
		_, _, err := authorize(t, demoClient(t, p, "demo-basic"))
		var oe *flows.OAuthError
		if !errors.As(err, &oe) || oe.Description == "" || oe.Endpoint != "authorization response" {
			t.Fatalf("err = %#v", err)
		}
	})
}

func TestReusedAndExpiredCodes(t *testing.T) {
	p := demoidptest.Start(t)
	c := demoClient(t, p, "demo-basic")
	req, res, err := authorize(t, c)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.ExchangeCode(context.Background(), req, res.Code); err != nil {
		t.Fatal(err)
	}
	if _, err := c.ExchangeCode(context.Background(), req, res.Code); oauthCode(err) != "invalid_grant" {
		t.Fatalf("reused code: err = %v, want invalid_grant", err)
	}
	demoidptest.SetFaults(t, p, "expired-code")
	if _, _, err := codeFlow(t, c); oauthCode(err) != "invalid_grant" {
		t.Fatalf("expired code: err = %v, want invalid_grant", err)
	}
}

func TestRefreshRotates(t *testing.T) {
	p := demoidptest.Start(t)
	c := demoClient(t, p, "demo-basic")
	_, tok, err := codeFlow(t, c)
	if err != nil {
		t.Fatal(err)
	}
	next, err := c.Refresh(context.Background(), tok.RefreshToken)
	if err != nil {
		t.Fatal(err)
	}
	if next.Rotation != flows.RotationRotated || next.RefreshToken == tok.RefreshToken {
		t.Fatalf("rotation %q", next.Rotation)
	}
	// RFC 6749 §6: a refresh that asks for no scope keeps the granted one; the sign-in's Scopes are
	// not asked for again (that fails where the user consented to fewer); RefreshScopes asks.
	if sc := lastForm(t, c, "scope"); sc != "" {
		t.Errorf("refresh sent scope %q though none was asked for", sc)
	}
	c.Config.RefreshScopes = []string{"openid", "profile"}
	if _, err := c.Refresh(context.Background(), next.RefreshToken); err != nil {
		t.Fatal(err)
	}
	if sc := lastForm(t, c, "scope"); sc != "openid profile" {
		t.Errorf("refresh sent scope %q, want the RefreshScopes", sc)
	}
	if _, err := c.Refresh(context.Background(), tok.RefreshToken); oauthCode(err) != "invalid_grant" {
		t.Fatalf("old refresh token: err = %v, want invalid_grant", err)
	}
}

func TestClientCredentialsAndPassword(t *testing.T) {
	p := demoidptest.Start(t)
	c := demoClient(t, p, "demo-post")
	c.Config.Scopes = nil
	tok, err := c.ClientCredentials(context.Background())
	if err != nil || tok.AccessToken == "" || tok.IDToken != "" {
		t.Fatalf("client credentials: %v %v", tok, err)
	}
	c.Config.Scopes = []string{"openid", "profile"}
	if tok, err = c.Password(context.Background(), "demo", "demo"); err != nil || tok.IDToken == "" {
		t.Fatalf("password: %v", err)
	}
	if _, err := c.Password(context.Background(), "demo", "wrong"); oauthCode(err) != "invalid_grant" {
		t.Fatalf("wrong password: err = %v", err)
	}
}

func TestResourceCalls(t *testing.T) {
	p := demoidptest.Start(t)
	c := demoClient(t, p, "demo-basic")
	_, tok, err := codeFlow(t, c)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	ui, err := c.UserInfo(ctx, tok.AccessToken)
	if err != nil || ui.Members["sub"] == nil {
		t.Fatalf("userinfo: %v %v", ui, err)
	}
	in, err := c.Introspect(ctx, tok.AccessToken, "access_token")
	if err != nil || !in.Active() {
		t.Fatalf("introspect: %v %v", in, err)
	}
	if err := c.Revoke(ctx, tok.AccessToken, "access_token"); err != nil {
		t.Fatal(err)
	}
	if in, err = c.Introspect(ctx, tok.AccessToken, ""); err != nil || in.Active() {
		t.Fatalf("introspect after revoke: active=%v err=%v", in != nil && in.Active(), err)
	}
	_, err = c.UserInfo(ctx, tok.AccessToken)
	if oauthCode(err) != "invalid_token" {
		t.Fatalf("userinfo after revoke: err = %v, want invalid_token", err)
	}
	if err := c.Revoke(ctx, "never-issued", ""); err != nil {
		t.Fatalf("revoking an unknown token must succeed (RFC 7009 §2.2): %v", err)
	}
	logout, err := c.LogoutURL(ctx, tok.IDToken, "http://127.0.0.1:9/after", "xyz")
	if err != nil || !strings.HasPrefix(logout, p.Issuer()) || !strings.Contains(logout, "id_token_hint=") {
		t.Fatalf("logout URL %q: %v", logout, err)
	}
}

func TestDeviceFlow(t *testing.T) {
	p := demoidptest.Start(t)
	c := demoClient(t, p, "demo-basic")
	ctx := context.Background()
	d, err := c.DeviceAuthorize(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if d.UserCode == "" || d.VerificationURIComplete == "" || d.PollInterval() <= 0 {
		t.Fatalf("device authorization: %+v", d)
	}
	var polls []flows.DevicePoll
	tok, err := c.PollDevice(ctx, d, func(dp flows.DevicePoll) {
		if polls = append(polls, dp); len(polls) == 1 {
			demoidptest.Visit(t, d.VerificationURIComplete) // the user approves after the first pending answer
		}
	})
	if err != nil || tok.AccessToken == "" {
		t.Fatalf("poll: %v", err)
	}
	if len(polls) == 0 || polls[0].Code != "authorization_pending" {
		t.Fatalf("polls %+v, want authorization_pending first", polls)
	}
}

func TestDeviceFlowDeniedAndCancelled(t *testing.T) {
	p := demoidptest.Start(t)
	c := demoClient(t, p, "demo-basic")
	ctx := context.Background()
	d, err := c.DeviceAuthorize(ctx)
	if err != nil {
		t.Fatal(err)
	}
	demoidptest.Visit(t, d.VerificationURIComplete+"&deny=1")
	if _, err := c.PollDevice(ctx, d, nil); oauthCode(err) != "access_denied" {
		t.Fatalf("err = %v, want access_denied", err)
	}
	d2, _ := c.DeviceAuthorize(ctx)
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := c.PollDevice(cctx, d2, nil); !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
}

func TestDirectAuthorize(t *testing.T) {
	p := demoidptest.Start(t)
	c := demoClient(t, p, "demo-jwt") // RFC 7518 §3.2: an HS256 key needs 32 bytes, so the long secret
	c.Config.Endpoints.Authorization = p.Issuer() + "/v1/authorize"
	ctx := context.Background()
	req, err := c.NewAuthRequest(ctx, "https://app.example.com/callback")
	if err != nil {
		t.Fatal(err)
	}
	params, err := c.DirectAuthorize(ctx, req, demoidptest.ProofJWT(t, p.Issuer(), c.Config.ClientSecret))
	if err != nil {
		t.Fatal(err)
	}
	res, err := c.VerifyCallback(ctx, req, params, false)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.ExchangeCode(ctx, req, res.Code); err != nil {
		t.Fatal(err)
	}
	if _, err := c.DirectAuthorize(ctx, req, "not-a-jwt"); oauthCode(err) != "invalid_request" {
		t.Fatalf("bad proof: err = %v, want invalid_request", err)
	}
}

func TestTokenHeadersAreSent(t *testing.T) {
	p := demoidptest.Start(t)
	c := demoClient(t, p, "demo-basic")
	c.Config.Scopes = nil
	c.Config.TokenHeaders = map[string][]string{"Origin": {"http://localhost:3000"}}
	if _, err := c.ClientCredentials(context.Background()); err != nil {
		t.Fatal(err)
	}
	xs := c.Trace.Exchanges()
	last := xs[len(xs)-1]
	if last.RequestHeader.Get("Origin") != "http://localhost:3000" || last.RequestHeader.Get("Authorization") == "" {
		t.Fatalf("headers sent: %v", last.RequestHeader)
	}
}
