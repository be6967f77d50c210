package tui

import (
	"testing"

	"github.com/tokenbench/tokenbench/tui/internal/tuitest"
	"github.com/tokenbench/tokenbench/tui/ui"
)

// TestAppGrantPickerKeepsLetters: while the Flow screen's grant picker is open, q does not quit,
// the screen digits do not leave the Flow screen and the footer offers neither; esc closes the
// picker and q quits again.
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
	// The footer does not offer the keys the picker keeps.
	if f := tuitest.StripANSI(m.footer()); contains(f, "q quit") || contains(f, "? all keys") || !contains(f, "esc cancel") {
		t.Errorf("footer while the grant picker is open: %q", f)
	}
	m, _ = appUpdate(t, m, tuitest.Press("esc"))
	if m.capturingText() {
		t.Fatal("esc did not close the grant picker")
	}
	if f := tuitest.StripANSI(m.footer()); !contains(f, "? all keys • q quit") {
		t.Errorf("footer after the grant picker closed: %q", f)
	}
	if _, cmd := appUpdate(t, m, tuitest.Press("q")); !quits(cmd) {
		t.Error("q did not quit after the grant picker closed")
	}
}
