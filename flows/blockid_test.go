package flows_test

import (
	"context"
	"errors"
	"testing"

	"github.com/tokenbench/tokenbench/flows"
	"github.com/tokenbench/tokenbench/flows/demoidp/demoidptest"
)

// With only an issuer, the direct authorize posts to {issuer}/v1/authorize, not to the discovered
// authorization_endpoint (the browser's page), and the code it brings back is exchanged.
func TestDirectAuthorizeWithOnlyIssuer(t *testing.T) {
	t.Parallel()
	p := demoidptest.Start(t)
	c := demoClient(t, p, "demo-jwt")
	ctx := context.Background()
	if got, err := c.DirectAuthorizeEndpoint(); err != nil || got != p.Issuer()+"/v1/authorize" {
		t.Fatalf("DirectAuthorizeEndpoint = %q, %v", got, err)
	}
	req, err := c.NewAuthRequest(ctx, "https://app.example.com/callback")
	if err != nil {
		t.Fatal(err)
	}
	params, err := c.DirectAuthorize(ctx, req, demoidptest.ProofJWT(t, p.Issuer(), c.Config.ClientSecret))
	if err != nil {
		t.Fatal(err)
	}
	xs := c.Trace.Exchanges()
	if last := xs[len(xs)-1]; last.Method != "POST" || last.URL != p.Issuer()+"/v1/authorize" || last.Status != 303 {
		t.Errorf("the direct authorize went to %s %s (HTTP %d)", last.Method, last.URL, last.Status)
	}
	res, err := c.VerifyCallback(ctx, req, params, false)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.ExchangeCode(ctx, req, res.Code); err != nil {
		t.Fatal(err)
	}

	// A configured endpoint is used as it is.
	c.Config.Endpoints.Authorization = p.Issuer() + "/authorize"
	if got, err := c.DirectAuthorizeEndpoint(); err != nil || got != p.Issuer()+"/authorize" {
		t.Errorf("with an authorization endpoint configured: %q, %v", got, err)
	}
	// Neither: nothing to post to, and the error says what to give.
	bare, err := flows.NewClient(flows.ClientConfig{ClientID: "demo-jwt", Endpoints: flows.Endpoints{Token: p.Issuer() + "/token"}}, flows.TransportOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var fe *flows.Error
	if _, err := bare.DirectAuthorizeEndpoint(); !errors.As(err, &fe) || fe.Kind != flows.KindMissingEndpoint {
		t.Errorf("without issuer or endpoint: %v", err)
	}
}
