package stepper

import (
	"net/url"
	"strings"
	"testing"

	"github.com/tokenbench/tokenbench/tui/internal/tuitest"
)

// TestLogoutStepWithoutIDTokenHint: for a provider whose logout endpoint takes no id_token_hint (the
// Cognito preset's quirk), the Logout step needs no token, says the hint is not sent, and builds a
// URL without one.
func TestLogoutStepWithoutIDTokenHint(t *testing.T) {
	t.Parallel()
	p := tuitest.FlowProvider(t)
	c := tuitest.FlowClient(t, p, "http://127.0.0.1:0/callback")
	c.Config.LogoutWithoutIDTokenHint = true
	r := newFlowRunner(t, flowCommon(c, nil, 100, 40))
	r.s.cursor = stepLogout
	if v := tuitest.StripANSI(r.s.layout().View()); !strings.Contains(v, "id_token_hint not sent") {
		t.Errorf("the Logout step does not say the hint is not sent:\n%s", v)
	}
	r.runStep(stepLogout)
	if r.s.steps[stepLogout].state != stateDone {
		t.Fatalf("Logout did not run without a token: %s, notice %q", r.s.states(), r.s.notice)
	}
	u, err := url.Parse(r.s.logoutURL)
	if err != nil || u.Query().Has("id_token_hint") || u.Query().Get("client_id") == "" {
		t.Errorf("logout URL %q", r.s.logoutURL)
	}
}
