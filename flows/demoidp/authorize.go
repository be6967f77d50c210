package demoidp

import (
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// authzRequest is a validated authorization request (RFC 6749 §4.1.1, OIDC
// Core §3.1.2.1, RFC 7636 §4.3).
type authzRequest struct {
	client      *registeredClient
	redirectURI string
	state       string
	nonce       string
	scope       []string
	challenge   string
	method      string
	prompt      []string
	maxAge      int // -1 when absent
	loginHint   string
	// extras are the resources (RFC 8707) and authorization details (RFC
	// 9396) asked for.
	extras grantExtras
	// params are the request's parameters once a request object or a
	// pushed request's request_uri is resolved.
	params url.Values
}

// pkceValue matches a code_verifier or code_challenge (RFC 7636 §4.1, §4.2).
var pkceValue = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[A-Za-z0-9._~-]{43,128}$`) })

// parseAuthzRequest validates an authorization request. A problem with the
// client or the redirect URI is returned as pageErr: it must be shown to the
// user and never redirected (RFC 6749 §4.1.2.1). Any other problem is
// returned as an error to send to the redirect URI, with req usable for that.
func (p *Provider) parseAuthzRequest(q url.Values) (req *authzRequest, pageErr string, oerr *oauthError) {
	q, errTo, pageErr, oerr := p.resolveRequest(q)
	if pageErr != "" {
		return nil, pageErr, nil
	}
	if oerr != nil {
		return p.authzErrorTo(errTo, oerr)
	}
	for _, name := range []string{"client_id", "redirect_uri"} {
		if len(q[name]) > 1 {
			return nil, name + " is repeated; RFC 6749 §3.1 allows each parameter once", nil
		}
	}
	id := q.Get("client_id")
	if id == "" {
		return nil, "client_id is missing", nil
	}
	c := p.client(id)
	if c == nil {
		return nil, fmt.Sprintf("unknown client_id %q", id), nil
	}
	redirectURI := q.Get("redirect_uri")
	if msg := checkRedirectURI(redirectURI); msg != "" {
		return nil, msg, nil
	}
	req = &authzRequest{
		client:      c,
		redirectURI: redirectURI,
		state:       q.Get("state"),
		nonce:       q.Get("nonce"),
		loginHint:   q.Get("login_hint"),
		maxAge:      -1,
		params:      q,
	}
	for name, values := range q {
		if len(values) > 1 && name != "resource" { // RFC 8707 §2: several resources
			return req, "", badRequest("invalid_request", name+" is repeated; RFC 6749 §3.1 allows each parameter once")
		}
	}
	if oerr := req.parseResponseTypeAndMode(q); oerr != nil {
		return req, "", oerr
	}
	scope, serr := parseScope(q.Get("scope"))
	if serr != nil {
		return req, "", serr
	}
	req.scope = scope
	if req.extras, oerr = parseExtras(q); oerr != nil {
		return req, "", oerr
	}
	if oerr := req.parsePKCE(q); oerr != nil {
		return req, "", oerr
	}
	if oerr := req.parsePromptAndMaxAge(q); oerr != nil {
		return req, "", oerr
	}
	return req, "", nil
}

// parsePKCE reads code_challenge and code_challenge_method (RFC 7636 §4.3).
func (req *authzRequest) parsePKCE(q url.Values) *oauthError {
	req.challenge = q.Get("code_challenge")
	req.method = q.Get("code_challenge_method")
	switch {
	case !req.has("code"):
		return nil // no code, so nothing for PKCE to protect (implicit response types)
	case req.challenge == "" && req.method != "":
		return badRequest("invalid_request", "code_challenge_method was sent without code_challenge")
	case req.challenge == "" && req.client.AuthMethod == authNone:
		return badRequest("invalid_request", fmt.Sprintf("PKCE is required for the public client %s: send code_challenge and code_challenge_method=S256 (RFC 7636, RFC 9700 §2.1.1)", req.client.ID))
	case req.challenge == "":
		return nil
	}
	if req.method == "" {
		req.method = "plain" // RFC 7636 §4.3
	}
	if req.method != "S256" && req.method != "plain" {
		return badRequest("invalid_request", fmt.Sprintf("code_challenge_method %q is not supported; use S256 or plain", req.method))
	}
	if !pkceValue().MatchString(req.challenge) {
		return badRequest("invalid_request", "code_challenge must be 43 to 128 characters of A-Z a-z 0-9 - . _ ~ (RFC 7636 §4.2)")
	}
	return nil
}

// parsePromptAndMaxAge reads prompt and max_age (OIDC Core §3.1.2.1).
func (req *authzRequest) parsePromptAndMaxAge(q url.Values) *oauthError {
	req.prompt = strings.Fields(q.Get("prompt"))
	for _, v := range req.prompt {
		if !slices.Contains([]string{"none", "login", "consent", "select_account"}, v) {
			return badRequest("invalid_request", fmt.Sprintf("prompt value %q is not known; use none, login, consent or select_account", v))
		}
	}
	if slices.Contains(req.prompt, "none") && len(req.prompt) > 1 {
		return badRequest("invalid_request", "prompt=none cannot be combined with other prompt values")
	}
	if s := q.Get("max_age"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 0 {
			return badRequest("invalid_request", fmt.Sprintf("max_age %q is not a number of seconds", s))
		}
		req.maxAge = n
	}
	return nil
}

// handleAuthorize serves the authorization endpoint. The demo user is
// always signed in and consents at once, unless prompt asks for a login or
// consent page.
func (p *Provider) handleAuthorize(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	req, pageErr, oerr := p.parseAuthzRequest(q)
	if pageErr != "" {
		messagePage(w, http.StatusBadRequest, "Invalid authorization request", pageErr+". The provider does not redirect back, because it cannot trust the redirect URI (RFC 6749 §4.1.2.1).")
		return
	}
	f := p.Faults()
	if oerr == nil {
		oerr = p.parRequired(q, f)
	}
	if oerr != nil {
		p.authzRedirect(w, r, req, url.Values{"error": {oerr.code}, "error_description": {oerr.desc}}, http.StatusFound, f)
		return
	}
	if f.Deny {
		p.denyAuthz(w, r, req, "the demo provider is set to deny every request (fault deny)", http.StatusFound, f)
		return
	}
	if slices.Contains(req.prompt, "login") || slices.Contains(req.prompt, "consent") {
		renderPage(w, http.StatusOK, "consent", pageData{
			Title:     "Sign in",
			Client:    req.client.ID,
			LoginHint: req.loginHint,
			Scopes:    req.scope,
			Action:    p.endpoint("/authorize"),
			Hidden:    hiddenFields(req.params),
		})
		return
	}
	p.approveAuthz(w, r, req, false, http.StatusFound, f)
}

// handleAuthorizeDecision receives the Approve or Deny of the login and
// consent page, with the original request in hidden fields.
func (p *Provider) handleAuthorizeDecision(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		messagePage(w, http.StatusBadRequest, "Invalid request", "The form could not be read: "+err.Error())
		return
	}
	form := r.PostForm
	decision := form.Get("decision")
	form.Del("decision")
	req, pageErr, oerr := p.parseAuthzRequest(form)
	if pageErr != "" {
		messagePage(w, http.StatusBadRequest, "Invalid authorization request", pageErr+".")
		return
	}
	f := p.Faults()
	// 303 makes the browser follow with GET.
	switch {
	case oerr != nil:
		p.authzRedirect(w, r, req, url.Values{"error": {oerr.code}, "error_description": {oerr.desc}}, http.StatusSeeOther, f)
	case f.Deny:
		p.denyAuthz(w, r, req, "the demo provider is set to deny every request (fault deny)", http.StatusSeeOther, f)
	case decision == "approve":
		p.approveAuthz(w, r, req, slices.Contains(req.prompt, "login"), http.StatusSeeOther, f)
	default:
		p.denyAuthz(w, r, req, "the user denied the request", http.StatusSeeOther, f)
	}
}

// denyAuthz sends access_denied to the client.
func (p *Provider) denyAuthz(w http.ResponseWriter, r *http.Request, req *authzRequest, why string, status int, f Faults) {
	p.authzRedirect(w, r, req, url.Values{"error": {"access_denied"}, "error_description": {why}}, status, f)
}

// approveAuthz issues an authorization code for the demo user and sends it
// to the client. login forces a fresh authentication (auth_time = now).
func (p *Provider) approveAuthz(w http.ResponseWriter, r *http.Request, req *authzRequest, login bool, status int, f Faults) {
	params, err := p.approvedResponse(req, login, f)
	if err != nil {
		messagePage(w, http.StatusInternalServerError, "Internal error", err.Error())
		return
	}
	p.authzRedirect(w, r, req, params, status, f)
}

// issueCode stores a new authorization code for req.
func (p *Provider) issueCode(req *authzRequest, login bool, f Faults) string {
	now := p.now()
	code := randomToken()
	p.mu.Lock()
	defer p.mu.Unlock()
	p.store.sweep(now)
	s := p.signIn(now, login, req.maxAge)
	expires := now.Add(p.opts.CodeLifetime)
	if f.ExpiredCode {
		expires = now.Add(-time.Second)
	}
	p.store.codes[code] = &authCode{
		clientID:    req.client.ID,
		redirectURI: req.redirectURI,
		scope:       req.scope,
		nonce:       req.nonce,
		challenge:   req.challenge,
		method:      req.method,
		extras:      req.extras,
		authTime:    s.authTime,
		sid:         s.sid,
		expires:     expires,
	}
	return code
}

// signIn returns the demo user's browser session, starting one if there is
// none, and authenticating again when login is set or the last
// authentication is older than maxAge seconds (OIDC Core §3.1.2.1). The
// caller holds p.mu.
func (p *Provider) signIn(now time.Time, login bool, maxAge int) *session {
	s := p.store.session
	if s == nil {
		s = &session{sid: randomToken(), authTime: now}
		p.store.session = s
		return s
	}
	if login || (maxAge >= 0 && now.Sub(s.authTime) > time.Duration(maxAge)*time.Second) {
		s.authTime = now
	}
	return s
}

// authzRedirect sends an authorization response to the client's redirect
// URI, adding state and iss (RFC 9207) and applying the wrong-state and
// wrong-iss faults.
func (p *Provider) authzRedirect(w http.ResponseWriter, r *http.Request, req *authzRequest, params url.Values, status int, f Faults) {
	p.sendAuthzResponse(w, r, req, params, status, f) // in the request's response mode
}

// authzResponseURL builds the URL of an authorization response.
func (p *Provider) authzResponseURL(redirectURI, state string, params url.Values, f Faults) string {
	if f.WrongState {
		if state == "" {
			state = "unexpected-state"
		} else {
			state += "-tampered"
		}
	}
	if state != "" {
		params.Set("state", state)
	}
	params.Set("iss", p.responseIssuer(f))
	u, err := url.Parse(redirectURI)
	if err != nil { // checked by checkRedirectURI already
		return redirectURI
	}
	// Keep any query the redirect URI has (RFC 6749 §3.1.2).
	if u.RawQuery != "" {
		u.RawQuery += "&" + params.Encode()
	} else {
		u.RawQuery = params.Encode()
	}
	return u.String()
}

// responseIssuer is the issuer named in authorization responses and ID
// tokens: the real one, or another under the wrong-iss fault.
func (p *Provider) responseIssuer(f Faults) string {
	if f.WrongIss {
		return p.issuer + "/evil"
	}
	return p.issuer
}
