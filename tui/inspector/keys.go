package inspector

import (
	"charm.land/bubbles/v2/key"

	"github.com/tokenbench/tokenbench/tui/ui"
)

// The inspector's keys and its help.

// inspectKeys are the inspector's keys.
type inspectKeys struct {
	Paste    key.Binding
	Next     key.Binding
	Prev     key.Binding
	Reveal   key.Binding
	Copy     key.Binding
	Close    key.Binding
	Filter   key.Binding
	Up       key.Binding
	Down     key.Binding
	PageUp   key.Binding
	PageDown key.Binding
	Submit   key.Binding
	Cancel   key.Binding
}

func defaultInspectKeys() inspectKeys {
	k := inspectKeys{
		Paste:    key.NewBinding(key.WithKeys("p"), key.WithHelp("p", "paste a token")),
		Next:     key.NewBinding(key.WithKeys("right", "]"), key.WithHelp("→/]", "next token")),
		Prev:     key.NewBinding(key.WithKeys("left", "["), key.WithHelp("←/[", "previous token")),
		Reveal:   ui.KeyReveal(),
		Copy:     ui.KeyCopy("copy token"),
		Close:    ui.KeyDelete("delete token tab"),
		Filter:   ui.KeyFilter(),
		Up:       ui.KeyUp(),
		Down:     ui.KeyDown(),
		PageUp:   ui.KeyPageUp(),
		PageDown: ui.KeyPageDown(),
		Submit:   key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "inspect")),
		Cancel:   ui.KeyCancel(),
	}
	return k
}

// ShortHelp is the inspector's part of the footer.
func (s Model) ShortHelp() []key.Binding {
	if s.editing {
		return []key.Binding{s.keys.Submit, s.keys.Cancel}
	}
	if s.filter.Focused() {
		return ui.FilterHelp()
	}
	return []key.Binding{s.keys.Paste, s.keys.Next, s.keys.Reveal, s.keys.Copy, s.keys.Filter}
}

// FullHelp is every key of the inspector.
func (s Model) FullHelp() [][]key.Binding {
	return [][]key.Binding{
		{s.keys.Paste, s.keys.Submit, s.keys.Cancel},
		{s.keys.Next, s.keys.Prev, s.keys.Reveal, s.keys.Copy, s.keys.Close},
		{s.keys.Up, s.keys.Down, s.keys.PageUp, s.keys.PageDown, s.keys.Filter},
	}
}
