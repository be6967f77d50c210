package profilescreen

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/tokenbench/tokenbench/profiles"
	"github.com/tokenbench/tokenbench/tui/ui"
)

// The profiles screen's actions on the selected profile or the whole store: copy (asks the new
// name), delete (asks y), import (asks the file, then rename / replace / cancel on names taken),
// export (asks the file). Each change runs in a command through the store.

// errReadOnly says why nothing can be written.
func errReadOnly(s Model) error {
	if s.c.Store == nil {
		if s.noStore != nil {
			return fmt.Errorf("no profile file: %w", s.noStore)
		}
		return errors.New("no profile file here")
	}
	return errors.New("not while the profile file does not load (see above): fix it, then ctrl+l reads it again")
}

// editSelected opens the form on the selected profile.
func (s Model) editSelected() (Model, tea.Cmd) {
	r, ok := s.selected()
	if !ok {
		return s, nil
	}
	var cmd tea.Cmd
	s.form, cmd = s.editForm(r.p)
	s.mode = modeForm
	s.notice, s.failure = "", nil
	return s, cmd
}

// askDelete asks to confirm the deletion of the selected profile.
func (s Model) askDelete() Model {
	if _, ok := s.selected(); !ok {
		return s
	}
	s.mode = modeConfirmDelete
	s.notice, s.failure = "", nil
	return s
}

func (s Model) handleConfirmKey(msg tea.KeyPressMsg) (Model, tea.Cmd) {
	r, ok := s.selected()
	s.mode = modeList
	if !ok || !key.Matches(msg, s.keys.Confirm) {
		s.notice = "kept " + r.p.Name
		return s, nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), profileOpenTimeout)
	s, tick := s.startOp(opDelete, cancel)
	return s, tea.Batch(tick, deleteProfile(ctx, s.c.Store, s.c.Secrets, r.p.Name, s.reqID))
}

// askCopy asks the copy's name, NAME-copy to start with.
func (s Model) askCopy() (Model, tea.Cmd) {
	r, ok := s.selected()
	if !ok {
		return s, nil
	}
	return s.askPrompt(modeCopyName, r.p.Name+"-copy", "a name: letters, digits and . _ @ + -")
}

// askImport asks the file to import.
func (s Model) askImport() (Model, tea.Cmd) {
	return s.askPrompt(modeImportPath, "", "path of a file exported by tokenbench (~/ allowed)")
}

// askExport asks the file to export the selected profile (or all of them) to.
func (s Model) askExport(all bool) (Model, tea.Cmd) {
	r, ok := s.selected()
	if !ok && !all {
		return s, nil
	}
	name := "tokenbench-profiles.yaml"
	if !all {
		name = "tokenbench-" + r.p.Name + ".yaml"
	}
	s.exportAll = all
	return s.askPrompt(modeExportPath, name, "path of the file to write")
}

// askPrompt focuses the one-line prompt.
func (s Model) askPrompt(mode profileMode, value, placeholder string) (Model, tea.Cmd) {
	s.mode = mode
	s.notice, s.failure, s.overwrite = "", nil, ""
	s.prompt.SetValue(value)
	s.prompt.CursorEnd()
	s.prompt.Placeholder = ui.Hint(placeholder)
	s.prompt.SetWidth(max(10, s.width-4))
	return s, s.prompt.Focus()
}

// handlePromptKey: enter submits the prompt, esc leaves it; the rest is typed.
func (s Model) handlePromptKey(msg tea.KeyPressMsg) (Model, tea.Cmd) {
	switch {
	case key.Matches(msg, s.keys.Cancel):
		s.mode = modeList
		s.prompt.Blur()
		s.failure, s.overwrite = nil, ""
		return s, nil
	case key.Matches(msg, s.keys.Submit):
		return s.submitPrompt()
	}
	var cmd tea.Cmd
	s.prompt, cmd = s.prompt.Update(msg)
	if s.overwrite != "" && s.prompt.Value() != s.overwrite {
		s.overwrite, s.failure = "", nil
	}
	return s, cmd
}

// submitPrompt acts on the prompt's value.
func (s Model) submitPrompt() (Model, tea.Cmd) {
	v := strings.TrimSpace(s.prompt.Value())
	if v == "" {
		return s, nil
	}
	switch s.mode {
	case modeCopyName:
		r, _ := s.selected()
		if err := profiles.ValidateName(v); err != nil {
			s.failure = err
			return s, nil
		}
		s, tick := s.startOp(opCopy, nil)
		return s, tea.Batch(tick, copyProfile(s.c.Store, r.p.Name, v, s.reqID))
	case modeImportPath:
		s, tick := s.startOp(opImport, nil)
		return s, tea.Batch(tick, importProfiles(s.c.Store, v, nil, nil, s.reqID))
	case modeExportPath:
		ps := s.exportSet()
		overwrite := s.overwrite != "" && s.overwrite == s.prompt.Value()
		if !filepath.IsAbs(profiles.ExpandHome(v)) {
			if abs, err := filepath.Abs(v); err == nil {
				v = abs
			}
		}
		s, tick := s.startOp(opExport, nil)
		return s, tea.Batch(tick, exportProfiles(s.c.Store, ps, v, overwrite, s.reqID))
	case modeList, modeMenu, modeDiscovery, modeForm, modeConfirmDelete, modeImportClash:
	}
	return s, nil
}

// exportSet is what the export prompt exports: the selected profile, or every one.
func (s Model) exportSet() []profiles.Profile {
	if s.exportAll {
		ps := make([]profiles.Profile, len(s.all))
		for i, r := range s.all {
			ps[i] = r.p
		}
		return ps
	}
	r, _ := s.selected()
	return []profiles.Profile{r.p}
}

// clashChoices are the answers to an import whose names are taken.
var clashChoices = []struct {
	label  string
	action profiles.ClashAction
}{
	{"rename (import as NAME-2 …)", profiles.ClashRename},
	{"replace the existing profiles", profiles.ClashReplace},
	{"cancel the import", profiles.ClashRefuse},
}

func (s Model) handleClashKey(msg tea.KeyPressMsg) (Model, tea.Cmd) {
	k := s.keys
	switch {
	case key.Matches(msg, k.Cancel):
		return s.cancelClash(), nil
	case key.Matches(msg, k.Up), msg.String() == "left":
		s.clashSel = (s.clashSel + len(clashChoices) - 1) % len(clashChoices)
	case key.Matches(msg, k.Down), key.Matches(msg, k.Form.Choice):
		s.clashSel = (s.clashSel + 1) % len(clashChoices)
	case key.Matches(msg, k.Submit):
		choice := clashChoices[s.clashSel].action
		if choice == profiles.ClashRefuse {
			return s.cancelClash(), nil
		}
		clash := s.clash
		s.clash = nil
		s.mode = modeList
		s, tick := s.startOp(opImport, nil)
		return s, tea.Batch(tick, importProfiles(s.c.Store, clash.file, clash.parsed, &choice, s.reqID))
	}
	return s, nil
}

func (s Model) cancelClash() Model {
	s.notice = "nothing imported"
	s.clash = nil
	s.mode = modeList
	return s
}

// handleFormKey: tab, shift+tab, ↑/↓ and enter move between fields, ←/→ change a choice, ctrl+s
// saves, ctrl+r shows the secret being typed, esc leaves (twice when something changed).
func (s Model) handleFormKey(msg tea.KeyPressMsg) (Model, tea.Cmd) {
	k := s.keys
	ff, _ := s.form.focused()
	var cmd tea.Cmd
	switch {
	case key.Matches(msg, k.Form.Leave):
		return s.closeForm(), nil
	case key.Matches(msg, k.Form.Submit):
		return s.saveForm()
	case key.Matches(msg, k.RevealSecret):
		s.form = s.form.toggleReveal()
	case k.Form.FieldMove(msg) != 0:
		s.form, cmd = s.form.step(k.Form.FieldMove(msg))
	case ff.kind == fieldChoice && k.Form.ChoiceMove(msg) != 0:
		s.form = s.form.cycle(s.c, k.Form.ChoiceMove(msg))
	default:
		s.form, cmd = s.form.typeKey(msg)
	}
	s.form = s.form.refresh()
	return s, cmd
}

// closeForm leaves the form; with changes, the first esc only warns.
func (s Model) closeForm() Model {
	if s.form.dirty && !s.form.discard {
		s.form.discard = true
		return s
	}
	s.form = profileForm{}
	s.mode = modeList
	s.notice = "nothing saved"
	return s
}

// saveForm saves the profile in a command, unless it is invalid.
func (s Model) saveForm() (Model, tea.Cmd) {
	f := s.form.refresh()
	s.form = f
	if f.err != nil {
		if i := f.index(f.errField); i >= 0 {
			s.form, _ = f.focusField(i)
		}
		s.form.saveErr, s.form.saveField = errors.New("not saved: fix the field marked ✗ first"), ""
		return s, nil
	}
	p := f.prof
	p.SigningKey, p.DecryptionKey = absKeyPath(p.SigningKey), absKeyPath(p.DecryptionKey)
	save := profileSave{profile: p, isNew: f.isNew, secret: f.get(fieldSecretValue), needKeyring: f.needsKeyringSecret()}
	ctx, cancel := context.WithTimeout(context.Background(), profileOpenTimeout)
	s, tick := s.startOp(opSave, cancel)
	return s, tea.Batch(tick, saveProfile(ctx, s.c.Store, s.c.Secrets, save, s.reqID))
}

// absKeyPath makes a relative key file path absolute: the TUI may be started elsewhere next time.
func absKeyPath(path string) string {
	if path == "" || strings.HasPrefix(path, "~") || filepath.IsAbs(path) {
		return path
	}
	if abs, err := filepath.Abs(path); err == nil {
		return abs
	}
	return path
}
