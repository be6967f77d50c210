package stepper

import (
	"errors"
	"strings"
	"testing"

	"charm.land/bubbles/v2/textinput"
	"charm.land/lipgloss/v2"

	"github.com/tokenbench/tokenbench/flows"
	"github.com/tokenbench/tokenbench/flows/demoidp"
	"github.com/tokenbench/tokenbench/tui/internal/tuitest"
	"github.com/tokenbench/tokenbench/tui/ui"
)

// Tests of the stepper against the built-in provider: the whole flow, cancel, stale results, grants,
// masking, failures explained, the device flow, pasted callbacks, the layout.

// TestFlowWholeFlow drives the stepper through every step against the built-in provider, as the
// program would, and checks each step's transition.
func TestFlowWholeFlow(t *testing.T) {
	t.Parallel()
	p := tuitest.FlowProvider(t)
	c := tuitest.FlowClient(t, p, "http://127.0.0.1:0/callback")
	r := newFlowRunner(t, flowCommon(c, tuitest.FlowBrowser, 100, 30))

	r.runStep(StepDiscover)
	if r.s.Steps[StepDiscover].State != StateDone || r.s.Meta == nil || r.s.Cursor != StepDiscover {
		t.Fatalf("after discover: %s cursor=%v", r.s.states(), r.s.Cursor)
	}

	// Authorize builds the request, the injected browser follows it to the loopback listener, and
	// the callback step ends on its own.
	r.s.Cursor = StepAuthorize
	r.send(tuitest.Press("enter"))
	r.until("the callback", func(s Model) bool { return s.Steps[StepCallback].State == StateDone })
	if r.s.authReq == nil || r.s.authRes == nil || r.s.authRes.Code == "" || r.s.Cursor != StepCallback {
		t.Fatalf("after callback: %s cursor=%v", r.s.states(), r.s.Cursor)
	}
	for _, want := range []string{"state", "iss"} {
		if ch, ok := findCheck(r.s.authRes.Checks, want); !ok || ch.Status != flows.CheckPass {
			t.Errorf("callback check %s: %+v", want, ch)
		}
	}
	if r.s.listener != nil {
		t.Error("the listener is still held after the callback")
	}

	r.runStep(StepToken)
	if r.s.Steps[StepToken].State != StateDone || r.s.token == nil || !r.s.hasReport || !r.s.report.OK() {
		t.Fatalf("after token: %s err=%v", r.s.states(), r.s.Steps[StepToken].Err)
	}
	r.until("the announcement", func(Model) bool { return len(r.announced) > 0 })
	got, ok := r.announced[0].(ui.TokensReceivedMsg)
	if !ok || got.Token != r.s.token || got.Step != "token" || !got.HasReport || got.Nonce == "" {
		t.Errorf("tokensReceivedMsg: %+v", got)
	}

	r.runStep(stepRefresh)
	if r.s.refreshed == nil || r.s.refreshed.Rotation != flows.RotationRotated {
		t.Fatalf("after refresh: %s %+v", r.s.states(), r.s.refreshed)
	}
	if !strings.Contains(r.viewText(), "rotated") {
		t.Errorf("the refresh view does not say the refresh token rotated:\n%s", r.viewText())
	}

	for _, id := range []StepID{stepUserInfo, StepIntrospect, stepRevoke, stepLogout} {
		r.runStep(id)
		if r.s.Steps[id].State != StateDone {
			t.Fatalf("%s: %s err=%v", id.Title(), r.s.states(), r.s.Steps[id].Err)
		}
	}
	if r.s.userinfo.Members["sub"] != "demo-user-1" || !r.s.introspection.Active() {
		t.Errorf("userinfo %v, introspection %v", r.s.userinfo.Members, r.s.introspection.Members)
	}
	if r.s.revokedActive == nil || *r.s.revokedActive {
		t.Errorf("after revocation the token should be inactive: %v", r.s.revokedActive)
	}
	if !strings.Contains(r.s.logoutURL, "/logout?") {
		t.Errorf("logout URL %q", r.s.logoutURL)
	}
	if r.s.Inflight != 0 || r.s.Running != NumSteps {
		t.Errorf("inflight %d running %v after the flow", r.s.Inflight, r.s.Running)
	}
}

func findCheck(cs []flows.Check, name string) (flows.Check, bool) {
	for _, c := range cs {
		if c.Name == name {
			return c, true
		}
	}
	return flows.Check{}, false
}

// TestFlowCancel: esc while a step runs calls its cancel function, puts the step back to pending
// and drops its late result.
func TestFlowCancel(t *testing.T) {
	t.Parallel()
	c := flowCommon(nil, nil, 80, 24)
	s, _ := New(c).(Model)
	called := false
	s.Running, s.ReqID, s.Inflight = StepToken, 7, 1
	s.Steps[StepToken].State = StateRunning
	s.cancel = func() { called = true }

	sc, cmd := s.Update(tuitest.Press("esc"))
	s = sc.(Model)
	if !called || s.cancel != nil {
		t.Errorf("cancel called %v, still held %v", called, s.cancel != nil)
	}
	if s.Running != NumSteps || s.Steps[StepToken].State != StatePending || cmd != nil {
		t.Errorf("after esc: running %v, %s", s.Running, s.states())
	}
	if !strings.Contains(s.notice, "cancelled") {
		t.Errorf("notice %q", s.notice)
	}

	// The cancelled request's answer arrives late: dropped, but counted as finished.
	sc, _ = s.Update(tokenResultMsg{reqID: 7, step: StepToken, token: &flows.Token{AccessToken: "late"}})
	s = sc.(Model)
	if s.token != nil || s.Steps[StepToken].State != StatePending {
		t.Errorf("the stale result was used: %s token=%v", s.states(), s.token)
	}
	if s.Inflight != 0 {
		t.Errorf("inflight %d after the stale answer", s.Inflight)
	}
}

// TestFlowStaleResultDropped: a result whose reqID is not the running request's is ignored, the
// current one is taken.
func TestFlowStaleResultDropped(t *testing.T) {
	t.Parallel()
	c := flowCommon(nil, nil, 80, 24)
	s, _ := New(c).(Model)
	s.Running, s.ReqID, s.Inflight = stepUserInfo, 5, 2
	s.Steps[stepUserInfo].State = StateRunning

	sc, _ := s.Update(resourceResultMsg{reqID: 4, step: stepUserInfo, result: &flows.Result{Members: map[string]any{"sub": "old"}}})
	s = sc.(Model)
	if s.userinfo != nil || s.Steps[stepUserInfo].State != StateRunning {
		t.Fatalf("stale result taken: %s", s.states())
	}
	sc, _ = s.Update(resourceResultMsg{reqID: 5, step: stepUserInfo, result: &flows.Result{Members: map[string]any{"sub": "new"}}})
	s = sc.(Model)
	if s.userinfo == nil || s.userinfo.Members["sub"] != "new" || s.Steps[stepUserInfo].State != StateDone {
		t.Fatalf("current result not taken: %s", s.states())
	}
	if s.Inflight != 0 {
		t.Errorf("inflight %d", s.Inflight)
	}
}

// TestFlowGrantSwitch: g cycles the grants, and the steps that do not apply are skipped.
func TestFlowGrantSwitch(t *testing.T) {
	t.Parallel()
	c := flowCommon(nil, nil, 80, 24)
	s, _ := New(c).(Model)
	want := []struct {
		grant          grantKind
		authorize, cb  StepState
		headingOnToken string
	}{
		{grantClientCredentials, stateSkipped, stateSkipped, "client_credentials"},
		{grantPassword, stateSkipped, stateSkipped, "password"},
		{grantDevice, StatePending, stateSkipped, "device_code"},
		{grantJWTBearer, stateSkipped, stateSkipped, "jwt_bearer"},
		{grantSAMLBearer, stateSkipped, stateSkipped, "saml2_bearer"},
		{grantTokenExchange, stateSkipped, stateSkipped, "token_exchange"},
		{GrantCIBA, StatePending, stateSkipped, "ciba"},
		{grantAuthCode, StatePending, StatePending, "code exchange"},
	}
	for _, w := range want {
		sc, _ := s.Update(tuitest.Press("g"))
		s = sc.(Model)
		if s.Grant != w.grant || s.Steps[StepAuthorize].State != w.authorize || s.Steps[StepCallback].State != w.cb {
			t.Errorf("after g: grant %v, %s; want %v", s.Grant, s.states(), w)
		}
		if h := s.stepHeading(StepToken); !strings.Contains(h, w.headingOnToken) {
			t.Errorf("token heading %q for %v", h, w.grant)
		}
	}

	// The same through the form: e, then → on the grant field.
	sc, _ := s.Update(tuitest.Press("e"))
	s = sc.(Model)
	if !s.CapturingText() || s.Form.focus != fieldGrant {
		t.Fatalf("editing %v focus %v", s.CapturingText(), s.Form.focus)
	}
	sc, _ = s.Update(tuitest.Press("right"))
	s = sc.(Model)
	if s.Grant != grantClientCredentials || s.Steps[StepAuthorize].State != stateSkipped {
		t.Errorf("→ on grant: %v %s", s.Grant, s.states())
	}
	sc, _ = s.Update(tuitest.Press("enter"))
	s = sc.(Model)
	if s.CapturingText() {
		t.Error("enter did not end editing")
	}
	// A skipped step does not run.
	s.Cursor = StepAuthorize
	sc, cmd := s.Update(tuitest.Press("enter"))
	s = sc.(Model)
	if cmd != nil || s.Running != NumSteps || !strings.Contains(s.notice, "does not apply") {
		t.Errorf("a skipped step ran: notice %q", s.notice)
	}
}

// TestFlowMaskToggle: tokens are masked until s, and masked again after a second s.
func TestFlowMaskToggle(t *testing.T) {
	t.Parallel()
	c := flowCommon(nil, nil, 100, 30)
	s, _ := New(c).(Model)
	secret := "at-0123456789-SECRET"
	s.Running, s.ReqID = StepToken, 1
	sc, _ := s.Update(tokenResultMsg{reqID: 1, step: StepToken, grant: flows.GrantClientCredentials,
		token: &flows.Token{AccessToken: secret, TokenType: "Bearer", Members: map[string]any{"access_token": secret, "token_type": "Bearer"}}})
	s = sc.(Model)
	s.Cursor = StepToken
	view := func() string { sc, _ := s.Update(nil); return tuitest.StripANSI(sc.View()) }
	if v := view(); strings.Contains(v, secret) || !strings.Contains(v, "••••") {
		t.Fatalf("the token is shown unmasked:\n%s", v)
	}
	sc, _ = s.Update(tuitest.Press("s"))
	s = sc.(Model)
	if v := view(); !strings.Contains(v, secret) {
		t.Fatalf("s did not reveal the token:\n%s", v)
	}
	sc, _ = s.Update(tuitest.Press("s"))
	s = sc.(Model)
	if v := view(); strings.Contains(v, secret) {
		t.Fatalf("a second s did not mask the token again:\n%s", v)
	}
}

// TestFlowFormMasksTokens: a token or credential typed into the request form (token exchange's
// pasted subject token) is masked in the parameters until s, and while typed.
func TestFlowFormMasksTokens(t *testing.T) {
	t.Parallel()
	p := tuitest.FlowProvider(t)
	r := newFlowRunner(t, flowCommon(tuitest.FlowClient(t, p, "http://127.0.0.1:0/callback"), nil, 100, 60))
	r.s.Form.grant = grantTokenExchange
	r.s = r.s.applyGrant()
	r.s.Form.opt[fieldSubjectSource] = subjectPasted
	secret := "subject-token-0123456789-SECRET"
	r.s.Form.inputs[fieldSubjectToken].SetValue(secret)
	r.s.Cursor = StepToken
	r.send(nil)
	if v := r.viewText(); strings.Contains(v, secret) || !strings.Contains(v, "pasted subject") {
		t.Fatalf("the pasted subject token is shown in clear (or not at all):\n%s", v)
	}
	r.send(tuitest.Press("s"))
	if v := r.viewText(); !strings.Contains(v, secret) {
		t.Fatalf("s did not reveal the pasted subject token:\n%s", v)
	}
	if in := r.s.Form.inputs[fieldSubjectToken]; in.EchoMode != textinput.EchoPassword {
		t.Error("the subject token is echoed in clear while typed")
	}
}

// TestFlowNeedsEarlierSteps: a step whose input is missing says so and sends nothing.
func TestFlowNeedsEarlierSteps(t *testing.T) {
	t.Parallel()
	p := tuitest.FlowProvider(t)
	c := flowCommon(tuitest.FlowClient(t, p, "http://127.0.0.1:0/callback"), nil, 80, 24)
	s, _ := New(c).(Model)
	for id, want := range map[StepID]string{
		StepToken: "needs the code", stepRefresh: "needs a refresh token", stepUserInfo: "needs a token",
		stepLogout: "id_token_hint", StepCallback: "run Authorize first",
	} {
		s.Cursor = id
		sc, cmd := s.Update(tuitest.Press("enter"))
		got := sc.(Model)
		if cmd != nil || got.Running != NumSteps || !strings.Contains(got.notice, want) {
			t.Errorf("%s: notice %q, running %v", id.Title(), got.notice, got.Running)
		}
	}
}

// TestFlowFailedStepExplained: the provider denies; the callback fails with the OAuth error code,
// its description and the explanation with likely causes.
func TestFlowFailedStepExplained(t *testing.T) {
	t.Parallel()
	p := tuitest.FlowProvider(t, "deny")
	c := tuitest.FlowClient(t, p, "http://127.0.0.1:0/callback")
	r := newFlowRunner(t, flowCommon(c, tuitest.FlowBrowser, 100, 60))
	r.s.Cursor = StepAuthorize
	r.send(tuitest.Press("enter"))
	r.until("the callback to fail", func(s Model) bool { return s.Steps[StepCallback].State == StateFailed })
	var oe *flows.OAuthError
	if !errors.As(r.s.Steps[StepCallback].Err, &oe) || oe.Code != "access_denied" {
		t.Fatalf("err %v", r.s.Steps[StepCallback].Err)
	}
	v := r.viewText()
	for _, want := range []string{"✗ failed", "access_denied", "Likely causes:", "Check:"} {
		if !strings.Contains(v, want) {
			t.Errorf("the failed step lacks %q:\n%s", want, v)
		}
	}
}

// TestFlowTokenErrorRaw: a failed token request keeps its raw exchange, shown on R.
func TestFlowTokenErrorRaw(t *testing.T) {
	t.Parallel()
	p := tuitest.FlowProvider(t)
	c := tuitest.FlowClient(t, p, "http://127.0.0.1:0/callback")
	c.Config.ClientSecret = "not-the-secret-XYZ"
	r := newFlowRunner(t, flowCommon(c, nil, 100, 60))
	r.s.Form.grant = grantClientCredentials
	r.s = r.s.applyGrant()
	r.runStep(StepToken)
	if r.s.Steps[StepToken].State != StateFailed || r.s.Steps[StepToken].raw == nil {
		t.Fatalf("%s raw=%v", r.s.states(), r.s.Steps[StepToken].raw)
	}
	if v := r.viewText(); !strings.Contains(v, "invalid_client") || !strings.Contains(v, "R shows the raw response") {
		t.Errorf("view:\n%s", v)
	}
	r.send(tuitest.Press("R"))
	v := r.viewText()
	if !strings.Contains(v, "Raw exchange") || !strings.Contains(v, "< 401") || strings.Contains(v, "not-the-secret-XYZ") {
		t.Errorf("raw view (secrets must stay masked):\n%s", v)
	}
}

// TestFlowTokenRawIsTheTokenExchange: when the id_token check fetched the JWKS after the token
// request, R still shows the token exchange, not the key fetch.
func TestFlowTokenRawIsTheTokenExchange(t *testing.T) {
	t.Parallel()
	p := tuitest.FlowProvider(t, "expired-id-token")
	c := tuitest.FlowClient(t, p, "http://127.0.0.1:0/callback")
	r := newFlowRunner(t, flowCommon(c, nil, 100, 60))
	r.s.Form.grant = grantPassword
	r.s = r.s.applyGrant()
	r.s.Form.inputs[fieldUsername].SetValue("demo")
	r.s.Form.inputs[fieldPassword].SetValue("demo")
	r.runStep(StepToken)
	raw := r.s.Steps[StepToken].raw
	if raw == nil || raw.Step != "token" || raw.Method != "POST" {
		t.Fatalf("%s: raw exchange %+v, want the token POST", r.s.states(), raw)
	}
	if n := len(c.Trace.Exchanges()); n < 2 || c.Trace.Exchanges()[n-1].Step != "jwks" {
		t.Fatalf("the JWKS was not fetched after the token request; the test proves nothing")
	}
}

// TestFlowDeviceFlow: the device grant shows the user code and polls until the (injected) browser
// approves it.
func TestFlowDeviceFlow(t *testing.T) {
	t.Parallel()
	p := tuitest.FlowProviderWith(t, demoidp.Options{DeviceInterval: 1})
	c := tuitest.FlowClient(t, p, "http://127.0.0.1:0/callback")
	r := newFlowRunner(t, flowCommon(c, tuitest.FlowBrowser, 100, 40))
	r.s.Form.grant = grantDevice
	r.s = r.s.applyGrant()
	r.s.Cursor = StepAuthorize
	r.send(tuitest.Press("enter"))
	r.until("the device code", func(s Model) bool { return s.device != nil })
	if v := r.viewText(); !strings.Contains(v, "enter the code") || !strings.Contains(v, "expires in") {
		t.Errorf("device view:\n%s", v)
	}
	r.send(tuitest.Press("o")) // the injected browser approves

	r.until("the token", func(s Model) bool {
		st := s.Steps[StepToken].State
		return st == StateDone || st == StateFailed
	})
	if r.s.Steps[StepToken].State != StateDone || r.s.token == nil {
		t.Fatalf("%s err=%v", r.s.states(), r.s.Steps[StepToken].Err)
	}
	if r.s.Inflight != 0 {
		t.Errorf("inflight %d", r.s.Inflight)
	}
}

// TestFlowDeviceCancel: esc stops polling; the polling goroutine's last message still arrives
// (and is dropped), so that nothing is left reading the client.
func TestFlowDeviceCancel(t *testing.T) {
	t.Parallel()
	p := tuitest.FlowProviderWith(t, demoidp.Options{DeviceInterval: 1})
	c := tuitest.FlowClient(t, p, "http://127.0.0.1:0/callback")
	r := newFlowRunner(t, flowCommon(c, nil, 100, 40)) // no browser: nobody approves
	r.s.Form.grant = grantDevice
	r.s = r.s.applyGrant()
	r.s.Cursor = StepAuthorize
	r.send(tuitest.Press("enter"))
	r.until("polling", func(s Model) bool { return s.Running == StepToken })
	r.send(tuitest.Press("esc"))
	if r.s.Running != NumSteps || r.s.Steps[StepToken].State != StatePending {
		t.Fatalf("after esc: %s", r.s.states())
	}
	r.until("the poller to finish", func(s Model) bool { return s.Inflight == 0 })
	if r.s.token != nil {
		t.Error("a token arrived after cancel")
	}
}

// TestFlowFormAppliesConfig: edited parameters reach the authorization request.
func TestFlowFormAppliesConfig(t *testing.T) {
	t.Parallel()
	p := tuitest.FlowProvider(t)
	c := tuitest.FlowClient(t, p, "http://127.0.0.1:0/callback")
	r := newFlowRunner(t, flowCommon(c, nil, 100, 40))
	r.s.Form.inputs[fieldPrompt].SetValue("login")
	r.s.Form.inputs[fieldExtra].SetValue("ui_locales=fr acr_values=urn:x")
	r.s.Form.inputs[FieldScope].SetValue("openid email")
	r.s.Form.pkce = 1 // plain
	r.runStep(StepAuthorize)
	q := r.s.authReq.Params
	if q.Get("prompt") != "login" || q.Get("ui_locales") != "fr" || q.Get("acr_values") != "urn:x" ||
		q.Get("scope") != "openid email" || q.Get("code_challenge_method") != "plain" {
		t.Errorf("authorization parameters: %v", q)
	}
	r.send(tuitest.Press("esc")) // stop waiting for the callback
	r.until("the listener to close", func(s Model) bool { return s.Inflight == 0 })
}

// TestFlowPastedCallback: with a redirect URI that is not loopback, the user pastes the URL.
func TestFlowPastedCallback(t *testing.T) {
	t.Parallel()
	p := tuitest.FlowProvider(t)
	c := tuitest.FlowClient(t, p, "https://app.example.com/callback")
	r := newFlowRunner(t, flowCommon(c, nil, 100, 40))
	r.runStep(StepAuthorize)
	if r.s.listener != nil || !r.s.paste.Focused() || r.s.Cursor != StepCallback {
		t.Fatalf("paste mode: listener %v focused %v cursor %v", r.s.listener, r.s.paste.Focused(), r.s.Cursor)
	}
	// Follow the authorization URL up to the redirect, as the customer's browser would.
	loc := redirectOf(t, r.s.authReq.URL)
	r.send(tuitest.PasteMsgOf(loc))
	r.send(tuitest.Press("enter"))
	r.until("the pasted callback", func(s Model) bool { return s.Steps[StepCallback].State == StateDone })
	if r.s.authRes.Code == "" {
		t.Fatal("no code")
	}
}

// TestFlowLayoutFits: at any size, every line of the view fits the width and the height.
func TestFlowLayoutFits(t *testing.T) {
	t.Parallel()
	p := tuitest.FlowProvider(t)
	c := tuitest.FlowClient(t, p, "http://127.0.0.1:0/callback")
	r := newFlowRunner(t, flowCommon(c, tuitest.FlowBrowser, 80, 24))
	r.runStep(StepDiscover)
	r.runStep(StepAuthorize)
	r.until("callback", func(s Model) bool { return s.Steps[StepCallback].State == StateDone })
	r.runStep(StepToken)
	for _, learn := range []bool{false, true} {
		r.s.c.Learn = learn
		for _, size := range [][2]int{{80, 22}, {60, 15}, {120, 40}, {200, 50}} {
			r.s.c.Width, r.s.c.Height = size[0], size[1]
			for id := StepID(0); id < NumSteps; id++ {
				r.s.Cursor = id
				r.send(nil)
				v := r.s.View()
				if h := lipgloss.Height(v); h > size[1] {
					t.Errorf("%v learn=%v %s: %d lines", size, learn, id.Title(), h)
				}
				for _, l := range strings.Split(v, "\n") {
					if w := lipgloss.Width(l); w > size[0] {
						t.Errorf("%v learn=%v %s: line of %d cells: %q", size, learn, id.Title(), w, tuitest.StripANSI(l))
						break
					}
				}
			}
		}
	}
}
