package stepper

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tokenbench/tokenbench/flows"
	"github.com/tokenbench/tokenbench/flows/demoidp"
	"github.com/tokenbench/tokenbench/flows/demoidp/demoidptest"
	"github.com/tokenbench/tokenbench/tui/internal/tuitest"
)

// The newer features as parameters of the steps, each run for real against the built-in provider.

// flowJWTClient is the demo-jwt client (client_secret_jwt, a secret long enough for HS256), whose
// secret also signs request objects and JWT bearer assertions.
func flowJWTClient(t *testing.T, p *demoidp.Provider) *flows.Client {
	t.Helper()
	c := tuitest.FlowClient(t, p, "http://127.0.0.1:0/callback")
	cfg := c.Config
	cfg.ClientID, cfg.AuthMethod = demoidptest.JWTID, flows.AuthClientSecretJWT
	cfg.ClientSecret = demoidptest.Secret(t, p, demoidptest.JWTID)
	return c.WithConfig(cfg)
}

// setChoice edits the form as a user would: e, ↓ to the field, → until the choice shows want,
// enter. It fails when the field is not shown for the grant or want is not one of its values.
func (r *flowRunner) setChoice(id fieldID, want string) {
	r.t.Helper()
	r.send(tuitest.Press("e"))
	for i := 0; r.s.form.focus != id; i++ {
		if i > int(numFields) {
			r.t.Fatalf("field %s is not in the form for %s", id.label(), r.s.grant)
		}
		r.send(tuitest.Press("down"))
	}
	for i := 0; r.s.form.value(id) != want; i++ {
		if i > 20 {
			r.t.Fatalf("%s has no choice %q", id.label(), want)
		}
		r.send(tuitest.Press("right"))
	}
	r.send(tuitest.Press("enter"))
}

// setText types into a text field of the form.
func (r *flowRunner) setText(id fieldID, v string) {
	r.t.Helper()
	r.send(tuitest.Press("e"))
	for i := 0; r.s.form.focus != id; i++ {
		if i > int(numFields) {
			r.t.Fatalf("field %s is not in the form for %s", id.label(), r.s.grant)
		}
		r.send(tuitest.Press("down"))
	}
	r.send(tuitest.PasteMsgOf(v))
	r.send(tuitest.Press("enter"))
}

// useGrant chooses a grant in the picker g opens.
func (r *flowRunner) useGrant(g grantKind) {
	r.t.Helper()
	for _, msg := range pickKeys(g) {
		r.send(msg)
	}
	if r.s.grant != g {
		r.t.Fatalf("no grant %v", g)
	}
}

// authorizeAndCallback runs Authorize and waits for the callback the injected browser brings back.
func (r *flowRunner) authorizeAndCallback() {
	r.t.Helper()
	r.s.cursor = stepAuthorize
	r.send(tuitest.Press("enter"))
	r.until("the callback", func(s flowModel) bool {
		st := s.steps[stepCallback].state
		return s.steps[stepAuthorize].state == stateFailed || st == stateDone || st == stateFailed
	})
}

func wantIn(t *testing.T, v string, wants ...string) {
	t.Helper()
	for _, w := range wants {
		if !strings.Contains(v, w) {
			t.Errorf("the view lacks %q:\n%s", w, v)
		}
	}
}

// TestFlowPAR: with PAR on, Authorize pushes the request; its pane shows the request_uri and the
// flow completes.
func TestFlowPAR(t *testing.T) {
	t.Parallel()
	p := tuitest.FlowProvider(t)
	r := newFlowRunner(t, flowCommon(flowJWTClient(t, p), tuitest.FlowBrowser, 100, 200))
	r.setChoice(fieldPAR, "on")
	r.setChoice(fieldRequestObject, "on")
	r.authorizeAndCallback()
	if r.s.authReq == nil || r.s.authReq.PAR == nil || r.s.steps[stepCallback].state != stateDone {
		t.Fatalf("%s err=%v", r.s.states(), r.s.steps[stepAuthorize].err)
	}
	r.s.cursor = stepAuthorize
	r.relayout()
	wantIn(t, r.viewText(), "Pushed authorization request", "request_uri", "urn:ietf:params:oauth:request_uri:",
		"expires in", "Request object", "alg", "claims:")
	r.runStep(stepToken)
	if r.s.steps[stepToken].state != stateDone || !r.s.report.OK() {
		t.Fatalf("token: %s err=%v", r.s.states(), r.s.steps[stepToken].err)
	}
}

// TestFlowDPoP: with DPoP on, the token is DPoP-bound to the session key and the binding checks
// pass; the form shows the key's thumbprint.
func TestFlowDPoP(t *testing.T) {
	t.Parallel()
	p := tuitest.FlowProvider(t)
	r := newFlowRunner(t, flowCommon(tuitest.FlowClient(t, p, "http://127.0.0.1:0/callback"), tuitest.FlowBrowser, 100, 200))
	r.setChoice(fieldDPoP, "on")
	r.until("the DPoP key", func(s flowModel) bool { return s.dpopKey != nil })
	r.s.cursor = stepAuthorize
	r.relayout()
	if v := r.viewText(); !strings.Contains(v, "key jkt "+r.s.dpopJKT) {
		t.Errorf("the form does not show the key's thumbprint:\n%s", v)
	}
	r.authorizeAndCallback()
	r.runStep(stepToken)
	if r.s.steps[stepToken].state != stateDone || !strings.EqualFold(r.s.token.TokenType, "DPoP") {
		t.Fatalf("%s err=%v token_type=%v", r.s.states(), r.s.steps[stepToken].err, r.s.token)
	}
	if ch, ok := findCheck(r.s.binding, "token_type"); !ok || ch.Status != flows.CheckPass {
		t.Errorf("DPoP token_type check: %+v", r.s.binding)
	}
	if failed(r.s.binding) {
		t.Errorf("binding checks: %+v", r.s.binding)
	}
	wantIn(t, r.viewText(), "Binding checks (DPoP, mTLS)", "✓ pass token_type")
	// The key stays for the session: the refresh is bound to it too.
	r.runStep(stepRefresh)
	if r.s.steps[stepRefresh].state != stateDone || failed(r.s.refBinding) {
		t.Errorf("refresh: %s %+v", r.s.states(), r.s.refBinding)
	}
}

// TestFlowHybrid: response_type code id_token: the callback checks the front-channel id_token's
// c_hash, and the code is still exchanged.
func TestFlowHybrid(t *testing.T) {
	t.Parallel()
	p := tuitest.FlowProvider(t)
	r := newFlowRunner(t, flowCommon(tuitest.FlowClient(t, p, "http://127.0.0.1:0/callback"), tuitest.FlowBrowser, 100, 200))
	r.setChoice(fieldResponseType, "code id_token")
	r.authorizeAndCallback()
	if r.s.steps[stepCallback].state != stateDone || r.s.authRes.Front == nil || r.s.authRes.Front.IDTokenReport == nil {
		t.Fatalf("%s err=%v", r.s.states(), r.s.steps[stepCallback].err)
	}
	if ch, ok := findCheck(r.s.authRes.Front.IDTokenReport.Checks, "c_hash"); !ok || ch.Status != flows.CheckPass {
		t.Errorf("c_hash: %+v", r.s.authRes.Front.IDTokenReport.Checks)
	}
	wantIn(t, r.viewText(), "Front-channel id_token checks (code id_token)", "✓ pass c_hash")
	r.runStep(stepToken)
	if r.s.steps[stepToken].state != stateDone {
		t.Fatalf("token: %s err=%v", r.s.states(), r.s.steps[stepToken].err)
	}
}

// TestFlowImplicit: response_type id_token token: the tokens come with the callback, and the Token
// step is skipped, saying why.
func TestFlowImplicit(t *testing.T) {
	t.Parallel()
	p := tuitest.FlowProvider(t)
	r := newFlowRunner(t, flowCommon(tuitest.FlowClient(t, p, "http://127.0.0.1:0/callback"), tuitest.FlowBrowser, 100, 200))
	r.setChoice(fieldResponseType, "id_token token")
	r.authorizeAndCallback()
	if r.s.steps[stepCallback].state != stateDone || r.s.token == nil || r.s.steps[stepToken].state != stateSkipped {
		t.Fatalf("%s err=%v", r.s.states(), r.s.steps[stepCallback].err)
	}
	if ch, ok := findCheck(r.s.report.Checks, "at_hash"); !ok || ch.Status != flows.CheckPass {
		t.Errorf("at_hash: %+v", r.s.report.Checks)
	}
	r.s.cursor = stepToken
	r.relayout()
	wantIn(t, r.viewText(), "Skipped: the implicit response", "access_token")
	r.send(tuitest.Press("enter"))
	if !strings.Contains(r.s.notice, "no code to exchange") {
		t.Errorf("notice %q", r.s.notice)
	}
}

// TestFlowJARMBadSignature: a JWT-secured response whose signature is broken fails the callback,
// its checks shown and the failure explained.
func TestFlowJARMBadSignature(t *testing.T) {
	t.Parallel()
	p := tuitest.FlowProvider(t, "jarm-bad-signature")
	r := newFlowRunner(t, flowCommon(tuitest.FlowClient(t, p, "http://127.0.0.1:0/callback"), tuitest.FlowBrowser, 100, 200))
	r.setChoice(fieldResponseMode, "query.jwt")
	r.authorizeAndCallback()
	if r.s.steps[stepCallback].state != stateFailed || r.s.authRes == nil || r.s.authRes.JARM == nil {
		t.Fatalf("%s err=%v", r.s.states(), r.s.steps[stepCallback].err)
	}
	wantIn(t, r.viewText(), "✗ failed", "JARM response checks (query.jwt)", "✗ FAIL signature")
	if code, _, _ := flows.Explain(r.s.steps[stepCallback].err); code == "" || !strings.Contains(r.viewText(), code) {
		t.Errorf("the error %v is not explained (code %q)", r.s.steps[stepCallback].err, code)
	}
}

// TestFlowJWTBearer: the jwt_bearer grant with an assertion tokenbench signs (issuer and audience
// left to their defaults).
func TestFlowJWTBearer(t *testing.T) {
	t.Parallel()
	p := tuitest.FlowProvider(t)
	r := newFlowRunner(t, flowCommon(flowJWTClient(t, p), nil, 100, 200))
	r.useGrant(grantJWTBearer)
	r.s.cursor = stepToken
	r.relayout()
	wantIn(t, r.viewText(), "assertion sub", "a JWT signed by tokenbench")
	r.setText(fieldAssertionSubject, "demo")
	r.runStep(stepToken)
	if r.s.steps[stepToken].state != stateDone || r.s.token == nil || r.s.token.AccessToken == "" {
		t.Fatalf("%s err=%v", r.s.states(), r.s.steps[stepToken].err)
	}
}

// TestFlowTokenExchange: the session's access token exchanged; the issued token type is shown.
func TestFlowTokenExchange(t *testing.T) {
	t.Parallel()
	p := tuitest.FlowProvider(t)
	r := newFlowRunner(t, flowCommon(tuitest.FlowClient(t, p, "http://127.0.0.1:0/callback"), tuitest.FlowBrowser, 100, 200))
	r.useGrant(grantTokenExchange)
	r.s.cursor = stepToken
	r.send(tuitest.Press("enter"))
	if !strings.Contains(r.s.notice, "no access_token yet") || r.s.running != numSteps {
		t.Errorf("without a session token: notice %q", r.s.notice)
	}
	r.useGrant(grantAuthCode)
	r.authorizeAndCallback()
	r.runStep(stepToken)
	subject := r.s.token.AccessToken
	r.useGrant(grantTokenExchange)
	r.runStep(stepToken)
	if r.s.steps[stepToken].state != stateDone || r.s.token.AccessToken == subject {
		t.Fatalf("%s err=%v", r.s.states(), r.s.steps[stepToken].err)
	}
	if r.s.token.IssuedTokenType() == "" {
		t.Errorf("no issued_token_type: %v", r.s.token.Members)
	}
	wantIn(t, r.viewText(), "issued type", r.s.token.IssuedTokenType())
}

// TestFlowCIBA: the backchannel authentication request, its wait (binding message, approval URL,
// countdown), the user's approval through an HTTP GET of the approval URL (o), then the token.
func TestFlowCIBA(t *testing.T) {
	t.Parallel()
	p := tuitest.FlowProviderWith(t, demoidp.Options{DeviceInterval: 1})
	r := newFlowRunner(t, flowCommon(tuitest.FlowClient(t, p, "http://127.0.0.1:0/callback"), tuitest.FlowBrowser, 100, 200))
	r.useGrant(grantCIBA)
	r.setText(fieldLoginHint, "demo")
	r.setText(fieldBindingMessage, "W4SCT")
	r.s.cursor = stepAuthorize
	r.send(tuitest.Press("enter"))
	r.until("the auth_req_id", func(s flowModel) bool { return s.ciba != nil || s.steps[stepAuthorize].state == stateFailed })
	if r.s.ciba == nil {
		t.Fatalf("%s err=%v", r.s.states(), r.s.steps[stepAuthorize].err)
	}
	wantIn(t, r.viewText(), "W4SCT", "approve at", "/ciba?auth_req_id=", "expires in", "polling")
	r.send(tuitest.Press("o")) // the injected browser GETs the approval URL
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

// TestFlowAuthorizationDetails: the file is checked when its field is left (the error beside it),
// then sent; the granted details are shown with the token.
func TestFlowAuthorizationDetails(t *testing.T) {
	t.Parallel()
	p := tuitest.FlowProvider(t)
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.json")
	good := filepath.Join(dir, "good.json")
	if err := os.WriteFile(bad, []byte(`{"type":"x"}`), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(good, []byte(`[{"type":"payment_initiation","actions":["initiate"]}]`), 0o600); err != nil {
		t.Fatal(err)
	}
	r := newFlowRunner(t, flowCommon(tuitest.FlowClient(t, p, "http://127.0.0.1:0/callback"), nil, 100, 200))
	r.useGrant(grantClientCredentials)
	r.setText(fieldAuthzDetails, bad)
	r.until("the file check", func(s flowModel) bool { return s.form.detailsPath == bad })
	r.s.cursor = stepToken
	r.relayout()
	wantIn(t, r.viewText(), "✗ authorization_details is a JSON object")
	r.s.cursor = stepToken
	r.send(tuitest.Press("enter"))
	if r.s.running != numSteps || !strings.Contains(r.s.notice, "authorization_details") {
		t.Errorf("a bad file was sent: notice %q", r.s.notice)
	}
	r.s.form.inputs[fieldAuthzDetails].SetValue(good)
	r.send(tuitest.Press("enter")) // reads the file
	r.until("the file check", func(s flowModel) bool { return s.form.detailsPath == good })
	r.runStep(stepToken)
	if r.s.steps[stepToken].state != stateDone {
		t.Fatalf("%s err=%v", r.s.states(), r.s.steps[stepToken].err)
	}
	var oe *flows.OAuthError
	if errors.As(r.s.steps[stepToken].err, &oe) {
		t.Fatal(oe)
	}
	if r.s.token.AuthorizationDetails() == nil {
		t.Errorf("no authorization_details granted: %v", r.s.token.Members)
	}
	wantIn(t, r.viewText(), "authorization_details granted", "payment_initiation")
}

// TestFlowFormFits: for every grant, the form being edited fits 80×24, the focused field stays in
// sight as ↓ walks through every field, and the fields of other grants are hidden.
func TestFlowFormFits(t *testing.T) {
	t.Parallel()
	p := tuitest.FlowProvider(t)
	r := newFlowRunner(t, flowCommon(tuitest.FlowClient(t, p, "http://127.0.0.1:0/callback"), nil, 80, 22))
	hidden := map[grantKind][]fieldID{
		grantAuthCode:          {fieldAssertionSubject, fieldSubjectSource, fieldBindingMessage},
		grantClientCredentials: {fieldPAR, fieldResponseType, fieldLoginHint},
		grantTokenExchange:     {fieldPAR, fieldAuthzDetails, fieldSubjectToken},
		grantCIBA:              {fieldPAR, fieldResponseMode, fieldAssertionFile},
	}
	for g := grantKind(0); g < numGrants; g++ {
		r.useGrant(g)
		r.s.cursor = stepToken
		if g == grantAuthCode || g == grantDevice || g == grantCIBA {
			r.s.cursor = stepAuthorize
		}
		r.send(tuitest.Press("e"))
		for _, id := range hidden[g] {
			for _, v := range r.s.form.visible() {
				if v == id {
					t.Errorf("%s: %s is shown", g, id.label())
				}
			}
		}
		for range r.s.form.visible() {
			v := r.s.View()
			if h := strings.Count(v, "\n") + 1; h > 22 {
				t.Errorf("%s: %d lines", g, h)
			}
			for _, l := range strings.Split(v, "\n") {
				if w := len([]rune(tuitest.StripANSI(l))); w > 80 {
					t.Errorf("%s: a line of %d cells: %q", g, w, tuitest.StripANSI(l))
					break
				}
			}
			if mark := "▸" + r.s.form.focus.label(); !strings.Contains(tuitest.StripANSI(v), mark) {
				t.Errorf("%s: the focused field %s is out of sight:\n%s", g, r.s.form.focus.label(), tuitest.StripANSI(v))
			}
			r.send(tuitest.Press("down"))
		}
		r.send(tuitest.Press("esc"))
	}
}
