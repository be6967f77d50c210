package stepper

import (
	"context"
	"errors"
	"log"
	"strings"

	tea "charm.land/bubbletea/v2"

	"github.com/tokenbench/tokenbench/flows"
	"github.com/tokenbench/tokenbench/tui/ui"
)

// Starting the steps: the checks before a request, the request itself, and the bookkeeping of
// reqID, cancel and inflight around it.

// run starts a step (enter): it applies the form, creates the context and reqID, marks the step
// running and returns the command that does the work.
func (s Model) run(id StepID) (Model, tea.Cmd) {
	s.showRaw = false
	s.notice = ""
	if id == StepToken && s.frontOnly {
		s.notice = "the implicit response carried the tokens: there is no code to exchange (Authorize starts over)"
		return s, nil
	}
	if s.Steps[id].State == stateSkipped {
		s.notice = id.Title() + " does not apply to the " + s.Grant.String() + " grant (g or e to change it)"
		return s, nil
	}
	if s.c.Client == nil {
		s.notice = "no client configured"
		return s, nil
	}
	if s.Running != NumSteps {
		s.notice = s.Running.Title() + " is running: esc cancels it first"
		return s, nil
	}
	if id == StepCallback {
		return s.runCallback()
	}
	if why := s.missing(id); why != "" {
		s.notice = why
		return s, nil
	}
	if err := s.Form.validate(); err != nil {
		s.notice = err.Error()
		return s.formFollowUp()
	}
	if s.Form.on(fieldDPoP) && s.dpopKey == nil {
		s.notice = "DPoP: the session's key is being made; press enter again"
		return s.formFollowUp()
	}
	if !s.applyConfig() {
		s.notice = "a cancelled request is still finishing; press enter again"
		return s, nil
	}
	ctx, cancel := context.WithCancel(context.Background())
	s.ReqID++
	s.cancel = cancel
	s.Running = id
	s.Steps[id] = stepResult{State: StateRunning}
	s.startedAt = s.c.Now()
	s.Inflight++
	log.Printf("flow: %s started (request %d, grant %s)", id.name(), s.ReqID, s.Grant)
	cmd := s.command(ctx, id)
	s, spin := s.startSpinner()
	return s, tea.Batch(cmd, spin)
}

// applyConfig writes the form's configuration into the client, only when no command could be
// reading it (see inflight). It reports false when it had to and could not.
func (s Model) applyConfig() bool {
	want := s.Form.config(s.Base, s.dpopKey)
	if sameConfig(want, s.c.Client.Config) {
		return true
	}
	if s.Inflight > 0 {
		return false
	}
	s.c.Client.Config = want
	return true
}

// missing says what a step needs that earlier steps have not produced, or "".
func (s Model) missing(id StepID) string {
	tok := s.current()
	switch id {
	case StepToken:
		if s.Grant == grantAuthCode && (s.authRes == nil || s.authRes.Code == "") {
			return "Token needs the code from Callback: run Authorize first"
		}
		if s.Grant == grantDevice && s.device == nil {
			return "Token polls for the device code: run Authorize first"
		}
		if s.Grant == GrantCIBA && s.ciba == nil {
			return "Token polls for the backchannel authentication: run Authorize first"
		}
		if s.Grant == grantTokenExchange {
			if _, err := s.exchangeRequest(); err != nil {
				return err.Error()
			}
		}
	case stepRefresh:
		if tok == nil || s.refreshTokenValue() == "" {
			return "Refresh needs a refresh token: run Token first (with offline_access in scope)"
		}
	case stepUserInfo, StepIntrospect, stepRevoke:
		if tok == nil {
			return id.Title() + " needs a token: run Token first"
		}
		if (id == StepIntrospect || id == stepRevoke) && s.targetToken() == "" {
			return "there is no " + s.Form.Value(fieldTarget) + " to send (change it with e)"
		}
	case stepLogout:
		if tok == nil || s.idToken() == "" {
			return "Logout sends the id_token as id_token_hint: run Token first"
		}
	case StepDiscover, StepAuthorize, StepCallback, NumSteps:
	}
	return ""
}

// command is the work of a step.
func (s Model) command(ctx context.Context, id StepID) tea.Cmd {
	c := s.c.Client
	switch id {
	case StepDiscover:
		return discover(ctx, c, s.ReqID)
	case StepAuthorize:
		if s.Grant == grantDevice {
			return startDevice(ctx, c, s.ReqID)
		}
		if s.Grant == GrantCIBA {
			return startCIBA(ctx, c, s.cibaRequest(), s.ReqID)
		}
		return requestAuthorization(ctx, c, c.Config.RedirectURI, s.ReqID)
	case StepToken:
		switch s.Grant {
		case grantAuthCode:
			return exchangeCode(ctx, c, s.authReq, s.authRes.Code, s.ReqID)
		case grantDevice:
			return tea.Batch(pollDevice(ctx, c, s.device, s.c.Now, s.ReqID), ui.TickClock(s.ReqID))
		case GrantCIBA:
			return tea.Batch(pollCIBA(ctx, c, s.ciba, s.c.Now, s.ReqID), ui.TickClock(s.ReqID))
		case grantJWTBearer, grantSAMLBearer:
			return requestAssertion(ctx, c, s.assertionGrant(), s.ReqID)
		case grantTokenExchange:
			r, _ := s.exchangeRequest()
			return exchangeToken(ctx, c, r, s.ReqID)
		case grantClientCredentials, grantPassword, numGrants:
		}
		return requestGrant(ctx, c, grantRequest{grant: s.Grant.grantType(), username: s.Form.Value(fieldUsername), password: s.Form.inputs[fieldPassword].Value()}, s.ReqID)
	case stepRefresh:
		prev := *s.current()
		prev.RefreshToken = s.refreshTokenValue()
		return refreshToken(ctx, c, &prev, "", s.ReqID)
	case stepUserInfo:
		return callUserInfo(ctx, c, s.current().AccessToken, s.idToken(), s.ReqID)
	case StepIntrospect:
		return callIntrospect(ctx, c, s.targetToken(), s.Form.Value(fieldTarget), s.ReqID)
	case stepRevoke:
		return revokeToken(ctx, c, s.targetToken(), s.Form.Value(fieldTarget), s.ReqID)
	case stepLogout:
		return buildLogoutURL(ctx, c, s.idToken(), s.ReqID)
	case StepCallback, NumSteps:
	}
	return nil
}

// runCallback is enter on Callback: with a loopback redirect it (re)starts waiting, else it
// focuses the paste input.
func (s Model) runCallback() (Model, tea.Cmd) {
	if s.authReq == nil {
		s.notice = "Callback needs an authorization request: run Authorize first"
		return s, nil
	}
	if s.listener == nil {
		return s, s.paste.Focus()
	}
	s.notice = "waiting for the browser; esc cancels"
	return s, nil
}

// handlePasteKey edits the pasted URL; enter verifies it, esc leaves.
func (s Model) handlePasteKey(msg tea.KeyPressMsg) (Model, tea.Cmd) {
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
func (s Model) verifyPaste() (Model, tea.Cmd) {
	if s.authReq == nil || s.paste.Value() == "" {
		return s, nil
	}
	ctx, cancel := context.WithCancel(context.Background())
	s.ReqID++
	s.cancel = cancel
	s.Running = StepCallback
	s.Steps[StepCallback] = stepResult{State: StateRunning}
	s.Inflight++
	cmd := verifyPasted(ctx, s.c.Client, s.authReq, s.paste.Value(), s.ReqID)
	s, spin := s.startSpinner()
	return s, tea.Batch(cmd, spin)
}

// accept takes a result for the running step: false when it is stale (an old reqID: cancelled or
// superseded), to be dropped.
func (s *Model) accept(reqID int) bool {
	s.Inflight = max(0, s.Inflight-1)
	return reqID == s.ReqID && s.Running != NumSteps
}

// finish ends the running step with err (nil: done). The cursor stays, so that the response is
// seen; j moves on.
func (s Model) finish(id StepID, err error, raw *flows.Exchange) Model {
	s.Running = NumSteps
	if s.cancel != nil {
		s.cancel() // release the context's resources; the work is over
		s.cancel = nil
	}
	r := stepResult{State: StateDone, raw: raw, took: s.c.Now().Sub(s.startedAt)}
	if err != nil {
		r.State, r.Err = StateFailed, err
		log.Printf("flow: %s failed: %v", id.name(), err) // errors carry no secrets (URLs are redacted)
	} else {
		log.Printf("flow: %s done", id.name())
	}
	s.Steps[id] = r
	return s
}

// afterSuccess returns the command that fetches the provider's metadata from the client's cache
// when the step that just succeeded had to discover its endpoint, so that the other steps' previews
// can name their endpoints; nil when the metadata is known or was never discovered.
func (s Model) afterSuccess(id StepID) (Model, tea.Cmd) {
	c := s.c.Client
	if s.Meta != nil || c == nil || strings.TrimSpace(c.Config.Issuer) == "" {
		return s, nil
	}
	e := c.Config.Endpoints
	var given string
	switch id {
	case StepAuthorize:
		given = e.Authorization
		if s.Grant == grantDevice {
			given = e.DeviceAuthorization
		}
	case StepToken, stepRefresh:
		given = e.Token
	case stepUserInfo:
		given = e.UserInfo
	case StepIntrospect:
		given = e.Introspection
	case stepRevoke:
		given = e.Revocation
	case stepLogout:
		given = e.EndSession
	case StepDiscover, StepCallback, NumSteps:
		return s, nil
	}
	if given != "" {
		return s, nil // no discovery happened; asking now would make a request nobody wanted
	}
	s.Inflight++
	return s, loadMetadata(context.Background(), c)
}

// advance moves the cursor to the step after id, when the cursor is still on id: after Authorize,
// where what happens next (the callback, device polling) is shown on the following step.
func (s Model) advance(id StepID) Model {
	if s.Cursor != id {
		return s
	}
	next := id + 1
	for next < NumSteps && s.Steps[next].State == stateSkipped {
		next++
	}
	if next < NumSteps {
		s.Cursor = next
		s.vp.GotoTop()
	}
	return s
}

// cibaRequest is the backchannel authentication request the form asks for (CIBA Core §7.1).
func (s Model) cibaRequest() flows.CIBARequest {
	f := s.Form
	expiry, _ := f.requestedExpiry() // validate refused a bad one
	return flows.CIBARequest{
		LoginHint: f.Value(fieldLoginHint), IDTokenHint: f.Value(fieldIDTokenHint), LoginHintToken: f.Value(fieldLoginHintToken),
		BindingMessage: f.Value(fieldBindingMessage), UserCode: f.Value(fieldUserCode),
		RequestedExpiry: expiry,
		Params:          f.cibaParams(),
	}
}

// assertionGrant is the assertion grant the form asks for: the assertion's file, or the JWT
// assertion's claims, lifetime and signing key (empty ones take MakeAssertion's defaults: the
// client_id, the token endpoint, 5 minutes, the client's key or secret; as the command line does).
func (s Model) assertionGrant() assertionGrant {
	f := s.Form
	lifetime, _ := f.assertionLifetime() // validate refused a bad one
	return assertionGrant{
		grant: s.Grant.grantType(),
		file:  f.Value(fieldAssertionFile),
		claims: flows.AssertionClaims{
			Issuer: f.Value(fieldAssertionIssuer), Subject: f.Value(fieldAssertionSubject),
			Audience: strings.Fields(f.Value(fieldAssertionAudience)), Lifetime: lifetime,
		},
		keyFile: f.Value(fieldAssertionKey),
	}
}

// exchangeRequest is the token exchange request the form asks for (RFC 8693 §2.1), its subject
// token taken from this session or pasted; an error says what is missing.
func (s Model) exchangeRequest() (flows.TokenExchangeRequest, error) {
	f := s.Form
	r := flows.TokenExchangeRequest{
		Audience: strings.Fields(f.Value(fieldAudience)), Resource: f.resources(),
		Scope: f.Value(FieldScope), ActorToken: f.Value(fieldActorToken),
	}
	r.SubjectTokenType, _ = flows.TokenTypeURI(f.Value(fieldSubjectType))
	if r.ActorToken != "" {
		r.ActorTokenType, _ = flows.TokenTypeURI(f.Value(fieldActorType))
	}
	if f.opt[fieldRequestedType] > 0 {
		r.RequestedTokenType, _ = flows.TokenTypeURI(f.Value(fieldRequestedType))
	}
	switch f.opt[fieldSubjectSource] {
	case subjectPasted:
		r.SubjectToken = f.Value(fieldSubjectToken)
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
