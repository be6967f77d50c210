package tui

import "charm.land/bubbles/v2/key"

// globalKeys work on every screen. The single-letter ones are ignored while a text input has focus.
type globalKeys struct {
	Quit      key.Binding
	ForceQuit key.Binding
	Help      key.Binding
	Next      key.Binding
	Prev      key.Binding
	Screen    [numScreens]key.Binding
	Learn     key.Binding
	Faults    key.Binding // the built-in provider's faults panel, only while the session runs on it
}

func defaultGlobalKeys() globalKeys {
	k := globalKeys{
		Quit:      key.NewBinding(key.WithKeys("q"), key.WithHelp("q", "quit")),
		ForceQuit: key.NewBinding(key.WithKeys("ctrl+c"), key.WithHelp("ctrl+c", "quit")),
		Help:      key.NewBinding(key.WithKeys("?"), key.WithHelp("?", "all keys")),
		Next:      key.NewBinding(key.WithKeys("tab"), key.WithHelp("tab", "next screen")),
		Prev:      key.NewBinding(key.WithKeys("shift+tab"), key.WithHelp("shift+tab", "previous screen")),
		Learn:     key.NewBinding(key.WithKeys("L"), key.WithHelp("L", "learn")),
		Faults:    key.NewBinding(key.WithKeys("F"), key.WithHelp("F", "demo faults")),
	}
	for id := screenID(0); id < numScreens; id++ {
		n := string(rune('1' + int(id)))
		k.Screen[id] = key.NewBinding(key.WithKeys(n), key.WithHelp(n, id.title()))
	}
	return k
}

// ShortHelp is the global part of the footer.
func (k globalKeys) ShortHelp() []key.Binding {
	return []key.Binding{k.Next, k.Learn, k.Help, k.Quit}
}

// FullHelp is the global column of the `?` overlay.
func (k globalKeys) FullHelp() [][]key.Binding {
	return [][]key.Binding{
		{k.Next, k.Prev, k.Screen[profilesScreen], k.Screen[flowScreen], k.Screen[inspectScreen], k.Screen[traceScreen]},
		{k.Learn, k.Help, k.Quit, k.ForceQuit},
	}
}

// Bindings shared by the screens, so that the same key does the same thing everywhere (a screen
// that offers the action uses the constructor, changing only the help text if it must). Keep
// screen-specific keys next to their screen.

func keyUp() key.Binding {
	return key.NewBinding(key.WithKeys("up", "k"), key.WithHelp("↑/k", "up"))
}

func keyDown() key.Binding {
	return key.NewBinding(key.WithKeys("down", "j"), key.WithHelp("↓/j", "down"))
}

// keyRun runs or opens the selected item.
func keyRun(desc string) key.Binding {
	return key.NewBinding(key.WithKeys("enter", "r"), key.WithHelp("enter", desc))
}

// keyCancel cancels what is running, or leaves the current mode (editing, raw view).
func keyCancel() key.Binding {
	return key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "cancel"))
}

// keyReveal shows or hides secrets (tokens, codes, client secrets), masked by default.
func keyReveal() key.Binding {
	return key.NewBinding(key.WithKeys("s"), key.WithHelp("s", "show secrets"))
}

// keyCopy copies the relevant value through OSC 52 (works over SSH).
func keyCopy(desc string) key.Binding {
	return key.NewBinding(key.WithKeys("c"), key.WithHelp("c", desc))
}

// keyOpen opens a URL in the browser.
func keyOpen(desc string) key.Binding {
	return key.NewBinding(key.WithKeys("o"), key.WithHelp("o", desc))
}

// keyRaw shows the raw HTTP exchange behind what is shown.
func keyRaw() key.Binding {
	return key.NewBinding(key.WithKeys("R"), key.WithHelp("R", "raw response"))
}

// keyInspect opens a token in the inspector.
func keyInspect() key.Binding {
	return key.NewBinding(key.WithKeys("i"), key.WithHelp("i", "inspect token"))
}

// keyPageUp and keyPageDown scroll long content (the mouse wheel too).
func keyPageUp() key.Binding {
	return key.NewBinding(key.WithKeys("pgup", "ctrl+u"), key.WithHelp("pgup", "scroll up"))
}

func keyPageDown() key.Binding {
	return key.NewBinding(key.WithKeys("pgdown", "ctrl+d", "space"), key.WithHelp("pgdn", "scroll down"))
}
