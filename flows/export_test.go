package flows_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/tokenbench/tokenbench/flows"
	"github.com/tokenbench/tokenbench/flows/demoidp/demoidptest"
)

// fixedTrace is a trace of recorded exchanges with fixed times: a form POST with secrets, a GET
// with a query and a redirect, and one that failed without an answer.
func fixedTrace() *flows.Trace {
	t0 := time.Date(2026, 3, 14, 9, 26, 53, 589_000_000, time.UTC)
	tr := &flows.Trace{}
	tr.Record(flows.Exchange{
		Step: "token", Started: t0, Duration: 42 * time.Millisecond,
		Method: http.MethodPost, URL: "http://127.0.0.1:1/token",
		RequestHeader: http.Header{
			"Content-Type":  {"application/x-www-form-urlencoded"},
			"Authorization": {"Basic ZmFrZS1jbGllbnQ6ZmFrZS1zZWNyZXQ="},
		},
		RequestBody:    []byte("grant_type=authorization_code&code=FAKE-CODE&redirect_uri=http%3A%2F%2F127.0.0.1%2Fcallback&code_verifier=FAKE-VERIFIER"),
		Status:         200,
		ResponseHeader: http.Header{"Content-Type": {"application/json"}, "Date": {"Sat, 14 Mar 2026 09:26:53 GMT"}},
		ResponseBody:   []byte(`{"access_token":"FAKE-ACCESS","token_type":"Bearer","expires_in":3600,"refresh_token":"FAKE-REFRESH"}`),
	})
	tr.Record(flows.Exchange{
		Step: "authorize", Started: t0.Add(time.Second), Duration: 3 * time.Millisecond,
		Method: http.MethodGet, URL: "http://127.0.0.1:1/authorize?client_id=fake&state=xyz&response_type=code",
		Status:         http.StatusFound,
		ResponseHeader: http.Header{"Location": {"http://127.0.0.1/callback?code=FAKE-CODE-2&state=xyz"}},
	})
	tr.Record(flows.Exchange{
		Step: "userinfo", Started: t0.Add(2 * time.Second), Duration: 5 * time.Millisecond,
		Method: http.MethodGet, URL: "http://127.0.0.1:1/userinfo",
		RequestHeader: http.Header{"Authorization": {"Bearer FAKE-ACCESS"}},
		Err:           "dial tcp 127.0.0.1:1: connect: connection refused",
	})
	return tr
}

// requireKeys fails unless obj has every key.
func requireKeys(t *testing.T, where string, obj map[string]any, keys ...string) {
	t.Helper()
	for _, k := range keys {
		if _, ok := obj[k]; !ok {
			t.Errorf("%s: required member %q is missing", where, k)
		}
	}
}

func asObject(t *testing.T, where string, v any) map[string]any {
	t.Helper()
	m, ok := v.(map[string]any)
	if !ok {
		t.Fatalf("%s is %T, want an object", where, v)
	}
	return m
}

// TestHARRequiredFields reads the HAR back and checks the members HAR 1.2 requires
// (http://www.softwareishard.com/blog/har-12-spec/), generically and then by value.
func TestHARRequiredFields(t *testing.T) {
	data, err := fixedTrace().HAR("tokenbench/1.2.3")
	if err != nil {
		t.Fatal(err)
	}
	var generic map[string]any
	if err := json.Unmarshal(data, &generic); err != nil {
		t.Fatalf("not JSON: %v", err)
	}
	log := asObject(t, "log", generic["log"])
	requireKeys(t, "log", log, "version", "creator", "entries")
	requireKeys(t, "log.creator", asObject(t, "creator", log["creator"]), "name", "version")
	entries, _ := log["entries"].([]any)
	if len(entries) != 3 {
		t.Fatalf("%d entries, want 3", len(entries))
	}
	for _, e := range entries {
		entry := asObject(t, "entry", e)
		requireKeys(t, "entry", entry, "startedDateTime", "time", "request", "response", "cache", "timings")
		req := asObject(t, "request", entry["request"])
		requireKeys(t, "request", req, "method", "url", "httpVersion", "cookies", "headers", "queryString", "headersSize", "bodySize")
		resp := asObject(t, "response", entry["response"])
		requireKeys(t, "response", resp, "status", "statusText", "httpVersion", "cookies", "headers", "content", "redirectURL", "headersSize", "bodySize")
		requireKeys(t, "response.content", asObject(t, "content", resp["content"]), "size", "mimeType")
		requireKeys(t, "timings", asObject(t, "timings", entry["timings"]), "send", "wait", "receive")
		if pd, ok := req["postData"]; ok {
			requireKeys(t, "postData", asObject(t, "postData", pd), "mimeType", "params", "text")
		}
	}

	type nv struct{ Name, Value string }
	var doc struct {
		Log struct {
			Version string
			Creator struct{ Name, Version string }
			Entries []struct {
				StartedDateTime string
				Time            float64
				Comment         string
				Request         struct {
					Method, URL, HTTPVersion string
					Headers, QueryString     []nv
					PostData                 *struct {
						MimeType, Text string
						Params         []nv
					}
					HeadersSize, BodySize int
				}
				Response struct {
					Status                  int
					StatusText, RedirectURL string
					HeadersSize, BodySize   int
					Content                 struct {
						Size           int
						MimeType, Text string
					}
					Headers []nv
				}
				Timings struct{ Send, Wait, Receive float64 }
			}
		}
	}
	if err := json.Unmarshal(data, &doc); err != nil {
		t.Fatal(err)
	}
	if doc.Log.Version != "1.2" || doc.Log.Creator.Name != "tokenbench" || doc.Log.Creator.Version != "1.2.3" {
		t.Errorf("log: version %q, creator %+v", doc.Log.Version, doc.Log.Creator)
	}
	e0, e1, e2 := doc.Log.Entries[0], doc.Log.Entries[1], doc.Log.Entries[2]
	if _, err := time.Parse(time.RFC3339, e0.StartedDateTime); err != nil || e0.StartedDateTime != "2026-03-14T09:26:53.589Z" {
		t.Errorf("startedDateTime %q: %v", e0.StartedDateTime, err)
	}
	if e0.Time != 42 || e0.Timings.Send+e0.Timings.Wait+e0.Timings.Receive != e0.Time {
		t.Errorf("time %v, timings %+v: the timings must add up to the time", e0.Time, e0.Timings)
	}
	if e0.Request.HeadersSize != -1 || e0.Response.HeadersSize != -1 {
		t.Error("headersSize must be -1: the trace does not keep the headers as sent on the wire")
	}
	if e0.Request.Method != "POST" || e0.Request.PostData == nil || e0.Request.PostData.MimeType != "application/x-www-form-urlencoded" {
		t.Fatalf("request: %+v", e0.Request)
	}
	params := map[string]string{}
	for _, p := range e0.Request.PostData.Params {
		params[p.Name] = p.Value
	}
	if params["grant_type"] != "authorization_code" || params["code"] != flows.Redacted || params["redirect_uri"] != "http://127.0.0.1/callback" {
		t.Errorf("postData.params: %v", params)
	}
	if e0.Request.BodySize != len(e0.Request.PostData.Text) {
		t.Errorf("bodySize %d, text of %d bytes", e0.Request.BodySize, len(e0.Request.PostData.Text))
	}
	if e0.Response.Status != 200 || e0.Response.StatusText != "OK" || e0.Response.Content.MimeType != "application/json" ||
		e0.Response.Content.Size != len(e0.Response.Content.Text) || !strings.Contains(e0.Response.Content.Text, `"token_type":"Bearer"`) {
		t.Errorf("response: %+v", e0.Response)
	}
	if len(e1.Request.QueryString) != 3 || e1.Request.QueryString[0].Name != "client_id" || e1.Request.PostData != nil {
		t.Errorf("GET with a query: queryString %v, postData %v", e1.Request.QueryString, e1.Request.PostData)
	}
	if e1.Response.Status != 302 || e1.Response.RedirectURL != "http://127.0.0.1/callback?code=[redacted]&state=xyz" {
		t.Errorf("redirect: status %d, redirectURL %q", e1.Response.Status, e1.Response.RedirectURL)
	}
	if e2.Response.Status != 0 || !strings.Contains(e2.Comment, "connection refused") || e2.Request.URL != "http://127.0.0.1:1/userinfo" {
		t.Errorf("failed exchange: status %d, comment %q", e2.Response.Status, e2.Comment)
	}
	for _, secret := range []string{"FAKE-CODE", "FAKE-VERIFIER", "FAKE-ACCESS", "FAKE-REFRESH", "ZmFrZS1jbGllbnQ6ZmFrZS1zZWNyZXQ="} {
		if bytes.Contains(data, []byte(secret)) {
			t.Errorf("the HAR holds the secret %q", secret)
		}
	}
}

func TestHAREmptyTrace(t *testing.T) {
	var tr flows.Trace
	data, err := tr.HAR("")
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Log struct {
			Creator struct{ Name, Version string }
			Entries []any
		}
	}
	if err := json.Unmarshal(data, &doc); err != nil {
		t.Fatal(err)
	}
	if doc.Log.Entries == nil || len(doc.Log.Entries) != 0 || doc.Log.Creator.Name != "tokenbench" || doc.Log.Creator.Version == "" {
		t.Errorf("empty trace: %s", data)
	}
}

func TestMarkdownReport(t *testing.T) {
	md := string(fixedTrace().Markdown())
	for _, want := range []string{
		"## #1 token — POST http://127.0.0.1:1/token → 200 OK (42ms)",
		"## #2 authorize — GET http://127.0.0.1:1/authorize?client_id=fake&response_type=code&state=xyz → 302 Found (3ms)",
		"## #3 userinfo — GET http://127.0.0.1:1/userinfo → failed (5ms)",
		"Authorization: Basic [redacted]",
		"code=[redacted]",
		"```json\n{\n  \"access_token\": \"[redacted]\",",
		"**No response:** dial tcp 127.0.0.1:1: connect: connection refused",
	} {
		if !strings.Contains(md, want) {
			t.Errorf("the report lacks %q:\n%s", want, md)
		}
	}
	for _, secret := range []string{"FAKE-CODE", "FAKE-VERIFIER", "FAKE-ACCESS", "FAKE-REFRESH", "ZmFrZS1jbGllbnQ6ZmFrZS1zZWNyZXQ="} {
		if strings.Contains(md, secret) {
			t.Errorf("the report holds the secret %q", secret)
		}
	}
	if strings.Count(md, "```")%2 != 0 {
		t.Error("unbalanced fences")
	}
}

// TestMarkdownFenceInBody: a body holding a fence cannot close the block it is shown in.
func TestMarkdownFenceInBody(t *testing.T) {
	tr := &flows.Trace{}
	tr.Record(flows.Exchange{Method: "GET", URL: "http://127.0.0.1:1/x", Status: 200,
		ResponseHeader: http.Header{"Content-Type": {"text/plain"}}, ResponseBody: []byte("a\n```\nb")})
	md := string(tr.Markdown())
	if !strings.Contains(md, "````\na\n```\nb\n````") {
		t.Errorf("the body's fence is not enclosed in a longer one:\n%s", md)
	}
}

// TestExportsOfRealFlowHoldNoSecret runs a whole session against the built-in provider, with a
// client authenticating in the body and one with HTTP Basic, and one exchange that fails: neither
// export may hold a credential, a code or a token.
func TestExportsOfRealFlowHoldNoSecret(t *testing.T) {
	p := demoidptest.Start(t)
	ctx := context.Background()
	var secrets []string // each travels in the clear in the raw trace
	var exchanges []*flows.Exchange
	for _, id := range []string{"demo-post", "demo-basic"} {
		c := demoClient(t, p, id)
		if c.Config.AuthMethod == flows.AuthClientSecretPost {
			secrets = append(secrets, c.Config.ClientSecret)
		} else {
			// HTTP Basic sends the form-encoded id and secret in base64 (RFC 6749 §2.3.1).
			secrets = append(secrets, base64.StdEncoding.EncodeToString([]byte(c.Config.ClientID+":"+c.Config.ClientSecret)))
		}
		req, res, err := authorize(t, c)
		if err != nil {
			t.Fatal(err)
		}
		tok, err := c.ExchangeCode(ctx, req, res.Code)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := c.UserInfo(ctx, tok.AccessToken); err != nil {
			t.Fatal(err)
		}
		refreshed, err := c.Refresh(ctx, tok.RefreshToken)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := c.Introspect(ctx, refreshed.AccessToken, "access_token"); err != nil {
			t.Fatal(err)
		}
		secrets = append(secrets, res.Code, req.CodeVerifier, tok.AccessToken, tok.RefreshToken, tok.IDToken,
			refreshed.AccessToken, refreshed.RefreshToken)
		exchanges = append(exchanges, c.Trace.Exchanges()...)
	}
	// One more request that cannot connect: it is recorded with its error.
	tr := &flows.Trace{}
	for _, x := range exchanges {
		tr.Record(*x)
	}
	hc, err := flows.NewHTTPClient(flows.TransportOptions{Timeout: 2 * time.Second}, tr)
	if err != nil {
		t.Fatal(err)
	}
	failing, _ := http.NewRequestWithContext(ctx, http.MethodGet, "http://127.0.0.1:1/userinfo", nil)
	failing.Header.Set("Authorization", "Bearer "+secrets[3])
	if resp, err := hc.Do(failing); err == nil {
		resp.Body.Close()
		t.Fatal("a request to port 1 succeeded")
	}

	har, err := tr.HAR("tokenbench")
	if err != nil {
		t.Fatal(err)
	}
	md := tr.Markdown()
	raw := tr.Exchanges()
	var rawText strings.Builder
	for _, x := range raw {
		rawText.WriteString(x.String())
	}
	for _, s := range secrets {
		// The raw trace holds every secret, so that their absence from the exports proves something.
		if s == "" || !strings.Contains(rawText.String(), s) {
			t.Fatalf("secret %.8q… never went over HTTP", s)
		}
		if bytes.Contains(har, []byte(s)) {
			t.Errorf("the HAR holds a secret: %.12s…", s)
		}
		if bytes.Contains(md, []byte(s)) {
			t.Errorf("the Markdown report holds a secret: %.12s…", s)
		}
	}
	for _, want := range []string{"client_secret=[redacted]", "Basic [redacted]", "Bearer [redacted]"} {
		if !bytes.Contains(md, []byte(want)) {
			t.Errorf("the report lacks %q", want)
		}
	}
	last := raw[len(raw)-1]
	if last.Err == "" || last.Status != 0 {
		t.Fatalf("the last exchange should have failed: %+v", last)
	}
	if !bytes.Contains(md, []byte("→ failed")) || !bytes.Contains(md, []byte("connection refused")) {
		t.Error("the report does not show the failed exchange")
	}
	var doc struct {
		Log struct {
			Entries []struct {
				Comment  string
				Response struct{ Status int }
			}
		}
	}
	if err := json.Unmarshal(har, &doc); err != nil {
		t.Fatal(err)
	}
	if len(doc.Log.Entries) != len(raw) {
		t.Fatalf("%d HAR entries for %d exchanges", len(doc.Log.Entries), len(raw))
	}
	lastEntry := doc.Log.Entries[len(doc.Log.Entries)-1]
	if lastEntry.Response.Status != 0 || !strings.Contains(lastEntry.Comment, "connection refused") {
		t.Errorf("the failed exchange in the HAR: %+v", lastEntry)
	}
}
