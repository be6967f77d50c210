package tracescreen

import (
	"charm.land/bubbles/v2/key"

	"github.com/tokenbench/tokenbench/tui/ui"
)

// The trace's keys and its help.

// traceKeys are the trace's keys.
type traceKeys struct {
	Up       key.Binding
	Down     key.Binding
	Top      key.Binding
	Bottom   key.Binding
	PageUp   key.Binding
	PageDown key.Binding
	Zoom     key.Binding
	Back     key.Binding
	Reveal   key.Binding
	Copy     key.Binding
	HAR      key.Binding
	Markdown key.Binding
	Open     key.Binding
	Findings key.Binding
	// OpenPath opens the file whose path is typed; esc cancels.
	OpenPath key.Binding
}

func defaultTraceKeys() traceKeys {
	k := traceKeys{
		Up:       ui.KeyUp(),
		Down:     ui.KeyDown(),
		Top:      key.NewBinding(key.WithKeys("home", "g"), key.WithHelp("g/home", "first")),
		Bottom:   key.NewBinding(key.WithKeys("end", "G"), key.WithHelp("G/end", "last (follow)")),
		PageUp:   ui.KeyPageUp(),
		PageDown: ui.KeyPageDown(),
		Zoom:     key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "full detail")),
		Back:     ui.KeyCancel(),
		Reveal:   ui.KeyReveal(),
		Copy:     ui.KeyCopy("copy as curl"),
		HAR:      key.NewBinding(key.WithKeys("H"), key.WithHelp("H", "save HAR")),
		Markdown: key.NewBinding(key.WithKeys("M"), key.WithHelp("M", "save Markdown")),
		Open:     key.NewBinding(key.WithKeys("O"), key.WithHelp("O", "open HAR")),
		Findings: key.NewBinding(key.WithKeys("f"), key.WithHelp("f", "HAR findings")),
		OpenPath: key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "open the file")),
	}
	k.Copy.SetKeys("c", "y")
	k.Copy.SetHelp("c/y", "copy as curl")
	k.Back.SetHelp("esc", "back to the list, or to the session from a HAR file")
	return k
}

// ShortHelp is the trace's part of the footer.
func (s Model) ShortHelp() []key.Binding {
	if s.prompting {
		cancel := s.keys.Back
		cancel.SetHelp("esc", "cancel")
		enter := s.keys.OpenPath
		if s.saveAs != "" {
			enter.SetHelp("enter", "save")
		}
		return []key.Binding{enter, cancel}
	}
	if s.har != nil {
		back := s.keys.Back
		back.SetHelp("esc", "back to the session")
		return []key.Binding{s.keys.Findings, back, s.keys.Zoom, s.keys.Reveal, s.keys.Copy}
	}
	return []key.Binding{s.keys.Zoom, s.keys.Reveal, s.keys.Copy, s.keys.HAR, s.keys.Markdown, s.keys.Open}
}

// FullHelp is every key of the trace.
func (s Model) FullHelp() [][]key.Binding {
	return [][]key.Binding{
		{s.keys.Up, s.keys.Down, s.keys.Top, s.keys.Bottom},
		{s.keys.Zoom, s.keys.Back, s.keys.PageUp, s.keys.PageDown},
		{s.keys.Reveal, s.keys.Copy, s.keys.HAR, s.keys.Markdown},
		{s.keys.Open, s.keys.Findings},
	}
}
