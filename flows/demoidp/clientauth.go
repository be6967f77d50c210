package demoidp

import (
	"crypto/subtle"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"
)

// jwtBearerAssertionType is the client_assertion_type of RFC 7523 §2.2.
const jwtBearerAssertionType = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"

// assertionAlgs are the algorithms accepted in client assertions.
var assertionAlgs = []jose.SignatureAlgorithm{jose.HS256, jose.RS256, jose.PS256, jose.ES256}

// authenticateClient identifies and authenticates the client of a
// back-channel request (RFC 6749 §2.3, RFC 7523 §3, OIDC Core §9): HTTP
// Basic, client_secret in the form, a client assertion, or only client_id
// for a public client. A client may only use the method it is registered
// for. endpointURL is the URL the request was sent to, accepted as a client
// assertion's audience besides the issuer and the token endpoint.
func (p *Provider) authenticateClient(r *http.Request, form url.Values, endpointURL string) (*registeredClient, *oauthError) {
	authz := r.Header.Get("Authorization")
	triedBasic := len(authz) >= 6 && strings.EqualFold(authz[:6], "basic ")
	hasAssertion := form.Has("client_assertion") || form.Has("client_assertion_type")
	hasPostSecret := form.Has("client_secret")
	used := 0
	for _, b := range []bool{triedBasic, hasAssertion, hasPostSecret} {
		if b {
			used++
		}
	}
	if used > 1 {
		return nil, badRequest("invalid_request", "the request uses more than one client authentication method; RFC 6749 §2.3 allows only one")
	}
	formID := form.Get("client_id")

	switch {
	case triedBasic:
		return p.authenticateBasic(r, formID)
	case hasAssertion:
		return p.authenticateAssertion(form, formID, endpointURL)
	case hasPostSecret:
		if formID == "" {
			return nil, invalidClient("client_secret was sent without client_id", false)
		}
		c, err := p.registeredFor(formID, authPost, false)
		if err != nil {
			return nil, err
		}
		if !secretMatches(c.Secret, form.Get("client_secret")) {
			return nil, invalidClient("wrong client_secret for client "+c.ID, false)
		}
		return c, nil
	default:
		if formID == "" {
			return nil, invalidClient("client authentication is required: no Authorization header, client_secret, client_assertion or client_id was sent", false)
		}
		if c := p.client(formID); c != nil && isMTLSMethod(c.AuthMethod) {
			return p.authenticateMTLS(r, c)
		}
		return p.registeredFor(formID, authNone, false)
	}
}

// registeredFor looks up a client and checks that it is registered for the
// authentication method the request used.
func (p *Provider) registeredFor(id, method string, basic bool) (*registeredClient, *oauthError) {
	c := p.client(id)
	if c == nil {
		return nil, invalidClient(fmt.Sprintf("unknown client %q", id), basic)
	}
	if c.AuthMethod != method {
		used := "authentication method " + method
		if method == authNone {
			used = "no client credentials"
		}
		return nil, invalidClient(fmt.Sprintf("client %s is registered for %s, but the request used %s", c.ID, c.AuthMethod, used), basic)
	}
	return c, nil
}

// authenticateBasic checks HTTP Basic client credentials. Per RFC 6749
// §2.3.1 the client id and secret are form-encoded before they are joined
// and base64-encoded, so both are form-decoded here.
func (p *Provider) authenticateBasic(r *http.Request, formID string) (*registeredClient, *oauthError) {
	rawID, rawSecret, ok := r.BasicAuth()
	if !ok {
		return nil, invalidClient("the Authorization header is not valid HTTP Basic credentials (base64 of id:secret)", true)
	}
	id, errID := url.QueryUnescape(rawID)
	secret, errSecret := url.QueryUnescape(rawSecret)
	if errID != nil || errSecret != nil {
		return nil, invalidClient(p.unencodedHint(rawID, rawSecret,
			"the Basic credentials are not application/x-www-form-urlencoded as RFC 6749 §2.3.1 requires"), true)
	}
	if formID != "" && formID != id {
		return nil, invalidClient(fmt.Sprintf("client_id %q in the form differs from %q in the Authorization header", formID, id), true)
	}
	c := p.client(id)
	if c == nil {
		return nil, invalidClient(p.unencodedHint(rawID, rawSecret, fmt.Sprintf("unknown client %q", id)), true)
	}
	c, err := p.registeredFor(id, authBasic, true)
	if err != nil {
		return nil, err
	}
	if !secretMatches(c.Secret, secret) {
		return nil, invalidClient(p.unencodedHint(rawID, rawSecret, "wrong client secret for client "+c.ID), true)
	}
	return c, nil
}

// unencodedHint explains a Basic failure caused by a client sending its id
// and secret without form-encoding them first, when that is what happened.
func (p *Provider) unencodedHint(rawID, rawSecret, desc string) string {
	raw := rawID + ":" + rawSecret
	for _, c := range p.clients {
		if c.Secret != "" && raw == c.ID+":"+c.Secret {
			return desc + fmt.Sprintf("; the credentials look like client %q's id and secret without form-encoding: RFC 6749 §2.3.1 requires encoding both as application/x-www-form-urlencoded before Basic encoding", c.ID)
		}
	}
	return desc
}

func secretMatches(want, got string) bool {
	return want != "" && subtle.ConstantTimeCompare([]byte(want), []byte(got)) == 1
}

// authenticateAssertion checks a client_secret_jwt or private_key_jwt client
// assertion (RFC 7523 §3, OIDC Core §9).
func (p *Provider) authenticateAssertion(form url.Values, formID, endpointURL string) (*registeredClient, *oauthError) {
	if t := form.Get("client_assertion_type"); t != jwtBearerAssertionType {
		return nil, invalidClient(fmt.Sprintf("client_assertion_type is %q; it must be %q", t, jwtBearerAssertionType), false)
	}
	assertion := form.Get("client_assertion")
	if assertion == "" {
		return nil, invalidClient("client_assertion is missing", false)
	}
	tok, err := jwt.ParseSigned(assertion, assertionAlgs)
	if err != nil {
		return nil, invalidClient("client_assertion is not a compact JWS signed with HS256, RS256, PS256 or ES256: "+err.Error(), false)
	}
	var unverified jwt.Claims
	if err := tok.UnsafeClaimsWithoutVerification(&unverified); err != nil {
		return nil, invalidClient("client_assertion claims are not valid JSON: "+err.Error(), false)
	}
	id := formID
	if id == "" {
		id = unverified.Issuer
	}
	if id == "" {
		return nil, invalidClient("client_assertion has no iss and no client_id was sent", false)
	}
	alg := jose.SignatureAlgorithm(tok.Headers[0].Algorithm)
	method := authPrivateKeyJWT
	if alg == jose.HS256 {
		method = authSecretJWT
	}
	c, oerr := p.registeredFor(id, method, false)
	if oerr != nil {
		return nil, oerr
	}
	var key any
	switch {
	case method == authSecretJWT:
		key = []byte(c.Secret)
	case alg == jose.ES256:
		key = c.ecKey
	default: // RS256, PS256
		key = c.rsaKey
	}
	var claims jwt.Claims
	if err := tok.Claims(key, &claims); err != nil {
		return nil, invalidClient(fmt.Sprintf("client_assertion signature (%s) does not verify with client %s's registered key: %v", alg, c.ID, err), false)
	}
	if claims.Issuer != c.ID || claims.Subject != c.ID {
		return nil, invalidClient(fmt.Sprintf("client_assertion iss (%q) and sub (%q) must both be the client_id %q (RFC 7523 §3)", claims.Issuer, claims.Subject, c.ID), false)
	}
	auds := []string{p.issuer, p.endpoint("/token"), endpointURL}
	if alias := p.mtlsEndpoint("/token"); alias != "" {
		auds = append(auds, alias)
	}
	if !slices.ContainsFunc(auds, claims.Audience.Contains) {
		return nil, invalidClient(fmt.Sprintf("client_assertion aud %q does not name the provider; use the issuer %q or the token endpoint %q", []string(claims.Audience), p.issuer, p.endpoint("/token")), false)
	}
	now := p.now()
	if claims.Expiry == nil {
		return nil, invalidClient("client_assertion has no exp (RFC 7523 §3 requires it)", false)
	}
	exp := claims.Expiry.Time()
	if !now.Before(exp.Add(assertionLeeway)) {
		return nil, invalidClient(fmt.Sprintf("client_assertion expired at %s (provider time %s)", exp.UTC().Format(time.RFC3339), now.UTC().Format(time.RFC3339)), false)
	}
	if exp.Sub(now) > maxAssertionLifetime+assertionLeeway {
		return nil, invalidClient(fmt.Sprintf("client_assertion exp is %s from now; the provider accepts at most %s", exp.Sub(now).Round(time.Second), maxAssertionLifetime), false)
	}
	if claims.NotBefore != nil && claims.NotBefore.Time().After(now.Add(assertionLeeway)) {
		return nil, invalidClient("client_assertion is not valid yet (nbf is in the future)", false)
	}
	if claims.ID == "" {
		return nil, invalidClient("client_assertion has no jti; the provider requires one to detect replays", false)
	}
	key2 := c.ID + " " + claims.ID
	p.mu.Lock()
	defer p.mu.Unlock()
	if _, seen := p.store.jtis[key2]; seen {
		return nil, invalidClient(fmt.Sprintf("client_assertion jti %q was already used: the assertion is a replay (RFC 7523 §3)", claims.ID), false)
	}
	p.store.jtis[key2] = exp
	return c, nil
}
