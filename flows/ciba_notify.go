package flows

import (
	"context"
	"crypto/subtle"
	"crypto/tls"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// The token delivery modes of CIBA (OpenID CIBA Core §5): the client polls the token endpoint, is
// pinged at its client notification endpoint and then fetches the token, or is pushed the tokens
// there.
const (
	CIBAPoll = "poll"
	CIBAPing = "ping"
	CIBAPush = "push"
)

// CIBAModes are the token delivery modes, poll first (the default).
var CIBAModes = []string{CIBAPoll, CIBAPing, CIBAPush}

// Claims of an ID token delivered in push mode (CIBA Core §10.3.1).
const (
	claimAuthReqID = "urn:openid:params:jwt:claim:auth_req_id"
	claimRTHash    = "urn:openid:params:jwt:claim:rt_hash"
)

// maxNotificationBody bounds a notification's body: a push carries a token response, no more.
const maxNotificationBody = 1 << 20

// CIBANotifications is the client notification endpoint of CIBA ping and push modes (CIBA Core
// §10.2, §10.3), served on loopback: the provider POSTs to it, with the client_notification_token
// the backchannel request sent as a Bearer token. The endpoint is registered with the provider
// (backchannel_client_notification_endpoint, CIBA Core §4), so its port is normally fixed.
type CIBANotifications struct {
	srv   *loopbackServer
	path  string
	token string
	hits  chan notification
	done  chan struct{}
}

// notification is one POST to the endpoint, waiting for AwaitCIBA's verdict (the status to answer).
type notification struct {
	started time.Time
	method  string
	url     string
	header  http.Header
	body    []byte
	status  chan int
}

// ListenCIBANotifications serves the client notification endpoint at endpoint, an http loopback URL
// (127.0.0.1, [::1], localhost); port 0 binds any free port, which Endpoint then names, for a
// client registered after the port is known. It makes a fresh client_notification_token (CIBA Core
// §7.1: at least 128 bits of entropy, for one request).
func ListenCIBANotifications(endpoint string) (*CIBANotifications, error) {
	return listenCIBANotifications(endpoint, nil)
}

// ListenCIBANotificationsTLS is ListenCIBANotifications for an https loopback endpoint served with
// cert, for a provider that registers only https notification endpoints (CIBA Core §4 asks for
// https) and trusts cert.
func ListenCIBANotificationsTLS(endpoint string, cert tls.Certificate) (*CIBANotifications, error) {
	return listenCIBANotifications(endpoint, &cert)
}

func listenCIBANotifications(endpoint string, cert *tls.Certificate) (*CIBANotifications, error) {
	u, err := url.Parse(endpoint)
	if err != nil {
		return nil, &Error{Kind: KindListenerFailed, Detail: fmt.Sprintf("the client notification endpoint %q cannot be parsed", endpoint), Err: err}
	}
	n := &CIBANotifications{path: u.EscapedPath(), token: randomValue(), hits: make(chan notification), done: make(chan struct{})}
	if n.path == "" {
		n.path = "/"
	}
	n.srv, err = serveLoopback(endpoint, "client notification endpoint", http.HandlerFunc(n.serve), cert)
	if err != nil {
		return nil, err
	}
	return n, nil
}

// Endpoint is the URL served, naming the port bound.
func (n *CIBANotifications) Endpoint() string { return n.srv.url }

// Token is the client_notification_token to send in the backchannel request.
func (n *CIBANotifications) Token() string { return n.token }

// Close stops serving.
func (n *CIBANotifications) Close() error {
	select {
	case <-n.done:
	default:
		close(n.done)
	}
	return n.srv.close()
}

func (n *CIBANotifications) serve(w http.ResponseWriter, r *http.Request) {
	if r.URL.EscapedPath() != n.path {
		http.Error(w, "not the client notification endpoint", http.StatusNotFound)
		return
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, maxNotificationBody+1))
	if err != nil {
		http.Error(w, "unreadable request", http.StatusBadRequest)
		return
	}
	hit := notification{started: time.Now(), method: r.Method, url: n.srv.url, header: r.Header.Clone(), body: body, status: make(chan int, 1)}
	select {
	case n.hits <- hit:
	case <-n.done:
		http.Error(w, "tokenbench is no longer waiting for this notification", http.StatusGone)
		return
	case <-r.Context().Done():
		return
	}
	status := http.StatusServiceUnavailable
	select {
	case status = <-hit.status:
	case <-time.After(10 * time.Second):
	}
	if status == http.StatusUnauthorized {
		w.Header().Set("WWW-Authenticate", `Bearer error="invalid_token"`)
	}
	w.WriteHeader(status)
}

// AwaitCIBA waits at n for the provider's notification about a, sent with the client notification
// token n made, and returns the tokens: in ping mode (CIBA Core §10.2) the notification carries only
// auth_req_id and the client then redeems it at the token endpoint (step "ciba token"); in push mode
// (§10.3) it carries the token response, whose ID token must hold at_hash, the auth_req_id in
// urn:openid:params:jwt:claim:auth_req_id and, with a refresh token, its rt_hash (§10.3.1), all
// checked here, with the ID token's signature and claims. Each notification is recorded in the trace
// as step "ciba notification". One without the right Bearer token or for another auth_req_id is
// answered 401 or 400 and waiting goes on; a push error (§12) ends it. The wait ends with ctx or
// when auth_req_id expires.
func (c *Client) AwaitCIBA(ctx context.Context, a *CIBAAuthorization, n *CIBANotifications, mode string) (*Token, error) {
	if mode != CIBAPing && mode != CIBAPush {
		return nil, fmt.Errorf("flows: AwaitCIBA is for ping and push modes, not %q", mode)
	}
	if !a.Expiry.IsZero() {
		var cancel context.CancelFunc
		ctx, cancel = context.WithDeadline(ctx, a.Expiry)
		defer cancel()
	}
	ignored := ""
	for {
		select {
		case <-ctx.Done():
			if ctx.Err() == context.DeadlineExceeded && !a.Expiry.IsZero() && !time.Now().Before(a.Expiry) {
				return nil, &Error{Kind: KindCIBANotification, Detail: "the auth_req_id expired before the provider's notification came" + ignored}
			}
			return nil, ctx.Err()
		case hit := <-n.hits:
			status, members, why := n.judge(hit, a.AuthReqID)
			c.recordNotification(hit, status)
			hit.status <- status
			if why != "" {
				ignored = "; a notification was refused: " + why
				continue
			}
			if mode == CIBAPing {
				return c.requestToken(ctx, "ciba token", url.Values{"grant_type": {GrantCIBA}, "auth_req_id": {a.AuthReqID}})
			}
			return c.pushedToken(ctx, hit, members, a.AuthReqID)
		}
	}
}

// judge answers a notification: 204 (CIBA Core §10.2: "SHOULD respond with an HTTP 204 No
// Content") with its members, or an error status and why it was refused.
func (n *CIBANotifications) judge(hit notification, authReqID string) (int, map[string]any, string) {
	got, ok := strings.CutPrefix(hit.header.Get("Authorization"), "Bearer ")
	switch {
	case hit.method != http.MethodPost:
		return http.StatusMethodNotAllowed, nil, fmt.Sprintf("it was a %s, not a POST", hit.method)
	case !ok || subtle.ConstantTimeCompare([]byte(got), []byte(n.token)) != 1:
		// CIBA Core §10.2: the notification carries the client_notification_token as a bearer
		// token (RFC 6750), which is how the client knows it comes from the provider.
		return http.StatusUnauthorized, nil, "it did not carry the client_notification_token as its Bearer token"
	case len(hit.body) > maxNotificationBody:
		return http.StatusRequestEntityTooLarge, nil, fmt.Sprintf("its body is over the %d-byte limit", maxNotificationBody)
	}
	var members map[string]any
	dec := json.NewDecoder(strings.NewReader(string(hit.body)))
	dec.UseNumber()
	if err := dec.Decode(&members); err != nil {
		return http.StatusBadRequest, nil, "its body is not a JSON object: " + snippet(hit.body)
	}
	if id, _ := members["auth_req_id"].(string); id != authReqID {
		return http.StatusBadRequest, nil, fmt.Sprintf("it is about auth_req_id %q, not this request's", shortValue(id))
	}
	return http.StatusNoContent, members, ""
}

// shortValue is at most the first 12 characters of an identifier, for messages.
func shortValue(s string) string {
	if len(s) > 12 {
		return s[:12] + "…"
	}
	return s
}

// recordNotification adds a received notification to the trace, as an exchange the provider made.
func (c *Client) recordNotification(hit notification, status int) {
	c.recordIncoming(Exchange{
		Step: "ciba notification", Started: hit.started, Duration: time.Since(hit.started),
		Method: hit.method, URL: hit.url, RequestHeader: hit.header, RequestBody: hit.body,
		Status: status, ResponseHeader: http.Header{},
	})
}

// recordIncoming adds to the trace a request the provider made to an endpoint tokenbench serves.
func (c *Client) recordIncoming(x Exchange) {
	if c.Trace != nil {
		c.Trace.add(x)
	}
}

// pushedToken reads the token response of a push notification (CIBA Core §10.3.1) or its error
// (§12), and checks the ID token as §10.3.1 requires.
func (c *Client) pushedToken(ctx context.Context, hit notification, members map[string]any, authReqID string) (*Token, error) {
	if code, _ := members["error"].(string); code != "" {
		desc, _ := members["error_description"].(string)
		return nil, &OAuthError{Endpoint: "client notification endpoint", Code: code, Description: desc}
	}
	t, err := ParseTokenResponse(http.StatusOK, http.Header{"Content-Type": {"application/json"}}, hit.body, hit.started)
	if err != nil {
		return nil, err
	}
	if t.IDToken == "" {
		return nil, &Error{Kind: KindCIBANotification, Detail: "the pushed token response has no id_token; CIBA Core §10.3.1 requires one, which binds the tokens to the request"}
	}
	r := c.ValidateIDToken(ctx, t.IDToken, Expect{AccessToken: t.AccessToken, IDToken: true})
	r.Checks = append(r.Checks, pushChecks(r, authReqID, t.RefreshToken)...)
	if failed := r.Failed(); len(failed) > 0 {
		var why []string
		for _, f := range failed {
			why = append(why, f.Name+": "+f.Detail)
		}
		return t, &Error{Kind: KindCIBANotification, Detail: "the pushed ID token fails its checks (CIBA Core §10.3.1): " + strings.Join(why, "; ")}
	}
	return t, nil
}

// pushChecks are the checks CIBA Core §10.3.1 adds for a pushed ID token: at_hash is required (not
// optional as from the token endpoint), the auth_req_id claim names the request, and rt_hash
// hashes the refresh token when there is one.
func pushChecks(r Report, authReqID, refreshToken string) []Check {
	var out []Check
	if at, ok := r.Find("at_hash"); ok && at.Status == CheckSkipped {
		out = append(out, fail("at_hash", KindCIBANotification, "the pushed ID token has no at_hash; CIBA Core §10.3.1 requires it"))
	}
	if r.Token == nil {
		return out
	}
	switch got, _ := r.Token.Claims[claimAuthReqID].(string); {
	case got == authReqID:
		out = append(out, passText(claimAuthReqID, "names this request's auth_req_id (CIBA Core §10.3.1)"))
	default:
		out = append(out, fail(claimAuthReqID, KindCIBANotification, "is %q, not this request's auth_req_id: the tokens answer another request", shortValue(got)))
	}
	if refreshToken == "" {
		return out
	}
	got, _ := r.Token.Claims[claimRTHash].(string)
	want, hashName, known := claimHash(r.Token.Alg(), refreshToken)
	switch {
	case !known:
		out = append(out, skip(claimRTHash, "alg %q defines no hash", r.Token.Alg()))
	case got == want:
		out = append(out, passText(claimRTHash, "is the left half of the "+hashName+" hash of the refresh token (CIBA Core §10.3.1)"))
	default:
		out = append(out, fail(claimRTHash, KindCIBANotification, "is %q, but the refresh token hashes to %q: they did not come from the same response", got, want))
	}
	return out
}
