package flows_test

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/tokenbench/tokenbench/flows"
)

// deliver plays the browser coming back to the listener at uri with a code, and returns what the
// listener handed over.
func deliver(t *testing.T, l *flows.Listener, uri string) url.Values {
	t.Helper()
	u, err := url.Parse(uri)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	q.Set("code", "c-1")
	u.RawQuery = q.Encode()
	done := make(chan error, 1)
	go func() {
		resp, err := http.Get(u.String())
		if err == nil {
			resp.Body.Close()
		}
		done <- err
	}()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	params, err := l.Wait(ctx, nil)
	if err != nil {
		t.Fatalf("no callback on %s: %v", uri, err)
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	return params
}

// freePort is a loopback port nothing listens on.
func freePort(t *testing.T) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// A redirect URI that can be listened on as given is sent as given, byte for byte (RFC 9700 §2.1:
// exact string matching).
func TestListenKeepsRedirectURIAsGiven(t *testing.T) {
	for _, format := range []string{
		"http://127.0.0.1:%d/callback",
		"http://localhost:%d/cb?app=a%%2Fb&x=",
		"http://LOCALHOST:%d/c%%62",
	} {
		uri := fmt.Sprintf(format, freePort(t))
		l, err := flows.Listen(uri)
		if err != nil {
			t.Fatal(err)
		}
		if l.RedirectURI() != uri || l.Notice() != "" {
			t.Errorf("Listen(%q): RedirectURI %q, Notice %q", uri, l.RedirectURI(), l.Notice())
		}
		if got := deliver(t, l, uri); got.Get("code") != "c-1" {
			t.Errorf("%s: callback params %v", uri, got)
		}
		l.Close()
	}
}

// Port 0 is any free port: the URI sent names the one bound, and nothing else of it changes.
func TestListenPortZero(t *testing.T) {
	for _, tc := range []struct{ uri, want string }{
		{"http://127.0.0.1:0/callback", `^http://127\.0\.0\.1:(\d+)/callback$`},
		{"http://localhost:0/cb?app=a%2Fb", `^http://localhost:(\d+)/cb\?app=a%2Fb$`},
		{"http://user:pw@127.0.0.1:0", `^http://user:pw@127\.0\.0\.1:(\d+)$`},
	} {
		l, err := flows.Listen(tc.uri)
		if err != nil {
			t.Fatal(err)
		}
		m := regexp.MustCompile(tc.want).FindStringSubmatch(l.RedirectURI())
		if m == nil || m[1] == "0" || l.Notice() != "" {
			t.Errorf("Listen(%q): RedirectURI %q (want %s), Notice %q", tc.uri, l.RedirectURI(), tc.want, l.Notice())
		} else if got := deliver(t, l, l.RedirectURI()); got.Get("code") != "c-1" {
			t.Errorf("%s: callback params %v", l.RedirectURI(), got)
		}
		l.Close()
	}
}

// A redirect URI without a port means port 80 (RFC 3986 §3.2.3). When port 80 cannot be bound (not
// root, or taken: here the test holds it when it can), the listener takes another port, names it in
// the URI sent, and says why; when port 80 is free and bindable, the URI is sent as given.
func TestListenWithoutPort(t *testing.T) {
	// 127.0.0.2 where it can be bound (Linux), so that the cmd tests' hold on 127.0.0.1:80, in
	// another process, cannot interfere.
	host := "127.0.0.2"
	if ln, err := net.Listen("tcp", host+":0"); err != nil {
		host = "127.0.0.1"
	} else {
		ln.Close()
	}
	re := func(s string) string { return strings.ReplaceAll(s, "HOST", regexp.QuoteMeta(host)) }
	held, holdErr := net.Listen("tcp", host+":80")
	for _, tc := range []struct{ uri, want string }{
		{"http://" + host + "/callback", re(`^http://HOST:(\d+)/callback$`)},
		{"http://" + host + ":/cb?x=1", re(`^http://HOST:(\d+)/cb\?x=1$`)},
	} {
		l, err := flows.Listen(tc.uri)
		if err != nil {
			t.Fatal(err)
		}
		m := regexp.MustCompile(tc.want).FindStringSubmatch(l.RedirectURI())
		if m == nil || m[1] == "80" || m[1] == "0" {
			t.Fatalf("Listen(%q) with port 80 unavailable: RedirectURI %q, want %s", tc.uri, l.RedirectURI(), tc.want)
		}
		for _, w := range []string{"listening on :" + m[1] + " because :80 is not available (", "the redirect_uri sent names port " + m[1], "the provider must accept any loopback port (RFC 8252 §7.3)"} {
			if !strings.Contains(l.Notice(), w) {
				t.Errorf("Notice %q lacks %q", l.Notice(), w)
			}
		}
		if got := deliver(t, l, l.RedirectURI()); got.Get("code") != "c-1" {
			t.Errorf("%s: callback params %v", l.RedirectURI(), got)
		}
		l.Close()
	}

	t.Run("port 80 free", func(t *testing.T) {
		if holdErr != nil {
			t.Skipf("port 80 cannot be bound on this machine (%v); the URI-kept-as-given logic is covered with explicit ports by TestListenKeepsRedirectURIAsGiven", holdErr)
		}
		held.Close()
		uri := "http://" + host + "/callback"
		l, err := flows.Listen(uri)
		if err != nil {
			t.Fatal(err)
		}
		defer l.Close()
		if l.RedirectURI() != uri || l.Notice() != "" {
			t.Errorf("Listen(%q) with port 80 free: RedirectURI %q, Notice %q", uri, l.RedirectURI(), l.Notice())
		}
		if got := deliver(t, l, uri); got.Get("code") != "c-1" {
			t.Errorf("callback params %v", got)
		}
	})
	if holdErr == nil {
		held.Close()
	}
}
