package ui

import (
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
)

// TestCopyInsideTmux: inside tmux a copy also goes through tmux's passthrough (DCS tmux; …), which tmux
// forwards with allow-passthrough on; outside it is the plain OSC 52 request alone.
func TestCopyInsideTmux(t *testing.T) {
	batch, ok := (&Common{InTmux: true}).Copy("secret-value")().(tea.BatchMsg)
	if !ok || len(batch) != 2 {
		t.Fatalf("inside tmux: %T, want a batch of the OSC 52 request and its passthrough", batch)
	}
	raw, ok := batch[1]().(tea.RawMsg)
	if !ok || !strings.HasPrefix(raw.Msg.(string), "\x1bPtmux;") || !strings.Contains(raw.Msg.(string), "52;c;") {
		t.Fatalf("passthrough: %#v", batch[1]())
	}
	if _, ok := (&Common{}).Copy("x")().(tea.BatchMsg); ok {
		t.Error("outside tmux the copy is batched with a passthrough")
	}
}
