package flows

import (
	"net/url"
	"time"
)

// The front channel in the trace: the requests that went through the user's browser rather than the
// client's transport, kept beside the exchanges so that an export shows the whole flow.

// BrowserRequest is a request the browser made, which tokenbench did not send and whose answer it
// never saw: the authorization request the browser was sent to (RFC 6749 §4.1.1), and the redirect
// that brought the authorization response back to the listener, or the URL pasted in its place
// (§4.1.2).
type BrowserRequest struct {
	// Step names the flow step ("authorize", "callback").
	Step   string
	At     time.Time
	Method string
	URL    string
	// Note says what the entry is and where it came from.
	Note string
	// after is the number of exchanges recorded before it, which places it among them.
	after int
}

// RecordBrowser keeps a front-channel request. It is not an exchange: it has no number, the trace's
// listeners are not told, and Exchanges does not list it; HAR and Markdown include it.
func (t *Trace) RecordBrowser(r BrowserRequest) {
	if t == nil {
		return
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	r.after = len(t.exchanges)
	t.browser = append(t.browser, r)
}

// Browser returns the front-channel requests recorded so far, oldest first.
func (t *Trace) Browser() []BrowserRequest {
	if t == nil {
		return nil
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	return append([]BrowserRequest(nil), t.browser...)
}

// recordAuthorizationRequest keeps the authorization request the browser is sent to.
func (c *Client) recordAuthorizationRequest(req *AuthRequest) {
	c.Trace.RecordBrowser(BrowserRequest{
		// At is on the transport's clock, as the exchanges' Started.
		Step: "authorize", At: time.Now(), Method: "GET", URL: req.URL,
		Note: "the authorization request the browser was sent to (RFC 6749 §4.1.1); the browser made it, not tokenbench",
	})
}

// recordCallback keeps the authorization response as it came back: params on the redirect URI, as
// the listener received them or as pasted (how says which). The parameters are written as a query
// whatever the response mode (query, fragment, form_post), so that the redaction masks the code and
// any token in them.
func (c *Client) recordCallback(req *AuthRequest, params url.Values, how string) {
	u := req.RedirectURI
	if len(params) > 0 {
		u += "?" + params.Encode()
	}
	c.Trace.RecordBrowser(BrowserRequest{
		Step: "callback", At: time.Now(), Method: "GET", URL: u,
		Note: "the authorization response (RFC 6749 §4.1.2) " + how + "; written as a query whatever the response mode",
	})
}

// exportEntries are the trace's exchanges and front-channel requests, redacted, in the order they
// were recorded; a front-channel request is an exchange with no response (Status 0) whose note says
// what it is.
func (t *Trace) exportEntries() []Exchange {
	xs, bs := t.Exchanges(), t.Browser()
	out := make([]Exchange, 0, len(xs)+len(bs))
	for i := 0; i <= len(xs); i++ {
		for len(bs) > 0 && bs[0].after <= i {
			b := bs[0]
			bs = bs[1:]
			out = append(out, Exchange{Step: b.Step, Started: b.At, Method: b.Method, URL: b.URL, note: b.Note}.Redact())
		}
		if i < len(xs) {
			out = append(out, xs[i].Redact())
		}
	}
	return out
}
