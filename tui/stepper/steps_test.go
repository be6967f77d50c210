package stepper

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/exp/golden"

	"github.com/tokenbench/tokenbench/flows"
	"github.com/tokenbench/tokenbench/flows/demoidp"
	"github.com/tokenbench/tokenbench/tui/internal/tuitest"
)

// Tests of single steps' panes: userinfo's checks and logout's redirect parameter.

// encryptedFlowClient is demo-encrypted on the provider, with the private key its tokens and
// userinfo are encrypted to: its userinfo answers are signed, then encrypted.
func encryptedFlowClient(t *testing.T, p *demoidp.Provider) *flows.Client {
	t.Helper()
	key := tuitest.ReadKey(t, tuitest.Asset("demo", "private-key-jwt-rsa.pem"))
	cfg := flows.ClientConfig{
		Issuer: p.Issuer(), ClientID: "demo-encrypted", ClientSecret: "demo-encrypted-secret",
		AuthMethod: flows.AuthClientSecretBasic, RedirectURI: "http://127.0.0.1:0/callback",
		Scopes: []string{"openid", "profile", "email"}, DecryptionKey: key,
	}
	c, err := flows.NewClient(cfg, flows.TransportOptions{Timeout: 10 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	c.Now = tuitest.FlowNow
	return c
}

// tokenFlow runs Discover, Authorize (the injected browser comes back) and Token.
func tokenFlow(t *testing.T, c *flows.Client, w, h int) *flowRunner {
	t.Helper()
	r := newFlowRunner(t, flowCommon(c, tuitest.FlowBrowser, w, h))
	r.runStep(stepDiscover)
	r.s.cursor = stepAuthorize
	r.send(tuitest.Press("enter"))
	r.until("the callback", func(s flowModel) bool { return s.steps[stepCallback].state == stateDone })
	r.runStep(stepToken)
	if r.s.token == nil || !r.s.report.OK() {
		t.Fatalf("token: %s err=%v", r.s.states(), r.s.steps[stepToken].err)
	}
	return r
}

// TestUserInfoStepShowsTheChecks: the UserInfo step of demo-encrypted shows the decrypted claims
// and every check on the signed, then encrypted answer.
func TestUserInfoStepShowsTheChecks(t *testing.T) {
	t.Parallel()
	p := tuitest.FlowProvider(t)
	r := tokenFlow(t, encryptedFlowClient(t, p), 100, 46)
	r.runStep(stepUserInfo)
	if r.s.steps[stepUserInfo].state != stateDone || r.s.userinfo == nil || r.s.userinfo.Report == nil {
		t.Fatalf("userinfo: %s err=%v", r.s.states(), r.s.steps[stepUserInfo].err)
	}
	v := r.viewText()
	for _, want := range []string{"UserInfo checks", "signed with alg RS256, then encrypted", "decryption", "valid RS256 signature", "✓ pass sub match", "is the id_token's sub"} {
		if !strings.Contains(v, want) {
			t.Errorf("the UserInfo step lacks %q:\n%s", want, v)
		}
	}
	golden.RequireEqual(t, v)
}

// TestUserInfoStepFlagsAnotherUser: an answer whose subject is not the id_token's is flagged above
// its claims, and its check fails.
func TestUserInfoStepFlagsAnotherUser(t *testing.T) {
	t.Parallel()
	p := tuitest.FlowProvider(t)
	c := tuitest.FlowClient(t, p, "http://127.0.0.1:0/callback")
	r := tokenFlow(t, c, 100, 50)
	res, err := c.UserInfo(context.Background(), r.s.token.AccessToken, flows.UserInfoExpect{Subject: "someone-else"})
	if err != nil {
		t.Fatal(err)
	}
	r.s.cursor, r.s.running, r.s.reqID, r.s.inflight = stepUserInfo, stepUserInfo, 99, 1
	r.s.steps[stepUserInfo].state = stateRunning
	r.send(resourceResultMsg{reqID: 99, step: stepUserInfo, result: res})
	v := r.viewText()
	for _, want := range []string{"plain JSON (application/json), not signed", "Not the id_token's user", "✗ FAIL sub match", `"someone-else"`} {
		if !strings.Contains(v, want) {
			t.Errorf("the UserInfo step lacks %q:\n%s", want, v)
		}
	}
}

// TestLogoutStepNamesTheRedirectParameter: the Logout step names the redirect parameter as the
// provider wants it, and says it is not sent.
func TestLogoutStepNamesTheRedirectParameter(t *testing.T) {
	t.Parallel()
	p := tuitest.FlowProvider(t)
	c := tuitest.FlowClient(t, p, "http://127.0.0.1:0/callback")
	s, _ := New(flowCommon(c, nil, 100, 40)).(flowModel)
	s.cursor = stepLogout
	if v := tuitest.StripANSI(s.layout().View()); !strings.Contains(v, "post_logout_redirect_uri") || !strings.Contains(v, "not sent") {
		t.Errorf("the Logout step does not name post_logout_redirect_uri:\n%s", v)
	}
	c.Config.LogoutRedirectParam = "logout_uri"
	if v := tuitest.StripANSI(s.layout().View()); !strings.Contains(v, "logout_uri") || strings.Contains(v, "post_logout_redirect_uri") {
		t.Errorf("the Logout step does not follow the logout_uri quirk:\n%s", v)
	}
}
