package main

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/colorprofile"
	"github.com/charmbracelet/x/exp/teatest/v2"

	"github.com/tokenbench/tokenbench/flows/demoidp/demoidptest"
	"github.com/tokenbench/tokenbench/tui"
)

// One saved profile sends the same requests whether the command line runs it (tokenbench token
// --profile) or the workbench does (tokenbench run): both resolve it through profiles.Resolve and
// run the flows session. This test runs each profile both ways against the built-in provider and
// compares what was sent — the authorization request, the pushed request, the token request —
// every parameter but the random ones (state, nonce, PKCE, codes, request_uri, ports).

// randomParams change on every run, by design.
var randomParams = map[string]bool{
	"state": true, "nonce": true, "code_challenge": true, "code_verifier": true, "code": true,
	"request_uri": true, "client_assertion": true, "dpop_jkt": true, "jti": true, "iat": true,
	"exp": true, "nbf": true,
}

var loopbackPort = regexp.MustCompile(`^(http://(?:127\.0\.0\.1|\[::1\]|localhost)):\d+`)

// sent is what one run sent: the authorization URL's parameters (the request object's claims
// included), the pushed request's and the token request's, normalised.
type sent struct {
	authorize, pushed, token map[string]string
}

// normalise flattens parameters to one comparable string each, random ones marked as such.
func normalise(v map[string][]string) map[string]string {
	if v == nil {
		return nil
	}
	out := map[string]string{}
	for k, vs := range v {
		switch {
		case randomParams[k]:
			out[k] = "<random>"
		case k == "request":
			out[k] = requestClaims(vs[0])
		default:
			s := strings.Join(vs, " ")
			out[k] = loopbackPort.ReplaceAllString(s, "$1:PORT")
		}
	}
	return out
}

// requestClaims are a request object's claims (RFC 9101), normalised as parameters are.
func requestClaims(jwt string) string {
	parts := strings.Split(jwt, ".")
	if len(parts) != 3 {
		return "<not a JWS: " + jwt + ">"
	}
	claims := map[string]any{}
	payload, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil || json.Unmarshal(payload, &claims) != nil {
		return "<unreadable claims>"
	}
	v := map[string][]string{}
	for k, c := range claims {
		v[k] = []string{fmt.Sprint(c)}
	}
	b, _ := json.Marshal(normalise(v))
	return string(b)
}

// harSent reads a HAR (the command line's --save-trace, or the workbench session's trace exported
// the same way) for the pushed and token requests.
func harSent(t *testing.T, har []byte, s *sent) {
	t.Helper()
	var doc struct {
		Log struct {
			Entries []struct {
				Step    string `json:"_step"`
				Request struct {
					Headers  []struct{ Name, Value string }
					PostData *struct {
						Params []struct{ Name, Value string }
					} `json:"postData"`
				} `json:"request"`
			} `json:"entries"`
		} `json:"log"`
	}
	if err := json.Unmarshal(har, &doc); err != nil {
		t.Fatalf("HAR: %v", err)
	}
	for _, e := range doc.Log.Entries {
		dst := map[string]*map[string]string{"par": &s.pushed, "token": &s.token}[e.Step]
		if dst == nil || *dst != nil || e.Request.PostData == nil {
			continue
		}
		v := map[string][]string{}
		for _, p := range e.Request.PostData.Params {
			v[p.Name] = append(v[p.Name], p.Value)
		}
		for _, h := range e.Request.Headers {
			switch h.Name {
			case "Authorization":
				scheme, _, _ := strings.Cut(h.Value, " ")
				v["header Authorization"] = []string{scheme}
			case "Dpop", "DPoP":
				v["header DPoP"] = []string{"<proof>"}
			}
		}
		*dst = normalise(v)
	}
}

func authorizeParams(t *testing.T, u string) map[string]string {
	t.Helper()
	pu, err := url.Parse(u)
	if err != nil {
		t.Fatalf("authorization URL %q: %v", u, err)
	}
	return normalise(pu.Query())
}

var openThis = regexp.MustCompile(`Open this URL to sign in:\n\n  (\S+)\n`)

// cliSent runs tokenbench token --profile and reads what it sent.
func cliSent(t *testing.T, pe *profileEnv, name string, code bool) sent {
	t.Helper()
	har := filepath.Join(t.TempDir(), "cli.har")
	r := pe.run("token", "--profile", name, "--save-trace", har)
	wantExit(t, r, 0)
	var s sent
	if code {
		m := openThis.FindStringSubmatch(r.stderr)
		if m == nil {
			t.Fatalf("no authorization URL on stderr:\n%s", r.stderr)
		}
		s.authorize = authorizeParams(t, m[1])
	}
	data, err := os.ReadFile(har)
	if err != nil {
		t.Fatal(err)
	}
	harSent(t, data, &s)
	return s
}

// tuiSent runs the workbench on the profile (tokenbench run), presses the keys a user would, and
// reads what it sent from the session's trace.
func tuiSent(t *testing.T, pe *profileEnv, name string, code bool) sent {
	t.Helper()
	vars := map[string]string{"TOKENBENCH_CONFIG_HOME": pe.dir}
	for k, v := range pe.env {
		vars[k] = v
	}
	e := &env{stdin: strings.NewReader(""), stdout: &syncBuffer{}, stderr: &syncBuffer{}, getenv: func(k string) string { return vars[k] }}
	demo := &lazyDemo{addr: "127.0.0.1:0"}
	defer demo.close()
	opts, err := profileWorkbench(context.Background(), e, name, demo)
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var opened []string
	opts.OpenBrowser = func(u string) error {
		mu.Lock()
		opened = append(opened, u)
		mu.Unlock()
		return demoidptest.Open(u)
	}
	tm := teatest.NewTestModel(t, tui.New(opts), teatest.WithInitialTermSize(120, 40),
		teatest.WithProgramOptions(tea.WithColorProfile(colorprofile.Ascii)))
	defer tm.Quit() //nolint:errcheck // the program is only stopped
	tokenSent := func() bool {
		for _, x := range opts.Client.Trace.Exchanges() {
			if x.Step == "token" {
				return true
			}
		}
		return false
	}
	if code {
		tm.Send(press("j")) // Authorize
		browserSent := func() bool {
			mu.Lock()
			defer mu.Unlock()
			return len(opened) > 0
		}
		// enter until the browser is sent: a DPoP session's key may still be being made.
		waitFor(t, func() bool {
			if browserSent() {
				return true
			}
			tm.Send(press("enter"))
			time.Sleep(300 * time.Millisecond)
			return browserSent()
		})
		tm.Send(press("j")) // from Callback to Token
	} else {
		tm.Send(press("j")) // Discover, then the skipped Authorize and Callback, to Token
		tm.Send(press("j"))
		tm.Send(press("j"))
	}
	// enter on Token until its request is made: the callback may still be on its way.
	waitFor(t, func() bool {
		if tokenSent() {
			return true
		}
		tm.Send(press("enter"))
		time.Sleep(300 * time.Millisecond)
		return tokenSent()
	})
	var s sent
	if code {
		mu.Lock()
		s.authorize = authorizeParams(t, opened[0])
		mu.Unlock()
	}
	time.Sleep(200 * time.Millisecond) // the token exchange's answer, then its trace entry, settle
	data, err := opts.Client.Trace.HAR("tokenbench test")
	if err != nil {
		t.Fatal(err)
	}
	harSent(t, data, &s)
	return s
}

func press(k string) tea.KeyPressMsg {
	if k == "enter" {
		return tea.KeyPressMsg{Code: tea.KeyEnter}
	}
	return tea.KeyPressMsg{Code: rune(k[0]), Text: k}
}

func diffSent(t *testing.T, what string, cli, tui map[string]string) {
	t.Helper()
	keys := map[string]bool{}
	for k := range cli {
		keys[k] = true
	}
	for k := range tui {
		keys[k] = true
	}
	names := make([]string, 0, len(keys))
	for k := range keys {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		c, cok := cli[k]
		w, wok := tui[k]
		if c != w || cok != wok {
			t.Errorf("%s %s: command line %q (sent %v), workbench %q (sent %v)", what, k, c, cok, w, wok)
		}
	}
}

func TestProfileSendsTheSameFromTheCommandLineAndTheWorkbench(t *testing.T) {
	t.Parallel()
	p := demoidptest.Start(t)
	pe := newProfileEnv(t)
	pe.env["SECRET_BASIC"] = demoidptest.Secret(t, p, demoidptest.BasicID)
	basic := []string{"--issuer", p.Issuer(), "--client-id", demoidptest.BasicID, "--client-secret-ref", "env:SECRET_BASIC"}
	cases := []struct {
		name string
		args []string
		code bool // the authorization code grant, else client credentials
	}{
		{"bare", basic, true},
		{"scoped", append(append([]string{}, basic...), "--scope", "openid offline_access", "--redirect-uri", "http://127.0.0.1:0/callback", "--param", "ui_locales=fr"), true},
		{"preset", []string{"--preset", "generic", "--set", "issuer=" + p.Issuer(), "--client-id", demoidptest.BasicID, "--client-secret-ref", "env:SECRET_BASIC", "--pkce", "plain"}, true},
		{"par", append(append([]string{}, basic...), "--par"), true},
		{"request-object", []string{"--issuer", p.Issuer(), "--client-id", demoidptest.PrivateKeyJWTID, "--signing-key", demoidptest.KeyPath(t, demoidptest.ClientKeyRSA), "--request-object"}, true},
		{"dpop", append(append([]string{}, basic...), "--dpop"), true},
		{"client-credentials", append(append([]string{}, basic...), "--grant", "client_credentials", "--scope", "profile"), false},
	}
	for _, tc := range cases {
		pe.mustRun(append([]string{"profile", "add", tc.name}, tc.args...)...)
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			cli := cliSent(t, pe, tc.name, tc.code)
			tui := tuiSent(t, pe, tc.name, tc.code)
			if tc.code && (cli.authorize == nil || cli.authorize["client_id"] == "") {
				t.Fatalf("no authorization request read: %v", cli.authorize)
			}
			if cli.token == nil || cli.token["grant_type"] == "" {
				t.Fatalf("no token request read: %v", cli.token)
			}
			diffSent(t, "authorization request", cli.authorize, tui.authorize)
			diffSent(t, "pushed request", cli.pushed, tui.pushed)
			diffSent(t, "token request", cli.token, tui.token)
		})
	}
}
