package tuitest

import (
	"crypto/tls"
	"regexp"
	"testing"
	"time"

	"github.com/tokenbench/tokenbench/flows"
	"github.com/tokenbench/tokenbench/flows/demoidp"
)

// The inputs of the assertion grants, mutual TLS and CIBA's hints: keys, assertions, certificates,
// fake tokens typed into the request form.

// FakeHintToken stands for a login_hint_token typed into the form.
const FakeHintToken = "login-hint-token-0123456789-FAKE"

// RequestedExpiryRow matches the request preview's requested_expiry row (its name whole, never cut)
// and captures the value shown.
var RequestedExpiryRow = regexp.MustCompile(`requested_expiry\s+(\S+)`)

// x5tValue is a certificate's SHA-256 thumbprint (43 base64url characters), new with every
// provider start.
var x5tValue = regexp.MustCompile(`(^|[^A-Za-z0-9_-])[A-Za-z0-9_-]{43}($|[^A-Za-z0-9_-])`)

// TrustedIssuerKey signs the JWTs of the demo's trusted issuer (ES256).
var TrustedIssuerKey = Asset("demo", "trusted-issuer-ec.pem")

// FakeIDToken stands for a pasted ID token in the form goldens.
const FakeIDToken = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJkZW1vLXVzZXItMSJ9.c2lnbmF0dXJl"

// MTLSCertificate is the demo certificate of a mutual TLS demo client.
func MTLSCertificate(t *testing.T, p *demoidp.Provider, clientID string) tls.Certificate {
	t.Helper()
	for _, c := range p.MTLSCredentials() {
		if c.ClientID == clientID {
			cert, err := tls.X509KeyPair(c.CertPEM, c.KeyPEM)
			if err != nil {
				t.Fatal(err)
			}
			return cert
		}
	}
	t.Fatalf("no mutual TLS credential for %s", clientID)
	return tls.Certificate{}
}

// MTLSClient is the session's client as demo-mtls-self (self_signed_tls_client_auth), presenting
// cert and trusting the mutual TLS listener's CA.
func MTLSClient(t *testing.T, p *demoidp.Provider, cert tls.Certificate) *flows.Client {
	t.Helper()
	c, err := flows.NewClient(flows.ClientConfig{
		Issuer: p.Issuer(), ClientID: demoidp.MTLSSelfSignedClientID, AuthMethod: flows.AuthSelfSignedTLSClient,
		RedirectURI: "http://127.0.0.1:0/callback", Scopes: []string{"openid", "profile"},
	}, flows.TransportOptions{Timeout: 10 * time.Second, CABundle: p.MTLSServerCAPEM(), ClientCertificates: []tls.Certificate{cert}})
	if err != nil {
		t.Fatal(err)
	}
	c.Now = FlowNow
	return c
}
