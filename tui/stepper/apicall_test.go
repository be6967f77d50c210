package stepper

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/tokenbench/tokenbench/flows/demoidp"
	"github.com/tokenbench/tokenbench/tui/internal/tuitest"
)

// lastResource is the last exchange of the API call in the trace.
func lastResource(t *testing.T, r *flowRunner) (method, auth string, header http.Header, body string) {
	t.Helper()
	xs := r.s.c.Client.Trace.Exchanges()
	for i := len(xs) - 1; i >= 0; i-- {
		if xs[i].Step == "resource" {
			return xs[i].Method, xs[i].RequestHeader.Get("Authorization"), xs[i].RequestHeader, string(xs[i].RequestBody)
		}
	}
	t.Fatal("no API call in the trace")
	return "", "", nil, ""
}

// clientCredentialsRunner is a stepper on the client credentials grant with the built-in provider's
// demo-basic, which needs no browser.
func clientCredentialsRunner(t *testing.T) (*demoidp.Provider, *flowRunner) {
	t.Helper()
	p := tuitest.FlowProvider(t)
	r := newFlowRunner(t, flowCommon(tuitest.FlowClient(t, p, "http://127.0.0.1:0/callback"), nil, 100, 200))
	r.useGrant(grantClientCredentials)
	return p, r
}

// TestFlowAPICall: after Token, the API call step sends the request the form describes with the
// access token as Bearer, shows the answer with the token masked, and the exchange is in the
// trace; without a token or a URL it says what is missing.
func TestFlowAPICall(t *testing.T) {
	t.Parallel()
	p, r := clientCredentialsRunner(t)
	r.s.cursor = stepAPI
	r.send(tuitest.Press("enter"))
	if !strings.Contains(r.s.notice, "run Token first") {
		t.Fatalf("API call without a token: notice %q", r.s.notice)
	}
	r.runStep(stepToken)
	r.s.cursor = stepAPI
	r.send(tuitest.Press("enter"))
	if !strings.Contains(r.s.notice, "absolute http or https URL") {
		t.Fatalf("API call without a URL: notice %q", r.s.notice)
	}
	r.s.cursor = stepAPI
	r.send(tuitest.Press("e"))
	if got := r.s.form.visible(); got[0] != fieldAPIMethod || len(got) != len(apiFields) {
		t.Fatalf("e on API call edits %v", got)
	}
	r.send(tuitest.Press("esc"))
	r.setText(fieldAPIURL, p.Issuer()+demoidp.APIPath)
	r.setText(fieldAPIHeaders, "X-Request-Id: t-1 | Accept: application/json")
	r.setChoice(fieldAPIMethod, http.MethodPost)
	r.setText(fieldAPIBody, `{"amount":1}`)
	if r.s.form.api {
		t.Fatal("the form still shows the API call's fields after editing")
	}
	r.runStep(stepAPI)
	if r.s.steps[stepAPI].state != stateDone || r.s.apiAnswer == nil {
		t.Fatalf("API call: %s err=%v", r.s.states(), r.s.steps[stepAPI].err)
	}
	method, auth, header, body := lastResource(t, r)
	if method != http.MethodPost || auth != "Bearer "+r.s.token.AccessToken || header.Get("X-Request-Id") != "t-1" ||
		header.Get("Content-Type") != "application/json" || body != `{"amount":1}` {
		t.Errorf("sent %s %s %v %s", method, auth, header, body)
	}
	r.relayout()
	v := r.viewText()
	wantIn(t, v, "HTTP 200 OK", "client_id", "demo-basic", "bound", "bearer", "X-Request-Id", "t-1")
	if strings.Contains(v, r.s.token.AccessToken) {
		t.Errorf("the access token is shown in clear:\n%s", v)
	}
	if what, value := r.s.copyable(); what != "the API's answer" || !json.Valid([]byte(value)) {
		t.Errorf("c copies %q %q", what, value)
	}

	// A header tokenbench sets itself is refused before anything is sent.
	r.s.form.inputs[fieldAPIHeaders].SetValue("Authorization: Basic x")
	n := len(r.s.c.Client.Trace.Exchanges())
	r.send(tuitest.Press("enter"))
	if !strings.Contains(r.s.notice, "the call sets Authorization itself") || len(r.s.c.Client.Trace.Exchanges()) != n {
		t.Errorf("a reserved header: notice %q", r.s.notice)
	}
}

// TestFlowAPICallDPoP: with DPoP on, the token is DPoP-bound and the API call sends it with a
// proof (RFC 9449 §7.1); the demo API says how it was bound.
func TestFlowAPICallDPoP(t *testing.T) {
	t.Parallel()
	p, r := clientCredentialsRunner(t)
	r.s.cursor = stepToken
	r.setChoice(fieldDPoP, "on")
	r.until("the DPoP key", func(s flowModel) bool { return s.dpopKey != nil })
	r.runStep(stepToken)
	if r.s.token == nil || !strings.EqualFold(r.s.token.TokenType, "DPoP") {
		t.Fatalf("token: %s %v", r.s.states(), r.s.steps[stepToken].err)
	}
	r.s.cursor = stepAPI
	r.setText(fieldAPIURL, p.Issuer()+demoidp.APIPath)
	r.runStep(stepAPI)
	_, auth, header, _ := lastResource(t, r)
	if !strings.HasPrefix(auth, "DPoP ") || header.Get("DPoP") == "" || r.s.apiAnswer == nil || r.s.apiAnswer.Members["bound"] != "dpop" {
		t.Fatalf("DPoP API call: %s %v, answer %v, err %v", auth, header, r.s.apiAnswer, r.s.steps[stepAPI].err)
	}
}

// TestFlowAPICallHostileAnswer: an API's answer reaches the screen sanitised (escape sequences
// shown, never obeyed) and with its secrets masked until s.
func TestFlowAPICallHostileAnswer(t *testing.T) {
	t.Parallel()
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/x-www-form-urlencoded")
		w.Write([]byte("refresh_token=leaked-refresh-0123456789&note=\x1b]52;c;cGF3bmVk\x07\x1b[2J"))
	}))
	defer api.Close()
	_, r := clientCredentialsRunner(t)
	r.runStep(stepToken)
	r.s.cursor = stepAPI
	r.setText(fieldAPIURL, api.URL+"/x")
	r.runStep(stepAPI)
	r.relayout()
	v := r.s.View()
	if strings.Contains(v, "\x1b]52") || strings.Contains(v, "\x1b[2J") || strings.Contains(v, "leaked-refresh-0123456789") {
		t.Fatalf("the answer is obeyed or unmasked:\n%q", v)
	}
	r.send(tuitest.ToggleReveal(r.s.c))
	if v := r.viewText(); !strings.Contains(v, "leaked-refresh-0123456789") {
		t.Errorf("s does not reveal the answer:\n%s", v)
	}
}

// TestFlowAPICallMutualTLS: a certificate-bound token is sent over the client's certificate to the
// API's mutual TLS address (RFC 8705 §3); the demo API says how it was bound.
func TestFlowAPICallMutualTLS(t *testing.T) {
	t.Parallel()
	p := tuitest.MTLSProvider(t)
	c := flowCommon(tuitest.MTLSClient(t, p, tuitest.MTLSCertificate(t, p, demoidp.MTLSSelfSignedClientID)), nil, 100, 200)
	r := newFlowRunner(t, c)
	r.useGrant(grantClientCredentials)
	r.runStep(stepToken)
	if r.s.token == nil {
		t.Fatalf("token: %s %v", r.s.states(), r.s.steps[stepToken].err)
	}
	r.s.cursor = stepAPI
	r.setText(fieldAPIURL, p.MTLSBaseURL()+demoidp.APIPath)
	r.runStep(stepAPI)
	if a := r.s.apiAnswer; a == nil || a.Members["bound"] != "mtls" {
		t.Fatalf("mutual TLS API call: answer %v, err %v", a, r.s.steps[stepAPI].err)
	}
}
