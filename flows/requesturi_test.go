package flows_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/tokenbench/tokenbench/flows"
	"github.com/tokenbench/tokenbench/flows/demoidp/demoidptest"
)

// TestRequestObjectByReference: the request object is served once on loopback, the authorization
// URL carries its request_uri, the built-in provider fetches and verifies it, and the flow ends in
// tokens.
func TestRequestObjectByReference(t *testing.T) {
	p := demoidptest.Start(t)
	c := demoClient(t, p, "demo-private-key-jwt")
	c.Config.RequestObject, c.Config.RequestObjectByReference = true, true
	req, tok, err := codeFlow(t, c)
	if err != nil || tok.AccessToken == "" {
		t.Fatalf("code flow with a request object by reference: %v", err)
	}
	u, _ := url.Parse(req.URL)
	q := u.Query()
	if q.Get("request_uri") != req.RequestObjectURI || !strings.HasPrefix(req.RequestObjectURI, "http://127.0.0.1:") || q.Has("request") || q.Has("state") {
		t.Errorf("authorization URL %s", req.URL)
	}
	if q.Get("response_type") != "code" || !strings.Contains(q.Get("scope"), "openid") || q.Get("client_id") != "demo-private-key-jwt" {
		t.Errorf("the URL lacks what OpenID Connect Core §6.1 sends beside the object: %s", req.URL)
	}
	var fetch *flows.Exchange
	for _, x := range c.Trace.Exchanges() {
		if x.Step == "request_uri" {
			fetch = x
		}
	}
	if fetch == nil || fetch.Status != http.StatusOK || fetch.ResponseHeader.Get("Content-Type") != "application/oauth-authz-req+jwt" || string(fetch.ResponseBody) != req.RequestObject {
		t.Fatalf("the provider's fetch as recorded: %+v", fetch)
	}
	// One fetch per request: the object is gone afterwards.
	if resp, err := http.Get(req.RequestObjectURI); err == nil {
		resp.Body.Close()
		if resp.StatusCode == http.StatusOK {
			t.Errorf("a second fetch of the request_uri: HTTP %d", resp.StatusCode)
		}
	}
}

// With PAR the object is pushed, whatever by reference says (RFC 9126 §3).
func TestRequestObjectByReferenceWithPARIsPushed(t *testing.T) {
	p := demoidptest.Start(t)
	c := demoClient(t, p, "demo-jwt")
	c.Config.RequestObject, c.Config.RequestObjectByReference, c.Config.PAR = true, true, true
	req, tok, err := codeFlow(t, c)
	if err != nil || tok.AccessToken == "" || req.RequestObjectURI != "" || req.PAR == nil || req.PAR.Pushed.Get("request") == "" {
		t.Fatalf("PAR with by reference: %v %+v", err, req)
	}
}
