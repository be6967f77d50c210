package stepper

import (
	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/tokenbench/tokenbench/flows"
)

// Editing the request form from the stepper: e starts it, its keys, what follows a change (a DPoP
// key made, a file checked), and the grant chosen with g.

// startEditing opens the form on the grant field.
func (s flowModel) startEditing() (flowModel, tea.Cmd) {
	s.form.editing = true
	s.showRaw = false
	var cmd tea.Cmd
	s.form, cmd = s.form.focusField(fieldGrant)
	return s, cmd
}

func (s flowModel) handleFormKey(msg tea.KeyPressMsg) (flowModel, tea.Cmd) {
	k := s.keys
	var cmd tea.Cmd
	switch {
	case key.Matches(msg, k.Done):
		s.form = s.form.blurAll()
		s = s.applyGrant()
	case key.Matches(msg, k.FieldUp):
		s.form, cmd = s.form.step(-1)
	case key.Matches(msg, k.FieldDown):
		s.form, cmd = s.form.step(+1)
	case s.form.focus.isChoice() && key.Matches(msg, k.Toggle):
		delta := 1
		if msg.String() == "left" {
			delta = -1
		}
		s.form = s.form.cycle(delta)
		if s.form.focus == fieldGrant {
			s = s.applyGrant()
		}
	default:
		s.form, cmd = s.form.update(msg)
	}
	s, more := s.formFollowUp()
	return s, tea.Batch(cmd, more)
}

// formFollowUp starts what a form change needs: the session's DPoP key when DPoP is first turned
// on, and reading the authorization_details file once its field is left (not on every key).
func (s flowModel) formFollowUp() (flowModel, tea.Cmd) {
	var cmds []tea.Cmd
	if s.form.on(fieldDPoP) && s.dpopKey == nil && !s.makingKey {
		s.makingKey = true
		cmds = append(cmds, makeDPoPKey())
	}
	path := s.form.value(fieldAuthzDetails)
	leftField := !s.form.editing || s.form.focus != fieldAuthzDetails
	if leftField && path != "" && s.form.grant.sendsDetails() && path != s.form.detailsPath && path != s.form.checking {
		s.form.checking = path
		cmds = append(cmds, checkDetailsFile(path))
	}
	return s, tea.Batch(cmds...)
}

// onDPoPKey keeps the session's DPoP key.
func (s flowModel) onDPoPKey(msg dpopKeyMadeMsg) flowModel {
	s.makingKey = false
	if msg.err != nil {
		s.notice = msg.err.Error()
		return s
	}
	if s.dpopKey == nil {
		s.dpopKey, s.dpopJKT = msg.key, msg.jkt
	}
	return s
}

// onFileChecked takes the authorization_details file as read, unless the field changed since.
func (s flowModel) onFileChecked(msg fileCheckedMsg) flowModel {
	if msg.path == s.form.checking {
		s.form.checking = ""
	}
	if msg.path != s.form.value(fieldAuthzDetails) {
		return s
	}
	s.form.detailsPath, s.form.details, s.form.detailsErr = msg.path, msg.value, msg.err
	return s
}

// assertionFileHint says what the assertion file holds under the chosen grant.
func (f flowForm) assertionFileHint() flowForm {
	hint := "a SAML 2.0 assertion XML file"
	if f.grant == grantJWTBearer {
		hint = "a JWT file, or empty to sign one"
	}
	f.inputs[fieldAssertionFile].Placeholder = hint
	return f
}

// applyGrant follows a grant change: Authorize and Callback apply only to some grants.
func (s flowModel) applyGrant() flowModel {
	if s.form.grant != s.grant && s.running == numSteps {
		s = s.forgetResults()
	}
	s.grant = s.form.grant
	skip := func(id stepID, skipped bool) {
		switch {
		case skipped && s.steps[id].state != stateRunning:
			s.steps[id] = stepResult{state: stateSkipped}
		case !skipped && s.steps[id].state == stateSkipped:
			s.steps[id] = stepResult{}
		}
	}
	skip(stepAuthorize, !s.grant.usesAuthorize())
	skip(stepCallback, s.grant != grantAuthCode)
	s.form = s.form.assertionFileHint()
	if s.frontOnly && s.grant != grantAuthCode {
		s.frontOnly = false
		skip(stepToken, false)
	}
	return s
}

// forgetResults clears what the previous grant's own steps produced, so that nothing shown (or
// copied) on Authorize, Callback or Token belongs to another grant's request: those steps go back to
// pending, with the authorization request and response and the device or backchannel answer. The
// session's tokens stay (Refresh, UserInfo and token exchange use them), shown on Token only once
// its own request is done.
func (s flowModel) forgetResults() flowModel {
	for _, id := range []stepID{stepAuthorize, stepCallback, stepToken} {
		s.steps[id] = stepResult{}
	}
	s.authReq, s.auth, s.authRes, s.listening, s.ignored, s.direct = nil, nil, nil, false, nil, false
	s.device, s.devicePoll, s.devicePolls, s.ciba = nil, flows.DevicePoll{}, 0, nil
	s.frontOnly, s.tokenOwn = false, false
	s.paste.Reset()
	return s
}
