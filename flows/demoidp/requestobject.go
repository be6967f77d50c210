package demoidp

import (
	"encoding/json"
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"
)

// requestObjectType is the explicit typ of a request object (RFC 9101 §4, §10.8).
const requestObjectType = "oauth-authz-req+jwt"

// requestObjectAlgs are the algorithms accepted in request objects, as
// advertised in request_object_signing_alg_values_supported.
var requestObjectAlgs = []jose.SignatureAlgorithm{jose.RS256, jose.PS256, jose.ES256, jose.HS256}

// maxRequestObjectLifetime bounds exp: a request object is made for one
// authorization, not for reuse over hours (FAPI 1.0 Advanced §5.2.2 (13)
// asks for at most 60 minutes).
const maxRequestObjectLifetime = time.Hour

// requestObjectJWTClaims are the JWT claims of a request object that are
// not authorization parameters.
var requestObjectJWTClaims = []string{"iss", "aud", "exp", "nbf", "iat", "jti", "sub"}

// invalidObject builds an invalid_request_object error (RFC 9101 §6.2, OIDC
// Core §3.1.2.6).
func invalidObject(format string, args ...any) *oauthError {
	return badRequest("invalid_request_object", fmt.Sprintf(format, args...))
}

// verifyRequestObject checks a request object sent by client c (RFC 9101
// §6): a JWS signed with one of the client's registered keys (RS256, PS256,
// ES256) or its secret (HS256), iss the client, aud the issuer, exp in the
// future, nbf and iat not, and a jti never seen before. It returns the
// authorization parameters the object carries, also with an error once the
// signature has verified, so the error can go to the object's redirect URI.
func (p *Provider) verifyRequestObject(c *registeredClient, raw string) (url.Values, *oauthError) {
	if strings.Count(raw, ".") == 4 {
		return nil, invalidObject("the request object is encrypted (a JWE); the provider accepts only signed request objects")
	}
	tok, err := jwt.ParseSigned(raw, requestObjectAlgs)
	if err != nil {
		return nil, invalidObject("the request object is not a compact JWS signed with RS256, PS256, ES256 or HS256: %v", err)
	}
	h := tok.Headers[0]
	if typ, _ := h.ExtraHeaders[jose.HeaderType].(string); typ != "" && !strings.EqualFold(typ, requestObjectType) && !strings.EqualFold(typ, "JWT") {
		return nil, invalidObject("the request object's typ is %q; it must be %q (RFC 9101 §4)", typ, requestObjectType)
	}
	alg := jose.SignatureAlgorithm(h.Algorithm)
	var key any
	switch {
	case alg == jose.HS256 && c.Secret != "":
		key = []byte(c.Secret)
	case alg == jose.ES256 && c.ecKey != nil:
		key = c.ecKey
	case (alg == jose.RS256 || alg == jose.PS256) && c.rsaKey != nil:
		key = c.rsaKey
	default:
		return nil, invalidObject("the request object is signed with %s, but client %s has no key registered for it (%s)", alg, c.ID, c.objectAlgs())
	}
	var claims map[string]any
	if err := tok.Claims(key, &claims); err != nil {
		return nil, invalidObject("the request object's signature (%s) does not verify with client %s's registered %s: %v", alg, c.ID, keyKind(alg), err)
	}
	// From here on the object is the client's own: its parameters can name
	// where an error is sent.
	params, oerr := objectParams(claims)
	if oerr != nil {
		return nil, oerr
	}
	if id := params.Get("client_id"); id != "" && id != c.ID {
		return nil, invalidObject("the request object's client_id %q is not the client %q that sent it", id, c.ID)
	}
	params.Set("client_id", c.ID)
	var std jwt.Claims
	if err := tok.UnsafeClaimsWithoutVerification(&std); err != nil { // verified above
		return params, invalidObject("the request object's iss, aud, exp, nbf, iat or jti has the wrong type: %v", err)
	}
	if oerr := p.checkObjectClaims(c, std); oerr != nil {
		return params, oerr
	}
	jtiKey := "request-object " + c.ID + " " + std.ID
	p.mu.Lock()
	defer p.mu.Unlock()
	if _, seen := p.store.jtis[jtiKey]; seen {
		return params, invalidObject("the request object's jti %q was already used: the request object is a replay", std.ID)
	}
	p.store.jtis[jtiKey] = std.Expiry.Time()
	return params, nil
}

// checkObjectClaims checks a verified request object's iss, aud, exp, nbf,
// iat and jti (RFC 9101 §4, §6.2).
func (p *Provider) checkObjectClaims(c *registeredClient, std jwt.Claims) *oauthError {
	if std.Issuer != c.ID {
		return invalidObject("the request object's iss is %q; it must be the client_id %q (RFC 9101 §4)", std.Issuer, c.ID)
	}
	if !std.Audience.Contains(p.issuer) {
		return invalidObject("the request object is for another audience: aud %q does not name this provider's issuer %q (RFC 9101 §4)", []string(std.Audience), p.issuer)
	}
	now := p.now()
	if std.Expiry == nil {
		return invalidObject("the request object has no exp; the provider requires one")
	}
	exp := std.Expiry.Time()
	if !now.Before(exp.Add(assertionLeeway)) {
		return invalidObject("the request object expired at %s (provider time %s)", exp.UTC().Format(time.RFC3339), now.UTC().Format(time.RFC3339))
	}
	if exp.Sub(now) > maxRequestObjectLifetime+assertionLeeway {
		return invalidObject("the request object's exp is %s from now; the provider accepts at most %s", exp.Sub(now).Round(time.Second), maxRequestObjectLifetime)
	}
	if std.NotBefore != nil && std.NotBefore.Time().After(now.Add(assertionLeeway)) {
		return invalidObject("the request object is not valid yet: nbf %s is after the provider time %s", std.NotBefore.Time().UTC().Format(time.RFC3339), now.UTC().Format(time.RFC3339))
	}
	if std.IssuedAt != nil && std.IssuedAt.Time().After(now.Add(assertionLeeway)) {
		return invalidObject("the request object was issued in the future: iat %s is after the provider time %s", std.IssuedAt.Time().UTC().Format(time.RFC3339), now.UTC().Format(time.RFC3339))
	}
	if std.ID == "" {
		return invalidObject("the request object has no jti; the provider requires one to detect replays")
	}
	return nil
}

// objectAlgs names the algorithms client c can sign request objects with.
func (c *registeredClient) objectAlgs() string {
	var algs []string
	if c.rsaKey != nil {
		algs = append(algs, "RS256", "PS256")
	}
	if c.ecKey != nil {
		algs = append(algs, "ES256")
	}
	if c.Secret != "" {
		algs = append(algs, "HS256 with its client secret")
	}
	if len(algs) == 0 {
		return "it has neither keys nor a secret"
	}
	return "it can use " + strings.Join(algs, ", ")
}

func keyKind(alg jose.SignatureAlgorithm) string {
	switch alg {
	case jose.HS256:
		return "client secret"
	case jose.ES256:
		return "EC key"
	}
	return "RSA key"
}

// objectParams turns a request object's claims into authorization
// parameters: strings as they are, numbers and booleans in their JSON
// spelling, arrays of strings as repeated values, objects (claims,
// authorization_details) as JSON text.
func objectParams(claims map[string]any) (url.Values, *oauthError) {
	out := url.Values{}
	for name, v := range claims {
		if slices.Contains(requestObjectJWTClaims, name) {
			continue
		}
		switch v := v.(type) {
		case string:
			out.Set(name, v)
		case float64:
			out.Set(name, strconv.FormatFloat(v, 'f', -1, 64))
		case bool:
			out.Set(name, strconv.FormatBool(v))
		case nil:
		case []any:
			if name == "authorization_details" { // RFC 9396 §3: an array of objects
				b, _ := json.Marshal(v)
				out.Set(name, string(b))
				continue
			}
			for _, x := range v {
				s, ok := x.(string)
				if !ok {
					return nil, invalidObject("the request object's %s is an array of something other than strings", name)
				}
				out.Add(name, s)
			}
		default:
			b, _ := json.Marshal(v)
			out.Set(name, string(b))
		}
	}
	if out.Has("request") || out.Has("request_uri") {
		return nil, invalidObject("a request object must not contain request or request_uri (RFC 9101 §4)")
	}
	return out, nil
}

// mergeOuterParams applies RFC 9101 §5 and §6.3 to a verified request
// object's parameters: only the object's parameters are used, and a
// parameter sent both outside the object and in it must have the same value
// in both places.
func mergeOuterParams(object, outer url.Values) *oauthError {
	for name, values := range outer {
		if name == "request" {
			continue
		}
		inner, ok := object[name]
		if !ok {
			continue
		}
		if !slices.Equal(inner, values) {
			return invalidObject("%s is %q outside the request object but %q inside it; the two must match (RFC 9101 §6.3)", name, strings.Join(values, " "), strings.Join(inner, " "))
		}
	}
	return nil
}
