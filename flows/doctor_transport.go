package flows

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// The transport probes: name resolution, the TCP connection, the TLS handshake and certificate,
// plain http, and a proxy in the way.

// certExpiryWarning is how close to its end a server certificate earns a ?.
const certExpiryWarning = 14 * 24 * time.Hour

// probeURL is the URL the transport probes connect to: the issuer, else the first endpoint given.
func (doc *doctor) probeURL() (*url.URL, error) {
	raw := doc.d.Issuer
	if raw == "" {
		for _, ep := range doc.endpoints.List() {
			if ep.URL != "" {
				raw = ep.URL
				break
			}
		}
	}
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") {
		return nil, &Error{Kind: KindMissingEndpoint, Detail: fmt.Sprintf("%q is not an http(s) URL", raw)}
	}
	return u, nil
}

// baseTransport is the HTTP transport under the client's recorder, for its TLS and proxy settings.
func (c *Client) baseTransport() *http.Transport {
	if c.HTTP != nil {
		if r, ok := c.HTTP.Transport.(*recorder); ok {
			if t, ok := r.next.(*http.Transport); ok {
				return t
			}
		}
	}
	return http.DefaultTransport.(*http.Transport)
}

// transport runs the transport probes and reports whether the provider can be reached at all.
func (doc *doctor) transport(ctx context.Context) bool {
	const area = "transport"
	u, err := doc.probeURL()
	if err != nil {
		doc.fromError(area, "url", "no provider URL to probe", err, "give --issuer, or the endpoints")
		return false
	}
	base := doc.c.baseTransport()
	if base.Proxy != nil {
		if p, err := base.Proxy(&http.Request{URL: u}); err == nil && p != nil {
			p.User = nil
			doc.unknown(area, "proxy", "requests go through the proxy "+p.String()+" (HTTPS_PROXY / HTTP_PROXY)",
				"the DNS, TCP and TLS probes below are skipped: the proxy resolves and connects, and a TLS-inspecting proxy shows its own certificate",
				"if requests fail, try NO_PROXY="+u.Hostname()+", or ask for the proxy's CA certificate (--ca-file)")
			return true
		}
	}
	port := u.Port()
	if port == "" {
		port = map[string]string{"https": "443", "http": "80"}[u.Scheme]
	}
	timeout := doc.c.HTTP.Timeout
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	host := u.Hostname()
	if ip := net.ParseIP(host); ip == nil {
		addrs, err := net.DefaultResolver.LookupHost(ctx, host)
		if err != nil {
			doc.fromError(area, "dns", "the name "+host+" does not resolve", classifyTransport(host, err), "check the host name for typos, and the DNS or VPN this machine uses")
			return false
		}
		doc.ok(area, "dns", fmt.Sprintf("%s resolves to %s", host, strings.Join(addrs, ", ")))
	}
	start := time.Now()
	conn, err := (&net.Dialer{}).DialContext(ctx, "tcp", net.JoinHostPort(host, port))
	if err != nil {
		doc.fromError(area, "tcp", "no TCP connection to "+net.JoinHostPort(host, port), classifyTransport(u.Host, err), "check that the port is right and that no firewall is in the way")
		return false
	}
	doc.ok(area, "tcp", fmt.Sprintf("TCP connection to %s in %s", net.JoinHostPort(host, port), time.Since(start).Round(time.Millisecond)))
	if u.Scheme != "https" {
		conn.Close()
		if isLoopback(u) {
			doc.ok(area, "tls", "plain http on a loopback address: acceptable for a local provider (RFC 8252 §7.3), never for a tenant")
		} else {
			doc.failed(area, "tls", "the provider is reached over plain http, without TLS",
				"credentials, codes and tokens cross the network readable by anyone on the path (RFC 6749 §3.1, §3.2 require TLS)",
				"use the https:// issuer", "")
		}
		return true
	}
	doc.tls(ctx, conn, host, base.TLSClientConfig)
	doc.httpRedirect(ctx, u)
	return true
}

// tls runs the handshake on conn without verifying, then verifies the chain, the name and the
// dates separately so that each problem is its own finding.
func (doc *doctor) tls(ctx context.Context, conn net.Conn, host string, conf *tls.Config) {
	const area = "transport"
	probe := &tls.Config{ServerName: host, InsecureSkipVerify: true, MinVersion: tls.VersionTLS10} //nolint:gosec // verified below, step by step
	tc := tls.Client(conn, probe)
	defer tc.Close()
	if err := tc.HandshakeContext(ctx); err != nil {
		doc.fromError(area, "tls", "the TLS handshake with "+host+" failed", classifyTransport(host, err), "check that the port speaks TLS and what a browser says about the site")
		return
	}
	st := tc.ConnectionState()
	version := tls.VersionName(st.Version)
	if st.Version < tls.VersionTLS12 {
		doc.failed(area, "tls_version", "the server negotiated "+version,
			"TLS below 1.2 is deprecated (RFC 8996) and tokenbench, like most clients, refuses it", "enable TLS 1.2 or 1.3 on the server", string(KindTLS))
	} else {
		doc.ok(area, "tls_version", "TLS "+strings.TrimPrefix(version, "TLS ")+", "+tls.CipherSuiteName(st.CipherSuite))
	}
	if len(st.PeerCertificates) == 0 {
		doc.failed(area, "tls_chain", "the server sent no certificate", "", "", string(KindTLS))
		return
	}
	leaf := st.PeerCertificates[0]
	var roots *x509.CertPool
	if conf != nil {
		roots = conf.RootCAs
	}
	inter := x509.NewCertPool()
	for _, c := range st.PeerCertificates[1:] {
		inter.AddCert(c)
	}
	now := doc.c.now()
	// The chain is verified at a moment the leaf is valid, so that an expired certificate is
	// reported by the expiry probe below and not mistaken for an untrusted one.
	_, err := leaf.Verify(x509.VerifyOptions{Roots: roots, Intermediates: inter, CurrentTime: leaf.NotBefore.Add(time.Second)})
	var unknown x509.UnknownAuthorityError
	switch {
	case err == nil:
		doc.ok(area, "tls_chain", fmt.Sprintf("the certificate chain (%d certificates, issued by %s) leads to a trusted root", len(st.PeerCertificates), leaf.Issuer.CommonName))
	case errors.As(err, &unknown):
		insecure := conf != nil && conf.InsecureSkipVerify
		f := Finding{Area: area, Check: "tls_chain", Status: FindingFailed, Code: string(KindTLSUnknownAuthority),
			Summary: "the certificate (issued by " + leaf.Issuer.String() + ") is not signed by an authority this machine trusts",
			Meaning: "requests fail with a TLS error: a private CA, a TLS-inspecting proxy, or a server that does not send its intermediate certificates",
			Action:  "give the CA certificate with --ca-file, or have the server send its full chain"}
		if insecure {
			f.Status, f.Summary = FindingUnknown, f.Summary+" (ignored: --insecure)"
		}
		doc.add(f)
	default:
		doc.failed(area, "tls_chain", "the certificate chain does not verify: "+err.Error(), "requests fail with a TLS error", "have the server send a valid chain", string(KindTLS))
	}
	if err := leaf.VerifyHostname(host); err != nil {
		doc.failed(area, "tls_hostname", fmt.Sprintf("the certificate does not name %s (it names %s)", host, listOrNone(leaf.DNSNames)),
			"requests fail with a TLS name error: the host is reached under a name its certificate was not made for", "use the host name the certificate names, or have it reissued", string(KindTLSNameMismatch))
	} else {
		doc.ok(area, "tls_hostname", "the certificate names "+host)
	}
	left := leaf.NotAfter.Sub(now)
	days := int(left.Hours() / 24)
	switch {
	case now.Before(leaf.NotBefore):
		doc.failed(area, "tls_expiry", "the certificate is not valid before "+fmtTime(leaf.NotBefore),
			"this machine's clock is behind, or the certificate was issued for the future", "check the clock (timedatectl), or the certificate", string(KindTLSExpired))
	case left <= 0:
		doc.failed(area, "tls_expiry", fmt.Sprintf("the certificate expired on %s, %s ago", fmtTime(leaf.NotAfter), plural(-days, "day")),
			"every client refuses the connection", "renew the server certificate", string(KindTLSExpired))
	case left < certExpiryWarning:
		doc.unknown(area, "tls_expiry", fmt.Sprintf("the certificate expires in %s (%s)", plural(days, "day"), fmtTime(leaf.NotAfter)),
			"logins stop working the moment it expires", "renew it now")
	default:
		doc.ok(area, "tls_expiry", fmt.Sprintf("the certificate is valid for %d more days (until %s)", days, fmtTime(leaf.NotAfter)))
	}
}

// httpRedirect checks what plain http on the same host answers: a redirect to https is right; an
// answer over http means a client with a mistyped issuer would send secrets in clear.
func (doc *doctor) httpRedirect(ctx context.Context, u *url.URL) {
	const area = "transport"
	plain := *u
	plain.Scheme, plain.Host = "http", u.Hostname()
	if u.Port() != "" && u.Port() != "443" {
		doc.unknown(area, "http_redirect", "not probed: the provider uses the non-standard port "+u.Port(), "", "")
		return
	}
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	r, err := doc.c.get(ctx, plain.String(), "application/json", nil)
	switch {
	case err != nil:
		doc.ok(area, "http_redirect", "plain http (port 80) does not answer: nothing can be sent to it by mistake")
	case r.status >= 300 && r.status < 400 && strings.HasPrefix(r.header.Get("Location"), "https://"):
		doc.ok(area, "http_redirect", fmt.Sprintf("plain http answers %d, a redirect to https", r.status))
	case r.status >= 300 && r.status < 400:
		doc.unknown(area, "http_redirect", fmt.Sprintf("plain http answers %d, a redirect to %s", r.status, redactURL(r.header.Get("Location"))),
			"the redirect does not lead to https", "redirect http to https")
	default:
		doc.unknown(area, "http_redirect", fmt.Sprintf("plain http answers HTTP %d instead of redirecting to https", r.status),
			"a client configured with http:// by mistake sends its credentials in clear, and they reach the server", "redirect http to https, or close port 80")
	}
}
