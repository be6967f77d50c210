package flows_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"sync"
	"testing"

	"github.com/tokenbench/tokenbench/flows"
	"github.com/tokenbench/tokenbench/flows/demoidp/demoidptest"
)

// headerGateway stands in front of the provider as an API gateway that wants a header: it refuses
// any request without X-Gateway-Key: k1 (403), and passes the others on, recording their paths.
type headerGateway struct {
	mu   sync.Mutex
	seen []string
}

func startGateway(t *testing.T, provider string) (*headerGateway, string) {
	t.Helper()
	target, err := url.Parse(provider)
	if err != nil {
		t.Fatal(err)
	}
	g := &headerGateway{}
	proxy := httputil.NewSingleHostReverseProxy(target)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("X-Gateway-Key") != "k1" {
			http.Error(w, `{"error":"forbidden"}`, http.StatusForbidden)
			return
		}
		g.mu.Lock()
		g.seen = append(g.seen, r.URL.Path)
		g.mu.Unlock()
		proxy.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	return g, srv.URL
}

// TestTokenHeadersReachEveryBackChannelRequest: the configured headers go with the token, PAR,
// device authorization and CIBA requests, so a gateway that wants one lets them through; without
// them it does not.
func TestTokenHeadersReachEveryBackChannelRequest(t *testing.T) {
	p := demoidptest.Start(t)
	g, gw := startGateway(t, p.Issuer())
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
	g.mu.Lock()
	defer g.mu.Unlock()
	if len(g.seen) != len(want) {
		t.Fatalf("the gateway let through %v, want %v", g.seen, want)
	}
	for i := range want {
		if g.seen[i] != want[i] {
			t.Fatalf("the gateway let through %v, want %v", g.seen, want)
		}
	}
}
