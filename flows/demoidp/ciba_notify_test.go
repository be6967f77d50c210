package demoidp_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/tokenbench/tokenbench/flows/demoidp/demoidptest"
)

// TestCIBARegistrationOfDelivery: the delivery modes in the metadata, and what registration takes
// (CIBA Core §4): a notification endpoint for ping and push, only on loopback here.
func TestCIBARegistrationOfDelivery(t *testing.T) {
	p := demoidptest.Start(t)
	meta := wantOK(t, get(t, p.Issuer()+"/.well-known/openid-configuration"))
	if modes, _ := json.Marshal(meta["backchannel_token_delivery_modes_supported"]); string(modes) != `["poll","ping","push"]` {
		t.Errorf("backchannel_token_delivery_modes_supported %s", modes)
	}
	for doc, why := range map[string]string{
		`{"grant_types":["urn:openid:params:grant-type:ciba"],"backchannel_token_delivery_mode":"ping"}`:                                                                    "required",
		`{"grant_types":["urn:openid:params:grant-type:ciba"],"backchannel_token_delivery_mode":"push","backchannel_client_notification_endpoint":"https://rp.example/cb"}`: "loopback",
		`{"grant_types":["urn:openid:params:grant-type:ciba"],"backchannel_token_delivery_mode":"carrier-pigeon"}`:                                                          "poll, ping, push",
	} {
		m := wantErrorStatus(t, sendJSON(t, http.MethodPost, p.Issuer()+"/register", doc, ""), "invalid_client_metadata")
		if !strings.Contains(m["error_description"].(string), why) {
			t.Errorf("%s: %v, want it to say %q", doc, m["error_description"], why)
		}
	}
}

func wantErrorStatus(t *testing.T, r result, code string) map[string]any {
	t.Helper()
	return wantError(t, r, http.StatusBadRequest, code)
}

// TestCIBAPingDelivery: a ping-mode client must send client_notification_token; on approval the
// provider POSTs the auth_req_id with it as a Bearer token, and the token endpoint then answers.
func TestCIBAPingDelivery(t *testing.T) {
	p := demoidptest.Start(t)
	got := make(chan *http.Request, 1)
	bodies := make(chan string, 1)
	rp := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		got <- r
		bodies <- string(b)
		w.WriteHeader(http.StatusNoContent)
	}))
	defer rp.Close()
	c := demoidptest.RegisterCIBA(t, p, "ping", rp.URL+"/notify")
	form := url.Values{"scope": {"openid"}, "login_hint": {"demo"}}
	wantError(t, post(t, p.Issuer()+"/bc-authorize", form, c.ID, c.Secret), http.StatusBadRequest, "invalid_request")
	form.Set("client_notification_token", "nt-123")
	id := wantOK(t, post(t, p.Issuer()+"/bc-authorize", form, c.ID, c.Secret))["auth_req_id"].(string)
	_, page := demoidptest.Visit(t, p.Issuer()+"/ciba?auth_req_id="+url.QueryEscape(id))
	if !strings.Contains(page, "answered HTTP 204") {
		t.Errorf("the approval page does not report the delivery: %s", page)
	}
	r := <-got
	if r.Header.Get("Authorization") != "Bearer nt-123" || r.URL.Path != "/notify" || <-bodies != `{"auth_req_id":"`+id+`"}` {
		t.Errorf("ping: %s %v", r.URL, r.Header)
	}
	tok := wantOK(t, post(t, p.Issuer()+"/token", url.Values{"grant_type": {"urn:openid:params:grant-type:ciba"}, "auth_req_id": {id}}, c.ID, c.Secret))
	if tok["access_token"] == nil {
		t.Errorf("token after ping: %v", tok)
	}
}
