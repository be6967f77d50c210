package tui

import (
	"fmt"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/tokenbench/tokenbench/tui/internal/tuitest"
	"github.com/tokenbench/tokenbench/tui/ui"
)

// Goldens of the whole app on the Inspector, at every golden size.

// TestInspectorGolden shows the fake token set from the flow, the id_token selected, with a fixed
// clock: 30 minutes before expiry.
func TestInspectorGolden(t *testing.T) {
	for _, size := range goldenSizes {
		t.Run(fmt.Sprintf("%dx%d", size.w, size.h), func(t *testing.T) {
			m := New(Options{Start: ui.InspectScreen, Now: func() time.Time { return tuitest.FixedNow }})
			runGolden(t, m, size.w, size.h, "left", tuitest.FakeTokens(t))
		})
	}
}

// TestInspectorRefreshGolden shows the access token after a refresh beside the one it replaced:
// two columns at 120, one above the other at 80.
func TestInspectorRefreshGolden(t *testing.T) {
	for _, size := range goldenSizes {
		t.Run(fmt.Sprintf("%dx%d", size.w, size.h), func(t *testing.T) {
			m := New(Options{Start: ui.InspectScreen, Now: func() time.Time { return tuitest.FixedNow }})
			first := tuitest.FakeTokens(t)
			runGolden(t, m, size.w, size.h, "Since the refresh", first, tuitest.RefreshedTokens(t, first), tea.KeyPressMsg{Code: tea.KeyRight})
		})
	}
}

// TestInspectorMalformedGolden shows a pasted token that is not a JWT, explained.
func TestInspectorMalformedGolden(t *testing.T) {
	m := New(Options{Start: ui.InspectScreen, Now: func() time.Time { return tuitest.FixedNow }})
	runGolden(t, m, 80, 24, "Malformed", tea.PasteMsg{Content: "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJmYWtlIn0=.fake+sig"})
}
