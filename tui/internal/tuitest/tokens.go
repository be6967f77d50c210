package tuitest

import (
	"encoding/base64"
	"encoding/json"
	"testing"
	"time"

	"github.com/tokenbench/tokenbench/flows"
	"github.com/tokenbench/tokenbench/tui/ui"
)

// A fake token set, as the flow screen announces it, for the inspector's tests.

// FixedNow is the clock of the inspector and trace tests.
var FixedNow = time.Date(2026, 3, 14, 9, 30, 0, 0, time.UTC)

// FakeJWT builds an obviously fake, unsigned-looking JWS: real header and claims, a signature
// that is the text "fake-signature".
func FakeJWT(t testing.TB, header, claims string) string {
	t.Helper()
	for _, s := range []string{header, claims} {
		if !json.Valid([]byte(s)) {
			t.Fatalf("not JSON: %s", s)
		}
	}
	enc := base64.RawURLEncoding.EncodeToString
	return enc([]byte(header)) + "." + enc([]byte(claims)) + "." + enc([]byte("fake-signature"))
}

// The fake tokens of the tests: issued at 09:00 for an hour, by a fake issuer.
const (
	FakeHeader      = `{"alg":"RS256","kid":"fake-key-1","typ":"JWT"}`
	fakeIDClaims    = `{"iss":"http://127.0.0.1:1","sub":"fake-user-1","aud":"fake-client","exp":1773482400,"iat":1773478800,"auth_time":1773478790,"nonce":"fake-nonce","email":"fake@example.com","email_verified":true,"name":"Fake User","tenant_hint":"not registered"}`
	fakeAccessHdr   = `{"alg":"RS256","kid":"fake-key-1","typ":"at+jwt"}`
	fakeATClaims    = `{"iss":"http://127.0.0.1:1","sub":"fake-user-1","aud":"http://127.0.0.1:1/api","client_id":"fake-client","scope":"openid profile email","exp":1773482400,"iat":1773478800,"jti":"fake-jti-1"}`
	fakeATClaims2   = `{"iss":"http://127.0.0.1:1","sub":"fake-user-1","aud":"http://127.0.0.1:1/api","client_id":"fake-client","scope":"openid profile","exp":1773484200,"iat":1773480600,"jti":"fake-jti-2","sid":"fake-session"}`
	FakeRefresh     = "fake-opaque-refresh-token-1"
	fakeRefresh2    = "fake-opaque-refresh-token-2"
	FakeOpaqueToken = "fake-opaque-access-token"
)

// FakeTokens is a token set as the flow screen announces it, with the id_token's report made at
// the fixed time.
func FakeTokens(t testing.TB) ui.TokensReceivedMsg {
	t.Helper()
	id := FakeJWT(t, FakeHeader, fakeIDClaims)
	tok := &flows.Token{
		IDToken: id, AccessToken: FakeJWT(t, fakeAccessHdr, fakeATClaims), RefreshToken: FakeRefresh,
		TokenType: "Bearer", ExpiresIn: 3600, Expiry: FixedNow.Add(30 * time.Minute),
	}
	report := flows.Verify(t.Context(), id, nil, flows.Expect{
		Issuer: "http://127.0.0.1:1", Audience: "fake-client", AuthorizedParty: "fake-client", Nonce: "fake-nonce", IDToken: true,
	}, FixedNow, time.Minute)
	return ui.TokensReceivedMsg{Step: "token", Grant: flows.GrantAuthorizationCode, Token: tok, Report: report, HasReport: true, At: FixedNow.Add(-30 * time.Minute)}
}

// RefreshedTokens is the answer of a refresh after FakeTokens: a new access token with changed
// claims, a rotated refresh token, no new id_token.
func RefreshedTokens(t testing.TB, before ui.TokensReceivedMsg) ui.TokensReceivedMsg {
	t.Helper()
	tok := &flows.Token{
		AccessToken: FakeJWT(t, fakeAccessHdr, fakeATClaims2), RefreshToken: fakeRefresh2, TokenType: "Bearer",
		ExpiresIn: 3600, Expiry: FixedNow.Add(time.Hour), Rotation: flows.RotationRotated,
	}
	return ui.TokensReceivedMsg{Step: "refresh", Grant: flows.GrantRefreshToken, Token: tok, Previous: before.Token, At: FixedNow}
}
