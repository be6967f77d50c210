package main

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"

	"github.com/tokenbench/tokenbench/flows"
)

// TestProviderJSONOnStdoutIsEscapedNotObeyed: the JSON a provider sends (token response, discovery
// document, userinfo, introspection, registration, an API's answer) reaches stdout with the
// characters a terminal would act on written as JSON escapes, and decodes to the same value; an
// API answer that is JSON but for a raw ESC in a string is escaped into valid JSON.
func TestProviderJSONOnStdoutIsEscapedNotObeyed(t *testing.T) {
	t.Parallel()
	odd := rtlOverride + c1CSI + "\u2066"
	var srv *httptest.Server
	bodies := map[string]string{}
	srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		body, ok := bodies[r.URL.Path]
		if !ok {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		if r.URL.Path == "/register" {
			w.WriteHeader(http.StatusCreated)
		}
		io.WriteString(w, body)
	}))
	t.Cleanup(srv.Close)
	bodies["/.well-known/openid-configuration"] = `{"issuer":"` + srv.URL + `","token_endpoint":"` + srv.URL + `/token","userinfo_endpoint":"` + srv.URL +
		`/userinfo","introspection_endpoint":"` + srv.URL + `/introspect","registration_endpoint":"` + srv.URL + `/register","op_policy_uri":"https://idp.example/` + odd + `"}`
	bodies["/token"] = `{"access_token":"at-1","token_type":"Bearer","expires_in":300,"scope":"read` + odd + `"}`
	bodies["/userinfo"] = `{"sub":"alice` + odd + `","name":"Grüße ✓"}`
	bodies["/introspect"] = `{"active":true,"sub":"alice` + odd + `"}`
	bodies["/register"] = `{"client_id":"c-1` + odd + `","client_name":"bench"}`
	bodies["/api"] = "{\"msg\":\"hi" + oscClipboard + clearScreen + odd + "\"}"

	creds := []string{"--issuer", srv.URL, "--client-id", "web", "--client-secret", "s", "--allow-http-endpoints"}
	cases := []struct {
		name string
		args []string
		body string
	}{
		{"token", append([]string{"token", "--grant", "client_credentials"}, creds...), bodies["/token"]},
		{"discover", []string{"discover", "--issuer", srv.URL, "--allow-http-endpoints"}, bodies["/.well-known/openid-configuration"]},
		{"userinfo", append([]string{"userinfo", "at-1"}, creds...), bodies["/userinfo"]},
		{"introspect", append([]string{"introspect", "at-1"}, creds...), bodies["/introspect"]},
		{"register", []string{"register", "--issuer", srv.URL, "--allow-http-endpoints", "--client-name", "bench"}, bodies["/register"]},
		{"call", []string{"call", srv.URL + "/api", "--access-token", "at-1", "--allow-http-endpoints"}, "{\"msg\":\"hi\\u001b]52;c;cm0gLXJmIH4=\\u0007\\u001b[2J" + odd + "\"}"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := tb(t, c.args...)
			wantExit(t, r, 0)
			wantNoRaw(t, c.name+" stdout", r.stdout)
			if strings.Contains(r.stdout, "\u2066") {
				t.Errorf("stdout holds a raw isolate: %q", r.stdout)
			}
			if !strings.Contains(r.stdout, `\u202e\u009b31m\u2066`) {
				t.Errorf("stdout does not show the escapes: %s", r.stdout)
			}
			if got, want := decodeValue(t, r.stdout), decodeValue(t, c.body); !reflect.DeepEqual(got, want) {
				t.Errorf("stdout decodes to %#v, want %#v", got, want)
			}
		})
	}
}

// decodeValue is the JSON value of s, numbers as written.
func decodeValue(t *testing.T, s string) any {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader([]byte(s)))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		t.Fatalf("%q is not JSON: %v", s, err)
	}
	return v
}

// TestNonJSONBodyOnATerminal: an answer in another format is written as received into a pipe or
// file, and shown with visible escapes on a terminal.
func TestNonJSONBodyOnATerminal(t *testing.T) {
	for _, terminal := range []bool{false, true} {
		var out bytes.Buffer
		e := &env{stdout: &out, stdoutIsTerminal: terminal}
		e.writeBody([]byte("<p>" + clearScreen + "</p>"))
		want := "<p>" + clearScreen + "</p>\n"
		if terminal {
			want = `<p>\x1b[2J</p>` + "\n"
		}
		if out.String() != want {
			t.Errorf("terminal %v: wrote %q, want %q", terminal, out.String(), want)
		}
	}
}

// TestJWTJSONIsEscapedNotObeyed: jwt --json shows a pasted token's claims with JSON escapes, and
// keeps their value.
func TestJWTJSONIsEscapedNotObeyed(t *testing.T) {
	t.Parallel()
	enc := func(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }
	token := enc(`{"alg":"none"}`) + "." + enc(`{"sub":"alice`+rtlOverride+c1CSI+`"}`) + "."
	r := tb(t, "jwt", "--json", token)
	wantNoRaw(t, "jwt --json", r.stdout)
	var out struct{ Claims map[string]any }
	if err := json.Unmarshal([]byte(r.stdout), &out); err != nil || out.Claims["sub"] != "alice"+rtlOverride+c1CSI {
		t.Errorf("jwt --json: %v %q", err, r.stdout)
	}
}

// TestPrintedMemberOnATerminal: token --print writes a string member bare into a pipe, for a
// script, and with visible escapes on a terminal; any other member as JSON, escaped.
func TestPrintedMemberOnATerminal(t *testing.T) {
	tok := &flows.Token{Members: map[string]any{"scope": "read" + rtlOverride, "authorization_details": []any{map[string]any{"type": "x" + c1CSI}}}}
	cases := []struct {
		member   string
		terminal bool
		want     string
	}{
		{"scope", false, "read" + rtlOverride + "\n"},
		{"scope", true, `read\u202e` + "\n"},
		{"authorization_details", false, `[{"type":"x\u009b31m"}]` + "\n"},
	}
	for _, c := range cases {
		var out bytes.Buffer
		if err := (&cacheFlags{print: c.member}).writeToken(&env{stdout: &out, stdoutIsTerminal: c.terminal}, tok); err != nil {
			t.Fatal(err)
		}
		if out.String() != c.want {
			t.Errorf("--print %s, terminal %v: wrote %q, want %q", c.member, c.terminal, out.String(), c.want)
		}
	}
}
