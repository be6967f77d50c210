package demoidp

import (
	"bytes"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode"

	"github.com/go-jose/go-jose/v4/jwt"
)

// Client-initiated backchannel authentication, poll mode (OpenID CIBA Core 1.0).
const (
	grantCIBA = "urn:openid:params:grant-type:ciba"
	// cibaLifetime is the longest an auth_req_id lives, and its lifetime when the client asks for
	// none (requested_expiry, CIBA Core §7.1).
	cibaLifetime = 10 * time.Minute
	// maxBindingMessage bounds binding_message: it is shown on a phone (CIBA Core §7.1 asks for a
	// short, plain message).
	maxBindingMessage = 64
)

// cibaRequest is a backchannel authentication request waiting for the user (CIBA Core §7.1).
type cibaRequest struct {
	authReqID      string
	scope          []string
	bindingMessage string
	extras         grantExtras
	// delivery and notificationToken are the client's registered ping or push delivery and the
	// client_notification_token its request sent (CIBA Core §7.1, §10).
	delivery          cibaDelivery
	notificationToken string
	pendingApproval
}

// handleBackchannelAuthentication serves the backchannel authentication endpoint (CIBA Core §7):
// a confidential client authenticates as at the token endpoint and names the user with exactly one
// of login_hint, id_token_hint and login_hint_token. The answer is an auth_req_id to poll the token
// endpoint with; the user approves at {issuer}/ciba, the demo's stand-in for the authentication
// device.
func (p *Provider) handleBackchannelAuthentication(w http.ResponseWriter, r *http.Request) {
	resp, oerr := p.backchannelAuthentication(r)
	if oerr != nil {
		p.writeOAuthError(w, oerr)
		return
	}
	writeJSON(w, http.StatusOK, resp)
}

func (p *Provider) backchannelAuthentication(r *http.Request) (map[string]any, *oauthError) {
	form, oerr := readBackChannelForm(r)
	if oerr != nil {
		return nil, oerr
	}
	c, oerr := p.authenticateClient(r, form, p.endpoint("/bc-authorize"))
	if oerr != nil {
		return nil, oerr
	}
	if c.AuthMethod == authNone {
		return nil, badRequest("unauthorized_client", fmt.Sprintf("client %s is a public client; CIBA is for confidential clients only (CIBA Core §7.1)", c.ID))
	}
	scope, oerr := parseScope(form.Get("scope"))
	if oerr != nil {
		return nil, oerr
	}
	if !hasScope(scope, "openid") {
		return nil, badRequest("invalid_scope", "scope must include openid: a CIBA request is an OpenID Connect authentication request (CIBA Core §7.1)")
	}
	if oerr := p.cibaUser(c, form); oerr != nil {
		return nil, oerr
	}
	msg := form.Get("binding_message")
	if oerr := checkBindingMessage(msg); oerr != nil {
		return nil, oerr
	}
	if form.Has("user_code") && form.Get("user_code") != demoUser.password {
		return nil, badRequest("invalid_user_code", "the user_code is not the demo user's (it is the demo user's password, demo)")
	}
	lifetime := cibaLifetime
	if s := form.Get("requested_expiry"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n <= 0 {
			return nil, badRequest("invalid_request", fmt.Sprintf("requested_expiry %q is not a positive number of seconds (CIBA Core §7.1)", s))
		}
		lifetime = min(lifetime, time.Duration(n)*time.Second)
	}
	ext, oerr := parseExtras(form)
	if oerr != nil {
		return nil, oerr
	}
	token := form.Get("client_notification_token")
	if c.ciba.mode == cibaPing || c.ciba.mode == cibaPush {
		if token == "" {
			return nil, badRequest("invalid_request", fmt.Sprintf("client %s is registered for %s mode, so client_notification_token is required (CIBA Core §7.1)", c.ID, c.ciba.mode))
		}
		if len(token) > 1024 {
			return nil, badRequest("invalid_request", "client_notification_token is over 1024 characters (CIBA Core §7.1 bounds it)")
		}
	}
	now := p.now()
	req := &cibaRequest{
		authReqID:         randomToken(),
		scope:             scope,
		bindingMessage:    msg,
		extras:            ext,
		delivery:          c.ciba,
		notificationToken: token,
		pendingApproval: pendingApproval{
			clientID: c.ID,
			expires:  now.Add(lifetime),
			interval: time.Duration(p.advertisedInterval()) * time.Second,
		},
	}
	p.mu.Lock()
	if p.store.ciba == nil {
		p.store.ciba = map[string]*cibaRequest{}
	}
	for k, old := range p.store.ciba {
		if now.Sub(old.expires) > time.Hour {
			delete(p.store.ciba, k) // long dead: an hour is enough for a precise "expired"
		}
	}
	p.store.ciba[req.authReqID] = req
	p.mu.Unlock()
	return map[string]any{
		"auth_req_id": req.authReqID,
		"expires_in":  int(lifetime / time.Second),
		"interval":    p.advertisedInterval(),
		// Not a CIBA member: the demo's stand-in for the authentication device, which tokenbench
		// shows and opens.
		"tokenbench_approval_uri": p.endpoint("/ciba") + "?" + url.Values{"auth_req_id": {req.authReqID}}.Encode(),
	}, nil
}

// cibaUser checks the hint naming the user (CIBA Core §7.1): exactly one of login_hint (the demo
// user's username, email or sub), id_token_hint (an ID token this provider issued to the client) and
// login_hint_token (not supported by the demo).
func (p *Provider) cibaUser(c *registeredClient, form url.Values) *oauthError {
	var given []string
	for _, name := range []string{"login_hint", "id_token_hint", "login_hint_token"} {
		if form.Get(name) != "" {
			given = append(given, name)
		}
	}
	switch len(given) {
	case 0:
		return badRequest("invalid_request", "name the user with one of login_hint, id_token_hint or login_hint_token (CIBA Core §7.1)")
	case 1:
	default:
		return badRequest("invalid_request", fmt.Sprintf("%s were all sent; CIBA Core §7.1 allows exactly one hint", strings.Join(given, ", ")))
	}
	switch given[0] {
	case "login_hint":
		h := form.Get("login_hint")
		if h != demoUser.username && h != demoUser.email && h != demoUser.sub {
			return badRequest("unknown_user_id", fmt.Sprintf("login_hint %q names no user of this provider; the demo user is %q (or %s, or %s)", h, demoUser.username, demoUser.email, demoUser.sub))
		}
	case "id_token_hint":
		var claims jwt.Claims
		if err := p.verifyOwnToken(form.Get("id_token_hint"), &claims); err != nil {
			return badRequest("invalid_request", "id_token_hint is not an ID token from this provider: "+err.Error())
		}
		if !claims.Audience.Contains(c.ID) {
			return badRequest("invalid_request", fmt.Sprintf("id_token_hint was issued to %q, not to client %s", []string(claims.Audience), c.ID))
		}
		if claims.Subject != demoUser.sub {
			return badRequest("unknown_user_id", fmt.Sprintf("id_token_hint names the subject %q, which is no user of this provider", claims.Subject))
		}
	default:
		return badRequest("invalid_request", "login_hint_token is not supported by the demo provider; use login_hint=demo or an id_token_hint")
	}
	return nil
}

// checkBindingMessage refuses a binding message too long or not plain enough to show on the
// authentication device (CIBA Core §7.1, §13 invalid_binding_message).
func checkBindingMessage(msg string) *oauthError {
	if n := len([]rune(msg)); n > maxBindingMessage {
		return badRequest("invalid_binding_message", fmt.Sprintf("binding_message has %d characters; the provider shows at most %d", n, maxBindingMessage))
	}
	if i := strings.IndexFunc(msg, func(r rune) bool { return !unicode.IsPrint(r) }); i >= 0 {
		return badRequest("invalid_binding_message", fmt.Sprintf("binding_message has a control character at byte %d; send plain text", i))
	}
	return nil
}

// cibaPage lists the pending requests with their binding messages: the demo's authentication
// device.
var cibaPage = sync.OnceValue(func() *template.Template {
	return template.Must(template.Must(pageTemplates().Clone()).New("body").Parse(`{{if .Message}}<p>{{.Message}}</p>{{end}}
{{range .Pending}}<form method="get" action="{{$.Action}}"><input type="hidden" name="auth_req_id" value="{{.ID}}">
<p><strong>{{.Client}}</strong> asks Demo User to sign in{{if .Binding}}, showing <code>{{.Binding}}</code>{{end}}. Scopes:{{range .Scopes}} <code>{{.}}</code>{{end}}</p>
<p><button type="submit">Approve</button><button type="submit" name="deny" value="1">Deny</button></p></form>
{{else}}<p>No sign-in request is waiting.</p>{{end}}`))
})

type cibaPending struct {
	ID, Client, Binding string
	Scopes              []string
}

type cibaPageData struct {
	Title, Message, Action string
	Pending                []cibaPending
}

// handleCIBA is the approval page: the pending requests, or, with auth_req_id, the demo user's
// approval (or, with deny=1, refusal) of one.
func (p *Provider) handleCIBA(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	now := p.now()
	id := q.Get("auth_req_id")
	if id == "" {
		data := cibaPageData{Title: "Sign-in requests", Action: p.endpoint("/ciba")}
		p.mu.Lock()
		for _, c := range p.store.ciba {
			if c.state == devicePending && now.Before(c.expires) {
				data.Pending = append(data.Pending, cibaPending{ID: c.authReqID, Client: c.clientID, Binding: c.bindingMessage, Scopes: c.scope})
			}
		}
		p.mu.Unlock()
		slices.SortFunc(data.Pending, func(a, b cibaPending) int { return strings.Compare(a.ID, b.ID) })
		var buf bytes.Buffer
		if err := cibaPage().ExecuteTemplate(&buf, "layout", data); err != nil {
			http.Error(w, "internal error: "+err.Error(), http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Header().Set("Cache-Control", "no-store")
		_, _ = w.Write(buf.Bytes())
		return
	}
	deny := q.Get("deny") != "" && q.Get("deny") != "0"
	p.mu.Lock()
	c := p.store.ciba[id]
	var status int
	var title, msg string
	switch {
	case c == nil || !now.Before(c.expires):
		status, title, msg = http.StatusBadRequest, "Unknown request", "The sign-in request is unknown or has expired."
	case c.state != devicePending:
		status, title, msg = http.StatusBadRequest, "Request already answered", "The sign-in request has already been approved or denied."
	case deny:
		c.state = deviceDenied
		status, title, msg = http.StatusOK, "Sign-in denied", fmt.Sprintf("You denied %s's sign-in request%s.", c.clientID, bindingText(c.bindingMessage))
	default:
		s := p.signIn(now, true, -1)
		c.state, c.authTime, c.sid = deviceApproved, s.authTime, s.sid
		status, title, msg = http.StatusOK, "Sign-in approved", fmt.Sprintf("Demo User approved %s's sign-in request%s. Return to the application.", c.clientID, bindingText(c.bindingMessage))
	}
	p.mu.Unlock()
	if status == http.StatusOK && !deny && c.delivery.mode != "" && c.delivery.mode != cibaPoll {
		msg += " " + p.notifyCIBA(c) // outside the lock: the client's endpoint may call back
	}
	messagePage(w, status, title, msg)
}

func bindingText(msg string) string {
	if msg == "" {
		return ""
	}
	return fmt.Sprintf(" (binding message %q)", msg)
}

// grantCIBA polls for a backchannel authentication (CIBA Core §10.1, §11): as the device grant,
// authorization_pending until the user decides, slow_down when polled faster than the interval.
func (p *Provider) grantCIBA(c *registeredClient, form url.Values, f Faults, jkt string) (*tokenResponse, *oauthError) {
	id := form.Get("auth_req_id")
	if id == "" {
		return nil, badRequest("invalid_request", "auth_req_id is missing")
	}
	now := p.now()
	p.mu.Lock()
	req := p.store.ciba[id]
	var oerr *oauthError
	switch {
	case req == nil:
		oerr = badRequest("invalid_grant", "unknown auth_req_id")
	case c.ciba.mode == cibaPush:
		// CIBA Core §10.1 and §11: a push-mode client gets its tokens at its notification
		// endpoint and must not call the token endpoint.
		oerr = badRequest("unauthorized_client", fmt.Sprintf("client %s is registered for push mode: the tokens are delivered to its client notification endpoint, not fetched here (CIBA Core §10.3)", c.ID))
	default:
		oerr = req.poll(now, c.ID, "auth_req_id", p.endpoint("/ciba"))
	}
	var ext grantExtras
	if oerr == nil {
		ext, oerr = req.extras.narrow(form)
	}
	if oerr != nil {
		p.mu.Unlock()
		return nil, oerr
	}
	req.state = deviceRedeemed
	g := &grant{clientID: c.ID, user: demoUser, authTime: req.authTime, sid: req.sid, extras: ext}
	scope := req.scope
	p.mu.Unlock()
	return p.issueTokens(g, scope, scope, "", true, f, jkt)
}
