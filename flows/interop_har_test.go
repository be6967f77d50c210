package flows_test

import (
	"crypto/rand"
	"encoding/json"
	"html/template"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"golang.org/x/oauth2"

	"github.com/tokenbench/tokenbench/flows"
	"github.com/tokenbench/tokenbench/flows/demoidp/demoidptest"
)

// HAR files recorded by a real browser: headless Chromium, driven through the DevTools protocol by
// .ci/interop/record-har.mjs, signs in at the built-in provider, oidc-provider and zitadel/oidc through a
// single-page app, with faults and failures. Each recording is read by flows.ReadHAR and its
// findings asserted (flows.CheckChromiumHAR, which `go test` also runs on the copies kept in
// testdata/har/chromium). TOKENBENCH_HAR_UPDATE=1 writes the new recordings there.

// harRecording is one login to record.
type harRecording struct {
	name     string
	provider string // "demoidp", "oidc-provider" or "zitadel"
	faults   []string
	// redirect replaces the app's callback as redirect_uri: one the provider has not registered.
	redirect string
	// deny presses the provider's cancel or deny instead of signing in.
	deny bool
	// prompt is sent as prompt, so that the built-in provider shows its consent page.
	prompt string
}

var harRecordings = []harRecording{
	{name: "demoidp-login", provider: "demoidp", prompt: "consent"},
	{name: "demoidp-wrong-iss", provider: "demoidp", faults: []string{"wrong-iss"}},
	{name: "demoidp-bad-signature", provider: "demoidp", faults: []string{"bad-signature"}},
	{name: "demoidp-expired-code", provider: "demoidp", faults: []string{"expired-code"}},
	{name: "demoidp-access-denied", provider: "demoidp", prompt: "consent", deny: true},
	{name: "demoidp-unregistered-redirect", provider: "demoidp", redirect: "http://app.example/callback"},
	{name: "oidc-provider-login", provider: "oidc-provider"},
	{name: "oidc-provider-access-denied", provider: "oidc-provider", deny: true},
	{name: "oidc-provider-unregistered-redirect", provider: "oidc-provider", redirect: "http://127.0.0.1:9/elsewhere"},
	{name: "zitadel-login", provider: "zitadel"},
}

func TestInteropChromiumHAR(t *testing.T) {
	if os.Getenv("TOKENBENCH_INTEROP") != "1" {
		t.Skip("recording HAR files in headless Chromium runs with TOKENBENCH_INTEROP=1 after .ci/interop has installed Chromium and the DevTools client")
	}
	for _, rec := range harRecordings {
		t.Run(rec.name, func(t *testing.T) {
			var issuer, clientID, callback string
			var fields map[string]string
			switch rec.provider {
			case "demoidp":
				p := demoidptest.Start(t, rec.faults...)
				issuer, clientID, callback = p.Issuer(), demoidptest.PublicID, "http://127.0.0.1:0/callback"
			case "zitadel":
				p := startZitadel(t)
				c := p.clients["public"]
				issuer, clientID, callback, fields = c.Issuer, c.ClientID, c.RedirectURI, p.browser.fields
			case "oidc-provider":
				p := startOIDCProvider(t)
				c := p.clients["public"]
				issuer, clientID, callback, fields = c.Issuer, c.ClientID, c.RedirectURI, p.browser.fields
			}
			app := startSPA(t, issuer, clientID, callback, rec)
			data := recordHAR(t, app.start, app.done, fields, rec.deny)
			if os.Getenv("TOKENBENCH_HAR_UPDATE") == "1" {
				if err := os.WriteFile(filepath.Join("testdata", "har", "chromium", rec.name+".har"), data, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			flows.CheckChromiumHAR(t, rec.name, data)
		})
	}
}

// recordHAR runs the recorder: Chromium opens start, plays the user (fields typed into the login
// form, or cancel pressed), and stops when the page under done has finished.
func recordHAR(t *testing.T, start, done string, fields map[string]string, deny bool) []byte {
	t.Helper()
	dir := nodeScript(t, "record-har.mjs")
	out := filepath.Join(t.TempDir(), "login.har")
	fj, _ := json.Marshal(fields)
	cmd := exec.Command("node", "record-har.mjs")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "START="+start, "DONE="+done, "OUT="+out, "FIELDS="+string(fj))
	if deny {
		cmd.Env = append(cmd.Env, "DENY=1")
	}
	if msg, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("recording in Chromium: %v\n%s", err, msg)
	}
	data, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// spa is a single-page app on loopback, as browser-based clients are written (RFC 9700 §2.1.1: a
// public client with PKCE): its start page reads the provider's discovery and sends the browser
// to the authorization endpoint with state, nonce and an S256 code challenge; its callback page
// redeems the code at the token endpoint with fetch, reads the keys and UserInfo, and titles
// itself "done". start and done are where the recording begins and ends.
type spa struct {
	start, done string
}

var spaPage = template.Must(template.New("spa").Parse(`<!doctype html><title>app</title>
<script>
const discovery = {{.Discovery}};
const q = new URLSearchParams(location.search);
(async () => {
  const m = await (await fetch(discovery)).json();
  if ({{.Start}}) { location.assign(m.authorization_endpoint + '?' + {{.Params}}); return; }
  if (q.has('code')) {
    const t = await (await fetch(m.token_endpoint, { method: 'POST', body: new URLSearchParams({
      grant_type: 'authorization_code', code: q.get('code'), redirect_uri: {{.Redirect}}, client_id: {{.ClientID}}, code_verifier: {{.Verifier}} }) })).json();
    await fetch(m.jwks_uri);
    if (t.access_token && m.userinfo_endpoint) {
      await fetch(m.userinfo_endpoint, { method: 'POST', body: new URLSearchParams({ access_token: t.access_token }) });
    }
  }
  document.title = 'done';
})().catch(() => { document.title = 'done'; });
</script>`))

// startSPA serves the app on the callback's host and port (port 0: any free one).
func startSPA(t *testing.T, issuer, clientID, callback string, rec harRecording) spa {
	t.Helper()
	cb, err := url.Parse(callback)
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", cb.Host)
	if err != nil {
		t.Fatal(err)
	}
	if cb.Port() == "0" {
		cb.Host = ln.Addr().String()
	}
	redirect := cb.String()
	if rec.redirect != "" {
		redirect = rec.redirect
	}
	var mu sync.Mutex
	verifiers := map[string]string{}
	page := func(w http.ResponseWriter, start bool, params url.Values, verifier string) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		err := spaPage.Execute(w, map[string]any{"Discovery": strings.TrimSuffix(issuer, "/") + "/.well-known/openid-configuration",
			"Start": start, "Params": params.Encode(), "Redirect": redirect, "ClientID": clientID, "Verifier": verifier})
		if err != nil {
			t.Error(err)
		}
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /start", func(w http.ResponseWriter, r *http.Request) {
		verifier, state, nonce := oauth2.GenerateVerifier(), rand.Text(), rand.Text()
		mu.Lock()
		verifiers[state] = verifier
		mu.Unlock()
		params := url.Values{"response_type": {"code"}, "client_id": {clientID}, "redirect_uri": {redirect},
			"scope": {"openid email profile"}, "state": {state}, "nonce": {nonce},
			"code_challenge": {oauth2.S256ChallengeFromVerifier(verifier)}, "code_challenge_method": {"S256"}}
		if rec.prompt != "" {
			params.Set("prompt", rec.prompt)
		}
		page(w, true, params, "")
	})
	mux.HandleFunc("GET "+cb.Path, func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		v := verifiers[r.URL.Query().Get("state")]
		mu.Unlock()
		page(w, false, nil, v)
	})
	srv := &http.Server{Handler: mux}
	go srv.Serve(ln) //nolint:errcheck // closed by the cleanup
	t.Cleanup(func() { srv.Close() })
	base := "http://" + cb.Host
	done := base + cb.Path
	if rec.redirect != "" {
		done = rec.redirect
	}
	return spa{start: base + "/start", done: done}
}
