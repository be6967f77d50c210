package flows

import (
	"bytes"
	"cmp"
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/tokenbench/tokenbench/assets"
)

// Listener is the loopback listener that captures one authorization response (RFC 8252 §7.3). It
// listens only on the loopback host of the redirect URI and answers the browser with a short page.
type Listener struct {
	redirectURI string
	path        string
	listeners   []net.Listener
	srv         *http.Server
	hits        chan callbackHit
	closed      chan struct{}
	closeOnce   sync.Once
	mu          sync.Mutex
	taken       bool
	notice      string
	// what names what the browser brings back, on the pages it is answered with: "authorization
	// response", or "post-logout redirect".
	what string
}

type callbackHit struct {
	params  url.Values
	verdict chan error
}

// Listen binds the loopback host and port of redirectURI: 127.0.0.1, [::1] or localhost (both loopback
// addresses where possible), port 0 meaning any free port. Without a port it binds port 80, the one
// the URI means, or, when port 80 cannot be bound, any free port, which Notice then explains. Other
// redirect URIs cannot be captured; the user pastes the redirected URL instead (see ParseCallback).
func Listen(redirectURI string) (*Listener, error) {
	return listen(redirectURI, "authorization response")
}

// listen is Listen for a browser that brings back what: the pages it is answered with name it.
func listen(redirectURI, what string) (*Listener, error) {
	u, err := url.Parse(redirectURI)
	if err != nil {
		return nil, &Error{Kind: KindListenerFailed, Detail: fmt.Sprintf("the redirect URI %q cannot be parsed", redirectURI), Err: err}
	}
	if u.Scheme != "http" || !IsLoopback(redirectURI) {
		return nil, &Error{Kind: KindListenerFailed, Detail: fmt.Sprintf("the redirect URI %q is not an http loopback address (127.0.0.1, [::1], localhost), so tokenbench cannot listen on it; paste the URL the browser ends on instead", redirectURI)}
	}
	l := &Listener{path: u.EscapedPath(), hits: make(chan callbackHit), closed: make(chan struct{}), what: what}
	if l.path == "" {
		l.path = "/"
	}
	host, port := u.Hostname(), u.Port()
	bound, err := l.bind(host, cmp.Or(port, "80"))
	if err != nil && port == "" {
		// RFC 8252 §7.3: the provider must accept any port on a loopback redirect URI, so another
		// port still works with a provider that follows it; the URI sent then names that port.
		why := err.Error()
		if oe := (*net.OpError)(nil); errors.As(err, &oe) {
			why = oe.Err.Error() // "bind: permission denied", "bind: address already in use"
		}
		if bound, err = l.bind(host, "0"); err == nil {
			l.notice = fmt.Sprintf("listening on :%s because :80 is not available (%s); the redirect_uri sent names port %s, so the provider must accept any loopback port (RFC 8252 §7.3)", bound, why, bound)
		}
	}
	if err != nil {
		return nil, err
	}
	l.redirectURI = redirectURI
	if bound != cmp.Or(port, "80") {
		// Port 0, or the fallback from 80: the request must name the port actually bound. Anything
		// else stays byte for byte as given: providers match redirect_uri as an exact string
		// (RFC 9700 §2.1), and the token request must repeat the identical value (RFC 6749 §4.1.3).
		l.redirectURI = withPort(redirectURI, bound)
	}
	l.srv = &http.Server{Handler: l, ReadHeaderTimeout: 10 * time.Second}
	for _, ln := range l.listeners {
		go l.srv.Serve(ln) //nolint:errcheck // ends with ErrServerClosed on Close
	}
	return l, nil
}

// bind listens on port of host (for localhost, of 127.0.0.1 and, where there is IPv6, of ::1) and
// returns the port bound, the same on every address.
func (l *Listener) bind(host, port string) (string, error) {
	hosts := []string{host}
	if strings.EqualFold(host, "localhost") {
		hosts = []string{"127.0.0.1", "::1"}
	}
	for i, h := range hosts {
		ln, err := net.Listen("tcp", net.JoinHostPort(h, port))
		if err != nil {
			if i == 0 {
				return "", &Error{Kind: KindListenerFailed, Detail: fmt.Sprintf("cannot listen on %s: %v", net.JoinHostPort(h, port), err), Err: err}
			}
			continue // localhost on a machine without IPv6: 127.0.0.1 is enough
		}
		port = fmt.Sprint(ln.Addr().(*net.TCPAddr).Port)
		l.listeners = append(l.listeners, ln)
	}
	return port, nil
}

// withPort is redirectURI with its authority's port set to port; the rest of the string, the host as
// written included, is kept as it was.
func withPort(redirectURI, port string) string {
	start := strings.Index(redirectURI, "//") + 2 // there is one: Listen takes http URIs with a host
	end := len(redirectURI)
	if i := strings.IndexAny(redirectURI[start:], "/?#"); i >= 0 {
		end = start + i
	}
	authority := redirectURI[start:end]
	host := authority[strings.LastIndex(authority, "@")+1:]
	if i := strings.LastIndex(host, ":"); i >= 0 && !strings.Contains(host[i:], "]") {
		authority = authority[:len(authority)-len(host)+i] // without ":0", or a bare ":"
	}
	return redirectURI[:start] + authority + ":" + port + redirectURI[end:]
}

// Notice says why the listener is not where the redirect URI said, or is empty: a URI without a port
// whose port 80 could not be bound listens on another port.
func (l *Listener) Notice() string { return l.notice }

// IsLoopback reports whether a redirect URI points at this machine's loopback interface.
func IsLoopback(redirectURI string) bool {
	u, err := url.Parse(redirectURI)
	if err != nil {
		return false
	}
	h := u.Hostname()
	if strings.EqualFold(h, "localhost") { // host names compare without case (RFC 3986 §3.2.2)
		return true
	}
	ip := net.ParseIP(h)
	return ip != nil && ip.IsLoopback()
}

// RedirectURI is the redirect URI to send: byte for byte the one given, unless its port was 0 or it
// had none and port 80 could not be bound; then it names the port actually bound.
func (l *Listener) RedirectURI() string { return l.redirectURI }

// ServeHTTP takes the first request on the redirect path (a GET with a query, or a form_post POST).
func (l *Listener) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.EscapedPath() != l.path {
		http.Error(w, "tokenbench is waiting for the "+l.what+" on "+l.path, http.StatusNotFound)
		return
	}
	if err := r.ParseForm(); err != nil {
		http.Error(w, "unreadable request", http.StatusBadRequest)
		return
	}
	if serveFragmentPage(w, r) {
		return // the response is in the fragment: the page posts it back
	}
	l.mu.Lock()
	first := !l.taken
	l.taken = true
	l.mu.Unlock()
	if !first {
		page(w, http.StatusGone, false, "This "+l.what+" was not used", "tokenbench already took a response for this request; the listener is single use.")
		return
	}
	hit := callbackHit{params: callbackParams(r), verdict: make(chan error, 1)}
	select {
	case l.hits <- hit:
	case <-r.Context().Done():
		return
	case <-l.closed:
		page(w, http.StatusGone, false, "This "+l.what+" was not used", "tokenbench stopped waiting for it.")
		return
	}
	var verdict error
	select {
	case verdict = <-hit.verdict:
	case <-time.After(10 * time.Second):
	}
	if verdict != nil {
		page(w, http.StatusBadRequest, false, "tokenbench rejected the "+l.what, verdict.Error())
		return
	}
	page(w, http.StatusOK, true, "tokenbench received the "+l.what, "You can close this tab and return to the terminal.")
}

func page(w http.ResponseWriter, status int, ok bool, title, detail string) {
	var b bytes.Buffer
	if err := assets.CallbackPage.Execute(&b, struct {
		OK            bool
		Title, Detail string
	}{ok, title, detail}); err != nil {
		b.Reset()
		b.WriteString(title + "\n" + detail)
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	w.Write(b.Bytes()) //nolint:errcheck // the browser may be gone
}

// Wait returns the first authorization response's parameters, after check has judged them: check's
// error is shown to the browser and returned. It ends early when ctx is cancelled.
func (l *Listener) Wait(ctx context.Context, check func(url.Values) error) (url.Values, error) {
	select {
	case <-ctx.Done():
		return nil, ctx.Err()
	case hit := <-l.hits:
		var err error
		if check != nil {
			err = check(hit.params)
		}
		hit.verdict <- err
		return hit.params, err
	}
}

// Close stops listening, after letting the browser's page finish.
func (l *Listener) Close() error {
	l.closeOnce.Do(func() { close(l.closed) })
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	err := l.srv.Shutdown(ctx)
	if errors.Is(err, context.DeadlineExceeded) {
		return l.srv.Close()
	}
	return err
}
