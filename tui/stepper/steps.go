package stepper

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/tokenbench/tokenbench/flows"
	"github.com/tokenbench/tokenbench/flows/untrusted"
)

// The right pane of each step: its request before it is sent, its response after.

func (s flowModel) discoverView(p *flowPane) {
	issuer := ""
	if s.c.Client != nil {
		issuer = s.c.Client.Config.Issuer
	}
	urls, err := flows.DiscoveryURLs(issuer)
	if err != nil || len(urls) == 0 {
		p.line(s.c.Styles.Muted.Render("No issuer is configured: the endpoints must be given."))
		return
	}
	s.request(p, "GET", urls[0])
	for _, u := range urls[1:] {
		p.line(s.c.Styles.Muted.Render("then, if absent: " + u))
	}
	m := s.meta
	if m == nil || s.steps[stepDiscover].state != stateDone {
		return
	}
	s.response(p, stepDiscover)
	// The metadata is the provider's text: shown, never obeyed.
	p.kv("issuer", untrusted.Line(m.Issuer))
	for _, e := range m.Endpoints.List() {
		if e.URL != "" {
			p.kv(e.Name, untrusted.Line(e.URL))
		}
	}
	p.kv("grant types", untrusted.Line(strings.Join(m.GrantTypes, " ")))
	p.kv("PKCE methods", untrusted.Line(strings.Join(m.CodeChallengeMethods, " ")))
	p.kv("iss in response", fmt.Sprintf("%v (RFC 9207)", m.IssParameterSupported))
}

func (s flowModel) authorizeView(p *flowPane) {
	st := s.c.Styles
	if s.grant == grantDevice {
		s.deviceView(p)
		return
	}
	if s.grant == grantCIBA {
		s.cibaView(p)
		return
	}
	if s.steps[stepAuthorize].state == stateSkipped {
		p.line(st.Muted.Render("The " + s.grant.String() + " grant sends no browser to the provider: the Token step asks for the token directly."))
		s.formView(p)
		return
	}
	if r := s.authReq; r != nil && s.steps[stepAuthorize].state == stateDone {
		if s.direct {
			p.blank()
			p.line(st.Warn.Render("Posted with the proof of authentication (BlockID's direct authorize): no browser was sent; the response is on Callback."))
		} else {
			p.heading("Authorization URL " + st.Muted.Render("(o opens, c copies)"))
			p.line(st.URL.Render(r.URL))
		}
		p.heading("Parameters sent")
		names := make([]string, 0, len(r.Params))
		for k := range r.Params {
			names = append(names, k)
		}
		sort.Strings(names)
		for _, k := range names {
			p.kv(k, strings.Join(r.Params[k], " "))
		}
		if r.CodeVerifier != "" {
			p.kv("code_verifier", s.secret(r.CodeVerifier)+st.Muted.Render("  kept for the token request"))
		}
		s.pushedView(p, r)
		s.requestObjectView(p, r)
		p.blank()
		p.line(st.Muted.Render("e edits the parameters; enter builds a new request."))
		return
	}
	if s.directProof() != "" && s.c.Client != nil {
		s.directView(p)
		return
	}
	s.request(p, "GET", s.endpoint(func(e flows.Endpoints) string { return e.Authorization }))
	if s.form.direct {
		p.line(st.Muted.Render("This provider also takes a direct authorize (BlockID): give a proof_of_authentication_jwt in the form (e) to post the request with it instead of sending a browser."))
	}
	cfg := s.form.config(s.base, s.dpopKey)
	p.kv("response_type", s.form.value(fieldResponseType))
	if cfg.ResponseMode != "" {
		p.kv("response_mode", cfg.ResponseMode)
	}
	p.kv("client_id", cfg.ClientID)
	redirect := cfg.RedirectURI
	if flows.IsLoopback(redirect) {
		redirect += st.Muted.Render("  (tokenbench listens here)")
	} else {
		redirect += st.Muted.Render("  (not loopback: you paste the result)")
	}
	p.kv("redirect_uri", redirect)
	p.kv("state", st.Muted.Render("a fresh random value"))
	if hasScope(cfg.Scopes, "openid") {
		p.kv("nonce", st.Muted.Render("a fresh random value"))
	}
	if cfg.PKCE != flows.PKCENone {
		method := cfg.PKCE
		if method == "" {
			method = flows.PKCES256
		}
		p.kv("code_challenge", st.Muted.Render(string(method)+" of a fresh code_verifier"))
	}
	for _, r := range cfg.AuthParams["resource"] {
		p.kv("resource", r)
	}
	if d := cfg.AuthParams.Get("authorization_details"); d != "" {
		p.kv("authorization_details", d)
	}
	if cfg.RequestObject {
		p.line(st.Muted.Render("The parameters go in a signed request object (RFC 9101), made when sent."))
	}
	if cfg.PAR {
		p.line(st.Muted.Render("The request is pushed first (RFC 9126, with client authentication); the browser gets only client_id and request_uri."))
	}
	s.formView(p)
}

func hasScope(scopes []string, want string) bool {
	for _, s := range scopes {
		if s == want {
			return true
		}
	}
	return false
}

// deviceView is the device flow: the user code large, where to enter it, the countdown, polling.
func (s flowModel) deviceView(p *flowPane) {
	st := s.c.Styles
	d := s.device
	if d == nil {
		s.request(p, "POST", s.endpoint(func(e flows.Endpoints) string { return e.DeviceAuthorization }))
		if s.c.Client != nil {
			p.kv("client_id", s.c.Client.Config.ClientID)
		}
		p.kv("scope", s.form.value(fieldScope))
		s.formView(p)
		return
	}
	p.blank()
	p.line(st.Label.Render("On another device, open the URL and enter the code:"))
	p.b.WriteString(st.UserCode.Render(spreadCode(untrusted.Line(d.UserCode))) + "\n")
	p.kv("go to", st.URL.Render(untrusted.Line(d.VerificationURI)))
	if d.VerificationURIComplete != "" {
		p.kv("or directly", st.URL.Render(untrusted.Line(d.VerificationURIComplete))+st.Muted.Render("  (o opens)"))
	}
	if left, ok := s.deviceLeft(); ok {
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
	if s.steps[stepToken].state == stateRunning {
		p.kv("polling", fmt.Sprintf("every %s — %s", s.pollInterval(), status))
	}
}

// cibaLeft is the time until the auth_req_id expires, on the injected clock from when the answer
// arrived.
func (s flowModel) cibaLeft() (time.Duration, bool) {
	n, err := strconv.ParseFloat(s.ciba.ExpiresIn.String(), 64)
	if err != nil || n <= 0 {
		return 0, false
	}
	return time.Duration(n*float64(time.Second)) - s.c.Now().Sub(s.deviceAt), true
}

// deviceLeft is the time until the device code expires, counted on the injected clock from when
// the answer arrived.
func (s flowModel) deviceLeft() (time.Duration, bool) {
	n, err := strconv.ParseFloat(s.device.ExpiresIn.String(), 64)
	if err != nil || n <= 0 {
		return 0, false
	}
	return time.Duration(n*float64(time.Second)) - s.c.Now().Sub(s.deviceAt), true
}

func (s flowModel) pollInterval() time.Duration {
	if s.devicePoll.Interval > 0 {
		return s.devicePoll.Interval
	}
	return s.device.PollInterval()
}

// countdownText is a countdown: "9:58".
func countdownText(d time.Duration) string {
	d = d.Round(time.Second)
	return fmt.Sprintf("%d:%02d", int(d/time.Minute), int(d%time.Minute/time.Second))
}

// spreadCode spreads a user code out so it reads large: "WDJB-MJHT" → "W D J B - M J H T".
func spreadCode(code string) string {
	return strings.Join(strings.Split(code, ""), " ")
}

func (s flowModel) callbackView(p *flowPane) {
	st := s.c.Styles
	if s.steps[stepCallback].state == stateSkipped {
		p.line(st.Muted.Render("Only the authorization_code grant has a callback."))
		return
	}
	r := s.authReq
	if r == nil {
		p.line(st.Muted.Render("Run Authorize first: the callback answers its request."))
		return
	}
	if s.steps[stepCallback].state == stateRunning && s.listening {
		p.blank()
		p.line(s.spin.View() + " Waiting for the browser to come back to")
		p.line("  " + st.URL.Render(s.auth.RedirectURI()))
		if n := s.auth.Notice(); n != "" {
			p.line(st.Warn.Render("note: " + n)) // the listener is not where the redirect URI said (RFC 8252 §7.3)
		}
		p.line(st.Muted.Render("Sign in in the browser (o opens it again, c copies the URL); esc stops listening."))
		p.heading("Authorization URL")
		p.line(st.URL.Render(r.URL))
	}
	if !s.listening && s.authRes == nil && s.steps[stepCallback].state != stateRunning {
		p.heading("Paste the redirected URL")
		if flows.IsLoopback(r.RedirectURI) {
			p.line(st.Muted.Render("tokenbench stopped listening. Run Authorize again, or paste the address the browser ended on (enter focuses the input)."))
		} else {
			p.line(st.Muted.Render("The redirect URI is not loopback, so tokenbench cannot receive the answer. Sign in with the URL (c copies it), then paste the address the browser ended on; enter focuses the input."))
		}
		p.line(s.paste.View())
	}
	if res := s.authRes; res != nil {
		p.heading("Authorization response")
		names := make([]string, 0, len(res.Params))
		for k := range res.Params {
			names = append(names, k)
		}
		sort.Strings(names)
		for _, k := range names {
			v := untrusted.Line(strings.Join(res.Params[k], " "))
			if secretMember(k) {
				v = s.secret(v)
			}
			p.kv(untrusted.Line(k), v)
		}
		if res.JARM != nil {
			s.checks(p, "JARM response checks ("+r.ResponseMode()+")", res.JARM.Checks)
		}
		s.checks(p, "Checks", res.Checks)
		if f := res.Front; f != nil {
			if f.IDTokenReport != nil {
				s.checks(p, "Front-channel id_token checks ("+f.ResponseType+")", f.IDTokenReport.Checks)
			}
			if res.Code == "" {
				p.blank()
				p.line(st.Muted.Render("The implicit response (" + f.ResponseType + ") carried the tokens itself: there is no code to exchange, so the Token step is skipped. i inspects the id_token."))
			}
		}
	}
}

func (s flowModel) tokenView(p *flowPane) {
	st := s.c.Styles
	if s.frontOnly {
		p.line(st.Muted.Render("Skipped: the implicit response (" + s.form.value(fieldResponseType) + ") carried the tokens in the callback, and there is no code to exchange. These are they:"))
	}
	if s.grant == grantDevice && s.device != nil {
		s.deviceView(p)
	}
	if s.grant == grantCIBA && s.ciba != nil {
		s.cibaView(p)
	}
	// The response shown is this step's own: a token from an earlier grant (or one being polled
	// for) is not shown under this request.
	own := s.tokenOwn || s.frontOnly
	if s.steps[stepToken].state != stateDone && s.steps[stepToken].state != stateFailed && !own {
		s.tokenRequest(p)
	}
	t := s.token
	if t == nil || !own {
		return
	}
	if s.steps[stepToken].raw != nil {
		s.response(p, stepToken)
	} else {
		p.heading("Response")
	}
	s.members(p, t.Members)
	s.grantedView(p, t)
	if s.hasReport {
		s.checks(p, "id_token checks", s.report.Checks)
	}
	s.checks(p, "Binding checks (DPoP, mTLS)", s.binding)
	p.blank()
	opens := "the id_token"
	if t.IDToken == "" {
		opens = "the access token" // what i opens when no id_token came
	}
	p.line(st.Muted.Render("i opens " + opens + " in the inspector; c copies the access token."))
}

// tokenRequest is the token request the Token step will send under the chosen grant.
func (s flowModel) tokenRequest(p *flowPane) {
	st := s.c.Styles
	s.request(p, "POST", s.endpoint(func(e flows.Endpoints) string { return e.Token }))
	p.kv("grant_type", s.grant.grantType())
	switch s.grant {
	case grantAuthCode:
		code := ""
		if s.authRes != nil {
			code = s.authRes.Code
		}
		if code == "" {
			p.kv("code", st.Muted.Render("from the callback"))
		} else {
			p.kv("code", s.secret(code))
		}
		if s.authReq != nil {
			p.kv("redirect_uri", s.authReq.RedirectURI)
			if s.authReq.CodeVerifier != "" {
				p.kv("code_verifier", s.secret(s.authReq.CodeVerifier))
			}
		}
	case grantPassword:
		p.kv("username", s.form.value(fieldUsername))
		p.kv("password", s.secret(s.form.inputs[fieldPassword].Value()))
		p.kv("scope", s.form.value(fieldScope))
	case grantClientCredentials:
		p.kv("scope", s.form.value(fieldScope))
	case grantDevice:
		p.kv("device_code", st.Muted.Render("from "+s.stepTitle(stepAuthorize)))
	case grantCIBA:
		p.kv("auth_req_id", st.Muted.Render("from "+s.stepTitle(stepAuthorize)+" (the backchannel authentication request)"))
	case grantJWTBearer, grantSAMLBearer, grantTokenExchange:
		s.grantRequest(p)
	case numGrants:
	}
	for _, r := range s.form.config(s.base, s.dpopKey).TokenParams["resource"] {
		p.kv("resource", r)
	}
	if s.c.Client != nil {
		s.clientAuth(p)
	}
	s.dpopNote(p)
	if !s.grant.usesAuthorize() {
		s.formView(p)
	}
}

func (s flowModel) refreshView(p *flowPane) {
	st := s.c.Styles
	s.request(p, "POST", s.endpoint(func(e flows.Endpoints) string { return e.Token }))
	p.kv("grant_type", "refresh_token")
	rt := s.refreshTokenValue()
	if rt == "" {
		p.kv("refresh_token", st.Muted.Render("from the token response"))
	} else {
		p.kv("refresh_token", s.secret(rt))
	}
	p.kv("scope", s.form.value(fieldScope))
	if s.c.Client != nil {
		s.clientAuth(p)
	}
	t := s.refreshed
	if t == nil || s.steps[stepRefresh].state == stateRunning {
		return
	}
	s.response(p, stepRefresh)
	p.kv("refresh token", rotationNote(t.Rotation))
	s.members(p, t.Members)
	if s.hasRefReport {
		s.checks(p, "id_token checks", s.refreshReport.Checks)
	}
	s.checks(p, "Binding checks (DPoP, mTLS)", s.refBinding)
}

// rotationNote says what a refresh did to the refresh token.
func rotationNote(r flows.Rotation) string {
	switch r {
	case flows.RotationRotated:
		return "rotated: a new one came back; the old one must not be used again (RFC 9700 §4.14.2)"
	case flows.RotationUnchanged:
		return "unchanged: the same refresh token came back"
	case flows.RotationOmitted:
		return "not returned: the old one stays in use (RFC 6749 §6)"
	case flows.RotationNone:
	}
	return "—"
}

// resourceView is userinfo or introspection: the request, then the answer's members.
func (s flowModel) resourceView(p *flowPane, method, endpoint string, res *flows.Result) {
	s.request(p, method, endpoint)
	if s.cursor == stepUserInfo {
		tok := ""
		if t := s.current(); t != nil {
			tok = t.AccessToken
		}
		p.kv("Authorization", "Bearer "+s.secret(tok))
	} else {
		p.kv("token", s.secret(s.targetToken()))
		p.kv("token_type_hint", s.form.value(fieldTarget)+s.c.Styles.Muted.Render("  (e changes it)"))
		if s.c.Client != nil {
			s.clientAuth(p)
		}
	}
	if res == nil || s.steps[s.cursor].state != stateDone {
		return
	}
	s.response(p, s.cursor)
	if s.cursor != stepUserInfo {
		s.members(p, res.Members)
		return
	}
	st := s.c.Styles
	p.line(st.Muted.Render("The answer is " + res.Form() + "."))
	if res.Subject.Status == flows.CheckFail {
		p.line(st.Fail.Render("Not the id_token's user: OpenID Connect Core §5.3.2 says these claims must not be used."))
	}
	s.members(p, res.Members)
	s.checks(p, "UserInfo checks", res.Checks())
}

func (s flowModel) revokeView(p *flowPane) {
	st := s.c.Styles
	s.request(p, "POST", s.endpoint(func(e flows.Endpoints) string { return e.Revocation }))
	p.kv("token", s.secret(s.targetToken()))
	p.kv("token_type_hint", s.form.value(fieldTarget)+st.Muted.Render("  (e changes it)"))
	if s.c.Client != nil {
		s.clientAuth(p)
	}
	if s.steps[stepRevoke].state != stateDone {
		return
	}
	s.response(p, stepRevoke)
	p.line(st.Pass.Render("revoked") + " " + st.Muted.Render("("+s.revokedWhich+"; RFC 7009 §2.2: 200 is success)"))
	if a := s.revokedActive; a != nil {
		if *a {
			p.line(st.Fail.Render("introspection afterwards: active: true — the provider did not revoke it"))
		} else {
			p.line(st.Pass.Render("introspection afterwards: active: false") + st.Muted.Render(" — the token is no longer accepted"))
		}
	}
}

func (s flowModel) logoutView(p *flowPane) {
	st := s.c.Styles
	s.request(p, "GET", s.endpoint(func(e flows.Endpoints) string { return e.EndSession }))
	if s.c.Client != nil {
		p.kv("client_id", s.c.Client.Config.ClientID)
	}
	if s.c.Client != nil && !s.c.Client.LogoutTakesIDTokenHint() {
		p.line(st.Label.Render("id_token_hint") + " " + st.Muted.Render("not sent: this provider's logout endpoint takes none (preset quirk logout_id_token_hint: false)"))
	} else {
		p.kv("id_token_hint", s.secret(s.idToken()))
	}
	if s.c.Client != nil {
		// The stepper sends no post-logout redirect (a profile has no setting for one); the
		// parameter is named as the provider wants it (Cognito: logout_uri).
		p.line(st.Label.Render(s.c.Client.LogoutRedirectParameter()) + " " + st.Muted.Render("not sent: no post-logout redirect URI is configured"))
	}
	if s.logoutURL == "" {
		return
	}
	p.heading("Logout URL " + st.Muted.Render("(o opens, c copies)"))
	u := s.logoutURL
	if hint := s.idToken(); hint != "" && !s.reveal {
		u = strings.Replace(u, hint, "••••••••", 1)
	}
	p.line(st.URL.Render(u))
	p.line(st.Muted.Render("Opening it ends the session at the provider; tokens already issued stay valid until revoked."))
}
