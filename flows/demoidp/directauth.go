package demoidp

import (
	"fmt"
	"net/http"
	"net/url"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"
)

// handleDirectAuthorize serves POST /v1/authorize, the BlockID-style direct
// authorization: instead of a browser sign-in, the client proves the user
// authenticated with proof_of_authentication_jwt, and the provider answers
// 303 with the authorization response in Location, which the client reads
// without following.
//
// The proof is a JWS over the user (sub "demo-user-1" or "demo") for the
// provider (aud = issuer), unexpired, signed with HS256 and the client's
// secret, or for demo-private-key-jwt with its registered RSA or EC key.
// RFC 7518 §3.2 requires an HS256 key of at least 256 bits, so only clients
// whose secret is at least 32 bytes long (demo-jwt) can sign one with HS256.
func (p *Provider) handleDirectAuthorize(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		p.writeOAuthError(w, badRequest("invalid_request", "the form could not be read: "+err.Error()))
		return
	}
	form := r.PostForm
	req, pageErr, oerr := p.parseAuthzRequest(form)
	if pageErr != "" {
		p.writeOAuthError(w, badRequest("invalid_request", pageErr))
		return
	}
	if oerr != nil {
		p.writeOAuthError(w, oerr)
		return
	}
	if desc := p.checkProofOfAuthentication(req.client, form.Get("proof_of_authentication_jwt")); desc != "" {
		p.writeOAuthError(w, badRequest("invalid_request", desc))
		return
	}
	f := p.Faults()
	if f.Deny {
		p.denyAuthz(w, r, req, "the demo provider is set to deny every request (fault deny)", http.StatusSeeOther, f)
		return
	}
	code := p.issueCode(req, true, f)
	w.Header().Set("Location", p.authzResponseURL(req.redirectURI, req.state, url.Values{"code": {code}}, f))
	w.WriteHeader(http.StatusSeeOther)
}

// checkProofOfAuthentication reports what is wrong with a proof of
// authentication JWT, or "" when it is acceptable.
func (p *Provider) checkProofOfAuthentication(c *registeredClient, proof string) string {
	if proof == "" {
		return "proof_of_authentication_jwt is missing"
	}
	tok, err := jwt.ParseSigned(proof, assertionAlgs)
	if err != nil {
		return "proof_of_authentication_jwt is not a compact JWS signed with HS256, RS256, PS256 or ES256: " + err.Error()
	}
	alg := jose.SignatureAlgorithm(tok.Headers[0].Algorithm)
	var key any
	switch {
	case alg == jose.HS256 && c.Secret == "":
		return fmt.Sprintf("proof_of_authentication_jwt is HS256, but client %s has no secret to sign it with", c.ID)
	case alg == jose.HS256 && len(c.Secret) < 32:
		return fmt.Sprintf("client %s's secret is %d bytes; RFC 7518 §3.2 requires at least 32 bytes (256 bits) for an HS256 key, so it cannot sign proof_of_authentication_jwt", c.ID, len(c.Secret))
	case alg == jose.HS256:
		key = []byte(c.Secret)
	case alg == jose.ES256 && c.ecKey != nil:
		key = c.ecKey
	case (alg == jose.RS256 || alg == jose.PS256) && c.rsaKey != nil:
		key = c.rsaKey
	default:
		return fmt.Sprintf("proof_of_authentication_jwt is %s, but client %s has no key for it; sign with HS256 and the client secret", alg, c.ID)
	}
	var claims jwt.Claims
	if err := tok.Claims(key, &claims); err != nil {
		return fmt.Sprintf("proof_of_authentication_jwt signature (%s) does not verify with client %s's credentials: %v", alg, c.ID, err)
	}
	if claims.Subject != demoUser.sub && claims.Subject != demoUser.username {
		return fmt.Sprintf("proof_of_authentication_jwt sub %q is not a known user; use %q or %q", claims.Subject, demoUser.sub, demoUser.username)
	}
	if !claims.Audience.Contains(p.issuer) {
		return fmt.Sprintf("proof_of_authentication_jwt aud %q does not contain the issuer %q", []string(claims.Audience), p.issuer)
	}
	now := p.now()
	if claims.Expiry == nil {
		return "proof_of_authentication_jwt has no exp"
	}
	if !now.Before(claims.Expiry.Time().Add(assertionLeeway)) {
		return fmt.Sprintf("proof_of_authentication_jwt expired at %s (provider time %s)", claims.Expiry.Time().UTC().Format(time.RFC3339), now.UTC().Format(time.RFC3339))
	}
	if claims.NotBefore != nil && claims.NotBefore.Time().After(now.Add(assertionLeeway)) {
		return "proof_of_authentication_jwt is not valid yet (nbf is in the future)"
	}
	return ""
}
