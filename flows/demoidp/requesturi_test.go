package demoidp_test

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/tokenbench/tokenbench/flows/demoidp/demoidptest"
)

// TestRequestURIFetchedOnlyFromLoopback: a request_uri that is no PAR handle is fetched, from
// loopback only, and what it answers must be a request object (RFC 9101 §5.2, §7.1).
func TestRequestURIFetchedOnlyFromLoopback(t *testing.T) {
	p := demoidptest.Start(t)
	meta := wantOK(t, get(t, p.Issuer()+"/.well-known/openid-configuration"))
	if meta["request_uri_parameter_supported"] != true {
		t.Errorf("request_uri_parameter_supported = %v", meta["request_uri_parameter_supported"])
	}
	var fetched atomic.Int32
	rp := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fetched.Add(1)
		http.Error(w, "gone", http.StatusGone)
	}))
	defer rp.Close()
	for uri, want := range map[string]string{
		"https://rp.example/request.jwt": "loopback",
		rp.URL + "/request.jwt":          "HTTP 410",
	} {
		q := url.Values{"client_id": {demoidptest.BasicID}, "redirect_uri": {"http://127.0.0.1:1/callback"}, "response_type": {"code"}, "scope": {"openid"}, "request_uri": {uri}}
		loc, err := url.Parse(demoidptest.Redirect(t, p.Issuer()+"/authorize?"+q.Encode()))
		if err != nil {
			t.Fatal(err)
		}
		if got := loc.Query(); got.Get("error") != "invalid_request_uri" || !strings.Contains(got.Get("error_description"), want) {
			t.Errorf("request_uri %s: %v, want invalid_request_uri saying %q", uri, got, want)
		}
	}
	if fetched.Load() != 1 {
		t.Errorf("the loopback request_uri was fetched %d times, want 1", fetched.Load())
	}
}
