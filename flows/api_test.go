package flows_test

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/tokenbench/tokenbench/flows"
	"github.com/tokenbench/tokenbench/flows/demoidp"
	"github.com/tokenbench/tokenbench/flows/demoidp/demoidptest"
)

// TestCallAPIBearer calls the demo API with a bearer token, by GET and by POST with a body and a
// header of the caller's.
func TestCallAPIBearer(t *testing.T) {
	p := demoidptest.Start(t)
	ctx := context.Background()
	c := demoClient(t, p, "demo-basic")
	_, tok, err := codeFlow(t, c)
	if err != nil {
		t.Fatal(err)
	}
	api := p.Issuer() + demoidp.APIPath
	res, err := c.CallAPI(ctx, flows.APICall{URL: api, AccessToken: tok.AccessToken})
	if err != nil {
		t.Fatal(err)
	}
	if res.Status != http.StatusOK || res.Members["sub"] != "demo-user-1" || res.Members["client_id"] != "demo-basic" || res.Members["bound"] != "bearer" || res.Members["method"] != "GET" {
		t.Errorf("answer %d %s", res.Status, res.Body)
	}
	if !strings.Contains(res.Members["scope"].(string), "openid") || res.Header.Get("Content-Type") != "application/json" {
		t.Errorf("scope %v, Content-Type %q", res.Members["scope"], res.Header.Get("Content-Type"))
	}

	body := []byte(`{"order":42}`)
	res, err = c.CallAPI(ctx, flows.APICall{URL: api, AccessToken: tok.AccessToken, Body: body, ContentType: "application/json", Header: http.Header{"X-Request-Id": {"r-1"}}})
	if err != nil {
		t.Fatal(err)
	}
	got, _ := res.Members["received"].(map[string]any)
	if res.Members["method"] != "POST" || got["content_type"] != "application/json" || got["bytes"] != json.Number("12") {
		t.Errorf("POST answer %s", res.Body)
	}
	xs := steps(c, "resource")
	if len(xs) != 2 {
		t.Fatalf("%d resource exchanges, want 2", len(xs))
	}
	x := xs[1]
	if x.Method != "POST" || string(x.RequestBody) != string(body) || x.RequestHeader.Get("X-Request-Id") != "r-1" ||
		x.RequestHeader.Get("Authorization") != "Bearer "+tok.AccessToken || x.RequestHeader.Get("DPoP") != "" {
		t.Errorf("request %s %s %v %s", x.Method, x.URL, x.RequestHeader, x.RequestBody)
	}

	// An unknown token: the refusal read from WWW-Authenticate, explained.
	_, err = c.CallAPI(ctx, flows.APICall{URL: api, AccessToken: "not-a-token"})
	wantOAuthError(t, err, "invalid_token", "unknown to the provider")
	if oe := (*flows.OAuthError)(nil); errors.As(err, &oe) && (oe.Status != http.StatusUnauthorized || oe.Endpoint != "resource server") {
		t.Errorf("error %+v", oe)
	}
	if _, ex, ok := flows.Explain(err); !ok || ex.Title == "" {
		t.Errorf("no explanation for %v", err)
	}
}

// TestCallAPIDPoP calls the demo API with a DPoP-bound token: the proof names the call's method
// and URL and carries ath; the use_dpop_nonce challenge is retried once. The same token as a
// bearer token, and with a proof for another URL, is refused with the reason.
func TestCallAPIDPoP(t *testing.T) {
	p := demoidptest.Start(t)
	ctx := context.Background()
	c := dpopClient(t, p, "demo-public")
	_, tok, err := codeFlow(t, c)
	if err != nil {
		t.Fatal(err)
	}
	// Nonces are demanded from now on: the client has none yet, so the first call is challenged.
	demoidptest.SetFaults(t, p, "dpop-nonce")
	api := p.Issuer() + demoidp.APIPath
	res, err := c.CallAPI(ctx, flows.APICall{Method: http.MethodGet, URL: api + "?page=2#top", AccessToken: tok.AccessToken})
	if err != nil {
		t.Fatal(err)
	}
	jkt, err := c.DPoPThumbprint()
	if err != nil {
		t.Fatal(err)
	}
	cnf, _ := res.Members["cnf"].(map[string]any)
	if res.Status != http.StatusOK || res.Members["bound"] != "dpop" || cnf["jkt"] != jkt || res.Members["sub"] != "demo-user-1" {
		t.Errorf("answer %d %s", res.Status, res.Body)
	}
	xs := steps(c, "resource")
	if len(xs) != 2 {
		t.Fatalf("%d resource exchanges, want 2 (use_dpop_nonce, then the retry)", len(xs))
	}
	if xs[0].Status != http.StatusUnauthorized || !strings.Contains(xs[0].ResponseHeader.Get("WWW-Authenticate"), `error="use_dpop_nonce"`) {
		t.Errorf("first answer %d %q", xs[0].Status, xs[0].ResponseHeader.Get("WWW-Authenticate"))
	}
	sum := sha256.Sum256([]byte(tok.AccessToken))
	ath := base64.RawURLEncoding.EncodeToString(sum[:])
	for i, x := range xs {
		_, cl := proofClaims(t, x)
		if cl["htm"] != "GET" || cl["htu"] != api || cl["ath"] != ath || x.RequestHeader.Get("Authorization") != "DPoP "+tok.AccessToken {
			t.Errorf("request %d: claims %v, Authorization %q", i, cl, x.RequestHeader.Get("Authorization"))
		}
		if want := map[bool]any{false: nil, true: xs[0].ResponseHeader.Get("DPoP-Nonce")}[i == 1]; cl["nonce"] != want {
			t.Errorf("request %d: nonce %v, want %v", i, cl["nonce"], want)
		}
	}
	if xs[1].Status != http.StatusOK {
		t.Errorf("retry answered %d", xs[1].Status)
	}

	// The same token, presented as a bearer token by a client without the key.
	_, err = demoClient(t, p, "demo-public").CallAPI(ctx, flows.APICall{URL: api, AccessToken: tok.AccessToken})
	wantOAuthError(t, err, "invalid_token", "not as a Bearer token")

	// A proof for another URL: the same API reached by another host name, so htu differs from the
	// URL the server knows itself by (RFC 9449 §4.3 check 9).
	other := strings.Replace(api, "127.0.0.1", "localhost", 1)
	if other == api {
		t.Fatalf("issuer %s is not on 127.0.0.1", p.Issuer())
	}
	_, err = c.CallAPI(ctx, flows.APICall{URL: other, AccessToken: tok.AccessToken})
	wantOAuthError(t, err, "invalid_dpop_proof", "htu")
}

// TestCallAPIMTLS calls the demo API with a certificate-bound token: with its certificate it
// passes; without one, or with another, it is refused.
func TestCallAPIMTLS(t *testing.T) {
	p := startMTLSProvider(t)
	ctx := context.Background()
	cert := demoCert(t, p, demoidp.MTLSClientID)
	c := mtlsClient(t, p, demoidp.MTLSClientID, flows.AuthTLSClient, &cert)
	tok, err := c.ClientCredentials(ctx)
	if err != nil {
		t.Fatal(err)
	}
	api := p.MTLSBaseURL() + demoidp.APIPath
	res, err := c.CallAPI(ctx, flows.APICall{URL: api, AccessToken: tok.AccessToken})
	if err != nil {
		t.Fatal(err)
	}
	cnf, _ := res.Members["cnf"].(map[string]any)
	if res.Members["bound"] != "mtls" || cnf["x5t#S256"] == nil || res.Members["sub"] != demoidp.MTLSClientID {
		t.Errorf("answer %d %s", res.Status, res.Body)
	}

	noCert := mtlsClient(t, p, "demo-public", "", nil)
	_, err = noCert.CallAPI(ctx, flows.APICall{URL: api, AccessToken: tok.AccessToken})
	wantOAuthError(t, err, "invalid_token", "presented none")
	other := demoCert(t, p, demoidp.MTLSSelfSignedClientID)
	_, err = mtlsClient(t, p, demoidp.MTLSSelfSignedClientID, flows.AuthSelfSignedTLSClient, &other).CallAPI(ctx, flows.APICall{URL: api, AccessToken: tok.AccessToken})
	wantOAuthError(t, err, "invalid_token", "presented another one")
}

// TestCallAPIAnyAnswer: an API may answer anything; only a refused token is an error. The
// transport's body limit and timeout apply.
func TestCallAPIAnyAnswer(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer tok" {
			http.Error(w, "no token", http.StatusBadRequest)
			return
		}
		switch r.URL.Path {
		case "/text":
			w.Header().Set("Content-Type", "text/plain")
			w.Write([]byte("hello")) //nolint:errcheck
		case "/problem":
			w.Header().Set("Content-Type", "application/problem+json")
			w.WriteHeader(http.StatusNotFound)
			w.Write([]byte(`{"title":"no such order","status":404}`)) //nolint:errcheck
		case "/denied":
			w.Header().Set("Content-Type", "text/html")
			w.WriteHeader(http.StatusForbidden)
			w.Write([]byte("<h1>denied by policy</h1>")) //nolint:errcheck
		case "/scope":
			w.Header().Set("WWW-Authenticate", `Bearer realm="orders", error="insufficient_scope", error_description="orders:write is needed", scope="orders:write"`)
			w.WriteHeader(http.StatusForbidden)
		case "/big":
			w.Write([]byte(strings.Repeat("x", 4096))) //nolint:errcheck
		case "/slow":
			select {
			case <-r.Context().Done():
			case <-time.After(5 * time.Second):
			}
		}
	}))
	defer srv.Close()
	c, err := flows.NewClient(flows.ClientConfig{}, flows.TransportOptions{Timeout: 500 * time.Millisecond, MaxBody: 1024})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	call := func(path string) (*flows.APIResponse, error) {
		return c.CallAPI(ctx, flows.APICall{URL: srv.URL + path, AccessToken: "tok"})
	}

	res, err := call("/text")
	if err != nil || res.Status != http.StatusOK || string(res.Body) != "hello" || res.Members != nil {
		t.Errorf("text: %+v %v", res, err)
	}
	res, err = call("/problem")
	if err != nil || res.Status != http.StatusNotFound || res.Members["title"] != "no such order" {
		t.Errorf("problem+json: %+v %v", res, err)
	}
	// A 403 without a challenge is the API's own answer, not a verdict on the token.
	res, err = call("/denied")
	if err != nil || res.Status != http.StatusForbidden || !strings.Contains(string(res.Body), "denied by policy") {
		t.Errorf("403 without a challenge: %+v %v", res, err)
	}
	_, err = call("/scope")
	wantOAuthError(t, err, "insufficient_scope", "orders:write is needed")

	var fe *flows.Error
	if _, err = call("/big"); !errors.As(err, &fe) || fe.Kind != flows.KindBodyTooLarge {
		t.Errorf("a body over the limit: %v, want %s", err, flows.KindBodyTooLarge)
	}
	if _, err = call("/slow"); !errors.As(err, &fe) || fe.Kind != flows.KindTimeout {
		t.Errorf("a slow answer: %v, want %s", err, flows.KindTimeout)
	}
	for _, x := range c.Trace.Exchanges() {
		if x.Step != "resource" {
			t.Errorf("exchange %d %s recorded under step %q", x.ID, x.URL, x.Step)
		}
	}
}
