package flows_test

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tokenbench/tokenbench/flows"
	"github.com/tokenbench/tokenbench/flows/demoidp/demoidptest"
)

// browserOpener is an AuthorizeOptions.Open that plays the user's browser (demoidptest.Browse: the demo
// user is signed in and consents), recording the URL it was handed.
type browserOpener struct {
	mu   sync.Mutex
	urls []string
}

func (b *browserOpener) open(ctx context.Context, u string) error {
	b.mu.Lock()
	b.urls = append(b.urls, u)
	b.mu.Unlock()
	_, _, err := demoidptest.Browse(ctx, u)
	return err
}

func TestAuthorizeLoopbackThenExchange(t *testing.T) {
	p := demoidptest.Start(t)
	c := demoClient(t, p, "demo-basic")
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	var ready *flows.AuthSession
	b := &browserOpener{}
	s, res, err := c.Authorize(ctx, flows.AuthorizeOptions{
		Ready: func(s *flows.AuthSession) { ready = s },
		Open:  b.open,
	})
	if err != nil {
		t.Fatalf("Authorize: %v", err)
	}
	if ready != s || !s.Listening() {
		t.Fatalf("Ready saw %p, Authorize returned %p (listening %v)", ready, s, s.Listening())
	}
	if len(b.urls) != 1 || b.urls[0] != s.Request.URL {
		t.Fatalf("opener was handed %v, want the request URL %s", b.urls, s.Request.URL)
	}
	// RFC 8252 §7.3: port 0 asks for any free port, and the request names the one bound.
	if strings.Contains(s.RedirectURI(), ":0/") || s.Request.Params.Get("redirect_uri") != s.RedirectURI() {
		t.Fatalf("redirect_uri %q sent as %q", s.RedirectURI(), s.Request.Params.Get("redirect_uri"))
	}
	if res.Code == "" || len(res.Checks) == 0 {
		t.Fatalf("response %+v", res)
	}
	tok, err := s.Exchange(ctx, res)
	if err != nil {
		t.Fatalf("Exchange: %v", err)
	}
	rep := c.ValidateIDToken(ctx, tok.IDToken, s.Expect())
	if !rep.OK() {
		t.Fatalf("id_token checks failed: %+v", rep.Checks)
	}
}

func TestAuthorizePasteMode(t *testing.T) {
	p := demoidptest.Start(t)
	c := demoClient(t, p, "demo-public")
	c = c.WithConfig(withRedirect(c.Config, "https://app.example.com/callback"))
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	landed := make(chan string, 1)
	s, res, err := c.Authorize(ctx, flows.AuthorizeOptions{
		// The provider redirects to a page tokenbench cannot listen on; the user copies its URL.
		Open: func(ctx context.Context, u string) error {
			hc := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
			req, _ := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
			resp, err := hc.Do(req)
			if err != nil {
				return err
			}
			resp.Body.Close()
			landed <- resp.Header.Get("Location")
			return nil
		},
		Paste: func(ctx context.Context) (string, error) { return <-landed, nil },
	})
	if err != nil {
		t.Fatalf("Authorize: %v", err)
	}
	if s.Listening() || s.RedirectURI() != "https://app.example.com/callback" {
		t.Fatalf("listening %v on %q", s.Listening(), s.RedirectURI())
	}
	if res.Code == "" {
		t.Fatalf("no code in %+v", res)
	}
	if _, err := s.Exchange(ctx, res); err != nil {
		t.Fatalf("Exchange: %v", err)
	}
}

func withRedirect(cfg flows.ClientConfig, uri string) flows.ClientConfig {
	cfg.RedirectURI = uri
	return cfg
}

func TestAuthorizePasteNeedsAReader(t *testing.T) {
	p := demoidptest.Start(t)
	c := demoClient(t, p, "demo-public")
	c = c.WithConfig(withRedirect(c.Config, "https://app.example.com/callback"))
	_, _, err := c.Authorize(context.Background(), flows.AuthorizeOptions{})
	if err == nil || !strings.Contains(err.Error(), "paste") {
		t.Fatalf("err = %v, want one saying the response must be pasted", err)
	}
}

func TestAuthorizeOpenerFailureEndsTheWait(t *testing.T) {
	p := demoidptest.Start(t)
	c := demoClient(t, p, "demo-basic")
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	broken := errors.New("the browser cannot reach the provider")
	s, res, err := c.Authorize(ctx, flows.AuthorizeOptions{Open: func(context.Context, string) error { return broken }})
	if !errors.Is(err, broken) || res != nil {
		t.Fatalf("err = %v, res = %v; want the opener's error", err, res)
	}
	// The listener is released: its port accepts no more callbacks.
	u, _ := url.Parse(s.RedirectURI())
	if _, _, err := demoidptest.Browse(ctx, u.String()+"?code=x&state="+s.Request.State); err == nil {
		t.Fatalf("the listener still answers after Authorize returned")
	}
}

func TestAuthorizeCancelled(t *testing.T) {
	p := demoidptest.Start(t)
	c := demoClient(t, p, "demo-basic")
	ctx, cancel := context.WithCancel(context.Background())
	go func() { time.Sleep(50 * time.Millisecond); cancel() }()
	_, res, err := c.Authorize(ctx, flows.AuthorizeOptions{})
	if !errors.Is(err, context.Canceled) || res != nil {
		t.Fatalf("err = %v, res = %v; want context.Canceled", err, res)
	}
}

// TestSnapshotsDoNotRace verifies a token on one snapshot while another screen builds a new
// snapshot with a different configuration: under -race, a client whose Config is written while
// another goroutine reads it is reported.
func TestSnapshotsDoNotRace(t *testing.T) {
	p := demoidptest.Start(t)
	c := demoClient(t, p, "demo-basic")
	ctx := context.Background()
	if _, err := c.WithConfig(c.Config).ClientCredentials(ctx); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	wg.Add(1)
	verifying := c
	go func() {
		defer wg.Done()
		for range 20 {
			verifying.ValidateIDToken(ctx, "a.b.c", flows.Expect{})
		}
	}()
	for i := range 20 {
		cfg := c.Config
		cfg.Scopes = []string{"openid", strings.Repeat("x", i)}
		c = c.WithConfig(cfg)
	}
	wg.Wait()
	if _, err := c.Discover(ctx); err != nil {
		t.Fatalf("a snapshot lost the shared metadata: %v", err)
	}
}
