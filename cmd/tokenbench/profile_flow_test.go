package main

import (
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/tokenbench/tokenbench/flows/demoidp/demoidptest"
)

// TestTokenWithProfileEachAuthMethod saves a profile per client authentication method, its secret
// kept by env:, file:, cmd: or the keyring (go-keyring's mock), and runs client_credentials
// against the built-in provider with --profile alone.
func TestTokenWithProfileEachAuthMethod(t *testing.T) {
	useMockKeyring()
	t.Parallel()
	p := demoidptest.Start(t)
	pe := newProfileEnv(t)
	pe.env["DEMO_BASIC_SECRET"] = demoidptest.Secret(t, p, "demo-basic")
	cases := []struct {
		name  string
		stdin string // piped into profile add: the secret for keyring:
		args  []string
	}{
		{"basic-env", "", []string{"--client-id", "demo-basic", "--client-secret-ref", "env:DEMO_BASIC_SECRET"}},
		{"post-file", "", []string{"--client-id", "demo-post", "--auth-method", "client_secret_post", "--client-secret-ref", "file:" + secretFile(t, demoidptest.Secret(t, p, "demo-post"))}},
		{"jwt-keyring", demoidptest.Secret(t, p, "demo-jwt") + "\n", []string{"--client-id", "demo-jwt", "--auth-method", "client_secret_jwt", "--client-secret-ref", "keyring:"}},
		{"basic-cmd", "", []string{"--client-id", "demo-basic", "--auth-method", "client_secret_basic", "--client-secret-ref", "cmd:echo " + demoidptest.Secret(t, p, "demo-basic")}},
		{"special-plain", "", []string{"--client-id", "demo:special+id", "--plain-secret", demoidptest.Secret(t, p, "demo:special+id")}},
		{"pkjwt-rsa", "", []string{"--client-id", "demo-private-key-jwt", "--auth-method", "private_key_jwt", "--signing-key", demoidptest.KeyPath(t, demoidptest.ClientKeyRSA), "--signing-alg", "PS256"}},
		{"pkjwt-ec", "", []string{"--client-id", "demo-private-key-jwt", "--signing-key", demoidptest.KeyPath(t, demoidptest.ClientKeyEC)}},
	}
	for _, tc := range cases {
		args := append([]string{"profile", "add", tc.name, "--issuer", p.Issuer(), "--grant", "client_credentials"}, tc.args...)
		r := pe.runStdin(tc.stdin, false, args...)
		if r.code != 0 {
			t.Fatalf("profile add %s: exit %d\n%s", tc.name, r.code, r.stderr)
		}
	}
	wantNot(t, "the profile file", pe.file(), demoidptest.Secret(t, p, "demo-jwt"), demoidptest.Secret(t, p, "demo-post"))
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := pe.run("token", "--profile", tc.name) // the profile's grant: client_credentials
			wantExit(t, r, 0)
			tokenResponse(t, r)
			if tc.name == "special-plain" {
				wantOut(t, "stderr", r.stderr, "keeps its client secret in clear")
			}
		})
	}
}

// TestProfileScopesAreForItsGrant: a profile's scopes (and its preset's) are asked for on the grant it
// was saved for; another grant without a user sends no scope unless --scope asks (a provider refuses
// openid on client credentials, or a refresh wider than the grant).
func TestProfileScopesAreForItsGrant(t *testing.T) {
	t.Parallel()
	p := demoidptest.Start(t)
	pe := newProfileEnv(t)
	pe.env["BASIC"] = demoidptest.Secret(t, p, "demo-basic")
	pe.mustRun("profile", "add", "login", "--issuer", p.Issuer(), "--client-id", "demo-basic", "--client-secret-ref", "env:BASIC", "--scope", "bogus-scope")
	r := pe.run("token", "--profile", "login", "--grant", "client_credentials")
	wantExit(t, r, 0)
	if m := tokenResponse(t, r); m["scope"] != nil {
		t.Errorf("scope %v: the login profile's scopes were sent on client_credentials", m["scope"])
	}
	r = pe.run("token", "--profile", "login", "--grant", "client_credentials", "--scope", "bogus-scope")
	wantExit(t, r, 1, "invalid_scope", "bogus-scope")
}

// TestTokenWithProfileFlagsOverride: flags given beside --profile win for that run.
func TestTokenWithProfileFlagsOverride(t *testing.T) {
	t.Parallel()
	p := demoidptest.Start(t)
	pe := newProfileEnv(t)
	pe.env["BASIC"] = demoidptest.Secret(t, p, "demo-basic")
	pe.mustRun("profile", "add", "acme", "--issuer", p.Issuer(), "--client-id", "nobody", "--client-secret-ref", "env:BASIC", "--scope", "bogus-scope", "--grant", "client_credentials")

	r := pe.run("token", "--profile", "acme", "--grant", "client_credentials", "--scope", "profile")
	wantExit(t, r, 1, "invalid_client") // the profile's client id is wrong …
	r = pe.run("token", "--profile", "acme", "--grant", "client_credentials", "--client-id", "demo-basic")
	wantExit(t, r, 1, "invalid_scope", "bogus-scope") // … and so is its scope
	r = pe.run("token", "--profile", "acme", "--grant", "client_credentials", "--client-id", "demo-basic", "--scope", "profile")
	wantExit(t, r, 0)
	if m := tokenResponse(t, r); m["scope"] != "profile" {
		t.Errorf("scope %v, want the flag's", m["scope"])
	}
	// A secret given on the command line beats the profile's reference, which is not even read.
	pe.mustRun("profile", "edit", "acme", "--client-id", "demo-basic", "--client-secret-ref", "env:UNSET_VARIABLE", "--unset", "scopes")
	r = pe.run("token", "--profile", "acme", "--grant", "client_credentials")
	wantExit(t, r, 1, "UNSET_VARIABLE is not set")
	r = pe.run("token", "--profile", "acme", "--grant", "client_credentials", "--client-secret-file", secretFile(t, demoidptest.Secret(t, p, "demo-basic")))
	wantExit(t, r, 0)
	// A profile flag that is wrong names the field and the flag.
	r = pe.run("token", "--profile", "acme", "--grant", "client_credentials", "--auth-method", "client_secret_basik")
	wantExit(t, r, 2, `profile "acme": auth_method: unknown method "client_secret_basik"`, "(--auth-method)")
}

// TestTokenWithPublicProfile: a public client (auth method none) through the password grant and the
// authorization code grant with the fake browser, each the profile's default grant.
func TestTokenWithPublicProfile(t *testing.T) {
	t.Parallel()
	p := demoidptest.Start(t)
	pe := newProfileEnv(t)
	pe.mustRun("profile", "add", "pub", "--issuer", p.Issuer(), "--client-id", "demo-public", "--auth-method", "none", "--grant", "password", "--scope", "openid profile offline_access")
	pe.mustRun("profile", "add", "browser", "--issuer", p.Issuer(), "--client-id", "demo-public", "--auth-method", "none", "--redirect-uri", "http://127.0.0.1:0/callback", "--pkce", "s256")

	r := pe.runWith(invocation{args: []string{"token", "--profile", "pub", "--username", "demo"}, env: map[string]string{envPassword: "demo"}}, false)
	wantExit(t, r, 0)
	if m := tokenResponse(t, r); m["id_token"] == nil || m["refresh_token"] == nil {
		t.Errorf("want an id_token and a refresh token: %s", r.stdout)
	}
	wantAllPassed(t, r, "id_token checks")

	r = pe.run("token", "--profile", "browser")
	wantExit(t, r, 0, "Open this URL to sign in:", "code_challenge_method=S256")
	tokenResponse(t, r)
	wantAllPassed(t, r, "authorization response checks", "id_token checks")
}

// TestResourceCommandsWithProfile: introspect authenticates with the profile's secret; userinfo
// never resolves it; jwt takes the issuer and client_id from the profile.
func TestResourceCommandsWithProfile(t *testing.T) {
	t.Parallel()
	p := demoidptest.Start(t)
	pe := newProfileEnv(t)
	pe.env["BASIC"] = demoidptest.Secret(t, p, "demo-basic")
	pe.mustRun("profile", "add", "acme", "--issuer", p.Issuer(), "--client-id", "demo-basic", "--client-secret-ref", "env:BASIC", "--grant", "password")
	r := pe.run("token", "--profile", "acme", "--username", "demo", "--password", "demo")
	wantExit(t, r, 0)
	m := tokenResponse(t, r)
	at, idt := m["access_token"].(string), m["id_token"].(string)

	r = pe.run("introspect", "--profile", "acme", at)
	wantExit(t, r, 0)
	wantOut(t, "introspection", r.stdout, `"active":true`)

	// userinfo does not authenticate the client: a secret that cannot be had does not matter.
	pe.mustRun("profile", "copy", "acme", "nosecret")
	pe.mustRun("profile", "edit", "nosecret", "--client-secret-ref", "cmd:exit 3")
	r = pe.run("userinfo", "--profile", "nosecret", at)
	wantExit(t, r, 0)
	wantOut(t, "userinfo", r.stdout, `"sub"`)
	r = pe.run("introspect", "--profile", "nosecret", at)
	wantExit(t, r, 1, "cmd:exit 3", "exit status 3")

	r = pe.run("jwt", "--profile", "acme", idt)
	wantExit(t, r, 0)
	wantOut(t, "jwt checks", r.stdout, "signature", "iss", "aud")
	if strings.Contains(r.stdout, "✗") {
		t.Errorf("a check failed:\n%s", r.stdout)
	}
	r = pe.run("jwt", "--profile", "acme", "--client-id", "someone-else", idt)
	wantExit(t, r, 1) // the flag overrides the profile's client_id: aud no longer matches

	r = pe.run("revoke", "--profile", "acme", at)
	wantExit(t, r, 0, "revoked")
}

// TestTokenWithProfileRequestSettings: a profile's PAR, DPoP key (generated there on first use),
// response_type, resources and authorization_details hold for `token --profile NAME` against the
// built-in provider, and the flags given beside it override them.
func TestTokenWithProfileRequestSettings(t *testing.T) {
	t.Parallel()
	p := demoidptest.Start(t)
	pe := newProfileEnv(t)
	pe.env["BASIC"] = demoidptest.Secret(t, p, "demo-basic")
	keyFile := filepath.Join(t.TempDir(), "dpop.jwk")
	pe.mustRun("profile", "add", "fapi", "--issuer", p.Issuer(), "--client-id", "demo-basic", "--client-secret-ref", "env:BASIC",
		"--par", "--dpop", "--dpop-key", keyFile, "--resource", "https://api.example.com/")
	pe.mustRun("profile", "add", "hybrid", "--issuer", p.Issuer(), "--client-id", "demo-basic", "--client-secret-ref", "env:BASIC",
		"--response-type", "id_token code", "--response-mode", "form_post")

	r := pe.run("profile", "show", "fapi")
	wantExit(t, r, 0)
	wantOut(t, "profile show", r.stdout, "par: true", "dpop: true", "dpop_key: "+keyFile, "- https://api.example.com/", "pushed (PAR)", "on, key "+keyFile)

	r = pe.run("token", "--profile", "fapi", "-v")
	wantExit(t, r, 0, "request_uri: urn:ietf:params:oauth:request_uri:", "DPoP key: generated an ES256 key", keyFile, "DPoP binding checks:", "resource=https%3A%2F%2Fapi.example.com%2F")
	wantAllPassed(t, r, "DPoP binding checks", "id_token checks")
	if tokenResponse(t, r)["token_type"] != "DPoP" {
		t.Errorf("not a DPoP token:\n%s", r.stdout)
	}
	// The key written on the first run is used on the next.
	r = pe.run("token", "--profile", "fapi")
	wantExit(t, r, 0, "DPoP binding checks:")
	wantNot(t, "the second run", r.stderr, "generated")

	// Flags beside --profile win: no PAR, no DPoP.
	r = pe.run("token", "--profile", "fapi", "--par=false", "--dpop=false")
	wantExit(t, r, 0)
	wantNot(t, "stderr", r.stderr, "request_uri:", "DPoP binding checks:")
	if tokenResponse(t, r)["token_type"] != "Bearer" {
		t.Errorf("--dpop=false still bound the token:\n%s", r.stdout)
	}

	r = pe.run("token", "--profile", "hybrid")
	wantExit(t, r, 0, "front-channel id_token checks (response_type code id_token):", "c_hash")
	wantAllPassed(t, r, "authorization response checks", "id_token checks")
	r = pe.run("token", "--profile", "hybrid", "--response-type", "code")
	wantExit(t, r, 0)
	wantNot(t, "stderr", r.stderr, "front-channel id_token checks")
}

// TestProfileAddRequestSettingsRefused: the new fields are checked by profile add, naming the
// flag, and cleared by --unset.
func TestProfileAddRequestSettingsRefused(t *testing.T) {
	t.Parallel()
	pe := newProfileEnv(t)
	base := []string{"profile", "add", "x", "--issuer", "https://idp.example.com", "--client-id", "app", "--auth-method", "none"}
	for _, tc := range []struct {
		args []string
		want []string
	}{
		{[]string{"--response-type", "token id"}, []string{"response_type: unknown response_type", "(--response-type)"}},
		{[]string{"--response-mode", "post"}, []string{"response_mode: unknown response_mode \"post\"", "(--response-mode)"}},
		{[]string{"--resource", "api"}, []string{"resources:", "not an absolute URI", "(--resource)"}},
		{[]string{"--auth-method", "tls_client_auth"}, []string{"tls.client_cert:", "tls_client_auth authenticates the client with its TLS certificate", "(--client-cert)"}},
		{[]string{"--grant", "device_code", "--authorization-details", "d.json"}, []string{"authorization_details:", "(--authorization-details)"}},
	} {
		wantExit(t, pe.run(append(slices.Clone(base), tc.args...)...), 2, tc.want...)
	}
	pe.mustRun(append(slices.Clone(base), "--par", "--request-object", "--dpop", "--response-mode", "query.jwt", "--resource", "urn:a", "--resource", "urn:b", "--grant", "token_exchange")...)
	wantOut(t, "the file", pe.file(), "par: true", "request_object: true", "response_mode: query.jwt", "- urn:a", "- urn:b", "grant: token_exchange")
	pe.mustRun("profile", "edit", "x", "--unset", "par", "--unset", "resources", "--request-object=false", "--unset", "dpop", "--unset", "response_mode")
	wantNot(t, "the file", pe.file(), "par:", "request_object:", "dpop:", "response_mode:", "urn:a")
}
