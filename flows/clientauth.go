package flows

import (
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rsa"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"
)

// clientAssertionType is the RFC 7523 §2.2 client_assertion_type.
const clientAssertionType = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"

// assertionLifetime keeps client assertions short-lived (RFC 7523 §3 item 4).
const assertionLifetime = 60 * time.Second

// KindClientSecretTooShort is a client secret too short to be the HMAC key of the algorithm that
// signs with it (client_secret_jwt, HS256 request objects and JWT bearer assertions). It has an entry
// in assets/explanations.yaml.
const KindClientSecretTooShort Kind = "client_secret_too_short"

// hmacMinKeySize is the smallest key each HMAC algorithm accepts: RFC 7518 §3.2 wants a key of the
// same size as the hash output or larger, and go-jose refuses shorter ones.
var hmacMinKeySize = map[jose.SignatureAlgorithm]int{jose.HS256: 32, jose.HS384: 48, jose.HS512: 64}

// secretSigningKey is the key that signs what (a "client assertion", a "request object" …) with the
// client secret: alg when it is an HMAC algorithm, else HS256. A secret shorter than the algorithm's
// hash output is refused with a KindClientSecretTooShort error saying what to do.
func secretSigningKey(secret, alg, what string) (jose.SigningKey, error) {
	a := jose.SignatureAlgorithm(alg)
	if a == "" || a[0] != 'H' {
		a = jose.HS256
	}
	need, ok := hmacMinKeySize[a]
	if !ok {
		return jose.SigningKey{}, fmt.Errorf("cannot sign the %s with %s: the client secret signs with HS256, HS384 or HS512 only", what, a)
	}
	if len(secret) < need {
		return jose.SigningKey{}, &Error{Kind: KindClientSecretTooShort, Detail: fmt.Sprintf(
			"the client secret is %d bytes, too short to sign the %s with %s, which needs at least %d (RFC 7518 §3.2: a key the size of the hash output or larger); "+
				"register a client secret of %d bytes or more with the provider, or sign with a private key instead (private_key_jwt with --signing-key, RS256)",
			len(secret), what, a, need, need)}
	}
	return jose.SigningKey{Algorithm: a, Key: []byte(secret)}, nil
}

// AuthMethod is the client authentication in force: the configured one; else private_key_jwt with
// a signing key; else, with a secret, client_secret_basic, unless the provider's metadata (when
// discovery has read it) lists token_endpoint_auth_methods_supported without it, when the first of
// client_secret_post and client_secret_jwt it lists is used; else none. Why a secret's method
// differs from client_secret_basic is in AuthMethodNote.
func (c *Client) AuthMethod() AuthMethod {
	m := c.Config.authMethod()
	if c.Config.AuthMethod != "" || m != AuthClientSecretBasic {
		return m
	}
	st := c.st()
	st.mu.Lock()
	meta := st.meta
	st.mu.Unlock()
	if meta == nil || len(meta.TokenEndpointAuthMethods) == 0 || slices.Contains(meta.TokenEndpointAuthMethods, string(AuthClientSecretBasic)) {
		return m
	}
	for _, alt := range []AuthMethod{AuthClientSecretPost, AuthClientSecretJWT} {
		if slices.Contains(meta.TokenEndpointAuthMethods, string(alt)) {
			st.mu.Lock()
			st.authNote = fmt.Sprintf("the provider's token_endpoint_auth_methods_supported (%s) lacks client_secret_basic, the default, so the client authenticates with %s; --auth-method (the profile's auth_method) chooses another",
				strings.Join(meta.TokenEndpointAuthMethods, ", "), alt)
			st.mu.Unlock()
			return alt
		}
	}
	return m
}

// AuthMethodNote says why AuthMethod chose a method other than the default, or is empty.
func (c *Client) AuthMethodNote() string {
	st := c.st()
	st.mu.Lock()
	defer st.mu.Unlock()
	return st.authNote
}

// authenticate adds the client's credentials (RFC 6749 §2.3) to a form sent to aud, which client
// assertions name as their audience; Basic credentials come back as a header to set.
func (c *Client) authenticate(form url.Values, aud string) (http.Header, error) {
	cfg := c.Config
	header := http.Header{}
	switch m := c.AuthMethod(); m {
	case AuthClientSecretBasic:
		// RFC 6749 §2.3.1: id and secret are form-encoded before they are joined and base64-encoded.
		req := http.Request{Header: header}
		req.SetBasicAuth(url.QueryEscape(cfg.ClientID), url.QueryEscape(cfg.ClientSecret))
	case AuthClientSecretPost:
		form.Set("client_id", cfg.ClientID)
		form.Set("client_secret", cfg.ClientSecret)
	case AuthNone:
		form.Set("client_id", cfg.ClientID)
	case AuthClientSecretJWT, AuthPrivateKeyJWT:
		a, err := c.clientAssertion(m, aud)
		if err != nil {
			return nil, err
		}
		form.Set("client_id", cfg.ClientID)
		form.Set("client_assertion_type", clientAssertionType)
		form.Set("client_assertion", a)
	case AuthTLSClient, AuthSelfSignedTLSClient:
		// RFC 8705 §2: the certificate of the TLS handshake authenticates; the form names the client.
		if err := c.requireClientCertificate(m); err != nil {
			return nil, err
		}
		form.Set("client_id", cfg.ClientID)
	default:
		return nil, fmt.Errorf("unknown client authentication method %q", m)
	}
	return header, nil
}

// clientAssertion signs a client assertion (RFC 7523 §3, OpenID Connect Core §9) with a fresh jti and
// a short exp.
func (c *Client) clientAssertion(m AuthMethod, aud string) (string, error) {
	cfg := c.Config
	var key jose.SigningKey
	switch m {
	case AuthClientSecretJWT:
		if cfg.ClientSecret == "" {
			return "", errors.New("client_secret_jwt needs a client secret")
		}
		var err error
		if key, err = secretSigningKey(cfg.ClientSecret, cfg.SigningAlg, "client assertion"); err != nil {
			return "", err
		}
	default:
		if cfg.SigningKey == nil {
			return "", errors.New("private_key_jwt needs a signing key (PEM or JWK)")
		}
		alg := cfg.SigningAlg
		if alg == "" {
			alg = DefaultAlg(cfg.SigningKey)
		}
		key = jose.SigningKey{Algorithm: jose.SignatureAlgorithm(alg), Key: cfg.SigningKey}
	}
	signer, err := jose.NewSigner(key, (&jose.SignerOptions{}).WithType("JWT"))
	if err != nil {
		return "", fmt.Errorf("cannot sign the client assertion with %s: %w", key.Algorithm, err)
	}
	now := c.Now()
	claims := jwt.Claims{
		Issuer:   cfg.ClientID,
		Subject:  cfg.ClientID,
		Audience: jwt.Audience{aud},
		ID:       randomValue(),
		IssuedAt: jwt.NewNumericDate(now),
		Expiry:   jwt.NewNumericDate(now.Add(assertionLifetime)),
	}
	return jwt.Signed(signer).Claims(claims).Serialize()
}

// DefaultAlg is the JWS algorithm tokenbench uses for a key when none is chosen.
func DefaultAlg(k *jose.JSONWebKey) string {
	if k.Algorithm != "" {
		return k.Algorithm
	}
	switch key := k.Key.(type) {
	case *ecdsa.PrivateKey:
		switch key.Curve {
		case elliptic.P384():
			return string(jose.ES384)
		case elliptic.P521():
			return string(jose.ES512)
		}
		return string(jose.ES256)
	case ed25519.PrivateKey:
		return string(jose.EdDSA)
	}
	return string(jose.RS256)
}

// ParseSigningKey reads a private key as ParsePrivateKey does and names a key without kid by its
// RFC 7638 thumbprint, for keys that tokenbench shows or matches by kid but that no provider looks up
// by one:
//   - DPoP keys: the server binds a token to the key's thumbprint (cnf.jkt, RFC 9449 §6.1), and a
//     proof carries the public key itself (jwk, §4.2); DPoPProof sends that jwk with the required
//     members only and no kid header, whatever this name is (RFC 7638 §3.2 leaves kid out of the
//     thumbprint, so a kid would bind nothing and say nothing the server uses).
//   - decryption keys: the kid only names the key when a JWE's kid does not match it.
//
// A key that signs for a registered client or issuer (private_key_jwt, a JWT bearer assertion) is
// read with ParsePrivateKey instead: the provider picks the verification key by kid, so a made-up one
// makes it refuse the JWT, while a JWS without kid is checked against every registered key.
func ParseSigningKey(data []byte) (*jose.JSONWebKey, error) {
	jwk, err := ParsePrivateKey(data)
	if err != nil || jwk.KeyID != "" {
		return jwk, err
	}
	if thumb, err := JWKThumbprint(jwk); err == nil {
		jwk.KeyID = thumb
	}
	return jwk, nil
}

// ParsePrivateKey reads a private key given as PEM (PKCS #8, PKCS #1 or SEC 1) or as a JWK. A JWK
// keeps its own kid; a PEM key has none.
func ParsePrivateKey(data []byte) (*jose.JSONWebKey, error) {
	var jwk jose.JSONWebKey
	if json.Valid(data) {
		if err := jwk.UnmarshalJSON(data); err != nil {
			return nil, fmt.Errorf("not a usable JWK: %w", err)
		}
		if jwk.IsPublic() {
			return nil, errors.New("the JWK is a public key; private_key_jwt needs the private key")
		}
		return &jwk, nil
	}
	block, _ := pem.Decode(data)
	if block == nil {
		return nil, errors.New("neither a PEM private key nor a JWK")
	}
	var key any
	var err error
	switch block.Type {
	case "RSA PRIVATE KEY":
		key, err = x509.ParsePKCS1PrivateKey(block.Bytes)
	case "EC PRIVATE KEY":
		key, err = x509.ParseECPrivateKey(block.Bytes)
	case "PRIVATE KEY":
		key, err = x509.ParsePKCS8PrivateKey(block.Bytes)
	default:
		return nil, fmt.Errorf("a PEM %q block is not a private key", block.Type)
	}
	if err != nil {
		return nil, fmt.Errorf("the PEM %s cannot be read: %w", block.Type, err)
	}
	switch key.(type) {
	case *rsa.PrivateKey, *ecdsa.PrivateKey, ed25519.PrivateKey:
	default:
		return nil, fmt.Errorf("unsupported private key type %T", key)
	}
	// A PEM key has no kid, and none is made up: a thumbprint the provider's registered JWKS does not
	// carry makes it refuse the assertion ("kid … could not be found"), while a JWS without kid is
	// checked against every registered key (RFC 7515 §4.1.4: kid is optional). The user names the
	// registered kid when the provider needs one (ClientConfig.SigningKeyID).
	jwk = jose.JSONWebKey{Key: key}
	return &jwk, nil
}
