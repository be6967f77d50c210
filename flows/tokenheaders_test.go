package flows_test

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"slices"
	"testing"

	"github.com/tokenbench/tokenbench/flows"
	"github.com/tokenbench/tokenbench/flows/demoidp/demoidptest"
)

// TestTokenHeadersReachEveryBackChannelRequest: the configured headers go with the token, PAR,
// device authorization and CIBA requests, so a gateway that wants one lets them through; without
// them it does not.
func TestTokenHeadersReachEveryBackChannelRequest(t *testing.T) {
	p := demoidptest.Start(t)
	g := demoidptest.StartGateway(t, p, "X-Gateway-Key", "k1")
	gw := g.URL
	cfg := demoClient(t, p, "demo-basic").Config
	cfg.Endpoints = flows.Endpoints{Token: gw + "/token", PushedAuthorization: gw + "/par", DeviceAuthorization: gw + "/device_authorization", BackchannelAuthentication: gw + "/bc-authorize"}
	ctx := context.Background()
	requests := func(c *flows.Client) []error {
		_, e1 := c.ClientCredentials(ctx)
		_, e2 := c.PushAuthorization(ctx, url.Values{"response_type": {"code"}, "redirect_uri": {"http://127.0.0.1:9/cb"}, "scope": {"openid"}})
		_, e3 := c.DeviceAuthorize(ctx)
		_, e4 := c.BackchannelAuthorize(ctx, flows.CIBARequest{LoginHint: "demo"})
		return []error{e1, e2, e3, e4}
	}

	without, err := flows.NewClient(cfg, flows.TransportOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for i, err := range requests(without) {
		var fe *flows.Error
		var oe *flows.OAuthError
		if err == nil || !(errors.As(err, &fe) || errors.As(err, &oe)) {
			t.Errorf("request %d without the header: %v, want the gateway's refusal", i, err)
		}
	}

	cfg.TokenHeaders = http.Header{"X-Gateway-Key": {"k1"}}
	with, err := flows.NewClient(cfg, flows.TransportOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for i, err := range requests(with) {
		if err != nil {
			t.Errorf("request %d with the header: %v", i, err)
		}
	}
	want := []string{"/token", "/par", "/device_authorization", "/bc-authorize"}
	if got := g.Passed(); !slices.Equal(got, want) {
		t.Fatalf("the gateway let through %v, want %v", got, want)
	}
}
