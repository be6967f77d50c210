package flows_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/tokenbench/tokenbench/flows"
	"github.com/tokenbench/tokenbench/flows/demoidp/demoidptest"
)

// A provider without discovery (BlockID's tenant host answers every /.well-known/ path with an HTML
// page) and a client with no JWKS URL: the signature cannot be checked, which is a skip saying why
// and what to set, not a failure about missing metadata; and the report says it is not verified.
func TestNoJWKSURLSkipsTheSignature(t *testing.T) {
	p := demoidptest.Start(t, "html-discovery")
	c := demoClient(t, p, "demo-basic")
	c.Config.Endpoints = flows.Endpoints{Authorization: p.Issuer() + "/authorize", Token: p.Issuer() + "/token"}
	_, tok, err := codeFlow(t, c)
	if err != nil {
		t.Fatal(err)
	}
	if tok.IDToken == "" {
		t.Fatal("no id_token")
	}
	ctx := context.Background()
	r := c.ValidateIDToken(ctx, tok.IDToken, flows.Expect{})
	sig, _ := r.Find("signature")
	if sig.Status != flows.CheckSkipped {
		t.Fatalf("signature = %+v, want skipped", sig)
	}
	for _, want := range []string{"no JWKS URL", "no discovery document for the issuer \"" + p.Issuer() + "\"", "--jwks-uri", "profile's jwks endpoint", "NOT verified"} {
		if !strings.Contains(sig.Detail, want) {
			t.Errorf("signature detail lacks %q: %s", want, sig.Detail)
		}
	}
	if strings.Contains(sig.Detail, "no metadata found") {
		t.Errorf("signature detail still speaks of metadata: %s", sig.Detail)
	}
	if r.SignatureVerified() {
		t.Error("SignatureVerified with no JWKS to check against")
	}
	if iss, _ := r.Find("iss"); iss.Status != flows.CheckPass {
		t.Errorf("the other checks are still made: iss = %+v", iss)
	}

	// With the JWKS URL set by hand the same token verifies.
	c.Config.Endpoints.JWKS = p.Issuer() + "/jwks"
	r = c.ValidateIDToken(ctx, tok.IDToken, flows.Expect{})
	if sig, _ := r.Find("signature"); sig.Status != flows.CheckPass || !r.SignatureVerified() || !r.OK() {
		t.Errorf("with the JWKS URL set: signature = %+v, failed = %+v", sig, r.Failed())
	}
}

// Metadata without a jwks_uri is the same situation: skipped, naming the document.
func TestMetadataWithoutJWKSURISkipsTheSignature(t *testing.T) {
	p := demoidptest.Start(t)
	c := demoClient(t, p, "demo-basic")
	_, tok, err := codeFlow(t, c)
	if err != nil {
		t.Fatal(err)
	}
	var srv *httptest.Server
	srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(map[string]any{"issuer": srv.URL, "token_endpoint": srv.URL + "/token"})
	}))
	defer srv.Close()
	c2, err := flows.NewClient(flows.ClientConfig{Issuer: srv.URL, ClientID: "demo-basic"}, flows.TransportOptions{})
	if err != nil {
		t.Fatal(err)
	}
	r := c2.ValidateIDToken(context.Background(), tok.IDToken, flows.Expect{})
	sig, _ := r.Find("signature")
	if sig.Status != flows.CheckSkipped || !strings.Contains(sig.Detail, "metadata at "+srv.URL+"/.well-known/openid-configuration has no jwks_uri") || !strings.Contains(sig.Detail, "NOT verified") {
		t.Errorf("signature = %+v", sig)
	}
	if r.SignatureVerified() {
		t.Error("SignatureVerified with no JWKS to check against")
	}
}

// A JWKS URL that is known but does not answer keys still fails: only a missing URL is a skip.
func TestUnreachableJWKSStillFails(t *testing.T) {
	p := demoidptest.Start(t, "html-discovery")
	c := demoClient(t, p, "demo-basic")
	c.Config.Endpoints = flows.Endpoints{Authorization: p.Issuer() + "/authorize", Token: p.Issuer() + "/token", JWKS: p.Issuer() + "/no-such-jwks"}
	_, tok, err := codeFlow(t, c)
	if err != nil {
		t.Fatal(err)
	}
	r := c.ValidateIDToken(context.Background(), tok.IDToken, flows.Expect{})
	if sig, _ := r.Find("signature"); sig.Status != flows.CheckFail {
		t.Errorf("signature with a JWKS URL answering 404 = %+v, want a failure", sig)
	}
}
