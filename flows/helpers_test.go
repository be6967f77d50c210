package flows_test

import (
	"context"
	"net/url"
	"os"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/tokenbench/tokenbench/flows"
	"github.com/tokenbench/tokenbench/flows/demoidp"
	"github.com/tokenbench/tokenbench/flows/demoidp/demoidptest"
)

// demoClient is a flows client configured as one of the provider's demo clients.
func demoClient(t testing.TB, p *demoidp.Provider, id string) *flows.Client {
	t.Helper()
	cfg := flows.ClientConfig{
		Issuer:      p.Issuer(),
		ClientID:    id,
		RedirectURI: "http://127.0.0.1:0/callback",
		Scopes:      []string{"openid", "profile", "email", "offline_access"},
	}
	dc := demoidptest.Client(t, p, id)
	cfg.ClientSecret, cfg.AuthMethod = dc.Secret, flows.AuthMethod(dc.AuthMethod)
	if cfg.AuthMethod == flows.AuthPrivateKeyJWT {
		cfg.SigningKey = readKey(t, demoidptest.ClientKeyRSA)
	}
	c, err := flows.NewClient(cfg, flows.TransportOptions{Timeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// authorize runs the authorization request through the loopback listener and verifies the response.
func authorize(t testing.TB, c *flows.Client) (*flows.AuthRequest, *flows.AuthResponse, error) {
	t.Helper()
	req, res, _, err := authorizeJS(t, c)
	return req, res, err
}

// authorizeJS runs the authorization request through the listener with the demo user's browser,
// returning the browser's last page too.
func authorizeJS(t testing.TB, c *flows.Client) (*flows.AuthRequest, *flows.AuthResponse, string, error) {
	t.Helper()
	var res *flows.AuthResponse
	var err error
	req, page := viaListener(t, c, func(ctx context.Context, l *flows.Listener, req *flows.AuthRequest) {
		res, err = c.AwaitCallback(ctx, l, req)
	})
	return req, res, page, err
}

// viaListener makes the client's authorization request with a loopback listener, sends the demo
// user's browser to it, and runs receive on the listener meanwhile. It returns the request and the
// browser's last page.
func viaListener(t testing.TB, c *flows.Client, receive func(context.Context, *flows.Listener, *flows.AuthRequest)) (*flows.AuthRequest, string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	l, req := listenFor(ctx, t, c)
	defer l.Close()
	page := make(chan string, 1)
	go func() {
		_, body := demoidptest.Visit(t, req.URL)
		page <- body
	}()
	receive(ctx, l, req)
	return req, <-page
}

// listenFor starts the loopback listener on c's redirect URI and makes the authorization request
// for it; the listener is closed when the test ends, if not before.
func listenFor(ctx context.Context, t testing.TB, c *flows.Client) (*flows.Listener, *flows.AuthRequest) {
	t.Helper()
	l, err := flows.Listen(c.Config.RedirectURI)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	req, err := c.NewAuthRequest(ctx, l.RedirectURI())
	if err != nil {
		t.Fatal(err)
	}
	return l, req
}

// codeFlow runs authorize → callback → token.
func codeFlow(t testing.TB, c *flows.Client) (*flows.AuthRequest, *flows.Token, error) {
	t.Helper()
	req, res, err := authorize(t, c)
	if err != nil {
		return req, nil, err
	}
	tok, err := c.ExchangeCode(context.Background(), req, res.Code)
	return req, tok, err
}

// readKey reads a demo key (demoidptest.ClientKeyRSA …) as the client reads a signing key.
func readKey(t testing.TB, name string) *jose.JSONWebKey {
	t.Helper()
	data, err := os.ReadFile(demoidptest.KeyPath(t, name))
	if err != nil {
		t.Fatal(err)
	}
	k, err := flows.ParseSigningKey(data)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// lastForm is a form member of the client's last request, as sent.
func lastForm(t testing.TB, c *flows.Client, name string) string {
	t.Helper()
	xs := c.Trace.Exchanges()
	if len(xs) == 0 {
		t.Fatal("no exchange recorded")
	}
	v, err := url.ParseQuery(string(xs[len(xs)-1].RequestBody))
	if err != nil {
		t.Fatal(err)
	}
	return v.Get(name)
}
