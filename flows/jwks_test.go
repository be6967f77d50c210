package flows

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"
)

// jwksServer serves a JWKS that the test can replace, counting requests; it also serves discovery
// metadata naming it.
type jwksServer struct {
	*httptest.Server
	mu       sync.Mutex
	set      *jose.JSONWebKeySet
	body     string // served instead of set when not empty
	algs     []string
	requests atomic.Int32
}

func newJWKSServer(t *testing.T, set *jose.JSONWebKeySet) *jwksServer {
	s := &jwksServer{set: set}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /jwks", func(w http.ResponseWriter, r *http.Request) {
		s.requests.Add(1)
		s.mu.Lock()
		defer s.mu.Unlock()
		if s.body != "" {
			w.Header().Set("Content-Type", "text/html")
			w.Write([]byte(s.body))
			return
		}
		w.Header().Set("Content-Type", "application/jwk-set+json")
		json.NewEncoder(w).Encode(s.set)
	})
	mux.HandleFunc("GET /.well-known/openid-configuration", func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		defer s.mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(map[string]any{
			"issuer": s.URL, "authorization_endpoint": s.URL + "/authorize", "token_endpoint": s.URL + "/token",
			"jwks_uri": s.URL + "/jwks", "id_token_signing_alg_values_supported": s.algs,
		})
	})
	s.Server = httptest.NewServer(mux)
	t.Cleanup(s.Close)
	return s
}

func (s *jwksServer) serve(set *jose.JSONWebKeySet) {
	s.mu.Lock()
	s.set = set
	s.mu.Unlock()
}

func newTestClient(t *testing.T, cfg ClientConfig) *Client {
	t.Helper()
	c, err := NewClient(cfg, TransportOptions{})
	if err != nil {
		t.Fatal(err)
	}
	c.Now = func() time.Time { return testNow }
	return c
}

// publicSet returns the keys of the test JWKS with these kids.
func publicSet(kids ...string) *jose.JSONWebKeySet {
	out := &jose.JSONWebKeySet{}
	for _, k := range testJWKS().Keys {
		for _, kid := range kids {
			if k.KeyID == kid {
				out.Keys = append(out.Keys, k)
			}
		}
	}
	return out
}

func TestJWKSFetchedOnceAndRefetchedOnUnknownKID(t *testing.T) {
	k := testKeyPairs()
	srv := newJWKSServer(t, publicSet("rsa-1"))
	c := newTestClient(t, ClientConfig{Endpoints: Endpoints{JWKS: srv.URL + "/jwks"}})
	ctx := context.Background()

	set, err := c.JWKS(ctx)
	if err != nil || len(set.Keys) != 1 {
		t.Fatalf("JWKS() = %v, %v", set, err)
	}
	if _, err := c.JWKS(ctx); err != nil {
		t.Fatal(err)
	}
	if n := srv.requests.Load(); n != 1 {
		t.Fatalf("%d requests for two JWKS() calls, want 1 (cached)", n)
	}

	// A known kid: no request.
	key, refetched, err := c.Keys().Key(ctx, "rsa-1", "RS256")
	if err != nil || refetched || key.KeyID != "rsa-1" || !key.IsPublic() {
		t.Fatalf("Keys().Key(rsa-1) = %+v, %v, %v", key, refetched, err)
	}
	if n := srv.requests.Load(); n != 1 {
		t.Fatalf("%d requests after a known kid, want 1", n)
	}

	// The provider rotates to ec-1: the unknown kid triggers exactly one refetch, which finds it.
	srv.serve(publicSet("ec-1"))
	key, refetched, err = c.Keys().Key(ctx, "ec-1", "ES256")
	if err != nil || !refetched || key.KeyID != "ec-1" {
		t.Fatalf("Keys().Key(ec-1) after rotation = %+v, %v, %v", key, refetched, err)
	}
	if n := srv.requests.Load(); n != 2 {
		t.Fatalf("%d requests after rotation, want 2", n)
	}
	r := c.ValidateIDToken(ctx, signTest(t, jose.ES256, k.ec, "ec-1", nil, goodClaims()), Expect{Issuer: testIssuer, Audience: testClient})
	if sig := mustCheck(t, r, "signature"); sig.Status != CheckPass {
		t.Errorf("signature after rotation = %+v", sig)
	}

	// A kid that is nowhere: exactly one refetch, then a failure that says so and lists the kids.
	_, refetched, err = c.Keys().Key(ctx, "gone", "RS256")
	var fe *Error
	if !errors.As(err, &fe) || fe.Kind != KindUnknownKID || !refetched {
		t.Fatalf("unknown kid: refetched %v, err %v", refetched, err)
	}
	for _, want := range []string{`no key with kid "gone"`, srv.URL + "/jwks", `"ec-1" (EC P-256)`, "even after fetching the JWKS again"} {
		if !strings.Contains(fe.Detail, want) {
			t.Errorf("detail %q lacks %q", fe.Detail, want)
		}
	}
	if n := srv.requests.Load(); n != 3 {
		t.Fatalf("%d requests after an unknown kid, want 3 (one refetch)", n)
	}

	// Every fetch is in the trace under the step "jwks".
	var steps []string
	for _, x := range c.Trace.Exchanges() {
		steps = append(steps, x.Step)
	}
	if strings.Join(steps, ",") != "jwks,jwks,jwks" {
		t.Errorf("trace steps %v, want three jwks exchanges", steps)
	}
}

func TestJWKSNoRefetchRightAfterFirstFetch(t *testing.T) {
	srv := newJWKSServer(t, publicSet("rsa-1"))
	keys := RemoteKeys(newTestClient(t, ClientConfig{}), srv.URL+"/jwks")
	_, refetched, err := keys.Key(context.Background(), "other", "RS256")
	var fe *Error
	if !errors.As(err, &fe) || fe.Kind != KindUnknownKID || refetched {
		t.Fatalf("refetched %v, err %v", refetched, err)
	}
	if n := srv.requests.Load(); n != 1 {
		t.Errorf("%d requests, want 1: a set fetched a moment ago is not fetched again", n)
	}
}

func TestJWKSFailuresReachTheSignatureCheck(t *testing.T) {
	srv := newJWKSServer(t, publicSet("rsa-1"))
	srv.body = "<!doctype html><html><title>Sign in</title></html>"
	c := newTestClient(t, ClientConfig{Endpoints: Endpoints{JWKS: srv.URL + "/jwks"}, ClientID: testClient})
	r := c.ValidateIDToken(context.Background(), rs256(t, goodClaims()), Expect{Issuer: testIssuer})
	sig := mustCheck(t, r, "signature")
	if sig.Status != CheckFail || sig.Kind != KindHTMLPage || !strings.Contains(sig.Detail, "HTML page") {
		t.Errorf("signature = %+v", sig)
	}

	srv.body = ""
	srv.serve(&jose.JSONWebKeySet{})
	c = newTestClient(t, ClientConfig{Endpoints: Endpoints{JWKS: srv.URL + "/jwks"}})
	_, _, err := c.Keys().Key(context.Background(), "", "RS256")
	var fe *Error
	if !errors.As(err, &fe) || fe.Kind != KindUnknownKID || !strings.Contains(fe.Detail, "no usable keys") {
		t.Errorf("empty set: %v", err)
	}
}

func TestKeysNeedAnIssuerOrJWKS(t *testing.T) {
	c := newTestClient(t, ClientConfig{ClientID: testClient})
	if c.Keys() != nil {
		t.Fatal("Keys() without issuer or jwks endpoint is not nil")
	}
	r := c.ValidateIDToken(context.Background(), rs256(t, goodClaims()), Expect{})
	if sig := mustCheck(t, r, "signature"); sig.Status != CheckSkipped || !strings.Contains(sig.Detail, "no JWKS or issuer given") {
		t.Errorf("signature = %+v", sig)
	}
	if iss := mustCheck(t, r, "iss"); iss.Status != CheckSkipped {
		t.Errorf("iss with no issuer known = %+v", iss)
	}
}

func TestValidateIDTokenUsesDiscovery(t *testing.T) {
	k := testKeyPairs()
	srv := newJWKSServer(t, testJWKS())
	srv.algs = []string{"ES256"}
	c := newTestClient(t, ClientConfig{Issuer: srv.URL, ClientID: testClient})
	claims := goodClaims()
	claims["iss"] = srv.URL
	ctx := context.Background()

	r := c.ValidateIDToken(ctx, signTest(t, jose.ES256, k.ec, "ec-1", nil, claims), Expect{Nonce: "n-0S6_WzA2Mj"})
	if !r.OK() {
		t.Fatalf("ES256 token from the discovered provider: %+v", r.Failed())
	}
	for name, want := range map[string]string{"iss": srv.URL, "aud": testClient, "azp": testClient, "alg": "advertised algorithms (ES256)"} {
		if c := mustCheck(t, r, name); c.Status != CheckPass || !strings.Contains(c.Detail, want) {
			t.Errorf("%s = %+v, want a pass naming %q", name, c, want)
		}
	}
	r = c.ValidateIDToken(ctx, rs256(t, claims), Expect{})
	if alg := mustCheck(t, r, "alg"); alg.Status != CheckFail || alg.Kind != KindAlgNotAllowed {
		t.Errorf("RS256 when the provider advertises ES256 only: %+v", alg)
	}
	if sig := mustCheck(t, r, "signature"); sig.Status != CheckPass {
		t.Errorf("the signature is still checked and reported: %+v", sig)
	}
	if n := srv.requests.Load(); n != 1 {
		t.Errorf("%d JWKS requests for two validations, want 1", n)
	}
}

func TestParseJWKS(t *testing.T) {
	k := testKeyPairs()
	good, err := json.Marshal(testJWKS())
	if err != nil {
		t.Fatal(err)
	}
	set, err := parseSet(good)
	if err != nil || len(set.Keys) != 4 {
		t.Fatalf("parseSet(test set) = %v, %v", set, err)
	}

	// A private key published by mistake: only its public part is kept.
	priv, _ := json.Marshal(jose.JSONWebKey{Key: k.ec, KeyID: "leaky"})
	set, err = parseSet([]byte(`{"keys":[` + string(priv) + `]}`))
	if err != nil || len(set.Keys) != 1 || !set.Keys[0].IsPublic() {
		t.Fatalf("private key: %v, %v", set, err)
	}

	// A lone JWK is a set of one.
	pub, _ := json.Marshal(jose.JSONWebKey{Key: &k.rsa1.PublicKey, KeyID: "solo"})
	if set, err = parseSet(pub); err != nil || len(set.Keys) != 1 || set.Keys[0].KeyID != "solo" {
		t.Fatalf("lone JWK: %v, %v", set, err)
	}

	// Keys go-jose cannot read are left out; the rest stay, and a token naming one is explained.
	mixed := `{"keys":[{"kty":"AKP","alg":"ML-DSA-44","kid":"pq","pub":"AAAA"},{"kty":"EC","crv":"P-256","kid":"bad-ec","x":"AAAA","y":"AAAA"},` + string(pub) + `]}`
	set, err = parseSet([]byte(mixed))
	if err != nil || len(set.Keys) != 1 {
		t.Fatalf("mixed set: %v, %v", set, err)
	}
	ks, err := ParseStaticKeys([]byte(mixed), "jwks.json")
	if err != nil {
		t.Fatal(err)
	}
	_, _, err = ks.Key(context.Background(), "bad-ec", "ES256")
	var fe *Error
	if !errors.As(err, &fe) || fe.Kind != KindUnknownKID || !strings.Contains(fe.Detail, `the JWKS in jwks.json lists kid "bad-ec", but the key cannot be used`) {
		t.Errorf("unusable kid: %v", err)
	}

	cases := map[string]string{
		"":                                   "empty",
		"   ":                                "empty",
		"-----BEGIN PUBLIC KEY-----\nMII...": "PEM",
		"<html><body>login</body></html>":    "HTML",
		"[1,2]":                              "not a JSON object",
		`{"issuer":"x"}`:                     `no "keys" member`,
		`{"keys":{"kty":"RSA"}}`:             `"keys" member is not an array`,
		`{"keys":[{"kid":"a"},{"kty":"RSA","kid":"b","n":"AQAB"}]}`: "no key in the JWKS is usable",
	}
	for in, want := range cases {
		_, err := parseSet([]byte(in))
		var fe *Error
		if !errors.As(err, &fe) || fe.Kind != KindMalformedJWKS || !strings.Contains(fe.Detail, want) {
			t.Errorf("parseSet(%q) = %v, want malformed_jwks saying %q", in, err, want)
		}
	}
	_, err = parseSet([]byte(`{"keys":[{"kid":"a"},{"kty":"RSA","kid":"b","n":"AQAB"}]}`))
	if !strings.Contains(err.Error(), `key 1 (kid "a"): no "kty" member`) || !strings.Contains(err.Error(), `key 2 (kid "b")`) {
		t.Errorf("per-key reasons missing: %v", err)
	}
	if set, err := parseSet([]byte(`{"keys":[]}`)); err != nil || len(set.Keys) != 0 {
		t.Errorf("empty keys array: %v, %v", set, err)
	}
}

// FuzzParseJWKS checks that parseJWKS never panics, that failures are malformed_jwks errors, and
// that every key of a parsed set is valid and can be looked up without panicking.
func FuzzParseJWKS(f *testing.F) {
	good, _ := json.Marshal(testJWKS())
	f.Add(string(good))
	f.Add(`{"keys":[]}`)
	f.Add(`{"kty":"oct","k":"c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LXNlY3JldA","kid":"h"}`)
	f.Add(`{"keys":[{"kty":"EC","crv":"P-256","x":"AAAA","y":"AAAA"}]}`)
	f.Add(`{"keys":[{"kty":"OKP","crv":"Ed25519","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}]}`)
	f.Add(`{"keys":[{"kty":"RSA","n":"AQAB","e":"AQAB","d":"AQAB"}]}`)
	f.Add(`{"keys":"x"}`)
	f.Add(`[]`)
	f.Add(`-----BEGIN CERTIFICATE-----`)
	f.Fuzz(func(t *testing.T, body string) {
		set, err := parseSet([]byte(body))
		if err != nil {
			var fe *Error
			if set != nil || !errors.As(err, &fe) || fe.Kind != KindMalformedJWKS || fe.Detail == "" {
				t.Fatalf("parseSet(%q) = %v, %v: failures must be malformed_jwks", body, set, err)
			}
			return
		}
		keys := NewStaticKeys(set)
		for i := range set.Keys {
			k := &set.Keys[i]
			if !k.Valid() {
				t.Fatalf("invalid key %d in %q", i, body)
			}
			if _, ok := k.Key.([]byte); !ok && !k.IsPublic() {
				t.Fatalf("key %d of %q kept private material", i, body)
			}
			for _, alg := range []string{"RS256", "ES256", "EdDSA", "HS256"} {
				_, _, _ = keys.Key(context.Background(), k.KeyID, alg)
			}
		}
		_, _, _ = keys.Key(context.Background(), "", "RS256")
	})
}
