package stepper

import (
	"context"
	"errors"
	"fmt"

	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"

	"github.com/tokenbench/tokenbench/flows"
	"github.com/tokenbench/tokenbench/flows/untrusted"
	"github.com/tokenbench/tokenbench/tui/ui"
)

// The results of the steps' requests, and the values the keys act on (copy, open, inspect).

func (s flowModel) onMetadata(msg metadataLoadedMsg) flowModel {
	s.inflight = max(0, s.inflight-1)
	if s.meta == nil && msg.meta != nil {
		s.meta = msg.meta
	}
	return s
}

func (s flowModel) onDiscovered(msg discoveredMsg) (flowModel, tea.Cmd) {
	if !s.accept(msg.reqID) {
		return s, nil
	}
	s = s.finish(stepDiscover, msg.err, msg.raw)
	if msg.err != nil {
		return s, nil
	}
	s.meta = msg.meta
	return s, nil
}

func (s flowModel) onAuthRequested(msg authRequestedMsg) (flowModel, tea.Cmd) {
	if !s.accept(msg.reqID) {
		return s, closeSession(msg.session) // nobody else will close it
	}
	if msg.err != nil {
		return s.finish(stepAuthorize, msg.err, msg.raw), nil
	}
	// The authorization request is built; the rest of the step is the browser's.
	s = s.finish(stepAuthorize, nil, msg.raw)
	s.auth, s.authReq, s.authRes, s.listening, s.direct = msg.session, msg.session.Request, nil, msg.session.Listening(), false
	s.steps[stepCallback] = stepResult{}
	if s.frontOnly {
		s.frontOnly = false
		s.steps[stepToken] = stepResult{}
	}
	s.paste.Reset()
	s = s.advance(stepAuthorize)
	s, meta := s.afterSuccess(stepAuthorize)
	cmds := []tea.Cmd{meta}
	if s.c.OpenBrowser != nil {
		cmds = append(cmds, openURL(s.c.OpenBrowser, s.authReq.URL))
	}
	if !s.listening {
		// Not a loopback redirect: the user pastes where the browser ended, after enter focuses
		// the input as the pane says (a key meant for the stepper, c or j, is not typed into it).
		return s, tea.Batch(cmds...)
	}
	ctx, cancel := context.WithCancel(context.Background())
	s.reqID++
	s.cancel = cancel
	s.running = stepCallback
	s.steps[stepCallback] = stepResult{state: stateRunning}
	s.startedAt = s.c.Now()
	s.inflight++
	s.ignored = nil
	cmds = append(cmds, awaitCallback(ctx, s.auth, s.reqID), watchIgnored(ctx, s.auth, s.reqID))
	s, spin := s.startSpinner()
	return s, tea.Batch(append(cmds, spin)...)
}

// onIgnored notes a request the listener ignored and watches for the next one while it waits.
func (s flowModel) onIgnored(msg callbackIgnoredMsg) (flowModel, tea.Cmd) {
	if msg.reqID != s.reqID || !s.listening {
		return s, nil
	}
	s.ignored = append(s.ignored, msg.ignored)
	s.notice = "the listener ignored a request: " + untrusted.Line(msg.ignored.Reason) + " (still waiting)"
	return s.layout(), watchIgnored(msg.ctx, msg.session, msg.reqID)
}

// closeSession closes a session's listener off the event loop (Close waits for the browser's page).
func closeSession(sess *flows.AuthSession) tea.Cmd {
	if sess == nil {
		return nil
	}
	return func() tea.Msg { sess.Close(); return nil }
}

func (s flowModel) onCallback(msg callbackReceivedMsg) (flowModel, tea.Cmd) {
	if !s.accept(msg.reqID) {
		return s, nil
	}
	s.authRes = msg.res
	s = s.finish(stepCallback, msg.err, nil)
	s.listening = false // awaitCallback closed the listener
	if msg.err != nil {
		return s, nil
	}
	s.steps[stepToken] = stepResult{}
	if f := msg.res.Front; f != nil && msg.res.Code == "" {
		return s.onFrontChannel(f)
	}
	return s, nil
}

// onFrontChannel takes the tokens of an implicit response (response_type id_token or id_token
// token): they came with the authorization response, so there is no code to exchange and the Token
// step is skipped, saying why (OpenID Connect Core §3.2.2.5).
func (s flowModel) onFrontChannel(f *flows.FrontChannel) (flowModel, tea.Cmd) {
	members := map[string]any{}
	for k, v := range map[string]string{"access_token": f.AccessToken, "token_type": f.TokenType, "id_token": f.IDToken} {
		if v != "" {
			members[k] = v
		}
	}
	if f.ExpiresIn > 0 {
		members["expires_in"] = f.ExpiresIn
	}
	t := &flows.Token{AccessToken: f.AccessToken, TokenType: f.TokenType, IDToken: f.IDToken, ExpiresIn: f.ExpiresIn, Members: members}
	s.token, s.refreshed, s.hasRefReport, s.binding = t, nil, false, nil
	s.report, s.hasReport = flows.Report{}, false
	if f.IDTokenReport != nil {
		s.report, s.hasReport = *f.IDTokenReport, true
	}
	s.frontOnly = true
	s.steps[stepToken] = stepResult{state: stateSkipped}
	announcement := ui.TokensReceivedMsg{Step: stepCallback.name(), Grant: "implicit", Token: t, Report: s.report, HasReport: s.hasReport, At: s.c.Now()}
	if s.authReq != nil {
		announcement.Nonce = s.authReq.Nonce
	}
	return s, ui.Announce(announcement)
}

// onCIBAStarted starts polling for the backchannel authentication's tokens (CIBA Core §7.3, §10.1),
// as onDeviceStarted does for a device code.
func (s flowModel) onCIBAStarted(msg cibaStartedMsg) (flowModel, tea.Cmd) {
	if !s.accept(msg.reqID) {
		if msg.notes != nil {
			return s, closeNotifications(msg.notes)
		}
		return s, nil
	}
	s = s.finish(stepAuthorize, msg.err, msg.raw)
	if msg.err != nil {
		return s, nil
	}
	s.ciba, s.deviceAt, s.devicePolls, s.devicePoll = msg.auth, s.c.Now(), 0, flows.DevicePoll{}
	s = s.advance(stepAuthorize)
	s, meta := s.afterSuccess(stepAuthorize)
	// The approval page is the built-in provider's stand-in for the user's authentication device:
	// it is not opened by itself; o opens it.
	return s.startPolling(meta, func(ctx context.Context, id int) tea.Cmd {
		if msg.notes != nil {
			return awaitCIBA(ctx, s.client, msg.auth, msg.notes, msg.mode, id)
		}
		return pollCIBA(ctx, s.client, msg.auth, s.c.Now, id)
	})
}

// startPolling runs the Token step until the user approves on another device (the device and CIBA
// grants); poll makes the polling command for the step's context and request id.
func (s flowModel) startPolling(meta tea.Cmd, poll func(ctx context.Context, reqID int) tea.Cmd) (flowModel, tea.Cmd) {
	ctx, cancel := context.WithCancel(context.Background())
	s.reqID++
	s.cancel = cancel
	s.running = stepToken
	s.steps[stepToken] = stepResult{state: stateRunning}
	s.startedAt = s.c.Now()
	s.inflight++
	cmd := poll(ctx, s.reqID)
	s, spin := s.startSpinner()
	return s, tea.Batch(meta, cmd, spin, ui.TickClock(s.reqID))
}

func (s flowModel) onToken(msg tokenResultMsg) (flowModel, tea.Cmd) {
	if !s.accept(msg.reqID) {
		return s, nil
	}
	err := msg.err
	if err == nil && msg.hasReport && !msg.report.OK() {
		err = errChecksFailed
	}
	if err == nil && failed(msg.binding) {
		err = errBindingFailed
	}
	s = s.finish(msg.step, err, msg.raw)
	if msg.token == nil {
		return s, nil
	}
	if msg.step == stepRefresh {
		s.refreshed, s.refreshReport, s.hasRefReport, s.refBinding = msg.token, msg.report, msg.hasReport, msg.binding
	} else {
		s.token, s.report, s.hasReport, s.binding = msg.token, msg.report, msg.hasReport, msg.binding
		s.tokenOwn = true // the Token step's own request produced it
		s.refreshed, s.hasRefReport, s.refBinding = nil, false, nil
		s.device, s.ciba = nil, nil
	}
	announcement := ui.TokensReceivedMsg{
		Step: msg.step.name(), Grant: msg.grant, Token: msg.token, Report: msg.report,
		HasReport: msg.hasReport, Previous: msg.previous, At: s.c.Now(),
	}
	if s.authReq != nil && msg.grant == flows.GrantAuthorizationCode {
		announcement.Nonce = s.authReq.Nonce
	}
	var meta, keep tea.Cmd
	if msg.err == nil {
		s, meta = s.afterSuccess(msg.step)
	}
	if err == nil && msg.step == stepToken {
		keep = s.keepToken(msg.token) // checked: kept for the profile's next session
	}
	return s, tea.Batch(ui.Announce(announcement), meta, keep)
}

// errChecksFailed marks a token step whose tokens arrived but whose id_token checks failed.
var errChecksFailed = errors.New("the id_token failed its checks")

// errBindingFailed marks a token step whose token is not bound as asked: DPoP (RFC 9449 §5) or the
// client certificate (RFC 8705 §3).
var errBindingFailed = errors.New("the token failed its binding checks")

// failed reports whether any check failed.
func failed(cs []flows.Check) bool {
	for _, c := range cs {
		if c.Status == flows.CheckFail {
			return true
		}
	}
	return false
}

func (s flowModel) onDeviceStarted(msg deviceStartedMsg) (flowModel, tea.Cmd) {
	if !s.accept(msg.reqID) {
		return s, nil
	}
	s = s.finish(stepAuthorize, msg.err, msg.raw)
	if msg.err != nil {
		return s, nil
	}
	s.device, s.deviceAt, s.devicePolls, s.devicePoll = msg.auth, s.c.Now(), 0, flows.DevicePoll{}
	s = s.advance(stepAuthorize)
	s, meta := s.afterSuccess(stepAuthorize)
	// Polling starts at once: the user approves on another device while the token endpoint is
	// asked every interval (RFC 8628 §3.4). The verification URI is not opened by itself: the
	// device flow is for signing in elsewhere; o opens it here.
	return s.startPolling(meta, func(ctx context.Context, id int) tea.Cmd {
		return pollDevice(ctx, s.client, msg.auth, s.c.Now, id)
	})
}

// onDevicePolled shows a pending answer and waits for the next. The wait is re-armed even for a
// stale poll: the polling goroutine's last message must be read for it to end.
func (s flowModel) onDevicePolled(msg devicePolledMsg) (flowModel, tea.Cmd) {
	next := waitForDevice(msg.ch)
	if msg.reqID != s.reqID || s.running != stepToken {
		return s, next
	}
	s.devicePoll = msg.poll
	s.devicePolls++
	return s, next
}

// onClock refreshes the device code's countdown once a second while polling.
func (s flowModel) onClock(msg ui.ClockTickedMsg) (flowModel, tea.Cmd) {
	if msg.Tag != s.reqID || s.running != stepToken || (s.device == nil && s.ciba == nil) {
		return s, nil
	}
	return s, ui.TickClock(msg.Tag)
}

func (s flowModel) onResource(msg resourceResultMsg) (flowModel, tea.Cmd) {
	if !s.accept(msg.reqID) {
		return s, nil
	}
	s = s.finish(msg.step, msg.err, msg.raw)
	if msg.err != nil {
		return s, nil
	}
	if msg.step == stepUserInfo {
		s.userinfo = msg.result
	} else {
		s.introspection = msg.result
	}
	return s.afterSuccess(msg.step)
}

func (s flowModel) onRevoked(msg revokedMsg) (flowModel, tea.Cmd) {
	if !s.accept(msg.reqID) {
		return s, nil
	}
	s = s.finish(stepRevoke, msg.err, msg.raw)
	if msg.err != nil {
		return s, nil
	}
	s.revokedActive, s.revokedWhich = msg.active, s.form.value(fieldTarget)
	return s.afterSuccess(stepRevoke)
}

func (s flowModel) onLogout(msg logoutBuiltMsg) (flowModel, tea.Cmd) {
	if !s.accept(msg.reqID) {
		return s, nil
	}
	s = s.finish(stepLogout, msg.err, nil)
	s.logoutURL = msg.url
	if msg.err != nil {
		return s, nil
	}
	return s.afterSuccess(stepLogout)
}

func (s flowModel) onBrowserOpened(msg browserOpenedMsg) flowModel {
	if msg.err != nil {
		s.notice = fmt.Sprintf("%v — copy the URL with c", msg.err)
	}
	return s
}

// current is the latest token set: the refreshed one, else the first.
func (s flowModel) current() *flows.Token {
	if s.refreshed != nil {
		return s.refreshed
	}
	return s.token
}

// refreshTokenValue is the refresh token to use next: a rotated one replaces the old (RFC 9700
// §4.14.2); an answer without one leaves the old in force (RFC 6749 §6).
func (s flowModel) refreshTokenValue() string {
	if s.refreshed != nil && s.refreshed.RefreshToken != "" {
		return s.refreshed.RefreshToken
	}
	if s.token != nil {
		return s.token.RefreshToken
	}
	return ""
}

// idToken is the latest id_token.
func (s flowModel) idToken() string {
	if s.refreshed != nil && s.refreshed.IDToken != "" {
		return s.refreshed.IDToken
	}
	if s.token != nil {
		return s.token.IDToken
	}
	return ""
}

// targetToken is the token introspection and revocation act on.
func (s flowModel) targetToken() string {
	if s.form.value(fieldTarget) == "refresh_token" {
		return s.refreshTokenValue()
	}
	if t := s.current(); t != nil {
		return t.AccessToken
	}
	return ""
}

// copyValue is c: the step's most useful value goes to the clipboard (OSC 52).
func (s flowModel) copyValue() (flowModel, tea.Cmd) {
	label, value := s.copyable()
	if value == "" {
		s.notice = "nothing to copy here yet"
		return s, nil
	}
	s.notice = ui.CopiedNote(label) + " · v shows it for selecting with the mouse"
	return s, s.c.Copy(value)
}

// copyable is what c copies on the selected step.
func (s flowModel) copyable() (label, value string) {
	switch s.cursor {
	case stepDiscover:
		if s.meta != nil {
			return "the metadata URL", s.meta.Source
		}
	case stepAuthorize:
		if s.grant == grantDevice && s.device != nil {
			return "the user code", s.device.UserCode
		}
		if s.grant == grantCIBA && s.ciba != nil && s.ciba.ApprovalURI != "" {
			return "the approval URL", s.ciba.ApprovalURI
		}
		if s.authReq != nil && !s.direct {
			return "the authorization URL", s.authReq.URL
		}
	case stepCallback:
		if s.authRes != nil && s.authRes.Code != "" {
			return "the code", s.authRes.Code
		}
		if s.authReq != nil {
			return "the authorization URL", s.authReq.URL
		}
	case stepToken, stepRefresh:
		if s.cursor == stepToken && s.grant == grantDevice && s.device != nil {
			return "the user code", s.device.UserCode
		}
		t := s.token
		if s.cursor == stepRefresh {
			t = s.refreshed
		} else if !s.tokenOwn && !s.frontOnly {
			t = nil // not this request's: an earlier grant's, or a poll still waiting
		}
		if t != nil {
			return "the access token", t.AccessToken
		}
	case stepUserInfo:
		if s.userinfo != nil {
			return "the userinfo answer", string(s.userinfo.Body)
		}
	case stepIntrospect:
		if s.introspection != nil {
			return "the introspection answer", string(s.introspection.Body)
		}
	case stepLogout:
		if s.logoutURL != "" {
			return "the logout URL", s.logoutURL
		}
	case stepAPI:
		if s.apiAnswer != nil {
			return "the API's answer", string(s.apiAnswer.Body)
		}
	case stepRevoke, numSteps:
	}
	return "", ""
}

// openValue is o: open the step's URL in the browser.
func (s flowModel) openValue() (flowModel, tea.Cmd) {
	var u string
	switch {
	case s.device != nil && (s.cursor == stepAuthorize || s.cursor == stepToken):
		u = s.device.VerificationURIComplete
		if u == "" {
			u = s.device.VerificationURI
		}
	case s.ciba != nil && (s.cursor == stepAuthorize || s.cursor == stepToken):
		u = s.ciba.ApprovalURI
	case s.cursor == stepLogout:
		u = s.logoutURL
	case s.authReq != nil && !s.direct && (s.cursor == stepAuthorize || s.cursor == stepCallback):
		u = s.authReq.URL
	}
	if u == "" {
		s.notice = "no URL to open here"
		return s, nil
	}
	s.notice = "opening the browser…"
	return s, openURL(s.c.OpenBrowser, u)
}

// inspect is i: the step's token in the inspector.
func (s flowModel) inspect() (flowModel, tea.Cmd) {
	t := s.token
	label := "id_token"
	if s.cursor == stepRefresh && s.refreshed != nil {
		t, label = s.refreshed, "id_token after refresh"
	}
	if s.cursor == stepToken && !s.tokenOwn && !s.frontOnly {
		t = nil // an earlier grant's, or a poll still waiting: not this request's
	}
	if t == nil {
		s.notice = "no token yet"
		return s, nil
	}
	raw := t.IDToken
	if raw == "" {
		raw, label = t.AccessToken, "access_token"
	}
	return s, inspectToken(raw, label)
}

// newPasteInput is the input for a pasted redirected URL, behind a "> " prompt of its own: it stands
// alone under the pane's text, not beside a label.
func newPasteInput(c *ui.Common) textinput.Model {
	in := ui.NewLineInput(c, "the URL the browser ended on, its query or #fragment, or the code")
	in.Prompt = "> "
	return in
}
