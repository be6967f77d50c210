package ui

import (
	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
)

// The one key map of the app. Every key a screen offers is built here when more than one screen
// offers it, so that a key does the same thing everywhere (a screen changes only the help text's
// object: "copy token", "copy as curl"). Screen-specific keys stay next to their screen, and
// TestOneMeaningPerKey (tui) fails when two screens give one key two meanings.
//
// The conventions are those of lazygit, k9s, gh dash and the Charm apps:
//
//	?           every key of the screen      /          filter the list
//	esc         back, cancel                 q          quit (asks when the session holds something)
//	↑↓ / k j    move in a list               1–4        go to a screen (tab, shift+tab outside forms)
//	home / end  first / last                 pgup/pgdn  scroll
//	s           show or hide secrets         c          copy
//	enter       act on the selection; in a form, the next field
//	in a form   tab/↓ next field, shift+tab/↑ previous, ←/→ change a choice, ctrl+s save, esc leave
//
// Contextual keys (ContextKeys) mean "the obvious thing for what has the focus" and are the only
// ones whose help text may differ in meaning between screens.

// ContextKeys are the keys whose meaning depends on the focused widget (a list, a form, a
// prompt): navigation, enter and esc. Every other key means one thing on every screen.
var ContextKeys = []string{"enter", "esc", "up", "down", "left", "right", "space", "tab", "shift+tab"}

// KeyUp moves up in a list.
func KeyUp() key.Binding {
	return key.NewBinding(key.WithKeys("up", "k"), key.WithHelp("↑/k", "up"))
}

// KeyDown moves down in a list.
func KeyDown() key.Binding {
	return key.NewBinding(key.WithKeys("down", "j"), key.WithHelp("↓/j", "down"))
}

// KeyTop and KeyBottom go to the first and the last item of a list. g and G are not used: g
// chooses the grant on the Flow screen.
func KeyTop() key.Binding {
	return key.NewBinding(key.WithKeys("home"), key.WithHelp("home", "first"))
}

// KeyBottom goes to the last item of a list.
func KeyBottom(desc string) key.Binding {
	return key.NewBinding(key.WithKeys("end"), key.WithHelp("end", desc))
}

// KeyRun runs or opens the selected item.
func KeyRun(desc string) key.Binding {
	return key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", desc))
}

// KeyCancel cancels what is running, or leaves the current mode (editing, raw view).
func KeyCancel() key.Binding {
	return key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "cancel"))
}

// KeyFilter starts filtering a list; enter keeps the filter, esc clears it.
func KeyFilter() key.Binding {
	return key.NewBinding(key.WithKeys("/"), key.WithHelp("/", "filter"))
}

// FilterHelp is the footer while a filter is typed: enter keeps it, esc clears it.
func FilterHelp() []key.Binding {
	return []key.Binding{
		key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "keep filter")),
		key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "clear filter")),
	}
}

// KeyReveal shows or hides secrets (tokens, codes, client secrets), masked by default. One state
// for the whole app (Common.Reveal): the header says when secrets are shown.
func KeyReveal() key.Binding {
	return key.NewBinding(key.WithKeys("s"), key.WithHelp("s", "show secrets"))
}

// KeyCopy copies the relevant value to the clipboard. c only: y answers "yes" in the prompts.
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

// KeyEdit opens the selection's form (a profile, the request's parameters).
func KeyEdit(desc string) key.Binding {
	return key.NewBinding(key.WithKeys("e"), key.WithHelp("e", desc))
}

// KeySaveHAR saves the session's trace as HAR 1.2 (the Trace screen, and the quit question).
func KeySaveHAR(desc string) key.Binding {
	return key.NewBinding(key.WithKeys("H"), key.WithHelp("H", desc))
}

// KeyDelete removes the selected item (a profile, a token tab).
func KeyDelete(desc string) key.Binding {
	return key.NewBinding(key.WithKeys("d", "delete"), key.WithHelp("d", desc))
}

// KeyPageUp and KeyPageDown scroll long content (the mouse wheel too).
func KeyPageUp() key.Binding {
	return key.NewBinding(key.WithKeys("pgup", "ctrl+u"), key.WithHelp("pgup", "scroll up"))
}

// KeyPageDown scrolls down.
func KeyPageDown() key.Binding {
	return key.NewBinding(key.WithKeys("pgdown", "ctrl+d", "space"), key.WithHelp("pgdn", "scroll down"))
}

// FormKeys are the keys of every form (the profile form, the request form): tab, shift+tab and
// ↑/↓ move between fields, enter goes to the next field, ←/→ (or space) change a choice, ctrl+s
// saves or applies, esc leaves.
type FormKeys struct {
	Prev, Next, Enter, Choice, Submit, Leave key.Binding
}

// NewFormKeys are the form keys; submit says what ctrl+s does ("save", "apply") and leave what esc
// does.
func NewFormKeys(submit, leave string) FormKeys {
	return FormKeys{
		Prev:   key.NewBinding(key.WithKeys("shift+tab", "up"), key.WithHelp("shift+tab/↑", "previous field")),
		Next:   key.NewBinding(key.WithKeys("tab", "down"), key.WithHelp("tab/↓", "next field")),
		Enter:  key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "next field")),
		Choice: key.NewBinding(key.WithKeys("left", "right", "space"), key.WithHelp("←/→", "choice")),
		Submit: key.NewBinding(key.WithKeys("ctrl+s"), key.WithHelp("ctrl+s", submit)),
		Leave:  key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", leave)),
	}
}

// FieldMove is how far a form key moves the focus: -1, +1, or 0 when it is not a move.
func (k FormKeys) FieldMove(msg tea.KeyPressMsg) int {
	switch {
	case key.Matches(msg, k.Prev):
		return -1
	case key.Matches(msg, k.Next), key.Matches(msg, k.Enter):
		return +1
	}
	return 0
}

// ChoiceMove is how a choice key changes a choice: -1 (←), +1 (→, space), or 0 when it is not
// one.
func (k FormKeys) ChoiceMove(msg tea.KeyPressMsg) int {
	if !key.Matches(msg, k.Choice) {
		return 0
	}
	if msg.String() == "left" {
		return -1
	}
	return +1
}

// Full is the form's keys for the full help; enter is shown with tab and ↓, which it joins.
func (k FormKeys) Full() []key.Binding {
	next := key.NewBinding(key.WithKeys(append(k.Next.Keys(), k.Enter.Keys()...)...), key.WithHelp("tab/↓/enter", "next field"))
	return []key.Binding{next, k.Prev, k.Choice, k.Submit, k.Leave}
}

// ChoiceValue is a choice field's value as every form shows it: between ‹ › while focused, so
// that it reads as a choice ←/→ change.
func ChoiceValue(v string, focused bool) string {
	if focused {
		return "‹ " + v + " ›"
	}
	return v
}
