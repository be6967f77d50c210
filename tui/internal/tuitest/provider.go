package tuitest

import (
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/tokenbench/tokenbench/flows"
	"github.com/tokenbench/tokenbench/flows/demoidp"
	"github.com/tokenbench/tokenbench/flows/demoidp/demoidptest"
	"github.com/tokenbench/tokenbench/profiles"
)

// The built-in provider on a fixed clock, its demo client, and a browser that plays the user.

// FlowNow is the fixed clock of the flow tests (demoidptest.FixedNow): the provider, the client and
// the TUI share it, so that every time shown (iat, exp, countdowns) is the same on every run.
func FlowNow() time.Time { return demoidptest.FixedNow() }

// FlowProvider starts the built-in provider with faults on the fixed clock.
func FlowProvider(t testing.TB, faults ...string) *demoidp.Provider {
	t.Helper()
	return FlowProviderWith(t, demoidp.Options{}, faults...)
}

// FlowProviderWith starts the built-in provider with opts and faults on the fixed clock.
func FlowProviderWith(t testing.TB, opts demoidp.Options, faults ...string) *demoidp.Provider {
	t.Helper()
	opts.Now = FlowNow
	return demoidptest.StartWith(t, opts, faults...)
}

// FlowClient is the demo's client (demo-basic, loopback redirect) on the provider.
func FlowClient(t testing.TB, p *demoidp.Provider, redirect string) *flows.Client {
	t.Helper()
	cfg := flows.ClientConfig{
		Issuer: p.Issuer(), ClientID: demoidptest.BasicID, ClientSecret: demoidptest.BasicSecret,
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

// FlowBrowser plays the user's browser (demoidptest.Open): the demo user is always signed in and
// approves, and the browser follows the provider up to the loopback listener.
func FlowBrowser(u string) error { return demoidptest.Open(u) }

// flowScrubbers replace what changes from run to run: ports, key ids, random values.
var flowScrubbers = []struct {
	re   *regexp.Regexp
	with string
}{
	{regexp.MustCompile(`127\.0\.0\.1:\d+`), "127.0.0.1:PORT"},
	// The same port inside a URL-encoded redirect_uri (127.0.0.1%3A49152) or one encoded twice, as
	// when that redirect_uri is itself a query value (127.0.0.1%253A49152).
	{regexp.MustCompile(`127\.0\.0\.1(%(?:25)?3[Aa])\d+`), "127.0.0.1${1}PORT"},
	{regexp.MustCompile(`kid "[^"\n]*"`), `kid "KID"`},
	{regexp.MustCompile(`(nonce|at_hash|c_hash) "[^"\n]*"`), `$1 "RANDOM"`},
	{regexp.MustCompile(`(state|nonce|code_challenge|user_code)=[A-Za-z0-9_%.~-]+`), "$1=RANDOM"},
	{regexp.MustCompile(`[B-Z] [B-Z] [B-Z] [B-Z] - [B-Z] [B-Z] [B-Z] [B-Z]`), "X X X X - X X X X"},
	{regexp.MustCompile(`\b[B-Z]{4}-[B-Z]{4}\b`), "XXXX-XXXX"},
	{regexp.MustCompile(`\d+ chars`), "N chars"},
	{regexp.MustCompile(`\b[A-Z2-7]{26}\b`), "RANDOM"},
}

// FlowScrub replaces what changes from run to run in a flow view (ports, key ids, random values)
// with fixed placeholders, so that goldens stay the same.
func FlowScrub(s string) string {
	for _, sc := range flowScrubbers {
		s = sc.re.ReplaceAllString(s, sc.with)
	}
	return s
}

// GrantScrub is FlowScrub that also hides the test's temporary directory and the certificate
// thumbprints, which change from run to run.
func GrantScrub(dir string) func(string) string {
	return func(s string) string {
		if dir != "" {
			s = strings.ReplaceAll(s, dir, "TMP")
		}
		return x5tValue.ReplaceAllString(FlowScrub(s), "${1}X5T${2}")
	}
}

// SAMLFile writes a SAML 2.0 bearer assertion for the demo user, signed by the demo's trusted
// issuer, for audience, valid until 5 minutes after the fixed clock.
func SAMLFile(t *testing.T, dir, name, id, audience string) string {
	t.Helper()
	xml, err := demoidp.SAMLBearerAssertion{ID: id, Audience: audience, NotOnOrAfter: FlowNow().Add(5 * time.Minute)}.Signed()
	if err != nil {
		t.Fatal(err)
	}
	return WriteFile(t, dir, name, xml)
}

// MTLSProvider starts the built-in provider on the fixed clock with its mutual TLS listener.
func MTLSProvider(t *testing.T) *demoidp.Provider {
	t.Helper()
	return FlowProviderWith(t, demoidp.Options{MTLS: &demoidp.MTLSOptions{}})
}

// ProfilesScrub hides the temporary directory of a store in views.
func ProfilesScrub(st *profiles.Store) func(string) string {
	dir := filepath.Dir(st.Dir())
	return func(s string) string { return FlowScrub(strings.ReplaceAll(s, dir, "$TMP")) }
}
