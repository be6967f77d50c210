package stepper

import (
	"errors"
	"strings"
	"testing"

	"charm.land/bubbles/v2/textinput"
	"charm.land/lipgloss/v2"

	"github.com/tokenbench/tokenbench/flows"
	"github.com/tokenbench/tokenbench/flows/demoidp"
	"github.com/tokenbench/tokenbench/flows/demoidp/demoidptest"
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

	r.runStep(stepDiscover)
	if r.s.steps[stepDiscover].state != stateDone || r.s.meta == nil || r.s.cursor != stepDiscover {
		t.Fatalf("after discover: %s cursor=%v", r.s.states(), r.s.cursor)
	}

	// Authorize builds the request, the injected browser follows it to the loopback listener, and
	// the callback step ends on its own.
	r.s.cursor = stepAuthorize
	r.send(tuitest.Press("enter"))
	r.until("the callback", func(s flowModel) bool { return s.steps[stepCallback].state == stateDone })
	if r.s.authReq == nil || r.s.authRes == nil || r.s.authRes.Code == "" || r.s.cursor != stepCallback {
		t.Fatalf("after callback: %s cursor=%v", r.s.states(), r.s.cursor)
	}
	for _, want := range []string{"state", "iss"} {
		if ch, ok := findCheck(r.s.authRes.Checks, want); !ok || ch.Status != flows.CheckPass {
			t.Errorf("callback check %s: %+v", want, ch)
		}
	}
	if r.s.listening {
		t.Error("the listener is still waiting after the callback")
	}

	r.runStep(stepToken)
	if r.s.steps[stepToken].state != stateDone || r.s.token == nil || !r.s.hasReport || !r.s.report.OK() {
		t.Fatalf("after token: %s err=%v", r.s.states(), r.s.steps[stepToken].err)
	}
	r.until("the announcement", func(flowModel) bool { return len(r.announced) > 0 })
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

	for _, id := range []stepID{stepUserInfo, stepIntrospect, stepRevoke, stepLogout} {
		r.runStep(id)
		if r.s.steps[id].state != stateDone {
			t.Fatalf("%s: %s err=%v", id.title(), r.s.states(), r.s.steps[id].err)
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
	if r.s.inflight != 0 || r.s.running != numSteps {
		t.Errorf("inflight %d running %v after the flow", r.s.inflight, r.s.running)
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
	s, _ := New(c).(flowModel)
	called := false
	s.running, s.reqID, s.inflight = stepToken, 7, 1
	s.steps[stepToken].state = stateRunning
	s.cancel = func() { called = true }

	sc, cmd := s.Update(tuitest.Press("esc"))
	s = sc.(flowModel)
	if !called || s.cancel != nil {
		t.Errorf("cancel called %v, still held %v", called, s.cancel != nil)
	}
	if s.running != numSteps || s.steps[stepToken].state != statePending || cmd != nil {
		t.Errorf("after esc: running %v, %s", s.running, s.states())
	}
	if !strings.Contains(s.notice, "cancelled") {
		t.Errorf("notice %q", s.notice)
	}

	// The cancelled request's answer arrives late: dropped, but counted as finished.
	sc, _ = s.Update(tokenResultMsg{reqID: 7, step: stepToken, token: &flows.Token{AccessToken: "late"}})
	s = sc.(flowModel)
	if s.token != nil || s.steps[stepToken].state != statePending {
		t.Errorf("the stale result was used: %s token=%v", s.states(), s.token)
	}
	if s.inflight != 0 {
		t.Errorf("inflight %d after the stale answer", s.inflight)
	}
}

// TestFlowStaleResultDropped: a result whose reqID is not the running request's is ignored, the
// current one is taken.
func TestFlowStaleResultDropped(t *testing.T) {
	t.Parallel()
	c := flowCommon(nil, nil, 80, 24)
	s, _ := New(c).(flowModel)
	s.running, s.reqID, s.inflight = stepUserInfo, 5, 2
	s.steps[stepUserInfo].state = stateRunning

	sc, _ := s.Update(resourceResultMsg{reqID: 4, step: stepUserInfo, result: &flows.Result{Members: map[string]any{"sub": "old"}}})
	s = sc.(flowModel)
	if s.userinfo != nil || s.steps[stepUserInfo].state != stateRunning {
		t.Fatalf("stale result taken: %s", s.states())
	}
	sc, _ = s.Update(resourceResultMsg{reqID: 5, step: stepUserInfo, result: &flows.Result{Members: map[string]any{"sub": "new"}}})
	s = sc.(flowModel)
	if s.userinfo == nil || s.userinfo.Members["sub"] != "new" || s.steps[stepUserInfo].state != stateDone {
		t.Fatalf("current result not taken: %s", s.states())
	}
	if s.inflight != 0 {
		t.Errorf("inflight %d", s.inflight)
	}
}

// TestFlowGrantSwitch: g picks each grant, and the steps that do not apply are skipped.
func TestFlowGrantSwitch(t *testing.T) {
	t.Parallel()
	c := flowCommon(nil, nil, 80, 24)
	s, _ := New(c).(flowModel)
	want := []struct {
		grant          grantKind
		authorize, cb  stepState
		headingOnToken string
	}{
		{grantClientCredentials, stateSkipped, stateSkipped, "client_credentials"},
		{grantPassword, stateSkipped, stateSkipped, "password"},
		{grantDevice, statePending, stateSkipped, "device_code"},
		{grantJWTBearer, stateSkipped, stateSkipped, "jwt_bearer"},
		{grantSAMLBearer, stateSkipped, stateSkipped, "saml2_bearer"},
		{grantTokenExchange, stateSkipped, stateSkipped, "token_exchange"},
		{grantCIBA, statePending, stateSkipped, "ciba"},
		{grantAuthCode, statePending, statePending, "code exchange"},
	}
	for _, w := range want {
		for _, msg := range pickKeys(w.grant) {
			sc, _ := s.Update(msg)
			s = sc.(flowModel)
		}
		if s.grant != w.grant || s.steps[stepAuthorize].state != w.authorize || s.steps[stepCallback].state != w.cb {
			t.Errorf("after g: grant %v, %s; want %v", s.grant, s.states(), w)
		}
		if h := s.stepHeading(stepToken); !strings.Contains(h, w.headingOnToken) {
			t.Errorf("token heading %q for %v", h, w.grant)
		}
	}

	// The same through the form: e, then → on the grant field.
	sc, _ := s.Update(tuitest.Press("e"))
	s = sc.(flowModel)
	if !s.CapturingText() || s.form.focus != fieldGrant {
		t.Fatalf("editing %v focus %v", s.CapturingText(), s.form.focus)
	}
	sc, _ = s.Update(tuitest.Press("right"))
	s = sc.(flowModel)
	if s.grant != grantClientCredentials || s.steps[stepAuthorize].state != stateSkipped {
		t.Errorf("→ on grant: %v %s", s.grant, s.states())
	}
	sc, _ = s.Update(tuitest.Press("enter"))
	s = sc.(flowModel)
	if s.CapturingText() {
		t.Error("enter did not end editing")
	}
	// A skipped step does not run.
	s.cursor = stepAuthorize
	sc, cmd := s.Update(tuitest.Press("enter"))
	s = sc.(flowModel)
	if cmd != nil || s.running != numSteps || !strings.Contains(s.notice, "does not apply") {
		t.Errorf("a skipped step ran: notice %q", s.notice)
	}
}

// TestFlowMaskToggle: tokens are masked until s, and masked again after a second s.
func TestFlowMaskToggle(t *testing.T) {
	t.Parallel()
	c := flowCommon(nil, nil, 100, 30)
	s, _ := New(c).(flowModel)
	secret := "at-0123456789-SECRET"
	s.running, s.reqID = stepToken, 1
	sc, _ := s.Update(tokenResultMsg{reqID: 1, step: stepToken, grant: flows.GrantClientCredentials,
		token: &flows.Token{AccessToken: secret, TokenType: "Bearer", Members: map[string]any{"access_token": secret, "token_type": "Bearer"}}})
	s = sc.(flowModel)
	s.cursor = stepToken
	view := func() string { return tuitest.StripANSI(s.layout().View()) }
	if v := view(); strings.Contains(v, secret) || !strings.Contains(v, "••••") {
		t.Fatalf("the token is shown unmasked:\n%s", v)
	}
	sc, _ = s.Update(tuitest.Press("s"))
	s = sc.(flowModel)
	if v := view(); !strings.Contains(v, secret) {
		t.Fatalf("s did not reveal the token:\n%s", v)
	}
	sc, _ = s.Update(tuitest.Press("s"))
	s = sc.(flowModel)
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
	r.s.form.grant = grantTokenExchange
	r.s = r.s.applyGrant()
	r.s.form.opt[fieldSubjectSource] = subjectPasted
	secret := "subject-token-0123456789-SECRET"
	r.s.form.inputs[fieldSubjectToken].SetValue(secret)
	r.s.cursor = stepToken
	r.relayout()
	if v := r.viewText(); strings.Contains(v, secret) || !strings.Contains(v, "pasted subject") {
		t.Fatalf("the pasted subject token is shown in clear (or not at all):\n%s", v)
	}
	r.send(tuitest.Press("s"))
	if v := r.viewText(); !strings.Contains(v, secret) {
		t.Fatalf("s did not reveal the pasted subject token:\n%s", v)
	}
	if in := r.s.form.inputs[fieldSubjectToken]; in.EchoMode != textinput.EchoPassword {
		t.Error("the subject token is echoed in clear while typed")
	}
}

// TestFlowNeedsEarlierSteps: a step whose input is missing says so and sends nothing.
func TestFlowNeedsEarlierSteps(t *testing.T) {
	t.Parallel()
	p := tuitest.FlowProvider(t)
	c := flowCommon(tuitest.FlowClient(t, p, "http://127.0.0.1:0/callback"), nil, 80, 24)
	s, _ := New(c).(flowModel)
	for id, want := range map[stepID]string{
		stepToken: "needs the code", stepRefresh: "needs a refresh token", stepUserInfo: "needs a token",
		stepLogout: "id_token_hint", stepCallback: "run Authorize first",
	} {
		s.cursor = id
		sc, cmd := s.Update(tuitest.Press("enter"))
		got := sc.(flowModel)
		if cmd != nil || got.running != numSteps || !strings.Contains(got.notice, want) {
			t.Errorf("%s: notice %q, running %v", id.title(), got.notice, got.running)
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
	r.s.cursor = stepAuthorize
	r.send(tuitest.Press("enter"))
	r.until("the callback to fail", func(s flowModel) bool { return s.steps[stepCallback].state == stateFailed })
	var oe *flows.OAuthError
	if !errors.As(r.s.steps[stepCallback].err, &oe) || oe.Code != "access_denied" {
		t.Fatalf("err %v", r.s.steps[stepCallback].err)
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
	r.s.form.grant = grantClientCredentials
	r.s = r.s.applyGrant()
	r.runStep(stepToken)
	if r.s.steps[stepToken].state != stateFailed || r.s.steps[stepToken].raw == nil {
		t.Fatalf("%s raw=%v", r.s.states(), r.s.steps[stepToken].raw)
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
	r.s.form.grant = grantPassword
	r.s = r.s.applyGrant()
	r.s.form.inputs[fieldUsername].SetValue("demo")
	r.s.form.inputs[fieldPassword].SetValue("demo")
	r.runStep(stepToken)
	raw := r.s.steps[stepToken].raw
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
	r.s.form.grant = grantDevice
	r.s = r.s.applyGrant()
	r.s.cursor = stepAuthorize
	r.send(tuitest.Press("enter"))
	r.until("the device code", func(s flowModel) bool { return s.device != nil })
	if v := r.viewText(); !strings.Contains(v, "enter the code") || !strings.Contains(v, "expires in") {
		t.Errorf("device view:\n%s", v)
	}
	r.send(tuitest.Press("o")) // the injected browser approves

	r.until("the token", func(s flowModel) bool {
		st := s.steps[stepToken].state
		return st == stateDone || st == stateFailed
	})
	if r.s.steps[stepToken].state != stateDone || r.s.token == nil {
		t.Fatalf("%s err=%v", r.s.states(), r.s.steps[stepToken].err)
	}
	if r.s.inflight != 0 {
		t.Errorf("inflight %d", r.s.inflight)
	}
}

// TestFlowDeviceCancel: esc stops polling; the polling goroutine's last message still arrives
// (and is dropped), so that nothing is left reading the client.
func TestFlowDeviceCancel(t *testing.T) {
	t.Parallel()
	p := tuitest.FlowProviderWith(t, demoidp.Options{DeviceInterval: 1})
	c := tuitest.FlowClient(t, p, "http://127.0.0.1:0/callback")
	r := newFlowRunner(t, flowCommon(c, nil, 100, 40)) // no browser: nobody approves
	r.s.form.grant = grantDevice
	r.s = r.s.applyGrant()
	r.s.cursor = stepAuthorize
	r.send(tuitest.Press("enter"))
	r.until("polling", func(s flowModel) bool { return s.running == stepToken })
	r.send(tuitest.Press("esc"))
	if r.s.running != numSteps || r.s.steps[stepToken].state != statePending {
		t.Fatalf("after esc: %s", r.s.states())
	}
	r.until("the poller to finish", func(s flowModel) bool { return s.inflight == 0 })
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
	r.s.form.inputs[fieldPrompt].SetValue("login")
	r.s.form.inputs[fieldExtra].SetValue("ui_locales=fr acr_values=urn:x")
	r.s.form.inputs[fieldScope].SetValue("openid email")
	r.s.form.pkce = 1 // plain
	r.runStep(stepAuthorize)
	q := r.s.authReq.Params
	if q.Get("prompt") != "login" || q.Get("ui_locales") != "fr" || q.Get("acr_values") != "urn:x" ||
		q.Get("scope") != "openid email" || q.Get("code_challenge_method") != "plain" {
		t.Errorf("authorization parameters: %v", q)
	}
	r.send(tuitest.Press("esc")) // stop waiting for the callback
	r.until("the listener to close", func(s flowModel) bool { return s.inflight == 0 })
}

// TestFlowPastedCallback: with a redirect URI that is not loopback, the user pastes the URL.
func TestFlowPastedCallback(t *testing.T) {
	t.Parallel()
	p := tuitest.FlowProvider(t)
	c := tuitest.FlowClient(t, p, "https://app.example.com/callback")
	r := newFlowRunner(t, flowCommon(c, nil, 100, 40))
	r.runStep(stepAuthorize)
	if r.s.listening || r.s.paste.Focused() || r.s.cursor != stepCallback {
		t.Fatalf("paste mode: listening %v focused %v cursor %v", r.s.listening, r.s.paste.Focused(), r.s.cursor)
	}
	// c copies the URL, as the pane says, instead of being typed into the input.
	r.send(tuitest.Press("c"))
	if r.s.paste.Value() != "" || !strings.Contains(r.s.notice, "copied") {
		t.Fatalf("c before enter: input %q, notice %q", r.s.paste.Value(), r.s.notice)
	}
	r.send(tuitest.Press("enter")) // focuses the input
	if !r.s.paste.Focused() {
		t.Fatal("enter did not focus the paste input")
	}
	// Follow the authorization URL up to the redirect, as the customer's browser would.
	loc := demoidptest.Redirect(t, r.s.authReq.URL)
	r.send(tuitest.PasteMsgOf(loc))
	r.send(tuitest.Press("enter"))
	r.until("the pasted callback", func(s flowModel) bool { return s.steps[stepCallback].state == stateDone })
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
	r.runStep(stepDiscover)
	r.runStep(stepAuthorize)
	r.until("callback", func(s flowModel) bool { return s.steps[stepCallback].state == stateDone })
	r.runStep(stepToken)
	for _, learn := range []bool{false, true} {
		r.s.c.Learn = learn
		for _, size := range [][2]int{{80, 22}, {60, 15}, {120, 40}, {200, 50}} {
			r.s.c.Width, r.s.c.Height = size[0], size[1]
			for id := stepID(0); id < numSteps; id++ {
				r.s.cursor = id
				r.relayout()
				v := r.s.View()
				if h := lipgloss.Height(v); h > size[1] {
					t.Errorf("%v learn=%v %s: %d lines", size, learn, id.title(), h)
				}
				for _, l := range strings.Split(v, "\n") {
					if w := lipgloss.Width(l); w > size[0] {
						t.Errorf("%v learn=%v %s: line of %d cells: %q", size, learn, id.title(), w, tuitest.StripANSI(l))
						break
					}
				}
			}
		}
	}
}
