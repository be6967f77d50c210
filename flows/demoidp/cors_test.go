package demoidp_test

import (
	"net/http"
	"testing"

	"github.com/tokenbench/tokenbench/flows/demoidp/demoidptest"
)

// A single-page app reads discovery, the keys, the token endpoint and UserInfo from its own
// origin; the authorization endpoint, a page the browser navigates to, gets no CORS header.
func TestCORSForBrowserClients(t *testing.T) {
	p := demoidptest.Start(t)
	req := func(method, path string) result {
		r, err := http.NewRequest(method, p.Issuer()+path, nil)
		if err != nil {
			t.Fatal(err)
		}
		r.Header.Set("Origin", "http://127.0.0.1:5555")
		r.Header.Set("Access-Control-Request-Method", "GET")
		return do(t, r)
	}
	for _, path := range []string{"/.well-known/openid-configuration", "/jwks"} {
		if r := req(http.MethodGet, path); r.status != 200 || r.header.Get("Access-Control-Allow-Origin") != "*" {
			t.Errorf("GET %s: %d, Access-Control-Allow-Origin %q", path, r.status, r.header.Get("Access-Control-Allow-Origin"))
		}
	}
	pre := req(http.MethodOptions, "/userinfo")
	if pre.status != http.StatusNoContent || pre.header.Get("Access-Control-Allow-Headers") != "Authorization, Content-Type, DPoP" {
		t.Errorf("preflight of /userinfo: %d %v", pre.status, pre.header)
	}
	if r := req(http.MethodGet, "/authorize?client_id=demo-public"); r.header.Get("Access-Control-Allow-Origin") != "" {
		t.Errorf("the authorization endpoint answers with CORS: %v", r.header)
	}
}
