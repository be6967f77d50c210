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
	// hosts are the Host header values the listener answers to: its own loopback names with the
	// port bound.
	hosts map[string]bool
	// origins are the web origins whose POSTs are accepted besides the listener's own: the
	// provider's, set by AwaitCallback (a form_post response is the provider's page posting here).
	origins map[string]bool
	ignored chan IgnoredCallback
	// what names what the browser brings back, on the pages it is answered with: "authorization
	// response", or "post-logout redirect".
	what string
}

type callbackHit struct {
	params  url.Values
	request requestFacts
	verdict chan verdict
}

// requestFacts are what the listener judges a callback request by, besides its parameters.
type requestFacts struct {
	method, host, origin, fetchSite, remote string
}

// verdict is how Wait judged a callback: taken (err is the check's result), or ignored with a reason
// that is safe to show to whoever sent it.
type verdict struct {
	err     error
	ignored string
}

// IgnoredCallback is a request on the callback path that the listener did not take: sent to the
// wrong Host (DNS rebinding), posted from another web origin, or carrying a state that is not the
// request's. The listener keeps waiting for the right one; callers show these in their trace or as a
// notice.
type IgnoredCallback struct {
	Time time.Time
	// Reason says why it was ignored, in a sentence.
	Reason string
	// Method, Host, Origin and RemoteAddr are as the request gave them (untrusted text).
	Method, Host, Origin, RemoteAddr string
}

// ignoredBuffer is how many ignored callbacks wait for a reader of Ignored; more are dropped.
const ignoredBuffer = 32

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
	l := &Listener{path: u.EscapedPath(), hits: make(chan callbackHit), closed: make(chan struct{}), ignored: make(chan IgnoredCallback, ignoredBuffer), what: what}
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
	l.hosts = loopbackHosts(host, bound)
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

// bind listens on port of host (see bindLoopback) and returns the port bound.
func (l *Listener) bind(host, port string) (string, error) {
	lns, bound, err := bindLoopback(host, port)
	l.listeners = append(l.listeners, lns...)
	return bound, err
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

// loopbackHosts are the Host header values of a request that really came to this listener: the
// redirect URI's host and the loopback names, with the port bound (and without it on port 80, the
// default of http).
func loopbackHosts(host, port string) map[string]bool {
	hosts := map[string]bool{}
	if strings.Contains(host, ":") {
		host = "[" + host + "]"
	}
	for _, h := range []string{strings.ToLower(host), "127.0.0.1", "[::1]", "localhost"} {
		hosts[h+":"+port] = true
		if port == "80" {
			hosts[h] = true
		}
	}
	return hosts
}

// Ignored delivers the requests on the callback path that the listener did not take, as they come,
// so that they can be shown; it is never closed. Up to 32 wait to be read; more are dropped.
func (l *Listener) Ignored() <-chan IgnoredCallback { return l.ignored }

// ignore reports a request that was not taken, without ever blocking the listener.
func (l *Listener) ignore(f requestFacts, reason string) {
	select {
	case l.ignored <- IgnoredCallback{Time: time.Now(), Reason: reason, Method: f.method, Host: f.host, Origin: f.origin, RemoteAddr: f.remote}:
	default:
	}
}

// allowOrigins accepts POSTs from the web origins of urls (the provider's pages).
func (l *Listener) allowOrigins(urls ...string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.origins == nil {
		l.origins = map[string]bool{}
	}
	for _, raw := range urls {
		if u, err := url.Parse(raw); err == nil && u.Scheme != "" && u.Host != "" {
			l.origins[strings.ToLower(u.Scheme+"://"+u.Host)] = true
		}
	}
}

// crossOrigin says why a POST comes from another web origin, or is empty when it may be taken: one
// from the listener's own page (the fragment page posts back), from the provider's (form_post), or
// from no browser at all. "Origin: null" is let through: a provider page with Referrer-Policy
// no-referrer sends it on a form_post (Fetch §3.1 "serializing a request origin"), so it cannot
// be refused; the state check is what stops such a forged response.
func (l *Listener) crossOrigin(f requestFacts) string {
	if f.method != http.MethodPost {
		return ""
	}
	origin := strings.ToLower(f.origin)
	switch {
	case origin == "" && (f.fetchSite == "cross-site" || f.fetchSite == "same-site"):
		return fmt.Sprintf("a %s POST without an Origin", f.fetchSite)
	case origin == "", origin == "null", l.hosts[strings.TrimPrefix(origin, "http://")] && strings.HasPrefix(origin, "http://"):
		return ""
	}
	l.mu.Lock()
	allowed := l.origins[origin]
	l.mu.Unlock()
	if allowed {
		return ""
	}
	return fmt.Sprintf("a POST from the web origin %s, which is neither this listener nor the provider", f.origin)
}

// ServeHTTP takes the authorization response on the redirect path (a GET with a query, or a
// form_post POST): only a request addressed to the listener's own loopback host (a page that
// rebinds its DNS name to 127.0.0.1 still sends its own name as Host), not posted from another web
// origin, and, once Wait judges it, only the one whose state is the request's. The others are
// ignored and reported (Ignored) while the listener keeps waiting.
func (l *Listener) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	facts := requestFacts{method: r.Method, host: r.Host, origin: r.Header.Get("Origin"), fetchSite: r.Header.Get("Sec-Fetch-Site"), remote: r.RemoteAddr}
	if !l.hosts[strings.ToLower(r.Host)] {
		// RFC 8252 §8.3 asks for loopback listeners; a DNS-rebinding page reaches them under its own
		// host name, which is how it is told apart.
		if r.URL.EscapedPath() == l.path {
			l.ignore(facts, fmt.Sprintf("the request was addressed to the host %q, not to this listener (DNS rebinding?)", r.Host))
		}
		page(w, http.StatusMisdirectedRequest, false, "Wrong host", "This listener answers only on its own loopback address.")
		return
	}
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
	taken := l.taken
	l.mu.Unlock()
	if taken {
		page(w, http.StatusGone, false, "This "+l.what+" was not used", "tokenbench already took a response for this request; the listener is single use.")
		return
	}
	if why := l.crossOrigin(facts); why != "" {
		l.ignore(facts, why)
		page(w, http.StatusForbidden, false, "tokenbench ignored this request", "It was posted from another web site. tokenbench keeps waiting for the authorization response.")
		return
	}
	hit := callbackHit{params: callbackParams(r), request: facts, verdict: make(chan verdict, 1)}
	select {
	case l.hits <- hit:
	case <-r.Context().Done():
		return
	case <-l.closed:
		page(w, http.StatusGone, false, "This "+l.what+" was not used", "tokenbench stopped waiting for it.")
		return
	}
	var v verdict
	select {
	case v = <-hit.verdict:
	case <-time.After(10 * time.Second):
	}
	if v.ignored != "" {
		page(w, http.StatusBadRequest, false, "tokenbench ignored this "+l.what, v.ignored)
		return
	}
	if v.err != nil {
		page(w, http.StatusBadRequest, false, "tokenbench rejected the "+l.what, v.err.Error())
		return
	}
	page(w, http.StatusOK, true, "tokenbench received the "+l.what, "You can close this tab and return to the terminal.")
}

func page(w http.ResponseWriter, status int, ok bool, title, detail string) {
	var b bytes.Buffer
	if err := assets.CallbackPage().Execute(&b, struct {
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

// Wait returns the authorization response's parameters, after check has judged them: check's error
// is shown to the browser and returned. A response that check finds does not belong to the request
// (its state is missing or not the one sent: RFC 6749 §10.12) is not taken: it is answered with a
// page that names neither state, reported on Ignored, and Wait keeps waiting, so that one forged
// request cannot end the flow and lock out the genuine one. Any other response is taken, and the
// listener is then single use. Wait ends when ctx does (a timeout, or the user): with ctx's error,
// or, when responses with another state were ignored, with a state_mismatch error that says so.
func (l *Listener) Wait(ctx context.Context, check func(url.Values) error) (url.Values, error) {
	var mismatch *Error // the last response ignored for its state
	ignored := 0
	for {
		select {
		case <-ctx.Done():
			if mismatch != nil {
				what := "a response with another state was ignored"
				if ignored > 1 {
					what = fmt.Sprintf("%d responses with another state were ignored, the last", ignored)
				}
				return nil, &Error{Kind: KindStateMismatch, Detail: fmt.Sprintf("no authorization response with this request's state came back before the wait ended; %s because %s", what, mismatch.Detail)}
			}
			return nil, ctx.Err()
		case hit := <-l.hits:
			var err error
			if check != nil {
				err = check(hit.params)
			}
			if fe := (*Error)(nil); errors.As(err, &fe) && fe.Kind == KindStateMismatch {
				mismatch, ignored = fe, ignored+1
				l.ignore(hit.request, "its state is not the one this request sent: it belongs to another request, or was forged")
				hit.verdict <- verdict{ignored: "This response does not belong to the sign-in tokenbench is waiting for, so it was ignored. tokenbench keeps waiting; go back to the tab where you signed in."}
				continue
			}
			l.mu.Lock()
			l.taken = true
			l.mu.Unlock()
			hit.verdict <- verdict{err: err}
			return hit.params, err
		}
	}
}

// Close stops listening, after letting the browser's page finish.
func (l *Listener) Close() error {
	l.closeOnce.Do(func() { close(l.closed) })
	return shutdownGently(l.srv)
}
