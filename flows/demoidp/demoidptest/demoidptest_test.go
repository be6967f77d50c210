package demoidptest_test

import (
	"crypto/ecdsa"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/tokenbench/tokenbench/flows/demoidp"
	"github.com/tokenbench/tokenbench/flows/demoidp/demoidptest"
)

func TestDemoClients(t *testing.T) {
	t.Parallel()
	p := demoidptest.Start(t)
	for _, c := range []struct{ id, secret string }{
		{demoidptest.BasicID, demoidptest.BasicSecret},
		{demoidptest.PostID, demoidptest.PostSecret},
		{demoidptest.PublicID, ""},
		{demoidptest.JWTID, demoidptest.JWTSecret},
		{demoidptest.PrivateKeyJWTID, ""},
		{demoidptest.EncryptedID, demoidptest.EncryptedSecret},
		{demoidptest.SpecialID, demoidptest.SpecialSecret},
	} {
		if got := demoidptest.Secret(t, p, c.id); got != c.secret {
			t.Errorf("%s: the provider's secret is %q, the constant %q", c.id, got, c.secret)
		}
	}
	if n := len(p.Clients()); n != 7 {
		t.Errorf("the provider has %d demo clients, the constants 7", n)
	}
}

func TestStartTurnsFaultsOn(t *testing.T) {
	t.Parallel()
	p := demoidptest.Start(t, "expired-code", "clock-skew=90s")
	f := p.Faults()
	if f.Get("expired-code") == "" || f.Get("clock-skew") != "clock-skew=1m30s" {
		t.Fatalf("faults %v, want expired-code and clock-skew=90s", f)
	}
	demoidptest.SetFaults(t, p)
	if s := p.Faults().String(); s != "" {
		t.Fatalf("faults %q after SetFaults with none", s)
	}
	resp, err := http.Get(p.Issuer() + "/.well-known/openid-configuration")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("discovery: HTTP %d", resp.StatusCode)
	}
}

// authURL is an authorization request for demo-basic with PKCE S256, to redirect.
func authURL(p *demoidp.Provider, redirect string, extra url.Values) string {
	sum := sha256.Sum256([]byte("a-verifier-of-at-least-forty-three-characters-long"))
	v := url.Values{
		"client_id": {demoidptest.BasicID}, "redirect_uri": {redirect}, "response_type": {"code"},
		"scope": {"openid"}, "state": {"st-1"}, "nonce": {"n-1"},
		"code_challenge": {base64.RawURLEncoding.EncodeToString(sum[:])}, "code_challenge_method": {"S256"},
	}
	for k, vs := range extra {
		v[k] = vs
	}
	return p.Issuer() + "/authorize?" + v.Encode()
}

// TestVisitDeliversTheResponse: the browser reaches the client's redirect URI with the code, by a
// redirect or by submitting the form_post page (OAuth 2.0 Form Post Response Mode §2).
func TestVisitDeliversTheResponse(t *testing.T) {
	t.Parallel()
	p := demoidptest.Start(t)
	for _, mode := range []string{"query", "form_post"} {
		t.Run(mode, func(t *testing.T) {
			got := make(chan url.Values, 1)
			client := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if err := r.ParseForm(); err != nil {
					t.Error(err)
				}
				got <- r.Form
				w.Write([]byte("received"))
			}))
			defer client.Close()
			status, body := demoidptest.Visit(t, authURL(p, client.URL+"/callback", url.Values{"response_mode": {mode}}))
			if status != http.StatusOK || body != "received" {
				t.Fatalf("last page HTTP %d %q, want the client's", status, body)
			}
			if form := <-got; form.Get("code") == "" || form.Get("state") != "st-1" {
				t.Fatalf("the client received %v", form)
			}
		})
	}
}

func TestRedirectStopsAtTheRedirectURI(t *testing.T) {
	t.Parallel()
	p := demoidptest.Start(t)
	loc := demoidptest.Redirect(t, authURL(p, "https://app.example.com/callback", nil))
	u, err := url.Parse(loc)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(loc, "https://app.example.com/callback?") || u.Query().Get("code") == "" || u.Query().Get("iss") != p.Issuer() {
		t.Fatalf("Redirect = %s, want the redirect URI with code and iss", loc)
	}
}

// TestProofJWT: the provider accepts the proof signed with demo-jwt's secret and refuses it signed
// with another.
func TestProofJWT(t *testing.T) {
	t.Parallel()
	p := demoidptest.Start(t)
	noFollow := &http.Client{Timeout: 10 * time.Second, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	post := func(secret string) *http.Response {
		form := url.Values{
			"client_id": {demoidptest.JWTID}, "response_type": {"code"}, "scope": {"openid"},
			"redirect_uri": {"https://app.example.com/callback"}, "state": {"st-2"},
			"proof_of_authentication_jwt": {demoidptest.ProofJWT(t, p.Issuer(), secret)},
		}
		resp, err := noFollow.PostForm(p.Issuer()+"/v1/authorize", form)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp
	}
	resp := post(demoidptest.JWTSecret)
	loc, _ := resp.Location()
	if resp.StatusCode != http.StatusSeeOther || loc == nil || loc.Query().Get("code") == "" {
		t.Fatalf("HTTP %d, Location %v: want 303 with a code", resp.StatusCode, loc)
	}
	if resp := post(strings.Repeat("x", 40)); resp.StatusCode != http.StatusBadRequest {
		t.Fatalf("a proof under another secret: HTTP %d, want 400", resp.StatusCode)
	}
}

func TestKeys(t *testing.T) {
	t.Parallel()
	if _, ok := demoidptest.Key(t, demoidptest.ClientKeyRSA).(*rsa.PrivateKey); !ok {
		t.Error("ClientKeyRSA is not an RSA key")
	}
	for _, name := range []string{demoidptest.ClientKeyEC, demoidptest.TrustedIssuerKey} {
		if _, ok := demoidptest.Key(t, name).(*ecdsa.PrivateKey); !ok {
			t.Errorf("%s is not an EC key", name)
		}
	}
}

func TestClock(t *testing.T) {
	t.Parallel()
	c := demoidptest.NewClock(demoidptest.FixedNow())
	c.Advance(90 * time.Second)
	if got := c.Now().Sub(demoidptest.FixedNow()); got != 90*time.Second {
		t.Fatalf("advanced by %s, want 1m30s", got)
	}
}

func TestDecode(t *testing.T) {
	t.Parallel()
	p := demoidptest.Start(t)
	resp, err := http.PostForm(p.Issuer()+"/token", url.Values{
		"grant_type": {"password"}, "username": {"demo"}, "password": {"demo"}, "scope": {"openid"},
		"client_id": {demoidptest.PostID}, "client_secret": {demoidptest.PostSecret},
	})
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var tok struct {
		IDToken string `json:"id_token"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&tok); err != nil || tok.IDToken == "" {
		t.Fatalf("HTTP %d, no id_token: %v", resp.StatusCode, err)
	}
	h, claims, sig := demoidptest.Decode(t, tok.IDToken)
	if h["alg"] != "RS256" || h["kid"] == nil || claims["sub"] != "demo-user-1" || claims["iss"] != p.Issuer() || sig == "" {
		t.Fatalf("header %v, claims %v, signature %q", h, claims, sig)
	}
	if got := demoidptest.Claims(t, tok.IDToken); got["aud"] != demoidptest.PostID {
		t.Fatalf("Claims aud = %v, want %s", got["aud"], demoidptest.PostID)
	}
}
