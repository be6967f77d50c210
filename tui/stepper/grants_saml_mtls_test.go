package stepper

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/charmbracelet/x/exp/golden"

	"github.com/tokenbench/tokenbench/flows"
	"github.com/tokenbench/tokenbench/flows/demoidp"
	"github.com/tokenbench/tokenbench/tui/internal/tuitest"
)

// The SAML 2.0 bearer grant (RFC 7522) and mutual TLS certificate binding (RFC 8705), run by the
// stepper alone.

// TestFlowSAMLBearerSteps: the stepper's transitions on the saml2_bearer grant: no file named (the
// request is not sent), a file that cannot be read (the error in place, no request), an accepted
// assertion (sent base64url-encoded), and the same assertion again (refused as replayed).
func TestFlowSAMLBearerSteps(t *testing.T) {
	t.Parallel()
	p := tuitest.FlowProvider(t)
	dir := t.TempDir()
	good := tuitest.SAMLFile(t, dir, "assertion.xml", "_tui-steps", p.Issuer()+"/token")
	c := flowCommon(tuitest.FlowClient(t, p, "http://127.0.0.1:0/callback"), nil, 100, 200)
	r := newFlowRunner(t, c)
	r.useGrant(grantSAMLBearer)

	r.s.cursor = stepToken
	r.send(tuitest.Press("enter"))
	if r.s.running != numSteps || r.s.steps[stepToken].state != statePending || !strings.Contains(r.s.notice, "assertion file") {
		t.Fatalf("without a file: %s notice %q", r.s.states(), r.s.notice)
	}
	sent := len(c.Client.Trace.Exchanges())

	r.setText(fieldAssertionFile, filepath.Join(dir, "missing.xml"))
	r.runStep(stepToken)
	if r.s.steps[stepToken].state != stateFailed || len(c.Client.Trace.Exchanges()) != sent {
		t.Fatalf("an unreadable file: %s, %d exchanges", r.s.states(), len(c.Client.Trace.Exchanges())-sent)
	}
	if err := r.s.steps[stepToken].err.Error(); err != "assertion file: open "+filepath.Join(dir, "missing.xml")+": no such file or directory" {
		t.Errorf("the error of an unreadable file: %s", err)
	}
	wantIn(t, r.viewText(), "✗ failed", "assertion file: open")

	r.s.form.inputs[fieldAssertionFile].SetValue(good)
	r.runStep(stepToken)
	if r.s.steps[stepToken].state != stateDone || r.s.token == nil || r.s.token.AccessToken == "" {
		t.Fatalf("%s err=%v", r.s.states(), r.s.steps[stepToken].err)
	}
	form := sentForm(t, c.Client, "token")
	xml, err := os.ReadFile(good)
	if err != nil {
		t.Fatal(err)
	}
	if form.Get("grant_type") != flows.GrantSAML2Bearer || form.Get("assertion") != flows.EncodeSAMLAssertion(xml) {
		t.Errorf("sent %v", form)
	}

	r.runStep(stepToken) // the same assertion ID again
	if r.s.steps[stepToken].state != stateFailed {
		t.Fatalf("a replayed assertion: %s", r.s.states())
	}
	wantIn(t, r.viewText(), "invalid_grant", "the SAML assertion ID")
}

// TestFlowMTLSBindingMismatch: a certificate-bound token from the provider whose binding check,
// made with another client certificate, fails: Update fails the Token step with the binding
// failure and explains it in place (the stepper alone, as a pure function of its messages).
func TestFlowMTLSBindingMismatch(t *testing.T) {
	p := tuitest.MTLSProvider(t)
	bound := tuitest.MTLSClient(t, p, tuitest.MTLSCertificate(t, p, demoidp.MTLSSelfSignedClientID))
	c := flowCommon(bound, nil, 100, 60)
	c.Scrub = tuitest.GrantScrub("")
	r := newFlowRunner(t, c)
	r.useGrant(grantClientCredentials)
	r.runStep(stepToken)
	tok := r.s.token
	if r.s.steps[stepToken].state != stateDone || tok == nil {
		t.Fatalf("%s err=%v", r.s.states(), r.s.steps[stepToken].err)
	}
	if ch, ok := findCheck(r.s.binding, "cnf.x5t#S256"); !ok || ch.Status != flows.CheckPass {
		t.Fatalf("binding checks with the certificate it is bound to: %+v", r.s.binding)
	}
	r.until("the metadata", func(s flowModel) bool { return s.meta != nil && s.inflight == 0 })

	other := tuitest.MTLSClient(t, p, tuitest.MTLSCertificate(t, p, demoidp.MTLSClientID))
	checks := other.MTLSChecks(tok)
	s := r.s
	s.running, s.reqID, s.inflight = stepToken, s.reqID+1, 1
	s.steps[stepToken] = stepResult{state: stateRunning}
	sc, _ := s.Update(tokenResultMsg{reqID: s.reqID, step: stepToken, grant: flows.GrantClientCredentials, token: tok, binding: checks})
	s = sc.(flowModel)
	if s.steps[stepToken].state != stateFailed || s.running != numSteps || s.inflight != 0 {
		t.Fatalf("after a failed binding check: %s running %v inflight %d", s.states(), s.running, s.inflight)
	}
	if ch, ok := findCheck(s.binding, "cnf.x5t#S256"); !ok || ch.Status != flows.CheckFail || ch.Kind != flows.KindCertificateBindingMismatch {
		t.Fatalf("binding checks: %+v", s.binding)
	}
	view := tuitest.StripANSI(s.View())
	wantIn(t, view, "✗ FAIL cnf.x5t#S256", "binding checks failed", "certificate_binding_mismatch")
	golden.RequireEqual(t, view)
}
