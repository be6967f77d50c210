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

func userinfo(t *testing.T, p *demoidp.Provider, method, accessToken string) result {
	t.Helper()
	req, err := http.NewRequest(method, p.Issuer()+"/userinfo", nil)
	if err != nil {
		t.Fatal(err)
	}
	if accessToken != "" {
		req.Header.Set("Authorization", "Bearer "+accessToken)
	}
	return do(t, req)
}

// wantBearerError checks a 401 invalid_token challenge (RFC 6750 §3).
func wantBearerError(t *testing.T, r result, why string) {
	t.Helper()
	ch := r.header.Get("WWW-Authenticate")
	if r.status != http.StatusUnauthorized || !strings.HasPrefix(ch, "Bearer ") ||
		!strings.Contains(ch, `error="invalid_token"`) || !strings.Contains(ch, "error_description=") {
		t.Errorf("%s: status %d WWW-Authenticate %q, want 401 with invalid_token", why, r.status, ch)
	}
}

func TestUserinfo(t *testing.T) {
	clock := demoidptest.NewClock(time.Now())
	p := demoidptest.StartWith(t, demoidp.Options{Now: clock.Now})
	at := tokens(t, p, "openid email")["access_token"].(string)
	for _, method := range []string{http.MethodGet, http.MethodPost} {
		m := wantOK(t, userinfo(t, p, method, at))
		if m["sub"] != "demo-user-1" || m["email"] != "demo@example.com" || m["email_verified"] != true {
			t.Errorf("%s userinfo = %v", method, m)
		}
		if _, ok := m["name"]; ok {
			t.Errorf("userinfo released name without the profile scope: %v", m)
		}
	}

	r := userinfo(t, p, http.MethodGet, "")
	if ch := r.header.Get("WWW-Authenticate"); r.status != http.StatusUnauthorized || !strings.HasPrefix(ch, "Bearer realm=") || strings.Contains(ch, "error=") {
		t.Errorf("no token: status %d WWW-Authenticate %q, want 401 with a bare Bearer challenge (RFC 6750 §3.1)", r.status, ch)
	}
	wantBearerError(t, userinfo(t, p, http.MethodGet, "garbage"), "unknown token")

	clock.Advance(61 * time.Minute)
	wantBearerError(t, userinfo(t, p, http.MethodGet, at), "expired token")

	cc := wantOK(t, postBasic(t, p.Issuer()+"/token", url.Values{"grant_type": {"client_credentials"}}))
	if r := userinfo(t, p, http.MethodGet, cc["access_token"].(string)); r.status != http.StatusForbidden {
		t.Errorf("client_credentials token at userinfo: status %d, want 403", r.status)
	}
}

func TestIntrospection(t *testing.T) {
	p := demoidptest.StartWith(t, demoidp.Options{})
	tok := tokens(t, p, "openid profile")
	at := tok["access_token"].(string)
	_, claims := mustVerify(t, p, at)

	m := wantOK(t, postBasic(t, p.Issuer()+"/introspect", url.Values{"token": {at}, "token_type_hint": {"access_token"}}))
	for name, want := range map[string]any{
		"active": true, "scope": "openid profile", "client_id": demoidptest.BasicID, "username": "demo", "token_type": "Bearer",
		"sub": "demo-user-1", "iss": p.Issuer(), "jti": claims["jti"], "exp": claims["exp"], "iat": claims["iat"], "aud": claims["aud"],
	} {
		if m[name] != want {
			t.Errorf("introspection %s = %v, want %v", name, m[name], want)
		}
	}
	m = wantOK(t, postBasic(t, p.Issuer()+"/introspect", url.Values{"token": {tok["refresh_token"].(string)}}))
	if m["active"] != true || m["client_id"] != demoidptest.BasicID {
		t.Errorf("refresh token introspection = %v", m)
	}
	m = wantOK(t, postBasic(t, p.Issuer()+"/introspect", url.Values{"token": {"unknown"}}))
	if len(m) != 1 || m["active"] != false {
		t.Errorf("unknown token introspection = %v, want only active false", m)
	}
	// Client authentication is required, and public clients have none.
	wantError(t, post(t, p.Issuer()+"/introspect", url.Values{"token": {at}}, "", ""), http.StatusUnauthorized, "invalid_client")
	wantError(t, post(t, p.Issuer()+"/introspect", url.Values{"token": {at}, "client_id": {demoidptest.PublicID}}, "", ""), http.StatusUnauthorized, "invalid_client")
}

func TestRevocation(t *testing.T) {
	p := demoidptest.StartWith(t, demoidp.Options{})
	active := func(token string) bool {
		return wantOK(t, postBasic(t, p.Issuer()+"/introspect", url.Values{"token": {token}}))["active"] == true
	}

	tok := tokens(t, p, "openid")
	r := postBasic(t, p.Issuer()+"/revoke", url.Values{"token": {tok["access_token"].(string)}})
	if r.status != http.StatusOK {
		t.Fatalf("revoke access token: status %d %s", r.status, r.body)
	}
	if active(tok["access_token"].(string)) || !active(tok["refresh_token"].(string)) {
		t.Error("revoking the access token should revoke it and only it")
	}
	wantBearerError(t, userinfo(t, p, http.MethodGet, tok["access_token"].(string)), "revoked token")

	tok = tokens(t, p, "openid")
	r = postBasic(t, p.Issuer()+"/revoke", url.Values{"token": {tok["refresh_token"].(string)}, "token_type_hint": {"refresh_token"}})
	if r.status != http.StatusOK {
		t.Fatalf("revoke refresh token: status %d", r.status)
	}
	if active(tok["refresh_token"].(string)) || active(tok["access_token"].(string)) {
		t.Error("revoking the refresh token should revoke its access tokens too")
	}
	wantError(t, postBasic(t, p.Issuer()+"/token", url.Values{"grant_type": {"refresh_token"}, "refresh_token": {tok["refresh_token"].(string)}}),
		http.StatusBadRequest, "invalid_grant")

	if r := postBasic(t, p.Issuer()+"/revoke", url.Values{"token": {"never-issued"}}); r.status != http.StatusOK {
		t.Errorf("unknown token: status %d, want 200", r.status)
	}
	wantError(t, post(t, p.Issuer()+"/revoke", url.Values{"token": {"x"}}, "", ""), http.StatusUnauthorized, "invalid_client")

	// Another client cannot revoke demo-basic's token.
	tok = tokens(t, p, "openid")
	wantError(t, post(t, p.Issuer()+"/revoke", url.Values{"token": {tok["access_token"].(string)}, "client_id": {demoidptest.PostID}, "client_secret": {demoidptest.PostSecret}}, "", ""),
		http.StatusBadRequest, "unauthorized_client")
	if !active(tok["access_token"].(string)) {
		t.Error("a foreign client's revocation took effect")
	}
}
