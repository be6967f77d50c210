package demoidp_test

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"

	"github.com/tokenbench/tokenbench/flows/demoidp"
	"github.com/tokenbench/tokenbench/flows/demoidp/demoidptest"
)

// redirectURI is the loopback redirect URI of the tests' authorization requests.
const redirectURI = "http://127.0.0.1:5555/callback"

// noRedirect is an HTTP client that returns redirects instead of following
// them.
var noRedirect = &http.Client{
	Timeout: 10 * time.Second,
	CheckRedirect: func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse
	},
}

// result is a response with its body read.
type result struct {
	status int
	header http.Header
	body   []byte
}

// json decodes the body as a JSON object; it fails the test otherwise.
func (r result) json(t *testing.T) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(r.body, &m); err != nil {
		t.Fatalf("body is not a JSON object (status %d): %v\n%s", r.status, err, r.body)
	}
	return m
}

func do(t *testing.T, req *http.Request) result {
	t.Helper()
	resp, err := noRedirect.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("read body: %v", err)
	}
	return result{status: resp.StatusCode, header: resp.Header, body: body}
}

func get(t *testing.T, rawURL string) result {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, rawURL, nil)
	if err != nil {
		t.Fatal(err)
	}
	return do(t, req)
}

// post sends a form, with HTTP Basic credentials when user is not empty.
// The credentials are used as given: callers encode them when they must.
func post(t *testing.T, rawURL string, form url.Values, user, pass string) result {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, rawURL, strings.NewReader(form.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if user != "" {
		req.SetBasicAuth(user, pass)
	}
	return do(t, req)
}

// postBasic posts with demo-basic's credentials.
func postBasic(t *testing.T, rawURL string, form url.Values) result {
	t.Helper()
	return post(t, rawURL, form, demoidptest.BasicID, demoidptest.BasicSecret)
}

// wantError checks an OAuth error response.
func wantError(t *testing.T, r result, status int, code string) map[string]any {
	t.Helper()
	if r.status != status {
		t.Fatalf("status = %d, want %d; body %s", r.status, status, r.body)
	}
	m := r.json(t)
	if m["error"] != code {
		t.Fatalf("error = %v, want %s; body %s", m["error"], code, r.body)
	}
	if r.header.Get("Cache-Control") != "no-store" {
		t.Errorf("Cache-Control = %q, want no-store", r.header.Get("Cache-Control"))
	}
	return m
}

// wantOK checks a 200 JSON response.
func wantOK(t *testing.T, r result) map[string]any {
	t.Helper()
	if r.status != http.StatusOK {
		t.Fatalf("status = %d, want 200; body %s", r.status, r.body)
	}
	return r.json(t)
}

// newPKCE returns a random S256 verifier and challenge.
func newPKCE() (verifier, challenge string) {
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	verifier = base64.RawURLEncoding.EncodeToString(b)
	sum := sha256.Sum256([]byte(verifier))
	return verifier, base64.RawURLEncoding.EncodeToString(sum[:])
}

// authorize sends an authorization request and returns the redirect it
// answered with, parsed.
func authorize(t *testing.T, p *demoidp.Provider, params url.Values) *url.URL {
	t.Helper()
	r := get(t, p.Issuer()+"/authorize?"+params.Encode())
	if r.status != http.StatusFound {
		t.Fatalf("authorize: status = %d, want 302; body %s", r.status, r.body)
	}
	loc, err := url.Parse(r.header.Get("Location"))
	if err != nil {
		t.Fatalf("authorize: Location: %v", err)
	}
	return loc
}

// authParams is an authorization request for client with PKCE S256.
func authParams(client, scope, challenge string) url.Values {
	v := url.Values{
		"client_id":     {client},
		"redirect_uri":  {redirectURI},
		"response_type": {"code"},
		"scope":         {scope},
		"state":         {"st-123"},
		"nonce":         {"n-456"},
	}
	if challenge != "" {
		v.Set("code_challenge", challenge)
		v.Set("code_challenge_method", "S256")
	}
	return v
}

// codeFor runs an authorization request for demo-basic and returns the
// code and the PKCE verifier.
func codeFor(t *testing.T, p *demoidp.Provider, scope string) (code, verifier string) {
	t.Helper()
	verifier, challenge := newPKCE()
	loc := authorize(t, p, authParams(demoidptest.BasicID, scope, challenge))
	code = loc.Query().Get("code")
	if code == "" {
		t.Fatalf("no code in %s", loc)
	}
	return code, verifier
}

// exchange redeems a code for demo-basic.
func exchange(t *testing.T, p *demoidp.Provider, code, verifier string) result {
	t.Helper()
	return postBasic(t, p.Issuer()+"/token", url.Values{
		"grant_type":    {"authorization_code"},
		"code":          {code},
		"redirect_uri":  {redirectURI},
		"code_verifier": {verifier},
	})
}

// tokens runs the authorization code flow for demo-basic and returns the
// token response.
func tokens(t *testing.T, p *demoidp.Provider, scope string) map[string]any {
	t.Helper()
	code, verifier := codeFor(t, p, scope)
	return wantOK(t, exchange(t, p, code, verifier))
}

// jwks fetches the provider's key set.
func jwks(t *testing.T, p *demoidp.Provider) jose.JSONWebKeySet {
	t.Helper()
	r := get(t, p.Issuer()+"/jwks")
	if r.status != http.StatusOK {
		t.Fatalf("jwks: status %d", r.status)
	}
	var set jose.JSONWebKeySet
	if err := json.Unmarshal(r.body, &set); err != nil {
		t.Fatalf("jwks: %v", err)
	}
	return set
}

// verify checks a token's RS256 signature against the provider's JWKS and
// returns its header and claims.
func verify(t *testing.T, p *demoidp.Provider, token string) (jose.Header, map[string]any, error) {
	t.Helper()
	parsed, err := jwt.ParseSigned(token, []jose.SignatureAlgorithm{jose.RS256})
	if err != nil {
		return jose.Header{}, nil, err
	}
	h := parsed.Headers[0]
	set := jwks(t, p)
	keys := set.Key(h.KeyID)
	if len(keys) == 0 {
		return h, nil, errUnknownKID
	}
	var claims map[string]any
	err = parsed.Claims(keys[0].Key, &claims)
	return h, claims, err
}

type testError string

func (e testError) Error() string { return string(e) }

const errUnknownKID = testError("kid not in JWKS")

// mustVerify is verify that fails the test on error.
func mustVerify(t *testing.T, p *demoidp.Provider, token string) (jose.Header, map[string]any) {
	t.Helper()
	h, claims, err := verify(t, p, token)
	if err != nil {
		t.Fatalf("token does not verify: %v", err)
	}
	return h, claims
}

// numeric reads a JSON number claim as Unix time.
func numeric(t *testing.T, claims map[string]any, name string) time.Time {
	t.Helper()
	f, ok := claims[name].(float64)
	if !ok {
		t.Fatalf("claim %s = %v, not a number", name, claims[name])
	}
	return time.Unix(int64(f), 0)
}

// assertion builds a client assertion signed with key under alg.
func assertion(t *testing.T, alg jose.SignatureAlgorithm, key any, claims map[string]any) string {
	t.Helper()
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: alg, Key: key}, nil)
	if err != nil {
		t.Fatalf("signer: %v", err)
	}
	s, err := jwt.Signed(signer).Claims(claims).Serialize()
	if err != nil {
		t.Fatalf("sign: %v", err)
	}
	return s
}

// assertionClaims are valid client assertion claims for client at p.
func assertionClaims(p *demoidp.Provider, client, jti string) map[string]any {
	now := time.Now()
	return map[string]any{
		"iss": client,
		"sub": client,
		"aud": p.Issuer() + "/token",
		"iat": now.Unix(),
		"exp": now.Add(2 * time.Minute).Unix(),
		"jti": jti,
	}
}

// assertionForm is a client_credentials request authenticated by a.
func assertionForm(a string) url.Values {
	return url.Values{
		"grant_type":            {"client_credentials"},
		"client_assertion_type": {"urn:ietf:params:oauth:client-assertion-type:jwt-bearer"},
		"client_assertion":      {a},
	}
}

// atHash is the at_hash of an access token for RS256 (OIDC Core §3.1.3.6).
func atHash(accessToken string) string {
	sum := sha256.Sum256([]byte(accessToken))
	return base64.RawURLEncoding.EncodeToString(sum[:16])
}
