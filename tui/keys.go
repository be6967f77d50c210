package tui

import (
	"charm.land/bubbles/v2/key"

	"github.com/tokenbench/tokenbench/tui/ui"
)

// The global keys: the ones that work on every screen, merged into each screen's help by the root.

// globalKeys work on every screen. The single-letter ones are ignored while a text input has focus.
type globalKeys struct {
	Quit      key.Binding
	ForceQuit key.Binding
	Help      key.Binding
	Next      key.Binding
	Prev      key.Binding
	Screen    [ui.NumScreens]key.Binding
	Learn     key.Binding
	Reveal    key.Binding // shows or masks secrets on every screen (Common.Reveal)
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
		Reveal:    ui.KeyReveal(),
		Faults:    key.NewBinding(key.WithKeys("F"), key.WithHelp("F", "demo faults")),
	}
	for id := ui.ScreenID(0); id < ui.NumScreens; id++ {
		n := string(rune('1' + int(id)))
		k.Screen[id] = key.NewBinding(key.WithKeys(n), key.WithHelp(n, id.Title()))
	}
	return k
}

// ShortHelp is the global part of the footer.
func (k globalKeys) ShortHelp() []key.Binding {
	return []key.Binding{k.Next, k.Learn, k.Help, k.Quit}
}

// FullHelp is the global column of the `?` overlay.
func (k globalKeys) FullHelp() [][]key.Binding {
	digits := make([]string, 0, ui.NumScreens)
	for _, b := range k.Screen {
		digits = append(digits, b.Keys()...)
	}
	screens := key.NewBinding(key.WithKeys(digits...), key.WithHelp("1–"+digits[len(digits)-1], "go to a screen"))
	return [][]key.Binding{
		{k.Next, k.Prev, screens},
		{k.Learn, k.Reveal, k.Help, k.Quit, k.ForceQuit},
	}
}
