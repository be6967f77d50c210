package main

import (
	"encoding/json"
	"net/http/httptest"
	"testing"
)

// TestTokenAnswersProvidersActuallySend: odd but real token endpoint answers are printed as JSON on
// stdout, and the failures are explained in tokenbench's words.
func TestTokenAnswersProvidersActuallySend(t *testing.T) {
	t.Parallel()
	form := map[string]string{"Content-Type": "application/x-www-form-urlencoded"}
	jsonType := map[string]string{"Content-Type": "application/json"}
	cases := []struct {
		name   string
		answer fixedAnswer
		code   int
		stdout map[string]any // the JSON expected on stdout, when the grant succeeds
		stderr []string
	}{
		{"form-encoded (GitHub style)", fixedAnswer{200, form, "access_token=gho_x&token_type=bearer&scope=repo"}, 0,
			map[string]any{"access_token": "gho_x", "token_type": "bearer", "scope": "repo"}, []string{"note: the answer is form-encoded"}},
		{"byte-order mark", fixedAnswer{200, jsonType, "\ufeff" + `{"access_token":"at","token_type":"Bearer"}`}, 0,
			map[string]any{"access_token": "at", "token_type": "Bearer"}, []string{"note: the answer starts with a UTF-8 byte-order mark"}},
		{"302 to https", fixedAnswer{302, map[string]string{"Location": "https://HOST/token"}, ""}, 1, nil,
			[]string{"error: endpoint_redirected:", "HTTP 302 Found to https://", "moves plain HTTP to HTTPS", "The endpoint answered with a redirect"}},
		{"302 to a login page", fixedAnswer{302, map[string]string{"Location": "/login?next=%2Ftoken"}, ""}, 1, nil,
			[]string{"error: endpoint_redirected:", "to /login?next=%2Ftoken", "a sign-in page"}},
		{"Spring's unauthorized", fixedAnswer{401, map[string]string{"Content-Type": "application/json", "WWW-Authenticate": `Basic realm="oauth2/client"`}, `{"error":"unauthorized","error_description":"Full authentication is required"}`}, 1, nil,
			[]string{"error: unauthorized: Full authentication is required", `WWW-Authenticate: Basic realm="oauth2/client"`, "HTTP 401 Unauthorized: the server did not accept the credentials"}},
		{"500 without a body", fixedAnswer{500, nil, ""}, 1, nil,
			[]string{"error: unexpected_status:", "HTTP 500 Internal Server Error and an empty body"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			srv := httptest.NewServer(tc.answer)
			defer srv.Close()
			if loc := tc.answer.header["Location"]; loc == "https://HOST/token" {
				tc.answer.header["Location"] = "https://" + srv.Listener.Addr().String() + "/token"
			}
			r := runCLI(t, invocation{args: []string{"token", "--grant", "client_credentials", "--token-endpoint", srv.URL + "/token",
				"--client-id", "svc", "--client-secret", "s3cret"}})
			wantExit(t, r, tc.code, tc.stderr...)
			if tc.stdout == nil {
				return
			}
			var got map[string]any
			if err := json.Unmarshal([]byte(r.stdout), &got); err != nil {
				t.Fatalf("stdout is not JSON: %v\n%q", err, r.stdout)
			}
			for k, v := range tc.stdout {
				if got[k] != v {
					t.Errorf("stdout %s = %v, want %v", k, got[k], v)
				}
			}
		})
	}
}
