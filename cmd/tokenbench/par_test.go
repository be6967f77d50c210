package main

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/tokenbench/tokenbench/flows/demoidp/demoidptest"
)

func TestTokenPARAndRequestObject(t *testing.T) {
	t.Parallel()
	p := demoidptest.Start(t)
	rsaKey := filepath.Join("..", "..", "assets", "demo", "private-key-jwt-rsa.pem")
	ecKey := filepath.Join("..", "..", "assets", "demo", "private-key-jwt-ec.pem")
	cases := []struct {
		name string
		args []string
		want []string
	}{
		{"--par client_secret_basic", []string{"--client-id", "demo-basic", "--client-secret", demoidptest.Secret(t, p, "demo-basic"), "--par"},
			[]string{"request_uri: urn:ietf:params:oauth:request_uri:", "(expires in 60 s)", "── #2 par ──", "> POST " + p.Issuer() + "/par", "< 201 Created"}},
		{"--par client_secret_post", []string{"--client-id", "demo-post", "--auth-method", "client_secret_post", "--client-secret", demoidptest.Secret(t, p, "demo-post"), "--par"},
			[]string{"request_uri: urn:ietf:params:oauth:request_uri:", "client_secret=[redacted]"}},
		{"--request-object RS256 by value", []string{"--client-id", "demo-private-key-jwt", "--signing-key", rsaKey, "--signing-key-id", "demo-rsa-1", "--signing-alg", "RS256", "--request-object"},
			[]string{"request object (RFC 9101): signed, alg RS256, kid demo-rsa-1, ", "typ oauth-authz-req+jwt, by value (request=)"}},
		{"--request-object ES256 through --par", []string{"--client-id", "demo-private-key-jwt", "--signing-key", ecKey, "--request-object", "--par"},
			[]string{"alg ES256", ", pushed", "request_uri: urn:ietf:params:oauth:request_uri:", "request=[redacted]"}},
		{"--request-object-by reference", []string{"--client-id", "demo-private-key-jwt", "--signing-key", rsaKey, "--request-object-by", "reference"},
			[]string{"by reference, served once at http://127.0.0.1:", "request_uri ──", "> GET http://127.0.0.1:", "< 200 OK"}},
		{"--request-object HS256 through --par", []string{"--client-id", "demo-jwt", "--auth-method", "client_secret_jwt", "--client-secret", demoidptest.Secret(t, p, "demo-jwt"), "--request-object", "--par"},
			[]string{"alg HS256", ", pushed", "request_uri: "}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r := tb(t, append([]string{"token", "--issuer", p.Issuer(), "-v"}, tc.args...)...)
			wantExit(t, r, 0, tc.want...)
			tokenResponse(t, r)
			wantAllPassed(t, r, "authorization response checks", "id_token checks")
			u := authURLFrom(t, r.stderr)
			if strings.Contains(tc.name, "par") && (strings.Contains(u, "redirect_uri=") || !strings.Contains(u, "request_uri=")) {
				t.Errorf("a pushed request's URL carries more than client_id and request_uri: %s", u)
			}
			if strings.Contains(tc.name, "by value") && (!strings.Contains(u, "request=ey") || strings.Contains(u, "redirect_uri=")) {
				t.Errorf("a request object by value: %s", u)
			}
			if strings.Contains(tc.name, "by reference") && (!strings.Contains(u, "request_uri=http") || strings.Contains(u, "request=") || strings.Contains(u, "redirect_uri=")) {
				t.Errorf("a request object by reference: %s", u)
			}
		})
	}
}

// authURLFrom is the authorization URL a finished command printed.
func authURLFrom(t *testing.T, stderr string) string {
	t.Helper()
	_, after, ok := strings.Cut(stderr, "Open this URL to sign in:\n\n  ")
	if !ok {
		t.Fatalf("no authorization URL in:\n%s", stderr)
	}
	u, _, _ := strings.Cut(after, "\n")
	return u
}

func TestTokenPARRequiredByProvider(t *testing.T) {
	t.Parallel()
	p := demoidptest.Start(t, "require-par")
	r := tb(t, "token", "--issuer", p.Issuer(), "--client-id", "demo-public", "--auth-method", "none")
	wantExit(t, r, 0, "pushed authorization request (RFC 9126) to "+p.Issuer()+"/par", "request_uri: urn:ietf:params:oauth:request_uri:")
	tokenResponse(t, r)
}

func TestTokenPARFailures(t *testing.T) {
	t.Parallel()
	p := demoidptest.Start(t)
	cases := []struct {
		name string
		args []string
		code int
		want []string
	}{
		{"PAR without client authentication", []string{"--client-id", "demo-basic", "--auth-method", "none", "--par"}, 1,
			[]string{"error: invalid_client: client demo-basic is registered for client_secret_basic, but the request used no client credentials [pushed authorization request endpoint, HTTP 401]", "Client authentication failed"}},
		{"request object without a key or secret", []string{"--client-id", "demo-public", "--auth-method", "none", "--request-object"}, 1,
			[]string{"request_object_signing_failed", "--signing-key"}},
		{"HS256 with a short secret", []string{"--client-id", "demo-basic", "--client-secret", demoidptest.Secret(t, p, "demo-basic"), "--request-object"}, 1,
			[]string{"client_secret_too_short", "the client secret is 17 bytes, too short to sign the request object with HS256", "RFC 7518 §3.2"}},
		{"--par with another grant", []string{"--grant", "client_credentials", "--client-id", "demo-basic", "--client-secret", "x", "--par"}, 2,
			[]string{"--par, --request-object and --request-object-by apply to --grant authorization_code only"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r := tb(t, append([]string{"token", "--issuer", p.Issuer()}, tc.args...)...)
			wantExit(t, r, tc.code, tc.want...)
			if r.stdout != "" {
				t.Errorf("stdout: %s", r.stdout)
			}
		})
	}
}
