package stepper

import (
	"net"
	"slices"
	"testing"
	"time"

	"github.com/tokenbench/tokenbench/flows"
	"github.com/tokenbench/tokenbench/flows/demoidp/demoidptest"
	"github.com/tokenbench/tokenbench/tui/internal/tuitest"
)

// TestFlowCIBAPingAndPush: with a client registered for ping or push (CIBA Core §4), the Token step
// waits at the notification endpoint the form names instead of polling, and ends with the tokens
// the notification brought (push) or let it fetch (ping).
func TestFlowCIBAPingAndPush(t *testing.T) {
	t.Parallel()
	p := tuitest.FlowProvider(t)
	for _, mode := range []string{flows.CIBAPing, flows.CIBAPush} {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		endpoint := "http://" + ln.Addr().String() + "/ciba"
		ln.Close()
		reg := demoidptest.RegisterCIBA(t, p, mode, endpoint)
		c, err := flows.NewClient(flows.ClientConfig{
			Issuer: p.Issuer(), ClientID: reg.ID, ClientSecret: reg.Secret, Scopes: []string{"openid", "profile", "offline_access"},
			CIBAMode: mode, CIBANotificationEndpoint: endpoint,
		}, flows.TransportOptions{Timeout: 10 * time.Second})
		if err != nil {
			t.Fatal(err)
		}
		c.Now = tuitest.FlowNow
		r := newFlowRunner(t, flowCommon(c, nil, 100, 200))
		r.useGrant(grantCIBA)
		if r.s.form.value(fieldCIBAMode) != mode || !slices.Contains(r.s.form.visible(), fieldNotifyEndpoint) {
			t.Fatalf("%s: the form does not start from the client's delivery: %s, %v", mode, r.s.form.value(fieldCIBAMode), r.s.form.visible())
		}
		r.setText(fieldLoginHint, "demo")
		r.runStep(stepAuthorize)
		if r.s.steps[stepAuthorize].state != stateDone || r.s.ciba == nil {
			t.Fatalf("%s: %s err=%v", mode, r.s.states(), r.s.steps[stepAuthorize].err)
		}
		r.relayout()
		wantIn(t, r.viewText(), "for the provider's "+mode+" at http://127.0.0.1:PORT/ciba")
		if got := sentForm(t, c, "ciba").Get("client_notification_token"); got == "" {
			t.Errorf("%s: no client_notification_token sent", mode)
		}
		go demoidptest.Open(r.s.ciba.ApprovalURI) //nolint:errcheck // the Token step says what came
		r.until("the "+mode+" notification", func(s flowModel) bool {
			st := s.steps[stepToken].state
			return st == stateDone || st == stateFailed
		})
		if r.s.steps[stepToken].state != stateDone || r.s.token == nil {
			t.Fatalf("%s: Token %s err=%v", mode, r.s.states(), r.s.steps[stepToken].err)
		}
		var steps []string
		for _, x := range c.Trace.Exchanges() {
			steps = append(steps, x.Step)
		}
		if !slices.Contains(steps, "ciba notification") || slices.Contains(steps, "ciba poll") || (mode == flows.CIBAPing) != slices.Contains(steps, "ciba token") {
			t.Errorf("%s: trace steps %v", mode, steps)
		}
	}
}

// TestFlowFormCIBANotificationEndpoint: ping and push need a loopback notification endpoint.
func TestFlowFormCIBANotificationEndpoint(t *testing.T) {
	t.Parallel()
	r := newCIBAForm(t)
	r.setText(fieldLoginHint, "demo")
	if slices.Contains(r.s.form.visible(), fieldNotifyEndpoint) {
		t.Errorf("poll mode shows the notification endpoint")
	}
	r.s.form.setOption(fieldCIBAMode, flows.CIBAPush)
	for endpoint, ok := range map[string]bool{"": false, "https://rp.example/cb": false, "http://127.0.0.1:8765/ciba": true} {
		r.s.form.inputs[fieldNotifyEndpoint].SetValue(endpoint)
		if err := r.s.form.validate(); (err == nil) != ok {
			t.Errorf("push to %q: %v", endpoint, err)
		}
	}
}
