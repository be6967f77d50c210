package flows

import (
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"fmt"
	"net/http"
)

// Mutual TLS (RFC 8705): the client certificate of TransportOptions.ClientCertificates
// authenticates the client (tls_client_auth, self_signed_tls_client_auth), makes flows use the
// provider's mtls_endpoint_aliases, and binds access tokens to the certificate (cnf.x5t#S256).

// The failure kinds of mutual TLS; each has an explanation in assets.
const (
	// KindCertificateBindingMismatch is a JWT access token whose cnf.x5t#S256 is not the SHA-256
	// thumbprint of the client certificate the client presented (RFC 8705 §3.1).
	KindCertificateBindingMismatch Kind = "certificate_binding_mismatch"
	// KindClientCertificateMissing is a tls_client_auth or self_signed_tls_client_auth client
	// configured without a client certificate (RFC 8705 §2).
	KindClientCertificateMissing Kind = "client_certificate_missing"
)

// CertificateThumbprint is the x5t#S256 of a certificate: the base64url SHA-256 of its DER
// encoding (RFC 8705 §3.1).
func CertificateThumbprint(der []byte) string {
	sum := sha256.Sum256(der)
	return base64.RawURLEncoding.EncodeToString(sum[:])
}

// ClientCertificate returns the leaf certificate the client presents in mutual TLS, or nil when
// it has none. It reads the TLS configuration of the transport NewHTTPClient built.
func (c *Client) ClientCertificate() *x509.Certificate {
	certs := c.tlsCertificates()
	if len(certs) == 0 || len(certs[0].Certificate) == 0 {
		return nil
	}
	if certs[0].Leaf != nil {
		return certs[0].Leaf
	}
	leaf, err := x509.ParseCertificate(certs[0].Certificate[0])
	if err != nil {
		return nil
	}
	return leaf
}

// tlsCertificates are the client certificates of the client's transport.
func (c *Client) tlsCertificates() []tls.Certificate {
	if c.HTTP == nil {
		return nil
	}
	rt := c.HTTP.Transport
	if r, ok := rt.(*recorder); ok {
		rt = r.next
	}
	if t, ok := rt.(*http.Transport); ok && t.TLSClientConfig != nil {
		return t.TLSClientConfig.Certificates
	}
	return nil
}

// UsesMTLS reports whether the client presents a client certificate, and so sends to the
// provider's mtls_endpoint_aliases when it has them.
func (c *Client) UsesMTLS() bool { return len(c.tlsCertificates()) > 0 }

// mtlsEndpoints are the metadata's endpoints, with the mtls_endpoint_aliases in place of the
// ones they alias when the client presents a certificate (RFC 8705 §5).
func (c *Client) mtlsEndpoints(meta *Metadata) Endpoints {
	if !c.UsesMTLS() {
		return meta.Endpoints
	}
	return meta.MTLSEndpointAliases.Merge(meta.Endpoints)
}

// requireClientCertificate refuses a certificate-based authentication method without a client
// certificate, saying how to give one.
func (c *Client) requireClientCertificate(m AuthMethod) error {
	if c.UsesMTLS() {
		return nil
	}
	return &Error{Kind: KindClientCertificateMissing, Detail: fmt.Sprintf("%s authenticates the client with its TLS client certificate (RFC 8705 §2), but no client certificate is configured: give --client-cert and --client-key, or the profile's tls.client_cert and tls.client_key", m)}
}

// mtlsAliasesJSON are the members of mtls_endpoint_aliases flows uses.
type mtlsAliasesJSON struct {
	Token                     string `json:"token_endpoint"`
	UserInfo                  string `json:"userinfo_endpoint"`
	Introspection             string `json:"introspection_endpoint"`
	Revocation                string `json:"revocation_endpoint"`
	DeviceAuthorization       string `json:"device_authorization_endpoint"`
	PushedAuthorization       string `json:"pushed_authorization_request_endpoint"`
	BackchannelAuthentication string `json:"backchannel_authentication_endpoint"`
}

func (a mtlsAliasesJSON) endpoints() Endpoints {
	return Endpoints{
		Token: a.Token, UserInfo: a.UserInfo, Introspection: a.Introspection, Revocation: a.Revocation,
		DeviceAuthorization: a.DeviceAuthorization, PushedAuthorization: a.PushedAuthorization,
		BackchannelAuthentication: a.BackchannelAuthentication,
	}
}

// MTLSChecks checks a token response against the client certificate (RFC 8705 §3.1): a JWT access
// token's cnf.x5t#S256 is the certificate's SHA-256 thumbprint. It is nil when the client presents
// no certificate.
func (c *Client) MTLSChecks(t *Token) []Check {
	cert := c.ClientCertificate()
	if cert == nil || t == nil {
		return nil
	}
	const name = "cnf.x5t#S256"
	want := CertificateThumbprint(cert.Raw)
	j, err := DecodeJWT(t.AccessToken)
	if err != nil || j.Kind != JWTKindJWS {
		return []Check{skip(name, "the access token is not a JWT, so its certificate binding cannot be read here; introspection would show cnf.x5t#S256")}
	}
	cnf, _ := j.Claims["cnf"].(map[string]any)
	got, _ := cnf["x5t#S256"].(string)
	switch {
	case got == "":
		return []Check{skip(name, "the access token has no cnf.x5t#S256 claim: it is not bound to the client certificate (RFC 8705 §3), which the provider may choose not to do")}
	case got != want:
		return []Check{fail(name, KindCertificateBindingMismatch, "cnf.x5t#S256 is %s, but the SHA-256 thumbprint of the client certificate (subject %q) is %s: the token is bound to another certificate", got, cert.Subject.String(), want)}
	}
	return []Check{pass(name, "cnf.x5t#S256 %s is the SHA-256 thumbprint of the client certificate (subject %q): the token is bound to it (RFC 8705 §3.1)", got, cert.Subject.String())}
}
