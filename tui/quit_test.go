package tui

import (
	"testing"

	"github.com/tokenbench/tokenbench/flows"
	"github.com/tokenbench/tokenbench/tui/internal/tuitest"
	"github.com/tokenbench/tokenbench/tui/ui"
)

// TestQuitAsksWhenTheSessionHoldsSomething: q with tokens and exchanges in memory asks first; n
// stays, y quits, H goes to the Trace screen and saves the HAR there; with nothing to lose q quits
// at once, and ctrl+c never asks.
func TestQuitAsksWhenTheSessionHoldsSomething(t *testing.T) {
	t.Parallel()
	m := newTestApp(t)
	if _, cmd := appUpdate(t, m, tuitest.Press("q")); !quits(cmd) {
		t.Fatal("q with nothing to lose did not quit at once")
	}
	m, _ = appUpdate(t, m, tuitest.FakeTokens(t))
	m.c.Trace.Record(flows.Exchange{Step: "token", Method: "POST", URL: "http://127.0.0.1:1/token", Status: 200, Started: tuitest.FlowNow()})
	m, _ = appUpdate(t, m, ui.ExchangeRecordedMsg{Exchange: *m.c.Trace.Exchanges()[0], Session: m.session})
	m, cmd := appUpdate(t, m, tuitest.Press("q"))
	if quits(cmd) {
		t.Fatal("q quit a session holding tokens without asking")
	}
	v := tuitest.StripANSI(m.View().Content)
	for _, want := range []string{"Quit?", "The session holds 3 tokens and 1 HTTP exchange", "y quit", "n/esc stay", "H save the trace as HAR first"} {
		if !contains(v, want) {
			t.Errorf("the question lacks %q:\n%s", want, v)
		}
	}
	m, _ = appUpdate(t, m, tuitest.Press("n"))
	if m.quitting || contains(tuitest.StripANSI(m.View().Content), "Quit?") {
		t.Error("n did not close the question")
	}
	m, _ = appUpdate(t, m, tuitest.Press("q"))
	if _, cmd := appUpdate(t, m, tuitest.Press("y")); !quits(cmd) {
		t.Error("y did not quit")
	}
	if _, cmd := appUpdate(t, m, tuitest.Press("ctrl+c")); !quits(cmd) {
		t.Error("ctrl+c asked")
	}
	m, _ = appUpdate(t, m, tuitest.Press("H"))
	if m.quitting || m.active != ui.TraceScreen {
		t.Errorf("H: quitting %v, active %v", m.quitting, m.active)
	}
	if v := tuitest.StripANSI(m.View().Content); !contains(v, "save HAR to:") {
		t.Errorf("H does not ask where to save the HAR on the Trace screen:\n%s", v)
	}
}

// TestQuitQuestionGolden: the question at 80×24, as a hurried user sees it (two exchanges recorded
// before the program starts: nothing asynchronous changes the count).
func TestQuitQuestionGolden(t *testing.T) {
	m := newTestApp(t)
	for _, step := range []string{"discovery", "token"} {
		m.c.Trace.Record(flows.Exchange{Step: step, Method: "GET", URL: "http://127.0.0.1:1/" + step, Status: 200, Started: tuitest.FlowNow()})
	}
	runGolden(t, m, 80, 24, "Quit?", tuitest.Press("q"))
}
