package stepper

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"
	"time"

	"github.com/tokenbench/tokenbench/flows"
	"github.com/tokenbench/tokenbench/flows/demoidp/demoidptest"
)

// TestAssertionKeyFromPEMSendsNoMadeUpKid: the JWT bearer assertion the Flow screen signs with a PEM
// key carries no kid, as the command line's does. A kid of tokenbench's invention (the key's
// thumbprint) is one the provider's registered keys for the issuer do not hold, and a provider
// that picks the key by kid refuses the assertion; a JWS without kid is checked against every
// registered key (RFC 7515 §4.1.4, RFC 7523 §3 item 9).
func TestAssertionKeyFromPEMSendsNoMadeUpKid(t *testing.T) {
	var assertion string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		form, _ := url.ParseQuery(string(body))
		assertion = form.Get("assertion")
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"access_token":"at","token_type":"Bearer"}`)
	}))
	defer srv.Close()
	c, err := flows.NewClient(flows.ClientConfig{ClientID: "svc", Endpoints: flows.Endpoints{Token: srv.URL + "/token"}},
		flows.TransportOptions{Timeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	g := assertionGrant{
		grant:   flows.GrantJWTBearer,
		claims:  flows.AssertionClaims{Issuer: "https://issuer.example", Subject: "alice", Audience: []string{srv.URL}},
		keyFile: demoidptest.KeyPath(t, demoidptest.TrustedIssuerKey),
	}
	if _, err := g.run(context.Background(), c); err != nil {
		t.Fatal(err)
	}
	j, err := flows.DecodeJWT(assertion)
	if err != nil {
		t.Fatalf("assertion %q: %v", assertion, err)
	}
	if kid, has := j.Header["kid"]; has {
		t.Errorf("the assertion carries kid %v, which no provider registered", kid)
	}
	if j.Header["alg"] != "ES256" {
		t.Errorf("assertion header %v, want ES256", j.Header)
	}
}
