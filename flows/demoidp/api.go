package demoidp

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"
)

// APIPath is the path of the provider's small protected API, under the issuer and, with mutual
// TLS, under MTLSBaseURL: a resource server to try access tokens on (tokenbench call). It answers
// any method with who the token is for and how it is bound.
const APIPath = "/api/whoami"

// handleWhoami serves the demo API. It checks the access token exactly as the userinfo endpoint
// does and answers JSON: sub, client_id, scope, bound ("dpop", "mtls", "dpop+mtls" or "bearer")
// with the token's cnf, the method, and what body was received (its type and size, not its
// content, which may hold the token).
func (p *Provider) handleWhoami(w http.ResponseWriter, r *http.Request) {
	// Read the body first: a form body may carry the token (RFC 6750 §2.2) and is parsed below.
	body, err := io.ReadAll(r.Body)
	if err != nil {
		writeJSON(w, http.StatusRequestEntityTooLarge, map[string]string{"error": "invalid_request", "error_description": "the request body cannot be read: " + err.Error()})
		return
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	rec := p.authorizeResource(w, r, APIPath)
	if rec == nil {
		return
	}
	out := map[string]any{
		"sub":       rec.clientID, // a client_credentials token's subject is the client (RFC 9068 §2.2)
		"client_id": rec.clientID,
		"scope":     strings.Join(rec.scope, " "),
		"bound":     binding(rec),
		"method":    r.Method,
	}
	if u := rec.grant.user; u != nil {
		out["sub"] = u.sub
	}
	addCnf(out, rec.jkt)
	addCertificateCnf(out, rec.x5t)
	if len(body) > 0 {
		out["received"] = map[string]any{"content_type": r.Header.Get("Content-Type"), "bytes": len(body)}
	}
	writeJSON(w, http.StatusOK, out)
}

// binding names what an access token is bound to: a DPoP key (RFC 9449 §6), a client
// certificate (RFC 8705 §3), both, or nothing (a bearer token, RFC 6750).
func binding(rec *accessRecord) string {
	switch {
	case rec.jkt != "" && rec.x5t != "":
		return "dpop+mtls"
	case rec.jkt != "":
		return "dpop"
	case rec.x5t != "":
		return "mtls"
	}
	return "bearer"
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
