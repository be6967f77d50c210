package flows

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"
	"unicode"
)

// Exchange is one HTTP request and its response, as sent and received.
type Exchange struct {
	// ID numbers exchanges in the order they started, from 1.
	ID int
	// Step names the flow step that made the request ("discovery", "token", "userinfo" …).
	Step           string
	Started        time.Time
	Duration       time.Duration
	Method         string
	URL            string
	RequestHeader  http.Header
	RequestBody    []byte
	Status         int
	ResponseHeader http.Header
	ResponseBody   []byte
	// Err is the transport failure, when there was no complete response.
	Err string
	// note marks an entry of an export that is no exchange of the client's but a front-channel
	// request the browser made (BrowserRequest), and says what it is.
	note string
}

// Trace records every exchange of a session. It is safe for concurrent use; a nil *Trace records
// nothing.
//
// The trace only ever appends, in amortised constant time: an exchange once recorded is never
// changed, and a snapshot (Exchanges) shares the trace's storage up to its own length, which later
// appends never write. The trace holds pointers, each exchange allocated once, so that growing it
// copies 8 bytes an exchange, not the whole exchange: a record costs the same in a long session as in
// a short one.
type Trace struct {
	mu        sync.Mutex
	exchanges []*Exchange
	listeners []chan<- Exchange
	// browser are the front-channel requests (RecordBrowser).
	browser []BrowserRequest
}

func (t *Trace) add(x Exchange) {
	if t == nil {
		return
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	x.ID = len(t.exchanges) + 1
	if len(t.exchanges) == cap(t.exchanges) {
		// Double the room, as append does only for short slices: growing a long trace by a quarter
		// would copy, clear and allocate afresh four times as often.
		t.exchanges = slices.Grow(t.exchanges, len(t.exchanges)+1)
	}
	t.exchanges = append(t.exchanges, &x)
	for _, ch := range t.listeners {
		select {
		case ch <- x:
		default: // a slow listener misses live updates but can always read Exchanges
		}
	}
}

// Exchanges returns every exchange recorded so far, in constant time. The slice is a snapshot
// shared with the trace: later exchanges never show in it and never change it, and appending to it
// copies (its capacity is its length). The exchanges are the trace's own: read them, do not change
// them (copy one to change it).
func (t *Trace) Exchanges() []*Exchange {
	if t == nil {
		return nil
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	n := len(t.exchanges)
	return t.exchanges[:n:n]
}

// Len is the number of exchanges recorded so far.
func (t *Trace) Len() int {
	if t == nil {
		return 0
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	return len(t.exchanges)
}

// Notify sends each exchange recorded from now on to ch, without blocking.
func (t *Trace) Notify(ch chan<- Exchange) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.listeners = append(t.listeners, ch)
}

type stepKey struct{}

// WithStep labels the exchanges made with ctx as belonging to a flow step.
func WithStep(ctx context.Context, step string) context.Context {
	return context.WithValue(ctx, stepKey{}, step)
}

func stepFrom(ctx context.Context) string {
	s, _ := ctx.Value(stepKey{}).(string)
	return s
}

// Redacted is the mask shown in place of a secret.
const Redacted = "[redacted]"

// secretParams are form, query and JSON members that carry secrets or bearer credentials.
var secretParams = map[string]bool{
	"client_secret": true, "client_assertion": true, "code_verifier": true, "code": true,
	"password": true, "refresh_token": true, "access_token": true, "id_token": true, "token": true,
	"assertion": true, "subject_token": true, "actor_token": true, "device_code": true,
	"id_token_hint": true, "proof_of_authentication_jwt": true, "request": true, "logout_token": true,
	"auth_req_id":      true, // CIBA: with client authentication, it redeems the user's approval
	"login_hint_token": true,
	// RFC 7592 §3: the registration access token manages the client's registration.
	"registration_access_token": true,
}

// secretFormParams are secret where a client sends them in a form or URL: CIBA's user_code is the
// user's own secret code (CIBA Core §7.1), while the device grant's user_code comes back in a JSON
// answer to be shown to the user (RFC 8628 §3.2).
var secretFormParams = map[string]bool{"user_code": true}

// codeParams are secret only at the top level of a form, query or JSON object, where a "code" is an
// authorization code (RFC 6749 §4.1.2, §4.1.3). An error object nested in a JSON answer names its
// kind with a "code" of its own ({"error":{"code":"invalid_grant","message":…}}: Entra, Google
// APIs), which is what a failure is read by.
var codeParams = map[string]bool{"code": true}

// secretHeaders are headers whose value is a credential.
var secretHeaders = map[string]bool{"Authorization": true, "Proxy-Authorization": true, "Cookie": true, "Set-Cookie": true, "Dpop": true}

// secretHeaderWords mark other headers as credentials when their name holds one (X-Api-Key,
// X-Auth-Token, X-Client-Secret …).
var secretHeaderWords = []string{"token", "secret", "apikey", "password", "assertion", "session"}

func isSecretHeader(name string) bool {
	if secretHeaders[http.CanonicalHeaderKey(name)] {
		return true
	}
	n := normaliseName(name)
	for _, w := range secretHeaderWords {
		if strings.Contains(n, w) {
			return true
		}
	}
	return false
}

// Redact returns a copy of x with every secret masked: credentials in headers, secret members in
// form, query and JSON bodies.
func (x Exchange) Redact() Exchange {
	x.URL = redactURL(x.URL)
	x.RequestHeader = redactHeader(x.RequestHeader)
	x.ResponseHeader = redactHeader(x.ResponseHeader)
	x.RequestBody = redactBody(x.RequestBody, x.RequestHeader.Get("Content-Type"))
	x.ResponseBody = redactBody(x.ResponseBody, x.ResponseHeader.Get("Content-Type"))
	if loc := x.ResponseHeader.Get("Location"); loc != "" {
		x.ResponseHeader.Set("Location", redactURL(loc))
	}
	return x
}

func redactHeader(h http.Header) http.Header {
	if h == nil {
		return nil
	}
	out := h.Clone()
	for k, vs := range out {
		if !isSecretHeader(k) {
			continue
		}
		for i, v := range vs {
			if scheme, _, ok := strings.Cut(v, " "); ok && k == "Authorization" {
				vs[i] = scheme + " " + Redacted // the scheme helps debugging and is no secret
			} else {
				vs[i] = Redacted
			}
		}
	}
	return out
}

// redactValues encodes form or query values with secret members masked. The mask is left unescaped
// so that it reads as a mask; the result is for display, not for sending.
func redactValues(v url.Values) string {
	names := make([]string, 0, len(v))
	for k := range v {
		names = append(names, k)
	}
	sort.Strings(names)
	var parts []string
	for _, k := range names {
		for _, s := range v[k] {
			value := url.QueryEscape(s)
			if isSecretName(k, true) {
				value = Redacted
			}
			parts = append(parts, url.QueryEscape(k)+"="+value)
		}
	}
	return strings.Join(parts, "&")
}

// redactURL masks the secret members of a URL's query and fragment and the password of its
// userinfo (https://user:[redacted]@host; RFC 3986 §3.2.1 deprecates passwords there, so one that
// appears is a live credential).
func redactURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return redactUnparsableURL(raw)
	}
	user := ""
	if _, has := u.User.Password(); has {
		user = url.User(u.User.Username()).String() + ":" + Redacted + "@"
		u.User = nil
	}
	if u.RawQuery != "" {
		u.RawQuery = redactValues(u.Query())
	}
	fragment, err := url.ParseQuery(u.EscapedFragment())
	tail := ""
	if u.Fragment != "" && err == nil {
		u.Fragment, u.RawFragment = "", ""
		tail = "#" + redactValues(fragment)
	}
	out := u.String() + tail
	if user != "" {
		// The mask is written unescaped, as in redactValues, so that it reads as a mask.
		if scheme, rest, ok := strings.Cut(out, "://"); ok {
			out = scheme + "://" + user + rest
		}
	}
	return out
}

// redactUnparsableURL masks what a URL that does not parse may still carry: the userinfo before
// the host, and secret members after a ? or #.
func redactUnparsableURL(raw string) string {
	if scheme, rest, ok := strings.Cut(raw, "://"); ok {
		if at := strings.LastIndex(rest[:pathStart(rest)], "@"); at >= 0 {
			raw = scheme + "://" + Redacted + rest[at:]
		}
	}
	if i := strings.IndexAny(raw, "?#"); i >= 0 {
		return raw[:i+1] + string(redactPairs([]byte(raw[i+1:])))
	}
	return raw
}

// pathStart is where the authority of rest (a URL after its "scheme://") ends.
func pathStart(rest string) int {
	if i := strings.IndexAny(rest, "/?#"); i >= 0 {
		return i
	}
	return len(rest)
}

// redactBody masks the secrets of a body. A form body (its media type parsed, so any casing and
// parameters: Application/X-WWW-Form-Urlencoded; charset=UTF-8) is shown as its sorted pairs with
// each secret one masked. Whatever the declared media type, a JSON document then has every secret
// member masked at any depth (a token nested as authed_user.access_token is still a token; a "code"
// only at the top, see codeParams), and
// anything else is read as form pairs and each secret pair masked byte for byte, so that a body
// mislabelled by its provider cannot carry a token past the mask.
func redactBody(body []byte, contentType string) []byte {
	if len(body) == 0 {
		return body
	}
	if mt, _, _ := mime.ParseMediaType(contentType); mt == "application/x-www-form-urlencoded" {
		if v, err := url.ParseQuery(string(body)); err == nil {
			return []byte(redactValues(v))
		}
	}
	if out, ok := redactJSON(body); ok {
		return out
	}
	return redactPairs(body)
}

// isSecretName reports whether a form, query or JSON member name carries a secret. JSON members are
// matched without regard to case, dashes or underscores (accessToken, Access-Token).
func isSecretName(name string, form bool) bool {
	if secretParams[name] || form && secretFormParams[name] {
		return true
	}
	return secretNormalised[normaliseName(name)]
}

func normaliseName(name string) string {
	return strings.Map(func(r rune) rune {
		if r == '_' || r == '-' {
			return -1
		}
		return unicode.ToLower(r)
	}, name)
}

// secretNormalised is secretParams with names normalised, for members spelt another way.
var secretNormalised = func() map[string]bool {
	m := map[string]bool{}
	for k := range secretParams {
		m[normaliseName(k)] = true
	}
	return m
}()

// redactJSON masks secret members at any depth of a JSON document, and a "code" member of the
// top-level object only (codeParams). ok is false when body is not JSON. Numbers, booleans and null
// are left as they are: no credential is one, and an error's numeric "code" stays readable.
func redactJSON(body []byte) ([]byte, bool) {
	return redactJSONMembers(body, isSecretJSONName, nil)
}

// isSecretJSONName reports whether a JSON member of that name carries a secret in a trace.
func isSecretJSONName(name string) bool { return isSecretName(name, false) }

// redactJSONMembers is redactJSON with the names that hold a secret given by secret, and each
// secret string handed to found before it is masked (see maskJSONMembers).
func redactJSONMembers(body []byte, secret func(name string) bool, found func(string)) ([]byte, bool) {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var doc any
	if dec.Decode(&doc) != nil {
		return nil, false
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, false // more after the value: not one JSON document
	}
	if !maskJSONMembers(doc, true, secret, found) {
		return body, true
	}
	out, err := json.Marshal(doc)
	if err != nil {
		return []byte(Redacted), true
	}
	return out, true
}

// maskJSONMembers is the one JSON masking, for the trace and a HAR file alike: it masks in place
// every member of v, at any depth, whose name secret reports (a "code" only in the top-level object,
// codeParams), and reports whether it changed anything. A member that is a string is handed to found
// first, when found is not nil, for the HAR redaction to mask it wherever else it appears.
func maskJSONMembers(v any, top bool, secret func(name string) bool, found func(string)) bool {
	changed := false
	switch v := v.(type) {
	case map[string]any:
		for k, member := range v {
			switch member.(type) {
			case nil, bool, json.Number:
			default:
				if secret(k) && (top || !codeParams[normaliseName(k)]) {
					if s, ok := member.(string); ok && found != nil {
						found(s)
					}
					v[k] = Redacted
					changed = true
					continue
				}
			}
			changed = maskJSONMembers(member, false, secret, found) || changed
		}
	case []any:
		for _, e := range v {
			changed = maskJSONMembers(e, false, secret, found) || changed
		}
	}
	return changed
}

// redactPairs masks the value of every secret pair of a form-encoded body, query or fragment, and
// leaves everything else byte for byte: a pair that does not decode keeps its raw name for the
// check, so a malformed body cannot smuggle a token past the mask.
func redactPairs(body []byte) []byte {
	parts := bytes.Split(body, []byte("&"))
	changed := false
	for i, part := range parts {
		name, _, has := bytes.Cut(part, []byte("="))
		if !has {
			continue
		}
		key := strings.TrimSpace(string(name))
		if k, err := url.QueryUnescape(key); err == nil {
			key = k
		}
		if isSecretName(key, true) {
			parts[i] = append(append([]byte{}, name...), "="+Redacted...)
			changed = true
		}
	}
	if !changed {
		return body
	}
	return bytes.Join(parts, []byte("&"))
}

// String renders the exchange as HTTP/1.1-style text, as stored (call Redact first to mask secrets).
func (x Exchange) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "> %s %s\n", x.Method, x.URL)
	writeHeader(&b, "> ", x.RequestHeader)
	if len(x.RequestBody) > 0 {
		fmt.Fprintf(&b, ">\n> %s\n", x.RequestBody)
	}
	if x.Err != "" {
		fmt.Fprintf(&b, "! %s (after %s)\n", x.Err, x.Duration.Round(time.Millisecond))
		return b.String()
	}
	fmt.Fprintf(&b, "< %d %s (%s)\n", x.Status, http.StatusText(x.Status), x.Duration.Round(time.Millisecond))
	writeHeader(&b, "< ", x.ResponseHeader)
	if len(x.ResponseBody) > 0 {
		fmt.Fprintf(&b, "<\n< %s\n", x.ResponseBody)
	}
	return b.String()
}

func writeHeader(b *strings.Builder, prefix string, h http.Header) {
	keys := make([]string, 0, len(h))
	for k := range h {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		for _, v := range h[k] {
			fmt.Fprintf(b, "%s%s: %s\n", prefix, k, v)
		}
	}
}

// Curl renders the request as a curl command line that repeats it (call Redact first to mask secrets).
func (x Exchange) Curl() string {
	parts := []string{"curl"}
	if x.Method != http.MethodGet || len(x.RequestBody) > 0 {
		parts = append(parts, "-X", x.Method)
	}
	parts = append(parts, shellQuote(x.URL))
	keys := make([]string, 0, len(x.RequestHeader))
	for k := range x.RequestHeader {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		for _, v := range x.RequestHeader[k] {
			parts = append(parts, "-H", shellQuote(k+": "+v))
		}
	}
	if len(x.RequestBody) > 0 {
		parts = append(parts, "--data-raw", shellQuote(string(x.RequestBody)))
	}
	return strings.Join(parts, " ")
}

// shellQuote quotes s for a POSIX shell.
func shellQuote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
