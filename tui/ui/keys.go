package ui

import (
	"charm.land/bubbles/v2/key"
)

// Bindings shared by the screens, so that the same key does the same thing everywhere (a screen
// that offers the action uses the constructor, changing only the help text if it must). Keep
// screen-specific keys next to their screen.

func KeyUp() key.Binding {
	return key.NewBinding(key.WithKeys("up", "k"), key.WithHelp("↑/k", "up"))
}

func KeyDown() key.Binding {
	return key.NewBinding(key.WithKeys("down", "j"), key.WithHelp("↓/j", "down"))
}

// KeyRun runs or opens the selected item.
func KeyRun(desc string) key.Binding {
	return key.NewBinding(key.WithKeys("enter", "r"), key.WithHelp("enter", desc))
}

// KeyCancel cancels what is running, or leaves the current mode (editing, raw view).
func KeyCancel() key.Binding {
	return key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "cancel"))
}

// KeyReveal shows or hides secrets (tokens, codes, client secrets), masked by default.
func KeyReveal() key.Binding {
	return key.NewBinding(key.WithKeys("s"), key.WithHelp("s", "show secrets"))
}

// KeyCopy copies the relevant value through OSC 52 (works over SSH).
func KeyCopy(desc string) key.Binding {
	return key.NewBinding(key.WithKeys("c"), key.WithHelp("c", desc))
}

// KeyOpen opens a URL in the browser.
func KeyOpen(desc string) key.Binding {
	return key.NewBinding(key.WithKeys("o"), key.WithHelp("o", desc))
}

// KeyRaw shows the raw HTTP exchange behind what is shown.
func KeyRaw() key.Binding {
	return key.NewBinding(key.WithKeys("R"), key.WithHelp("R", "raw response"))
}

// KeyInspect opens a token in the inspector.
func KeyInspect() key.Binding {
	return key.NewBinding(key.WithKeys("i"), key.WithHelp("i", "inspect token"))
}

// KeyPageUp and KeyPageDown scroll long content (the mouse wheel too).
func KeyPageUp() key.Binding {
	return key.NewBinding(key.WithKeys("pgup", "ctrl+u"), key.WithHelp("pgup", "scroll up"))
}

func KeyPageDown() key.Binding {
	return key.NewBinding(key.WithKeys("pgdown", "ctrl+d", "space"), key.WithHelp("pgdn", "scroll down"))
}
