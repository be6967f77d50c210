package stepper

import (
	"testing"

	"github.com/tokenbench/tokenbench/flows"
	"github.com/tokenbench/tokenbench/flows/demoidp/demoidptest"
	"github.com/tokenbench/tokenbench/tui/internal/tuitest"
)

// TestFlowRequestObjectByReference: a profile's request_object_by reference holds on the Flow
// screen: Authorize serves the object, the provider fetches it, and Authorize says how it went.
func TestFlowRequestObjectByReference(t *testing.T) {
	t.Parallel()
	p := tuitest.FlowProvider(t)
	client := tuitest.FlowClient(t, p, "http://127.0.0.1:0/callback")
	cfg := client.Config
	cfg.ClientID, cfg.ClientSecret, cfg.AuthMethod = demoidptest.JWTID, demoidptest.JWTSecret, flows.AuthClientSecretJWT
	cfg.RequestObject, cfg.RequestObjectByReference = true, true
	c := flowCommon(client.WithConfig(cfg), tuitest.FlowBrowser, 100, 200)
	r := newFlowRunner(t, c)
	r.authorizeAndCallback()
	if r.s.authReq == nil || r.s.authReq.RequestObjectURI == "" || r.s.authRes == nil || r.s.authRes.Code == "" {
		t.Fatalf("%s err=%v", r.s.states(), r.s.steps[stepCallback].err)
	}
	r.s.cursor = stepAuthorize
	r.relayout()
	wantIn(t, r.viewText(), "by reference: served once at request_uri")
}
