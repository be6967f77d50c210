package tui

import (
	"testing"

	"github.com/tokenbench/tokenbench/flows"
	"github.com/tokenbench/tokenbench/tui/internal/tuitest"
	"github.com/tokenbench/tokenbench/tui/ui"
)

// TestRevealIsOneStateForEveryScreen: s on one screen shows secrets on all of them, the tab bar
// says so, and s again masks them everywhere; a letter typed into an input never toggles it.
func TestRevealIsOneStateForEveryScreen(t *testing.T) {
	t.Parallel()
	m := newTestApp(t)
	m, _ = appUpdate(t, m, tuitest.FakeTokens(t))
	const code = "FAKE-CODE-REVEAL"
	m.c.Trace.Record(flows.Exchange{Step: "token", Method: "POST", URL: "http://127.0.0.1:1/token", Status: 200,
		RequestBody: []byte("grant_type=authorization_code&code=" + code), Started: tuitest.FlowNow()})
	m, _ = appUpdate(t, m, ui.ExchangeRecordedMsg{Exchange: *m.c.Trace.Exchanges()[0], Session: m.session})
	view := func() string { return tuitest.StripANSI(m.View().Content) }

	m, _ = appUpdate(t, m, tuitest.Press("4"))
	if v := view(); contains(v, code) || contains(v, "secrets shown") {
		t.Fatalf("masked by default:\n%s", v)
	}
	m, _ = appUpdate(t, m, tuitest.Press("3"))
	if v := view(); !contains(v, "masked") {
		t.Fatalf("the inspector's token is not masked by default:\n%s", v)
	}
	m, _ = appUpdate(t, m, tuitest.Press("2"))
	m, _ = appUpdate(t, m, tuitest.Press("s")) // on Flow
	if v := view(); !contains(v, "⚠ secrets shown") {
		t.Errorf("the tab bar does not say secrets are shown:\n%s", v)
	}
	m, _ = appUpdate(t, m, tuitest.Press("4"))
	if v := view(); !contains(v, code) || !contains(v, "secrets shown (s to mask)") {
		t.Errorf("s on Flow did not reveal the trace:\n%s", v)
	}
	m, _ = appUpdate(t, m, tuitest.Press("3"))
	if v := view(); contains(v, "masked") {
		t.Errorf("s on Flow did not reveal the inspector's token:\n%s", v)
	}
	m, _ = appUpdate(t, m, tuitest.Press("s"))
	m, _ = appUpdate(t, m, tuitest.Press("4"))
	if v := view(); contains(v, code) || contains(v, "⚠ secrets shown") {
		t.Errorf("s again did not mask everywhere:\n%s", v)
	}
	// Typed into the inspector's input, s is a letter.
	m, _ = appUpdate(t, m, tuitest.Press("3"))
	m, _ = appUpdate(t, m, tuitest.Press("p"))
	m, _ = appUpdate(t, m, tuitest.Press("s"))
	if m.c.Reveal {
		t.Error("s typed into an input revealed the secrets")
	}
}
