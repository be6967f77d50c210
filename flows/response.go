package flows

import (
	"bytes"
	"encoding/json"
	"fmt"
	"mime"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync"
)

// response is a received answer, body read whole by the recording transport.
type response struct {
	status int
	header http.Header
	body   []byte
	url    string
}

// utf8BOM is the UTF-8 byte-order mark, which RFC 8259 §8.1 forbids before a JSON text and some
// servers (.NET and Java stacks writing with a BOM-adding encoder) send anyway.
const utf8BOM = "\xef\xbb\xbf"

// withoutBOM is body without a leading UTF-8 byte-order mark, and whether there was one.
func withoutBOM(body []byte) ([]byte, bool) {
	if rest, ok := bytes.CutPrefix(body, []byte(utf8BOM)); ok {
		return rest, true
	}
	return body, false
}

// bomNote is the note on an answer that began with a byte-order mark.
const bomNote = "the answer starts with a UTF-8 byte-order mark (EF BB BF), which RFC 8259 §8.1 says a sender must not add; tokenbench ignored it"

// isHTML reports whether a body is an HTML page: a proxy's error page, a login page, or a
// single-page app answering every path.
func isHTML(header http.Header, body []byte) bool {
	if mt, _, _ := mime.ParseMediaType(header.Get("Content-Type")); mt == "text/html" || mt == "application/xhtml+xml" {
		return true
	}
	head := bytes.ToLower(bytes.TrimSpace(body[:min(len(body), 512)]))
	return bytes.HasPrefix(head, []byte("<!doctype html")) || bytes.HasPrefix(head, []byte("<html"))
}

var titleRE = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`(?is)<title[^>]*>(.*?)</title>`) })

// htmlTitle is the page's title, if it has one, collapsed to one line.
func htmlTitle(body []byte) string {
	m := titleRE().FindSubmatch(body)
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

// statusDetail describes an answer with an unexpected status and no OAuth error: the status, the
// WWW-Authenticate challenge if any, and the start of the body (or that there was none).
func statusDetail(r response) string {
	d := fmt.Sprintf("%s answered HTTP %d %s", r.url, r.status, http.StatusText(r.status))
	if ch := r.header.Get("WWW-Authenticate"); ch != "" {
		d += fmt.Sprintf(" with the challenge WWW-Authenticate: %s", ch)
	}
	if len(bytes.TrimSpace(r.body)) == 0 {
		return d + " and an empty body"
	}
	return d + ": " + snippet(r.body)
}

// redirectError describes a 3xx from an endpoint that must answer itself: where Location points and
// what that likely means. tokenbench does not follow it: a POST redirected loses its body or, with
// 307/308, sends the client's credentials to another place.
func redirectError(r response) *Error {
	loc := r.header.Get("Location")
	d := fmt.Sprintf("%s answered HTTP %d %s", r.url, r.status, http.StatusText(r.status))
	if loc == "" {
		return &Error{Kind: KindRedirected, Detail: d + " without a Location header"}
	}
	d += " to " + loc
	from, err1 := url.Parse(r.url)
	to, err2 := url.Parse(loc)
	if err1 == nil && err2 == nil {
		to = from.ResolveReference(to)
		lower := strings.ToLower(to.Path + "?" + to.RawQuery)
		switch {
		case from.Scheme == "http" && to.Scheme == "https" && from.Host == to.Host && from.Path == to.Path:
			d += ": the server moves plain HTTP to HTTPS; configure the https:// URL"
		case strings.Contains(lower, "login") || strings.Contains(lower, "signin") || strings.Contains(lower, "sign-in") || strings.Contains(lower, "sso") || strings.Contains(lower, "auth?"):
			d += ": a sign-in page, so the URL is a browser page or sits behind a gateway that wants a session, not the endpoint"
		case from.Host != to.Host:
			d += ": another host; the tenant moved, or the URL names a front door rather than the endpoint"
		default:
			d += ": the path is not the endpoint (a trailing slash, a wrong path or a moved endpoint); check the endpoint URL or discovery"
		}
	}
	return &Error{Kind: KindRedirected, Detail: d}
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
	r.body, _ = withoutBOM(r.body) // an invisible mark must not make a JSON body "not JSON"
	var em errorMembers
	jsonErr := json.Unmarshal(r.body, &em)
	if jsonErr == nil && em.Error != "" {
		return &OAuthError{Code: em.Error, Description: em.ErrorDescription, URI: em.ErrorURI, Status: r.status, Endpoint: endpoint,
			Challenge: r.header.Get("WWW-Authenticate")}
	}
	if r.status >= 300 && r.status <= 399 {
		return redirectError(r)
	}
	if r.status < 200 || r.status > 299 {
		return &Error{Kind: KindUnexpectedStatus, Detail: statusDetail(r)}
	}
	if jsonErr == nil {
		jsonErr = json.Unmarshal(r.body, v)
	}
	if jsonErr != nil {
		return &Error{Kind: KindNonJSON, Detail: fmt.Sprintf("%s answered HTTP %d with a body that is not a JSON object: %s", r.url, r.status, snippet(r.body)), Err: jsonErr}
	}
	return nil
}
