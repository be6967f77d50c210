package main

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tokenbench/tokenbench/flows"
	"github.com/tokenbench/tokenbench/flows/demoidp/demoidptest"
)

// harTestdata is a hand-made HAR file of the flows package's tests.
func harTestdata(name string) string {
	return filepath.Join("..", "..", "flows", "testdata", "har", name)
}

func TestHARPrintsTimelineAndFindings(t *testing.T) {
	t.Parallel()
	r := runCLI(t, invocation{args: []string{"har", harTestdata("chrome-form-post.har")}})
	if r.code != 1 {
		t.Fatalf("exit %d, want 1 (checks failed)\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	for _, want := range []string{"9 entries, 5 OAuth exchanges", "#4   authorization", "#7   token", "code=[redacted] state=st-123",
		"✗ redirect_uri:", "✗ code_age: the code of #5 was redeemed 12m later", "invalid_grant: The grant was rejected", "✗ cookie: #4 cookie idp_sid"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("stdout lacks %q:\n%s", want, r.stdout)
		}
	}
	if strings.Contains(r.stdout, "SplxlOBeZQQYbYS6WxSbIA") || strings.Contains(r.stdout, "app-secret-value") {
		t.Errorf("stdout shows a secret of the file:\n%s", r.stdout)
	}
}

func TestHARJSONAndRedactedCopy(t *testing.T) {
	t.Parallel()
	out := filepath.Join(t.TempDir(), "copy.har")
	r := runCLI(t, invocation{args: []string{"har", harTestdata("userinfo-401.har"), "--json", "--redact", out}})
	if r.code != 1 {
		t.Fatalf("exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	var doc struct {
		Steps []struct {
			Kind, URL, Error string
		}
		Findings []struct{ Check, Status, Code string }
	}
	if err := json.Unmarshal([]byte(r.stdout), &doc); err != nil {
		t.Fatalf("not JSON (%v):\n%s", err, r.stdout)
	}
	var kinds []string
	for _, s := range doc.Steps {
		kinds = append(kinds, s.Kind)
		if strings.Contains(s.URL, "c0de-778899") {
			t.Errorf("step URL shows the code: %s", s.URL)
		}
	}
	if got := strings.Join(kinds, " "); got != "authorization authorization_response token userinfo" {
		t.Errorf("steps %q", got)
	}
	fi, err := os.Stat(out)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("mode %v", fi.Mode().Perm())
	}
	copyData, _ := os.ReadFile(out)
	for _, secret := range []string{"c0de-778899", "at-opaque-5566778899", "rt-opaque-1122334455", "c4rt-112233", "tr4ck-445566", "c2hvcDpzaG9wLXNlY3JldC12YWx1ZQ==", "wrong-verifier-0000"} {
		if strings.Contains(string(copyData), secret) {
			t.Errorf("the redacted copy holds %q", secret)
		}
	}
	again := runCLI(t, invocation{args: []string{"har", out}})
	if !strings.Contains(again.stdout, "4 OAuth exchanges") {
		t.Errorf("the redacted copy reads differently:\n%s", again.stdout)
	}
}

func TestHARFetchKeys(t *testing.T) {
	t.Parallel()
	p := demoidptest.Start(t)
	tok := runCLI(t, invocation{args: []string{"token", "--issuer", p.Issuer(), "--client-id", demoidptest.BasicID, "--client-secret", demoidptest.BasicSecret,
		"--grant", "password", "--username", "demo", "--password", "demo", "--scope", "openid"}})
	idToken, _ := tokenResponse(t, tok)["id_token"].(string)
	if idToken == "" {
		t.Fatalf("no id_token: %s", tok.stdout)
	}
	resp, err := http.Get(p.Issuer() + "/.well-known/openid-configuration")
	if err != nil {
		t.Fatal(err)
	}
	meta, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	body, _ := json.Marshal(tokenResponse(t, tok))
	now := time.Now().UTC().Format("2006-01-02T15:04:05.000Z")
	entry := func(method, url, mime, text string) string {
		return fmt.Sprintf(`{"startedDateTime":%q,"time":1,"request":{"method":%q,"url":%q,"headers":[],"postData":{"mimeType":"application/x-www-form-urlencoded","text":"grant_type=password&client_id=demo-basic&username=demo&password=demo"}},"response":{"status":200,"headers":[],"content":{"mimeType":%q,"text":%q}}}`, now, method, url, mime, text)
	}
	// With the metadata in the file, its jwks_uri names the keys; without it, the id_token's iss
	// does, through the issuer's discovery.
	files := map[string][]string{
		"with metadata": {entry("GET", p.Issuer()+"/.well-known/openid-configuration", "application/json", string(meta)), entry("POST", p.Issuer()+"/token", "application/json", string(body))},
		"token alone":   {entry("POST", p.Issuer()+"/token", "application/json", string(body))},
	}
	for name, entries := range files {
		t.Run(name, func(t *testing.T) {
			har := fmt.Sprintf(`{"log":{"version":"1.2","creator":{"name":"test"},"entries":[%s]}}`, strings.Join(entries, ","))
			path := filepath.Join(t.TempDir(), "login.har")
			if err := os.WriteFile(path, []byte(har), 0o600); err != nil {
				t.Fatal(err)
			}
			n := len(entries)
			without := runCLI(t, invocation{args: []string{"har", path}})
			if !strings.Contains(without.stdout, fmt.Sprintf("? token: #%d id_token: every check passed but the signature was not verified", n)) ||
				!strings.Contains(without.stdout, "run again with --fetch-keys") || strings.Contains(without.stderr, "fetching") {
				t.Errorf("without --fetch-keys:\n%s\n%s", without.stdout, without.stderr)
			}
			with := runCLI(t, invocation{args: []string{"har", path, "--fetch-keys"}})
			if with.code != 0 || !strings.Contains(with.stdout, fmt.Sprintf("✓ token: #%d id_token: every check passed, signature verified", n)) ||
				!strings.Contains(with.stderr, "fetching the keys of "+p.Issuer()) {
				t.Errorf("with --fetch-keys: exit %d\n%s\n%s", with.code, with.stdout, with.stderr)
			}
		})
	}
}

func TestHARUsage(t *testing.T) {
	t.Parallel()
	if r := runCLI(t, invocation{args: []string{"har"}}); r.code != 2 {
		t.Errorf("no file: exit %d", r.code)
	}
	bad := filepath.Join(t.TempDir(), "bad.har")
	os.WriteFile(bad, []byte("<html>"), 0o600)
	if r := runCLI(t, invocation{args: []string{"har", bad}}); r.code != 1 || !strings.Contains(r.stderr, "not a HAR file") {
		t.Errorf("bad file: exit %d: %s", r.code, r.stderr)
	}
}

func TestHARShowsControlCharactersEscaped(t *testing.T) {
	t.Parallel()
	har := `{"log":{"entries":[{"startedDateTime":"2026-11-30T09:00:00.000Z","request":{"method":"GET","url":"https://idp.example/authorize?client_id=a&response_type=code&state=s"},` +
		`"response":{"status":302,"headers":[{"name":"Location","value":"https://app.example/cb?error=access_denied&error_description=%1B%5D0%3Bpwned%07&state=s"}]}}]}}`
	path := filepath.Join(t.TempDir(), "esc.har")
	os.WriteFile(path, []byte(har), 0o600)
	r := runCLI(t, invocation{args: []string{"har", path}})
	if strings.ContainsAny(r.stdout, "\x1b\x07") {
		t.Errorf("stdout carries control characters: %q", r.stdout)
	}
	if !strings.Contains(r.stdout, `\x1b]0;pwned\x07`) {
		t.Errorf("the escaped description is missing:\n%s", r.stdout)
	}
}

// A file that holds the provider's JWKS is checked against it: --fetch-keys fetches nothing (the
// provider that answered the recording is long gone).
func TestHARFetchKeysKeepsTheFilesJWKS(t *testing.T) {
	t.Parallel()
	r := runCLI(t, invocation{args: []string{"har", harTestdata("chromium/demoidp-login.har"), "--fetch-keys"}})
	if r.code != 0 || !strings.Contains(r.stderr, "holds the provider's JWKS") ||
		!strings.Contains(r.stdout, "id_token: every check passed, signature verified") {
		t.Errorf("exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
}

// A response that rode on a redirect is shown where the redirect sent the browser, its code
// masked; the request it answered is the step before.
func TestHARShowsTheRedirectCarryingTheResponse(t *testing.T) {
	t.Parallel()
	r := runCLI(t, invocation{args: []string{"har", harTestdata("chromium/demoidp-wrong-iss.har")}})
	for _, want := range []string{
		"#3   authorization          GET  http://127.0.0.1:44375/authorize?client_id=demo-public",
		"#3   authorization_response 302  Location: http://127.0.0.1:36825/callback?code=" + flows.Redacted + "&iss=",
	} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("stdout lacks %q:\n%s", want, r.stdout)
		}
	}
}

// tokenbench har --json goes through untrusted.JSON as every JSON the command line prints: a
// provider's bidirectional override or C1 control in the file reaches stdout as a \uXXXX escape.
func TestHARJSONEscapesInvisibleCharacters(t *testing.T) {
	t.Parallel()
	har := `{"log":{"entries":[{"startedDateTime":"2026-11-30T09:00:00.000Z","request":{"method":"GET","url":"https://idp.example/authorize?client_id=a&response_type=code&state=s"},` +
		`"response":{"status":302,"headers":[{"name":"Location","value":"https://app.example/cb\u202e\u009b31m?error=access_denied%E2%80%AE&state=s"}]}}]}}`
	path := filepath.Join(t.TempDir(), "bidi.har")
	if err := os.WriteFile(path, []byte(har), 0o600); err != nil {
		t.Fatal(err)
	}
	r := runCLI(t, invocation{args: []string{"har", path, "--json"}})
	if strings.ContainsAny(r.stdout, "\u202e\u009b") {
		t.Errorf("stdout carries invisible characters: %q", r.stdout)
	}
	if !strings.Contains(r.stdout, `\u202e`) {
		t.Errorf("the escaped override is missing:\n%s", r.stdout)
	}
	var doc map[string]any
	if err := json.Unmarshal([]byte(r.stdout), &doc); err != nil {
		t.Errorf("not JSON: %v\n%s", err, r.stdout)
	}
}
