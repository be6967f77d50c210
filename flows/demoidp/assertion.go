package demoidp

import (
	"crypto/ecdsa"
	_ "embed"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"
)

// Assertion grant types (RFC 7523 §2.1, RFC 7522 §2.1).
const (
	grantJWTBearer   = "urn:ietf:params:oauth:grant-type:jwt-bearer"
	grantSAML2Bearer = "urn:ietf:params:oauth:grant-type:saml2-bearer"
)

// TrustedIssuer is the demo identity provider whose assertions the provider accepts for any
// client: JWTs signed with the private half of clientkeys/trusted-issuer-ec.pub.pem
// (assets/demo/trusted-issuer-ec.pem, ES256), and SAML 2.0 assertions naming it as their Issuer,
// signed with the key of assets/demo/trusted-issuer-saml-cert.pem (RSA-SHA256, see saml.go).
const TrustedIssuer = "https://trusted-issuer.demo.tokenbench.invalid"

//go:embed clientkeys/trusted-issuer-ec.pub.pem
var trustedIssuerPublicPEM []byte

// trustedIssuerKey is the trusted issuer's public key.
func trustedIssuerKey() (*ecdsa.PublicKey, error) {
	k, err := parsePublicKey(trustedIssuerPublicPEM)
	if err != nil {
		return nil, err
	}
	ek, ok := k.(*ecdsa.PublicKey)
	if !ok {
		return nil, errors.New("demoidp: clientkeys/trusted-issuer-ec.pub.pem is not an EC key")
	}
	return ek, nil
}

// subjectUser maps an assertion's subject to the demo user: by sub or by username.
func subjectUser(sub string) *user {
	if sub == demoUser.sub || sub == demoUser.username {
		return demoUser
	}
	return nil
}

// verifiedJWT is a JWT whose signature and times the provider checked.
type verifiedJWT struct {
	claims jwt.Claims
	all    map[string]any
}

// verifyAssertionJWT checks the signature of a JWT from the trusted issuer or self-issued by
// client c (iss = client_id, signed with its registered key or secret), and its exp and nbf. what
// names the JWT in error messages.
func (p *Provider) verifyAssertionJWT(c *registeredClient, raw, what string) (*verifiedJWT, *oauthError) {
	tok, err := jwt.ParseSigned(raw, assertionAlgs)
	if err != nil {
		return nil, badRequest("invalid_grant", what+" is not a compact JWS signed with HS256, RS256, PS256 or ES256: "+err.Error())
	}
	var unverified jwt.Claims
	if err := tok.UnsafeClaimsWithoutVerification(&unverified); err != nil {
		return nil, badRequest("invalid_grant", what+" claims are not valid JSON: "+err.Error())
	}
	alg := jose.SignatureAlgorithm(tok.Headers[0].Algorithm)
	var key any
	switch iss := unverified.Issuer; {
	case iss == TrustedIssuer:
		if alg != jose.ES256 {
			return nil, badRequest("invalid_grant", fmt.Sprintf("%s from the trusted issuer must be signed with ES256, not %s", what, alg))
		}
		k, err := trustedIssuerKey()
		if err != nil {
			return nil, &oauthError{status: 500, code: "server_error", desc: err.Error()}
		}
		key = k
	case iss == c.ID:
		switch {
		case alg == jose.HS256 && c.Secret != "":
			key = []byte(c.Secret)
		case alg == jose.ES256 && c.ecKey != nil:
			key = c.ecKey
		case (alg == jose.RS256 || alg == jose.PS256) && c.rsaKey != nil:
			key = c.rsaKey
		default:
			return nil, badRequest("invalid_grant", fmt.Sprintf("%s is signed with %s, but client %s has no registered key or secret for it", what, alg, c.ID))
		}
	case iss == "":
		return nil, badRequest("invalid_grant", what+" has no iss (RFC 7523 §3)")
	default:
		return nil, badRequest("invalid_grant", fmt.Sprintf("%s iss %q is not trusted: the provider accepts assertions issued by the client itself (%q) or by the demo trusted issuer %q", what, iss, c.ID, TrustedIssuer))
	}
	v := &verifiedJWT{}
	if err := tok.Claims(key, &v.claims, &v.all); err != nil {
		return nil, badRequest("invalid_grant", fmt.Sprintf("%s signature (%s) does not verify with the key of issuer %q: %v", what, alg, unverified.Issuer, err))
	}
	now := p.now()
	if v.claims.Expiry == nil {
		return nil, badRequest("invalid_grant", what+" has no exp (RFC 7523 §3 requires it)")
	}
	if exp := v.claims.Expiry.Time(); !now.Before(exp.Add(assertionLeeway)) {
		return nil, badRequest("invalid_grant", fmt.Sprintf("%s expired at %s (provider time %s)", what, exp.UTC().Format(time.RFC3339), now.UTC().Format(time.RFC3339)))
	}
	if v.claims.NotBefore != nil && v.claims.NotBefore.Time().After(now.Add(assertionLeeway)) {
		return nil, badRequest("invalid_grant", what+" is not valid yet (nbf is in the future)")
	}
	return v, nil
}

// audienceNamesProvider checks that aud names the provider: its issuer or its token endpoint
// (RFC 7523 §3 item 3, RFC 7522 §3 item 2).
func (p *Provider) audienceNamesProvider(aud []string, what string) *oauthError {
	ok := []string{p.issuer, p.endpoint("/token")}
	if slices.ContainsFunc(aud, func(a string) bool { return slices.Contains(ok, a) }) {
		return nil
	}
	return badRequest("invalid_grant", fmt.Sprintf("%s is for another audience: aud %q does not name this provider; use the issuer %q or the token endpoint %q", what, aud, p.issuer, p.endpoint("/token")))
}

// useOnce records an assertion's id until it expires and refuses it when it was seen before.
func (p *Provider) useOnce(kind, issuer, id string, exp time.Time, what string) *oauthError {
	k := kind + " " + issuer + " " + id
	p.mu.Lock()
	defer p.mu.Unlock()
	if _, seen := p.store.jtis[k]; seen {
		return badRequest("invalid_grant", fmt.Sprintf("%s %q was already used: the assertion is a replay", what, id))
	}
	p.store.jtis[k] = exp
	return nil
}

// grantJWTBearer accepts a JWT as an authorization grant (RFC 7523 §2.1, §3): signed by the
// client itself or by the trusted issuer, for the demo user, with aud naming the provider, a
// bounded exp and a jti never seen before. No refresh token is issued.
func (p *Provider) grantJWTBearer(c *registeredClient, form url.Values, f Faults, jkt string) (*tokenResponse, *oauthError) {
	raw := form.Get("assertion")
	if raw == "" {
		return nil, badRequest("invalid_request", "assertion is missing (RFC 7523 §2.1)")
	}
	v, oerr := p.verifyAssertionJWT(c, raw, "the assertion")
	if oerr != nil {
		return nil, oerr
	}
	if oerr := p.audienceNamesProvider(v.claims.Audience, "the assertion"); oerr != nil {
		return nil, oerr
	}
	exp, now := v.claims.Expiry.Time(), p.now()
	if exp.Sub(now) > maxAssertionLifetime+assertionLeeway {
		return nil, badRequest("invalid_grant", fmt.Sprintf("the assertion's exp is %s from now; the provider accepts at most %s", exp.Sub(now).Round(time.Second), maxAssertionLifetime))
	}
	if v.claims.ID == "" {
		return nil, badRequest("invalid_grant", "the assertion has no jti; the provider requires one to detect replays")
	}
	u := subjectUser(v.claims.Subject)
	if u == nil {
		return nil, badRequest("invalid_grant", fmt.Sprintf("the assertion's sub %q is not a user of the provider (the demo user is %q)", v.claims.Subject, demoUser.sub))
	}
	if oerr := p.useOnce("jwt-bearer", v.claims.Issuer, v.claims.ID, exp, "the assertion's jti"); oerr != nil {
		return nil, oerr
	}
	scope, oerr := parseScope(form.Get("scope"))
	if oerr != nil {
		return nil, oerr
	}
	g := &grant{clientID: c.ID, user: u, authTime: now}
	return p.issueTokens(g, scope, scope, "", false, f, jkt)
}

// grantSAML2Bearer accepts a SAML 2.0 assertion as an authorization grant (RFC 7522 §2.1, §3),
// signed by the demo trusted issuer, for the demo user, used once.
func (p *Provider) grantSAML2Bearer(c *registeredClient, form url.Values, f Faults, jkt string) (*tokenResponse, *oauthError) {
	raw := form.Get("assertion")
	if raw == "" {
		return nil, badRequest("invalid_request", "assertion is missing (RFC 7522 §2.1)")
	}
	s, oerr := p.checkSAML(raw, "the SAML assertion", p.tokenEndpoints())
	if oerr != nil {
		return nil, oerr
	}
	nameID := strings.TrimSpace(s.a.Subject.NameID)
	u := subjectUser(nameID)
	if u == nil {
		return nil, badRequest("invalid_grant", fmt.Sprintf("the SAML assertion's NameID %q is not a user of the provider (the demo user is %q)", nameID, demoUser.sub))
	}
	if oerr := p.useOnce("saml2-bearer", TrustedIssuer, s.a.ID, s.exp, "the SAML assertion ID"); oerr != nil {
		return nil, oerr
	}
	scope, oerr := parseScope(form.Get("scope"))
	if oerr != nil {
		return nil, oerr
	}
	g := &grant{clientID: c.ID, user: u, authTime: p.now()}
	return p.issueTokens(g, scope, scope, "", false, f, jkt)
}
