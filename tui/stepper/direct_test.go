package stepper

import (
	"strings"
	"testing"
	"time"

	"github.com/tokenbench/tokenbench/flows"
	"github.com/tokenbench/tokenbench/flows/demoidp/demoidptest"
	"github.com/tokenbench/tokenbench/tui/internal/tuitest"
)

// TestDirectAuthorizeWithProofJWT: on a provider that offers BlockID's direct authorize, a proof
// JWT in the form makes Authorize post the request with it, saying so, and open no browser; the
// response comes back on Callback and its code is exchanged on Token.
func TestDirectAuthorizeWithProofJWT(t *testing.T) {
	t.Parallel()
	p := tuitest.FlowProvider(t)
	secret := demoidptest.Secret(t, p, demoidptest.JWTID)
	c, err := flows.NewClient(flows.ClientConfig{
		Issuer: p.Issuer(), ClientID: demoidptest.JWTID, ClientSecret: secret, AuthMethod: flows.AuthClientSecretJWT,
		RedirectURI: "https://app.example.com/callback", Scopes: []string{"openid", "profile"}, DirectAuthorize: true,
	}, flows.TransportOptions{Timeout: 10 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	c.Now = tuitest.FlowNow
	noBrowser := func(u string) error { t.Errorf("a browser was sent to %s", u); return nil }
	r := newFlowRunner(t, flowCommon(c, noBrowser, 100, 50))
	r.s.cursor = stepAuthorize
	r.relayout()
	if v := r.viewText(); !strings.Contains(v, "also takes a direct authorize") || !strings.Contains(v, "proof_of_authentication_jwt") {
		t.Errorf("the form does not offer the direct authorize:\n%s", v)
	}
	proof := demoidptest.ProofJWT(t, p.Issuer(), secret)
	r.s.form.inputs[fieldProofJWT].SetValue(proof)
	r.relayout()
	v := r.viewText()
	if !strings.Contains(v, "POST http://127.0.0.1:PORT/v1/authorize") || !strings.Contains(v, "Direct authorize (BlockID): no browser") || strings.Contains(v, proof[:20]) {
		t.Errorf("Authorize does not say it posts the proof (masked):\n%s", v)
	}
	r.send(tuitest.Press("enter"))
	r.until("the direct authorize", func(s flowModel) bool {
		return s.steps[stepAuthorize].state != stateRunning && s.running == numSteps
	})
	if r.s.steps[stepAuthorize].state != stateDone || r.s.steps[stepCallback].state != stateDone || r.s.authRes == nil || r.s.authRes.Code == "" {
		t.Fatalf("after the direct authorize: %s err=%v/%v", r.s.states(), r.s.steps[stepAuthorize].err, r.s.steps[stepCallback].err)
	}
	if r.s.cursor != stepCallback || !strings.Contains(r.viewText(), "Authorization response") {
		t.Errorf("the response is not shown on Callback:\n%s", r.viewText())
	}
	r.runStep(stepToken)
	if r.s.steps[stepToken].state != stateDone || r.s.token == nil {
		t.Fatalf("token: %s err=%v", r.s.states(), r.s.steps[stepToken].err)
	}
}
