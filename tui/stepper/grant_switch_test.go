package stepper

import (
	"strings"
	"testing"

	"github.com/tokenbench/tokenbench/tui/internal/tuitest"
)

// TestGrantSwitchForgetsTheOldResults: after g to another grant, the grant's own steps do not show
// the previous grant's result, and its token is neither shown nor copied on Token; the session keeps
// it for the steps that use it (refresh, userinfo, token exchange).
func TestGrantSwitchForgetsTheOldResults(t *testing.T) {
	t.Parallel()
	p := tuitest.FlowProvider(t)
	c := tuitest.FlowClient(t, p, "http://127.0.0.1:0/callback")
	r := newFlowRunner(t, flowCommon(c, nil, 100, 40))
	r.s.form.grant = grantClientCredentials
	r.s = r.s.applyGrant()
	r.runStep(stepToken)
	if r.s.token == nil || r.s.steps[stepToken].state != stateDone {
		t.Fatalf("client credentials: %s err=%v", r.s.states(), r.s.steps[stepToken].err)
	}
	old := r.s.token.AccessToken
	r.s.form.grant = grantPassword
	r.s = r.s.applyGrant().layout()
	if r.s.token == nil || r.s.steps[stepToken].state != statePending {
		t.Fatalf("after the switch: %s, session token kept %v", r.s.states(), r.s.token != nil)
	}
	r.s.c.Reveal = true
	r.s.cursor = stepToken
	r.s = r.s.layout()
	if v := r.viewText(); strings.Contains(v, old[:20]) || strings.Contains(v, "✓ done") {
		t.Errorf("the password grant's Token step shows the old result:\n%s", v)
	}
	if label, value := r.s.copyable(); value != "" {
		t.Errorf("c on Token would copy %s from the old grant", label)
	}
}

// TestEditOnAnyStepShowsTheForm: e on a finished step (here Discover) opens the form on screen, not
// only a changed footer.
func TestEditOnAnyStepShowsTheForm(t *testing.T) {
	t.Parallel()
	p := tuitest.FlowProvider(t)
	r := newFlowRunner(t, flowCommon(tuitest.FlowClient(t, p, "http://127.0.0.1:0/callback"), nil, 100, 60))
	r.runStep(stepDiscover)
	r.s.cursor = stepDiscover
	r.send(tuitest.Press("e"))
	if v := r.viewText(); !r.s.form.editing || !strings.Contains(v, "Parameters — ↑/↓ or tab field") || strings.Count(v, "Parameters") != 1 {
		t.Errorf("e on a finished Discover step:\n%s", v)
	}
}
