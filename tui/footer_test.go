package tui

import (
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/tokenbench/tokenbench/tui/internal/tuitest"
)

// TestFooterKeepsHelpAndQuit: at any width the footer ends with ? all keys and q quit; the
// screen's own keys give way instead.
func TestFooterKeepsHelpAndQuit(t *testing.T) {
	t.Parallel()
	for _, w := range []int{50, 80, 120} {
		m := newTestApp(t)
		m, _ = appUpdate(t, m, tea.WindowSizeMsg{Width: w, Height: 24})
		for _, key := range []string{"1", "2", "3", "4"} {
			m, _ = appUpdate(t, m, tuitest.Press(key))
			footer := tuitest.StripANSI(m.footer())
			if !strings.Contains(footer, "? all keys • q quit") || ansi.StringWidth(footer) > w {
				t.Errorf("screen %s at %d columns: footer %q", key, w, footer)
			}
		}
	}
}

// TestFooterRedrawnWhenKeysChange: the footer kept from the last frame is the one drawn afresh,
// on every screen, at every width, with the form open and closed.
func TestFooterRedrawnWhenKeysChange(t *testing.T) {
	t.Parallel()
	m := newTestApp(t)
	for _, w := range []int{50, 120} {
		m, _ = appUpdate(t, m, tea.WindowSizeMsg{Width: w, Height: 24})
		for _, key := range []string{"1", "2", "e", "esc", "3", "4", "2"} {
			m, _ = appUpdate(t, m, tuitest.Press(key))
			screen, global := m.shortHelp()
			if got, want := m.footer(), m.drawFooter(screen, global); got != want {
				t.Errorf("after %s at %d columns: footer %q, drawn afresh %q", key, w, tuitest.StripANSI(got), tuitest.StripANSI(want))
			}
		}
	}
}
