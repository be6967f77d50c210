package stepper

import (
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/tokenbench/tokenbench/flows"
)

// The right pane's pieces for the newer features: the pushed request (RFC 9126) and the request
// object (RFC 9101) on Authorize, the CIBA wait, the assertion and token exchange requests, what the
// token response granted (RFC 8693 issued_token_type, RFC 9396 authorization_details) and DPoP.

// pushedView is the pushed authorization request's answer: the request_uri the browser carries.
func (s flowModel) pushedView(p *flowPane, r *flows.AuthRequest) {
	par := r.PAR
	if par == nil {
		return
	}
	st := s.c.Styles
	p.heading("Pushed authorization request " + st.Muted.Render("(RFC 9126; the trace has the POST)"))
	p.kv("pushed to", st.URL.Render(par.Endpoint))
	p.kv("request_uri", par.RequestURI)
	p.kv("expires in", fmt.Sprintf("%d s", par.ExpiresIn)+st.Muted.Render("  (the browser must get there before)"))
	names := make([]string, 0, len(par.Pushed))
	for k := range par.Pushed {
		names = append(names, k)
	}
	sort.Strings(names)
	p.kv("pushed", strings.Join(names, " "))
}

// requestObjectView is the signed request object: its header and claims (RFC 9101 §4).
func (s flowModel) requestObjectView(p *flowPane, r *flows.AuthRequest) {
	if r.RequestObject == "" {
		return
	}
	st := s.c.Styles
	how := "by value, in request="
	switch {
	case r.PAR != nil:
		how = "pushed with PAR"
	case r.RequestObjectURI != "":
		how = "by reference: served once at request_uri for the provider to fetch, §5.2"
	}
	p.heading("Request object " + st.Muted.Render("(RFC 9101, "+how+")"))
	j, err := flows.DecodeJWT(r.RequestObject)
	if err != nil {
		p.line(st.Fail.Render(err.Error()))
		return
	}
	for _, h := range []string{"alg", "kid", "typ"} {
		if v, ok := j.Header[h]; ok {
			p.kv(h, memberText(v))
		}
	}
	p.line(st.Label.Render("claims:"))
	s.members(p, j.Claims)
}

// cibaView is CIBA's wait: the binding message, where the user approves, the countdown and polling
// (CIBA Core §7.3; the approval URL is the built-in provider's stand-in for the user's device).
func (s flowModel) cibaView(p *flowPane) {
	st := s.c.Styles
	a := s.ciba
	if a == nil {
		s.request(p, "POST", s.endpoint(func(e flows.Endpoints) string { return e.BackchannelAuthentication }))
		p.kv("scope", s.form.value(fieldScope))
		s.cibaHints(p)
		params := s.form.cibaParams()
		for _, r := range params["resource"] {
			p.kv("resource", r)
		}
		if d := params.Get("authorization_details"); d != "" {
			p.kv("authorization_details", d)
		}
		if s.c.Client != nil {
			s.clientAuth(p)
		}
		s.formView(p)
		return
	}
	p.blank()
	p.line(st.Label.Render("The user approves on their authentication device."))
	if a.BindingMessage != "" {
		p.line(st.Muted.Render("Binding message (the device must show the same):"))
		p.b.WriteString(st.UserCode.Render(a.BindingMessage) + "\n")
	}
	if a.ApprovalURI != "" {
		p.kv("approve at", st.URL.Render(a.ApprovalURI)+st.Muted.Render("  (o opens; the built-in provider's device)"))
	}
	p.kv("auth_req_id", s.secret(a.AuthReqID))
	if left, ok := s.cibaLeft(); ok {
		if left > 0 {
			p.kv("expires in", st.Value.Bold(true).Render(countdownText(left)))
		} else {
			p.kv("expires in", st.Fail.Render("expired"))
		}
	}
	status := st.Muted.Render("waiting for the first poll")
	if s.devicePolls > 0 {
		status = fmt.Sprintf("%s (poll %d)", s.devicePoll.Code, s.devicePolls)
	}
	if mode := s.form.value(fieldCIBAMode); mode != flows.CIBAPoll && s.steps[stepToken].state == stateRunning {
		p.kv("waiting", "for the provider's "+mode+" at "+s.form.value(fieldNotifyEndpoint)+st.Muted.Render("  (CIBA Core §10)"))
		p.line(st.Muted.Render("Only a client registered for " + mode + " mode with this endpoint is notified (backchannel_token_delivery_mode); a poll client never is: esc, and choose poll."))
	} else if s.steps[stepToken].state == stateRunning {
		interval := a.PollInterval()
		if s.devicePoll.Interval > 0 {
			interval = s.devicePoll.Interval
		}
		p.kv("polling", fmt.Sprintf("every %s — %s", interval, status))
	}
}

// cibaHints are the backchannel authentication request's user hint (login_hint unless an
// id_token_hint or a login_hint_token names the user instead), binding message, user code and
// requested expiry (CIBA Core §7.1).
func (s flowModel) cibaHints(p *flowPane) {
	f := s.form
	hint, token := f.value(fieldIDTokenHint), f.value(fieldLoginHintToken)
	if login := f.value(fieldLoginHint); login != "" || (hint == "" && token == "") {
		p.kv("login_hint", login)
	}
	if hint != "" {
		p.kv("id_token_hint", s.secret(hint))
	}
	if token != "" {
		p.kv("login_hint_token", s.secret(token))
	}
	if m := f.value(fieldBindingMessage); m != "" {
		p.kv("binding_message", m)
	}
	if c := f.value(fieldUserCode); c != "" {
		p.kv("user_code", s.secret(c)) // the user's own secret code (CIBA Core §7.1)
	}
	if expiry, err := f.requestedExpiry(); err != nil {
		p.kv("requested_expiry", s.c.Styles.Fail.Render(err.Error()))
	} else if expiry > 0 {
		// The seconds sent: the provider may grant less, and says so in expires_in (§7.3).
		p.kv("requested_expiry", strconv.FormatInt(int64(expiry/time.Second), 10)+s.c.Styles.Muted.Render("  seconds for auth_req_id"))
	}
}

// grantRequest is the token request of the assertion grants and of token exchange.
func (s flowModel) grantRequest(p *flowPane) {
	st := s.c.Styles
	f := s.form
	switch s.grant {
	case grantJWTBearer:
		if file := f.value(fieldAssertionFile); file != "" {
			p.kv("assertion", st.Muted.Render("the JWT in "+file+", read when sent (RFC 7523 §2.1)"))
		} else {
			s.madeAssertion(p)
		}
	case grantSAMLBearer:
		p.kv("assertion", st.Muted.Render("the file's XML, base64url-encoded (RFC 7522 §2.1)"))
	case grantTokenExchange:
		s.exchangeView(p)
	case grantAuthCode, grantClientCredentials, grantPassword, grantDevice, grantCIBA, numGrants:
	}
	if s.grant != grantTokenExchange {
		p.kv("scope", f.value(fieldScope))
	}
}

// madeAssertion is the JWT assertion tokenbench will sign: its claims and its key (RFC 7523 §3).
func (s flowModel) madeAssertion(p *flowPane) {
	st := s.c.Styles
	f := s.form
	p.kv("assertion", st.Muted.Render("a JWT signed by tokenbench (RFC 7523 §3), made when sent:"))
	iss := f.value(fieldAssertionIssuer)
	if iss == "" && s.c.Client != nil {
		iss = s.c.Client.Config.ClientID
	}
	p.kv("  iss", iss)
	p.kv("  sub", f.value(fieldAssertionSubject))
	aud := f.value(fieldAssertionAudience)
	if aud == "" {
		aud = s.endpoint(func(e flows.Endpoints) string { return e.Token })
	}
	p.kv("  aud", aud)
	if lifetime, err := f.assertionLifetime(); err != nil {
		p.kv("  exp", st.Fail.Render(err.Error()))
	} else {
		if lifetime == 0 {
			lifetime = flows.DefaultAssertionLifetime
		}
		p.kv("  exp", st.Muted.Render(fmt.Sprintf("in %s; iat and a fresh jti", secondsText(int64(lifetime.Seconds())))))
	}
	if key := f.value(fieldAssertionKey); key != "" {
		p.kv("  signed with", key+st.Muted.Render("  (read when sent)"))
	} else {
		p.kv("  signed with", st.Muted.Render("the client's signing key, else HS256 with its secret"))
	}
}

// exchangeView is the token exchange request's parameters (RFC 8693 §2.1).
func (s flowModel) exchangeView(p *flowPane) {
	st := s.c.Styles
	f := s.form
	r, err := s.exchangeRequest()
	if err != nil {
		p.kv("subject_token", st.Fail.Render(f.value(fieldSubjectSource)+": none yet"))
	} else {
		p.kv("subject_token", s.secret(r.SubjectToken)+st.Muted.Render("  "+f.value(fieldSubjectSource)))
	}
	p.kv("subject_token_type", r.SubjectTokenType)
	if r.ActorToken != "" {
		p.kv("actor_token", s.secret(r.ActorToken))
		p.kv("actor_token_type", r.ActorTokenType)
	}
	if r.RequestedTokenType != "" {
		p.kv("requested_token_type", r.RequestedTokenType)
	}
	for _, a := range r.Audience {
		p.kv("audience", a)
	}
	for _, res := range r.Resource {
		p.kv("resource", res)
	}
}

// grantedView says what the token response granted beyond the token: the issued token type of token
// exchange (RFC 8693 §2.2.1) and the authorization details (RFC 9396 §7).
func (s flowModel) grantedView(p *flowPane, t *flows.Token) {
	st := s.c.Styles
	if s.grant == grantTokenExchange {
		p.blank()
		if it := t.IssuedTokenType(); it != "" {
			p.kv("issued type", st.Pass.Render(it)+st.Muted.Render("  (RFC 8693 §2.2.1)"))
		} else {
			p.kv("issued type", st.Fail.Render("none in the answer: RFC 8693 §2.2.1 requires issued_token_type"))
		}
	}
	d := t.AuthorizationDetails()
	if d == nil {
		if s.form.value(fieldAuthzDetails) != "" && s.grant.sendsDetails() {
			p.line(st.Muted.Render("authorization_details were asked for; the response has none (RFC 9396 §7)"))
		}
		return
	}
	p.heading("authorization_details granted " + st.Muted.Render("(RFC 9396 §7)"))
	b, err := json.MarshalIndent(d, "", "  ")
	if err != nil {
		p.line(memberText(d))
		return
	}
	for _, l := range strings.Split(string(b), "\n") {
		p.line(l)
	}
}

// dpopNote says that the request carries a DPoP proof, with the session key's thumbprint.
func (s flowModel) dpopNote(p *flowPane) {
	if !s.form.on(fieldDPoP) {
		return
	}
	jkt := s.dpopJKT
	if jkt == "" {
		jkt = "being made"
	}
	p.kv("DPoP", s.c.Styles.Muted.Render("a proof signed by the session key (RFC 9449 §4), jkt "+jkt))
}

// dpopValue is the DPoP field's value in the form: on with the session key's thumbprint.
func (s flowModel) dpopValue() string {
	if !s.form.on(fieldDPoP) {
		return "off"
	}
	if s.dpopJKT == "" {
		return "on" + s.c.Styles.Muted.Render("  (making the key…)")
	}
	return "on" + s.c.Styles.Muted.Render("  key jkt "+s.dpopJKT)
}
