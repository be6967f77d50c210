package demoidp_test

import (
	"encoding/json"
	"errors"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"

	"github.com/tokenbench/tokenbench/flows/demoidp"
	"github.com/tokenbench/tokenbench/flows/demoidp/demoidptest"
)

func TestPKCEVerifierChecked(t *testing.T) {
	p := demoidptest.StartWith(t, demoidp.Options{})
	code, verifier := codeFor(t, p, "openid")
	other, _ := newPKCE()
	form := url.Values{"grant_type": {"authorization_code"}, "code": {code}, "redirect_uri": {redirectURI}}
	m := wantError(t, postBasic(t, p.Issuer()+"/token", form), http.StatusBadRequest, "invalid_grant")
	if !strings.Contains(m["error_description"].(string), "code_verifier") {
		t.Errorf("missing verifier: description %q", m["error_description"])
	}
	wantError(t, exchange(t, p, code, other), http.StatusBadRequest, "invalid_grant")
	// A failed attempt does not consume the code.
	wantOK(t, exchange(t, p, code, verifier))
}

func TestPKCEDowngradeRefused(t *testing.T) {
	p := demoidptest.StartWith(t, demoidp.Options{})
	code := authorize(t, p, authParams(demoidptest.BasicID, "openid", "")).Query().Get("code")
	v, _ := newPKCE()
	wantError(t, exchange(t, p, code, v), http.StatusBadRequest, "invalid_grant")
}

func TestRedirectURIMustMatch(t *testing.T) {
	p := demoidptest.StartWith(t, demoidp.Options{})
	code, verifier := codeFor(t, p, "openid")
	wantError(t, postBasic(t, p.Issuer()+"/token", url.Values{
		"grant_type": {"authorization_code"}, "code": {code}, "code_verifier": {verifier},
		"redirect_uri": {"http://127.0.0.1:5555/other"},
	}), http.StatusBadRequest, "invalid_grant")
}

func TestCodeReuseRevokesTokens(t *testing.T) {
	p := demoidptest.StartWith(t, demoidp.Options{})
	code, verifier := codeFor(t, p, "openid")
	tok := wantOK(t, exchange(t, p, code, verifier))
	m := wantError(t, exchange(t, p, code, verifier), http.StatusBadRequest, "invalid_grant")
	if !strings.Contains(m["error_description"].(string), "already used") {
		t.Errorf("description %q, want it to say the code was already used", m["error_description"])
	}
	for _, name := range []string{"access_token", "refresh_token"} {
		in := wantOK(t, postBasic(t, p.Issuer()+"/introspect", url.Values{"token": {tok[name].(string)}}))
		if in["active"] != false {
			t.Errorf("%s from a reused code is still active: %v", name, in)
		}
	}
}

func TestCodeBoundToClient(t *testing.T) {
	p := demoidptest.StartWith(t, demoidp.Options{})
	code, verifier := codeFor(t, p, "openid")
	wantError(t, post(t, p.Issuer()+"/token", url.Values{
		"grant_type": {"authorization_code"}, "code": {code}, "redirect_uri": {redirectURI},
		"code_verifier": {verifier}, "client_id": {demoidptest.PostID}, "client_secret": {demoidptest.PostSecret},
	}, "", ""), http.StatusBadRequest, "invalid_grant")
}

func TestRefreshTokenRotation(t *testing.T) {
	p := demoidptest.StartWith(t, demoidp.Options{})
	first := tokens(t, p, "openid profile email offline_access")
	rt1 := first["refresh_token"].(string)
	refresh := func(rt, scope string) result {
		form := url.Values{"grant_type": {"refresh_token"}, "refresh_token": {rt}}
		if scope != "" {
			form.Set("scope", scope)
		}
		return postBasic(t, p.Issuer()+"/token", form)
	}

	second := wantOK(t, refresh(rt1, ""))
	rt2, _ := second["refresh_token"].(string)
	if rt2 == "" || rt2 == rt1 {
		t.Fatalf("refresh did not rotate: %q → %q", rt1, rt2)
	}
	if second["scope"] != "openid profile email offline_access" || second["id_token"] == nil {
		t.Errorf("refresh response = %v", second)
	}
	_, id := mustVerify(t, p, second["id_token"].(string))
	if _, ok := id["nonce"]; ok {
		t.Error("refreshed id_token carries a nonce")
	}

	narrowed := wantOK(t, refresh(rt2, "openid"))
	if narrowed["scope"] != "openid" {
		t.Errorf("narrowed scope = %v, want openid", narrowed["scope"])
	}
	_, id = mustVerify(t, p, narrowed["id_token"].(string))
	if _, ok := id["email"]; ok {
		t.Error("narrowed to openid, the id_token still has email")
	}
	// The new refresh token keeps the original grant: widening back works,
	// asking for more than was granted does not.
	rt3 := narrowed["refresh_token"].(string)
	wantError(t, refresh(rt3, "openid admin"), http.StatusBadRequest, "invalid_scope")
	wide := wantOK(t, refresh(rt3, "openid email"))
	if wide["scope"] != "openid email" {
		t.Errorf("scope = %v", wide["scope"])
	}

	// Another client cannot use the refresh token.
	wantError(t, post(t, p.Issuer()+"/token", url.Values{
		"grant_type": {"refresh_token"}, "refresh_token": {wide["refresh_token"].(string)},
		"client_id": {demoidptest.PostID}, "client_secret": {demoidptest.PostSecret},
	}, "", ""), http.StatusBadRequest, "invalid_grant")
}

// TestRefreshTokenReplayRevokesGrant: a rotated-away refresh token used again revokes every token of
// its grant, the current refresh token and access token included (RFC 9700 §4.14.2).
func TestRefreshTokenReplayRevokesGrant(t *testing.T) {
	p := demoidptest.StartWith(t, demoidp.Options{})
	first := tokens(t, p, "openid offline_access")
	refresh := func(rt string) result {
		return postBasic(t, p.Issuer()+"/token", url.Values{"grant_type": {"refresh_token"}, "refresh_token": {rt}})
	}
	active := func(token string) bool {
		return wantOK(t, postBasic(t, p.Issuer()+"/introspect", url.Values{"token": {token}}))["active"] == true
	}
	second := wantOK(t, refresh(first["refresh_token"].(string)))
	rt2, at2 := second["refresh_token"].(string), second["access_token"].(string)
	if !active(at2) || !active(rt2) {
		t.Fatal("the refreshed tokens are not active before the replay")
	}

	m := wantError(t, refresh(first["refresh_token"].(string)), http.StatusBadRequest, "invalid_grant")
	if d := m["error_description"].(string); !strings.Contains(d, "already used") || !strings.Contains(d, "RFC 9700") {
		t.Errorf("replay: description %q, want it to say the token was used and the grant revoked", d)
	}
	if active(at2) || active(rt2) {
		t.Error("after the replay, the grant's current access or refresh token is still active")
	}
	m = wantError(t, refresh(rt2), http.StatusBadRequest, "invalid_grant")
	if d := m["error_description"].(string); !strings.Contains(d, "revoked") {
		t.Errorf("current refresh token after the replay: description %q", d)
	}

	// Another grant of the same client is untouched.
	other := tokens(t, p, "openid offline_access")
	wantOK(t, refresh(other["refresh_token"].(string)))
}

func TestPasswordGrant(t *testing.T) {
	p := demoidptest.StartWith(t, demoidp.Options{})
	tok := wantOK(t, post(t, p.Issuer()+"/token", url.Values{
		"grant_type": {"password"}, "username": {"demo"}, "password": {"demo"}, "scope": {"openid email"},
		"client_id": {demoidptest.PostID}, "client_secret": {demoidptest.PostSecret},
	}, "", ""))
	if tok["id_token"] == nil || tok["refresh_token"] == nil {
		t.Errorf("password grant response = %v", tok)
	}
	_, id := mustVerify(t, p, tok["id_token"].(string))
	if id["aud"] != demoidptest.PostID || id["email"] != "demo@example.com" {
		t.Errorf("id_token = %v", id)
	}
	wantError(t, postBasic(t, p.Issuer()+"/token", url.Values{
		"grant_type": {"password"}, "username": {"demo"}, "password": {"wrong"},
	}), http.StatusBadRequest, "invalid_grant")
}

func TestClientCredentialsGrant(t *testing.T) {
	p := demoidptest.StartWith(t, demoidp.Options{})
	tok := wantOK(t, postBasic(t, p.Issuer()+"/token", url.Values{"grant_type": {"client_credentials"}, "scope": {"openid profile"}}))
	if tok["id_token"] != nil || tok["refresh_token"] != nil {
		t.Errorf("client_credentials issued an id_token or refresh_token: %v", tok)
	}
	if tok["scope"] != "profile" {
		t.Errorf("scope = %v, want profile (openid dropped without a user)", tok["scope"])
	}
	_, claims := mustVerify(t, p, tok["access_token"].(string))
	if claims["sub"] != demoidptest.BasicID || claims["client_id"] != demoidptest.BasicID {
		t.Errorf("access token sub/client_id = %v/%v, want the client", claims["sub"], claims["client_id"])
	}
	wantError(t, post(t, p.Issuer()+"/token", url.Values{"grant_type": {"client_credentials"}, "client_id": {demoidptest.PublicID}}, "", ""),
		http.StatusBadRequest, "unauthorized_client")
}

func TestTokenEndpointRequestErrors(t *testing.T) {
	p := demoidptest.StartWith(t, demoidp.Options{})
	wantError(t, postBasic(t, p.Issuer()+"/token", url.Values{"grant_type": {"urn:example:magic"}}), http.StatusBadRequest, "unsupported_grant_type")
	wantError(t, postBasic(t, p.Issuer()+"/token", url.Values{}), http.StatusBadRequest, "invalid_request")
	wantError(t, postBasic(t, p.Issuer()+"/token", url.Values{"grant_type": {"authorization_code"}, "code": {"nope"}, "redirect_uri": {redirectURI}}),
		http.StatusBadRequest, "invalid_grant")
	// Repeated parameters are refused (RFC 6749 §3.2).
	wantError(t, postBasic(t, p.Issuer()+"/token", url.Values{"grant_type": {"client_credentials", "client_credentials"}}),
		http.StatusBadRequest, "invalid_request")
}

func TestClientAuthentication(t *testing.T) {
	p := demoidptest.StartWith(t, demoidp.Options{})
	tok := p.Issuer() + "/token"
	cc := url.Values{"grant_type": {"client_credentials"}}
	with := func(extra url.Values) url.Values {
		v := url.Values{"grant_type": {"client_credentials"}}
		for k, x := range extra {
			v[k] = x
		}
		return v
	}

	wantOK(t, postBasic(t, tok, cc))
	wantOK(t, post(t, tok, with(url.Values{"client_id": {demoidptest.PostID}, "client_secret": {demoidptest.PostSecret}}), "", ""))

	r := post(t, tok, cc, demoidptest.BasicID, "wrong")
	wantError(t, r, http.StatusUnauthorized, "invalid_client")
	if !strings.HasPrefix(r.header.Get("WWW-Authenticate"), "Basic realm=") {
		t.Errorf("WWW-Authenticate = %q, want a Basic challenge", r.header.Get("WWW-Authenticate"))
	}
	// Each client only accepts its registered method.
	r = post(t, tok, with(url.Values{"client_id": {demoidptest.BasicID}, "client_secret": {demoidptest.BasicSecret}}), "", "")
	m := wantError(t, r, http.StatusUnauthorized, "invalid_client")
	if !strings.Contains(m["error_description"].(string), "client_secret_basic") {
		t.Errorf("description %q should name the registered method", m["error_description"])
	}
	if r.header.Get("WWW-Authenticate") != "" {
		t.Errorf("WWW-Authenticate %q without a Basic attempt", r.header.Get("WWW-Authenticate"))
	}
	r = post(t, tok, cc, demoidptest.PostID, demoidptest.PostSecret)
	wantError(t, r, http.StatusUnauthorized, "invalid_client")
	if !strings.HasPrefix(r.header.Get("WWW-Authenticate"), "Basic") {
		t.Errorf("WWW-Authenticate = %q after a Basic attempt", r.header.Get("WWW-Authenticate"))
	}
	wantError(t, post(t, tok, with(url.Values{"client_id": {demoidptest.BasicID}}), "", ""), http.StatusUnauthorized, "invalid_client")
	wantError(t, post(t, tok, cc, "", ""), http.StatusUnauthorized, "invalid_client")
	wantError(t, post(t, tok, with(url.Values{"client_id": {"nobody"}, "client_secret": {"x"}}), "", ""), http.StatusUnauthorized, "invalid_client")
	// Two methods at once.
	wantError(t, post(t, tok, with(url.Values{"client_secret": {demoidptest.BasicSecret}}), demoidptest.BasicID, demoidptest.BasicSecret), http.StatusBadRequest, "invalid_request")
}

func TestBasicCredentialsAreFormEncoded(t *testing.T) {
	p := demoidptest.StartWith(t, demoidp.Options{})
	cc := url.Values{"grant_type": {"client_credentials"}}
	// RFC 6749 §2.3.1: form-encode id and secret, then Basic-encode.
	wantOK(t, post(t, p.Issuer()+"/token", cc, url.QueryEscape(demoidptest.SpecialID), url.QueryEscape(demoidptest.SpecialSecret)))

	r := post(t, p.Issuer()+"/token", cc, demoidptest.SpecialID, demoidptest.SpecialSecret)
	m := wantError(t, r, http.StatusUnauthorized, "invalid_client")
	if !strings.Contains(m["error_description"].(string), "2.3.1") {
		t.Errorf("description %q should point at RFC 6749 §2.3.1", m["error_description"])
	}
	if !strings.HasPrefix(r.header.Get("WWW-Authenticate"), "Basic realm=") {
		t.Errorf("WWW-Authenticate = %q", r.header.Get("WWW-Authenticate"))
	}
}

func TestClientSecretJWT(t *testing.T) {
	p := demoidptest.StartWith(t, demoidp.Options{})
	tok := p.Issuer() + "/token"
	a := assertion(t, jose.HS256, []byte(demoidptest.JWTSecret), assertionClaims(p, demoidptest.JWTID, "jti-1"))
	wantOK(t, post(t, tok, assertionForm(a), "", ""))

	m := wantError(t, post(t, tok, assertionForm(a), "", ""), http.StatusUnauthorized, "invalid_client")
	if d := m["error_description"].(string); !strings.Contains(d, "replay") || !strings.Contains(d, "jti") {
		t.Errorf("replayed assertion: description %q, want it to say replay", d)
	}

	// aud may be the issuer, as a string or in an array.
	c := assertionClaims(p, demoidptest.JWTID, "jti-2")
	c["aud"] = []string{"https://other.example", p.Issuer()}
	wantOK(t, post(t, tok, assertionForm(assertion(t, jose.HS256, []byte(demoidptest.JWTSecret), c)), "", ""))

	bad := map[string]func(map[string]any){
		"wrong aud":       func(c map[string]any) { c["aud"] = "https://other.example" },
		"no exp":          func(c map[string]any) { delete(c, "exp") },
		"expired":         func(c map[string]any) { c["exp"] = time.Now().Add(-5 * time.Minute).Unix() },
		"exp too far out": func(c map[string]any) { c["exp"] = time.Now().Add(time.Hour).Unix() },
		"no jti":          func(c map[string]any) { delete(c, "jti") },
		"sub not client":  func(c map[string]any) { c["sub"] = "demo-user-1" },
	}
	for name, modify := range bad {
		c := assertionClaims(p, demoidptest.JWTID, "jti-"+name)
		modify(c)
		r := post(t, tok, assertionForm(assertion(t, jose.HS256, []byte(demoidptest.JWTSecret), c)), "", "")
		if r.status != http.StatusUnauthorized || r.json(t)["error"] != "invalid_client" {
			t.Errorf("%s: status %d body %s, want 401 invalid_client", name, r.status, r.body)
		}
	}
	// Wrong secret.
	wrong := assertion(t, jose.HS256, []byte(strings.Repeat("x", 40)), assertionClaims(p, demoidptest.JWTID, "jti-3"))
	wantError(t, post(t, tok, assertionForm(wrong), "", ""), http.StatusUnauthorized, "invalid_client")
	// A secret client may not use an assertion when registered for Basic.
	long := assertion(t, jose.HS256, []byte(demoidptest.JWTSecret), assertionClaims(p, demoidptest.BasicID, "jti-4"))
	wantError(t, post(t, tok, assertionForm(long), "", ""), http.StatusUnauthorized, "invalid_client")
}

func TestPrivateKeyJWT(t *testing.T) {
	p := demoidptest.StartWith(t, demoidp.Options{})
	rsaKey := demoidptest.Key(t, demoidptest.ClientKeyRSA)
	ecKey := demoidptest.Key(t, demoidptest.ClientKeyEC)
	tok := p.Issuer() + "/token"
	for i, tc := range []struct {
		alg jose.SignatureAlgorithm
		key any
	}{{jose.RS256, rsaKey}, {jose.PS256, rsaKey}, {jose.ES256, ecKey}} {
		a := assertion(t, tc.alg, tc.key, assertionClaims(p, demoidptest.PrivateKeyJWTID, "pk-"+string(rune('a'+i))))
		wantOK(t, post(t, tok, assertionForm(a), "", ""))
	}
	// The alg must match the key type, and HS256 is not this client's method.
	a := assertion(t, jose.HS256, []byte(demoidptest.JWTSecret), assertionClaims(p, demoidptest.PrivateKeyJWTID, "pk-x"))
	wantError(t, post(t, tok, assertionForm(a), "", ""), http.StatusUnauthorized, "invalid_client")
	// demo-jwt is registered for client_secret_jwt, so an RS256 assertion
	// for it is refused.
	a = assertion(t, jose.RS256, rsaKey, assertionClaims(p, demoidptest.JWTID, "pk-y"))
	wantError(t, post(t, tok, assertionForm(a), "", ""), http.StatusUnauthorized, "invalid_client")
}

func TestDirectAuthorize(t *testing.T) {
	p := demoidptest.StartWith(t, demoidp.Options{})
	proof := func(secret string, sub string, aud string) string {
		return assertion(t, jose.HS256, []byte(secret), map[string]any{
			"sub": sub, "aud": aud, "iat": time.Now().Unix(), "exp": time.Now().Add(time.Minute).Unix(),
		})
	}
	form := func(client, proof string) url.Values {
		return url.Values{
			"client_id": {client}, "proof_of_authentication_jwt": {proof}, "response_type": {"code"},
			"scope": {"openid email"}, "redirect_uri": {redirectURI}, "state": {"direct-1"}, "nonce": {"n-d"},
		}
	}
	r := post(t, p.Issuer()+"/v1/authorize", form(demoidptest.JWTID, proof(demoidptest.JWTSecret, "demo-user-1", p.Issuer())), "", "")
	if r.status != http.StatusSeeOther {
		t.Fatalf("status %d, want 303; body %s", r.status, r.body)
	}
	loc, err := url.Parse(r.header.Get("Location"))
	if err != nil || !strings.HasPrefix(loc.String(), redirectURI+"?") {
		t.Fatalf("Location = %q", r.header.Get("Location"))
	}
	q := loc.Query()
	if q.Get("code") == "" || q.Get("state") != "direct-1" || q.Get("iss") != p.Issuer() {
		t.Fatalf("authorization response = %v", q)
	}
	// The code is good at the token endpoint, with demo-jwt's own method.
	a := assertion(t, jose.HS256, []byte(demoidptest.JWTSecret), assertionClaims(p, demoidptest.JWTID, "direct-jti"))
	tf := assertionForm(a)
	tf.Set("grant_type", "authorization_code")
	tf.Set("code", q.Get("code"))
	tf.Set("redirect_uri", redirectURI)
	tok := wantOK(t, post(t, p.Issuer()+"/token", tf, "", ""))
	_, id := mustVerify(t, p, tok["id_token"].(string))
	if id["nonce"] != "n-d" || id["aud"] != demoidptest.JWTID {
		t.Errorf("id_token = %v", id)
	}

	for name, f := range map[string]url.Values{
		"wrong aud":     form(demoidptest.JWTID, proof(demoidptest.JWTSecret, "demo", "https://other.example")),
		"unknown user":  form(demoidptest.JWTID, proof(demoidptest.JWTSecret, "mallory", p.Issuer())),
		"wrong secret":  form(demoidptest.JWTID, proof(strings.Repeat("k", 40), "demo", p.Issuer())),
		"no proof":      form(demoidptest.JWTID, ""),
		"short secret":  form(demoidptest.BasicID, proof(strings.Repeat(demoidptest.BasicSecret, 2), "demo", p.Issuer())),
		"garbage proof": form(demoidptest.JWTID, "abc.def.ghi"),
	} {
		r := post(t, p.Issuer()+"/v1/authorize", f, "", "")
		m := wantError(t, r, http.StatusBadRequest, "invalid_request")
		if d, _ := m["error_description"].(string); d == "" || r.header.Get("Location") != "" {
			t.Errorf("%s: description %q, Location %q", name, d, r.header.Get("Location"))
		}
	}
}

func TestConcurrentTokenRequests(t *testing.T) {
	p := demoidptest.StartWith(t, demoidp.Options{})
	var wg sync.WaitGroup
	errs := make(chan string, 40)
	for i := range 20 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if i%5 == 0 {
				p.SetFaults(demoidp.Faults{})
			}
			_ = p.Faults()
			resp, err := http.PostForm(p.Issuer()+"/token", url.Values{
				"grant_type": {"password"}, "username": {"demo"}, "password": {"demo"},
				"client_id": {demoidptest.PostID}, "client_secret": {demoidptest.PostSecret}, "scope": {"openid"},
			})
			if err != nil {
				errs <- err.Error()
				return
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusOK {
				errs <- resp.Status
			}
		}()
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
}

// FuzzTokenRequest sends arbitrary Authorization headers and form bodies to
// the token endpoint: every answer must be a JSON token response or a JSON
// OAuth error with the matching status, never a crash or a 5xx.
func FuzzTokenRequest(f *testing.F) {
	p := demoidptest.StartWith(f, demoidp.Options{})
	f.Add("Basic ZGVtby1iYXNpYzpkZW1vLWJhc2ljLXNlY3JldA==", "grant_type=client_credentials")
	f.Add("Basic ZGVtbzpzcGVjaWFsK2lkOnNlOmNyL2V0KyUmPQ==", "grant_type=client_credentials&scope=openid")
	f.Add("", "grant_type=password&username=demo&password=demo&client_id=demo-public")
	f.Add("Basic !!!", "grant_type=authorization_code&code=x&redirect_uri=http://127.0.0.1/cb&code_verifier=abc")
	f.Add("", "client_assertion_type=urn:ietf:params:oauth:client-assertion-type:jwt-bearer&client_assertion=a.b.c&grant_type=refresh_token")
	f.Add("Bearer x", "grant_type=urn:ietf:params:oauth:grant-type:device_code&device_code=%zz&client_id=demo-public")
	f.Fuzz(func(t *testing.T, authz, body string) {
		req, err := http.NewRequest(http.MethodPost, p.Issuer()+"/token", strings.NewReader(body))
		if err != nil {
			t.Skip()
		}
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		if authz != "" {
			req.Header["Authorization"] = []string{authz}
		}
		resp, err := fuzzClient.Do(req)
		if ne := net.Error(nil); errors.As(err, &ne) && ne.Timeout() {
			t.Fatalf("the token endpoint did not answer: %v", err)
		}
		if err != nil {
			t.Skip() // a header net/http refuses to send
		}
		defer resp.Body.Close()
		var m map[string]any
		if err := json.NewDecoder(resp.Body).Decode(&m); err != nil {
			t.Fatalf("status %d: body is not JSON: %v", resp.StatusCode, err)
		}
		switch resp.StatusCode {
		case http.StatusOK:
			if m["access_token"] == nil {
				t.Fatalf("200 without access_token: %v", m)
			}
		case http.StatusBadRequest, http.StatusUnauthorized:
			if e, _ := m["error"].(string); e == "" || (resp.StatusCode == http.StatusUnauthorized) != (e == "invalid_client") {
				t.Fatalf("status %d with error %v", resp.StatusCode, m)
			}
		default:
			t.Fatalf("status %d: %v", resp.StatusCode, m)
		}
	})
}

// fuzzClient gives up on a request the provider never answers.
var fuzzClient = &http.Client{Timeout: 5 * time.Second}
