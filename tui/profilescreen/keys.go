package profilescreen

import (
	"charm.land/bubbles/v2/key"

	"github.com/tokenbench/tokenbench/tui/ui"
)

// The profiles screen's keys and help. c copies to the clipboard on the other screens, so copying a
// profile is C; i inspects a token on Flow, so importing is I; e edits, as on the stepper; s shows a
// secret; enter uses the selection. The form's keys are every form's (ui.FormKeys).

// profileKeys are the profiles screen's keys.
type profileKeys struct {
	Up, Down, Use, Filter, New, Edit, Copy, Delete, Import, Export, ExportAll, Reveal, Reload, Doctor, Cancel key.Binding
	// In the prompts and the form.
	Submit, Confirm, RevealSecret key.Binding
	Form                          ui.FormKeys
}

func defaultProfileKeys() profileKeys {
	return profileKeys{
		Up:     ui.KeyUp(),
		Down:   ui.KeyDown(),
		Use:    ui.KeyRun("use profile"),
		Filter: ui.KeyFilter(),
		New:    key.NewBinding(key.WithKeys("n"), key.WithHelp("n", "new")),
		Edit:   ui.KeyEdit("edit"),
		// c copies to the clipboard on every other screen: copying a profile is another action.
		Copy:      key.NewBinding(key.WithKeys("C"), key.WithHelp("C", "copy profile")),
		Delete:    ui.KeyDelete("delete profile"),
		Import:    key.NewBinding(key.WithKeys("I"), key.WithHelp("I", "import")),
		Export:    key.NewBinding(key.WithKeys("x"), key.WithHelp("x", "export")),
		ExportAll: key.NewBinding(key.WithKeys("X"), key.WithHelp("X", "export all")),
		Reveal:    ui.KeyReveal(),
		Reload:    key.NewBinding(key.WithKeys("ctrl+l"), key.WithHelp("ctrl+l", "reload file")),
		Doctor:    key.NewBinding(key.WithKeys("D"), key.WithHelp("D", "doctor")),
		Cancel:    ui.KeyCancel(),

		Submit:       key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "ok")),
		Confirm:      key.NewBinding(key.WithKeys("y"), key.WithHelp("y", "yes, delete")),
		RevealSecret: key.NewBinding(key.WithKeys("ctrl+r"), key.WithHelp("ctrl+r", "show the secret typed")),
		Form:         ui.NewFormKeys("save", "leave (twice with changes)"),
	}
}

// ShortHelp is the footer: the keys that apply now.
func (s Model) ShortHelp() []key.Binding {
	k := s.keys
	switch {
	case s.op != opNone:
		return []key.Binding{k.Cancel}
	case s.mode == modeForm:
		return []key.Binding{k.Form.Next, k.Form.Choice, k.Form.Submit, k.RevealSecret, k.Form.Leave}
	case s.menuShown() && s.menu.filter.Focused():
		return ui.FilterHelp()
	case s.mode == modeMenu:
		return []key.Binding{k.Submit, k.Up, k.Down, k.Filter, k.Cancel}
	case s.mode == modeDiscovery || s.mode == modeCopyName || s.mode == modeImportPath || s.mode == modeExportPath:
		return []key.Binding{k.Submit, k.Up, k.Down, k.Cancel}
	case s.mode == modeConfirmDelete:
		return []key.Binding{k.Confirm, k.Cancel}
	case s.mode == modeDoctor:
		return []key.Binding{k.Up, k.Down, k.Cancel}
	case s.mode == modeImportClash:
		return []key.Binding{k.Form.Choice, k.Submit, k.Cancel}
	case s.filter.Focused():
		return ui.FilterHelp()
	case s.empty() || (s.readOnly() && len(s.all) == 0):
		return []key.Binding{key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "choose")), k.Up, k.Down, k.Filter, k.Import, k.Reload}
	}
	return []key.Binding{k.Use, k.Filter, k.New, k.Edit, k.Doctor, k.Copy, k.Delete, k.Import, k.Export}
}

// FullHelp is every key of the screen (`?`).
func (s Model) FullHelp() [][]key.Binding {
	k := s.keys
	return [][]key.Binding{
		{k.Up, k.Down, k.Use, k.Filter, k.Cancel, k.Reveal, k.Reload, k.Doctor},
		{k.New, k.Edit, k.Copy, k.Delete, k.Import, k.Export, k.ExportAll},
		append(k.Form.Full(), k.RevealSecret),
	}
}
