package main

import (
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// hostileTokenEndpoint answers every token request with one of the shapes a provider may give,
// chosen by the request's path, each holding live-looking secrets: what a trace must never show.
func hostileTokenEndpoint(t *testing.T) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		switch r.URL.Path {
		case "/form-cased":
			w.Header().Set("Content-Type", "Application/X-WWW-Form-Urlencoded; Charset=UTF-8")
			io.WriteString(w, "access_token=sekrit-access-form&token_type=bearer&refresh_token=sekrit-refresh-form")
		case "/nested":
			w.Header().Set("Content-Type", "application/json")
			io.WriteString(w, `{"ok":true,"access_token":"sekrit-access-top","token_type":"Bearer","authed_user":{"id":"U1","access_token":"sekrit-access-nested","refresh_token":"sekrit-refresh-nested"},"accounts":[{"idToken":"sekrit-id-camel"}]}`)
		case "/no-access-token":
			w.Header().Set("Content-Type", "application/json")
			io.WriteString(w, `{"refresh_token":"sekrit-refresh-alone","token_type":"Bearer"}`)
		case "/not-json":
			w.Header().Set("Content-Type", "application/json")
			io.WriteString(w, "refresh_token=sekrit-refresh-notjson&access_token=sekrit-access-notjson")
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(srv.Close)
	return srv
}

// TestTraceNeverShowsSecrets runs several grants against every response shape through -v, --curl,
// a HAR file and a Markdown file, with the client secret also in the endpoint URL's userinfo, and
// finds none of the secrets anywhere but the token JSON on stdout.
func TestTraceNeverShowsSecrets(t *testing.T) {
	t.Parallel()
	srv := hostileTokenEndpoint(t)
	withUser := strings.Replace(srv.URL, "http://", "http://client:sekrit-userinfo@", 1)
	grants := [][]string{
		{"--grant", "client_credentials"},
		{"--grant", "refresh_token", "--refresh-token", "sekrit-refresh-sent"},
		{"--grant", "password", "--username", "alice", "--password", "sekrit-password"},
	}
	secrets := []string{"sekrit-client", "sekrit-userinfo", "sekrit-refresh-sent", "sekrit-password",
		"sekrit-access-form", "sekrit-refresh-form", "sekrit-access-top", "sekrit-access-nested",
		"sekrit-refresh-nested", "sekrit-id-camel", "sekrit-refresh-alone", "sekrit-refresh-notjson", "sekrit-access-notjson"}
	dir := t.TempDir()
	for _, shape := range []string{"/form-cased", "/nested", "/no-access-token", "/not-json"} {
		for gi, grant := range grants {
			for _, ext := range []string{".har", ".md"} {
				file := filepath.Join(dir, strings.Trim(shape, "/")+string(rune('a'+gi))+ext)
				args := append([]string{"token", "--token-endpoint", withUser + shape, "--client-id", "web",
					"--client-secret", "sekrit-client", "-v", "--curl", "--save-trace", file}, grant...)
				r := tb(t, args...)
				if r.code != 0 && r.code != 1 {
					t.Fatalf("%v: exit %d\n%s", args, r.code, r.stderr)
				}
				saved, err := os.ReadFile(file)
				if err != nil {
					t.Fatalf("%v: %v\n%s", args, err, r.stderr)
				}
				for _, s := range secrets {
					if strings.Contains(r.stderr, s) {
						t.Errorf("%s %v: stderr (-v, --curl, error message) shows %q:\n%s", shape, grant, s, r.stderr)
					}
					if strings.Contains(string(saved), s) {
						t.Errorf("%s %v: %s file shows %q", shape, grant, ext, s)
					}
				}
			}
		}
	}
}
