package stepper

import (
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"charm.land/bubbles/v2/textinput"

	"github.com/tokenbench/tokenbench/flows/demoidp"
	"github.com/tokenbench/tokenbench/tui/internal/tuitest"
)

// CIBA's login_hint_token and requested_expiry in the request form (CIBA Core §7.1): exactly one
// hint names the user, the lifetime asked for auth_req_id is a positive whole number of seconds,
// the token is masked until s, and both reach the request sent.

// maskedHintToken matches a masked login_hint_token row (its length scrubbed to N).
var maskedHintToken = regexp.MustCompile(`login_hint_tok\S*\s+•••••••• N chars \(s shows\)`)

// newCIBAForm is a stepper on the ciba grant, with a client of the built-in provider, and its
// Authorize step (the request's preview) selected.
func newCIBAForm(t *testing.T) *flowRunner {
	t.Helper()
	c := tuitest.FlowClient(t, tuitest.FlowProvider(t), "http://127.0.0.1:0/callback")
	r := newFlowRunner(t, flowCommon(c, nil, 100, 200))
	r.useGrant(grantCIBA)
	r.s.cursor = stepAuthorize
	r.relayout()
	return r
}

// TestFlowFormCIBAValidation: the hints naming the user (none, one, two, three) and the lifetimes
// requested_expiry takes or refuses, with what the request's preview shows for each.
func TestFlowFormCIBAValidation(t *testing.T) {
	t.Parallel()
	r := newCIBAForm(t)
	for _, id := range []fieldID{fieldLoginHintToken, fieldRequestedExpiry} {
		if !slices.Contains(r.s.form.visible(), id) {
			t.Fatalf("ciba does not show %s: %v", id.label(), r.s.form.visible())
		}
	}
	hints := map[fieldID]string{fieldLoginHint: "demo", fieldIDTokenHint: tuitest.FakeIDToken, fieldLoginHintToken: tuitest.FakeHintToken}
	for _, tc := range []struct {
		given []fieldID
		want  string // in the error; "" when valid
	}{
		{nil, "name the user to authenticate with login_hint"},
		{[]fieldID{fieldLoginHint}, ""},
		{[]fieldID{fieldIDTokenHint}, ""},
		{[]fieldID{fieldLoginHintToken}, ""},
		{[]fieldID{fieldLoginHint, fieldLoginHintToken}, "ciba: login_hint and login_hint_token both name the user; keep exactly one (CIBA Core §7.1)"},
		{[]fieldID{fieldIDTokenHint, fieldLoginHintToken}, "ciba: id_token_hint and login_hint_token both name the user"},
		{[]fieldID{fieldLoginHint, fieldIDTokenHint}, "ciba: login_hint and id_token_hint both name the user"},
		{[]fieldID{fieldLoginHint, fieldIDTokenHint, fieldLoginHintToken}, "ciba: login_hint, id_token_hint and login_hint_token all name the user"},
	} {
		for _, id := range cibaHintFields {
			r.s.form.inputs[id].SetValue("")
		}
		var names []string
		for _, id := range tc.given {
			r.s.form.inputs[id].SetValue(hints[id])
			names = append(names, id.label())
		}
		err := r.s.form.validate()
		switch {
		case tc.want == "" && err != nil:
			t.Errorf("%v: %v", names, err)
		case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
			t.Errorf("%v: %v, want %q", names, err, tc.want)
		}
		if tc.want == "" {
			continue
		}
		r.relayout()
		wantIn(t, r.viewText(), strings.SplitN(tc.want, ";", 2)[0]) // the line may wrap after it
		r.s.cursor = stepAuthorize
		r.send(tuitest.Press("enter"))
		if r.s.running != numSteps || !strings.Contains(r.s.notice, tc.want) {
			t.Errorf("%v: Authorize ran (%s), notice %q", names, r.s.states(), r.s.notice)
		}
	}

	for _, id := range cibaHintFields {
		r.s.form.inputs[id].SetValue("")
	}
	r.s.form.inputs[fieldLoginHint].SetValue("demo")
	for _, bad := range []struct{ v, want string }{
		{"abc", `requested_expiry "abc" is not a lifetime such as 120, 90s or 5m`},
		{"0", `requested_expiry "0" is not a lifetime such as 120, 90s or 5m`},
		{"0s", `requested_expiry "0s" is not a lifetime`},
		{"-5s", `requested_expiry "-5s" is not a lifetime`},
		{"-5", `requested_expiry "-5" is not a lifetime`},
		{"1.5s", `requested_expiry "1.5s" is not a whole number of seconds (CIBA Core §7.1)`},
		{"99999999999999999999", `is not a lifetime`},
	} {
		r.s.form.inputs[fieldRequestedExpiry].SetValue(bad.v)
		if err := r.s.form.validate(); err == nil || !strings.Contains(err.Error(), bad.want) {
			t.Errorf("requested_expiry %q: %v, want %q", bad.v, err, bad.want)
		}
		r.relayout()
		if m := tuitest.RequestedExpiryRow.FindStringSubmatch(r.viewText()); m == nil || m[1] != "requested_expiry" {
			t.Errorf("requested_expiry %q: the preview shows %q, not the error", bad.v, m)
		}
	}
	for _, good := range []struct {
		v    string
		want time.Duration
		row  string
	}{
		{"90s", 90 * time.Second, "90"},
		{"120", 120 * time.Second, "120"},
		{"2m", 120 * time.Second, "120"},
		{"1h30m", 90 * time.Minute, "5400"},
	} {
		r.s.form.inputs[fieldRequestedExpiry].SetValue(good.v)
		if d, err := r.s.form.requestedExpiry(); err != nil || d != good.want || r.s.form.validate() != nil {
			t.Errorf("requested_expiry %q: %v %v, validate %v", good.v, d, err, r.s.form.validate())
		}
		if got := r.s.cibaRequest().RequestedExpiry; got != good.want {
			t.Errorf("requested_expiry %q: the request asks for %v", good.v, got)
		}
		r.relayout()
		if m := tuitest.RequestedExpiryRow.FindStringSubmatch(r.viewText()); m == nil || m[1] != good.row {
			t.Errorf("requested_expiry %q previews as %q, want %s:\n%s", good.v, m, good.row, r.viewText())
		}
	}
	r.s.form.inputs[fieldRequestedExpiry].SetValue("")
	r.relayout()
	if d, err := r.s.form.requestedExpiry(); d != 0 || err != nil || r.s.cibaRequest().RequestedExpiry != 0 {
		t.Errorf("an empty requested_expiry: %v %v", d, err)
	}
	if strings.Contains(strings.Split(r.viewText(), "Parameters")[0], "requested_expi") {
		t.Errorf("an empty requested_expiry is in the request:\n%s", r.viewText())
	}

	r.useGrant(grantAuthCode)
	for _, id := range []fieldID{fieldLoginHintToken, fieldRequestedExpiry} {
		if slices.Contains(r.s.form.visible(), id) {
			t.Errorf("authorization_code shows %s", id.label())
		}
	}
}

// TestFlowFormCIBAMasksHintToken: login_hint_token is masked in the parameters and in the request's
// preview until s, and while typed; s reveals it in both.
func TestFlowFormCIBAMasksHintToken(t *testing.T) {
	t.Parallel()
	r := newCIBAForm(t)
	r.setText(fieldLoginHintToken, tuitest.FakeHintToken)
	if got := r.s.form.value(fieldLoginHintToken); got != tuitest.FakeHintToken {
		t.Fatalf("login_hint_token is %q", got)
	}
	v := r.viewText()
	if strings.Contains(v, tuitest.FakeHintToken) || len(maskedHintToken.FindAllString(v, -1)) != 2 {
		t.Fatalf("login_hint_token is shown in clear, or not masked in both the request and the parameters:\n%s", v)
	}
	r.send(tuitest.Press("e"))
	for r.s.form.focus != fieldLoginHintToken {
		r.send(tuitest.Press("down"))
	}
	if v := r.viewText(); strings.Contains(v, tuitest.FakeHintToken) || !strings.Contains(v, strings.Repeat("•", len(tuitest.FakeHintToken))) {
		t.Fatalf("login_hint_token is shown in clear while typed:\n%s", v)
	}
	if in := r.s.form.inputs[fieldLoginHintToken]; in.EchoMode != textinput.EchoPassword {
		t.Error("login_hint_token is echoed in clear while typed")
	}
	r.send(tuitest.Press("esc"))
	r.send(tuitest.ToggleReveal(r.s.c))
	if v := r.viewText(); strings.Count(v, tuitest.FakeHintToken) != 2 {
		t.Fatalf("s did not reveal login_hint_token in the request and the parameters:\n%s", v)
	}
	r.send(tuitest.ToggleReveal(r.s.c))
	if v := r.viewText(); strings.Contains(v, tuitest.FakeHintToken) {
		t.Fatalf("a second s did not mask login_hint_token again:\n%s", v)
	}
}

// TestFlowCIBAHintTokenSent: against the built-in provider, login_hint_token and requested_expiry
// are sent as typed (the lifetime in seconds). The provider takes no login_hint_token, and its
// refusal is shown at Authorize; with login_hint instead, the auth_req_id it grants lives as long
// as asked.
func TestFlowCIBAHintTokenSent(t *testing.T) {
	t.Parallel()
	p := tuitest.FlowProviderWith(t, demoidp.Options{DeviceInterval: 1})
	c := flowCommon(tuitest.FlowClient(t, p, "http://127.0.0.1:0/callback"), tuitest.FlowBrowser, 100, 200)
	r := newFlowRunner(t, c)
	r.useGrant(grantCIBA)
	r.setText(fieldLoginHintToken, tuitest.FakeHintToken)
	r.setText(fieldRequestedExpiry, "2m")
	r.runStep(stepAuthorize)
	if r.s.steps[stepAuthorize].state != stateFailed || r.s.ciba != nil {
		t.Fatalf("the demo took a login_hint_token: %s", r.s.states())
	}
	wantIn(t, r.viewText(), "✗ failed", "invalid_request", "login_hint_token is not supported by the demo provider")
	sent := sentForm(t, c.Client, "ciba")
	if sent.Get("login_hint_token") != tuitest.FakeHintToken || sent.Get("requested_expiry") != "120" || sent.Has("login_hint") || sent.Has("id_token_hint") {
		t.Errorf("sent %v", sent)
	}

	r.s.form.inputs[fieldLoginHintToken].SetValue("")
	r.s.form.inputs[fieldLoginHint].SetValue("demo")
	r.s.form.inputs[fieldRequestedExpiry].SetValue("90s")
	r.runStep(stepAuthorize)
	if r.s.steps[stepAuthorize].state != stateDone || r.s.ciba == nil {
		t.Fatalf("%s err=%v", r.s.states(), r.s.steps[stepAuthorize].err)
	}
	sent = sentForm(t, c.Client, "ciba")
	if sent.Get("requested_expiry") != "90" || sent.Get("login_hint") != "demo" || sent.Has("login_hint_token") {
		t.Errorf("sent %v", sent)
	}
	if got := r.s.ciba.ExpiresIn.String(); got != "90" {
		t.Errorf("expires_in %s, want the 90 seconds asked for", got)
	}
	if v := r.viewText(); !regexp.MustCompile(`expires in\s+1:30`).MatchString(v) {
		t.Errorf("the countdown does not start at 1:30:\n%s", v)
	}
	r.send(tuitest.Press("esc")) // stop polling
	r.until("the polling to stop", func(s flowModel) bool { return s.running == numSteps })
}
