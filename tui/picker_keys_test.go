package tui

import (
	"testing"

	"github.com/tokenbench/tokenbench/tui/internal/tuitest"
	"github.com/tokenbench/tokenbench/tui/ui"
)

// TestAppGrantPickerKeepsLetters: while the Flow screen's grant picker is open, q does not quit and
// the screen digits do not leave the Flow screen; esc closes the picker and q quits again.
func TestAppGrantPickerKeepsLetters(t *testing.T) {
	t.Parallel()
	m := newTestApp(t)
	m, _ = appUpdate(t, m, tuitest.Press("2"))
	m, _ = appUpdate(t, m, tuitest.Press("g"))
	if !m.capturingText() {
		t.Fatal("the open grant picker does not keep q and the digits from the root")
	}
	for _, k := range []string{"q", "1", "3", "4"} {
		m2, c := appUpdate(t, m, tuitest.Press(k))
		if quits(c) || m2.quitting || m2.active != ui.FlowScreen {
			t.Errorf("%s acted globally while the grant picker was open", k)
		}
		m = m2
	}
	if v := tuitest.StripANSI(m.View().Content); !contains(v, "Choose the grant") {
		t.Errorf("the grant picker closed:\n%s", v)
	}
	m, _ = appUpdate(t, m, tuitest.Press("esc"))
	if m.capturingText() {
		t.Fatal("esc did not close the grant picker")
	}
	if _, cmd := appUpdate(t, m, tuitest.Press("q")); !quits(cmd) {
		t.Error("q did not quit after the grant picker closed")
	}
}
