package demoidp_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/tokenbench/tokenbench/flows/demoidp"
	"github.com/tokenbench/tokenbench/flows/demoidp/demoidptest"
)

// startCIBA sends a backchannel authentication request for demo-basic.
func startCIBA(t *testing.T, p *demoidp.Provider, extra url.Values) result {
	t.Helper()
	form := url.Values{"scope": {"openid profile"}, "login_hint": {"demo"}, "binding_message": {"W4SCT"}}
	for k, v := range extra {
		form[k] = v
	}
	return postBasic(t, p.Issuer()+"/bc-authorize", form)
}

func pollCIBA(t *testing.T, p *demoidp.Provider, id string) result {
	t.Helper()
	return postBasic(t, p.Issuer()+"/token", url.Values{"grant_type": {"urn:openid:params:grant-type:ciba"}, "auth_req_id": {id}})
}

func TestCIBAPendingApproveToken(t *testing.T) {
	clock := demoidptest.NewClock(time.Now())
	p := demoidptest.StartWith(t, demoidp.Options{Now: clock.Now, DeviceInterval: time.Second})
	a := wantOK(t, startCIBA(t, p, nil))
	id, _ := a["auth_req_id"].(string)
	if id == "" || a["expires_in"] != float64(600) || a["interval"] != float64(1) {
		t.Fatalf("backchannel authentication response = %v", a)
	}
	wantError(t, pollCIBA(t, p, id), http.StatusBadRequest, "authorization_pending")
	clock.Advance(time.Second)
	wantError(t, pollCIBA(t, p, id), http.StatusBadRequest, "authorization_pending")

	page := get(t, p.Issuer()+"/ciba")
	if page.status != http.StatusOK || !strings.Contains(string(page.body), "W4SCT") || !strings.Contains(string(page.body), id) {
		t.Fatalf("/ciba lists no pending request with its binding message: %d %s", page.status, page.body)
	}
	r := get(t, p.Issuer()+"/ciba?auth_req_id="+url.QueryEscape(id))
	if r.status != http.StatusOK || !strings.Contains(string(r.body), "W4SCT") {
		t.Fatalf("approve: %d %s", r.status, r.body)
	}
	clock.Advance(time.Second)
	tok := wantOK(t, pollCIBA(t, p, id))
	if tok["access_token"] == "" || tok["id_token"] == nil || tok["refresh_token"] == nil {
		t.Fatalf("token response = %v", tok)
	}
	_, claims := mustVerify(t, p, tok["id_token"].(string))
	if claims["sub"] != "demo-user-1" || claims["aud"] != demoidptest.BasicID {
		t.Errorf("id_token claims = %v", claims)
	}
	clock.Advance(time.Second)
	wantError(t, pollCIBA(t, p, id), http.StatusBadRequest, "invalid_grant")
}

func TestCIBASlowDownDeniedExpired(t *testing.T) {
	clock := demoidptest.NewClock(time.Now())
	p := demoidptest.StartWith(t, demoidp.Options{Now: clock.Now, DeviceInterval: time.Second})
	id := wantOK(t, startCIBA(t, p, nil))["auth_req_id"].(string)
	wantError(t, pollCIBA(t, p, id), http.StatusBadRequest, "authorization_pending")
	m := wantError(t, pollCIBA(t, p, id), http.StatusBadRequest, "slow_down")
	if !strings.Contains(m["error_description"].(string), "6 seconds") {
		t.Errorf("slow_down description = %v, want the interval grown by 5 s", m["error_description"])
	}
	clock.Advance(6 * time.Second)
	if r := get(t, p.Issuer()+"/ciba?deny=1&auth_req_id="+url.QueryEscape(id)); r.status != http.StatusOK {
		t.Fatalf("deny: %d %s", r.status, r.body)
	}
	wantError(t, pollCIBA(t, p, id), http.StatusBadRequest, "access_denied")
	if r := get(t, p.Issuer()+"/ciba?auth_req_id="+url.QueryEscape(id)); r.status != http.StatusBadRequest {
		t.Errorf("approving a denied request: status %d, want 400", r.status)
	}

	id2 := wantOK(t, startCIBA(t, p, url.Values{"requested_expiry": {"30"}}))
	if id2["expires_in"] != float64(30) {
		t.Errorf("requested_expiry 30: expires_in = %v", id2["expires_in"])
	}
	clock.Advance(31 * time.Second)
	wantError(t, pollCIBA(t, p, id2["auth_req_id"].(string)), http.StatusBadRequest, "expired_token")
}

func TestCIBARequestErrors(t *testing.T) {
	p := demoidptest.StartWith(t, demoidp.Options{})
	long := strings.Repeat("x", 65)
	for name, tc := range map[string]struct {
		form url.Values
		code string
		says string
	}{
		"unknown user":           {url.Values{"login_hint": {"mallory"}}, "unknown_user_id", `login_hint "mallory" names no user`},
		"no hint":                {url.Values{"login_hint": {""}}, "invalid_request", "one of login_hint"},
		"two hints":              {url.Values{"id_token_hint": {"x.y.z"}}, "invalid_request", "exactly one hint"},
		"bad id_token_hint":      {url.Values{"login_hint": {""}, "id_token_hint": {"not-a-token"}}, "invalid_request", "not an ID token from this provider"},
		"long binding message":   {url.Values{"binding_message": {long}}, "invalid_binding_message", "65 characters"},
		"control character":      {url.Values{"binding_message": {"a\nb"}}, "invalid_binding_message", "control character"},
		"wrong user code":        {url.Values{"user_code": {"1234"}}, "invalid_user_code", "not the demo user's"},
		"no openid":              {url.Values{"scope": {"profile"}}, "invalid_scope", "openid"},
		"bad requested_expiry":   {url.Values{"requested_expiry": {"-1"}}, "invalid_request", "requested_expiry"},
		"resource with fragment": {url.Values{"resource": {"https://api.example.com/#x"}}, "invalid_target", "fragment"},
	} {
		t.Run(name, func(t *testing.T) {
			m := wantError(t, startCIBA(t, p, tc.form), http.StatusBadRequest, tc.code)
			if !strings.Contains(m["error_description"].(string), tc.says) {
				t.Errorf("error_description = %q, want it to say %q", m["error_description"], tc.says)
			}
		})
	}
	// A public client may not use CIBA.
	r := post(t, p.Issuer()+"/bc-authorize", url.Values{"client_id": {"demo-public"}, "scope": {"openid"}, "login_hint": {"demo"}}, "", "")
	wantError(t, r, http.StatusBadRequest, "unauthorized_client")
}

func TestCIBAIDTokenHintAndMetadata(t *testing.T) {
	p := demoidptest.StartWith(t, demoidp.Options{})
	idToken := tokens(t, p, "openid")["id_token"].(string)
	wantOK(t, startCIBA(t, p, url.Values{"login_hint": {""}, "id_token_hint": {idToken}}))
	m := wantOK(t, get(t, p.Issuer()+"/.well-known/openid-configuration"))
	if m["backchannel_authentication_endpoint"] != p.Issuer()+"/bc-authorize" || m["backchannel_user_code_parameter_supported"] != true ||
		strings.Join(strs(m["backchannel_token_delivery_modes_supported"]), " ") != "poll ping push" {
		t.Errorf("CIBA metadata: %v %v %v", m["backchannel_authentication_endpoint"], m["backchannel_user_code_parameter_supported"], m["backchannel_token_delivery_modes_supported"])
	}
}
