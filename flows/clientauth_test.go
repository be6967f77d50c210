package flows_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"

	"github.com/tokenbench/tokenbench/flows"
	"github.com/tokenbench/tokenbench/flows/demoidp/demoidptest"
)

// Every way tokenbench signs with the client secret refuses a secret shorter than the HMAC's hash
// output (RFC 7518 §3.2) with the same explained error, before anything is sent; the registered
// 42-byte secret of demo-jwt signs and the provider accepts what it signed.
func TestClientSecretTooShortForHMAC(t *testing.T) {
	t.Parallel()
	p := demoidptest.Start(t)
	paths := []struct {
		name, what string
		run        func(ctx context.Context, c *flows.Client) error
	}{
		{"client_secret_jwt", "client assertion", func(ctx context.Context, c *flows.Client) error {
			c.Config.Scopes = nil
			_, err := c.ClientCredentials(ctx)
			return err
		}},
		{"HS256 request object", "request object", func(ctx context.Context, c *flows.Client) error {
			// Pushed (RFC 9126), so that the provider checks the request object's signature at once.
			c.Config.RequestObject, c.Config.PAR = true, true
			_, err := c.NewAuthRequest(ctx, "http://127.0.0.1:0/callback")
			return err
		}},
		{"JWT bearer assertion", "assertion", func(ctx context.Context, c *flows.Client) error {
			a, err := c.MakeAssertion(ctx, flows.AssertionClaims{Subject: "demo-user-1"})
			if err != nil {
				return err
			}
			_, err = c.JWTBearer(ctx, a)
			return err
		}},
	}
	for _, path := range paths {
		t.Run(path.name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			c := demoClient(t, p, "demo-jwt")
			if err := path.run(ctx, c); err != nil {
				t.Fatalf("with the registered 42-byte secret: %v", err)
			}

			for _, tc := range []struct {
				alg, secret, want string
			}{
				{"", "demo-jwt-secret-01", "the client secret is 18 bytes, too short to sign the " + path.what + " with HS256, which needs at least 32"},
				{"HS384", c.Config.ClientSecret, "the client secret is 42 bytes, too short to sign the " + path.what + " with HS384, which needs at least 48"},
			} {
				c := demoClient(t, p, "demo-jwt")
				c.Config.SigningAlg, c.Config.ClientSecret = tc.alg, tc.secret
				err := path.run(ctx, c)
				var fe *flows.Error
				if !errors.As(err, &fe) || fe.Kind != flows.KindClientSecretTooShort {
					t.Fatalf("%s: err = %v, want a %s error", tc.want, err, flows.KindClientSecretTooShort)
				}
				for _, w := range []string{tc.want, "RFC 7518 §3.2", "register a client secret of", "private_key_jwt"} {
					if !strings.Contains(err.Error(), w) {
						t.Errorf("error %q does not say %q", err, w)
					}
				}
				if strings.Contains(err.Error(), "go-jose") {
					t.Errorf("the library's own error leaks through: %v", err)
				}
				for _, x := range c.Trace.Exchanges() {
					if x.Method == "POST" {
						t.Errorf("%s %s was sent although nothing could be signed", x.Method, x.URL)
					}
				}
				if _, ex, ok := flows.Explain(err); !ok || !strings.Contains(ex.Meaning, "RFC 7518 §3.2") {
					t.Errorf("explanation of %v: %+v, %v", err, ex, ok)
				}
			}
		})
	}
}

// The HMAC algorithm the secret signs with is the configured one when it is an HMAC, else HS256.
func TestClientSecretSigningAlg(t *testing.T) {
	t.Parallel()
	p := demoidptest.Start(t)
	for alg, want := range map[string]jose.SignatureAlgorithm{"": jose.HS256, "RS256": jose.HS256, "HS512": jose.HS512} {
		c := demoClient(t, p, "demo-jwt")
		c.Config.SigningAlg = alg
		c.Config.ClientSecret = strings.Repeat("s", 64)
		a, err := c.MakeAssertion(context.Background(), flows.AssertionClaims{Subject: "demo-user-1", Audience: []string{"x"}})
		if err != nil {
			t.Fatalf("SigningAlg %q: %v", alg, err)
		}
		tok, err := jwt.ParseSigned(a, []jose.SignatureAlgorithm{jose.HS256, jose.HS384, jose.HS512})
		if err != nil {
			t.Fatal(err)
		}
		if got := tok.Headers[0].Algorithm; got != string(want) {
			t.Errorf("SigningAlg %q signed with %s, want %s", alg, got, want)
		}
	}
}
