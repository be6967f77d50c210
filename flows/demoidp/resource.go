package demoidp

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// bearerRealm names the protected resource in WWW-Authenticate challenges.
const bearerRealm = "tokenbench demo provider"

// bearerChallenge answers a userinfo request that failed authorization
// (RFC 6750 §3). A request without a token gets the bare challenge, with no
// error code (RFC 6750 §3.1).
func bearerChallenge(w http.ResponseWriter, status int, code, desc string) {
	challenge := fmt.Sprintf(`Bearer realm=%q`, bearerRealm)
	body := map[string]string{}
	if code != "" {
		challenge += fmt.Sprintf(`, error=%q, error_description=%q`, code, desc)
		body["error"], body["error_description"] = code, desc
	}
	w.Header().Set("WWW-Authenticate", challenge)
	writeJSON(w, status, body)
}

// handleUserinfo serves the UserInfo endpoint (OIDC Core §5.3) to a bearer
// access token in the Authorization header or, for POST, in the form body
// (RFC 6750 §2.1, §2.2). It releases the claims the token's scope allows.
func (p *Provider) handleUserinfo(w http.ResponseWriter, r *http.Request) {
	if p.Faults().HTMLErrors {
		writeRawHTML(w, http.StatusBadGateway, proxyErrorPage)
		return
	}
	rec := p.authorizeResource(w, r, "/userinfo")
	if rec == nil {
		return
	}
	if rec.grant.user == nil {
		bearerChallenge(w, http.StatusForbidden, "insufficient_scope", "the access token was issued to the client itself (client_credentials) and has no end-user")
		return
	}
	claims := map[string]any{"sub": rec.grant.user.sub}
	addUserClaims(claims, rec.grant.user, rec.scope)
	p.writeUserinfo(w, rec.clientID, claims)
}

// bearerToken finds the access token of a request. It reports a problem
// when the request carries more than one, which RFC 6750 §2 forbids.
func bearerToken(r *http.Request) (token, problem string) {
	var found []string
	if authz := r.Header.Get("Authorization"); authz != "" {
		scheme, value, _ := strings.Cut(authz, " ")
		if !strings.EqualFold(scheme, "Bearer") {
			return "", fmt.Sprintf("the Authorization header uses the %s scheme; the UserInfo endpoint needs Bearer", scheme)
		}
		value = strings.TrimSpace(value)
		if value == "" {
			return "", "the Authorization header has the Bearer scheme but no token"
		}
		found = append(found, value)
	}
	if r.Method == http.MethodPost && strings.HasPrefix(r.Header.Get("Content-Type"), "application/x-www-form-urlencoded") {
		if err := r.ParseForm(); err == nil && r.PostForm.Has("access_token") {
			found = append(found, r.PostForm.Get("access_token"))
		}
	}
	if r.URL.Query().Has("access_token") {
		found = append(found, r.URL.Query().Get("access_token"))
	}
	switch len(found) {
	case 0:
		return "", ""
	case 1:
		return found[0], ""
	default:
		return "", "the request carries the access token more than once; RFC 6750 §2 allows one method per request"
	}
}

// backChannelRequest reads an authenticated form POST to an introspection or
// revocation endpoint; when it fails, the error answer has been written.
func (p *Provider) backChannelRequest(w http.ResponseWriter, r *http.Request, path string) (*registeredClient, url.Values, bool) {
	if p.Faults().HTMLErrors {
		writeRawHTML(w, http.StatusBadGateway, proxyErrorPage)
		return nil, nil, false
	}
	form, oerr := readBackChannelForm(r)
	if oerr == nil {
		var c *registeredClient
		if c, oerr = p.authenticateClient(r, form, p.endpoint(path)); oerr == nil {
			return c, form, true
		}
	}
	p.writeOAuthError(w, oerr)
	return nil, nil, false
}

// handleIntrospect serves the introspection endpoint (RFC 7662). Only
// confidential clients may introspect; any of them may introspect any
// token.
func (p *Provider) handleIntrospect(w http.ResponseWriter, r *http.Request) {
	c, form, ok := p.backChannelRequest(w, r, "/introspect")
	if !ok {
		return
	}
	if c.AuthMethod == authNone {
		p.writeOAuthError(w, invalidClient(fmt.Sprintf("client %s is a public client; introspection needs client authentication (RFC 7662 §2.1)", c.ID), false))
		return
	}
	token := form.Get("token")
	if token == "" {
		p.writeOAuthError(w, badRequest("invalid_request", "token is missing"))
		return
	}
	writeJSON(w, http.StatusOK, p.introspect(token))
}

// introspect describes a token (RFC 7662 §2.2). Whatever is unknown,
// expired or revoked is only {"active": false}.
func (p *Provider) introspect(token string) map[string]any {
	now := p.now()
	p.mu.Lock()
	defer p.mu.Unlock()
	if a := p.store.access[token]; a != nil && a.activeAt(now) {
		out := map[string]any{
			"active":     true,
			"client_id":  a.clientID,
			"token_type": "Bearer",
			"exp":        a.exp.Unix(),
			"iat":        a.iat.Unix(),
			"nbf":        a.iat.Unix(),
			"sub":        a.clientID,
			"aud":        a.aud,
			"iss":        p.issuer,
			"jti":        a.jti,
		}
		if len(a.scope) > 0 {
			out["scope"] = strings.Join(a.scope, " ")
		}
		if a.jkt != "" {
			out["token_type"], out["cnf"] = "DPoP", map[string]any{"jkt": a.jkt}
		}
		addCertificateCnf(out, a.x5t)
		if u := a.grant.user; u != nil {
			out["sub"] = u.sub
			out["username"] = u.username
		}
		return out
	}
	if rt := p.store.refresh[token]; rt != nil && rt.activeAt(now) {
		out := map[string]any{
			"active":    true,
			"client_id": rt.clientID,
			"exp":       rt.exp.Unix(),
			"iat":       rt.iat.Unix(),
			"sub":       rt.grant.user.sub,
			"username":  rt.grant.user.username,
			"iss":       p.issuer,
		}
		if len(rt.scope) > 0 {
			out["scope"] = strings.Join(rt.scope, " ")
		}
		return out
	}
	return map[string]any{"active": false}
}

// handleRevoke serves the revocation endpoint (RFC 7009). Revoking a refresh
// token revokes the whole grant: the refresh token and every access token
// issued with it (RFC 7009 §2.1). Unknown tokens are answered 200 as well.
func (p *Provider) handleRevoke(w http.ResponseWriter, r *http.Request) {
	c, form, ok := p.backChannelRequest(w, r, "/revoke")
	if !ok {
		return
	}
	token := form.Get("token")
	if token == "" {
		p.writeOAuthError(w, badRequest("invalid_request", "token is missing"))
		return
	}
	// token_type_hint only says where to look first (RFC 7009 §2.1); both
	// kinds are looked up regardless, so it is not needed.
	p.mu.Lock()
	var owner string
	if a := p.store.access[token]; a != nil {
		owner = a.clientID
		if owner == c.ID {
			a.revoked = true
		}
	} else if rt := p.store.refresh[token]; rt != nil {
		owner = rt.clientID
		if owner == c.ID {
			rt.revoked = true
			rt.grant.revoked = true
		}
	}
	p.mu.Unlock()
	if owner != "" && owner != c.ID {
		p.writeOAuthError(w, badRequest("unauthorized_client", fmt.Sprintf("the token was issued to client %s, not %s (RFC 7009 §2.1)", owner, c.ID)))
		return
	}
	noStore(w)
	w.WriteHeader(http.StatusOK)
}

// authorizeResource checks the access token of a request to the protected resource at path, the
// way the userinfo endpoint does: one token, in the Authorization header (Bearer or DPoP scheme),
// the form body or the query (RFC 6750 §2); known, not revoked, not expired; with a DPoP proof by
// its key, ath included, when it is DPoP-bound (RFC 9449 §7); over mutual TLS with its certificate
// when it is certificate-bound (RFC 8705 §3). It returns the token's record, or nil when it has
// written the refusal (RFC 6750 §3, RFC 9449 §7.1).
func (p *Provider) authorizeResource(w http.ResponseWriter, r *http.Request, path string) *accessRecord {
	token, dpop, problem := resourceToken(r)
	if problem != "" {
		bearerChallenge(w, http.StatusBadRequest, "invalid_request", problem)
		return nil
	}
	if token == "" {
		bearerChallenge(w, http.StatusUnauthorized, "", "")
		return nil
	}
	now := p.now()
	p.mu.Lock()
	rec := p.store.access[token]
	var desc string
	switch {
	case rec == nil:
		desc = "the access token is unknown to the provider"
	case rec.revoked || rec.grant.revoked:
		desc = "the access token has been revoked"
	case !now.Before(rec.exp):
		desc = fmt.Sprintf("the access token expired at %s", rec.exp.UTC().Format(time.RFC3339))
	}
	p.mu.Unlock()
	if desc != "" {
		bearerChallenge(w, http.StatusUnauthorized, "invalid_token", desc)
		return nil
	}
	if !p.checkResourceDPoP(w, r, path, rec, token, dpop) || !p.checkResourceCertificate(w, r, rec) {
		return nil
	}
	return rec
}
