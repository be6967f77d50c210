package flows_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/tokenbench/tokenbench/flows"
)

// assertionHeader runs client credentials with private_key_jwt and key against a token endpoint
// that records the client assertion, and returns the assertion's JOSE header.
func assertionHeader(t *testing.T, key []byte, keyID string) map[string]any {
	t.Helper()
	var assertion string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		form, _ := url.ParseQuery(string(body))
		assertion = form.Get("client_assertion")
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"access_token":"at","token_type":"Bearer"}`)
	}))
	defer srv.Close()
	k, err := flows.ParsePrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	if keyID != "" {
		k.KeyID = keyID
	}
	c, err := flows.NewClient(flows.ClientConfig{ClientID: "svc", SigningKey: k, Endpoints: flows.Endpoints{Token: srv.URL + "/token"}},
		flows.TransportOptions{Timeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.ClientCredentials(context.Background()); err != nil {
		t.Fatal(err)
	}
	seg, _, _ := strings.Cut(assertion, ".")
	raw, err := base64.RawURLEncoding.DecodeString(seg)
	if err != nil {
		t.Fatalf("assertion %q: %v", assertion, err)
	}
	var h map[string]any
	if err := json.Unmarshal(raw, &h); err != nil {
		t.Fatal(err)
	}
	return h
}

// TestPEMSigningKeySendsNoMadeUpKid checks that a PEM key's assertions carry no kid of tokenbench's
// invention (a thumbprint the provider's registered JWKS does not hold), that a kid the user gives is
// sent, and that a JWK's own kid is sent as it is.
func TestPEMSigningKeySendsNoMadeUpKid(t *testing.T) {
	pem, err := os.ReadFile("../assets/demo/private-key-jwt-rsa.pem")
	if err != nil {
		t.Fatal(err)
	}
	if h := assertionHeader(t, pem, ""); h["kid"] != nil {
		t.Errorf("PEM key: the assertion carries kid %v, which no provider registered", h["kid"])
	}
	if h := assertionHeader(t, pem, "registered-1"); h["kid"] != "registered-1" {
		t.Errorf("PEM key with a kid given: header kid %v, want registered-1", h["kid"])
	}
	k, err := flows.ParsePrivateKey(pem)
	if err != nil {
		t.Fatal(err)
	}
	k.KeyID = "jwk-own-kid"
	jwk, err := k.MarshalJSON()
	if err != nil {
		t.Fatal(err)
	}
	if h := assertionHeader(t, jwk, ""); h["kid"] != "jwk-own-kid" {
		t.Errorf("JWK: header kid %v, want its own jwk-own-kid", h["kid"])
	}
}
