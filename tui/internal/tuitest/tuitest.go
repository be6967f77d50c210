package tuitest

import (
	"context"
	"crypto/tls"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/go-jose/go-jose/v4"
	"github.com/tokenbench/tokenbench/flows"
	"github.com/tokenbench/tokenbench/flows/demoidp"
	"github.com/tokenbench/tokenbench/profiles"
	"github.com/tokenbench/tokenbench/tui/ui"
)

// flowClock is the fixed time of the flow tests: the provider, the client and the TUI share it, so
// that every time shown (iat, exp, countdowns) is the same on every run.
var flowClock = time.Date(2026, 3, 14, 9, 26, 53, 0, time.UTC)

func FlowNow() time.Time { return flowClock }

// flowProvider starts the built-in provider with faults on the fixed clock.
func FlowProvider(t *testing.T, faults ...string) *demoidp.Provider {
	t.Helper()
	return FlowProviderWith(t, demoidp.Options{}, faults...)
}

func FlowProviderWith(t *testing.T, opts demoidp.Options, faults ...string) *demoidp.Provider {
	t.Helper()
	opts.Now = FlowNow
	p, err := demoidp.Start(opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Close() })
	var f demoidp.Faults
	for _, name := range faults {
		if err := f.Set(name); err != nil {
			t.Fatal(err)
		}
	}
	p.SetFaults(f)
	return p
}

// flowClient is the demo's client (demo-basic, loopback redirect) on the provider.
func FlowClient(t *testing.T, p *demoidp.Provider, redirect string) *flows.Client {
	t.Helper()
	cfg := flows.ClientConfig{
		Issuer: p.Issuer(), ClientID: "demo-basic", ClientSecret: "demo-basic-secret",
		AuthMethod: flows.AuthClientSecretBasic, RedirectURI: redirect,
		Scopes: []string{"openid", "profile", "email", "offline_access"},
	}
	c, err := flows.NewClient(cfg, flows.TransportOptions{Timeout: 10 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	c.Now = FlowNow
	return c
}

// flowBrowser plays the user's browser: it GETs the URL and follows the redirects, up to the
// loopback listener (the demo user is always signed in and approves).
func FlowBrowser(u string) error {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	return resp.Body.Close()
}

// flowScrubbers replace what changes from run to run: ports, key ids, random values.
var flowScrubbers = []struct {
	re   *regexp.Regexp
	with string
}{
	{regexp.MustCompile(`127\.0\.0\.1:\d+`), "127.0.0.1:PORT"},
	{regexp.MustCompile(`kid "[^"\n]*"`), `kid "KID"`},
	{regexp.MustCompile(`(nonce|at_hash|c_hash) "[^"\n]*"`), `$1 "RANDOM"`},
	{regexp.MustCompile(`(state|nonce|code_challenge|user_code)=[A-Za-z0-9_%.~-]+`), "$1=RANDOM"},
	{regexp.MustCompile(`[B-Z] [B-Z] [B-Z] [B-Z] - [B-Z] [B-Z] [B-Z] [B-Z]`), "X X X X - X X X X"},
	{regexp.MustCompile(`\b[B-Z]{4}-[B-Z]{4}\b`), "XXXX-XXXX"},
	{regexp.MustCompile(`\d+ chars`), "N chars"},
	{regexp.MustCompile(`\b[A-Z2-7]{26}\b`), "RANDOM"},
}

func FlowScrub(s string) string {
	for _, sc := range flowScrubbers {
		s = sc.re.ReplaceAllString(s, sc.with)
	}
	return s
}

// press is a key press as the terminal sends it.
func Press(k string) tea.KeyPressMsg {
	switch k {
	case "enter":
		return tea.KeyPressMsg{Code: tea.KeyEnter}
	case "esc":
		return tea.KeyPressMsg{Code: tea.KeyEscape}
	case "up":
		return tea.KeyPressMsg{Code: tea.KeyUp}
	case "down":
		return tea.KeyPressMsg{Code: tea.KeyDown}
	case "right":
		return tea.KeyPressMsg{Code: tea.KeyRight}
	case "left":
		return tea.KeyPressMsg{Code: tea.KeyLeft}
	case "tab":
		return tea.KeyPressMsg{Code: tea.KeyTab}
	case "ctrl+c":
		return tea.KeyPressMsg{Code: 'c', Mod: tea.ModCtrl}
	}
	r := []rune(k)[0]
	return tea.KeyPressMsg{Code: r, Text: k}
}

func StripANSI(s string) string { return ansi.Strip(s) }

func PasteMsgOf(s string) tea.PasteMsg { return tea.PasteMsg{Content: s} }

// CIBA's login_hint_token and requested_expiry in the request form (CIBA Core §7.1): exactly one
// hint names the user, the lifetime asked for auth_req_id is a positive whole number of seconds,
// the token is masked until s, and both reach the request sent.

// fakeHintToken stands for a login_hint_token typed into the form.
const FakeHintToken = "login-hint-token-0123456789-FAKE"

// requestedExpiryRow matches the request preview's requested_expiry row (its name is cut to the
// name column) and captures the value shown.
var RequestedExpiryRow = regexp.MustCompile(`requested_expi\S*\s+(\S+)`)

// Helpers of the tests of the assertion grants, mutual TLS and CIBA's hints.

// x5tValue is a certificate's SHA-256 thumbprint (43 base64url characters), new with every
// provider start.
var x5tValue = regexp.MustCompile(`(^|[^A-Za-z0-9_-])[A-Za-z0-9_-]{43}($|[^A-Za-z0-9_-])`)

// grantScrub is flowScrub that also hides the test's temporary directory and the certificate
// thumbprints, which change from run to run.
func GrantScrub(dir string) func(string) string {
	return func(s string) string {
		if dir != "" {
			s = strings.ReplaceAll(s, dir, "TMP")
		}
		return x5tValue.ReplaceAllString(FlowScrub(s), "${1}X5T${2}")
	}
}

// writeFile writes a test file under dir and returns its path.
func WriteFile(t *testing.T, dir, name string, data []byte) string {
	t.Helper()
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// The inputs of the assertion grants and of CIBA that the request form has beside the command
// line's flags: the JWT assertion from a file, the assertion's signing key and lifetime, CIBA's
// id_token_hint and user_code.

var (
	// TrustedIssuerKey signs the JWTs of the demo's trusted issuer (ES256).
	TrustedIssuerKey = Asset("demo", "trusted-issuer-ec.pem")
	// OtherKey is a key the trusted issuer does not sign with.
	OtherKey = Asset("demo", "private-key-jwt-ec.pem")
)

// fakeIDToken stands for a pasted ID token in the form goldens.
const FakeIDToken = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJkZW1vLXVzZXItMSJ9.c2lnbmF0dXJl"

// Asset is the path of a file under the repository's assets/, relative to the working directory (a
// test runs in its package's directory), as a user would type it in a form.
func Asset(elem ...string) string {
	_, file, _, _ := runtime.Caller(0)
	abs := filepath.Join(append([]string{filepath.Dir(file), "..", "..", "..", "assets"}, elem...)...)
	wd, err := os.Getwd()
	if err != nil {
		return abs
	}
	rel, err := filepath.Rel(wd, abs)
	if err != nil {
		return abs
	}
	return rel
}

// readKey reads a PEM or JWK signing key.
func ReadKey(t *testing.T, path string) *jose.JSONWebKey {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	k, err := flows.ParseSigningKey(data)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// samlFile writes a SAML 2.0 bearer assertion for the demo user, signed by the demo's trusted
// issuer, for audience, valid until 5 minutes after the fixed clock.
func SamlFile(t *testing.T, dir, name, id, audience string) string {
	t.Helper()
	xml, err := demoidp.SAMLBearerAssertion{ID: id, Audience: audience, NotOnOrAfter: flowClock.Add(5 * time.Minute)}.Signed()
	if err != nil {
		t.Fatal(err)
	}
	return WriteFile(t, dir, name, xml)
}

// mtlsProvider starts the built-in provider on the fixed clock with its mutual TLS listener.
func MtlsProvider(t *testing.T) *demoidp.Provider {
	t.Helper()
	return FlowProviderWith(t, demoidp.Options{MTLS: &demoidp.MTLSOptions{}})
}

// mtlsCertificate is the demo certificate of a mutual TLS demo client.
func MtlsCertificate(t *testing.T, p *demoidp.Provider, clientID string) tls.Certificate {
	t.Helper()
	for _, c := range p.MTLSCredentials() {
		if c.ClientID == clientID {
			cert, err := tls.X509KeyPair(c.CertPEM, c.KeyPEM)
			if err != nil {
				t.Fatal(err)
			}
			return cert
		}
	}
	t.Fatalf("no mutual TLS credential for %s", clientID)
	return tls.Certificate{}
}

// mtlsClient is the session's client as demo-mtls-self (self_signed_tls_client_auth), presenting
// cert and trusting the mutual TLS listener's CA.
func MtlsClient(t *testing.T, p *demoidp.Provider, cert tls.Certificate) *flows.Client {
	t.Helper()
	c, err := flows.NewClient(flows.ClientConfig{
		Issuer: p.Issuer(), ClientID: demoidp.MTLSSelfSignedClientID, AuthMethod: flows.AuthSelfSignedTLSClient,
		RedirectURI: "http://127.0.0.1:0/callback", Scopes: []string{"openid", "profile"},
	}, flows.TransportOptions{Timeout: 10 * time.Second, CABundle: p.MTLSServerCAPEM(), ClientCertificates: []tls.Certificate{cert}})
	if err != nil {
		t.Fatal(err)
	}
	c.Now = FlowNow
	return c
}

// fixedNow is the clock of the inspector and trace tests.
var FixedNow = time.Date(2026, 3, 14, 9, 30, 0, 0, time.UTC)

// fixedCommon is a shared context with a fixed clock and no client.
func FixedCommon(now time.Time) *ui.Common {
	return &ui.Common{
		Styles: ui.NewStyles(true),
		Now:    func() time.Time { return now },
		Scrub:  func(s string) string { return s },
	}
}

// fakeJWT builds an obviously fake, unsigned-looking JWS: real header and claims, a signature
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

// fakeTokens is a token set as the flow screen announces it, with the id_token's report made at
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

// refreshedTokens is the answer of a refresh after fakeTokens: a new access token with changed
// claims, a rotated refresh token, no new id_token.
func RefreshedTokens(t testing.TB, before ui.TokensReceivedMsg) ui.TokensReceivedMsg {
	t.Helper()
	tok := &flows.Token{
		AccessToken: FakeJWT(t, fakeAccessHdr, fakeATClaims2), RefreshToken: fakeRefresh2, TokenType: "Bearer",
		ExpiresIn: 3600, Expiry: FixedNow.Add(time.Hour), Rotation: flows.RotationRotated,
	}
	return ui.TokensReceivedMsg{Step: "refresh", Grant: flows.GrantRefreshToken, Token: tok, Previous: before.Token, At: FixedNow}
}

// runCmd runs a command and its batches by hand, returning every message (STYLE §9 layer 2); ticks
// are not waited for but reported as they would arrive.
func RunCmd(cmd tea.Cmd) []tea.Msg {
	if cmd == nil {
		return nil
	}
	msg := cmd()
	if b, ok := msg.(tea.BatchMsg); ok {
		var out []tea.Msg
		for _, c := range b {
			out = append(out, RunCmd(c)...)
		}
		return out
	}
	return []tea.Msg{msg}
}

// Feed hands msgs to s one by one, running what each returns and handing back the answers of
// type T (a verification, a save); no ticks: they would wait.
func Feed[T tea.Msg](s ui.Screen, msgs ...tea.Msg) ui.Screen {
	for _, m := range msgs {
		var cmd tea.Cmd
		s, cmd = s.Update(m)
		for _, r := range runCmdNoTick[T](cmd) {
			s = Feed[T](s, r)
		}
	}
	return s
}

// runCmdNoTick runs the commands that answer at once with a T: verifications, saves; it skips ticks,
// clipboard writes and cursor blinks, which a real program would deliver later or elsewhere.
func runCmdNoTick[T tea.Msg](cmd tea.Cmd) []tea.Msg {
	if cmd == nil {
		return nil
	}
	done := make(chan tea.Msg, 1)
	go func() { done <- cmd() }()
	select {
	case msg := <-done:
		if b, ok := msg.(tea.BatchMsg); ok {
			var out []tea.Msg
			for _, c := range b {
				out = append(out, runCmdNoTick[T](c)...)
			}
			return out
		}
		if _, ok := msg.(T); ok {
			return []tea.Msg{msg}
		}
		return nil
	case <-time.After(200 * time.Millisecond):
		return nil // a tick or a blink: not delivered
	}
}

func Sized(s ui.Screen, w, h int) ui.Screen {
	s, _ = s.Update(tea.WindowSizeMsg{Width: w, Height: h})
	return s
}

// testStore is a profile store in a temporary configuration directory, holding ps.
func TestStore(t *testing.T, ps ...profiles.Profile) *profiles.Store {
	t.Helper()
	st, err := profiles.Open(filepath.Join(t.TempDir(), "config"))
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range ps {
		if err := st.Add(p); err != nil {
			t.Fatalf("adding %s: %v", p.Name, err)
		}
	}
	return st
}

// acmeProfile and betaProfile are two customer tenants.
func AcmeProfile() profiles.Profile {
	return profiles.Profile{
		Name: "acme-prod", Preset: "keycloak", Params: map[string]string{"host": "sso.acme.test", "realm": "acme"},
		ClientID: "acme-web", ClientSecret: "env:ACME_SECRET", Notes: "ticket 4711",
	}
}

func BetaProfile() profiles.Profile {
	return profiles.Profile{
		Name: "beta", Issuer: "https://login.beta.test/oauth2/default", ClientID: "beta-cli",
		AuthMethod: flows.AuthNone, RedirectURI: "http://127.0.0.1:0/callback", Scopes: []string{"openid", "email"},
	}
}

// fakeDemo stands in for the built-in provider where none is needed.
func FakeDemo() (ui.Demo, error) {
	return ui.Demo{Name: "demo-basic @ built-in provider", Note: "built-in provider", Config: flows.ClientConfig{Issuer: "http://127.0.0.1:1", ClientID: "demo-basic"}}, nil
}

// profilesScrub hides the temporary directory of a store in views.
func ProfilesScrub(st *profiles.Store) func(string) string {
	dir := filepath.Dir(st.Dir())
	return func(s string) string { return FlowScrub(strings.ReplaceAll(s, dir, "$TMP")) }
}

// awaitMsg runs cmd (the children of a batch included) on goroutines and returns the first
// message of type T; cursor blinks and spinner ticks are left to themselves.
func AwaitMsg[T tea.Msg](t *testing.T, cmd tea.Cmd) T {
	t.Helper()
	ch := make(chan tea.Msg, 64)
	var start func(tea.Cmd)
	start = func(c tea.Cmd) {
		if c == nil {
			return
		}
		go func() {
			msg := c()
			if batch, ok := msg.(tea.BatchMsg); ok {
				for _, cc := range batch {
					start(cc)
				}
				return
			}
			ch <- msg
		}()
	}
	start(cmd)
	deadline := time.After(15 * time.Second)
	for {
		select {
		case msg := <-ch:
			if m, ok := msg.(T); ok {
				return m
			}
		case <-deadline:
			var zero T
			t.Fatalf("no %T came", zero)
			return zero
		}
	}
}

// The secrets of the fixed trace: none may be shown masked, copied masked, or saved.
var TraceSecrets = []string{
	"ZmFrZS1jbGllbnQ6ZmFrZS1zZWNyZXQ", // Basic fake-client:fake-secret
	"FAKE-CODE-1", "FAKE-VERIFIER-1", "FAKE-ACCESS-TOKEN-1", "FAKE-REFRESH-TOKEN-1", "FAKE-ID-TOKEN-1",
}

// fixedTraceExchanges are a session's exchanges with fixed times against a fake issuer:
// discovery, JWKS, the code exchange with every kind of secret, userinfo that could not connect.
func FixedTraceExchanges() []flows.Exchange {
	t0 := time.Date(2026, 3, 14, 9, 26, 53, 0, time.UTC)
	js := http.Header{"Content-Type": {"application/json"}, "Date": {"Sat, 14 Mar 2026 09:26:53 GMT"}}
	return []flows.Exchange{
		{
			Step: "discovery", Started: t0, Duration: 12 * time.Millisecond, Method: "GET",
			URL:           "http://127.0.0.1:1/.well-known/openid-configuration",
			RequestHeader: http.Header{"Accept": {"application/json"}}, Status: 200, ResponseHeader: js,
			ResponseBody: []byte(`{"issuer":"http://127.0.0.1:1","authorization_endpoint":"http://127.0.0.1:1/authorize","token_endpoint":"http://127.0.0.1:1/token","jwks_uri":"http://127.0.0.1:1/jwks","userinfo_endpoint":"http://127.0.0.1:1/userinfo"}`),
		},
		{
			Step: "jwks", Started: t0.Add(20 * time.Millisecond), Duration: 3 * time.Millisecond, Method: "GET",
			URL: "http://127.0.0.1:1/jwks", RequestHeader: http.Header{"Accept": {"application/json"}}, Status: 200,
			ResponseHeader: js, ResponseBody: []byte(`{"keys":[{"kty":"EC","crv":"P-256","kid":"fake-key-1","x":"AAAA","y":"BBBB"}]}`),
		},
		{
			Step: "token", Started: t0.Add(4 * time.Second), Duration: 1234 * time.Millisecond, Method: "POST",
			URL: "http://127.0.0.1:1/token",
			RequestHeader: http.Header{
				"Content-Type":  {"application/x-www-form-urlencoded"},
				"Authorization": {"Basic " + TraceSecrets[0] + "="},
			},
			RequestBody:    []byte("grant_type=authorization_code&code=FAKE-CODE-1&redirect_uri=http%3A%2F%2F127.0.0.1%3A1%2Fcallback&code_verifier=FAKE-VERIFIER-1"),
			Status:         200,
			ResponseHeader: js,
			ResponseBody:   []byte(`{"access_token":"FAKE-ACCESS-TOKEN-1","token_type":"Bearer","expires_in":3600,"refresh_token":"FAKE-REFRESH-TOKEN-1","id_token":"FAKE-ID-TOKEN-1","scope":"openid profile"}`),
		},
		{
			Step: "userinfo", Started: t0.Add(6 * time.Second), Duration: 2 * time.Millisecond, Method: "GET",
			URL:           "http://127.0.0.1:1/userinfo",
			RequestHeader: http.Header{"Authorization": {"Bearer FAKE-ACCESS-TOKEN-1"}},
			Err:           "dial tcp 127.0.0.1:1: connect: connection refused",
		},
	}
}

// fixedTrace records the fixed exchanges in a new trace.
func FixedTrace() *flows.Trace {
	tr := &flows.Trace{}
	for _, x := range FixedTraceExchanges() {
		tr.Record(x)
	}
	return tr
}
