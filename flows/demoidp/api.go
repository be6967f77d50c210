package demoidp

import (
	"bytes"
	"io"
	"net/http"
	"strings"
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
