package tui

import (
	"testing"

	"github.com/tokenbench/tokenbench/tui/internal/tuitest"
)

// TestAppTraceHARPromptTakesLetters: while the trace prompts for a HAR file's path, q and the
// screen digits are typed into it; esc closes it and q quits again.
func TestAppTraceHARPromptTakesLetters(t *testing.T) {
	t.Parallel()
	m := newTestApp(t)
	m, _ = appUpdate(t, m, tuitest.Press("4"))
	m, _ = appUpdate(t, m, tuitest.Press("O"))
	if !m.capturingText() {
		t.Fatal("O on the trace did not focus the path prompt")
	}
	for _, k := range []string{"q", "1", "L"} {
		m2, c := appUpdate(t, m, tuitest.Press(k))
		if quits(c) || !m2.capturingText() {
			t.Errorf("%s left the prompt", k)
		}
		m = m2
	}
	if v := tuitest.StripANSI(m.View().Content); !contains(v, "HAR file: q1L") {
		t.Errorf("the letters were not typed into the prompt:\n%s", v)
	}
	m, _ = appUpdate(t, m, tuitest.Press("esc"))
	if m.capturingText() {
		t.Fatal("esc did not close the prompt")
	}
	if _, cmd := appUpdate(t, m, tuitest.Press("q")); !quits(cmd) {
		t.Error("q did not quit after the prompt closed")
	}
}
