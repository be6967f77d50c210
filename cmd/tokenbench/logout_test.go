package main

import (
	"strings"
	"testing"

	"github.com/tokenbench/tokenbench/flows/demoidp/demoidptest"
)

// loginTokens signs in as demo-basic through the fake browser and returns the token response.
func loginTokens(t *testing.T, issuer, secret string) map[string]any {
	t.Helper()
	r := tb(t, "token", "--issuer", issuer, "--client-id", "demo-basic", "--client-secret", secret, "--scope", "openid offline_access")
	wantExit(t, r, 0, "")
	return tokenResponse(t, r)
}

// logout opens the logout URL in the browser; the built-in provider sends it back to the loopback
// listener with the state, which is checked. The refresh token is revoked first when asked.
func TestLogoutRoundTrip(t *testing.T) {
	t.Parallel()
	p := demoidptest.Start(t)
	secret := demoidptest.Secret(t, p, "demo-basic")
	m := loginTokens(t, p.Issuer(), secret)
	idToken, refresh := m["id_token"].(string), m["refresh_token"].(string)
	r := tb(t, "logout", "--issuer", p.Issuer(), "--client-id", "demo-basic", "--client-secret", secret,
		"--id-token", idToken, "--revoke-refresh-token", refresh, "--post-logout-redirect-uri", "http://127.0.0.1:0/bye")
	wantExit(t, r, 0, "refresh token revoked")
	wantOut(t, "stderr", r.stderr, "Open this URL to sign out:", "id_token_hint=", "post_logout_redirect_uri=http%3A%2F%2F127.0.0.1%3A",
		"&state=", "✓ pass", "signed out: the provider sent the browser back with the state sent")
	// The revoked refresh token no longer works.
	r = tb(t, "token", "--issuer", p.Issuer(), "--client-id", "demo-basic", "--client-secret", secret, "--grant", "refresh_token", "--refresh-token", refresh)
	wantExit(t, r, 1, "invalid_grant")
}

// Without a post-logout redirect nothing is waited for; a bad id_token_hint shows on the provider's
// page, not in tokenbench, so the URL is all there is to check.
func TestLogoutWithoutRedirect(t *testing.T) {
	t.Parallel()
	p := demoidptest.Start(t)
	r := runCLI(t, invocation{args: []string{"logout", "--issuer", p.Issuer(), "--client-id", "demo-basic", "--no-post-logout-redirect", "--no-browser"}})
	wantExit(t, r, 0, "No post-logout redirect URI is sent")
	if strings.Contains(r.stderr, "state=") || strings.Contains(r.stderr, "post_logout_redirect_uri") {
		t.Errorf("a URL without a redirect carries a state or redirect:\n%s", r.stderr)
	}
	r = runCLI(t, invocation{args: []string{"logout", "--issuer", p.Issuer(), "--client-id", "demo-basic", "--no-post-logout-redirect", "--post-logout-redirect-uri", "http://127.0.0.1:0/"}})
	wantExit(t, r, 2, "contradicts")
}
