package flows_test

import (
	"context"
	"net/http"
	"net/url"
	"os"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"
	"github.com/tokenbench/tokenbench/flows"
	"github.com/tokenbench/tokenbench/flows/demoidp"
)

// startProvider runs a built-in provider on 127.0.0.1 for one test, with faults by name.
func startProvider(t testing.TB, faults ...string) *demoidp.Provider {
	t.Helper()
	p, err := demoidp.Start(demoidp.Options{DeviceInterval: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Close() })
	setFaults(t, p, faults...)
	return p
}

func setFaults(t testing.TB, p *demoidp.Provider, faults ...string) {
	t.Helper()
	var f demoidp.Faults
	for _, name := range faults {
		if err := f.Set(name); err != nil {
			t.Fatal(err)
		}
	}
	p.SetFaults(f)
}

// demoClient is a flows client configured as one of the provider's demo clients.
func demoClient(t testing.TB, p *demoidp.Provider, id string) *flows.Client {
	t.Helper()
	cfg := flows.ClientConfig{
		Issuer:      p.Issuer(),
		ClientID:    id,
		RedirectURI: "http://127.0.0.1:0/callback",
		Scopes:      []string{"openid", "profile", "email", "offline_access"},
	}
	for _, c := range p.Clients() {
		if c.ID == id {
			cfg.ClientSecret = c.Secret
			cfg.AuthMethod = flows.AuthMethod(c.AuthMethod)
		}
	}
	if cfg.AuthMethod == flows.AuthPrivateKeyJWT {
		data, err := os.ReadFile("../assets/demo/private-key-jwt-rsa.pem")
		if err != nil {
			t.Fatal(err)
		}
		if cfg.SigningKey, err = flows.ParseSigningKey(data); err != nil {
			t.Fatal(err)
		}
	}
	c, err := flows.NewClient(cfg, flows.TransportOptions{Timeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// browse plays the user's browser: it opens the URL and follows redirects, as far as the loopback
// listener.
func browse(t testing.TB, url string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Errorf("browser: %v", err)
		return
	}
	resp.Body.Close()
}

// authorize runs the authorization request through the loopback listener and verifies the response.
func authorize(t testing.TB, c *flows.Client) (*flows.AuthRequest, *flows.AuthResponse, error) {
	t.Helper()
	req, res, _, err := authorizeJS(t, c)
	return req, res, err
}

// browseJS plays a browser that runs the pages' scripts (demoidp.Browse), returning the status and
// body of the last page.
func browseJS(t testing.TB, u string) (int, string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	status, body, err := demoidp.Browse(ctx, u)
	if err != nil {
		t.Errorf("browser: %v", err)
	}
	return status, body
}

// listenFor starts the loopback listener on c's redirect URI and makes the authorization request
// for it; the listener is closed when the test ends.
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

// authorizeJS runs the authorization request through the listener with browseJS, returning the
// browser's last page too.
func authorizeJS(t testing.TB, c *flows.Client) (*flows.AuthRequest, *flows.AuthResponse, string, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	l, req := listenFor(ctx, t, c)
	defer l.Close()
	page := make(chan string, 1)
	go func() {
		_, body := browseJS(t, req.URL)
		page <- body
	}()
	res, err := c.AwaitCallback(ctx, l, req)
	return req, res, <-page, err
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

func readKey(t testing.TB, path string) *jose.JSONWebKey {
	t.Helper()
	data, err := os.ReadFile(path)
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

// proofJWT is a BlockID-style proof of authentication for the demo user, signed with the client's
// secret as the built-in provider expects.
func proofJWT(t testing.TB, issuer, secret string) string {
	t.Helper()
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.HS256, Key: []byte(secret)}, nil)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	s, err := jwt.Signed(signer).Claims(jwt.Claims{Subject: "demo-user-1", Audience: jwt.Audience{issuer}, IssuedAt: jwt.NewNumericDate(now), Expiry: jwt.NewNumericDate(now.Add(time.Minute))}).Serialize()
	if err != nil {
		t.Fatal(err)
	}
	return s
}
