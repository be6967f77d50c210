package flows

import (
	"context"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/tokenbench/tokenbench/assets"
)

// testKeyPairs are generated once per test binary: RSA generation is slow.
var testKeyPairs = sync.OnceValue(func() (k struct {
	rsa1, rsa2 *rsa.PrivateKey
	ec         *ecdsa.PrivateKey
	ed         ed25519.PrivateKey
}) {
	var err error
	if k.rsa1, err = rsa.GenerateKey(rand.Reader, 2048); err != nil {
		panic(err)
	}
	if k.rsa2, err = rsa.GenerateKey(rand.Reader, 2048); err != nil {
		panic(err)
	}
	if k.ec, err = ecdsa.GenerateKey(elliptic.P256(), rand.Reader); err != nil {
		panic(err)
	}
	if _, k.ed, err = ed25519.GenerateKey(rand.Reader); err != nil {
		panic(err)
	}
	return k
})

// testJWKS publishes the public test keys: rsa-1 (RS256), ec-1, ed-1, and rsa-enc for encryption.
func testJWKS() *jose.JSONWebKeySet {
	k := testKeyPairs()
	return &jose.JSONWebKeySet{Keys: []jose.JSONWebKey{
		{Key: &k.rsa1.PublicKey, KeyID: "rsa-1", Algorithm: "RS256", Use: "sig"},
		{Key: &k.ec.PublicKey, KeyID: "ec-1", Use: "sig"},
		{Key: k.ed.Public(), KeyID: "ed-1"},
		{Key: &k.rsa2.PublicKey, KeyID: "rsa-enc", Use: "enc"},
	}}
}

// signTest signs claims as a compact JWS; header members in extra are added (a "kid" there sets the
// key id, "" leaves it out).
func signTest(t testing.TB, alg jose.SignatureAlgorithm, key any, kid string, extra map[string]any, claims map[string]any) string {
	t.Helper()
	opts := &jose.SignerOptions{}
	for k, v := range extra {
		opts.WithHeader(jose.HeaderKey(k), v)
	}
	var sk any = key
	if kid != "" {
		sk = jose.JSONWebKey{Key: key, KeyID: kid}
	}
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: alg, Key: sk}, opts)
	if err != nil {
		t.Fatal(err)
	}
	payload, err := json.Marshal(claims)
	if err != nil {
		t.Fatal(err)
	}
	obj, err := signer.Sign(payload)
	if err != nil {
		t.Fatal(err)
	}
	s, err := obj.CompactSerialize()
	if err != nil {
		t.Fatal(err)
	}
	return s
}

var testNow = time.Date(2026, 11, 21, 7, 23, 0, 0, time.UTC)

const (
	testIssuer = "https://idp.example.com"
	testClient = "s6BhdRkqt3"
	// The access token and code of OpenID Connect Core Appendix A.3 and A.4, with their published
	// at_hash and c_hash.
	coreAccessToken = "jHkWEdUXMU1BwAsC4vtUsZwnNvTIxEl0z9K3vx5KF0Y"
	coreAtHash      = "77QmUPtjPfzWtF2AnpK9RQ"
	coreCode        = "Qcb0Orv1zh30vL1MPRsbm-diHiMwcLyZvn1arpZv-Jxf_11jnpEX3Tgfvk"
	coreCHash       = "LDktKdoQak3Pk0cnXxCltA"
)

// goodClaims is an id_token that passes every check of goodExpect at testNow.
func goodClaims() map[string]any {
	return map[string]any{
		"iss":       testIssuer,
		"sub":       "248289761001",
		"aud":       testClient,
		"azp":       testClient,
		"exp":       testNow.Add(54 * time.Minute).Unix(),
		"iat":       testNow.Add(-6 * time.Minute).Unix(),
		"nbf":       testNow.Add(-6 * time.Minute).Unix(),
		"auth_time": testNow.Add(-10 * time.Minute).Unix(),
		"nonce":     "n-0S6_WzA2Mj",
		"at_hash":   coreAtHash,
		"c_hash":    coreCHash,
	}
}

func goodExpect() Expect {
	return Expect{
		Issuer: testIssuer, Audience: testClient, AuthorizedParty: testClient,
		Nonce: "n-0S6_WzA2Mj", AccessToken: coreAccessToken, Code: coreCode, MaxAge: time.Hour,
		AllowedAlgs: []string{"RS256", "ES256", "EdDSA", "PS256"},
		ServerDate:  testNow.Add(-2 * time.Second), ReceivedAt: testNow,
		IDToken: true,
	}
}

// rs256 signs claims with rsa-1.
func rs256(t testing.TB, claims map[string]any) string {
	return signTest(t, jose.RS256, testKeyPairs().rsa1, "rsa-1", nil, claims)
}

func verifyTest(t testing.TB, tok string, keys KeySource, exp Expect) Report {
	t.Helper()
	return Verify(context.Background(), tok, keys, exp, testNow, DefaultSkew)
}

// mustCheck finds a check or fails the test.
func mustCheck(t testing.TB, r Report, name string) Check {
	t.Helper()
	c, ok := r.Find(name)
	if !ok {
		t.Fatalf("no %q check in %+v", name, r.Checks)
	}
	return c
}

func TestVerifyValidToken(t *testing.T) {
	keys := NewStaticKeys(testJWKS())
	r := verifyTest(t, rs256(t, goodClaims()), keys, goodExpect())
	want := []string{"format", "typ", "alg", "signature", "iss", "sub", "aud", "azp", "exp", "iat", "nbf", "nonce", "at_hash", "c_hash", "auth_time", "clock_skew"}
	var names []string
	for _, c := range r.Checks {
		names = append(names, c.Name)
		if c.Status != CheckPass || c.Kind != "" || c.Detail == "" {
			t.Errorf("check %+v: want a pass with a detail and no kind", c)
		}
	}
	if strings.Join(names, ",") != strings.Join(want, ",") {
		t.Errorf("checks %v, want %v", names, want)
	}
	if !r.OK() || len(r.Failed()) != 0 {
		t.Errorf("OK() = %v, Failed() = %v", r.OK(), r.Failed())
	}
	if r.Token == nil || r.Token.ClaimString("sub") != "248289761001" {
		t.Errorf("report token = %+v", r.Token)
	}
	for name, want := range map[string]string{
		"signature":  `valid RS256 signature by the key with kid "rsa-1" (RSA 2048-bit)`,
		"exp":        "expires at 2026-11-21 08:17:00 UTC, in 54m",
		"iat":        "issued at 2026-11-21 07:17:00 UTC, 6m ago",
		"at_hash":    `at_hash "77QmUPtjPfzWtF2AnpK9RQ" is the left half of the SHA-256 hash of the access token`,
		"c_hash":     `c_hash "LDktKdoQak3Pk0cnXxCltA"`,
		"clock_skew": "2s ahead of the provider's",
		"alg":        "RS256 is among the provider's advertised algorithms (RS256, ES256, EdDSA, PS256)",
	} {
		if c := mustCheck(t, r, name); !strings.Contains(c.Detail, want) {
			t.Errorf("%s detail %q lacks %q", name, c.Detail, want)
		}
	}
}

func TestVerifyOtherAlgorithms(t *testing.T) {
	k := testKeyPairs()
	keys := NewStaticKeys(testJWKS())
	cases := []struct {
		alg jose.SignatureAlgorithm
		key any
		kid string
		// hashName is the hash at_hash must use for the alg.
		hashName string
	}{
		{jose.ES256, k.ec, "ec-1", "SHA-256"},
		{jose.EdDSA, k.ed, "ed-1", "SHA-512"},
		{jose.PS256, k.rsa1, "", "SHA-256"}, // no kid: the only RSA signing key usable with PS256 is taken
	}
	for _, c := range cases {
		t.Run(string(c.alg), func(t *testing.T) {
			claims := goodClaims()
			exp := goodExpect()
			claims["at_hash"], _, _ = claimHash(string(c.alg), exp.AccessToken)
			claims["c_hash"], _, _ = claimHash(string(c.alg), exp.Code)
			r := verifyTest(t, signTest(t, c.alg, c.key, c.kid, nil, claims), keys, exp)
			if c.alg == jose.PS256 {
				// rsa-1 is published for RS256 only, so a PS256 token cannot use it.
				sig := mustCheck(t, r, "signature")
				if sig.Status != CheckFail || sig.Kind != KindUnknownKID || !strings.Contains(sig.Detail, "no kid") {
					t.Errorf("PS256 without kid against an RS256-only key: %+v", sig)
				}
				return
			}
			if !r.OK() {
				t.Fatalf("failed: %+v", r.Failed())
			}
			if at := mustCheck(t, r, "at_hash"); !strings.Contains(at.Detail, c.hashName) {
				t.Errorf("at_hash detail %q does not name %s", at.Detail, c.hashName)
			}
		})
	}
}

func TestVerifyFailures(t *testing.T) {
	k := testKeyPairs()
	keys := NewStaticKeys(testJWKS())
	type tc struct {
		name    string
		claims  func(map[string]any)
		expect  func(*Expect)
		token   func(claims map[string]any) string // default rs256
		check   string
		status  CheckStatus
		kind    Kind
		details []string
	}
	cases := []tc{
		{name: "expired", claims: func(c map[string]any) { c["exp"] = testNow.Add(-3*time.Hour - 12*time.Minute).Unix() },
			check: "exp", status: CheckFail, kind: KindTokenExpired,
			details: []string{"expired 3h12m ago at 2026-11-21 04:11:00 UTC (allowance 60s)"}},
		{name: "expired within allowance", claims: func(c map[string]any) { c["exp"] = testNow.Add(-30 * time.Second).Unix() },
			check: "exp", status: CheckPass, details: []string{"expired 30s ago", "within the 60s clock-skew allowance"}},
		{name: "exp as string", claims: func(c map[string]any) { c["exp"] = strconv.FormatInt(testNow.Add(time.Hour).Unix(), 10) },
			check: "exp", status: CheckPass, details: []string{"sent as a JSON string"}},
		{name: "exp not a date", claims: func(c map[string]any) { c["exp"] = "tomorrow" },
			check: "exp", status: CheckFail, kind: KindMalformedJWT, details: []string{`the string "tomorrow", not a NumericDate`}},
		{name: "exp missing", claims: func(c map[string]any) { delete(c, "exp") },
			check: "exp", status: CheckFail, kind: KindMissingClaim, details: []string{"no exp claim", "OpenID Connect Core §2"}},
		{name: "exp missing, not an id_token", claims: func(c map[string]any) { delete(c, "exp") }, expect: func(e *Expect) { e.IDToken = false },
			check: "exp", status: CheckSkipped, details: []string{"skipped: the token has no exp claim"}},
		{name: "issued in future", claims: func(c map[string]any) { c["iat"] = testNow.Add(5 * time.Minute).Unix() },
			check: "iat", status: CheckFail, kind: KindIssuedInFuture, details: []string{"issued 5m in the future, at 2026-11-21 07:28:00 UTC (allowance 60s)"}},
		{name: "iat missing", claims: func(c map[string]any) { delete(c, "iat") },
			check: "iat", status: CheckFail, kind: KindMissingClaim},
		{name: "not yet valid", claims: func(c map[string]any) { c["nbf"] = testNow.Add(10 * time.Minute).Unix() },
			check: "nbf", status: CheckFail, kind: KindTokenNotYetValid, details: []string{"not valid before 2026-11-21 07:33:00 UTC, in 10m"}},
		{name: "nbf absent", claims: func(c map[string]any) { delete(c, "nbf") },
			check: "nbf", status: CheckSkipped, details: []string{"skipped: the token has no nbf claim"}},
		{name: "wrong issuer", claims: func(c map[string]any) { c["iss"] = "https://evil.example.com" },
			check: "iss", status: CheckFail, kind: KindIssMismatch, details: []string{`iss is "https://evil.example.com", but the expected issuer is "https://idp.example.com"`}},
		{name: "issuer trailing slash", claims: func(c map[string]any) { c["iss"] = testIssuer + "/" },
			check: "iss", status: CheckFail, kind: KindIssMismatch, details: []string{"only by a trailing slash"}},
		{name: "iss missing", claims: func(c map[string]any) { delete(c, "iss") },
			check: "iss", status: CheckFail, kind: KindMissingClaim},
		{name: "no issuer expected", expect: func(e *Expect) { e.Issuer = "" },
			check: "iss", status: CheckSkipped, details: []string{"skipped: no expected issuer was given"}},
		{name: "sub missing", claims: func(c map[string]any) { delete(c, "sub") },
			check: "sub", status: CheckFail, kind: KindMissingClaim},
		{name: "wrong audience", claims: func(c map[string]any) { c["aud"] = []string{"other-client", "api"} },
			check: "aud", status: CheckFail, kind: KindAudienceMismatch, details: []string{`aud is "other-client", "api" and does not contain the client_id "s6BhdRkqt3"`}},
		{name: "aud not strings", claims: func(c map[string]any) { c["aud"] = []any{testClient, 7} },
			check: "aud", status: CheckFail, kind: KindAudienceMismatch, details: []string{"not a string or an array of strings"}},
		{name: "aud empty array", claims: func(c map[string]any) { c["aud"] = []any{} },
			check: "aud", status: CheckFail, kind: KindAudienceMismatch, details: []string{`aud is [] and does not contain the client_id "s6BhdRkqt3"`}},
		{name: "aud empty array, no client_id", expect: func(e *Expect) { e.Audience = "" }, claims: func(c map[string]any) { c["aud"] = []any{} },
			check: "aud", status: CheckSkipped, details: []string{"no client_id was given to look for; aud is []"}},
		{name: "several audiences without azp", claims: func(c map[string]any) { c["aud"] = []string{testClient, "api"}; delete(c, "azp") },
			check: "aud", status: CheckPass, details: []string{"contains the client_id", "should also carry azp", "§3.1.3.7 item 4"}},
		{name: "azp absent with several audiences", claims: func(c map[string]any) { c["aud"] = []string{testClient, "api"}; delete(c, "azp") },
			check: "azp", status: CheckSkipped, details: []string{"skipped: no azp claim", "2 audiences"}},
		{name: "azp absent with one audience", claims: func(c map[string]any) { delete(c, "azp") },
			check: "azp", status: CheckSkipped, details: []string{"skipped: no azp claim, which is fine with a single audience"}},
		{name: "wrong azp", claims: func(c map[string]any) { c["azp"] = "other-client" },
			check: "azp", status: CheckFail, kind: KindAZPMismatch, details: []string{`azp is "other-client", but the client_id is "s6BhdRkqt3"`}},
		{name: "wrong nonce", claims: func(c map[string]any) { c["nonce"] = "replayed" },
			check: "nonce", status: CheckFail, kind: KindNonceMismatch, details: []string{`nonce is "replayed", but the authorization request sent "n-0S6_WzA2Mj"`}},
		{name: "nonce missing", claims: func(c map[string]any) { delete(c, "nonce") },
			check: "nonce", status: CheckFail, kind: KindNonceMismatch, details: []string{"has no nonce claim"}},
		{name: "no nonce sent", expect: func(e *Expect) { e.Nonce = "" }, claims: func(c map[string]any) { delete(c, "nonce") },
			check: "nonce", status: CheckSkipped, details: []string{"skipped: no nonce was sent in the authorization request"}},
		{name: "wrong at_hash", expect: func(e *Expect) { e.AccessToken = "another-access-token" },
			check: "at_hash", status: CheckFail, kind: KindAtHashMismatch, details: []string{`at_hash is "77QmUPtjPfzWtF2AnpK9RQ"`, "did not come from the same response"}},
		{name: "no access token", expect: func(e *Expect) { e.AccessToken = "" },
			check: "at_hash", status: CheckSkipped, details: []string{"skipped: no access token was given"}},
		{name: "no at_hash claim", claims: func(c map[string]any) { delete(c, "at_hash") },
			check: "at_hash", status: CheckSkipped, details: []string{"skipped: the token has no at_hash claim"}},
		{name: "wrong c_hash", expect: func(e *Expect) { e.Code = "another-code" },
			check: "c_hash", status: CheckFail, kind: KindCHashMismatch},
		{name: "no code", expect: func(e *Expect) { e.Code = "" },
			check: "c_hash", status: CheckSkipped, details: []string{"skipped: no authorization code was given"}},
		{name: "auth_time too old", expect: func(e *Expect) { e.MaxAge = 5 * time.Minute },
			check: "auth_time", status: CheckFail, kind: KindAuthTimeTooOld, details: []string{"10m ago", "max_age of 5m", "§3.1.2.1"}},
		{name: "auth_time missing with max_age", claims: func(c map[string]any) { delete(c, "auth_time") },
			check: "auth_time", status: CheckFail, kind: KindMissingClaim, details: []string{"max_age 1h was sent"}},
		{name: "no max_age", expect: func(e *Expect) { e.MaxAge = 0 },
			check: "auth_time", status: CheckSkipped, details: []string{"skipped: no max_age was sent; the user authenticated at 2026-11-21 07:13:00 UTC, 10m ago"}},
		{name: "clock skew", expect: func(e *Expect) { e.ServerDate = testNow.Add(5 * time.Minute) },
			check: "clock_skew", status: CheckFail, kind: KindClockSkew, details: []string{"this machine's clock is 5m behind the provider's", "beyond the 60s allowance", "exp, iat and nbf checks may be off"}},
		{name: "clock skew unknown", expect: func(e *Expect) { e.ServerDate = time.Time{} },
			check: "clock_skew", status: CheckSkipped, details: []string{"skipped: the provider's Date header is not known"}},
		{name: "alg not advertised", expect: func(e *Expect) { e.AllowedAlgs = []string{"ES256"} },
			check: "alg", status: CheckFail, kind: KindAlgNotAllowed, details: []string{"alg RS256 is not among the provider's advertised algorithms (ES256)"}},
		{name: "any asymmetric alg by default", expect: func(e *Expect) { e.AllowedAlgs = nil },
			check: "alg", status: CheckPass, details: []string{"asymmetric algorithms tokenbench accepts"}},
		{name: "access token as id_token", token: func(c map[string]any) string {
			return signTest(t, jose.RS256, k.rsa1, "rsa-1", map[string]any{"typ": "at+jwt"}, c)
		}, check: "typ", status: CheckFail, kind: KindTokenTypeMismatch, details: []string{`typ is "at+jwt"`, "RFC 9068", "RFC 8725 §3.11"}},
		{name: "typ JWT", token: func(c map[string]any) string {
			return signTest(t, jose.RS256, k.rsa1, "rsa-1", map[string]any{"typ": "JWT"}, c)
		}, check: "typ", status: CheckPass},
		{name: "tampered payload", token: func(c map[string]any) string {
			tok := rs256(t, c)
			parts := strings.Split(tok, ".")
			c["sub"] = "admin"
			b, _ := json.Marshal(c)
			return parts[0] + "." + seg(string(b)) + "." + parts[2]
		}, check: "signature", status: CheckFail, kind: KindSignatureInvalid, details: []string{`the RS256 signature does not verify by the key with kid "rsa-1"`, "altered"}},
		{name: "signed by another key with a known kid", token: func(c map[string]any) string {
			return signTest(t, jose.RS256, k.rsa2, "rsa-1", nil, c)
		}, check: "signature", status: CheckFail, kind: KindSignatureInvalid},
		{name: "unknown kid", token: func(c map[string]any) string {
			return signTest(t, jose.RS256, k.rsa2, "rotated-7", nil, c)
		}, check: "signature", status: CheckFail, kind: KindUnknownKID, details: []string{`no key with kid "rotated-7" in the given JWKS`, `"rsa-1" (RSA 2048-bit)`, `"ec-1" (EC P-256)`}},
		{name: "kid of an encryption key", token: func(c map[string]any) string {
			return signTest(t, jose.RS256, k.rsa2, "rsa-enc", nil, c)
		}, check: "signature", status: CheckFail, kind: KindSignatureInvalid, details: []string{`published for use "enc"`}},
		{name: "kid of a key of another type", token: func(c map[string]any) string {
			return signTest(t, jose.RS256, k.rsa1, "ec-1", nil, c)
		}, check: "signature", status: CheckFail, kind: KindSignatureInvalid, details: []string{"EC P-256 key, and RS256 needs a RSA key"}},
		{name: "no kid, one usable key", token: func(c map[string]any) string {
			return signTest(t, jose.ES256, k.ec, "", nil, c)
		}, expect: func(e *Expect) { e.AccessToken, e.Code = "", "" },
			check: "signature", status: CheckPass, details: []string{`the key with kid "ec-1"`}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			claims := goodClaims()
			if c.claims != nil {
				c.claims(claims)
			}
			exp := goodExpect()
			if c.expect != nil {
				c.expect(&exp)
			}
			tok := ""
			if c.token != nil {
				tok = c.token(claims)
			} else {
				tok = rs256(t, claims)
			}
			r := verifyTest(t, tok, keys, exp)
			got := mustCheck(t, r, c.check)
			if got.Status != c.status || got.Kind != c.kind {
				t.Errorf("%s check = %+v; want status %s kind %q", c.check, got, c.status, c.kind)
			}
			for _, d := range c.details {
				if !strings.Contains(got.Detail, d) {
					t.Errorf("detail %q lacks %q", got.Detail, d)
				}
			}
			if (c.status == CheckFail) == r.OK() {
				t.Errorf("OK() = %v with %s %s", r.OK(), c.check, c.status)
			}
			// Every other check still ran: the report never stops at the first failure.
			if len(r.Checks) != 16 {
				t.Errorf("%d checks, want 16", len(r.Checks))
			}
			for _, f := range r.Failed() {
				if f.Kind == "" {
					t.Errorf("failed check %+v has no kind", f)
				}
			}
		})
	}
}

func TestVerifyNoKeysSkipsSignature(t *testing.T) {
	r := verifyTest(t, rs256(t, goodClaims()), nil, goodExpect())
	sig := mustCheck(t, r, "signature")
	if sig.Status != CheckSkipped || sig.Detail != "skipped: no JWKS or issuer given, so the signature was NOT verified and nothing in this token can be trusted yet" {
		t.Errorf("signature = %+v", sig)
	}
	if !r.OK() {
		t.Errorf("a skipped signature is not a failure: %+v", r.Failed())
	}
	if r.SignatureVerified() {
		t.Error("SignatureVerified with the signature skipped: the token is not verified")
	}
	if r = verifyTest(t, rs256(t, goodClaims()), NewStaticKeys(testJWKS()), goodExpect()); !r.SignatureVerified() {
		t.Errorf("SignatureVerified is false with the key given: %+v", mustCheck(t, r, "signature"))
	}
}

func TestVerifyAmbiguousKey(t *testing.T) {
	k := testKeyPairs()
	set := &jose.JSONWebKeySet{Keys: []jose.JSONWebKey{
		{Key: &k.rsa1.PublicKey, KeyID: "a"}, {Key: &k.rsa2.PublicKey, KeyID: "b"},
	}}
	r := verifyTest(t, signTest(t, jose.RS256, k.rsa1, "", nil, goodClaims()), NewStaticKeys(set), goodExpect())
	sig := mustCheck(t, r, "signature")
	if sig.Status != CheckFail || sig.Kind != KindUnknownKID || !strings.Contains(sig.Detail, "ambiguous") || !strings.Contains(sig.Detail, "2 keys usable with RS256") {
		t.Errorf("signature = %+v", sig)
	}
}

func TestVerifyKIDAgainstSetWithoutKIDs(t *testing.T) {
	k := testKeyPairs()
	one := &jose.JSONWebKeySet{Keys: []jose.JSONWebKey{{Key: &k.rsa1.PublicKey}, {Key: &k.ec.PublicKey}}}
	tok := signTest(t, jose.RS256, k.rsa1, "abc", nil, goodClaims())
	sig := mustCheck(t, verifyTest(t, tok, NewStaticKeys(one), goodExpect()), "signature")
	if sig.Status != CheckPass || !strings.Contains(sig.Detail, "the key without kid (RSA 2048-bit)") {
		t.Errorf("kid against a set without kids: %+v", sig)
	}
	two := &jose.JSONWebKeySet{Keys: []jose.JSONWebKey{{Key: &k.rsa1.PublicKey}, {Key: &k.rsa2.PublicKey}}}
	sig = mustCheck(t, verifyTest(t, tok, NewStaticKeys(two), goodExpect()), "signature")
	if sig.Status != CheckFail || sig.Kind != KindUnknownKID || !strings.Contains(sig.Detail, `the token's kid is "abc" but no key in the given JWKS has a kid`) {
		t.Errorf("kid against two keys without kids: %+v", sig)
	}
}

func TestVerifyAlgNone(t *testing.T) {
	tok := seg(`{"alg":"none","typ":"JWT"}`) + "." + seg(mustJSON(t, goodClaims())) + "."
	r := verifyTest(t, tok, NewStaticKeys(testJWKS()), goodExpect())
	alg := mustCheck(t, r, "alg")
	if alg.Status != CheckFail || alg.Kind != KindAlgNone || !strings.Contains(alg.Detail, "unsigned: alg none is never acceptable for an id_token") {
		t.Errorf("alg = %+v", alg)
	}
	if sig := mustCheck(t, r, "signature"); sig.Status != CheckSkipped || !strings.Contains(sig.Detail, "unsigned") {
		t.Errorf("signature = %+v", sig)
	}
	// Every spelling of none is refused, even if a provider advertises it.
	exp := goodExpect()
	exp.AllowedAlgs = []string{"none", "NONE"}
	tok = seg(`{"alg":"NONE"}`) + "." + seg(mustJSON(t, goodClaims())) + "."
	if alg := mustCheck(t, verifyTest(t, tok, nil, exp), "alg"); alg.Kind != KindAlgNone {
		t.Errorf("alg NONE = %+v", alg)
	}
}

func mustJSON(t testing.TB, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestVerifyHMAC(t *testing.T) {
	secret := "a-client-secret-of-at-least-32-bytes!"
	claims := goodClaims()
	exp := goodExpect()
	exp.AllowedAlgs = nil
	exp.ClientSecret = secret
	claims["at_hash"], _, _ = claimHash("HS256", exp.AccessToken)
	claims["c_hash"], _, _ = claimHash("HS256", exp.Code)
	tok := signTest(t, jose.HS256, []byte(secret), "", nil, claims)

	r := verifyTest(t, tok, nil, exp)
	if !r.OK() {
		t.Fatalf("HS256 with the client secret: %+v", r.Failed())
	}
	if sig := mustCheck(t, r, "signature"); !strings.Contains(sig.Detail, "keyed with the client secret") {
		t.Errorf("signature = %+v", sig)
	}

	wrong := exp
	wrong.ClientSecret = "another-client-secret-of-32-bytes-or-more"
	if sig := mustCheck(t, verifyTest(t, tok, nil, wrong), "signature"); sig.Status != CheckFail || sig.Kind != KindSignatureInvalid {
		t.Errorf("wrong secret: %+v", sig)
	}

	short := exp
	short.ClientSecret = "short-secret"
	if sig := mustCheck(t, verifyTest(t, tok, nil, short), "signature"); sig.Status != CheckFail || !strings.Contains(sig.Detail, "12 bytes") || !strings.Contains(sig.Detail, "RFC 7518 §3.2") {
		t.Errorf("short secret: %+v", sig)
	}

	// Without a secret and without advertised algorithms, HMAC is not accepted: that is the
	// algorithm-confusion attack of signing with a public key as the HMAC secret.
	none := exp
	none.ClientSecret = ""
	r = verifyTest(t, tok, NewStaticKeys(testJWKS()), none)
	if alg := mustCheck(t, r, "alg"); alg.Status != CheckFail || alg.Kind != KindAlgNotAllowed || !strings.Contains(alg.Detail, "HMAC") {
		t.Errorf("HS256 without secret: alg = %+v", alg)
	}
	if sig := mustCheck(t, r, "signature"); sig.Status != CheckSkipped || !strings.Contains(sig.Detail, "no client secret was given") {
		t.Errorf("HS256 without secret: signature = %+v", sig)
	}

	// An oct key in a JWKS file verifies it too.
	octSet := &jose.JSONWebKeySet{Keys: []jose.JSONWebKey{{Key: []byte(secret), KeyID: "shared"}}}
	advertised := none
	advertised.AllowedAlgs = []string{"HS256"}
	r = verifyTest(t, tok, NewStaticKeys(octSet), advertised)
	if !r.OK() {
		t.Errorf("HS256 with an oct key: %+v", r.Failed())
	}
}

func TestClaimHashCoreVectors(t *testing.T) {
	if got, name, ok := claimHash("RS256", coreAccessToken); !ok || got != coreAtHash || name != "SHA-256" {
		t.Errorf("at_hash = %q %s %v, want %q (OpenID Connect Core A.3)", got, name, ok, coreAtHash)
	}
	if got, _, _ := claimHash("RS256", coreCode); got != coreCHash {
		t.Errorf("c_hash = %q, want %q (OpenID Connect Core A.4)", got, coreCHash)
	}
	for alg, size := range map[string]int{"ES384": 32, "PS512": 43, "EdDSA": 43, "HS256": 22} {
		got, _, ok := claimHash(alg, "x")
		if !ok || len(got) != size {
			t.Errorf("claimHash(%s) = %q (%d chars), want %d chars", alg, got, len(got), size)
		}
	}
	if _, _, ok := claimHash("none", "x"); ok {
		t.Error("claimHash(none) has a hash")
	}
}

func TestVerifyMalformed(t *testing.T) {
	exp := goodExpect()
	r := verifyTest(t, "not-a-jwt", NewStaticKeys(testJWKS()), exp)
	if r.Token != nil || r.OK() {
		t.Fatalf("malformed token: OK %v token %v", r.OK(), r.Token)
	}
	f := r.Checks[0]
	if f.Name != "format" || f.Status != CheckFail || f.Kind != KindMalformedJWT || !strings.Contains(f.Detail, "opaque token") {
		t.Errorf("format = %+v", f)
	}
	if len(r.Failed()) != 1 {
		t.Errorf("failed = %+v, want only format", r.Failed())
	}
	for _, c := range r.Checks[1:] {
		switch {
		case c.Name == "clock_skew":
			if c.Status != CheckPass {
				t.Errorf("clock_skew is measured even for a bad token: %+v", c)
			}
		case c.Status != CheckSkipped || c.Detail != "skipped: the token could not be decoded":
			t.Errorf("check %+v should be skipped because the token could not be decoded", c)
		}
	}
}

func TestVerifyJWE(t *testing.T) {
	k := testKeyPairs()
	enc, err := jose.NewEncrypter(jose.A256GCM, jose.Recipient{Algorithm: jose.RSA_OAEP_256, Key: &k.rsa2.PublicKey, KeyID: "rsa-enc"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	obj, err := enc.Encrypt([]byte(rs256(t, goodClaims())))
	if err != nil {
		t.Fatal(err)
	}
	tok, err := obj.CompactSerialize()
	if err != nil {
		t.Fatal(err)
	}
	r := verifyTest(t, tok, NewStaticKeys(testJWKS()), goodExpect())
	if r.Token == nil || r.Token.Kind != JWTKindJWE {
		t.Fatalf("token = %+v", r.Token)
	}
	if f := mustCheck(t, r, "format"); f.Status != CheckPass || !strings.Contains(f.Detail, "JWE") || !strings.Contains(f.Detail, "RSA-OAEP-256") || !strings.Contains(f.Detail, "A256GCM") {
		t.Errorf("format = %+v", f)
	}
	if d := mustCheck(t, r, "decryption"); d.Status != CheckFail || d.Kind != KindJWENotDecryptable || r.Checks[0].Name != "decryption" ||
		!strings.Contains(d.Detail, "no decryption key is configured") {
		t.Errorf("decryption = %+v (first check %q)", d, r.Checks[0].Name)
	}
	if s := mustCheck(t, r, "signature"); s.Status != CheckSkipped || !strings.Contains(s.Detail, "could not be decrypted") {
		t.Errorf("signature = %+v", s)
	}
	if s := mustCheck(t, r, "exp"); s.Status != CheckSkipped || !strings.Contains(s.Detail, "could not be decrypted") {
		t.Errorf("exp = %+v", s)
	}
}

// BenchmarkDecodeVerifyRS256 measures Verify of a typical id_token (decode, RS256 signature against a
// static key set, every claim check).
func BenchmarkDecodeVerifyRS256(b *testing.B) {
	claims := goodClaims()
	claims["email"] = "jane.doe@example.com"
	claims["name"] = "Jane Doe"
	claims["sid"] = "08a5019c-17e1-4977-8f42-65a12843ea02"
	tok := rs256(b, claims)
	keys := NewStaticKeys(testJWKS())
	exp := goodExpect()
	ctx := context.Background()
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		r := Verify(ctx, tok, keys, exp, testNow, DefaultSkew)
		if !r.OK() {
			b.Fatal(r.Failed())
		}
	}
}

// BenchmarkDecodeAndSignatureRS256 is the decode and the RS256 signature check alone, the part of
// Verify that every JWT needs; BenchmarkDecodeVerifyRS256 adds the 16 id_token checks.
func BenchmarkDecodeAndSignatureRS256(b *testing.B) {
	claims := goodClaims()
	claims["email"] = "jane.doe@example.com"
	tok := rs256(b, claims)
	keys := NewStaticKeys(testJWKS())
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		j, err := DecodeJWT(tok)
		if err != nil {
			b.Fatal(err)
		}
		key, _, err := keys.Key(ctx, j.Kid(), j.Alg())
		if err != nil {
			b.Fatal(err)
		}
		jws, err := jose.ParseSignedCompact(tok, []jose.SignatureAlgorithm{jose.RS256})
		if err != nil {
			b.Fatal(err)
		}
		if _, err := jws.Verify(key); err != nil {
			b.Fatal(err)
		}
	}
}

// TestKindsHaveExplanations makes sure every failure kind flows declares (a constant of type Kind
// in the package's source) is explained in assets, so that no new kind can be added without one.
func TestKindsHaveExplanations(t *testing.T) {
	entries, err := os.ReadDir(".")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	kinds := 0
	for _, e := range entries {
		if !strings.HasSuffix(e.Name(), ".go") || strings.HasSuffix(e.Name(), "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, e.Name(), nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range f.Decls {
			gd, ok := d.(*ast.GenDecl)
			if !ok || gd.Tok != token.CONST {
				continue
			}
			for _, spec := range gd.Specs {
				vs := spec.(*ast.ValueSpec)
				if id, ok := vs.Type.(*ast.Ident); !ok || id.Name != "Kind" {
					continue
				}
				for i, v := range vs.Values {
					lit, ok := v.(*ast.BasicLit)
					if !ok {
						continue
					}
					k, _ := strconv.Unquote(lit.Value)
					kinds++
					if _, ok := assets.Explain(k); !ok {
						t.Errorf("no explanation in assets for %s (%s, %s)", k, vs.Names[i].Name, e.Name())
					}
				}
			}
		}
	}
	if kinds < 40 {
		t.Fatalf("found only %d kinds: the scan no longer reads the declarations", kinds)
	}
}
