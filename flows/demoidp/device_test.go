package demoidp_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/tokenbench/tokenbench/flows/demoidp"
	"github.com/tokenbench/tokenbench/flows/demoidp/demoidptest"
)

// startDevice requests a device authorization for demo-basic.
func startDevice(t *testing.T, p *demoidp.Provider) map[string]any {
	t.Helper()
	return wantOK(t, postBasic(t, p.Issuer()+"/device_authorization", url.Values{"scope": {"openid profile"}}))
}

func pollDevice(t *testing.T, p *demoidp.Provider, deviceCode string) result {
	t.Helper()
	return postBasic(t, p.Issuer()+"/token", url.Values{
		"grant_type":  {"urn:ietf:params:oauth:grant-type:device_code"},
		"device_code": {deviceCode},
	})
}

func TestDeviceAuthorizationResponse(t *testing.T) {
	p := demoidptest.StartWith(t, demoidp.Options{DeviceInterval: time.Second})
	d := startDevice(t, p)
	userCode, _ := d["user_code"].(string)
	if !regexp.MustCompile(`^[BCDFGHJKLMNPQRSTVWXZ]{4}-[BCDFGHJKLMNPQRSTVWXZ]{4}$`).MatchString(userCode) {
		t.Errorf("user_code = %q, want like WDJB-MJHT", userCode)
	}
	if d["device_code"] == "" || d["verification_uri"] != p.Issuer()+"/device" ||
		d["verification_uri_complete"] != p.Issuer()+"/device?user_code="+userCode ||
		d["expires_in"] != float64(600) || d["interval"] != float64(1) {
		t.Errorf("device authorization response = %v", d)
	}
	if r := get(t, p.Issuer()+"/device"); r.status != http.StatusOK || !strings.Contains(string(r.body), `name="user_code"`) {
		t.Errorf("/device without a code: status %d, want the form", r.status)
	}
	if p2 := demoidptest.StartWith(t, demoidp.Options{}); startDevice(t, p2)["interval"] != float64(5) {
		t.Error("default interval is not 5")
	}
}

func TestDeviceFlowPendingApproveToken(t *testing.T) {
	clock := demoidptest.NewClock(time.Now())
	p := demoidptest.StartWith(t, demoidp.Options{Now: clock.Now, DeviceInterval: time.Second})
	d := startDevice(t, p)
	dc := d["device_code"].(string)

	wantError(t, pollDevice(t, p, dc), http.StatusBadRequest, "authorization_pending")
	clock.Advance(time.Second)
	wantError(t, pollDevice(t, p, dc), http.StatusBadRequest, "authorization_pending")

	// The user types the code in another case and without the dash.
	code := strings.ToLower(strings.ReplaceAll(d["user_code"].(string), "-", ""))
	r := get(t, p.Issuer()+"/device?user_code="+code)
	if r.status != http.StatusOK || !strings.Contains(string(r.body), "Device approved") {
		t.Fatalf("approval page: status %d\n%s", r.status, r.body)
	}
	clock.Advance(time.Second)
	tok := wantOK(t, pollDevice(t, p, dc))
	if tok["access_token"] == nil || tok["id_token"] == nil || tok["refresh_token"] == nil || tok["scope"] != "openid profile" {
		t.Errorf("device token response = %v", tok)
	}
	_, id := mustVerify(t, p, tok["id_token"].(string))
	if id["sub"] != "demo-user-1" || id["name"] != "Demo User" {
		t.Errorf("id_token = %v", id)
	}
	clock.Advance(time.Second)
	wantError(t, pollDevice(t, p, dc), http.StatusBadRequest, "invalid_grant")
}

func TestDeviceFlowSlowDown(t *testing.T) {
	clock := demoidptest.NewClock(time.Now())
	p := demoidptest.StartWith(t, demoidp.Options{Now: clock.Now, DeviceInterval: time.Second})
	dc := startDevice(t, p)["device_code"].(string)
	wantError(t, pollDevice(t, p, dc), http.StatusBadRequest, "authorization_pending")
	wantError(t, pollDevice(t, p, dc), http.StatusBadRequest, "slow_down")
	// The interval is now 1 + 5 seconds (RFC 8628 §3.5).
	clock.Advance(2 * time.Second)
	wantError(t, pollDevice(t, p, dc), http.StatusBadRequest, "slow_down")
	clock.Advance(11 * time.Second)
	wantError(t, pollDevice(t, p, dc), http.StatusBadRequest, "authorization_pending")
}

func TestDeviceFlowDeniedAndExpired(t *testing.T) {
	clock := demoidptest.NewClock(time.Now())
	p := demoidptest.StartWith(t, demoidp.Options{Now: clock.Now, DeviceInterval: time.Second})
	d := startDevice(t, p)
	r := get(t, p.Issuer()+"/device?deny=1&user_code="+url.QueryEscape(d["user_code"].(string)))
	if r.status != http.StatusOK || !strings.Contains(string(r.body), "denied") {
		t.Fatalf("deny page: status %d\n%s", r.status, r.body)
	}
	wantError(t, pollDevice(t, p, d["device_code"].(string)), http.StatusBadRequest, "access_denied")

	d = startDevice(t, p)
	clock.Advance(601 * time.Second)
	wantError(t, pollDevice(t, p, d["device_code"].(string)), http.StatusBadRequest, "expired_token")
	if r := get(t, p.Issuer()+"/device?user_code="+url.QueryEscape(d["user_code"].(string))); r.status != http.StatusBadRequest {
		t.Errorf("approving an expired code: status %d", r.status)
	}
}

func TestDeviceCodeBoundToClient(t *testing.T) {
	p := demoidptest.StartWith(t, demoidp.Options{DeviceInterval: time.Second})
	dc := startDevice(t, p)["device_code"].(string)
	wantError(t, post(t, p.Issuer()+"/token", url.Values{
		"grant_type": {"urn:ietf:params:oauth:grant-type:device_code"}, "device_code": {dc},
		"client_id": {demoidptest.PostID}, "client_secret": {demoidptest.PostSecret},
	}, "", ""), http.StatusBadRequest, "invalid_grant")
}
