package flows

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"sync"
	"time"
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
}

// Trace records every exchange of a session. It is safe for concurrent use; a nil *Trace records
// nothing.
type Trace struct {
	mu        sync.Mutex
	exchanges []Exchange
	listeners []chan<- Exchange
}

func (t *Trace) add(x Exchange) {
	if t == nil {
		return
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	x.ID = len(t.exchanges) + 1
	t.exchanges = append(t.exchanges, x)
	for _, ch := range t.listeners {
		select {
		case ch <- x:
		default: // a slow listener misses live updates but can always read Exchanges
		}
	}
}

// Exchanges returns a copy of every exchange recorded so far.
func (t *Trace) Exchanges() []Exchange {
	if t == nil {
		return nil
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	return append([]Exchange(nil), t.exchanges...)
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

// secretHeaders are headers whose value is a credential.
var secretHeaders = map[string]bool{"Authorization": true, "Proxy-Authorization": true, "Cookie": true, "Set-Cookie": true, "Dpop": true}

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
		if !secretHeaders[http.CanonicalHeaderKey(k)] {
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
			if secretParams[k] || secretFormParams[k] {
				value = Redacted
			}
			parts = append(parts, url.QueryEscape(k)+"="+value)
		}
	}
	return strings.Join(parts, "&")
}

func redactURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return raw
	}
	if u.RawQuery != "" {
		u.RawQuery = redactValues(u.Query())
	}
	fragment, err := url.ParseQuery(u.EscapedFragment())
	if u.Fragment == "" || err != nil {
		return u.String()
	}
	u.Fragment, u.RawFragment = "", ""
	return u.String() + "#" + redactValues(fragment)
}

func redactBody(body []byte, contentType string) []byte {
	if len(body) == 0 {
		return body
	}
	if strings.HasPrefix(contentType, "application/x-www-form-urlencoded") {
		if v, err := url.ParseQuery(string(body)); err == nil {
			return []byte(redactValues(v))
		}
	}
	var obj map[string]json.RawMessage
	if json.Unmarshal(body, &obj) == nil {
		changed := false
		for k := range obj {
			if secretParams[k] {
				obj[k] = json.RawMessage(`"` + Redacted + `"`)
				changed = true
			}
		}
		if changed {
			out, _ := json.Marshal(obj)
			return out
		}
	}
	return body
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
