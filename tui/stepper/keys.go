package stepper

import (
	"charm.land/bubbles/v2/key"

	"github.com/tokenbench/tokenbench/tui/ui"
)

// The stepper's keys and its help.

// flowKeys are the stepper's keys.
type flowKeys struct {
	Up, Down, Run, Cancel, Edit, Grant, Reveal, Copy, Open, Raw, Inspect, PageUp, PageDown, Filter, Select key.Binding
	// Form keys, active while editing.
	FieldUp, FieldDown, Toggle, Done key.Binding
}

func defaultFlowKeys() flowKeys {
	return flowKeys{
		Up:       ui.KeyUp(),
		Down:     ui.KeyDown(),
		Run:      ui.KeyRun("run step"),
		Cancel:   ui.KeyCancel(),
		Edit:     key.NewBinding(key.WithKeys("e"), key.WithHelp("e", "edit request")),
		Grant:    key.NewBinding(key.WithKeys("g"), key.WithHelp("g", "pick grant")),
		Filter:   key.NewBinding(key.WithKeys("/"), key.WithHelp("/", "filter")),
		Select:   key.NewBinding(key.WithKeys("v"), key.WithHelp("v", "show for selection")),
		Reveal:   ui.KeyReveal(),
		Copy:     ui.KeyCopy("copy"),
		Open:     ui.KeyOpen("open in browser"),
		Raw:      ui.KeyRaw(),
		Inspect:  ui.KeyInspect(),
		PageUp:   ui.KeyPageUp(),
		PageDown: ui.KeyPageDown(),

		FieldUp:   key.NewBinding(key.WithKeys("up"), key.WithHelp("↑", "previous field")),
		FieldDown: key.NewBinding(key.WithKeys("down"), key.WithHelp("↓", "next field")),
		Toggle:    key.NewBinding(key.WithKeys("left", "right", "space"), key.WithHelp("←/→", "change choice")),
		Done:      key.NewBinding(key.WithKeys("enter", "esc"), key.WithHelp("enter/esc", "done editing")),
	}
}

// ShortHelp is the footer: the keys that apply now.
func (s flowModel) ShortHelp() []key.Binding {
	k := s.keys
	switch {
	case s.form.editing:
		return []key.Binding{k.FieldUp, k.FieldDown, k.Toggle, k.Done}
	case s.selecting.value != "":
		back := k.Cancel
		back.SetHelp("esc", "back")
		return []key.Binding{back}
	case s.picker.open:
		return []key.Binding{k.Up, k.Down, key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "pick")), k.Cancel, k.Filter}
	case s.paste.Focused():
		return []key.Binding{key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "use pasted URL")), k.Cancel}
	case s.running != numSteps:
		return []key.Binding{k.Cancel, k.Copy, k.Open, k.Reveal}
	}
	return []key.Binding{k.Run, k.Up, k.Down, k.Edit, k.Reveal, k.Copy}
}

// FullHelp is every key of the stepper (`?`).
func (s flowModel) FullHelp() [][]key.Binding {
	k := s.keys
	return [][]key.Binding{
		{k.Up, k.Down, k.Run, k.Cancel, k.PageUp, k.PageDown},
		{k.Edit, k.Grant, k.Reveal, k.Copy, k.Select, k.Open, k.Raw, k.Inspect},
		{k.FieldUp, k.FieldDown, k.Toggle, k.Done},
	}
}
