package flows_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"testing"

	"github.com/go-jose/go-jose/v4"
	"github.com/tokenbench/tokenbench/flows"
	"github.com/tokenbench/tokenbench/flows/demoidp"
	"github.com/tokenbench/tokenbench/flows/demoidp/demoidptest"
)

// dpopClient is a demo client with DPoP on and a generated key.
func dpopClient(t *testing.T, p *demoidp.Provider, id string) *flows.Client {
	t.Helper()
	c := demoClient(t, p, id)
	c.Config.DPoP = true
	return c
}

// steps counts the exchanges of a step in the trace.
func steps(c *flows.Client, step string) []flows.Exchange {
	var out []flows.Exchange
	for _, x := range c.Trace.Exchanges() {
		if x.Step == step {
			out = append(out, *x)
		}
	}
	return out
}

// proofClaims decodes the DPoP header of an exchange.
func proofClaims(t *testing.T, x flows.Exchange) (header, claims map[string]any) {
	t.Helper()
	raw := x.RequestHeader.Get("DPoP")
	if raw == "" {
		t.Fatalf("exchange %d (%s) has no DPoP header", x.ID, x.Step)
	}
	j, err := flows.DecodeJWT(raw)
	if err != nil {
		t.Fatal(err)
	}
	return j.Header, j.Claims
}

func wantOAuthError(t *testing.T, err error, code, fragment string) {
	t.Helper()
	var oe *flows.OAuthError
	if !errors.As(err, &oe) {
		t.Fatalf("error %v, want an OAuth error %s", err, code)
	}
	if oe.Code != code || !strings.Contains(oe.Description, fragment) {
		t.Fatalf("error %s (%s), want %s mentioning %q", oe.Code, oe.Description, code, fragment)
	}
}

func TestDPoPTokenAndUserInfo(t *testing.T) {
	p := demoidptest.Start(t)
	for _, id := range []string{"demo-basic", "demo-post", "demo-public"} {
		t.Run(id, func(t *testing.T) {
			c := dpopClient(t, p, id)
			_, tok, err := codeFlow(t, c)
			if err != nil {
				t.Fatal(err)
			}
			if tok.TokenType != "DPoP" {
				t.Errorf("token_type %q, want DPoP", tok.TokenType)
			}
			checks := c.DPoPChecks(tok)
			if len(checks) != 2 {
				t.Fatalf("checks %+v", checks)
			}
			for _, ch := range checks {
				if ch.Status != flows.CheckPass {
					t.Errorf("check %s: %s %s", ch.Name, ch.Status, ch.Detail)
				}
			}
			xs := steps(c, "token")
			if len(xs) != 1 {
				t.Fatalf("%d token exchanges, want 1", len(xs))
			}
			h, cl := proofClaims(t, xs[0])
			if h["typ"] != "dpop+jwt" || h["alg"] != "ES256" || h["jwk"] == nil {
				t.Errorf("proof header %v", h)
			}
			if _, private := h["jwk"].(map[string]any)["d"]; private {
				t.Error("the proof's jwk holds the private key")
			}
			if cl["htm"] != "POST" || cl["htu"] != p.Issuer()+"/token" || cl["jti"] == "" || cl["iat"] == nil || cl["ath"] != nil {
				t.Errorf("proof claims %v", cl)
			}

			res, err := c.UserInfo(context.Background(), tok.AccessToken)
			if err != nil {
				t.Fatal(err)
			}
			if res.Members["sub"] != "demo-user-1" {
				t.Errorf("userinfo %s", res.Body)
			}
			ux := steps(c, "userinfo")
			if len(ux) != 1 {
				t.Fatalf("%d userinfo exchanges, want 1", len(ux))
			}
			if got := ux[0].RequestHeader.Get("Authorization"); got != "DPoP "+tok.AccessToken {
				t.Errorf("Authorization %q, want the DPoP scheme", got)
			}
			_, ucl := proofClaims(t, ux[0])
			if ucl["ath"] == nil || ucl["ath"] == "" || ucl["htm"] != "GET" || ucl["htu"] != p.Issuer()+"/userinfo" {
				t.Errorf("userinfo proof claims %v", ucl)
			}

			// The refresh carries a proof too, and the new token stays bound to the same key.
			rt, err := c.Refresh(context.Background(), tok.RefreshToken)
			if err != nil {
				t.Fatal(err)
			}
			if rt.TokenType != "DPoP" {
				t.Errorf("refreshed token_type %q", rt.TokenType)
			}
			for _, ch := range c.DPoPChecks(rt) {
				if ch.Status != flows.CheckPass {
					t.Errorf("refreshed check %s: %s", ch.Name, ch.Detail)
				}
			}
		})
	}
}

func TestDPoPClientCredentialsWithGivenKey(t *testing.T) {
	p := demoidptest.Start(t)
	c := demoClient(t, p, "demo-basic")
	c.Config.DPoPKey = readKey(t, demoidptest.ClientKeyRSA)
	tok, err := c.ClientCredentials(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	_, cl := proofClaims(t, steps(c, "token")[0])
	if cl["htm"] != "POST" {
		t.Errorf("claims %v", cl)
	}
	j, _ := flows.DecodeJWT(steps(c, "token")[0].RequestHeader.Get("DPoP"))
	if j.Alg() != "RS256" {
		t.Errorf("alg %s, want RS256 for an RSA key", j.Alg())
	}
	jkt, err := c.DPoPThumbprint()
	if err != nil {
		t.Fatal(err)
	}
	at, _ := flows.DecodeJWT(tok.AccessToken)
	if cnf, _ := at.Claims["cnf"].(map[string]any); cnf["jkt"] != jkt {
		t.Errorf("cnf %v, want jkt %s", at.Claims["cnf"], jkt)
	}
}

func TestDPoPNonceRetryOnce(t *testing.T) {
	p := demoidptest.Start(t, "dpop-nonce")
	c := dpopClient(t, p, "demo-basic")
	_, tok, err := codeFlow(t, c)
	if err != nil {
		t.Fatal(err)
	}
	xs := steps(c, "token")
	if len(xs) != 2 {
		t.Fatalf("%d token exchanges, want 2 (use_dpop_nonce, then the retry)", len(xs))
	}
	if xs[0].Status != http.StatusBadRequest || !strings.Contains(string(xs[0].ResponseBody), "use_dpop_nonce") {
		t.Errorf("first answer %d %s", xs[0].Status, xs[0].ResponseBody)
	}
	nonce := xs[0].ResponseHeader.Get("DPoP-Nonce")
	if _, cl := proofClaims(t, xs[0]); cl["nonce"] != nil {
		t.Errorf("the first proof already had a nonce: %v", cl)
	}
	_, cl := proofClaims(t, xs[1])
	if nonce == "" || cl["nonce"] != nonce {
		t.Errorf("retry nonce %v, want %q", cl["nonce"], nonce)
	}
	if _, c1 := proofClaims(t, xs[0]); c1["jti"] == cl["jti"] {
		t.Error("the retry reused the jti")
	}
	if xs[1].Status != http.StatusOK || tok.TokenType != "DPoP" {
		t.Errorf("retry answered %d, token_type %q", xs[1].Status, tok.TokenType)
	}
	// The nonce is remembered: userinfo on the same server needs no retry.
	if _, err := c.UserInfo(context.Background(), tok.AccessToken); err != nil {
		t.Fatal(err)
	}
	if n := len(steps(c, "userinfo")); n != 1 {
		t.Errorf("%d userinfo exchanges, want 1 with the nonce known", n)
	}
}

func TestDPoPNonceRetryAtUserInfo(t *testing.T) {
	p := demoidptest.Start(t)
	c := dpopClient(t, p, "demo-public")
	_, tok, err := codeFlow(t, c)
	if err != nil {
		t.Fatal(err)
	}
	demoidptest.SetFaults(t, p, "dpop-nonce")
	if _, err := c.UserInfo(context.Background(), tok.AccessToken); err != nil {
		t.Fatal(err)
	}
	xs := steps(c, "userinfo")
	if len(xs) != 2 {
		t.Fatalf("%d userinfo exchanges, want 2", len(xs))
	}
	if xs[0].Status != http.StatusUnauthorized || !strings.Contains(xs[0].ResponseHeader.Get("WWW-Authenticate"), `error="use_dpop_nonce"`) {
		t.Errorf("first answer %d %q", xs[0].Status, xs[0].ResponseHeader.Get("WWW-Authenticate"))
	}
	if _, cl := proofClaims(t, xs[1]); cl["nonce"] != xs[0].ResponseHeader.Get("DPoP-Nonce") || cl["ath"] == nil {
		t.Errorf("retry claims %v", cl)
	}
}

func TestDPoPBindingCheckFails(t *testing.T) {
	p := demoidptest.Start(t)
	c := dpopClient(t, p, "demo-basic")
	tok, err := c.ClientCredentials(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	other := dpopClient(t, p, "demo-basic") // another generated key
	checks := other.DPoPChecks(tok)
	if checks[1].Name != "cnf.jkt" || checks[1].Status != flows.CheckFail || checks[1].Kind != flows.KindDPoPBindingMismatch ||
		!strings.Contains(checks[1].Detail, "bound to another key") {
		t.Errorf("cnf.jkt check %+v", checks[1])
	}
	// A bearer token checked as a DPoP one fails on token_type.
	bearer, err := demoClient(t, p, "demo-basic").ClientCredentials(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	checks = c.DPoPChecks(bearer)
	if checks[0].Status != flows.CheckFail || checks[0].Kind != flows.KindDPoPNotBound || checks[1].Status != flows.CheckFail {
		t.Errorf("checks of a bearer token %+v", checks)
	}
	for _, k := range []flows.Kind{flows.KindDPoPBindingMismatch, flows.KindDPoPNotBound} {
		if _, ex, ok := flows.Explain(&flows.Error{Kind: k}); !ok || ex.Title == "" {
			t.Errorf("no explanation for %s", k)
		}
	}
	// DPoP off: no checks.
	if got := demoClient(t, p, "demo-basic").DPoPChecks(tok); got != nil {
		t.Errorf("checks with DPoP off: %+v", got)
	}
}

// rawToken posts a client_credentials request for demo-basic with the given DPoP header.
func rawToken(t *testing.T, p *demoidp.Provider, proof string) (int, map[string]any) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, p.Issuer()+"/token", strings.NewReader(url.Values{"grant_type": {"client_credentials"}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth("demo-basic", "demo-basic-secret")
	req.Header.Set("DPoP", proof)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	var m map[string]any
	_ = json.Unmarshal(body, &m)
	return resp.StatusCode, m
}

func TestDPoPBadProofs(t *testing.T) {
	p := demoidptest.Start(t)
	c := dpopClient(t, p, "demo-basic")
	good := func() string {
		s, err := c.DPoPProof("POST", p.Issuer()+"/token", "", "")
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	wrongHTU, _ := c.DPoPProof("POST", p.Issuer()+"/userinfo", "", "")
	wrongHTM, _ := c.DPoPProof("GET", p.Issuer()+"/token", "", "")
	parts := strings.Split(good(), ".")
	sig, err := base64.RawURLEncoding.DecodeString(parts[2])
	if err != nil {
		t.Fatal(err)
	}
	sig[10] ^= 0x01 // another signature, still well-formed
	badSig := parts[0] + "." + parts[1] + "." + base64.RawURLEncoding.EncodeToString(sig)
	for _, tc := range []struct{ name, proof, want string }{
		{"wrong htu", wrongHTU, "htu"},
		{"wrong htm", wrongHTM, "htm"},
		{"wrong signature", badSig, "signature does not verify"},
		{"not a JWS", "abc", "not a JWS"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			status, m := rawToken(t, p, tc.proof)
			desc, _ := m["error_description"].(string)
			if status != http.StatusBadRequest || m["error"] != "invalid_dpop_proof" || !strings.Contains(desc, tc.want) {
				t.Errorf("HTTP %d %v, want invalid_dpop_proof mentioning %q", status, m, tc.want)
			}
		})
	}
	t.Run("replayed jti", func(t *testing.T) {
		proof := good()
		if status, m := rawToken(t, p, proof); status != http.StatusOK || m["token_type"] != "DPoP" {
			t.Fatalf("first use: HTTP %d %v", status, m)
		}
		status, m := rawToken(t, p, proof)
		desc, _ := m["error_description"].(string)
		if status != http.StatusBadRequest || m["error"] != "invalid_dpop_proof" || !strings.Contains(desc, "already used") {
			t.Errorf("replay: HTTP %d %v", status, m)
		}
	})
}

func TestDPoPUserInfoRefusals(t *testing.T) {
	p := demoidptest.Start(t)
	c := dpopClient(t, p, "demo-basic")
	_, tok, err := codeFlow(t, c)
	if err != nil {
		t.Fatal(err)
	}
	// A proof by another key than the token's.
	other := dpopClient(t, p, "demo-basic")
	_, err = other.UserInfo(context.Background(), tok.AccessToken)
	wantOAuthError(t, err, "invalid_dpop_proof", "but the access token is bound to")
	// The bound token presented as a bearer token.
	_, err = demoClient(t, p, "demo-basic").UserInfo(context.Background(), tok.AccessToken)
	wantOAuthError(t, err, "invalid_token", "not as a Bearer token")
	// A proof without ath, or with the hash of another token.
	noATH, _ := c.DPoPProof("GET", p.Issuer()+"/userinfo", "", "")
	otherATH, _ := c.DPoPProof("GET", p.Issuer()+"/userinfo", "another-token", "")
	for proof, want := range map[string]string{noATH: "no ath claim", otherATH: "is not the hash of the access token"} {
		req, _ := http.NewRequest(http.MethodGet, p.Issuer()+"/userinfo", nil)
		req.Header.Set("Authorization", "DPoP "+tok.AccessToken)
		req.Header.Set("DPoP", proof)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if h := resp.Header.Get("WWW-Authenticate"); resp.StatusCode != http.StatusUnauthorized || !strings.HasPrefix(h, "DPoP ") || !strings.Contains(h, want) {
			t.Errorf("HTTP %d %q, want a DPoP challenge mentioning %q", resp.StatusCode, h, want)
		}
	}
	// The public client's refresh token is bound to its key.
	pub := dpopClient(t, p, "demo-public")
	_, ptok, err := codeFlow(t, pub)
	if err != nil {
		t.Fatal(err)
	}
	thief := dpopClient(t, p, "demo-public")
	_, err = thief.Refresh(context.Background(), ptok.RefreshToken)
	wantOAuthError(t, err, "invalid_grant", "refresh token is bound to the DPoP key")
}

func TestGenerateDPoPKey(t *testing.T) {
	k, err := flows.GenerateDPoPKey()
	if err != nil {
		t.Fatal(err)
	}
	if k.IsPublic() || k.Algorithm != string(jose.ES256) || k.KeyID == "" {
		t.Errorf("key %+v", k)
	}
	data, err := json.Marshal(k)
	if err != nil {
		t.Fatal(err)
	}
	back, err := flows.ParseSigningKey(data)
	if err != nil {
		t.Fatal(err)
	}
	a, _ := flows.JWKThumbprint(k)
	b, _ := flows.JWKThumbprint(back)
	if a != b {
		t.Errorf("thumbprint changed through JSON: %s %s", a, b)
	}
}

// TestDPoPProofCarriesThePublicKeyWithoutKid: the proof's header names the key only by the public jwk
// (RFC 9449 §4.2), which holds the key type's required members and nothing else: no private part,
// and no kid, even when the configured key has one (its thumbprint, or a JWK's own kid). The server
// binds the token to the thumbprint (§6.1), which RFC 7638 §3.2 computes without kid.
func TestDPoPProofCarriesThePublicKeyWithoutKid(t *testing.T) {
	p := demoidptest.Start(t)
	own := readKey(t, demoidptest.ClientKeyEC)
	own.KeyID = "jwk-own-kid"
	cases := []struct {
		name string
		key  *jose.JSONWebKey
		want []string
	}{
		{"generated", nil, []string{"crv", "kty", "x", "y"}},
		{"PEM, named by its thumbprint", readKey(t, demoidptest.ClientKeyRSA), []string{"e", "kty", "n"}},
		{"JWK with its own kid", own, []string{"crv", "kty", "x", "y"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := dpopClient(t, p, "demo-basic")
			c.Config.DPoPKey = tc.key
			tok, err := c.ClientCredentials(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			h, _ := proofClaims(t, steps(c, "token")[0])
			if kid, has := h["kid"]; has {
				t.Errorf("the proof header carries kid %v", kid)
			}
			jwk, _ := h["jwk"].(map[string]any)
			var got []string
			for k := range jwk {
				got = append(got, k)
			}
			sort.Strings(got)
			if strings.Join(got, ",") != strings.Join(tc.want, ",") {
				t.Errorf("the proof's jwk has members %v, want %v", got, tc.want)
			}
			for _, ch := range c.DPoPChecks(tok) {
				if ch.Status != flows.CheckPass {
					t.Errorf("check %s: %s %s", ch.Name, ch.Status, ch.Detail)
				}
			}
		})
	}
}
