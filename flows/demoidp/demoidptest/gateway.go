package demoidptest

import (
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"slices"
	"sync"
	"testing"

	"github.com/tokenbench/tokenbench/flows/demoidp"
)

// Gateway is a reverse proxy in front of the provider that lets through only requests carrying one
// header with one value, as an API gateway in front of a token endpoint may want; the others get a
// 403 with a JSON error. It is closed when the test ends.
type Gateway struct {
	// URL is the gateway's base URL: the provider's paths below it.
	URL  string
	mu   sync.Mutex
	seen []string
}

// StartGateway starts a Gateway for the provider that wants name: value.
func StartGateway(t testing.TB, p *demoidp.Provider, name, value string) *Gateway {
	t.Helper()
	target, err := url.Parse(p.Issuer())
	if err != nil {
		t.Fatal(err)
	}
	g := &Gateway{}
	proxy := httputil.NewSingleHostReverseProxy(target)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get(name) != value {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusForbidden)
			w.Write([]byte(`{"error":"access_denied","error_description":"the gateway wants the ` + name + ` header"}`)) //nolint:errcheck // the client may be gone
			return
		}
		g.mu.Lock()
		g.seen = append(g.seen, r.URL.Path)
		g.mu.Unlock()
		proxy.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	g.URL = srv.URL
	return g
}

// Passed returns the paths of the requests the gateway let through, in order.
func (g *Gateway) Passed() []string {
	g.mu.Lock()
	defer g.mu.Unlock()
	return slices.Clone(g.seen)
}
