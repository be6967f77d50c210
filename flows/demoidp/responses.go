package demoidp

import (
	"encoding/json"
	"net/http"
)

// oauthError is an error response of the token endpoint and the endpoints
// that share its conventions (RFC 6749 §5.2).
type oauthError struct {
	status int    // HTTP status; 400 when zero
	code   string // the error code, such as invalid_grant
	desc   string // error_description, for humans
	// basic is set when the client tried HTTP Basic authentication, so a 401
	// must carry a matching WWW-Authenticate challenge (RFC 6749 §5.2).
	basic bool
}

func (e *oauthError) Error() string { return e.code + ": " + e.desc }

// badRequest builds a 400 error with the given code.
func badRequest(code, desc string) *oauthError {
	return &oauthError{status: http.StatusBadRequest, code: code, desc: desc}
}

// invalidClient builds a 401 invalid_client error.
func invalidClient(desc string, basic bool) *oauthError {
	return &oauthError{status: http.StatusUnauthorized, code: "invalid_client", desc: desc, basic: basic}
}

// noStore marks a response as not cacheable, as token responses must be
// (RFC 6749 §5.1).
func noStore(w http.ResponseWriter) {
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Pragma", "no-cache")
}

// writeJSON answers with v as JSON and no caching.
func writeJSON(w http.ResponseWriter, status int, v any) {
	body, err := json.Marshal(v)
	if err != nil {
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	noStore(w)
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

// writeOAuthError answers with e as an RFC 6749 §5.2 JSON error.
func (p *Provider) writeOAuthError(w http.ResponseWriter, e *oauthError) {
	status := e.status
	if status == 0 {
		status = http.StatusBadRequest
	}
	if status == http.StatusUnauthorized && e.basic {
		w.Header().Set("WWW-Authenticate", `Basic realm="tokenbench demo provider", charset="UTF-8"`)
	}
	writeJSON(w, status, map[string]string{"error": e.code, "error_description": e.desc})
}
