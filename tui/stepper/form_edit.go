package stepper

import (
	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
)

// Editing the request form from the stepper: e starts it, its keys, what follows a change (a DPoP
// key made, a file checked), and the grant chosen with g.

// startEditing opens the form on the grant field.
func (s Model) startEditing() (Model, tea.Cmd) {
	s.Form.Editing = true
	s.showRaw = false
	var cmd tea.Cmd
	s.Form, cmd = s.Form.focusField(fieldGrant)
	return s, cmd
}

func (s Model) handleFormKey(msg tea.KeyPressMsg) (Model, tea.Cmd) {
	k := s.keys
	var cmd tea.Cmd
	switch {
	case key.Matches(msg, k.Done):
		s.Form = s.Form.blurAll()
		s = s.applyGrant()
	case key.Matches(msg, k.FieldUp):
		s.Form, cmd = s.Form.step(-1)
	case key.Matches(msg, k.FieldDown):
		s.Form, cmd = s.Form.step(+1)
	case s.Form.focus.isChoice() && key.Matches(msg, k.Toggle):
		delta := 1
		if msg.String() == "left" {
			delta = -1
		}
		s.Form = s.Form.cycle(delta)
		if s.Form.focus == fieldGrant {
			s = s.applyGrant()
		}
	default:
		s.Form, cmd = s.Form.update(msg)
	}
	s, more := s.formFollowUp()
	return s, tea.Batch(cmd, more)
}

// formFollowUp starts what a form change needs: the session's DPoP key when DPoP is first turned
// on, and reading the authorization_details file once its field is left (not on every key).
func (s Model) formFollowUp() (Model, tea.Cmd) {
	var cmds []tea.Cmd
	if s.Form.on(fieldDPoP) && s.dpopKey == nil && !s.makingKey {
		s.makingKey = true
		cmds = append(cmds, makeDPoPKey())
	}
	path := s.Form.Value(fieldAuthzDetails)
	leftField := !s.Form.Editing || s.Form.focus != fieldAuthzDetails
	if leftField && path != "" && s.Form.grant.sendsDetails() && path != s.Form.detailsPath && path != s.Form.checking {
		s.Form.checking = path
		cmds = append(cmds, checkDetailsFile(path))
	}
	return s, tea.Batch(cmds...)
}

// onDPoPKey keeps the session's DPoP key.
func (s Model) onDPoPKey(msg dpopKeyMadeMsg) Model {
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
func (s Model) onFileChecked(msg fileCheckedMsg) Model {
	if msg.path == s.Form.checking {
		s.Form.checking = ""
	}
	if msg.path != s.Form.Value(fieldAuthzDetails) {
		return s
	}
	s.Form.detailsPath, s.Form.details, s.Form.detailsErr = msg.path, msg.value, msg.err
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

// cycleGrant is g: the next grant.
func (s Model) cycleGrant() (Model, tea.Cmd) {
	if s.Running != NumSteps {
		s.notice = "esc first: a request is running"
		return s, nil
	}
	s.Form.grant = grantKind((int(s.Form.grant) + 1) % int(numGrants))
	s = s.applyGrant()
	s.notice = "grant: " + s.Grant.String()
	return s.formFollowUp()
}

// applyGrant follows a grant change: Authorize and Callback apply only to some grants.
func (s Model) applyGrant() Model {
	s.Grant = s.Form.grant
	skip := func(id StepID, skipped bool) {
		switch {
		case skipped && s.Steps[id].State != StateRunning:
			s.Steps[id] = stepResult{State: stateSkipped}
		case !skipped && s.Steps[id].State == stateSkipped:
			s.Steps[id] = stepResult{}
		}
	}
	skip(StepAuthorize, !s.Grant.usesAuthorize())
	skip(StepCallback, s.Grant != grantAuthCode)
	s.Form = s.Form.assertionFileHint()
	if s.frontOnly && s.Grant != grantAuthCode {
		s.frontOnly = false
		skip(StepToken, false)
	}
	return s
}
