package flows_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tokenbench/tokenbench/flows"
)

// TestFailedDiscoveryIsFetchedOnce checks that a provider without discovery is asked once per run,
// not again by every step that looks up an endpoint (the token request looks up the token endpoint
// for the client assertion's aud, for the request and for the id_token's checks).
func TestFailedDiscoveryIsFetchedOnce(t *testing.T) {
	var wellKnown atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.Contains(r.URL.Path, "/.well-known/") {
			wellKnown.Add(1)
		}
		http.NotFound(w, r)
	}))
	defer srv.Close()
	c, err := flows.NewClient(flows.ClientConfig{Issuer: srv.URL, ClientID: "c", ClientSecret: "s"}, flows.TransportOptions{Timeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if _, err := c.Discover(ctx); err == nil {
		t.Fatal("discovery succeeded against a provider without metadata")
	}
	first := wellKnown.Load()
	if first == 0 {
		t.Fatal("discovery asked nothing")
	}
	for range 3 {
		if _, err := c.ClientCredentials(ctx); err == nil || !strings.Contains(err.Error(), "discovery failed") {
			t.Fatalf("client credentials without a token endpoint: err = %v", err)
		}
	}
	if n := wellKnown.Load(); n != first {
		t.Fatalf("the discovery URLs were asked %d times in all, %d by the first discovery: a failure must be kept for the run", n, first)
	}
}
