package demoidp

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"math/big"
	"net"
	"net/http"
	"slices"
	"strings"
	"time"
)

// Mutual TLS (RFC 8705): with Options.MTLS the provider also listens with TLS on a second loopback
// port, asks every client for a certificate there (tls.RequestClientCert), advertises that
// listener as its mtls_endpoint_aliases, authenticates the tls_client_auth and
// self_signed_tls_client_auth demo clients by their certificates, and binds the access tokens it
// issues there to the certificate presented (cnf.x5t#S256).

// MTLSOptions configure the provider's mutual TLS listener.
type MTLSOptions struct {
	// Addr is the listener's address; it defaults to "127.0.0.1:0". Like Options.Addr its host
	// must be loopback.
	Addr string
}

// The mutual TLS client authentication methods (RFC 8705 §2.1, §2.2).
const (
	authTLSClient        = "tls_client_auth"
	authSelfSignedClient = "self_signed_tls_client_auth"
)

// The demo clients of mutual TLS, registered when the listener is on.
const (
	// MTLSClientID is registered for tls_client_auth with the subject MTLSClientSubject, for
	// certificates issued by the provider's demo client CA.
	MTLSClientID = "demo-mtls"
	// MTLSSelfSignedClientID is registered for self_signed_tls_client_auth with the thumbprint of
	// one self-signed certificate.
	MTLSSelfSignedClientID = "demo-mtls-self"
	// MTLSClientSubject is demo-mtls's registered tls_client_auth_subject_dn (RFC 4514 form).
	MTLSClientSubject = "CN=demo-mtls,O=tokenbench demo"
)

// MTLSCredential is a demo client's certificate and private key, both PEM.
type MTLSCredential struct {
	ClientID string
	CertPEM  []byte
	KeyPEM   []byte
}

// mtlsRegistration is what a mutual TLS client registered.
type mtlsRegistration struct {
	subjectDN   string   // tls_client_auth_subject_dn
	thumbprints []string // self_signed_tls_client_auth: the registered certificates' x5t#S256
}

// mtlsServer is the provider's mutual TLS listener and its certificates.
type mtlsServer struct {
	base        string // https://host:port
	srv         *http.Server
	serverCAPEM []byte
	clientCAs   *x509.CertPool
	creds       []MTLSCredential
}

// mtlsAliasPaths are the endpoints served under mtls_endpoint_aliases, by metadata member.
var mtlsAliasPaths = map[string]string{
	"token_endpoint":                        "/token",
	"userinfo_endpoint":                     "/userinfo",
	"introspection_endpoint":                "/introspect",
	"revocation_endpoint":                   "/revoke",
	"device_authorization_endpoint":         "/device_authorization",
	"pushed_authorization_request_endpoint": "/par",
}

// setUpMTLS starts the mutual TLS listener when Options.MTLS asks for it: it makes a server CA and
// a server certificate for the loopback names, a client CA and the demo clients' certificates,
// registers those clients, and serves p.handler with TLS. It runs before the plain listener serves.
func (p *Provider) setUpMTLS() error {
	o := p.opts.MTLS
	if o == nil {
		return nil
	}
	addr := o.Addr
	if addr == "" {
		addr = "127.0.0.1:0"
	}
	if err := checkLoopbackAddr(addr); err != nil {
		return err
	}
	valid := certValidity(time.Now(), p.opts.Now())
	serverCA, serverCAKey, err := newCA("tokenbench demo server CA", valid)
	if err != nil {
		return err
	}
	serverCert, err := issueServerCert(serverCA, serverCAKey, valid)
	if err != nil {
		return err
	}
	clientCA, clientCAKey, err := newCA("tokenbench demo client CA", valid)
	if err != nil {
		return err
	}
	m := &mtlsServer{
		serverCAPEM: pemCert(serverCA.Raw),
		clientCAs:   x509.NewCertPool(),
	}
	m.clientCAs.AddCert(clientCA)

	caIssued, err := issueClientCert(pkix.Name{CommonName: "demo-mtls", Organization: []string{"tokenbench demo"}}, clientCA, clientCAKey, valid)
	if err != nil {
		return err
	}
	self, err := issueClientCert(pkix.Name{CommonName: "demo-mtls-self", Organization: []string{"tokenbench demo"}}, nil, nil, valid)
	if err != nil {
		return err
	}
	m.creds = []MTLSCredential{
		{ClientID: MTLSClientID, CertPEM: caIssued.certPEM, KeyPEM: caIssued.keyPEM},
		{ClientID: MTLSSelfSignedClientID, CertPEM: self.certPEM, KeyPEM: self.keyPEM},
	}
	mk := func(id, method string, reg *mtlsRegistration) *registeredClient {
		return &registeredClient{Client: Client{ID: id, AuthMethod: method, RedirectURIs: slices.Clone(demoRedirectURIs)}, mtls: reg}
	}
	p.clients = append(p.clients,
		mk(MTLSClientID, authTLSClient, &mtlsRegistration{subjectDN: MTLSClientSubject}),
		mk(MTLSSelfSignedClientID, authSelfSignedClient, &mtlsRegistration{thumbprints: []string{x5t(self.cert.Raw)}}),
	)

	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("demoidp: mTLS listen: %w", err)
	}
	m.base = "https://" + ln.Addr().String()
	m.srv = &http.Server{
		Handler:           p.handler,
		ReadHeaderTimeout: 10 * time.Second,
		TLSConfig: &tls.Config{
			MinVersion:   tls.VersionTLS12,
			Certificates: []tls.Certificate{serverCert},
			// The handshake accepts any certificate, or none: the token endpoint decides per
			// client (CA-issued or registered self-signed), and tells what is wrong.
			ClientAuth: tls.RequestClientCert,
		},
	}
	p.mtls = m
	go func() { _ = m.srv.ServeTLS(ln, "", "") }()
	return nil
}

// MTLSBaseURL returns the base URL of the mutual TLS listener, such as "https://127.0.0.1:53128",
// or "" when it is off. Its endpoints are the same paths as the issuer's.
func (p *Provider) MTLSBaseURL() string {
	if p.mtls == nil {
		return ""
	}
	return p.mtls.base
}

// MTLSServerCAPEM returns the PEM certificate of the CA that issued the mutual TLS listener's
// certificate, for clients to trust (--ca-file); nil when the listener is off.
func (p *Provider) MTLSServerCAPEM() []byte {
	if p.mtls == nil {
		return nil
	}
	return bytes.Clone(p.mtls.serverCAPEM)
}

// MTLSCredentials returns the certificates and keys of the mutual TLS demo clients: demo-mtls's,
// issued by the demo client CA, and demo-mtls-self's, self-signed. Nil when the listener is off.
func (p *Provider) MTLSCredentials() []MTLSCredential {
	if p.mtls == nil {
		return nil
	}
	out := make([]MTLSCredential, len(p.mtls.creds))
	for i, c := range p.mtls.creds {
		out[i] = MTLSCredential{ClientID: c.ClientID, CertPEM: bytes.Clone(c.CertPEM), KeyPEM: bytes.Clone(c.KeyPEM)}
	}
	return out
}

// mtlsEndpoint is the URL of path on the mutual TLS listener, or "" when it is off.
func (p *Provider) mtlsEndpoint(path string) string {
	if p.mtls == nil {
		return ""
	}
	return p.mtls.base + path
}

// requestEndpoint is the URL of path on the listener r came in on: the mutual TLS alias for a
// request over that listener, else the plain endpoint. A DPoP proof's htu names it (RFC 9449 §4.3).
func (p *Provider) requestEndpoint(r *http.Request, path string) string {
	if u := p.mtlsEndpoint(path); r.TLS != nil && u != "" {
		return u
	}
	return p.endpoint(path)
}

// closeMTLS stops the mutual TLS listener.
func (p *Provider) closeMTLS() {
	if p.mtls != nil {
		_ = p.mtls.srv.Close()
	}
}

// withMTLSMetadata adds the mutual TLS members to the metadata when the listener is on: the
// aliases (RFC 8705 §5), certificate-bound tokens (§3.3), and the two authentication methods.
func (p *Provider) withMTLSMetadata(m map[string]any) map[string]any {
	if p.mtls == nil {
		return m
	}
	aliases := map[string]string{}
	for member, path := range mtlsAliasPaths {
		aliases[member] = p.mtlsEndpoint(path)
	}
	m["mtls_endpoint_aliases"] = aliases
	m["tls_client_certificate_bound_access_tokens"] = true
	for _, k := range []string{"token_endpoint_auth_methods_supported", "introspection_endpoint_auth_methods_supported", "revocation_endpoint_auth_methods_supported"} {
		if methods, ok := m[k].([]string); ok {
			m[k] = append(slices.Clone(methods), authTLSClient, authSelfSignedClient)
		}
	}
	return m
}

// isMTLSMethod reports whether a method authenticates with the TLS client certificate.
func isMTLSMethod(method string) bool {
	return method == authTLSClient || method == authSelfSignedClient
}

// authenticateMTLS authenticates a tls_client_auth or self_signed_tls_client_auth client by the
// certificate of the TLS handshake (RFC 8705 §2).
func (p *Provider) authenticateMTLS(r *http.Request, c *registeredClient) (*registeredClient, *oauthError) {
	if r.TLS == nil {
		where := "the provider's mutual TLS listener is off"
		if p.mtls != nil {
			where = "send it to the mtls_endpoint_aliases endpoint under " + p.mtls.base
		}
		return nil, invalidClient(fmt.Sprintf("client %s is registered for %s, which authenticates with a TLS client certificate, but the request came without TLS: %s (RFC 8705 §5)", c.ID, c.AuthMethod, where), false)
	}
	if len(r.TLS.PeerCertificates) == 0 {
		return nil, invalidClient(fmt.Sprintf("no client certificate was presented in the TLS handshake, but client %s is registered for %s, which authenticates with one (RFC 8705 §2)", c.ID, c.AuthMethod), false)
	}
	leaf := r.TLS.PeerCertificates[0]
	subject := leaf.Subject.String()
	switch c.AuthMethod {
	case authTLSClient:
		inter := x509.NewCertPool()
		for _, ic := range r.TLS.PeerCertificates[1:] {
			inter.AddCert(ic)
		}
		if _, err := leaf.Verify(x509.VerifyOptions{Roots: p.mtls.clientCAs, Intermediates: inter, CurrentTime: p.now(), KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}}); err != nil {
			return nil, invalidClient(fmt.Sprintf("the client certificate (subject %q, issuer %q) is not issued by a CA the provider trusts for tls_client_auth: %v (RFC 8705 §2.1)", subject, leaf.Issuer.String(), err), false)
		}
		if !strings.EqualFold(subject, c.mtls.subjectDN) {
			return nil, invalidClient(fmt.Sprintf("the client certificate's subject %q is not the one registered for client %s (tls_client_auth_subject_dn %q): it is another client's certificate (RFC 8705 §2.1.2)", subject, c.ID, c.mtls.subjectDN), false)
		}
	case authSelfSignedClient:
		if t := x5t(leaf.Raw); !slices.Contains(c.mtls.thumbprints, t) {
			return nil, invalidClient(fmt.Sprintf("the client certificate (subject %q, SHA-256 thumbprint %s) is not registered for client %s: self_signed_tls_client_auth accepts only the certificates the client registered (RFC 8705 §2.2)", subject, t, c.ID), false)
		}
	}
	return c, nil
}

// x5t is the x5t#S256 of a DER certificate: its base64url SHA-256 (RFC 8705 §3.1).
func x5t(der []byte) string {
	sum := sha256.Sum256(der)
	return base64.RawURLEncoding.EncodeToString(sum[:])
}

// peerThumbprint is the x5t#S256 of the client certificate of a mutual TLS request, or "".
func peerThumbprint(r *http.Request) string {
	if r.TLS == nil || len(r.TLS.PeerCertificates) == 0 {
		return ""
	}
	return x5t(r.TLS.PeerCertificates[0].Raw)
}

// addCertificateCnf adds cnf.x5t#S256 to an access token's claims, beside a cnf.jkt already there.
func addCertificateCnf(claims map[string]any, thumb string) {
	if thumb == "" {
		return
	}
	cnf, _ := claims["cnf"].(map[string]any)
	if cnf == nil {
		cnf = map[string]any{}
	}
	cnf["x5t#S256"] = thumb
	claims["cnf"] = cnf
}

// bindToCertificate binds a token response's access token to the client certificate of a mutual
// TLS request (RFC 8705 §3): the access token is minted again with cnf.x5t#S256, and the ID
// token, whose at_hash names the access token, signed again with the new at_hash. Requests
// without a client certificate get resp unchanged.
func (p *Provider) bindToCertificate(r *http.Request, resp *tokenResponse, f Faults) (*tokenResponse, *oauthError) {
	thumb := peerThumbprint(r)
	if thumb == "" || resp == nil {
		return resp, nil
	}
	serverError := func(err error) *oauthError {
		return &oauthError{status: http.StatusInternalServerError, code: "server_error", desc: err.Error()}
	}
	p.mu.Lock()
	rec := p.store.access[resp.AccessToken]
	if rec != nil {
		rec.x5t = thumb
	}
	p.mu.Unlock()
	if rec == nil {
		return resp, nil
	}
	at, err := p.signToken(p.accessTokenClaims(rec), typAccessToken, f)
	if err != nil {
		return nil, serverError(err)
	}
	p.mu.Lock()
	delete(p.store.access, resp.AccessToken)
	p.store.access[at] = rec
	p.mu.Unlock()
	resp.AccessToken = at
	if resp.IDToken != "" {
		parts := strings.Split(resp.IDToken, ".")
		if len(parts) != 3 {
			return nil, serverError(fmt.Errorf("cannot rebind the ID token: not a compact JWT"))
		}
		payload, err := base64.RawURLEncoding.DecodeString(parts[1])
		if err != nil {
			return nil, serverError(err)
		}
		dec := json.NewDecoder(bytes.NewReader(payload))
		dec.UseNumber()
		var claims map[string]any
		if err := dec.Decode(&claims); err != nil {
			return nil, serverError(err)
		}
		claims["at_hash"] = leftHalfHash(at)
		if resp.IDToken, err = p.signToken(claims, typIDToken, f); err != nil {
			return nil, serverError(err)
		}
	}
	return resp, nil
}

// checkResourceCertificate refuses a certificate-bound access token presented without the
// certificate it is bound to (RFC 8705 §3), answering 401 invalid_token; it reports whether the
// request may go on.
func (p *Provider) checkResourceCertificate(w http.ResponseWriter, r *http.Request, rec *accessRecord) bool {
	if rec.x5t == "" {
		return true
	}
	got := peerThumbprint(r)
	switch {
	case got == "":
		where := ""
		if p.mtls != nil {
			where = " at " + p.mtls.base
		}
		bearerChallenge(w, http.StatusUnauthorized, "invalid_token", fmt.Sprintf("the access token is bound to a client certificate (cnf.x5t#S256 %s), but the request presented none: call the mtls_endpoint_aliases endpoint%s with that certificate (RFC 8705 §3)", rec.x5t, where))
		return false
	case got != rec.x5t:
		bearerChallenge(w, http.StatusUnauthorized, "invalid_token", fmt.Sprintf("the access token is bound to the client certificate with SHA-256 thumbprint %s, but the request presented another one (subject %q, thumbprint %s) (RFC 8705 §3)", rec.x5t, r.TLS.PeerCertificates[0].Subject.String(), got))
		return false
	}
	return true
}

// Certificates of the mutual TLS listener: P-256 keys, valid from an hour ago for a year.

// validity is the time a certificate is valid.
type validity struct{ from, until time.Time }

// certValidity covers both the real time, by which a TLS client checks the server's certificate,
// and the provider's clock (Options.Now, fixed in tests), by which the provider checks a client's.
func certValidity(real, provider time.Time) validity {
	from, until := real, provider
	if provider.Before(real) {
		from, until = provider, real
	}
	return validity{from: from.Add(-time.Hour), until: until.AddDate(1, 0, 0)}
}

func newCA(cn string, valid validity) (*x509.Certificate, *ecdsa.PrivateKey, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, nil, err
	}
	tmpl := &x509.Certificate{
		SerialNumber:          serial(),
		Subject:               pkix.Name{CommonName: cn, Organization: []string{"tokenbench demo"}},
		NotBefore:             valid.from,
		NotAfter:              valid.until,
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature,
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return nil, nil, fmt.Errorf("demoidp: CA certificate: %w", err)
	}
	cert, err := x509.ParseCertificate(der)
	return cert, key, err
}

func issueServerCert(ca *x509.Certificate, caKey *ecdsa.PrivateKey, valid validity) (tls.Certificate, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return tls.Certificate{}, err
	}
	tmpl := &x509.Certificate{
		SerialNumber: serial(),
		Subject:      pkix.Name{CommonName: "127.0.0.1", Organization: []string{"tokenbench demo"}},
		NotBefore:    valid.from,
		NotAfter:     valid.until,
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		IPAddresses:  []net.IP{net.IPv4(127, 0, 0, 1), net.IPv6loopback},
		DNSNames:     []string{"localhost"},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca, &key.PublicKey, caKey)
	if err != nil {
		return tls.Certificate{}, fmt.Errorf("demoidp: server certificate: %w", err)
	}
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}, nil
}

// issuedCert is a client certificate with its key.
type issuedCert struct {
	cert            *x509.Certificate
	certPEM, keyPEM []byte
}

// issueClientCert issues a client certificate for subject from ca, or a self-signed one when ca
// is nil.
func issueClientCert(subject pkix.Name, ca *x509.Certificate, caKey *ecdsa.PrivateKey, valid validity) (*issuedCert, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	tmpl := &x509.Certificate{
		SerialNumber: serial(),
		Subject:      subject,
		NotBefore:    valid.from,
		NotAfter:     valid.until,
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth},
	}
	parent, signer := tmpl, key
	if ca != nil {
		parent, signer = ca, caKey
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, parent, &key.PublicKey, signer)
	if err != nil {
		return nil, fmt.Errorf("demoidp: client certificate: %w", err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, err
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return nil, err
	}
	return &issuedCert{cert: cert, certPEM: pemCert(der), keyPEM: pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER})}, nil
}

func pemCert(der []byte) []byte {
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
}

func serial() *big.Int {
	n, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 120))
	if err != nil {
		return big.NewInt(time.Now().UnixNano())
	}
	return n
}
