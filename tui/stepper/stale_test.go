package stepper

import (
	"strings"
	"testing"
	"time"

	"github.com/tokenbench/tokenbench/flows"
	"github.com/tokenbench/tokenbench/flows/demoidp"
	"github.com/tokenbench/tokenbench/tui/internal/tuitest"
	"github.com/tokenbench/tokenbench/tui/ui"
)

// TestPollShowsNoEarlierToken: while the device and CIBA grants poll, the Token step shows, copies
// and inspects nothing of the token an earlier grant obtained (revealed or not); a result of an
// earlier request arriving late is dropped.
func TestPollShowsNoEarlierToken(t *testing.T) {
	t.Parallel()
	// A long interval: no poll answers during the test, so the grant stays waiting.
	p := tuitest.FlowProviderWith(t, demoidp.Options{DeviceInterval: time.Minute})
	for _, g := range []grantKind{grantDevice, grantCIBA} {
		r := newFlowRunner(t, flowCommon(tuitest.FlowClient(t, p, "http://127.0.0.1:0/callback"), nil, 100, 60))
		r.s.form.grant = grantClientCredentials
		r.s = r.s.applyGrant()
		r.runStep(stepToken)
		old := r.s.token
		if old == nil {
			t.Fatalf("%s: client_credentials gave no token: %v", g, r.s.steps[stepToken].err)
		}
		staleID := r.s.reqID
		for _, k := range pickKeys(g) {
			r.send(k)
		}
		if g == grantCIBA {
			r.s.form.inputs[fieldLoginHint].SetValue("demo")
		}
		r.send(tuitest.Press("enter")) // Authorize: polling starts on Token
		r.until("polling", func(s flowModel) bool { return s.running == stepToken })
		r.s.reveal = true
		for _, id := range []stepID{stepAuthorize, stepToken} {
			r.s.cursor = id
			r.relayout()
			if v := r.viewText(); strings.Contains(v, old.AccessToken[:16]) || strings.Contains(v, "Response") && id == stepToken {
				t.Errorf("%s on %s: the earlier token is shown while polling:\n%s", g, id.name(), v)
			}
			if _, v := r.s.copyable(); v == old.AccessToken {
				t.Errorf("%s on %s: c copies the earlier access token", g, id.name())
			}
		}
		r.s.cursor = stepToken
		if _, cmd := r.s.inspect(); cmd != nil {
			if nav, ok := cmd().(ui.NavigateMsg); ok && nav.Token != "" {
				t.Errorf("%s: i opens a token (%s) while polling", g, nav.Label)
			}
		}
		// A late answer of the client_credentials request (its reqID long gone) changes nothing.
		r.send(tokenResultMsg{reqID: staleID, step: stepToken, token: &flows.Token{AccessToken: "stale-token"}})
		if r.s.token != old || r.s.running != stepToken || strings.Contains(r.viewText(), "stale-token") {
			t.Errorf("%s: a stale result was taken: running %v", g, r.s.running.name())
		}
		r.send(tuitest.Press("esc"))
	}
}
