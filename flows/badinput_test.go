package flows_test

import (
	"context"
	"encoding/pem"
	"errors"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/tokenbench/tokenbench/flows"
	"github.com/tokenbench/tokenbench/flows/demoidp/demoidptest"
)

func TestDiscovery(t *testing.T) {
	p := demoidptest.Start(t)
	c := demoClient(t, p, "demo-basic")
	meta, err := c.Discover(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if meta.Issuer != p.Issuer() || meta.Token == "" || meta.JWKS == "" || !meta.IssParameterSupported {
		t.Fatalf("metadata %+v", meta)
	}
	if !strings.HasSuffix(meta.Source, "/.well-known/openid-configuration") {
		t.Errorf("source %q", meta.Source)
	}
}

func TestDiscoveryURLs(t *testing.T) {
	got, err := flows.DiscoveryURLs("https://idp.example.com/oauth2/community/acme")
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"https://idp.example.com/oauth2/community/acme/.well-known/openid-configuration",
		"https://idp.example.com/.well-known/oauth-authorization-server/oauth2/community/acme",
		"https://idp.example.com/oauth2/community/acme/.well-known/oauth-authorization-server",
	}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Fatalf("got %v", got)
	}
	if _, err := flows.DiscoveryURLs("idp.example.com"); err == nil {
		t.Fatal("an issuer without scheme must be refused")
	}
}

func TestHTMLDiscoveryIsNoDiscovery(t *testing.T) {
	p := demoidptest.Start(t, "html-discovery")
	c := demoClient(t, p, "demo-basic")
	_, err := c.Discover(context.Background())
	if kindOf(err) != flows.KindNoDiscovery || !strings.Contains(err.Error(), "HTML page") {
		t.Fatalf("err = %v, want no_discovery naming the HTML page", err)
	}
	// Endpoints given by hand make discovery unnecessary.
	c = demoClient(t, p, "demo-basic")
	c.Config.Endpoints = flows.Endpoints{Authorization: p.Issuer() + "/authorize", Token: p.Issuer() + "/token"}
	c.Config.Scopes = nil
	if _, err := c.ClientCredentials(context.Background()); err != nil {
		t.Fatalf("with endpoints by hand: %v", err)
	}
}

func TestDiscoveryIssuerMismatch(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(`{"issuer":"https://elsewhere.example.com","token_endpoint":"https://elsewhere.example.com/token"}`))
	}))
	defer srv.Close()
	c, _ := flows.NewClient(flows.ClientConfig{Issuer: srv.URL}, flows.TransportOptions{})
	if _, err := c.Discover(context.Background()); kindOf(err) != flows.KindIssuerMismatch {
		t.Fatalf("err = %v, want discovery_issuer_mismatch", err)
	}
}

func TestTransportFailures(t *testing.T) {
	t.Run("connection refused", func(t *testing.T) {
		ln := httptest.NewServer(http.NotFoundHandler())
		url := ln.URL
		ln.Close() // nothing listens there any more
		c, _ := flows.NewClient(flows.ClientConfig{Issuer: url}, flows.TransportOptions{})
		_, err := c.Discover(context.Background())
		if kindOf(err) != flows.KindConnectionRefused {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("timeout", func(t *testing.T) {
		p := demoidptest.Start(t, "slow=2s")
		c := demoClient(t, p, "demo-basic")
		c.HTTP.Timeout = 200 * time.Millisecond
		_, err := c.Discover(context.Background())
		if kindOf(err) != flows.KindTimeout {
			t.Fatalf("err = %v, want timeout", err)
		}
	})
	t.Run("cancelled", func(t *testing.T) {
		p := demoidptest.Start(t, "slow=2s")
		c := demoClient(t, p, "demo-basic")
		ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
		defer cancel()
		_, err := c.Discover(ctx)
		if err == nil || (kindOf(err) != flows.KindTimeout && !errors.Is(err, context.DeadlineExceeded)) {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("huge body", func(t *testing.T) {
		p := demoidptest.Start(t, "huge-body")
		c := demoClient(t, p, "demo-basic")
		c.Config.Scopes = nil
		_, err := c.ClientCredentials(context.Background())
		if kindOf(err) != flows.KindBodyTooLarge {
			t.Fatalf("err = %v, want body_too_large", err)
		}
	})
	t.Run("html error page", func(t *testing.T) {
		p := demoidptest.Start(t, "html-errors")
		c := demoClient(t, p, "demo-basic")
		c.Config.Scopes = nil
		_, err := c.ClientCredentials(context.Background())
		if kindOf(err) != flows.KindHTMLPage || !strings.Contains(err.Error(), "502") {
			t.Fatalf("err = %v, want html_page with the status", err)
		}
	})
	t.Run("error on 200", func(t *testing.T) {
		p := demoidptest.Start(t, "error-on-200")
		c := demoClient(t, p, "demo-basic")
		c.Config.Scopes = nil
		_, err := c.ClientCredentials(context.Background())
		var oe *flows.OAuthError
		if !errors.As(err, &oe) || oe.Code != "invalid_grant" || oe.Status != 200 {
			t.Fatalf("err = %v, want invalid_grant on HTTP 200", err)
		}
	})
}

func TestTLS(t *testing.T) {
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(`{"issuer":"` + "https://" + r.Host + `"}`))
	}))
	srv.Config.ErrorLog = log.New(io.Discard, "", 0) // the refused handshakes are the point
	srv.StartTLS()
	defer srv.Close()
	ca := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw})

	c, _ := flows.NewClient(flows.ClientConfig{Issuer: srv.URL}, flows.TransportOptions{})
	if _, err := c.Discover(context.Background()); kindOf(err) != flows.KindTLSUnknownAuthority {
		t.Fatalf("untrusted: err = %v, want tls_unknown_authority", err)
	}
	c, _ = flows.NewClient(flows.ClientConfig{Issuer: srv.URL}, flows.TransportOptions{CABundle: ca})
	if _, err := c.Discover(context.Background()); err != nil {
		t.Fatalf("with the CA bundle: %v", err)
	}
	byName := strings.Replace(srv.URL, "127.0.0.1", "localhost", 1)
	c, _ = flows.NewClient(flows.ClientConfig{Issuer: byName}, flows.TransportOptions{CABundle: ca})
	if _, err := c.Discover(context.Background()); kindOf(err) != flows.KindTLSNameMismatch {
		t.Fatalf("wrong name: err = %v, want tls_name_mismatch", err)
	}
	c, _ = flows.NewClient(flows.ClientConfig{Issuer: byName}, flows.TransportOptions{Insecure: true})
	if _, err := c.Discover(context.Background()); err != nil {
		t.Fatalf("insecure: %v", err)
	}
	if _, err := flows.NewHTTPClient(flows.TransportOptions{CABundle: []byte("not pem")}, nil); err == nil {
		t.Fatal("a CA bundle without certificates must be refused")
	}
}

func TestTraceMasksSecrets(t *testing.T) {
	p := demoidptest.Start(t)
	c := demoClient(t, p, "demo-post")
	_, tok, err := codeFlow(t, c)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.UserInfo(context.Background(), tok.AccessToken); err != nil {
		t.Fatal(err)
	}
	secrets := []string{"demo-post-secret", tok.AccessToken, tok.RefreshToken, tok.IDToken}
	var all strings.Builder
	for _, x := range c.Trace.Exchanges() {
		r := x.Redact()
		all.WriteString(r.String())
		all.WriteString(r.Curl())
	}
	for _, s := range secrets {
		if strings.Contains(all.String(), s) {
			t.Fatalf("trace shows a secret: %.12s…", s)
		}
	}
	for _, want := range []string{"client_secret=[redacted]", "Bearer [redacted]", "curl -X POST", `"access_token":"[redacted]"`} {
		if !strings.Contains(all.String(), want) {
			t.Errorf("trace lacks %q", want)
		}
	}
	// Unredacted, the same trace holds the secret: masking is what hid it.
	if !strings.Contains(c.Trace.Exchanges()[len(c.Trace.Exchanges())-2].String(), "demo-post-secret") {
		t.Error("the raw trace should keep the request as sent")
	}
	steps := map[string]bool{}
	for _, x := range c.Trace.Exchanges() {
		steps[x.Step] = true
		if x.Duration <= 0 || x.Status == 0 {
			t.Errorf("exchange %d lacks status or duration", x.ID)
		}
	}
	for _, s := range []string{"discovery", "token", "userinfo"} {
		if !steps[s] {
			t.Errorf("no exchange labelled %q", s)
		}
	}
}
