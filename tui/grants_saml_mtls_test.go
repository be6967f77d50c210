package tui

import (
	"crypto/tls"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/exp/golden"
	"github.com/charmbracelet/x/exp/teatest/v2"

	"github.com/tokenbench/tokenbench/flows"
	"github.com/tokenbench/tokenbench/flows/demoidp"
)

// The SAML 2.0 bearer grant (RFC 7522) and mutual TLS certificate binding (RFC 8705) in the
// stepper, run against the built-in provider.

// TestFlowSAMLBearerGolden: the saml2_bearer grant with an assertion file, chosen and named through
// the form as a user would; one the provider accepts, and one for another audience, whose
// invalid_grant is shown in place with its explanation.
func TestFlowSAMLBearerGolden(t *testing.T) {
	for _, tc := range []struct {
		name, audience string
		want           stepState
	}{
		{"accepted", "", stateDone},
		{"other-audience", "https://sp.example.com/saml", stateFailed},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := flowProvider(t)
			dir := t.TempDir()
			aud := tc.audience
			if aud == "" {
				aud = p.Issuer() + "/token"
			}
			file := samlFile(t, dir, "assertion.xml", "_tui-"+tc.name, aud)
			tm := startApp(t, grantOptions(flowClient(t, p, "http://127.0.0.1:0/callback"), dir), 100, 45)
			waitSized(t, tm)
			sendKeys(tm, "g", "g", "g", "g", "g") // … → saml2_bearer
			sendKeys(tm, "j", "j", "j", "e", "down", "down")
			tm.Send(pasteMsgOf(file))
			sendKeys(tm, "enter", "enter") // done editing; run Token
			waitModel(t, tm, "the token", stepEnded(stepToken))
			if st := stepStateIn(t, tm, stepToken); st != tc.want {
				t.Errorf("Token ended in state %d, want %d", st, tc.want)
			}
			golden.RequireEqual(t, finalView(t, tm))
		})
	}
}

// TestFlowSAMLBearerSteps: the stepper's transitions on the saml2_bearer grant: no file named (the
// request is not sent), a file that cannot be read (the error in place, no request), an accepted
// assertion (sent base64url-encoded), and the same assertion again (refused as replayed).
func TestFlowSAMLBearerSteps(t *testing.T) {
	t.Parallel()
	p := flowProvider(t)
	dir := t.TempDir()
	good := samlFile(t, dir, "assertion.xml", "_tui-steps", p.Issuer()+"/token")
	c := flowCommon(flowClient(t, p, "http://127.0.0.1:0/callback"), nil, 100, 200)
	r := newFlowRunner(t, c)
	r.useGrant(grantSAMLBearer)

	r.s.cursor = stepToken
	r.send(press("enter"))
	if r.s.running != numSteps || r.s.steps[stepToken].state != statePending || !strings.Contains(r.s.notice, "assertion file") {
		t.Fatalf("without a file: %s notice %q", r.s.states(), r.s.notice)
	}
	sent := len(c.client.Trace.Exchanges())

	r.setText(fieldAssertionFile, filepath.Join(dir, "missing.xml"))
	r.runStep(stepToken)
	if r.s.steps[stepToken].state != stateFailed || len(c.client.Trace.Exchanges()) != sent {
		t.Fatalf("an unreadable file: %s, %d exchanges", r.s.states(), len(c.client.Trace.Exchanges())-sent)
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
	form := sentForm(t, c.client, "token")
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

// TestFlowMTLSGolden: a token bound to the client certificate, its cnf.x5t#S256 check passed beside
// the token; and a client presenting a certificate that is not the one it registered, refused
// with invalid_client explained in place.
func TestFlowMTLSGolden(t *testing.T) {
	for _, tc := range []struct {
		name, cert string
		want       stepState
	}{
		{"bound", demoidp.MTLSSelfSignedClientID, stateDone},
		{"wrong-certificate", demoidp.MTLSClientID, stateFailed},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := mtlsProvider(t)
			c := mtlsClient(t, p, mtlsCertificate(t, p, tc.cert))
			tm := startApp(t, grantOptions(c, ""), 100, 45)
			waitSized(t, tm)
			sendKeys(tm, "g", "j", "j", "j", "enter") // client_credentials; run Token
			waitModel(t, tm, "the token", stepEnded(stepToken))
			if st := stepStateIn(t, tm, stepToken); st != tc.want {
				t.Errorf("Token ended in state %d, want %d", st, tc.want)
			}
			golden.RequireEqual(t, finalView(t, tm))
		})
	}
}

// TestFlowMTLSBindingMismatch: a certificate-bound token from the provider whose binding check,
// made with another client certificate, fails: Update fails the Token step with the binding
// failure and explains it in place (the stepper alone, as a pure function of its messages).
func TestFlowMTLSBindingMismatch(t *testing.T) {
	p := mtlsProvider(t)
	bound := mtlsClient(t, p, mtlsCertificate(t, p, demoidp.MTLSSelfSignedClientID))
	c := flowCommon(bound, nil, 100, 60)
	c.scrub = grantScrub("")
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

	other := mtlsClient(t, p, mtlsCertificate(t, p, demoidp.MTLSClientID))
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
	view := stripANSI(s.View())
	wantIn(t, view, "✗ FAIL cnf.x5t#S256", "binding checks failed", "certificate_binding_mismatch")
	golden.RequireEqual(t, view)
}

// samlFile writes a SAML 2.0 bearer assertion for the demo user, signed by the demo's trusted
// issuer, for audience, valid until 5 minutes after the fixed clock.
func samlFile(t *testing.T, dir, name, id, audience string) string {
	t.Helper()
	xml, err := demoidp.SAMLBearerAssertion{ID: id, Audience: audience, NotOnOrAfter: flowClock.Add(5 * time.Minute)}.Signed()
	if err != nil {
		t.Fatal(err)
	}
	return writeFile(t, dir, name, xml)
}

// mtlsProvider starts the built-in provider on the fixed clock with its mutual TLS listener.
func mtlsProvider(t *testing.T) *demoidp.Provider {
	t.Helper()
	return flowProviderWith(t, demoidp.Options{MTLS: &demoidp.MTLSOptions{}})
}

// mtlsCertificate is the demo certificate of a mutual TLS demo client.
func mtlsCertificate(t *testing.T, p *demoidp.Provider, clientID string) tls.Certificate {
	t.Helper()
	for _, c := range p.MTLSCredentials() {
		if c.ClientID == clientID {
			cert, err := tls.X509KeyPair(c.CertPEM, c.KeyPEM)
			if err != nil {
				t.Fatal(err)
			}
			return cert
		}
	}
	t.Fatalf("no mutual TLS credential for %s", clientID)
	return tls.Certificate{}
}

// mtlsClient is the session's client as demo-mtls-self (self_signed_tls_client_auth), presenting
// cert and trusting the mutual TLS listener's CA.
func mtlsClient(t *testing.T, p *demoidp.Provider, cert tls.Certificate) *flows.Client {
	t.Helper()
	c, err := flows.NewClient(flows.ClientConfig{
		Issuer: p.Issuer(), ClientID: demoidp.MTLSSelfSignedClientID, AuthMethod: flows.AuthSelfSignedTLSClient,
		RedirectURI: "http://127.0.0.1:0/callback", Scopes: []string{"openid", "profile"},
	}, flows.TransportOptions{Timeout: 10 * time.Second, CABundle: p.MTLSServerCAPEM(), ClientCertificates: []tls.Certificate{cert}})
	if err != nil {
		t.Fatal(err)
	}
	c.Now = flowNow
	return c
}

// stepStateIn is the state of a step of the running app.
func stepStateIn(t *testing.T, tm *teatest.TestModel, id stepID) stepState {
	t.Helper()
	var st stepState
	waitModel(t, tm, "the step's state", func(m Model) bool { st = flowOf(m).steps[id].state; return true })
	return st
}
