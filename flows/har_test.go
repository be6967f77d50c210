package flows

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/tokenbench/tokenbench/flows/demoidp/demoidptest"
)

// recordLogin logs in to the built-in provider with the named faults on, playing the browser
// through the client's own recording transport so that the authorization request and its redirect
// are in the trace beside discovery, token, JWKS and userinfo; it returns the trace as a HAR file
// written with the export's own entry conversion, secrets left in, as a browser records them.
func recordLogin(t *testing.T, faults ...string) []byte {
	t.Helper()
	p := demoidptest.Start(t, faults...)
	c, err := NewClient(ClientConfig{
		Issuer: p.Issuer(), ClientID: demoidptest.BasicID, ClientSecret: demoidptest.BasicSecret,
		RedirectURI: "http://127.0.0.1/callback", Scopes: []string{"openid", "profile", "email"},
	}, TransportOptions{Timeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	ar, err := c.NewAuthRequest(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	r, err := c.get(WithStep(ctx, "authorize"), ar.URL, "text/html", nil)
	if err != nil {
		t.Fatal(err)
	}
	if code := responseParams(r.header.Get("Location")).Get("code"); code != "" {
		tok, err := c.ExchangeCode(ctx, ar, code)
		if err == nil {
			c.ValidateIDToken(ctx, tok.IDToken, Expect{})
			_, _ = c.UserInfo(ctx, tok.AccessToken)
		}
	}
	return rawHAR(t, c.Trace)
}

// rawHAR is Trace.HAR without the redaction: the file a browser would have recorded.
func rawHAR(t *testing.T, tr *Trace) []byte {
	t.Helper()
	doc := harDoc{Log: harLog{Version: "1.2", Creator: harCreator{Name: "test", Version: "1"}}}
	for _, x := range tr.Exchanges() {
		doc.Log.Entries = append(doc.Log.Entries, harEntryOf(*x))
	}
	b, err := json.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func readHAR(t *testing.T, data []byte) *HARFlow {
	t.Helper()
	h, err := ReadHAR(data)
	if err != nil {
		t.Fatal(err)
	}
	return h
}

// wantHAR asserts a finding of the flow: its check, status and a fragment of its summary; the
// code when one is given.
func wantHAR(t *testing.T, h *HARFlow, check string, status FindingStatus, fragment, code string) {
	t.Helper()
	for _, f := range h.Findings {
		if f.Check == check && f.Status == status && strings.Contains(f.Summary, fragment) && (code == "" || f.Code == code) {
			return
		}
	}
	var b strings.Builder
	for _, f := range h.Findings {
		b.WriteString("  " + f.Status.Symbol() + " " + f.Check + ": " + f.Summary + " [" + f.Code + "]\n")
	}
	t.Errorf("no %s finding %s %q (code %q) among:\n%s", status, check, fragment, code, b.String())
}

func stepKinds(h *HARFlow) string {
	var kinds []string
	for _, s := range h.Steps {
		kinds = append(kinds, s.Kind)
	}
	return strings.Join(kinds, " ")
}

func TestReadHARRecordedLogin(t *testing.T) {
	h := readHAR(t, recordLogin(t))
	if got, want := stepKinds(h), "discovery authorization authorization_response token jwks userinfo"; got != want {
		t.Errorf("steps %q, want %q", got, want)
	}
	for _, f := range h.Findings {
		if f.Status == FindingFailed {
			t.Errorf("failed: %s: %s", f.Check, f.Summary)
		}
	}
	wantHAR(t, h, "state", FindingOK, "unchanged", "")
	wantHAR(t, h, "pkce", FindingOK, "S256", "")
	wantHAR(t, h, "code_verifier", FindingOK, "matches", "")
	wantHAR(t, h, "redirect_uri", FindingOK, "same redirect_uri", "")
	wantHAR(t, h, "iss", FindingOK, "names the issuer", "")
	wantHAR(t, h, "code_age", FindingOK, "redeemed", "")
	wantHAR(t, h, "token", FindingOK, "id_token: every check passed, signature verified", "")
	if len(h.Tokens) == 0 || h.Tokens[0].Report.Token.ClaimString("nonce") == "" {
		t.Errorf("tokens %+v", h.Tokens)
	}
	if c, _ := h.Tokens[0].Report.Find("nonce"); c.Status != CheckPass {
		t.Errorf("nonce check %+v", c)
	}
}

func TestReadHARRecordedFaults(t *testing.T) {
	tests := []struct {
		fault, check, fragment, code string
	}{
		{"wrong-state", "state", "came back", string(KindStateMismatch)},
		{"deny", "error", "access_denied", "access_denied"},
		{"wrong-iss", "iss", "names the issuer", string(KindIssMismatch)},
		{"wrong-iss", "token", "id_token: iss", string(KindIssMismatch)},
		{"bad-signature", "token", "signature", string(KindSignatureInvalid)},
		{"expired-code", "error", "invalid_grant", "invalid_grant"},
		{"expired-id-token", "token", "exp", string(KindTokenExpired)},
		{"unknown-kid", "token", "signature", string(KindUnknownKID)},
	}
	for _, tt := range tests {
		t.Run(tt.fault+"/"+tt.check, func(t *testing.T) {
			h := readHAR(t, recordLogin(t, tt.fault))
			status := FindingFailed
			if tt.code == "" {
				status = FindingOK
			}
			wantHAR(t, h, tt.check, status, tt.fragment, tt.code)
		})
	}
}

func TestReadHARReadsTheRedactedExport(t *testing.T) {
	p := demoidptest.Start(t)
	c, err := NewClient(ClientConfig{Issuer: p.Issuer(), ClientID: demoidptest.BasicID, ClientSecret: demoidptest.BasicSecret,
		RedirectURI: "http://127.0.0.1/callback", Scopes: []string{"openid"}}, TransportOptions{})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	ar, err := c.NewAuthRequest(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	r, err := c.get(ctx, ar.URL, "text/html", nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.ExchangeCode(ctx, ar, responseParams(r.header.Get("Location")).Get("code")); err != nil {
		t.Fatal(err)
	}
	data, err := c.Trace.HAR("tokenbench/test")
	if err != nil {
		t.Fatal(err)
	}
	h := readHAR(t, data)
	if got := stepKinds(h); got != "discovery authorization authorization_response token" {
		t.Errorf("steps %q", got)
	}
	// The export masks codes, verifiers and tokens: nothing about them can be checked, and nothing
	// fails for that.
	for _, f := range h.Findings {
		if f.Status == FindingFailed {
			t.Errorf("failed on a redacted file: %s: %s", f.Check, f.Summary)
		}
	}
	wantHAR(t, h, "state", FindingOK, "unchanged", "")
}

// Hand-made files, one per shape of failure a customer's HAR shows.
func TestReadHARHandMadeFiles(t *testing.T) {
	tests := []struct {
		file, check string
		status      FindingStatus
		fragment    string
		code        string
	}{
		{"chrome-form-post.har", "oauth", FindingOK, "5 OAuth exchanges among 9 entries", ""},
		{"chrome-form-post.har", "state", FindingOK, "unchanged", ""},
		{"chrome-form-post.har", "redirect_uri", FindingFailed, `"https://app.example.com/callback/"`, "invalid_grant"},
		{"chrome-form-post.har", "code_age", FindingFailed, "redeemed 12m later", "invalid_grant"},
		{"chrome-form-post.har", "error", FindingFailed, "invalid_grant (Code expired)", "invalid_grant"},
		{"chrome-form-post.har", "cookie", FindingFailed, "SameSite=None without Secure", ""},
		{"chrome-form-post.har", "cookie", FindingUnknown, "no SameSite attribute, and the flow uses response_mode=form_post", ""},
		{"chrome-form-post.har", "pkce", FindingFailed, "no code_challenge", ""},
		{"chrome-form-post.har", "iss", FindingUnknown, "no iss", ""},
		{"authorize-post-error.har", "error", FindingFailed, "invalid_scope", "invalid_scope"},
		{"authorize-post-error.har", "state", FindingFailed, "has no state", ""},
		{"authorize-post-error.har", "pkce", FindingFailed, `"plain"`, ""},
		{"userinfo-401.har", "error", FindingFailed, "invalid_token", "invalid_token"},
		{"userinfo-401.har", "code_verifier", FindingFailed, "does not match", "invalid_grant"},
		{"userinfo-401.har", "cookie", FindingFailed, "Secure, set over plain http", ""},
		{"userinfo-401.har", "cookie", FindingFailed, "Domain=other.example", ""},
		{"unrelated.har", "oauth", FindingUnknown, "no OAuth", ""},
	}
	for _, tt := range tests {
		t.Run(tt.file+"/"+tt.check+"/"+tt.fragment, func(t *testing.T) {
			data, err := os.ReadFile(filepath.Join("testdata", "har", tt.file))
			if err != nil {
				t.Fatal(err)
			}
			wantHAR(t, readHAR(t, data), tt.check, tt.status, tt.fragment, tt.code)
		})
	}
}

func TestReadHARRefusesWhatIsNotHAR(t *testing.T) {
	for _, in := range []string{``, `[]`, `{}`, `{"log":{"entries":{}}}`, `<html>`} {
		if _, err := ReadHAR([]byte(in)); err == nil {
			t.Errorf("ReadHAR(%q) succeeded", in)
		}
	}
	if _, err := ReadHAR(make([]byte, MaxHARBytes+1)); err == nil || !strings.Contains(err.Error(), "MaxHARBytes") {
		t.Errorf("over the limit: %v", err)
	}
}

// secretsOf lists, independently of the redactor, the secrets a HAR file holds: the values of
// cookies, credential headers, and secret parameters in URLs, forms, form_post pages and JSON
// bodies.
func secretsOf(t *testing.T, data []byte) []string {
	t.Helper()
	h := readHAR(t, data)
	var out []string
	add := func(s string) {
		if len(s) >= 6 && s != Redacted {
			out = append(out, s)
		}
	}
	for _, x := range h.Exchanges {
		for _, hd := range []string{"Authorization", "Cookie", "Set-Cookie", "Dpop"} {
			for _, v := range append(x.RequestHeader.Values(hd), x.ResponseHeader.Values(hd)...) {
				_, cred, _ := strings.Cut(v, " ")
				add(cred)
				for _, part := range strings.Split(v, ";") {
					if _, val, ok := strings.Cut(part, "="); ok {
						add(val)
					}
				}
			}
		}
		for _, v := range []map[string][]string{responseParams(x.URL), formParams(x), responseParams(x.ResponseHeader.Get("Location")), formPostFields(x.ResponseBody)} {
			for _, k := range []string{"code", "code_verifier", "client_secret", "password", "id_token", "access_token", "refresh_token", "SAMLResponse"} {
				for _, s := range v[k] {
					add(s)
				}
			}
		}
		for k, v := range stringMembers(jsonObject(x.ResponseBody)) {
			if strings.HasSuffix(k, "token") {
				add(v)
			}
		}
	}
	return out
}

func TestRedactHARLeavesNoSecret(t *testing.T) {
	files := map[string][]byte{"recorded login": recordLogin(t)}
	for _, name := range []string{"chrome-form-post.har", "authorize-post-error.har", "userinfo-401.har"} {
		b, err := os.ReadFile(filepath.Join("testdata", "har", name))
		if err != nil {
			t.Fatal(err)
		}
		files[name] = b
	}
	for name, data := range files {
		t.Run(name, func(t *testing.T) {
			if secrets := secretsOf(t, data); len(secrets) < 3 {
				t.Fatalf("the test file has only %d secrets: %q", len(secrets), secrets)
			}
			wantRedacted(t, data)
		})
	}
}

// wantRedacted asserts that the redacted copy of a HAR file holds none of the file's secrets and
// no JWT, and reads as the same flow.
func wantRedacted(t *testing.T, data []byte) {
	t.Helper()
	out, err := RedactHAR(data)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range secretsOf(t, data) {
		if bytes.Contains(out, []byte(s)) {
			t.Errorf("the redacted copy still holds %q", s)
		}
	}
	if jwtRE().Match(out) {
		t.Errorf("the redacted copy holds a JWT: %s", jwtRE().Find(out))
	}
	before, after := readHAR(t, data), readHAR(t, out)
	if stepKinds(before) != stepKinds(after) || len(before.Exchanges) != len(after.Exchanges) {
		t.Errorf("the redacted copy reads differently: %q vs %q", stepKinds(after), stepKinds(before))
	}
}

func FuzzReadHAR(f *testing.F) {
	for _, name := range []string{"chrome-form-post.har", "authorize-post-error.har", "userinfo-401.har", "unrelated.har"} {
		if b, err := os.ReadFile(filepath.Join("testdata", "har", name)); err == nil {
			f.Add(b)
		}
	}
	f.Add([]byte(`{"log":{"entries":[{"request":{"method":"GET","url":"https://a/authorize?client_id=x&response_type=code&state=s"},"response":{"status":302,"redirectURL":"https://b/cb?code=c&state=t"}}]}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		h, err := ReadHAR(data)
		if err != nil {
			return
		}
		for _, s := range h.Steps {
			if s.Entry < 1 || s.Entry > len(h.Exchanges) {
				t.Fatalf("step names entry %d of %d", s.Entry, len(h.Exchanges))
			}
		}
		out, err := RedactHAR(data)
		if err != nil {
			t.Fatalf("RedactHAR failed on a file ReadHAR read: %v", err)
		}
		if _, err := ReadHAR(out); err != nil {
			t.Fatalf("the redacted copy does not read: %v", err)
		}
	})
}

// TestReadHARClassifiesEveryKind: each kind of OAuth exchange is recognised by what it carries,
// without metadata to name the endpoints.
func TestReadHARClassifiesEveryKind(t *testing.T) {
	entry := func(method, u, mime, body string, status int, location string) string {
		return `{"startedDateTime":"2026-11-30T09:00:00.000Z","request":{"method":"` + method + `","url":"` + u + `","headers":[],"postData":{"mimeType":"` + mime + `","text":"` + body + `"}},` +
			`"response":{"status":` + strconv.Itoa(status) + `,"headers":[{"name":"Location","value":"` + location + `"}],"content":{"mimeType":"application/json","text":""}}}`
	}
	form := "application/x-www-form-urlencoded"
	entries := []string{
		entry("POST", "https://idp.example/par", form, "client_id=a&response_type=code&redirect_uri=https://app/cb", 201, ""),
		entry("GET", "https://idp.example/authorize?client_id=a&request_uri=urn:x", "", "", 302, "https://app/cb?code=c123456&state=s"),
		entry("POST", "https://idp.example/oauth/introspect", form, "token=t123456", 200, ""),
		entry("POST", "https://idp.example/oauth/revoke", form, "token=t123456", 200, ""),
		entry("GET", "https://idp.example/logout?id_token_hint=x.y.z&post_logout_redirect_uri=https://app/", "", "", 302, "https://app/"),
		entry("GET", "https://app/static/logo.png", "", "", 200, ""),
	}
	data := `{"log":{"entries":[` + strings.Join(entries, ",") + `]}}`
	h := readHAR(t, []byte(strings.ReplaceAll(data, `"text":""}}`, `"text":"{\"request_uri\":\"urn:x\"}"}}`)))
	if got, want := stepKinds(h), "par authorization authorization_response introspection revocation logout"; got != want {
		t.Errorf("steps %q, want %q", got, want)
	}
	wantHAR(t, h, "pkce", FindingUnknown, "pushed (PAR)", "")
}
