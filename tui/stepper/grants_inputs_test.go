package stepper

import (
	"context"
	"encoding/json"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tokenbench/tokenbench/flows"
	"github.com/tokenbench/tokenbench/flows/demoidp"
	"github.com/tokenbench/tokenbench/tui/internal/tuitest"
)

// The inputs of the assertion grants and of CIBA that the request form has beside the command
// line's flags: the JWT assertion from a file, the assertion's signing key and lifetime, CIBA's
// id_token_hint and user_code.

// TestGrantInputsForm: which fields the form shows (a pure function of the messages): the fields
// that make a JWT assertion go while an assertion file is named and come back when it is cleared;
// SAML has only the file; only CIBA has id_token_hint and user_code; what validation refuses.
func TestGrantInputsForm(t *testing.T) {
	t.Parallel()
	s, _ := New(flowCommon(nil, nil, 80, 24)).(flowModel)
	update := func(msgs ...any) {
		t.Helper()
		for _, msg := range msgs {
			sc, _ := s.Update(msg)
			s = sc.(flowModel)
		}
	}
	makeOne := []fieldID{fieldAssertionIssuer, fieldAssertionSubject, fieldAssertionAudience, fieldAssertionLifetime, fieldAssertionKey}
	shows := func(ids ...fieldID) bool {
		for _, id := range ids {
			if !slices.Contains(s.form.visible(), id) {
				return false
			}
		}
		return true
	}
	showsNone := func(ids ...fieldID) bool {
		for _, id := range ids {
			if slices.Contains(s.form.visible(), id) {
				return false
			}
		}
		return true
	}
	cibaOnly := []fieldID{fieldIDTokenHint, fieldUserCode}

	update(pickKeys(grantJWTBearer)...)
	if s.grant != grantJWTBearer || !shows(fieldAssertionFile) || !shows(makeOne...) || !showsNone(cibaOnly...) {
		t.Fatalf("jwt_bearer: %v shows %v", s.grant, s.form.visible())
	}
	if err := s.form.validate(); err == nil || !strings.Contains(err.Error(), "name an assertion file, or give assertion sub") {
		t.Errorf("jwt_bearer with neither a file nor a subject: %v", err)
	}
	if ph := s.form.inputs[fieldAssertionFile].Placeholder; !strings.Contains(ph, "JWT") {
		t.Errorf("the file's placeholder under jwt_bearer: %q", ph)
	}
	update(tuitest.Press("e"), tuitest.Press("down"), tuitest.Press("down"), tuitest.PasteMsgOf("assertion.jwt"))
	if s.form.focus != fieldAssertionFile || !showsNone(makeOne...) || s.form.validate() != nil {
		t.Errorf("with a file: focus %s, shows %v, validate %v", s.form.focus.label(), s.form.visible(), s.form.validate())
	}
	s.form.inputs[fieldAssertionFile].SetValue("")
	update(tuitest.Press("down"), tuitest.Press("down"), tuitest.PasteMsgOf("demo"), tuitest.Press("down"), tuitest.Press("down"), tuitest.PasteMsgOf("ten minutes"))
	if s.form.focus != fieldAssertionLifetime || !shows(makeOne...) {
		t.Fatalf("after clearing the file: focus %s, shows %v", s.form.focus.label(), s.form.visible())
	}
	if err := s.form.validate(); err == nil || !strings.Contains(err.Error(), `assertion exp "ten minutes" is not a lifetime`) {
		t.Errorf("a lifetime that is no duration: %v", err)
	}
	s.form.inputs[fieldAssertionLifetime].SetValue("90s")
	if d, err := s.form.assertionLifetime(); err != nil || d != 90*time.Second {
		t.Errorf("lifetime %v %v", d, err)
	}
	update(tuitest.Press("enter"))

	update(pickKeys(grantSAMLBearer)...)
	if s.grant != grantSAMLBearer || !shows(fieldAssertionFile) || !showsNone(makeOne...) || !showsNone(cibaOnly...) {
		t.Errorf("saml2_bearer shows %v", s.form.visible())
	}
	if ph := s.form.inputs[fieldAssertionFile].Placeholder; !strings.Contains(ph, "SAML") {
		t.Errorf("the file's placeholder under saml2_bearer: %q", ph)
	}

	update(pickKeys(grantCIBA)...)
	if s.grant != grantCIBA || !shows(fieldLoginHint, fieldIDTokenHint, fieldUserCode) || !showsNone(fieldAssertionFile) {
		t.Fatalf("ciba shows %v", s.form.visible())
	}
	if err := s.form.validate(); err == nil || !strings.Contains(err.Error(), "login_hint") || !strings.Contains(err.Error(), "id_token_hint") {
		t.Errorf("ciba without a hint: %v", err)
	}
	s.form.inputs[fieldIDTokenHint].SetValue(tuitest.FakeIDToken)
	if err := s.form.validate(); err != nil {
		t.Errorf("ciba with an id_token_hint alone: %v", err)
	}
	update(pickKeys(grantAuthCode)...)
	if s.grant != grantAuthCode || !showsNone(cibaOnly...) || !showsNone(fieldAssertionFile) {
		t.Errorf("authorization_code shows %v", s.form.visible())
	}
}

// TestFlowJWTBearerAssertionFile: the jwt_bearer grant with the assertion read from a file when the
// request is sent: a missing file and an empty one fail in place without a request; a JWT of the
// demo's trusted issuer is sent as it is in the file, and the provider grants the token.
func TestFlowJWTBearerAssertionFile(t *testing.T) {
	t.Parallel()
	p := tuitest.FlowProvider(t)
	dir := t.TempDir()
	key := tuitest.ReadKey(t, tuitest.TrustedIssuerKey)
	maker := tuitest.FlowClient(t, p, "http://127.0.0.1:0/callback")
	jwt, err := maker.MakeAssertion(context.Background(), flows.AssertionClaims{
		Issuer: demoidp.TrustedIssuer, Subject: "demo", Audience: []string{p.Issuer() + "/token"}, Key: key,
	})
	if err != nil {
		t.Fatal(err)
	}
	good := tuitest.WriteFile(t, dir, "assertion.jwt", []byte(jwt+"\n"))
	empty := tuitest.WriteFile(t, dir, "empty.jwt", []byte("\n"))

	c := flowCommon(tuitest.FlowClient(t, p, "http://127.0.0.1:0/callback"), nil, 100, 200)
	r := newFlowRunner(t, c)
	r.useGrant(grantJWTBearer)
	tokenRequests := func() int {
		n := 0
		for _, x := range c.Client.Trace.Exchanges() {
			if x.Step == "token" {
				n++
			}
		}
		return n
	}

	for _, bad := range []struct{ path, want string }{
		{filepath.Join(dir, "missing.jwt"), "no such file or directory"},
		{empty, "assertion file " + empty + " is empty"},
	} {
		r.s.form.inputs[fieldAssertionFile].SetValue(bad.path)
		r.runStep(stepToken)
		if r.s.steps[stepToken].state != stateFailed || tokenRequests() != 0 {
			t.Fatalf("%s: %s, %d token requests", bad.path, r.s.states(), tokenRequests())
		}
		if err := r.s.steps[stepToken].err; !strings.Contains(err.Error(), bad.want) || !strings.HasPrefix(err.Error(), "assertion file") {
			t.Errorf("%s: %v", bad.path, err)
		}
		wantIn(t, r.viewText(), "✗ failed", "assertion file")
	}

	r.s.form.inputs[fieldAssertionFile].SetValue(good)
	r.runStep(stepToken)
	if r.s.steps[stepToken].state != stateDone || r.s.token == nil || r.s.token.AccessToken == "" {
		t.Fatalf("%s err=%v", r.s.states(), r.s.steps[stepToken].err)
	}
	if sent := sentForm(t, c.Client, "token"); sent.Get("grant_type") != flows.GrantJWTBearer || sent.Get("assertion") != jwt {
		t.Errorf("sent %v, want the file's JWT", sent)
	}
}

// TestFlowJWTBearerAssertionKey: the JWT assertion tokenbench signs with the key file and lifetime
// of the form: a lifetime that is no duration is refused before sending; a missing key file fails
// in place; a key the issuer does not sign with is refused by the provider (explained); the
// trusted issuer's key is accepted, and the assertion sent lives as long as asked.
func TestFlowJWTBearerAssertionKey(t *testing.T) {
	t.Parallel()
	p := tuitest.FlowProvider(t)
	c := flowCommon(tuitest.FlowClient(t, p, "http://127.0.0.1:0/callback"), nil, 100, 200)
	r := newFlowRunner(t, c)
	r.useGrant(grantJWTBearer)
	r.setText(fieldAssertionIssuer, demoidp.TrustedIssuer)
	r.setText(fieldAssertionSubject, "demo")
	r.setText(fieldAssertionLifetime, "ten minutes")

	r.s.cursor = stepToken
	r.send(tuitest.Press("enter"))
	if r.s.running != numSteps || !strings.Contains(r.s.notice, "is not a lifetime") {
		t.Fatalf("a bad lifetime: %s notice %q", r.s.states(), r.s.notice)
	}
	r.s.form.inputs[fieldAssertionLifetime].SetValue("10m")

	r.setText(fieldAssertionKey, filepath.Join(t.TempDir(), "missing.pem"))
	r.runStep(stepToken)
	if err := r.s.steps[stepToken].err; r.s.steps[stepToken].state != stateFailed || !strings.HasPrefix(err.Error(), "assertion key: open ") {
		t.Fatalf("a missing key file: %s err=%v", r.s.states(), err)
	}

	r.s.form.inputs[fieldAssertionKey].SetValue(otherKey)
	r.runStep(stepToken)
	if r.s.steps[stepToken].state != stateFailed {
		t.Fatalf("another key: %s", r.s.states())
	}
	wantIn(t, r.viewText(), "invalid_grant", "does not verify with the key of issuer", "Likely causes:")

	r.s.form.inputs[fieldAssertionKey].SetValue(tuitest.TrustedIssuerKey)
	r.runStep(stepToken)
	if r.s.steps[stepToken].state != stateDone || r.s.token == nil {
		t.Fatalf("the trusted issuer's key: %s err=%v", r.s.states(), r.s.steps[stepToken].err)
	}
	j, err := flows.DecodeJWT(sentForm(t, c.Client, "token").Get("assertion"))
	if err != nil {
		t.Fatal(err)
	}
	seconds := func(claim string) int64 {
		n, _ := j.Claims[claim].(json.Number)
		v, _ := n.Int64()
		return v
	}
	if j.Header["alg"] != "ES256" || j.Claims["iss"] != demoidp.TrustedIssuer || seconds("exp")-seconds("iat") != 600 {
		t.Errorf("the assertion sent: header %v, claims %v", j.Header, j.Claims)
	}
}

// TestFlowCIBAIDTokenHint: CIBA naming the user with the id_token of this session's code flow
// instead of login_hint, with a user_code: a wrong code is refused at Authorize (explained); the
// right one starts the backchannel authentication, which the user approves, and the token comes.
func TestFlowCIBAIDTokenHint(t *testing.T) {
	t.Parallel()
	p := tuitest.FlowProviderWith(t, demoidp.Options{DeviceInterval: 1})
	c := flowCommon(tuitest.FlowClient(t, p, "http://127.0.0.1:0/callback"), tuitest.FlowBrowser, 100, 200)
	r := newFlowRunner(t, c)
	r.authorizeAndCallback()
	r.runStep(stepToken)
	idToken := r.s.idToken()
	if idToken == "" {
		t.Fatalf("no id_token from the code flow: %s err=%v", r.s.states(), r.s.steps[stepToken].err)
	}

	r.useGrant(grantCIBA)
	r.s.cursor = stepAuthorize
	r.send(tuitest.Press("enter"))
	if r.s.running != numSteps || !strings.Contains(r.s.notice, "id_token_hint") {
		t.Fatalf("without a hint: %s notice %q", r.s.states(), r.s.notice)
	}
	r.setText(fieldIDTokenHint, idToken)
	r.setText(fieldUserCode, "1234")
	r.runStep(stepAuthorize)
	if r.s.steps[stepAuthorize].state != stateFailed {
		t.Fatalf("a wrong user_code: %s", r.s.states())
	}
	wantIn(t, r.viewText(), "invalid_user_code", "the user_code is not the demo user's")
	sent := sentForm(t, c.Client, "ciba")
	if sent.Get("id_token_hint") != idToken || sent.Get("user_code") != "1234" || sent.Has("login_hint") {
		t.Errorf("sent %v", sent)
	}

	r.s.form.inputs[fieldUserCode].SetValue("demo")
	r.s.cursor = stepAuthorize
	r.send(tuitest.Press("enter"))
	r.until("the auth_req_id", func(s flowModel) bool { return s.ciba != nil || s.steps[stepAuthorize].state == stateFailed })
	if r.s.ciba == nil {
		t.Fatalf("%s err=%v", r.s.states(), r.s.steps[stepAuthorize].err)
	}
	r.send(tuitest.Press("o")) // the injected browser approves at the approval URL
	r.until("the token", func(s flowModel) bool {
		st := s.steps[stepToken].state
		return st == stateDone || st == stateFailed
	})
	if r.s.steps[stepToken].state != stateDone || r.s.token.IDToken == "" || r.s.token.IDToken == idToken {
		t.Fatalf("%s err=%v", r.s.states(), r.s.steps[stepToken].err)
	}
}

// otherKey is a key the trusted issuer does not sign with.
var otherKey = tuitest.Asset("demo", "private-key-jwt-ec.pem")
