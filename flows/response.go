package flows

import (
	"bytes"
	"encoding/json"
	"fmt"
	"mime"
	"net/http"
	"regexp"
	"strings"
)

// response is a received answer, body read whole by the recording transport.
type response struct {
	status int
	header http.Header
	body   []byte
	url    string
}

// isHTML reports whether a body is an HTML page: a proxy's error page, a login page, or a
// single-page app answering every path.
func isHTML(header http.Header, body []byte) bool {
	if mt, _, _ := mime.ParseMediaType(header.Get("Content-Type")); mt == "text/html" || mt == "application/xhtml+xml" {
		return true
	}
	head := bytes.ToLower(bytes.TrimSpace(body[:min(len(body), 512)]))
	return bytes.HasPrefix(head, []byte("<!doctype html")) || bytes.HasPrefix(head, []byte("<html"))
}

var titleRE = regexp.MustCompile(`(?is)<title[^>]*>(.*?)</title>`)

// htmlTitle is the page's title, if it has one, collapsed to one line.
func htmlTitle(body []byte) string {
	m := titleRE.FindSubmatch(body)
	if m == nil {
		return ""
	}
	return strings.Join(strings.Fields(string(m[1])), " ")
}

// snippetLength is how much of a body a message quotes, in bytes.
const snippetLength = 120

// snippet is the start of a body, for messages, with its secrets masked by the trace's own
// redaction (redactBody) before it is cut: an answer without an access_token can still hold a
// refresh token in its first bytes.
func snippet(body []byte) string {
	redacted := redactBody(body, "")
	s := strings.Join(strings.Fields(string(redacted[:min(len(redacted), snippetLength)])), " ")
	if len(redacted) > snippetLength {
		s += " …"
	}
	return s
}

// htmlError describes an HTML page received where JSON was expected.
func htmlError(r response) *Error {
	d := fmt.Sprintf("%s answered HTTP %d with an HTML page", r.url, r.status)
	if t := htmlTitle(r.body); t != "" {
		d += fmt.Sprintf(" titled %q", t)
	}
	return &Error{Kind: KindHTMLPage, Detail: d + " instead of JSON"}
}

// errorMembers are the RFC 6749 §5.2 members of an error answer.
type errorMembers struct {
	Error            string `json:"error"`
	ErrorDescription string `json:"error_description"`
	ErrorURI         string `json:"error_uri"`
}

// decodeJSON interprets a JSON answer: an HTML page, an unparsable body, an `error` member (honoured
// on any status, HTTP 200 included) or an unexpected status each become a typed error; otherwise the
// object is decoded into v.
func decodeJSON(r response, endpoint string, v any) error {
	if isHTML(r.header, r.body) {
		return htmlError(r)
	}
	var em errorMembers
	jsonErr := json.Unmarshal(r.body, &em)
	if jsonErr == nil && em.Error != "" {
		return &OAuthError{Code: em.Error, Description: em.ErrorDescription, URI: em.ErrorURI, Status: r.status, Endpoint: endpoint}
	}
	if r.status < 200 || r.status > 299 {
		return &Error{Kind: KindUnexpectedStatus, Detail: fmt.Sprintf("%s answered HTTP %d: %s", r.url, r.status, snippet(r.body))}
	}
	if jsonErr == nil {
		jsonErr = json.Unmarshal(r.body, v)
	}
	if jsonErr != nil {
		return &Error{Kind: KindNonJSON, Detail: fmt.Sprintf("%s answered HTTP %d with a body that is not a JSON object: %s", r.url, r.status, snippet(r.body)), Err: jsonErr}
	}
	return nil
}
