package stepper

import (
	"context"

	tea "charm.land/bubbletea/v2"

	"github.com/tokenbench/tokenbench/flows"
)

// BlockID's direct authorize on the Authorize step: when the provider offers it (the blockid
// preset's direct_authorize quirk) and the form holds a proof_of_authentication_jwt, the
// authorization request is POSTed with the proof instead of sending a browser, and the response is
// read from the answer's Location without following it (flows.AuthSession.Direct).

// directAuthorizedMsg is the result of the direct authorize: the session, and the authorization
// response read from the answer's Location, verified (res is nil when the POST itself failed).
type directAuthorizedMsg struct {
	reqID   int
	session *flows.AuthSession
	res     *flows.AuthResponse
	err     error
	raw     *flows.Exchange
}

// directAuthorize posts the authorization request with the proof and verifies the response.
func directAuthorize(ctx context.Context, c *flows.Client, proof string, id int) tea.Cmd {
	return func() tea.Msg {
		rec := newRecorder(c.Trace)
		sess, err := c.StartDirectAuthorization(ctx)
		if err != nil {
			return directAuthorizedMsg{reqID: id, err: err, raw: rec.last()}
		}
		res, err := sess.Direct(ctx, proof)
		return directAuthorizedMsg{reqID: id, session: sess, res: res, err: err, raw: rec.last()}
	}
}

// directProof is the proof JWT Authorize posts, or "" when it sends a browser.
func (s flowModel) directProof() string {
	if !s.form.direct || s.grant != grantAuthCode {
		return ""
	}
	return s.form.value(fieldProofJWT)
}

// onDirectAuthorized ends Authorize and Callback at once: the POST was the authorization request,
// and its answer the response. A POST that failed fails Authorize; a response that fails its checks
// fails Callback, where they are shown.
func (s flowModel) onDirectAuthorized(msg directAuthorizedMsg) (flowModel, tea.Cmd) {
	if !s.accept(msg.reqID) {
		return s, nil
	}
	if msg.res == nil {
		return s.finish(stepAuthorize, msg.err, msg.raw), nil
	}
	s = s.finish(stepAuthorize, nil, msg.raw)
	s.auth, s.authReq, s.authRes, s.listening, s.direct = msg.session, msg.session.Request, msg.res, false, true
	s.paste.Reset()
	s.frontOnly = false
	s.steps[stepCallback] = stepResult{state: stateDone}
	if msg.err != nil {
		s.steps[stepCallback] = stepResult{state: stateFailed, err: msg.err}
	}
	s.steps[stepToken] = stepResult{}
	s = s.advance(stepAuthorize)
	return s.afterSuccess(stepAuthorize)
}

// directView is the Authorize step's request when it is a direct authorize: where it is posted and
// with what, said plainly.
func (s flowModel) directView(p *flowPane) {
	st := s.c.Styles
	endpoint, err := s.c.Client.DirectAuthorizeEndpoint()
	if err != nil {
		endpoint = st.Fail.Render(err.Error())
	}
	s.request(p, "POST", endpoint)
	p.line(st.Warn.Render("Direct authorize (BlockID): no browser. The request is posted with the proof of authentication, and the code is read from the answer's Location, not followed."))
	cfg := s.form.config(s.base, s.dpopKey)
	p.kv("client_id", cfg.ClientID)
	p.kv("proof_of_authentication_jwt", s.secret(s.form.value(fieldProofJWT)))
	p.kv("response_type", s.form.value(fieldResponseType))
	p.kv("redirect_uri", cfg.RedirectURI+st.Muted.Render("  (registered: the code comes back on it)"))
	p.kv("state", st.Muted.Render("a fresh random value"))
	if hasScope(cfg.Scopes, "openid") {
		p.kv("nonce", st.Muted.Render("a fresh random value"))
	}
	s.formView(p)
}
