package demoidp_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"

	"github.com/tokenbench/tokenbench/flows/demoidp"
	"github.com/tokenbench/tokenbench/flows/demoidp/demoidptest"
)

// pushed pushes params for demo-basic and returns the request_uri.
func pushed(t *testing.T, p *demoidp.Provider, params url.Values) string {
	t.Helper()
	r := postBasic(t, p.Issuer()+"/par", params)
	if r.status != http.StatusCreated {
		t.Fatalf("PAR: status %d %s", r.status, r.body)
	}
	m := r.json(t)
	uri, _ := m["request_uri"].(string)
	if !strings.HasPrefix(uri, "urn:ietf:params:oauth:request_uri:") || m["expires_in"] != float64(60) {
		t.Fatalf("PAR answer %v", m)
	}
	return uri
}

// objectClaims are valid request object claims for client at p, carrying authParams.
func objectClaims(p *demoidp.Provider, client, jti string) map[string]any {
	now := time.Now()
	claims := map[string]any{"iss": client, "aud": p.Issuer(), "iat": now.Unix(), "nbf": now.Unix(), "exp": now.Add(time.Minute).Unix(), "jti": jti}
	for k, v := range authParams(client, "openid", "") {
		claims[k] = v[0]
	}
	return claims
}

func TestPARMetadataAndRedemption(t *testing.T) {
	p := demoidptest.StartWith(t, demoidp.Options{})
	m := wantOK(t, get(t, p.Issuer()+"/.well-known/openid-configuration"))
	if m["pushed_authorization_request_endpoint"] != p.Issuer()+"/par" || m["require_pushed_authorization_requests"] != false || m["request_parameter_supported"] != true || m["request_object_signing_alg_values_supported"] == nil {
		t.Fatalf("metadata %v", m)
	}
	uri := pushed(t, p, authParams(demoidptest.BasicID, "openid", ""))
	loc := authorize(t, p, url.Values{"client_id": {demoidptest.BasicID}, "request_uri": {uri}})
	if loc.Query().Get("code") == "" || loc.Query().Get("state") != "st-123" {
		t.Fatalf("redirect %s", loc)
	}
	q := authorize(t, p, url.Values{"client_id": {demoidptest.BasicID}, "request_uri": {uri}}).Query()
	if q.Get("error") != "invalid_request_uri" || !strings.Contains(q.Get("error_description"), "already used") {
		t.Errorf("reused request_uri: %v", q)
	}
}

func TestPARRefusals(t *testing.T) {
	p := demoidptest.StartWith(t, demoidp.Options{})
	par := p.Issuer() + "/par"
	// No client authentication at all, and a confidential client without its secret.
	wantError(t, post(t, par, authParams("", "openid", ""), "", ""), http.StatusUnauthorized, "invalid_client")
	wantError(t, post(t, par, authParams(demoidptest.BasicID, "openid", ""), "", ""), http.StatusUnauthorized, "invalid_client")
	// Validated as /authorize would be.
	bad := authParams(demoidptest.BasicID, "openid admin", "")
	if m := wantError(t, postBasic(t, par, bad), http.StatusBadRequest, "invalid_scope"); m["error_description"] == "" {
		t.Error("no description")
	}
	bad = authParams(demoidptest.BasicID, "openid", "")
	bad.Set("redirect_uri", "https://evil.example/cb")
	wantError(t, postBasic(t, par, bad), http.StatusBadRequest, "invalid_request")
	bad = authParams(demoidptest.BasicID, "openid", "")
	bad.Set("request_uri", "urn:ietf:params:oauth:request_uri:x")
	wantError(t, postBasic(t, par, bad), http.StatusBadRequest, "invalid_request")
	bad = authParams(demoidptest.PostID, "openid", "")
	wantError(t, postBasic(t, par, bad), http.StatusUnauthorized, "invalid_client") // client_id differs from the Basic one
}

func TestRequirePARFault(t *testing.T) {
	p := demoidptest.StartWith(t, demoidp.Options{})
	var f demoidp.Faults
	if err := f.Set("require-par"); err != nil {
		t.Fatal(err)
	}
	p.SetFaults(f)
	if m := wantOK(t, get(t, p.Issuer()+"/.well-known/openid-configuration")); m["require_pushed_authorization_requests"] != true {
		t.Fatal("require_pushed_authorization_requests not advertised")
	}
	q := authorize(t, p, authParams(demoidptest.BasicID, "openid", "")).Query()
	if q.Get("error") != "invalid_request" || !strings.Contains(q.Get("error_description"), "requires pushed authorization requests") {
		t.Fatalf("unpushed request: %v", q)
	}
	uri := pushed(t, p, authParams(demoidptest.BasicID, "openid", ""))
	if authorize(t, p, url.Values{"client_id": {demoidptest.BasicID}, "request_uri": {uri}}).Query().Get("code") == "" {
		t.Fatal("pushed request refused")
	}
}

func TestRequestObjectChecks(t *testing.T) {
	p := demoidptest.StartWith(t, demoidp.Options{})
	key := []byte(demoidptest.JWTSecret)
	sign := func(claims map[string]any) string { return assertion(t, jose.HS256, key, claims) }
	send := func(obj string, outer url.Values) url.Values {
		q := url.Values{"client_id": {demoidptest.JWTID}, "request": {obj}}
		for k, v := range outer {
			q[k] = v
		}
		return authorize(t, p, q).Query()
	}
	if q := send(sign(objectClaims(p, demoidptest.JWTID, "a")), nil); q.Get("code") == "" || q.Get("state") != "st-123" {
		t.Fatalf("valid request object: %v", q)
	}
	cases := []struct {
		name   string
		change func(map[string]any)
		outer  url.Values
		want   string
	}{
		{"replayed jti", func(c map[string]any) { c["jti"] = "a" }, nil, `jti "a" was already used`},
		{"another audience", func(c map[string]any) { c["aud"] = "https://other.example" }, nil, "for another audience"},
		{"expired", func(c map[string]any) { c["exp"] = time.Now().Add(-time.Hour).Unix() }, nil, "expired at"},
		{"no jti", func(c map[string]any) { delete(c, "jti") }, nil, "has no jti"},
		{"wrong iss", func(c map[string]any) { c["iss"] = demoidptest.BasicID }, nil, "must be the client_id"},
		{"outer parameter differs", nil, url.Values{"scope": {"openid email"}}, "must match (RFC 9101 §6.3)"},
	}
	for i, tc := range cases {
		claims := objectClaims(p, demoidptest.JWTID, "jti-"+string(rune('b'+i)))
		if tc.change != nil {
			tc.change(claims)
		}
		q := send(sign(claims), tc.outer)
		if q.Get("error") != "invalid_request_object" || !strings.Contains(q.Get("error_description"), tc.want) || q.Get("state") != "st-123" {
			t.Errorf("%s: %v", tc.name, q)
		}
	}
	// Signed with another secret: nothing in it can be trusted, so there is no redirect.
	forged := assertion(t, jose.HS256, []byte(strings.Repeat("x", 32)), objectClaims(p, demoidptest.JWTID, "z"))
	r := get(t, p.Issuer()+"/authorize?"+url.Values{"client_id": {demoidptest.JWTID}, "request": {forged}}.Encode())
	if r.status != http.StatusBadRequest || !strings.Contains(string(r.body), "does not verify with client demo-jwt") {
		t.Errorf("forged request object: %d %s", r.status, r.body)
	}
	// A client without keys or a secret cannot sign one.
	r = get(t, p.Issuer()+"/authorize?"+url.Values{"client_id": {demoidptest.PublicID}, "request": {forged}, "redirect_uri": {redirectURI}}.Encode())
	if loc, _ := url.Parse(r.header.Get("Location")); loc == nil || !strings.Contains(loc.Query().Get("error_description"), "has no key registered") {
		t.Errorf("public client's request object: %d %s", r.status, r.header.Get("Location"))
	}
}
