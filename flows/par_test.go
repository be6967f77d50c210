package flows_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"
	"github.com/tokenbench/tokenbench/assets"
	"github.com/tokenbench/tokenbench/flows"
	"github.com/tokenbench/tokenbench/flows/demoidp"
	"github.com/tokenbench/tokenbench/flows/demoidp/demoidptest"
)

const requestURIPrefix = "urn:ietf:params:oauth:request_uri:"

// wantPushed checks that a request was pushed: the URL carries only client_id and request_uri, and
// the trace has the PAR exchange answered 201.
func wantPushed(t *testing.T, c *flows.Client, req *flows.AuthRequest) {
	t.Helper()
	if req.PAR == nil || !strings.HasPrefix(req.PAR.RequestURI, requestURIPrefix) || req.PAR.ExpiresIn != 60 {
		t.Fatalf("PAR answer %+v", req.PAR)
	}
	u, err := url.Parse(req.URL)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	if len(q) != 2 || q.Get("client_id") != c.Config.ClientID || q.Get("request_uri") != req.PAR.RequestURI {
		t.Errorf("the authorization URL carries %v; want only client_id and request_uri", q)
	}
	found := false
	for _, x := range c.Trace.Exchanges() {
		if x.Step == "par" {
			found = true
			if x.Status != http.StatusCreated || !strings.HasSuffix(x.URL, "/par") {
				t.Errorf("PAR exchange: %s %d", x.URL, x.Status)
			}
		}
	}
	if !found {
		t.Error("the trace has no par exchange")
	}
	if req.Params.Get("redirect_uri") == "" || req.Params.Get("state") != req.State {
		t.Errorf("Params lost the request's parameters: %v", req.Params)
	}
}

func TestPAREachClientAuthMethod(t *testing.T) {
	t.Parallel()
	p := demoidptest.Start(t)
	for _, id := range []string{"demo-basic", "demo-post", "demo-jwt", "demo-private-key-jwt", "demo-public", "demo:special+id"} {
		t.Run(id, func(t *testing.T) {
			t.Parallel()
			c := demoClient(t, p, id)
			c.Config.PAR = true
			req, tok, err := codeFlow(t, c)
			if err != nil {
				t.Fatal(err)
			}
			wantPushed(t, c, req)
			if tok.AccessToken == "" || tok.IDToken == "" {
				t.Fatalf("token %+v", tok)
			}
			if r := c.ValidateIDToken(context.Background(), tok.IDToken, flows.Expect{Nonce: req.Nonce, AccessToken: tok.AccessToken}); !r.OK() {
				t.Errorf("id_token checks failed: %+v", r.Checks)
			}
		})
	}
}

func TestPARRequiredByProviderIsUsedAutomatically(t *testing.T) {
	t.Parallel()
	p := demoidptest.Start(t, "require-par")
	c := demoClient(t, p, "demo-basic")
	meta, err := c.Discover(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if !meta.RequirePAR || meta.PushedAuthorization != p.Issuer()+"/par" || !meta.RequestParameterSupported || len(meta.RequestObjectSigningAlgs) == 0 {
		t.Fatalf("metadata %+v", meta)
	}
	req, _, err := codeFlow(t, c)
	if err != nil {
		t.Fatal(err)
	}
	wantPushed(t, c, req)

	// The same client with the endpoints given and no issuer cannot know, and is refused.
	c2 := demoClient(t, p, "demo-basic")
	c2.Config.Issuer, c2.Config.Endpoints = "", meta.Endpoints
	_, _, err = authorize(t, c2)
	var oe *flows.OAuthError
	if !errors.As(err, &oe) || oe.Code != "invalid_request" || !strings.Contains(oe.Description, "requires pushed authorization requests") {
		t.Fatalf("unpushed request under require-par: %v", err)
	}
}

func TestRequestObjectByValue(t *testing.T) {
	t.Parallel()
	p := demoidptest.Start(t)
	cases := []struct {
		name, client, key, alg string
	}{
		{"RS256", "demo-private-key-jwt", demoidptest.ClientKeyRSA, "RS256"},
		{"PS256", "demo-private-key-jwt", demoidptest.ClientKeyRSA, "PS256"},
		{"ES256", "demo-private-key-jwt", demoidptest.ClientKeyEC, ""},
		{"HS256", "demo-jwt", "", "HS256"},
	}
	for _, tc := range cases {
		for _, pushed := range []bool{false, true} {
			name := tc.name + " by value"
			if pushed {
				name = tc.name + " through PAR"
			}
			t.Run(name, func(t *testing.T) {
				t.Parallel()
				c := demoClient(t, p, tc.client)
				c.Config.RequestObject, c.Config.PAR = true, pushed
				if tc.key != "" {
					c.Config.SigningKey = readKey(t, tc.key)
				}
				c.Config.SigningAlg = tc.alg
				req, tok, err := codeFlow(t, c)
				if err != nil {
					t.Fatal(err)
				}
				if tok.IDToken == "" {
					t.Fatal("no id_token")
				}
				wantRequestObject(t, c, req, tc.alg, p.Issuer())
				if pushed {
					wantPushed(t, c, req)
					if req.PAR.Pushed.Get("request") != req.RequestObject {
						t.Error("the request object was not what was pushed")
					}
					return
				}
				q := mustQuery(t, req.URL)
				if q.Get("request") != req.RequestObject || q.Has("redirect_uri") || q.Has("state") || q.Get("client_id") != c.Config.ClientID {
					t.Errorf("by value, the URL carries %v", q)
				}
			})
		}
	}
}

// wantRequestObject checks the request object's header and claims (RFC 9101 §4).
func wantRequestObject(t *testing.T, c *flows.Client, req *flows.AuthRequest, alg, issuer string) {
	t.Helper()
	tok, err := jwt.ParseSigned(req.RequestObject, []jose.SignatureAlgorithm{jose.RS256, jose.PS256, jose.ES256, jose.HS256})
	if err != nil {
		t.Fatal(err)
	}
	h := tok.Headers[0]
	if h.ExtraHeaders[jose.HeaderType] != flows.RequestObjectType || (alg != "" && h.Algorithm != alg) {
		t.Errorf("header typ %v alg %s", h.ExtraHeaders[jose.HeaderType], h.Algorithm)
	}
	var claims map[string]any
	if err := tok.UnsafeClaimsWithoutVerification(&claims); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"iat", "nbf", "exp", "jti"} {
		if claims[k] == nil {
			t.Errorf("no %s in %v", k, claims)
		}
	}
	if claims["iss"] != c.Config.ClientID || claims["aud"] != issuer || claims["state"] != req.State || claims["redirect_uri"] != req.RedirectURI || claims["client_id"] != c.Config.ClientID {
		t.Errorf("claims %v", claims)
	}
}

func mustQuery(t *testing.T, raw string) url.Values {
	t.Helper()
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	return u.Query()
}

// frontChannel plays a browser that does not follow the provider's answer: the authorization
// response's parameters when the provider redirects, or the page it shows.
func frontChannel(t *testing.T, u string) (redirect url.Values, page string) {
	t.Helper()
	hc := &http.Client{Timeout: 5 * time.Second, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := hc.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if loc := resp.Header.Get("Location"); loc != "" {
		return mustQuery(t, loc), ""
	}
	return nil, string(body)
}

// wantAuthzError checks that the provider redirected an error back, and that the client reads it
// as an OAuthError with that code and a description saying why.
func wantAuthzError(t *testing.T, c *flows.Client, req *flows.AuthRequest, params url.Values, code, why string) {
	t.Helper()
	if params == nil {
		t.Fatalf("the provider showed a page instead of redirecting %s", code)
	}
	_, err := c.VerifyCallback(context.Background(), req, params, false)
	var oe *flows.OAuthError
	if !errors.As(err, &oe) || oe.Code != code || !strings.Contains(oe.Description, why) {
		t.Fatalf("got %v; want %s saying %q", err, code, why)
	}
	if _, ex, ok := flows.Explain(err); !ok || ex.Title == "" {
		t.Errorf("no explanation for %s", code)
	}
}

func TestRequestObjectReplayedJTI(t *testing.T) {
	t.Parallel()
	p := demoidptest.Start(t)
	c := demoClient(t, p, "demo-jwt")
	c.Config.RequestObject = true
	req, err := c.NewAuthRequest(context.Background(), "http://127.0.0.1:1/callback")
	if err != nil {
		t.Fatal(err)
	}
	if q, page := frontChannel(t, req.URL); q.Get("code") == "" {
		t.Fatalf("first use: %v %s", q, page)
	}
	q, _ := frontChannel(t, req.URL)
	wantAuthzError(t, c, req, q, "invalid_request_object", "was already used: the request object is a replay")
}

func TestRequestObjectTamperedSignature(t *testing.T) {
	t.Parallel()
	p := demoidptest.Start(t)
	for _, pushed := range []bool{false, true} {
		c := demoClient(t, p, "demo-private-key-jwt")
		c.Config.RequestObject = true
		req, err := c.NewAuthRequest(context.Background(), "http://127.0.0.1:1/callback")
		if err != nil {
			t.Fatal(err)
		}
		tampered := tamperJWS(req.RequestObject)
		if !pushed {
			// By value: the redirect URI is only inside the object, which cannot be trusted, so the
			// provider shows the error instead of redirecting (RFC 6749 §4.1.2.1).
			q := mustQuery(t, req.URL)
			q.Set("request", tampered)
			_, page := frontChannel(t, p.Issuer()+"/authorize?"+q.Encode())
			if !strings.Contains(page, "invalid_request_object") || !strings.Contains(page, "does not verify with client demo-private-key-jwt") {
				t.Fatalf("page: %s", page)
			}
			continue
		}
		_, err = c.PushAuthorization(context.Background(), url.Values{"client_id": {c.Config.ClientID}, "request": {tampered}})
		var oe *flows.OAuthError
		if !errors.As(err, &oe) || oe.Code != "invalid_request_object" || oe.Status != 400 || !strings.Contains(oe.Description, "signature (RS256) does not verify") {
			t.Fatalf("tampered pushed object: %v", err)
		}
	}
}

// tamperJWS changes one byte of a JWS's signature.
func tamperJWS(jws string) string {
	b := []byte(jws)
	i := len(b) - 5
	if b[i] == 'A' {
		b[i] = 'B'
	} else {
		b[i] = 'A'
	}
	return string(b)
}

func TestRequestObjectForAnotherAudience(t *testing.T) {
	t.Parallel()
	p := demoidptest.Start(t)
	c := demoClient(t, p, "demo-jwt")
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.HS256, Key: []byte(c.Config.ClientSecret)}, (&jose.SignerOptions{}).WithType(flows.RequestObjectType))
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	obj, err := jwt.Signed(signer).Claims(jwt.Claims{Issuer: "demo-jwt", Audience: jwt.Audience{"https://other-idp.example.com"}, ID: "jti-1", IssuedAt: jwt.NewNumericDate(now), Expiry: jwt.NewNumericDate(now.Add(time.Minute))}).
		Claims(map[string]any{"client_id": "demo-jwt", "response_type": "code", "redirect_uri": "http://127.0.0.1:1/cb", "scope": "openid", "state": "s"}).Serialize()
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.PushAuthorization(context.Background(), url.Values{"client_id": {"demo-jwt"}, "request": {obj}})
	var oe *flows.OAuthError
	if !errors.As(err, &oe) || oe.Code != "invalid_request_object" || !strings.Contains(oe.Description, "for another audience") || !strings.Contains(oe.Description, p.Issuer()) {
		t.Fatalf("request object for another audience: %v", err)
	}
}

func TestPARRequestURIExpired(t *testing.T) {
	t.Parallel()
	clock := demoidptest.NewClock(time.Now())
	p := demoidptest.StartWith(t, demoidp.Options{Now: clock.Now})
	c := demoClient(t, p, "demo-basic")
	c.Config.PAR = true
	req, err := c.NewAuthRequest(context.Background(), "http://127.0.0.1:1/callback")
	if err != nil {
		t.Fatal(err)
	}
	clock.Advance(61 * time.Second)
	q, _ := frontChannel(t, req.URL)
	wantAuthzError(t, c, req, q, "invalid_request_uri", "the request_uri expired at")
}

func TestPARRequestURIReused(t *testing.T) {
	t.Parallel()
	p := demoidptest.Start(t)
	c := demoClient(t, p, "demo-post")
	c.Config.PAR = true
	req, res, err := authorize(t, c)
	if err != nil || res.Code == "" {
		t.Fatal(err)
	}
	q, _ := frontChannel(t, req.URL)
	wantAuthzError(t, c, req, q, "invalid_request_uri", "already used")

	// Another client cannot redeem it either.
	other := mustQuery(t, req.URL)
	other.Set("client_id", "demo-basic")
	if _, page := frontChannel(t, p.Issuer()+"/authorize?"+other.Encode()); !strings.Contains(page, "was pushed by client demo-post, not by demo-basic") {
		t.Errorf("request_uri of another client: %s", page)
	}
}

func TestPARRefusedWithoutClientAuthentication(t *testing.T) {
	t.Parallel()
	p := demoidptest.Start(t)
	c := demoClient(t, p, "demo-basic")
	c.Config.PAR, c.Config.AuthMethod = true, flows.AuthNone
	_, err := c.NewAuthRequest(context.Background(), "http://127.0.0.1:1/callback")
	var oe *flows.OAuthError
	if !errors.As(err, &oe) || oe.Code != "invalid_client" || oe.Status != 401 || !strings.Contains(oe.Description, "registered for client_secret_basic, but the request used no client credentials") {
		t.Fatalf("PAR without client authentication: %v", err)
	}
	if !strings.Contains(oe.Endpoint, "pushed authorization") {
		t.Errorf("endpoint %q", oe.Endpoint)
	}
}

func TestRequestObjectNeedsAKeyOrSecret(t *testing.T) {
	t.Parallel()
	p := demoidptest.Start(t)
	c := demoClient(t, p, "demo-public")
	c.Config.RequestObject = true
	_, err := c.NewAuthRequest(context.Background(), "")
	var fe *flows.Error
	if !errors.As(err, &fe) || fe.Kind != flows.KindRequestObjectSigning {
		t.Fatalf("unsigned request object: %v", err)
	}
	for _, k := range []flows.Kind{flows.KindRequestObjectSigning, flows.KindInvalidPARResponse} {
		if _, ok := assets.Explain(string(k)); !ok {
			t.Errorf("no explanation for %s", k)
		}
	}
}
