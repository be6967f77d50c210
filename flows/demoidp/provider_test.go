package demoidp_test

import (
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tokenbench/tokenbench/flows/demoidp"
	"github.com/tokenbench/tokenbench/flows/demoidp/demoidptest"
)

func TestStartRefusesNonLoopbackAddress(t *testing.T) {
	for _, addr := range []string{"0.0.0.0:0", ":0", "192.0.2.1:0", "example.com:0"} {
		if p, err := demoidp.Start(demoidp.Options{Addr: addr}); err == nil {
			p.Close()
			t.Errorf("Start(%q) succeeded, want an error", addr)
		}
	}
}

func TestIssuerIsLoopbackWithoutTrailingSlash(t *testing.T) {
	p := demoidptest.StartWith(t, demoidp.Options{})
	u, err := url.Parse(p.Issuer())
	if err != nil || u.Scheme != "http" || u.Hostname() != "127.0.0.1" || u.Port() == "" || u.Path != "" {
		t.Fatalf("Issuer() = %q, want http://127.0.0.1:PORT", p.Issuer())
	}
}

func TestDiscovery(t *testing.T) {
	p := demoidptest.StartWith(t, demoidp.Options{})
	iss := p.Issuer()
	for _, path := range []string{"/.well-known/openid-configuration", "/.well-known/oauth-authorization-server"} {
		m := wantOK(t, get(t, iss+path))
		for name, want := range map[string]string{
			"issuer":                        iss,
			"authorization_endpoint":        iss + "/authorize",
			"token_endpoint":                iss + "/token",
			"userinfo_endpoint":             iss + "/userinfo",
			"jwks_uri":                      iss + "/jwks",
			"introspection_endpoint":        iss + "/introspect",
			"revocation_endpoint":           iss + "/revoke",
			"end_session_endpoint":          iss + "/logout",
			"device_authorization_endpoint": iss + "/device_authorization",
		} {
			if m[name] != want {
				t.Errorf("%s: %s = %v, want %s", path, name, m[name], want)
			}
		}
		lists := map[string][]string{
			"response_types_supported":                         {"code", "code id_token", "id_token", "id_token token", "code token", "code id_token token"},
			"response_modes_supported":                         {"query", "fragment", "form_post", "jwt", "query.jwt", "fragment.jwt", "form_post.jwt"},
			"grant_types_supported":                            {"authorization_code", "refresh_token", "client_credentials", "password", "urn:ietf:params:oauth:grant-type:device_code", "urn:ietf:params:oauth:grant-type:jwt-bearer", "urn:ietf:params:oauth:grant-type:saml2-bearer", "urn:ietf:params:oauth:grant-type:token-exchange", "urn:openid:params:grant-type:ciba"},
			"token_endpoint_auth_methods_supported":            {"client_secret_basic", "client_secret_post", "client_secret_jwt", "private_key_jwt", "none"},
			"token_endpoint_auth_signing_alg_values_supported": {"RS256", "PS256", "ES256", "HS256"},
			"id_token_signing_alg_values_supported":            {"RS256"},
			"code_challenge_methods_supported":                 {"S256", "plain"},
			"scopes_supported":                                 {"openid", "profile", "email", "offline_access"},
			"subject_types_supported":                          {"public"},
		}
		for name, want := range lists {
			if got := strs(m[name]); !slices.Equal(got, want) {
				t.Errorf("%s: %s = %v, want %v", path, name, got, want)
			}
		}
		for _, name := range []string{"claims_supported", "introspection_endpoint_auth_methods_supported", "revocation_endpoint_auth_methods_supported"} {
			if len(strs(m[name])) == 0 {
				t.Errorf("%s: %s is empty", path, name)
			}
		}
		if !slices.Contains(strs(m["claims_supported"]), "email") {
			t.Errorf("%s: claims_supported lacks email", path)
		}
		if m["authorization_response_iss_parameter_supported"] != true {
			t.Errorf("%s: authorization_response_iss_parameter_supported = %v", path, m["authorization_response_iss_parameter_supported"])
		}
	}
}

// strs converts a JSON array to strings.
func strs(v any) []string {
	arr, _ := v.([]any)
	out := make([]string, 0, len(arr))
	for _, x := range arr {
		s, _ := x.(string)
		out = append(out, s)
	}
	return out
}

func TestJWKSPublishesSigningKey(t *testing.T) {
	p := demoidptest.StartWith(t, demoidp.Options{})
	set := jwks(t, p)
	if len(set.Keys) != 1 {
		t.Fatalf("JWKS has %d keys, want 1", len(set.Keys))
	}
	k := set.Keys[0]
	if k.KeyID == "" || k.Use != "sig" || k.Algorithm != "RS256" || !k.IsPublic() {
		t.Errorf("key = kid %q use %q alg %q public %v", k.KeyID, k.Use, k.Algorithm, k.IsPublic())
	}
}

func TestClientsAreTheFixedDemoClients(t *testing.T) {
	p := demoidptest.StartWith(t, demoidp.Options{})
	got := p.Clients()
	want := []demoidp.Client{
		{ID: demoidptest.BasicID, Secret: demoidptest.BasicSecret, AuthMethod: "client_secret_basic"},
		{ID: demoidptest.PostID, Secret: demoidptest.PostSecret, AuthMethod: "client_secret_post"},
		{ID: demoidptest.PublicID, AuthMethod: "none"},
		{ID: demoidptest.JWTID, Secret: demoidptest.JWTSecret, AuthMethod: "client_secret_jwt"},
		{ID: demoidptest.PrivateKeyJWTID, AuthMethod: "private_key_jwt"},
		{ID: demoidptest.EncryptedID, Secret: demoidptest.EncryptedSecret, AuthMethod: "client_secret_basic"},
		{ID: demoidptest.SpecialID, Secret: demoidptest.SpecialSecret, AuthMethod: "client_secret_basic"},
	}
	if len(got) != len(want) {
		t.Fatalf("%d clients, want %d", len(got), len(want))
	}
	for i := range want {
		if got[i].ID != want[i].ID || got[i].Secret != want[i].Secret || got[i].AuthMethod != want[i].AuthMethod {
			t.Errorf("client %d = %+v, want %+v", i, got[i], want[i])
		}
		if !slices.Contains(got[i].RedirectURIs, "https://app.example.com/callback") {
			t.Errorf("client %s lacks the https redirect URI: %v", got[i].ID, got[i].RedirectURIs)
		}
	}
	got[0].RedirectURIs[0] = "changed"
	if p.Clients()[0].RedirectURIs[0] == "changed" {
		t.Error("Clients() shares its slices with the provider")
	}
}

func TestAuthorizationCodeFlowWithPKCE(t *testing.T) {
	p := demoidptest.StartWith(t, demoidp.Options{})
	verifier, challenge := newPKCE()
	loc := authorize(t, p, authParams(demoidptest.BasicID, "openid profile email", challenge))
	if got := loc.Scheme + "://" + loc.Host + loc.Path; got != redirectURI {
		t.Fatalf("redirected to %s, want %s", got, redirectURI)
	}
	q := loc.Query()
	if q.Get("state") != "st-123" || q.Get("iss") != p.Issuer() || q.Get("code") == "" {
		t.Fatalf("authorization response = %s, want code, state st-123, iss %s", loc.RawQuery, p.Issuer())
	}

	r := exchange(t, p, q.Get("code"), verifier)
	tok := wantOK(t, r)
	if r.header.Get("Cache-Control") != "no-store" {
		t.Errorf("Cache-Control = %q", r.header.Get("Cache-Control"))
	}
	if tok["token_type"] != "Bearer" || tok["expires_in"] != float64(3600) || tok["scope"] != "openid profile email" {
		t.Errorf("token response = %v", tok)
	}
	if rt, _ := tok["refresh_token"].(string); rt == "" {
		t.Error("no refresh_token")
	}

	at := tok["access_token"].(string)
	h, claims := mustVerify(t, p, at)
	if h.ExtraHeaders["typ"] != "at+jwt" {
		t.Errorf("access token typ = %v, want at+jwt", h.ExtraHeaders["typ"])
	}
	for name, want := range map[string]any{"iss": p.Issuer(), "sub": "demo-user-1", "client_id": demoidptest.BasicID, "scope": "openid profile email"} {
		if claims[name] != want {
			t.Errorf("access token %s = %v, want %v", name, claims[name], want)
		}
	}
	for _, name := range []string{"aud", "exp", "iat", "jti"} {
		if claims[name] == nil {
			t.Errorf("access token lacks %s", name)
		}
	}

	h, id := mustVerify(t, p, tok["id_token"].(string))
	if h.KeyID == "" || h.Algorithm != "RS256" {
		t.Errorf("id_token header = %+v", h)
	}
	for name, want := range map[string]any{
		"iss": p.Issuer(), "sub": "demo-user-1", "aud": demoidptest.BasicID, "azp": demoidptest.BasicID, "nonce": "n-456",
		"at_hash": atHash(at), "name": "Demo User", "given_name": "Demo", "family_name": "User",
		"preferred_username": "demo", "email": "demo@example.com", "email_verified": true,
	} {
		if id[name] != want {
			t.Errorf("id_token %s = %v, want %v", name, id[name], want)
		}
	}
	if id["sid"] == nil || id["auth_time"] == nil {
		t.Errorf("id_token lacks sid or auth_time: %v", id)
	}
	if exp, iat := numeric(t, id, "exp"), numeric(t, id, "iat"); exp.Sub(iat) != time.Hour {
		t.Errorf("id_token lives %s, want 1h", exp.Sub(iat))
	}
}

func TestIDTokenClaimsFollowScope(t *testing.T) {
	p := demoidptest.StartWith(t, demoidp.Options{})
	tok := tokens(t, p, "openid")
	_, id := mustVerify(t, p, tok["id_token"].(string))
	for _, name := range []string{"email", "name", "preferred_username"} {
		if _, ok := id[name]; ok {
			t.Errorf("scope openid alone released %s", name)
		}
	}
	tok = tokens(t, p, "profile")
	if _, ok := tok["id_token"]; ok {
		t.Error("id_token issued without the openid scope")
	}
}

func TestAuthorizeRefusesBadClientOrRedirectWithoutRedirecting(t *testing.T) {
	p := demoidptest.StartWith(t, demoidp.Options{})
	cases := map[string]url.Values{
		"unknown client":      {"client_id": {"nope"}, "redirect_uri": {redirectURI}, "response_type": {"code"}},
		"missing client":      {"redirect_uri": {redirectURI}, "response_type": {"code"}},
		"missing redirect":    {"client_id": {demoidptest.BasicID}, "response_type": {"code"}},
		"non-loopback http":   {"client_id": {demoidptest.BasicID}, "redirect_uri": {"http://evil.example/cb"}, "response_type": {"code"}},
		"unregistered https":  {"client_id": {demoidptest.BasicID}, "redirect_uri": {"https://evil.example/callback"}, "response_type": {"code"}},
		"fragment":            {"client_id": {demoidptest.BasicID}, "redirect_uri": {"http://127.0.0.1/cb#x"}, "response_type": {"code"}},
		"other loopback addr": {"client_id": {demoidptest.BasicID}, "redirect_uri": {"http://127.0.0.2/cb"}, "response_type": {"code"}},
	}
	for name, params := range cases {
		r := get(t, p.Issuer()+"/authorize?"+params.Encode())
		if r.status != http.StatusBadRequest || r.header.Get("Location") != "" {
			t.Errorf("%s: status %d, Location %q; want 400 and no redirect", name, r.status, r.header.Get("Location"))
		}
		if !strings.HasPrefix(r.header.Get("Content-Type"), "text/html") {
			t.Errorf("%s: Content-Type = %q, want an HTML page", name, r.header.Get("Content-Type"))
		}
	}
}

func TestAuthorizeAcceptsLoopbackRedirectsOnAnyPortAndPath(t *testing.T) {
	p := demoidptest.StartWith(t, demoidp.Options{})
	for _, ru := range []string{"http://127.0.0.1:1/a/b?keep=1", "http://[::1]:65000/", "http://localhost:8080/cb", "http://127.0.0.1/", "https://app.example.com/callback"} {
		params := authParams(demoidptest.BasicID, "openid", "")
		params.Set("redirect_uri", ru)
		loc := authorize(t, p, params)
		if !strings.HasPrefix(loc.String(), strings.SplitN(ru, "?", 2)[0]) || loc.Query().Get("code") == "" {
			t.Errorf("redirect_uri %s: redirected to %s", ru, loc)
		}
		if strings.Contains(ru, "keep=1") && loc.Query().Get("keep") != "1" {
			t.Errorf("redirect_uri query was not kept: %s", loc)
		}
	}
}

func TestAuthorizeErrorsAreRedirected(t *testing.T) {
	p := demoidptest.StartWith(t, demoidp.Options{})
	cases := []struct {
		name   string
		modify func(url.Values)
		code   string
	}{
		{"response_type token", func(v url.Values) { v.Set("response_type", "token") }, "unsupported_response_type"},
		{"missing response_type", func(v url.Values) { v.Del("response_type") }, "invalid_request"},
		{"unknown scope", func(v url.Values) { v.Set("scope", "openid admin") }, "invalid_scope"},
		{"public client without PKCE", func(v url.Values) { v.Set("client_id", demoidptest.PublicID) }, "invalid_request"},
		{"bad PKCE method", func(v url.Values) {
			v.Set("code_challenge", strings.Repeat("a", 43))
			v.Set("code_challenge_method", "S512")
		}, "invalid_request"},
		{"short challenge", func(v url.Values) { v.Set("code_challenge", "abc") }, "invalid_request"},
		{"bad prompt", func(v url.Values) { v.Set("prompt", "none login") }, "invalid_request"},
		{"bad max_age", func(v url.Values) { v.Set("max_age", "soon") }, "invalid_request"},
		{"malformed request object", func(v url.Values) { v.Set("request", "eyJ.x.y") }, "invalid_request_object"},
	}
	for _, tc := range cases {
		params := authParams(demoidptest.BasicID, "openid", "")
		tc.modify(params)
		q := authorize(t, p, params).Query()
		if q.Get("error") != tc.code || q.Get("error_description") == "" || q.Get("state") != "st-123" || q.Get("iss") != p.Issuer() {
			t.Errorf("%s: response %v, want error %s with description, state and iss", tc.name, q, tc.code)
		}
	}
}

func TestPublicClientWithPKCE(t *testing.T) {
	p := demoidptest.StartWith(t, demoidp.Options{})
	verifier, challenge := newPKCE()
	code := authorize(t, p, authParams(demoidptest.PublicID, "openid", challenge)).Query().Get("code")
	tok := wantOK(t, post(t, p.Issuer()+"/token", url.Values{
		"grant_type": {"authorization_code"}, "client_id": {demoidptest.PublicID}, "code": {code},
		"redirect_uri": {redirectURI}, "code_verifier": {verifier},
	}, "", ""))
	if tok["id_token"] == nil || tok["access_token"] == nil {
		t.Fatalf("token response = %v", tok)
	}
	// A public client revokes with its client_id alone (RFC 7009 §2.1).
	r := post(t, p.Issuer()+"/revoke", url.Values{"token": {tok["refresh_token"].(string)}, "client_id": {demoidptest.PublicID}}, "", "")
	if r.status != http.StatusOK {
		t.Fatalf("public client revocation: status %d %s", r.status, r.body)
	}
	wantError(t, post(t, p.Issuer()+"/token", url.Values{
		"grant_type": {"refresh_token"}, "refresh_token": {tok["refresh_token"].(string)}, "client_id": {demoidptest.PublicID},
	}, "", ""), http.StatusBadRequest, "invalid_grant")
}

func TestPromptConsentShowsPageAndHonoursDecision(t *testing.T) {
	p := demoidptest.StartWith(t, demoidp.Options{})
	params := authParams(demoidptest.BasicID, "openid email", "")
	params.Set("prompt", "consent")
	r := get(t, p.Issuer()+"/authorize?"+params.Encode())
	page := string(r.body)
	if r.status != http.StatusOK || !strings.Contains(page, "Demo User") || !strings.Contains(page, demoidptest.BasicID) ||
		!strings.Contains(page, "Approve") || !strings.Contains(page, "Deny") || !strings.Contains(page, "email") {
		t.Fatalf("consent page: status %d\n%s", r.status, page)
	}

	decide := func(decision string) url.Values {
		form := url.Values{}
		for k, v := range params {
			form[k] = v
		}
		form.Set("decision", decision)
		r := post(t, p.Issuer()+"/authorize", form, "", "")
		if r.status != http.StatusSeeOther {
			t.Fatalf("%s: status %d, want 303", decision, r.status)
		}
		loc, _ := url.Parse(r.header.Get("Location"))
		return loc.Query()
	}
	q := decide("deny")
	if q.Get("error") != "access_denied" || q.Get("error_description") == "" || q.Get("state") != "st-123" || q.Get("iss") != p.Issuer() {
		t.Errorf("deny: %v", q)
	}
	q = decide("approve")
	if q.Get("code") == "" || q.Get("state") != "st-123" {
		t.Errorf("approve: %v", q)
	}
}

func TestPromptNoneApprovesAtOnce(t *testing.T) {
	p := demoidptest.StartWith(t, demoidp.Options{})
	params := authParams(demoidptest.BasicID, "openid", "")
	params.Set("prompt", "none")
	if q := authorize(t, p, params).Query(); q.Get("code") == "" {
		t.Fatalf("prompt=none: %v", q)
	}
}

func TestMaxAgeRenewsAuthTime(t *testing.T) {
	clock := demoidptest.NewClock(time.Now())
	p := demoidptest.StartWith(t, demoidp.Options{Now: clock.Now})
	authTime := func(params url.Values) time.Time {
		verifier, challenge := newPKCE()
		params.Set("code_challenge", challenge)
		params.Set("code_challenge_method", "S256")
		code := authorize(t, p, params).Query().Get("code")
		tok := wantOK(t, exchange(t, p, code, verifier))
		_, id := mustVerify(t, p, tok["id_token"].(string))
		return numeric(t, id, "auth_time")
	}
	first := authTime(authParams(demoidptest.BasicID, "openid", ""))
	clock.Advance(10 * time.Minute)
	if got := authTime(authParams(demoidptest.BasicID, "openid", "")); !got.Equal(first) {
		t.Errorf("auth_time changed without max_age: %v → %v", first, got)
	}
	params := authParams(demoidptest.BasicID, "openid", "")
	params.Set("max_age", "60")
	if got := authTime(params); !got.After(first) {
		t.Errorf("max_age=60 after 10 min kept auth_time %v", got)
	}
}

func TestLogout(t *testing.T) {
	p := demoidptest.StartWith(t, demoidp.Options{})
	id := tokens(t, p, "openid")["id_token"].(string)

	r := get(t, p.Issuer()+"/logout?"+url.Values{
		"id_token_hint": {id}, "post_logout_redirect_uri": {"http://127.0.0.1:7777/bye"}, "state": {"s9"},
	}.Encode())
	if r.status != http.StatusFound || r.header.Get("Location") != "http://127.0.0.1:7777/bye?state=s9" {
		t.Errorf("logout: status %d Location %q", r.status, r.header.Get("Location"))
	}

	r = get(t, p.Issuer()+"/logout")
	if r.status != http.StatusOK || !strings.Contains(strings.ToLower(string(r.body)), "signed out") {
		t.Errorf("logout without redirect: status %d\n%s", r.status, r.body)
	}

	for name, params := range map[string]url.Values{
		"bad redirect": {"post_logout_redirect_uri": {"https://evil.example/"}},
		"bad hint":     {"id_token_hint": {"not-a-token"}, "post_logout_redirect_uri": {"http://127.0.0.1/bye"}},
	} {
		r = get(t, p.Issuer()+"/logout?"+params.Encode())
		if r.status != http.StatusBadRequest || r.header.Get("Location") != "" {
			t.Errorf("%s: status %d Location %q, want 400 without redirect", name, r.status, r.header.Get("Location"))
		}
	}
}

func TestRotateKeys(t *testing.T) {
	p := demoidptest.StartWith(t, demoidp.Options{})
	oldID := tokens(t, p, "openid")["id_token"].(string)
	oldHeader, _ := mustVerify(t, p, oldID)

	p.RotateKeys()
	set := jwks(t, p)
	if len(set.Keys) != 2 {
		t.Fatalf("JWKS has %d keys after rotation, want 2", len(set.Keys))
	}
	newHeader, _ := mustVerify(t, p, tokens(t, p, "openid")["id_token"].(string))
	if newHeader.KeyID == oldHeader.KeyID {
		t.Errorf("kid %q unchanged after rotation", newHeader.KeyID)
	}
	if set.Keys[0].KeyID != newHeader.KeyID {
		t.Errorf("JWKS lists %q first, want the current key %q", set.Keys[0].KeyID, newHeader.KeyID)
	}
	mustVerify(t, p, oldID) // the old key stays published
	if ids := p.KeyIDs(); len(ids) != 2 || ids[0] != newHeader.KeyID || ids[1] != oldHeader.KeyID {
		t.Errorf("KeyIDs() = %q, want [%s %s]", ids, newHeader.KeyID, oldHeader.KeyID)
	}

	if n := p.RetireOldKeys(); n != 1 {
		t.Errorf("RetireOldKeys() = %d, want 1", n)
	}
	if set := jwks(t, p); len(set.Keys) != 1 || set.Keys[0].KeyID != newHeader.KeyID {
		t.Errorf("JWKS after retiring = %+v, want only %s", set.Keys, newHeader.KeyID)
	}
	if _, _, err := verify(t, p, oldID); err == nil {
		t.Error("a token signed with a retired key still verifies against the JWKS")
	}
}

func TestDateHeaderFromProviderClock(t *testing.T) {
	clock := demoidptest.NewClock(time.Now())
	clock.Advance(-72 * time.Hour)
	p := demoidptest.StartWith(t, demoidp.Options{Now: clock.Now})
	r := get(t, p.Issuer()+"/jwks")
	d, err := http.ParseTime(r.header.Get("Date"))
	if err != nil {
		t.Fatalf("Date %q: %v", r.header.Get("Date"), err)
	}
	if diff := d.Sub(clock.Now()); diff < -time.Second || diff > time.Second {
		t.Errorf("Date = %v, want the provider clock %v", d, clock.Now())
	}
}
