package stepper

import "strings"

// The names of the steps under the chosen grant, and what comes after a step that is done: the
// next step by name, or, once the grant's own steps are over, what can be done with its tokens.

// stepTitle is the step's name in the list and in notices: the device and CIBA grants' steps are
// named for what they do (RFC 8628 §3.1–3.4, CIBA Core §7 and §10), the others by their step.
func (s flowModel) stepTitle(id stepID) string {
	switch {
	case id == stepAuthorize && s.grant == grantDevice:
		return "Device auth"
	case id == stepAuthorize && s.grant == grantCIBA:
		return "Backchannel auth"
	case id == stepToken && s.grant == grantDevice:
		return "User code / poll"
	case id == stepToken && s.grant == grantCIBA:
		return "Poll for token"
	}
	return id.title()
}

// followUp says what comes after step id, done: "next: Token (j, enter)" while the grant's own
// steps remain, then the steps that use its tokens, and after Logout what is left to do.
func (s flowModel) followUp(id stepID) string {
	if id == stepLogout {
		return "o opens the logout URL to end the session at the provider · g picks another grant"
	}
	if id < stepToken {
		next := id + 1
		for next < stepToken && s.steps[next].state == stateSkipped {
			next++
		}
		switch s.steps[next].state {
		case stateRunning:
			return "next: " + s.stepTitle(next) + " (running: j shows it)"
		case stateDone:
			return "next: " + s.stepTitle(next) + " (done: j shows it)"
		case statePending, stateFailed, stateSkipped:
		}
		if next != stepToken || !s.frontOnly {
			return "next: " + s.stepTitle(next) + " (j, enter)"
		}
	}
	var then []string
	for _, t := range []stepID{stepRefresh, stepUserInfo, stepIntrospect, stepRevoke, stepLogout} {
		if t != id && s.c.Client != nil && s.missing(t) == "" && s.offers(t) {
			then = append(then, t.title())
		}
	}
	inspect := " · i inspects"
	if s.current() == nil {
		inspect = ""
	}
	if len(then) == 0 {
		return "g picks another grant" + inspect
	}
	return "then: " + strings.Join(then, ", ") + " (j, enter)" + inspect
}

// offers reports whether a step after Token makes sense for the grant: userinfo and logout are
// about a user, whom client credentials and token exchange do not name.
func (s flowModel) offers(id stepID) bool {
	if id == stepUserInfo || id == stepLogout {
		return s.grant.spec().ForUser
	}
	return true
}
