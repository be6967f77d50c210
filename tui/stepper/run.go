package stepper

import (
	"context"
	"errors"
	"log"
	"strings"

	tea "charm.land/bubbletea/v2"

	"github.com/tokenbench/tokenbench/flows"
	"github.com/tokenbench/tokenbench/flows/untrusted"
	"github.com/tokenbench/tokenbench/tui/ui"
)

// Starting the steps: the checks before a request, the request itself, and the bookkeeping of
// reqID, cancel and inflight around it.

// run starts a step (enter): it applies the form, creates the context and reqID, marks the step
// running and returns the command that does the work.
func (s flowModel) run(id stepID) (flowModel, tea.Cmd) {
	s.showRaw = false
	s.notice = ""
	if id == stepToken && s.frontOnly {
		s.notice = "the implicit response carried the tokens: there is no code to exchange (Authorize starts over)"
		return s, nil
	}
	if s.steps[id].state == stateSkipped {
		s.notice = s.stepTitle(id) + " does not apply to the " + s.grant.String() + " grant (g picks another)"
		return s, nil
	}
	if s.c.Client == nil {
		s.notice = "no client configured"
		return s, nil
	}
	if s.running != numSteps {
		s.notice = s.stepTitle(s.running) + " is running: esc cancels it first"
		return s, nil
	}
	if id == stepCallback {
		return s.runCallback()
	}
	if why := s.missing(id); why != "" {
		s.notice = why
		return s, nil
	}
	if err := s.form.validate(); err != nil {
		s.notice = err.Error()
		return s.formFollowUp()
	}
	if s.form.on(fieldDPoP) && s.dpopKey == nil {
		s.notice = "DPoP: the session's key is being made; press enter again"
		return s.formFollowUp()
	}
	s = s.applyConfig()
	ctx, cancel := context.WithCancel(context.Background())
	s.reqID++
	s.cancel = cancel
	s.running = id
	s.steps[id] = stepResult{state: stateRunning}
	if id == stepToken || (id == stepAuthorize && s.grant.usesAuthorize()) {
		s.tokenOwn = false // a new request: the token shown on Token will be its own
	}
	s.startedAt = s.c.Now()
	s.inflight++
	log.Printf("flow: %s started (request %d, grant %s)", id.name(), s.reqID, s.grant)
	cmd := s.command(ctx, id)
	s, spin := s.startSpinner()
	return s, tea.Batch(cmd, spin)
}

// applyConfig gives the next request the form's configuration: a snapshot of the session's client
// (flows.Client.WithConfig), made anew when the form or the session changed. Requests already
// running keep the snapshot they started with, so nothing another goroutine reads is ever written.
func (s flowModel) applyConfig() flowModel {
	want := s.form.config(s.base, s.dpopKey)
	if s.client == nil || s.client.Trace != s.c.Client.Trace || !sameConfig(want, s.client.Config) {
		s.client = s.c.Client.WithConfig(want)
	}
	return s
}

// missing says what a step needs that earlier steps have not produced, or "".
func (s flowModel) missing(id stepID) string {
	tok := s.current()
	switch id {
	case stepToken:
		if s.grant == grantAuthCode && (s.authRes == nil || s.authRes.Code == "") {
			return "Token needs the code from Callback: run Authorize first"
		}
		if s.grant == grantDevice && s.device == nil {
			return s.stepTitle(stepToken) + " polls for the device code: run " + s.stepTitle(stepAuthorize) + " first"
		}
		if s.grant == grantCIBA && s.ciba == nil {
			return s.stepTitle(stepToken) + " polls for the backchannel authentication: run " + s.stepTitle(stepAuthorize) + " first"
		}
		if s.grant == grantTokenExchange {
			if _, err := s.exchangeRequest(); err != nil {
				return err.Error()
			}
		}
	case stepRefresh:
		if tok == nil || s.refreshTokenValue() == "" {
			return "Refresh needs a refresh token: run Token first (with offline_access in scope)"
		}
	case stepUserInfo, stepIntrospect, stepRevoke:
		if tok == nil {
			return id.title() + " needs a token: run Token first"
		}
		if (id == stepIntrospect || id == stepRevoke) && s.targetToken() == "" {
			return "there is no " + s.form.value(fieldTarget) + " to send (change it with e)"
		}
	case stepLogout:
		// A provider that takes no id_token_hint (the Cognito preset's quirk) is logged out of
		// without one.
		if (tok == nil || s.idToken() == "") && s.c.Client.LogoutTakesIDTokenHint() {
			return "Logout sends the id_token as id_token_hint: run Token first"
		}
	case stepDiscover, stepAuthorize, stepCallback, numSteps:
	}
	return ""
}

// command is the work of a step.
func (s flowModel) command(ctx context.Context, id stepID) tea.Cmd {
	c := s.client
	switch id {
	case stepDiscover:
		return discover(ctx, c, s.reqID)
	case stepAuthorize:
		if s.grant == grantDevice {
			return startDevice(ctx, c, s.reqID)
		}
		if s.grant == grantCIBA {
			return startCIBA(ctx, c, s.cibaRequest(), s.reqID)
		}
		if proof := s.directProof(); proof != "" {
			return directAuthorize(ctx, c, proof, s.reqID)
		}
		return requestAuthorization(ctx, c, s.reqID)
	case stepToken:
		switch s.grant {
		case grantAuthCode:
			return exchangeCode(ctx, c, s.auth, s.authRes, s.reqID)
		case grantDevice:
			return tea.Batch(pollDevice(ctx, c, s.device, s.c.Now, s.reqID), ui.TickClock(s.reqID))
		case grantCIBA:
			return tea.Batch(pollCIBA(ctx, c, s.ciba, s.c.Now, s.reqID), ui.TickClock(s.reqID))
		case grantJWTBearer, grantSAMLBearer:
			return requestAssertion(ctx, c, s.assertionGrant(), s.reqID)
		case grantTokenExchange:
			r, _ := s.exchangeRequest()
			return exchangeToken(ctx, c, r, s.reqID)
		case grantClientCredentials, grantPassword, numGrants:
		}
		return requestGrant(ctx, c, grantRequest{grant: s.grant.grantType(), username: s.form.value(fieldUsername), password: s.form.inputs[fieldPassword].Value()}, s.reqID)
	case stepRefresh:
		prev := *s.current()
		prev.RefreshToken = s.refreshTokenValue()
		return refreshToken(ctx, c, &prev, "", s.reqID)
	case stepUserInfo:
		return callUserInfo(ctx, c, s.current().AccessToken, s.idToken(), s.reqID)
	case stepIntrospect:
		return callIntrospect(ctx, c, s.targetToken(), s.form.value(fieldTarget), s.reqID)
	case stepRevoke:
		return revokeToken(ctx, c, s.targetToken(), s.form.value(fieldTarget), s.reqID)
	case stepLogout:
		return buildLogoutURL(ctx, c, s.idToken(), s.reqID)
	case stepCallback, numSteps:
	}
	return nil
}

// runCallback is enter on Callback: with a loopback redirect it (re)starts waiting, else it
// focuses the paste input.
func (s flowModel) runCallback() (flowModel, tea.Cmd) {
	if s.authReq == nil {
		s.notice = "Callback needs an authorization request: run Authorize first"
		return s, nil
	}
	if !s.listening {
		return s, s.paste.Focus()
	}
	s.notice = "waiting for the browser; esc cancels"
	return s, nil
}

// handlePasteKey edits the pasted URL; enter verifies it, esc leaves.
func (s flowModel) handlePasteKey(msg tea.KeyPressMsg) (flowModel, tea.Cmd) {
	switch msg.String() {
	case "esc":
		s.paste.Blur()
		return s, nil
	case "enter":
		s.paste.Blur()
		return s.verifyPaste()
	}
	var cmd tea.Cmd
	s.paste, cmd = s.paste.Update(msg)
	return s, cmd
}

// verifyPaste checks the pasted authorization response against the request.
func (s flowModel) verifyPaste() (flowModel, tea.Cmd) {
	if s.authReq == nil || s.paste.Value() == "" {
		return s, nil
	}
	ctx, cancel := context.WithCancel(context.Background())
	s.reqID++
	s.cancel = cancel
	s.running = stepCallback
	s.steps[stepCallback] = stepResult{state: stateRunning}
	s.inflight++
	cmd := verifyPasted(ctx, s.auth, s.paste.Value(), s.reqID)
	s, spin := s.startSpinner()
	return s, tea.Batch(cmd, spin)
}

// accept takes a result for the running step: false when it is stale (an old reqID: cancelled or
// superseded), to be dropped.
func (s *flowModel) accept(reqID int) bool {
	s.inflight = max(0, s.inflight-1)
	return reqID == s.reqID && s.running != numSteps
}

// finish ends the running step with err (nil: done). The cursor stays, so that the response is
// seen; j moves on.
func (s flowModel) finish(id stepID, err error, raw *flows.Exchange) flowModel {
	s.running = numSteps
	if s.cancel != nil {
		s.cancel() // release the context's resources; the work is over
		s.cancel = nil
	}
	r := stepResult{state: stateDone, raw: raw, took: s.c.Now().Sub(s.startedAt)}
	if err != nil {
		r.state, r.err = stateFailed, err
		log.Printf("flow: %s failed: %s", id.name(), untrusted.Line(err.Error())) // errors carry no secrets (URLs are redacted)
	} else {
		log.Printf("flow: %s done", id.name())
	}
	s.steps[id] = r
	return s
}

// afterSuccess returns the command that fetches the provider's metadata from the client's cache
// when the step that just succeeded had to discover its endpoint, so that the other steps' previews
// can name their endpoints; nil when the metadata is known or was never discovered.
func (s flowModel) afterSuccess(id stepID) (flowModel, tea.Cmd) {
	c := s.client
	if s.meta != nil || c == nil || strings.TrimSpace(c.Config.Issuer) == "" {
		return s, nil
	}
	e := c.Config.Endpoints
	var given string
	switch id {
	case stepAuthorize:
		given = e.Authorization
		if s.grant == grantDevice {
			given = e.DeviceAuthorization
		}
	case stepToken, stepRefresh:
		given = e.Token
	case stepUserInfo:
		given = e.UserInfo
	case stepIntrospect:
		given = e.Introspection
	case stepRevoke:
		given = e.Revocation
	case stepLogout:
		given = e.EndSession
	case stepDiscover, stepCallback, numSteps:
		return s, nil
	}
	if given != "" {
		return s, nil // no discovery happened; asking now would make a request nobody wanted
	}
	s.inflight++
	return s, loadMetadata(context.Background(), c)
}

// advance moves the cursor to the step after id, when the cursor is still on id: after Authorize,
// where what happens next (the callback, device polling) is shown on the following step.
func (s flowModel) advance(id stepID) flowModel {
	if s.cursor != id {
		return s
	}
	next := id + 1
	for next < numSteps && s.steps[next].state == stateSkipped {
		next++
	}
	if next < numSteps {
		s.cursor = next
		s.vp.GotoTop()
	}
	return s
}

// cibaRequest is the backchannel authentication request the form asks for (CIBA Core §7.1).
func (s flowModel) cibaRequest() flows.CIBARequest {
	f := s.form
	expiry, _ := f.requestedExpiry() // validate refused a bad one
	return flows.CIBARequest{
		LoginHint: f.value(fieldLoginHint), IDTokenHint: f.value(fieldIDTokenHint), LoginHintToken: f.value(fieldLoginHintToken),
		BindingMessage: f.value(fieldBindingMessage), UserCode: f.value(fieldUserCode),
		RequestedExpiry: expiry,
		Params:          f.cibaParams(),
	}
}

// assertionGrant is the assertion grant the form asks for: the assertion's file, or the JWT
// assertion's claims, lifetime and signing key (empty ones take MakeAssertion's defaults: the
// client_id, the token endpoint, 5 minutes, the client's key or secret; as the command line does).
func (s flowModel) assertionGrant() assertionGrant {
	f := s.form
	lifetime, _ := f.assertionLifetime() // validate refused a bad one
	return assertionGrant{
		grant: s.grant.grantType(),
		file:  f.value(fieldAssertionFile),
		claims: flows.AssertionClaims{
			Issuer: f.value(fieldAssertionIssuer), Subject: f.value(fieldAssertionSubject),
			Audience: strings.Fields(f.value(fieldAssertionAudience)), Lifetime: lifetime,
		},
		keyFile: f.value(fieldAssertionKey),
	}
}

// exchangeRequest is the token exchange request the form asks for (RFC 8693 §2.1), its subject
// token taken from this session or pasted; an error says what is missing.
func (s flowModel) exchangeRequest() (flows.TokenExchangeRequest, error) {
	f := s.form
	r := flows.TokenExchangeRequest{
		Audience: strings.Fields(f.value(fieldAudience)), Resource: f.resources(),
		Scope: f.value(fieldScope), ActorToken: f.value(fieldActorToken),
	}
	r.SubjectTokenType, _ = flows.TokenTypeURI(f.value(fieldSubjectType))
	if r.ActorToken != "" {
		r.ActorTokenType, _ = flows.TokenTypeURI(f.value(fieldActorType))
	}
	if f.opt[fieldRequestedType] > 0 {
		r.RequestedTokenType, _ = flows.TokenTypeURI(f.value(fieldRequestedType))
	}
	switch f.opt[fieldSubjectSource] {
	case subjectPasted:
		r.SubjectToken = f.value(fieldSubjectToken)
	case subjectIDToken:
		r.SubjectToken = s.idToken()
	case subjectRefreshToken:
		r.SubjectToken = s.refreshTokenValue()
	default:
		if t := s.current(); t != nil {
			r.SubjectToken = t.AccessToken
		}
	}
	if r.SubjectToken == "" {
		what := subjectSourceType[min(f.opt[fieldSubjectSource], len(subjectSourceType)-1)]
		return r, errors.New("token_exchange takes the subject token from this session, which has no " + what + " yet: run another grant first, or paste one (e)")
	}
	return r, nil
}
