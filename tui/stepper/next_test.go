package stepper

import (
	"strings"
	"testing"

	"github.com/tokenbench/tokenbench/tui/internal/tuitest"
)

// Tests of the flow through the steps: what a finished step says comes next, the grant picker, and
// the device and CIBA grants' steps named for what they do.

// TestFlowSaysWhatComesNext: each finished step names the next one; after Token it lists what the
// tokens allow; after Logout it offers no next step.
func TestFlowSaysWhatComesNext(t *testing.T) {
	t.Parallel()
	p := tuitest.FlowProvider(t)
	r := newFlowRunner(t, flowCommon(tuitest.FlowClient(t, p, "http://127.0.0.1:0/callback"), tuitest.FlowBrowser, 100, 40))
	r.runStep(stepDiscover)
	if v := r.viewText(); !strings.Contains(v, "next: Authorize (j, enter)") || strings.Contains(v, "j next step") {
		t.Errorf("after Discover:\n%s", v)
	}
	r.s.cursor = stepAuthorize
	r.send(tuitest.Press("enter"))
	r.until("the callback", func(s flowModel) bool { return s.steps[stepCallback].state == stateDone })
	if v := r.viewText(); !strings.Contains(v, "next: Token (j, enter)") {
		t.Errorf("after Callback:\n%s", v)
	}
	r.runStep(stepToken)
	if v := r.viewText(); !strings.Contains(v, "then: Refresh, UserInfo, Introspect, Revoke, Logout (j, enter) · i inspects") {
		t.Errorf("after Token:\n%s", v)
	}
	r.runStep(stepLogout)
	if v := r.viewText(); strings.Contains(v, "next:") || strings.Contains(v, "then:") || !strings.Contains(v, "o opens the logout URL") {
		t.Errorf("after Logout:\n%s", v)
	}
}

// TestGrantPicker: g opens a list of the grants with what each does; esc leaves the grant as it
// was; / filters, enter picks and selects the grant's first step, named for what it does.
func TestGrantPicker(t *testing.T) {
	t.Parallel()
	r := newFlowRunner(t, flowCommon(tuitest.FlowClient(t, tuitest.FlowProvider(t), "http://127.0.0.1:0/callback"), nil, 100, 40))
	r.send(tuitest.Press("g"))
	v := r.viewText()
	for _, want := range []string{"Choose the grant", "▸ authorization_code", "device_code", "RFC 8628", "ciba", "OpenID CIBA Core", "(in use)"} {
		if !strings.Contains(v, want) {
			t.Errorf("the picker lacks %q:\n%s", want, v)
		}
	}
	r.send(tuitest.Press("j"))
	r.send(tuitest.Press("esc"))
	if r.s.picker.open || r.s.grant != grantAuthCode {
		t.Fatalf("esc: open %v grant %v", r.s.picker.open, r.s.grant)
	}
	r.send(tuitest.Press("g"))
	r.send(tuitest.Press("/"))
	if !r.s.CapturingText() {
		t.Error("the filter has the focus, yet single letters would be global keys")
	}
	r.send(tuitest.PasteMsgOf("device"))
	if v := r.viewText(); strings.Contains(v, "client_credentials") || !strings.Contains(v, "device_code") {
		t.Errorf("filtered on device:\n%s", v)
	}
	r.send(tuitest.Press("enter"))
	if r.s.grant != grantDevice || r.s.cursor != stepAuthorize || r.s.picker.open {
		t.Fatalf("picked: grant %v cursor %v", r.s.grant, r.s.cursor)
	}
	v = r.viewText()
	for _, want := range []string{"▸· Device auth", "User code / poll", "enter runs Device auth"} {
		if !strings.Contains(v, want) {
			t.Errorf("device_code steps lack %q:\n%s", want, v)
		}
	}
	for _, k := range pickKeys(grantCIBA) {
		r.send(k)
	}
	if v := r.viewText(); !strings.Contains(v, "Backchannel auth") || !strings.Contains(v, "Poll for token") || strings.Contains(v, "Authorize ") {
		t.Errorf("ciba steps:\n%s", v)
	}
}
