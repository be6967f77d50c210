package flows

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"
)

// Assertion grant types (RFC 7523 §2.1, RFC 7522 §2.1).
const (
	GrantJWTBearer   = "urn:ietf:params:oauth:grant-type:jwt-bearer"
	GrantSAML2Bearer = "urn:ietf:params:oauth:grant-type:saml2-bearer"
)

// DefaultAssertionLifetime is the lifetime of an assertion MakeAssertion signs when none is given.
const DefaultAssertionLifetime = 5 * time.Minute

// AssertionClaims describe a JWT bearer assertion to sign (RFC 7523 §3).
type AssertionClaims struct {
	// Issuer is iss; the client_id when empty (a self-issued assertion).
	Issuer string
	// Subject is sub, the principal the token is for; required.
	Subject string
	// Audience is aud; when empty, the issuer when one is known, else the token endpoint.
	Audience []string
	// Lifetime sets exp from now; DefaultAssertionLifetime when zero.
	Lifetime time.Duration
	// Extra claims are added as they are; they cannot replace iss, sub, aud, exp, iat or jti.
	Extra map[string]any
	// Key and Alg sign the assertion instead of the client's SigningKey (or its secret with HS256).
	Key *jose.JSONWebKey
	Alg string
}

// MakeAssertion signs a JWT bearer assertion (RFC 7523 §3: iss, sub, aud, exp, iat and a fresh jti)
// with a.Key, else the client's private_key_jwt key, else HS256 and the client secret.
func (c *Client) MakeAssertion(ctx context.Context, a AssertionClaims) (string, error) {
	if a.Subject == "" {
		return "", errors.New("a JWT bearer assertion needs a subject (sub, RFC 7523 §3)")
	}
	if a.Issuer == "" {
		a.Issuer = c.Config.ClientID
	}
	if a.Issuer == "" {
		return "", errors.New("a JWT bearer assertion needs an issuer (iss); give one or a client_id")
	}
	if len(a.Audience) == 0 {
		aud, err := c.assertionGrantAudience(ctx)
		if err != nil {
			return "", err
		}
		a.Audience = []string{aud}
	}
	if a.Lifetime <= 0 {
		a.Lifetime = DefaultAssertionLifetime
	}
	key, err := c.assertionKey(a)
	if err != nil {
		return "", err
	}
	signer, err := jose.NewSigner(key, (&jose.SignerOptions{}).WithType("JWT"))
	if err != nil {
		return "", fmt.Errorf("cannot sign the assertion with %s: %w", key.Algorithm, err)
	}
	now := c.Now()
	claims := map[string]any{}
	for k, v := range a.Extra {
		claims[k] = v
	}
	std := jwt.Claims{
		Issuer:   a.Issuer,
		Subject:  a.Subject,
		Audience: jwt.Audience(a.Audience),
		ID:       randomValue(),
		IssuedAt: jwt.NewNumericDate(now),
		Expiry:   jwt.NewNumericDate(now.Add(a.Lifetime)),
	}
	return jwt.Signed(signer).Claims(claims).Claims(std).Serialize()
}

// assertionGrantAudience is the default aud of a JWT bearer grant's assertion: the issuer, which RFC
// 7523 §3 names first as the authorization server's identity (and its revision, for the grant,
// requires), spelled as discovery found it; the token endpoint only when no issuer is known. Some
// providers (zitadel) refuse the token endpoint URL there.
func (c *Client) assertionGrantAudience(ctx context.Context) (string, error) {
	if iss := c.knownIssuer(ctx); iss != "" {
		return iss, nil
	}
	return c.endpoints(ctx, "token", func(e Endpoints) string { return e.Token })
}

// assertionKey picks the key that signs an assertion.
func (c *Client) assertionKey(a AssertionClaims) (jose.SigningKey, error) {
	k, alg := a.Key, a.Alg
	if k == nil {
		k = c.Config.SigningKey
		if alg == "" {
			alg = c.Config.SigningAlg
		}
	}
	if k != nil {
		if alg == "" || alg[0] == 'H' {
			alg = DefaultAlg(k)
		}
		return jose.SigningKey{Algorithm: jose.SignatureAlgorithm(alg), Key: k}, nil
	}
	if c.Config.ClientSecret == "" {
		return jose.SigningKey{}, errors.New("no key to sign the assertion: give a signing key (PEM or JWK) or a client secret for HS256")
	}
	return secretSigningKey(c.Config.ClientSecret, alg, "assertion")
}

// JWTBearer uses a JWT as an authorization grant (RFC 7523 §2.1), with the configured scopes. The
// client authenticates as it is configured to (§3.1 keeps the two apart).
func (c *Client) JWTBearer(ctx context.Context, assertion string) (*Token, error) {
	assertion = strings.TrimSpace(assertion)
	if assertion == "" {
		return nil, errors.New("the JWT bearer grant needs an assertion")
	}
	form := url.Values{"grant_type": {GrantJWTBearer}, "assertion": {assertion}}
	if s := c.Config.scope(); s != "" {
		form.Set("scope", s)
	}
	return c.requestToken(ctx, "token", form)
}

// SAMLBearer uses a SAML 2.0 assertion as an authorization grant (RFC 7522 §2.1): the XML is sent
// base64url-encoded, without padding or line wraps. tokenbench neither signs nor checks the assertion.
func (c *Client) SAMLBearer(ctx context.Context, assertionXML []byte) (*Token, error) {
	if len(strings.TrimSpace(string(assertionXML))) == 0 {
		return nil, errors.New("the SAML 2.0 bearer grant needs an assertion")
	}
	form := url.Values{"grant_type": {GrantSAML2Bearer}, "assertion": {EncodeSAMLAssertion(assertionXML)}}
	if s := c.Config.scope(); s != "" {
		form.Set("scope", s)
	}
	return c.requestToken(ctx, "token", form)
}

// EncodeSAMLAssertion is the assertion parameter of RFC 7522 §2.1 (and of a saml2 token in token
// exchange, RFC 8693 §3): base64url without padding.
func EncodeSAMLAssertion(xml []byte) string { return base64.RawURLEncoding.EncodeToString(xml) }
