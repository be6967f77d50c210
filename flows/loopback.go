package flows

import (
	"cmp"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// bindLoopback listens on port of host (for localhost, of 127.0.0.1 and, where there is IPv6, of
// ::1) and returns the listeners and the port bound, the same on every address.
func bindLoopback(host, port string) ([]net.Listener, string, error) {
	hosts := []string{host}
	if strings.EqualFold(host, "localhost") {
		hosts = []string{"127.0.0.1", "::1"}
	}
	var lns []net.Listener
	for i, h := range hosts {
		ln, err := net.Listen("tcp", net.JoinHostPort(h, port))
		if err != nil {
			if i == 0 {
				return nil, "", &Error{Kind: KindListenerFailed, Detail: fmt.Sprintf("cannot listen on %s: %v", net.JoinHostPort(h, port), err), Err: err}
			}
			continue // localhost on a machine without IPv6: 127.0.0.1 is enough
		}
		port = fmt.Sprint(ln.Addr().(*net.TCPAddr).Port)
		lns = append(lns, ln)
	}
	return lns, port, nil
}

// loopbackServer is an HTTP server on the loopback host and port of a URL that tokenbench serves
// for the provider to call (the CIBA client notification endpoint, a request_uri), answering only
// requests addressed to its own host (a DNS-rebinding page sends its own name as Host).
type loopbackServer struct {
	// url is the URL served, with the port actually bound.
	url   string
	hosts map[string]bool
	srv   *http.Server
}

// serveLoopback serves h at rawURL, an http URL on 127.0.0.1, [::1] or localhost, or an https one
// with cert; port 0 or none binds any free port, which url then names. what names the endpoint in
// errors.
func serveLoopback(rawURL, what string, h http.Handler, cert *tls.Certificate) (*loopbackServer, error) {
	u, err := url.Parse(rawURL)
	scheme := "http"
	if cert != nil {
		scheme = "https"
	}
	if err != nil || u.Scheme != scheme || !IsLoopback(rawURL) {
		return nil, &Error{Kind: KindListenerFailed, Detail: fmt.Sprintf("the %s %q is not an %s loopback URL (127.0.0.1, [::1], localhost), so tokenbench cannot serve it", what, rawURL, scheme), Err: err}
	}
	host := u.Hostname()
	lns, bound, err := bindLoopback(host, cmp.Or(u.Port(), "0"))
	if err != nil {
		return nil, err
	}
	s := &loopbackServer{url: rawURL, hosts: loopbackHosts(host, bound)}
	if bound != u.Port() {
		s.url = withPort(rawURL, bound)
	}
	s.srv = &http.Server{ReadHeaderTimeout: 10 * time.Second, Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !s.hosts[strings.ToLower(r.Host)] {
			http.Error(w, "this endpoint answers only on its own loopback address", http.StatusMisdirectedRequest)
			return
		}
		h.ServeHTTP(w, r)
	})}
	for _, ln := range lns {
		if cert != nil {
			ln = tls.NewListener(ln, &tls.Config{Certificates: []tls.Certificate{*cert}, MinVersion: tls.VersionTLS12})
		}
		go s.srv.Serve(ln) //nolint:errcheck // ends with ErrServerClosed on Close
	}
	return s, nil
}

// close stops the server, letting a request under way finish.
func (s *loopbackServer) close() error { return shutdownGently(s.srv) }

// shutdownGently stops srv, letting a request under way (the browser's page, a provider's fetch)
// finish for up to 2 seconds before closing what is left.
func shutdownGently(srv *http.Server) error {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	err := srv.Shutdown(ctx)
	if errors.Is(err, context.DeadlineExceeded) {
		return srv.Close()
	}
	return err
}
