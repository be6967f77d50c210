package demoidp

import (
	"crypto/ecdsa"
	"crypto/rsa"
	"crypto/x509"
	_ "embed"
	"encoding/pem"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"
)

// Client is one of the provider's fixed demo clients.
type Client struct {
	// ID is the client_id.
	ID string
	// Secret is the client secret, or "" for a client without one.
	Secret string
	// AuthMethod is the one token endpoint authentication method the client
	// is registered for: client_secret_basic, client_secret_post,
	// client_secret_jwt, private_key_jwt or none.
	AuthMethod string
	// RedirectURIs are the registered redirect URIs. The http loopback ones
	// (127.0.0.1, [::1] and localhost) match a redirect URI on that host with
	// any port and any path (RFC 8252 §7.3); the https one must match
	// exactly.
	RedirectURIs []string
}

// Token endpoint authentication methods (RFC 8414 §2, OIDC Core §9).
const (
	authBasic         = "client_secret_basic"
	authPost          = "client_secret_post"
	authSecretJWT     = "client_secret_jwt"
	authPrivateKeyJWT = "private_key_jwt"
	authNone          = "none"
)

// registeredRedirectHTTPS is the one non-loopback redirect URI, for tests
// and lessons where the user pastes the URL the browser ended on.
const registeredRedirectHTTPS = "https://app.example.com/callback"

// demoRedirectURIs is what every demo client has registered.
var demoRedirectURIs = []string{
	"http://127.0.0.1/callback",
	"http://[::1]/callback",
	"http://localhost/callback",
	registeredRedirectHTTPS,
}

// The public halves of assets/demo/private-key-jwt-{rsa,ec}.pem, registered
// for the demo-private-key-jwt client; the RSA one also for demo-encrypted.
var (
	//go:embed clientkeys/rsa.pub.pem
	clientRSAPublicPEM []byte
	//go:embed clientkeys/ec.pub.pem
	clientECPublicPEM []byte
)

// registeredClient is a Client with what the provider needs to authenticate it.
type registeredClient struct {
	Client
	rsaKey *rsa.PublicKey   // private_key_jwt: RS256 and PS256
	ecKey  *ecdsa.PublicKey // private_key_jwt: ES256

	mtls *mtlsRegistration // tls_client_auth, self_signed_tls_client_auth

	// encryption, when set, encrypts the client's id_tokens, JARM responses and userinfo answers.
	encryption *encryption

	// ciba is how the client receives CIBA results (CIBA Core §4); poll when zero.
	ciba cibaDelivery
}

// demoClients returns the fixed demo clients, in a stable order.
func demoClients() ([]*registeredClient, error) {
	rsaKey, err := parsePublicKey(clientRSAPublicPEM)
	if err != nil {
		return nil, err
	}
	ecKey, err := parsePublicKey(clientECPublicPEM)
	if err != nil {
		return nil, err
	}
	rk, ok := rsaKey.(*rsa.PublicKey)
	if !ok {
		return nil, errors.New("demoidp: clientkeys/rsa.pub.pem is not an RSA key")
	}
	ek, ok := ecKey.(*ecdsa.PublicKey)
	if !ok {
		return nil, errors.New("demoidp: clientkeys/ec.pub.pem is not an EC key")
	}
	mk := func(id, secret, method string) *registeredClient {
		return &registeredClient{Client: Client{
			ID:           id,
			Secret:       secret,
			AuthMethod:   method,
			RedirectURIs: slices.Clone(demoRedirectURIs),
		}}
	}
	pkj := mk("demo-private-key-jwt", "", authPrivateKeyJWT)
	pkj.rsaKey, pkj.ecKey = rk, ek
	// Registered with id_token_encrypted_response_alg RSA-OAEP-256 and _enc A256GCM (and the same
	// for JARM and userinfo) to the public half of assets/demo/private-key-jwt-rsa.pem.
	encrypted := mk("demo-encrypted", "demo-encrypted-secret", authBasic)
	if encrypted.encryption, err = newEncryption(rk); err != nil {
		return nil, err
	}
	return []*registeredClient{
		mk("demo-basic", "demo-basic-secret", authBasic),
		mk("demo-post", "demo-post-secret", authPost),
		mk("demo-public", "", authNone),
		mk("demo-jwt", "demo-jwt-secret-0123456789abcdefghijklmnop", authSecretJWT),
		pkj,
		encrypted,
		// Exists to exercise RFC 6749 §2.3.1: the id and secret must be
		// form-encoded before they are put into HTTP Basic credentials.
		mk("demo:special+id", "se:cr/et+%&=", authBasic),
	}, nil
}

func parsePublicKey(pemBytes []byte) (any, error) {
	block, _ := pem.Decode(pemBytes)
	if block == nil || block.Type != "PUBLIC KEY" {
		return nil, errors.New("demoidp: embedded client key is not a PEM public key")
	}
	key, err := x509.ParsePKIXPublicKey(block.Bytes)
	if err != nil {
		return nil, fmt.Errorf("demoidp: embedded client key: %w", err)
	}
	return key, nil
}

// Clients returns the provider's fixed demo clients, in a stable order. The
// result is a copy; changing it changes nothing in the provider.
func (p *Provider) Clients() []Client {
	out := make([]Client, len(p.clients))
	for i, c := range p.clients {
		out[i] = c.Client
		out[i].RedirectURIs = slices.Clone(c.RedirectURIs)
	}
	return out
}

// client looks a client up by id: a demo client, or one registered at run
// time.
func (p *Provider) client(id string) *registeredClient {
	for _, c := range p.clients {
		if c.ID == id {
			return c
		}
	}
	return p.registeredByID(id)
}

// checkRedirectURI reports why a redirect URI is not acceptable, or "" when
// it is: an http loopback URI with any port and path (RFC 8252 §7.3), or the
// registered https one exactly. Fragments are never allowed (RFC 6749
// §3.1.2).
func checkRedirectURI(raw string) string {
	if raw == "" {
		return "redirect_uri is missing"
	}
	if raw == registeredRedirectHTTPS {
		return ""
	}
	u, err := url.Parse(raw)
	if err != nil {
		return "redirect_uri is not a valid URL: " + err.Error()
	}
	switch {
	case u.Scheme != "http":
		return fmt.Sprintf("redirect_uri %q is not registered: only http loopback URIs and %s are", raw, registeredRedirectHTTPS)
	case u.User != nil:
		return fmt.Sprintf("redirect_uri %q must not contain user information", raw)
	case u.Fragment != "" || strings.Contains(raw, "#"):
		return fmt.Sprintf("redirect_uri %q must not contain a fragment (RFC 6749 §3.1.2)", raw)
	case !isLoopbackHost(u.Hostname()):
		return fmt.Sprintf("redirect_uri %q is not registered: an http redirect URI must be on 127.0.0.1, [::1] or localhost (RFC 8252 §7.3)", raw)
	}
	return ""
}

func isLoopbackHost(host string) bool {
	return host == "127.0.0.1" || host == "::1" || strings.EqualFold(host, "localhost")
}
