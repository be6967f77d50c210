package main

import (
	"strings"
	"testing"

	"github.com/tokenbench/tokenbench/flows/demoidp/demoidptest"
)

func TestTokenResponseModes(t *testing.T) {
	t.Parallel()
	p := demoidptest.Start(t)
	base := []string{"token", "--issuer", p.Issuer(), "--client-id", "demo-basic", "--client-secret", demoidptest.Secret(t, p, "demo-basic")}
	cases := []struct {
		name string
		args []string
		want []string
	}{
		{"form_post", []string{"--response-mode", "form_post"}, []string{"authorization response checks:", "id_token checks:"}},
		{"fragment", []string{"--response-mode", "fragment"}, []string{"authorization response checks:"}},
		{"hybrid code id_token", []string{"--response-type", "code id_token"},
			[]string{"front-channel id_token checks (response_type code id_token):", "c_hash", "is the left half of the SHA-256 hash of the authorization code"}},
		{"hybrid in form_post.jwt", []string{"--response-type", "id_token code", "--response-mode", "form_post.jwt"},
			[]string{"JARM response checks:", "front-channel id_token checks (response_type code id_token):"}},
		{"JARM query.jwt", []string{"--response-mode", "query.jwt"}, []string{"JARM response checks:", "valid RS256 signature by ", "contains the client_id \"demo-basic\""}},
		{"JARM jwt", []string{"--response-mode", "jwt"}, []string{"JARM response checks:"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r := tb(t, append(base, tc.args...)...)
			wantExit(t, r, 0, tc.want...)
			tokenResponse(t, r)
			wantAllPassed(t, r)
			if !strings.Contains(r.stdout, "refresh_token") {
				t.Errorf("the code was not exchanged: %s", r.stdout)
			}
		})
	}
}

func TestTokenImplicit(t *testing.T) {
	t.Parallel()
	p := demoidptest.Start(t)
	r := tb(t, "token", "--issuer", p.Issuer(), "--client-id", "demo-public", "--auth-method", "none", "--response-type", "id_token token", "-v")
	wantExit(t, r, 0, "front-channel id_token checks (response_type id_token token):", "at_hash", "is the left half of the SHA-256 hash of the access token")
	m := tokenResponse(t, r)
	if m["id_token"] == nil || m["token_type"] != "Bearer" || m["expires_in"] == nil || m["refresh_token"] != nil {
		t.Errorf("front-channel tokens: %s", r.stdout)
	}
	wantAllPassed(t, r, "front-channel id_token checks (response_type id_token token)")
	if strings.Contains(r.stderr, "POST "+p.Issuer()+"/token") {
		t.Errorf("an implicit response went to the token endpoint:\n%s", r.stderr)
	}
}

func TestTokenResponseModeFailures(t *testing.T) {
	t.Parallel()
	p := demoidptest.Start(t, "jarm-bad-signature")
	base := []string{"token", "--issuer", p.Issuer(), "--client-id", "demo-basic", "--client-secret", demoidptest.Secret(t, p, "demo-basic")}
	r := tb(t, append(base, "--response-mode", "form_post.jwt")...)
	wantExit(t, r, 1, "JARM response checks:", "✗ fail", "the JWT-secured authorization response (JARM) fails its signature check")
	if r.stdout != "" {
		t.Errorf("tokens printed after a forged JARM response: %s", r.stdout)
	}
	r = tb(t, append(base, "--response-type", "token")...)
	wantExit(t, r, 2, `unknown --response-type "token"`)
	r = tb(t, append(base, "--response-mode", "web_message")...)
	wantExit(t, r, 2, `unknown --response-mode "web_message"`)
	r = tb(t, append(base, "--grant", "client_credentials", "--response-mode", "jwt")...)
	wantExit(t, r, 2, "apply to --grant authorization_code only")
}
