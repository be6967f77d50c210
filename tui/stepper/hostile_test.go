package stepper

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/tokenbench/tokenbench/flows"
	"github.com/tokenbench/tokenbench/tui/internal/tuitest"
)

// hostile is provider text that would clear the screen, write the clipboard (OSC 52), plant a link
// (OSC 8), set the title, recolour, reverse the line (U+202E) and return the cursor over the box.
const hostile = "\x1b[2J\x1b]52;c;cGF3bmVk\x07\x1b]8;;https://evil.example\x1b\\click\x1b]8;;\x1b\\\x1b]0;pwned\x07\x1b[5;31mred\u202ereversed\r\r\rgone"

// TestHostileProviderTextIsShownNotObeyed: a provider's metadata and error_description reach the
// Flow screen escaped; the error box keeps its code and the step list stays.
func TestHostileProviderTextIsShownNotObeyed(t *testing.T) {
	t.Parallel()
	var issuer string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		if strings.HasSuffix(r.URL.Path, "/token") {
			w.WriteHeader(http.StatusBadRequest)
			json.NewEncoder(w).Encode(map[string]string{"error": "invalid_client", "error_description": hostile}) //nolint:errcheck // the test reads it back
			return
		}
		json.NewEncoder(w).Encode(map[string]any{ //nolint:errcheck // the test reads it back
			"issuer": issuer, "token_endpoint": issuer + "/token", "authorization_endpoint": issuer + "/authorize",
			"jwks_uri": issuer + "/jwks" + hostile, "grant_types_supported": []string{"client_credentials", hostile},
		})
	}))
	t.Cleanup(srv.Close)
	issuer = srv.URL
	c, err := flows.NewClient(flows.ClientConfig{Issuer: issuer, ClientID: "app", ClientSecret: "s"}, flows.TransportOptions{Timeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	r := newFlowRunner(t, flowCommon(c, nil, 100, 40))
	r.runStep(stepDiscover)
	r.s.form.grant = grantClientCredentials
	r.s = r.s.applyGrant()
	r.runStep(stepToken)
	for _, step := range []stepID{stepDiscover, stepToken} {
		r.s.cursor = step
		r.s = r.s.layout()
		v := r.s.View()
		for _, raw := range []string{"\x1b]", "\x1b[2J", "\x1b[5;31m", "\u202e", "\r"} {
			if strings.Contains(v, raw) {
				t.Errorf("%s: the view holds %q raw", step.title(), raw)
			}
		}
		plain := tuitest.StripANSI(v)
		if !strings.Contains(plain, `\x1b]52;c;`) || !strings.Contains(plain, "Discover") {
			t.Errorf("%s: the hostile text is not shown escaped, or the step list is gone:\n%s", step.title(), plain)
		}
	}
	if !strings.Contains(tuitest.StripANSI(r.s.View()), "invalid_client") {
		t.Errorf("the error box lost its code:\n%s", tuitest.StripANSI(r.s.View()))
	}
}

// TestForgedCallbackIsIgnored: a request on the callback path with another state (a forged one
// from any local process) is shown as ignored while the listener waits; the real one then completes
// the step.
func TestForgedCallbackIsIgnored(t *testing.T) {
	t.Parallel()
	p := tuitest.FlowProvider(t)
	c := tuitest.FlowClient(t, p, "http://127.0.0.1:0/callback")
	r := newFlowRunner(t, flowCommon(c, nil, 100, 40)) // no browser: the test plays both
	r.runStep(stepAuthorize)
	if !r.s.listening {
		t.Fatalf("not listening: %s", r.s.states())
	}
	resp, err := http.Get(r.s.auth.RedirectURI() + "?code=forged&state=not-the-request-s")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	r.until("the ignored request", func(s flowModel) bool { return len(s.ignored) > 0 })
	if !strings.Contains(r.s.notice, "ignored") || r.s.steps[stepCallback].state != stateRunning {
		t.Fatalf("notice %q, callback %s", r.s.notice, r.s.states())
	}
	go tuitest.FlowBrowser(r.s.authReq.URL) //nolint:errcheck // the step's result says how it went
	r.until("the callback", func(s flowModel) bool { return s.steps[stepCallback].state == stateDone })
	if r.s.authRes == nil || r.s.authRes.Code == "forged" {
		t.Fatalf("callback: %+v", r.s.authRes)
	}
}
