package flows_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"
	"github.com/tokenbench/tokenbench/flows"
	"github.com/tokenbench/tokenbench/flows/demoidp/demoidptest"
)

// wantCheck finds the check by name and fails the test unless it has that status and its detail
// has every fragment.
func wantCheck(t *testing.T, checks []flows.Check, name string, status flows.CheckStatus, fragments ...string) flows.Check {
	t.Helper()
	r := flows.Report{Checks: checks}
	c, ok := r.Find(name)
	if !ok {
		t.Fatalf("no %s check in %+v", name, checks)
	}
	if c.Status != status {
		t.Errorf("check %s = %s (%s), want %s", name, c.Status, c.Detail, status)
	}
	for _, f := range fragments {
		if !strings.Contains(c.Detail, f) {
			t.Errorf("check %s detail %q lacks %q", name, c.Detail, f)
		}
	}
	return c
}

// TestUserInfoSignedThenEncryptedFromTheDemo: demo-encrypted's userinfo is signed, then encrypted
// (OpenID Connect Core §5.3.2); it is decrypted and verified against the provider's JWKS, and its
// sub is the id_token's.
func TestUserInfoSignedThenEncryptedFromTheDemo(t *testing.T) {
	p := demoidptest.Start(t)
	c := encryptedClient(t, p, demoDecryptionKey(t))
	_, tok, err := codeFlow(t, c)
	if err != nil {
		t.Fatal(err)
	}
	sub, err := c.IDTokenSubject(tok.IDToken) // a JWE: decrypted first
	if err != nil || sub == "" {
		t.Fatalf("IDTokenSubject = %q, %v", sub, err)
	}
	ui, err := c.UserInfo(context.Background(), tok.AccessToken, flows.UserInfoExpect{Subject: sub})
	if err != nil {
		t.Fatal(err)
	}
	if ui.Report == nil || !ui.OK() {
		t.Fatalf("report %+v", ui.Report)
	}
	checks := ui.Checks()
	wantCheck(t, checks, "decryption", flows.CheckPass, "RSA-OAEP-256")
	wantCheck(t, checks, "signature", flows.CheckPass, "valid RS256 signature")
	wantCheck(t, checks, "alg", flows.CheckPass, "RS256")
	wantCheck(t, checks, "iss", flows.CheckPass, p.Issuer())
	wantCheck(t, checks, "aud", flows.CheckPass, `"demo-encrypted"`)
	wantCheck(t, checks, flows.CheckUserInfoSubject, flows.CheckPass, sub)
	for _, n := range []string{"azp", "nonce", "at_hash", "c_hash", "auth_time"} {
		if _, ok := ui.Report.Find(n); ok {
			t.Errorf("the userinfo report has the id_token-only check %s", n)
		}
	}
	if ui.JWT.Kind != flows.JWTKindJWS || ui.Report.Encrypted == nil || ui.Members["sub"] != sub {
		t.Errorf("JWT %+v, encrypted %v, members %v", ui.JWT, ui.Report.Encrypted != nil, ui.Members)
	}
	if f := ui.Form(); !strings.Contains(f, "signed with alg RS256, then encrypted") {
		t.Errorf("Form() = %q", f)
	}
}

// TestUserInfoJSONSubject: a JSON answer has no report (nothing is signed), and its sub is still
// compared with the id_token's: pass, fail with both values, or skipped with why.
func TestUserInfoJSONSubject(t *testing.T) {
	p := demoidptest.Start(t)
	c := demoClient(t, p, "demo-basic")
	_, tok, err := codeFlow(t, c)
	if err != nil {
		t.Fatal(err)
	}
	sub, err := c.IDTokenSubject(tok.IDToken)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	ui, err := c.UserInfo(ctx, tok.AccessToken, flows.UserInfoExpect{Subject: sub})
	if err != nil {
		t.Fatal(err)
	}
	if ui.Report != nil || ui.JWT != nil || !strings.Contains(ui.Form(), "not signed") {
		t.Errorf("a JSON answer: report %+v, form %q", ui.Report, ui.Form())
	}
	if cs := ui.Checks(); len(cs) != 1 || !ui.OK() {
		t.Errorf("checks %+v", cs)
	}
	wantCheck(t, ui.Checks(), flows.CheckUserInfoSubject, flows.CheckPass, `userinfo sub "`+sub+`" is the id_token's sub`)

	ui, err = c.UserInfo(ctx, tok.AccessToken, flows.UserInfoExpect{Subject: "someone-else"})
	if err != nil {
		t.Fatal(err)
	}
	if ui.OK() {
		t.Error("a sub mismatch passed")
	}
	ch := wantCheck(t, ui.Checks(), flows.CheckUserInfoSubject, flows.CheckFail, `"`+sub+`"`, `"someone-else"`, "must not be used")
	if ch.Kind != flows.KindUserInfoSubMismatch {
		t.Errorf("kind %s", ch.Kind)
	}

	ui, err = c.UserInfo(ctx, tok.AccessToken)
	if err != nil {
		t.Fatal(err)
	}
	wantCheck(t, ui.Checks(), flows.CheckUserInfoSubject, flows.CheckSkipped, "no id_token sub was given")
	ui, err = c.UserInfo(ctx, tok.AccessToken, flows.UserInfoExpect{NoSubject: "this session has no id_token"})
	if err != nil {
		t.Fatal(err)
	}
	wantCheck(t, ui.Checks(), flows.CheckUserInfoSubject, flows.CheckSkipped, "this session has no id_token")
}

// userInfoServer is a provider of a signed userinfo answer: discovery, a JWKS and a userinfo
// endpoint that answers whatever answer holds, as application/jwt.
type userInfoServer struct {
	*httptest.Server
	key *ecdsa.PrivateKey
	mu  sync.Mutex
	ans string
}

func newUserInfoServer(t *testing.T) *userInfoServer {
	t.Helper()
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	s := &userInfoServer{key: k}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /.well-known/openid-configuration", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]any{
			"issuer": s.URL, "userinfo_endpoint": s.URL + "/userinfo", "jwks_uri": s.URL + "/jwks",
			"userinfo_signing_alg_values_supported": []string{"ES256"},
		})
	})
	mux.HandleFunc("GET /jwks", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(jose.JSONWebKeySet{Keys: []jose.JSONWebKey{{Key: &k.PublicKey, KeyID: "ui1", Algorithm: "ES256", Use: "sig"}}})
	})
	mux.HandleFunc("GET /userinfo", func(w http.ResponseWriter, _ *http.Request) {
		s.mu.Lock()
		defer s.mu.Unlock()
		w.Header().Set("Content-Type", "application/jwt")
		_, _ = w.Write([]byte(s.ans))
	})
	s.Server = httptest.NewServer(mux)
	t.Cleanup(s.Close)
	return s
}

// sign makes a userinfo JWT of claims signed with the server's key.
func (s *userInfoServer) sign(t *testing.T, claims map[string]any) string {
	t.Helper()
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.ES256, Key: jose.JSONWebKey{Key: s.key, KeyID: "ui1"}}, (&jose.SignerOptions{}).WithType("JWT"))
	if err != nil {
		t.Fatal(err)
	}
	tok, err := jwt.Signed(signer).Claims(claims).Serialize()
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

// answer sets what the userinfo endpoint answers.
func (s *userInfoServer) answer(a string) {
	s.mu.Lock()
	s.ans = a
	s.mu.Unlock()
}

// client is a flows client of the server as client_id "app".
func (s *userInfoServer) client(t *testing.T) *flows.Client {
	t.Helper()
	c, err := flows.NewClient(flows.ClientConfig{Issuer: s.URL, ClientID: "app"}, flows.TransportOptions{Timeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// call calls userinfo expecting sub, or with no id_token sub when it is empty.
func (s *userInfoServer) call(t *testing.T, c *flows.Client, sub string) *flows.Result {
	t.Helper()
	res, err := c.UserInfo(context.Background(), "at", flows.UserInfoExpect{Subject: sub})
	if err != nil {
		t.Fatal(err)
	}
	if res.Report == nil || res.JWT == nil {
		t.Fatalf("a JWT answer without a report: %+v", res)
	}
	return res
}

// TestUserInfoSignedJWT verifies a signed userinfo answer (OpenID Connect Core §5.3.2, §10.1): a
// good one passes, and a tampered one, one for another client, one from another issuer and one
// about another user each fail their check, while the claims are still there to show.
func TestUserInfoSignedJWT(t *testing.T) {
	s := newUserInfoServer(t)
	c := s.client(t)
	good := map[string]any{"iss": s.URL, "aud": "app", "sub": "alice", "email": "alice@example.com"}
	with := func(k string, v any) map[string]any {
		m := map[string]any{}
		for key, val := range good {
			m[key] = val
		}
		m[k] = v
		return m
	}

	s.answer(s.sign(t, good))
	res := s.call(t, c, "alice")
	if !res.OK() {
		t.Fatalf("failed: %+v", res.Checks())
	}
	wantCheck(t, res.Checks(), "signature", flows.CheckPass, "ES256", `kid "ui1"`)
	wantCheck(t, res.Checks(), "alg", flows.CheckPass, "ES256 is among the provider's advertised algorithms")
	wantCheck(t, res.Checks(), "iss", flows.CheckPass)
	wantCheck(t, res.Checks(), "aud", flows.CheckPass, `"app"`)
	wantCheck(t, res.Checks(), "exp", flows.CheckSkipped, "no exp claim") // userinfo JWTs need no exp
	wantCheck(t, res.Checks(), flows.CheckUserInfoSubject, flows.CheckPass, `"alice"`)
	if res.Members["email"] != "alice@example.com" || !strings.Contains(res.Form(), "a signed JWT (application/jwt, alg ES256)") {
		t.Errorf("members %v, form %q", res.Members, res.Form())
	}

	// Tampered: the payload changed after signing.
	parts := strings.Split(s.sign(t, good), ".")
	payload, _ := json.Marshal(with("sub", "mallory"))
	parts[1] = base64.RawURLEncoding.EncodeToString(payload)
	s.answer(strings.Join(parts, "."))
	res = s.call(t, c, "mallory")
	ch := wantCheck(t, res.Checks(), "signature", flows.CheckFail, "does not verify")
	if ch.Kind != flows.KindSignatureInvalid || res.OK() {
		t.Errorf("tampered: kind %s, OK %v", ch.Kind, res.OK())
	}

	s.answer(s.sign(t, with("aud", "other-client")))
	res = s.call(t, c, "alice")
	if ch := wantCheck(t, res.Checks(), "aud", flows.CheckFail, `"other-client"`, `"app"`); ch.Kind != flows.KindAudienceMismatch {
		t.Errorf("aud kind %s", ch.Kind)
	}

	s.answer(s.sign(t, with("iss", "https://evil.example")))
	res = s.call(t, c, "alice")
	wantCheck(t, res.Checks(), "iss", flows.CheckFail, "https://evil.example")

	// About another user: the signature is good, the subject is not the id_token's.
	s.answer(s.sign(t, with("sub", "bob")))
	res = s.call(t, c, "alice")
	wantCheck(t, res.Checks(), "signature", flows.CheckPass)
	wantCheck(t, res.Checks(), flows.CheckUserInfoSubject, flows.CheckFail, `userinfo sub is "bob", but the id_token's sub is "alice"`)
	if res.OK() || res.Members["sub"] != "bob" {
		t.Errorf("OK %v, members %v", res.OK(), res.Members)
	}

	// No id_token sub: skipped, saying why.
	s.answer(s.sign(t, good))
	res = s.call(t, c, "")
	wantCheck(t, res.Checks(), flows.CheckUserInfoSubject, flows.CheckSkipped, "no id_token sub was given")

	// iss and aud are absent: skipped, with what §5.3.2 says of them.
	s.answer(s.sign(t, map[string]any{"sub": "alice"}))
	res = s.call(t, c, "alice")
	wantCheck(t, res.Checks(), "iss", flows.CheckSkipped, "should carry it")
	wantCheck(t, res.Checks(), "aud", flows.CheckSkipped, "should carry it")
}

// TestUserInfoSubjectQuirk: with UserInfoSubjectClaim id (OneAccess, Bamboo Cloud), the id member
// is compared, a string or a number; an answer without it fails and says what it has instead.
func TestUserInfoSubjectQuirk(t *testing.T) {
	s := newUserInfoServer(t)
	c := s.client(t)
	c.Config.UserInfoSubjectClaim = "id"

	s.answer(s.sign(t, map[string]any{"iss": s.URL, "aud": "app", "id": "u-42"}))
	wantCheck(t, s.call(t, c, "u-42").Checks(), flows.CheckUserInfoSubject, flows.CheckPass, `userinfo id "u-42" is the id_token's sub`, "names the subject \"id\"")
	wantCheck(t, s.call(t, c, "u-43").Checks(), flows.CheckUserInfoSubject, flows.CheckFail, `userinfo id is "u-42", but the id_token's sub is "u-43"`)

	s.answer(s.sign(t, map[string]any{"iss": s.URL, "aud": "app", "id": 1234}))
	wantCheck(t, s.call(t, c, "1234").Checks(), flows.CheckUserInfoSubject, flows.CheckPass, `"1234"`)

	s.answer(s.sign(t, map[string]any{"iss": s.URL, "aud": "app", "sub": "u-42"}))
	wantCheck(t, s.call(t, c, "u-42").Checks(), flows.CheckUserInfoSubject, flows.CheckFail, `no "id" member`, "it has a sub member")

	// Without the quirk, the sub member is compared, and an answer naming the subject id says so.
	c.Config.UserInfoSubjectClaim = ""
	s.answer(s.sign(t, map[string]any{"iss": s.URL, "aud": "app", "id": "u-42"}))
	wantCheck(t, s.call(t, c, "u-42").Checks(), flows.CheckUserInfoSubject, flows.CheckFail, `no "sub" member`, "always carries sub", "it has an id member")
}

// TestUserInfoEncryptedOnly: an answer encrypted without being signed (OpenID Connect Core §5.3.2
// allows it) is decrypted; there is no signature to verify, and the report says so.
func TestUserInfoEncryptedOnly(t *testing.T) {
	s := newUserInfoServer(t)
	c := s.client(t)
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	c.Config.DecryptionKey = &jose.JSONWebKey{Key: k, KeyID: "enc1"}
	s.answer(encryptForTest(t, `{"sub":"alice","email":"alice@example.com"}`, jose.RSA_OAEP_256, jose.A256GCM, &k.PublicKey))
	res := s.call(t, c, "alice")
	wantCheck(t, res.Checks(), "decryption", flows.CheckPass)
	wantCheck(t, res.Checks(), "signature", flows.CheckSkipped, "not signed")
	wantCheck(t, res.Checks(), flows.CheckUserInfoSubject, flows.CheckPass)
	if res.Members["email"] != "alice@example.com" || !strings.Contains(res.Form(), "not signed") {
		t.Errorf("members %v, form %q", res.Members, res.Form())
	}
}

// TestIDTokenSubject reads sub from a signed id_token, and explains what it cannot read.
func TestIDTokenSubject(t *testing.T) {
	s := newUserInfoServer(t)
	c := s.client(t)
	if sub, err := c.IDTokenSubject(s.sign(t, map[string]any{"sub": "alice"})); err != nil || sub != "alice" {
		t.Errorf("sub %q, %v", sub, err)
	}
	if _, err := c.IDTokenSubject(s.sign(t, map[string]any{"iss": "x"})); err == nil || !strings.Contains(err.Error(), "no sub claim") {
		t.Errorf("no sub: %v", err)
	}
	if _, err := c.IDTokenSubject("opaque"); err == nil {
		t.Error("an opaque token gave a sub")
	}
}
