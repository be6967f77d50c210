// Package profilescreen is the Profiles screen: the tenant profiles of the store, listed, created,
// edited, imported and exported, and opened into a session.
package profilescreen

import (
	"context"
	"strings"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/spinner"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"

	"github.com/tokenbench/tokenbench/flows"
	"github.com/tokenbench/tokenbench/profiles"
	"github.com/tokenbench/tokenbench/tui/ui"
)

// The Profiles screen: the profiles of the store in a list with a filter; enter opens one (its
// secret resolved in a command, esc cancels) and the root starts a session on it. A store whose
// file did not load is shown with its error and never written; an empty store offers the demo and
// the presets instead of an empty list. The files: model.go (state, Update, the list), keys.go,
// commands.go (the commands), results.go (the one running and its results), prompts.go (copy,
// delete, import, export, the form's keys), menu.go (n: demo, presets, discovery URL, blank),
// form*.go and urls.go (the form), view.go (rendering).

// profileMode is what the profiles screen shows and where its keys go.
type profileMode int

const (
	modeList          profileMode = iota // the list (its filter may have focus)
	modeMenu                             // the new-profile menu: demo, presets, discovery URL, blank, import
	modeDiscovery                        // a discovery URL typed, then what it holds
	modeForm                             // the profile form
	modeConfirmDelete                    // y deletes the selected profile
	modeCopyName                         // the copy's name
	modeImportPath                       // the file to import
	modeImportClash                      // rename / replace / cancel for names already taken
	modeExportPath                       // the file to export to
	modeDoctor                           // the doctor's findings on the selected profile
)

// profileRow is one profile as the list shows it, derived in Update.
type profileRow struct {
	p          profiles.Profile
	issuer     string // the issuer, expanded from the preset
	method     string // the client authentication, the preset's default included
	settingErr error  // what Settings said, when the profile does not expand
}

// Model is the Profiles screen.
type Model struct {
	c    *ui.Common
	keys profileKeys
	spin spinner.Model

	mode profileMode
	all  []profileRow
	// shown are the indices into all that pass the filter; sel indexes shown.
	shown  []int
	sel    int
	filter textinput.Model

	// loadErr is the store's load error: the file is shown, never written. noStore is why there is
	// no store at all.
	loadErr  error
	noStore  error
	warnings []string

	// keyringErr is why the OS keyring did not answer the probe (nil when it did, or before the
	// answer: keyringProbed); a new profile's secret then goes to a file (keyring.go).
	keyringErr    error
	keyringProbed bool

	menu      profileMenu
	discovery discoveryPrompt
	// doctor is the last diagnosis (D) and doctorName the profile it is of.
	doctor     flows.Diagnosis
	doctorName string
	doctorTop  int // the first line shown
	form       profileForm
	prompt     textinput.Model // copy name, import and export paths
	// exportAll says the export prompt is for every profile; overwrite that the file named may be
	// replaced (enter pressed twice on it).
	exportAll bool
	overwrite string
	clash     *importClash
	clashSel  int

	// op is the command waited for, reqID tags its result and cancel ends it (STYLE §3).
	op     profileOp
	reqID  int
	cancel context.CancelFunc
	// notice is the result of the last action; failure is the last failure, shown in place with
	// what to do; openWarnings are the warnings of the profile last opened.
	notice       string
	failure      error
	failedOpen   string
	openWarnings []string

	width, height int
}

// New builds the screen on the store's profiles (read when the store was opened).
func New(c *ui.Common) ui.Screen {
	s := Model{
		c:      c,
		keys:   defaultProfileKeys(),
		spin:   spinner.New(spinner.WithSpinner(spinner.MiniDot)),
		filter: ui.NewLineInput(c, "name, preset, issuer, client id …"),
		prompt: ui.NewLineInput(c, ""),
		width:  c.Width,
		height: c.Height,
	}
	s.spin.Style = c.Styles.Spinner
	s.filter.Prompt = "/ "
	s.menu = newProfileMenu(c, c.StartDemo != nil)
	switch {
	case c.Store == nil:
		s.noStore = c.StoreErr
	default:
		s = s.setList(c.Store.List(), c.Store.Err(), c.Store.Warnings(), "")
	}
	return s.layout()
}

// CapturingText reports whether a text input has focus, so that q, 1..4, L and ? are typed.
func (s Model) CapturingText() bool {
	switch s.mode {
	case modeForm, modeCopyName, modeImportPath, modeExportPath:
		return true
	case modeDiscovery:
		return s.discovery.input.Focused()
	case modeList:
		return s.filter.Focused() || s.menu.filter.Focused()
	case modeMenu:
		return s.menu.filter.Focused()
	case modeConfirmDelete, modeImportClash, modeDoctor:
	}
	return false
}

// readOnly reports whether the store refuses writes: its file did not load, or there is none.
func (s Model) readOnly() bool { return s.loadErr != nil || s.c.Store == nil }

// empty reports whether the store loaded and holds no profile: the screen then offers the demo and
// the presets.
func (s Model) empty() bool { return !s.readOnly() && len(s.all) == 0 }

// ShowsTime says the profiles screen takes ticks: its spinner.
func (s Model) ShowsTime() {}

// Update handles the screen's messages; every case hands off to a method.
func (s Model) Update(msg tea.Msg) (ui.Screen, tea.Cmd) {
	s, cmd := s.update(msg)
	return s.layout(), cmd
}

func (s Model) update(msg tea.Msg) (Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.KeyPressMsg:
		return s.handleKey(msg)
	case tea.PasteMsg:
		return s.handlePaste(msg)
	case tea.MouseWheelMsg:
		return s.wheel(msg)
	case tea.WindowSizeMsg:
		s.width, s.height = msg.Width, msg.Height
		return s, nil
	case tea.BackgroundColorMsg:
		return s.restyle(), nil
	case spinner.TickMsg:
		return s.tickSpinner(msg)
	case ProfileOpenedMsg:
		return s.onOpened(msg)
	case doctorDoneMsg:
		return s.onDiagnosed(msg)
	case keyringProbedMsg:
		return s.onKeyringProbed(msg), nil
	case demoStartedMsg:
		return s.onDemo(msg)
	case profilesChangedMsg:
		return s.onChanged(msg), nil
	case discoveryFetchedMsg:
		return s.onDiscovery(msg), nil
	case clientRegisteredMsg:
		return s.onRegistered(msg)
	case ui.SessionFailedMsg:
		return s.onSessionFailed(msg), nil
	}
	return s.updateInputs(msg)
}

// updateInputs hands other messages (the cursor's blink) to the focused input.
func (s Model) updateInputs(msg tea.Msg) (Model, tea.Cmd) {
	var cmd tea.Cmd
	switch s.mode {
	case modeList, modeMenu:
		if s.menuShown() {
			s.menu.filter, cmd = s.menu.filter.Update(msg)
			break
		}
		s.filter, cmd = s.filter.Update(msg)
	case modeForm:
		s.form, cmd = s.form.updateInput(msg)
	case modeDiscovery:
		s.discovery.input, cmd = s.discovery.input.Update(msg)
	case modeCopyName, modeImportPath, modeExportPath:
		s.prompt, cmd = s.prompt.Update(msg)
	case modeConfirmDelete, modeImportClash, modeDoctor:
	}
	return s, cmd
}

// restyle follows a change of background.
func (s Model) restyle() Model {
	s.spin.Style = s.c.Styles.Spinner
	s.filter.SetStyles(s.c.Styles.Input)
	s.menu.filter.SetStyles(s.c.Styles.Input)
	s.prompt.SetStyles(s.c.Styles.Input)
	s.discovery.input.SetStyles(s.c.Styles.Input)
	s.form = s.form.restyle(s.c)
	return s
}

func (s Model) handleKey(msg tea.KeyPressMsg) (Model, tea.Cmd) {
	if s.op != opNone {
		return s.handleBusyKey(msg)
	}
	switch s.mode {
	case modeForm:
		return s.handleFormKey(msg)
	case modeMenu:
		return s.handleMenuKey(msg)
	case modeDiscovery:
		return s.handleDiscoveryKey(msg)
	case modeConfirmDelete:
		return s.handleConfirmKey(msg)
	case modeCopyName, modeImportPath, modeExportPath:
		return s.handlePromptKey(msg)
	case modeImportClash:
		return s.handleClashKey(msg)
	case modeDoctor:
		return s.handleDoctorKey(msg)
	case modeList:
	}
	if s.filter.Focused() {
		return s.handleFilterKey(msg)
	}
	return s.handleListKey(msg)
}

// wheel moves as ↑ and ↓ do: the selection of the list or menu, the focus of the form (its view
// follows the focus).
func (s Model) wheel(msg tea.MouseWheelMsg) (Model, tea.Cmd) {
	switch msg.Button {
	case tea.MouseWheelUp:
		return s.handleKey(tea.KeyPressMsg{Code: tea.KeyUp})
	case tea.MouseWheelDown:
		return s.handleKey(tea.KeyPressMsg{Code: tea.KeyDown})
	}
	return s, nil
}

// handleBusyKey: while a command runs only esc (cancel) is taken; the rest waits.
func (s Model) handleBusyKey(msg tea.KeyPressMsg) (Model, tea.Cmd) {
	if key.Matches(msg, s.keys.Cancel) {
		return s.cancelOp(), nil
	}
	return s, nil
}

func (s Model) handleListKey(msg tea.KeyPressMsg) (Model, tea.Cmd) {
	k := s.keys
	if s.menuShown() {
		return s.handleMenuKey(msg)
	}
	switch {
	case key.Matches(msg, k.Cancel):
		return s.clearFilter(), nil
	case key.Matches(msg, k.Up):
		return s.move(-1), nil
	case key.Matches(msg, k.Down):
		return s.move(+1), nil
	case key.Matches(msg, k.Use):
		return s.openSelected()
	case key.Matches(msg, k.Doctor):
		return s.diagnoseSelected()
	case key.Matches(msg, k.Filter):
		s.notice = ""
		return s, s.filter.Focus()
	case key.Matches(msg, k.Reload):
		return s.reload()
	}
	return s.handleWriteKey(msg)
}

// handleWriteKey handles the keys that change the store, refused when it is read-only.
func (s Model) handleWriteKey(msg tea.KeyPressMsg) (Model, tea.Cmd) {
	k := s.keys
	for _, b := range []key.Binding{k.New, k.Edit, k.Copy, k.Delete, k.Import, k.Export, k.ExportAll} {
		if key.Matches(msg, b) && s.readOnly() {
			s.notice, s.failure = "", errReadOnly(s)
			return s, nil
		}
	}
	switch {
	case key.Matches(msg, k.New):
		return s.openMenu(), nil
	case key.Matches(msg, k.Edit):
		return s.editSelected()
	case key.Matches(msg, k.Copy):
		return s.askCopy()
	case key.Matches(msg, k.Delete):
		return s.askDelete(), nil
	case key.Matches(msg, k.Import):
		return s.askImport()
	case key.Matches(msg, k.Export):
		return s.askExport(false)
	case key.Matches(msg, k.ExportAll):
		return s.askExport(true)
	}
	return s, nil
}

// handleFilterKey: typing filters as it goes; enter keeps the filter, esc clears it; ↑/↓ still move.
func (s Model) handleFilterKey(msg tea.KeyPressMsg) (Model, tea.Cmd) {
	switch {
	case key.Matches(msg, s.keys.Cancel):
		return s.clearFilter(), nil
	case key.Matches(msg, s.keys.Submit):
		s.filter.Blur()
		return s, nil
	case msg.String() == "up":
		return s.move(-1), nil
	case msg.String() == "down":
		return s.move(+1), nil
	}
	var cmd tea.Cmd
	s.filter, cmd = s.filter.Update(msg)
	return s.applyFilter(), cmd
}

// clearFilter empties and leaves the filter.
func (s Model) clearFilter() Model {
	s.filter.SetValue("")
	s.filter.Blur()
	s.notice, s.failure = "", nil
	return s.applyFilter()
}

// handlePaste sends a bracketed paste to the focused input.
func (s Model) handlePaste(msg tea.PasteMsg) (Model, tea.Cmd) {
	if !s.CapturingText() {
		return s, nil
	}
	s, cmd := s.updateInputs(msg)
	switch {
	case s.menuShown():
		s.menu.sel = 0
	case s.mode == modeList:
		s = s.applyFilter()
	}
	if s.mode == modeForm {
		s.form = s.form.refresh()
	}
	return s, cmd
}

// setList replaces the profiles shown, keeping the selection on sel or on the profile selected.
func (s Model) setList(list []profiles.Profile, loadErr error, warnings []string, sel string) Model {
	if sel == "" {
		if r, ok := s.selected(); ok {
			sel = r.p.Name
		}
	}
	s.loadErr, s.warnings = loadErr, warnings
	s.all = make([]profileRow, len(list))
	for i, p := range list {
		s.all[i] = newProfileRow(p)
	}
	s = s.applyFilter()
	for i, idx := range s.shown {
		if s.all[idx].p.Name == sel {
			s.sel = i
		}
	}
	if s.mode == modeList && s.empty() {
		s.menu.sel = 0
	}
	return s
}

// newProfileRow derives what the list shows of a profile.
func newProfileRow(p profiles.Profile) profileRow {
	r := profileRow{p: p, issuer: p.Issuer, method: string(p.AuthMethod)}
	set, err := p.Settings()
	if err != nil {
		r.settingErr = err
		return r
	}
	r.issuer = set.Issuer
	if set.Issuer == "" && set.Endpoints.Token != "" {
		r.issuer = set.Endpoints.Token
	}
	r.method = string(set.AuthMethod)
	if r.method == "" && p.ClientSecret != "" {
		r.method = "client_secret_basic"
	}
	return r
}

// applyFilter recomputes the rows shown, case-insensitively on the name, preset, issuer, client id
// and notes.
func (s Model) applyFilter() Model {
	q := strings.ToLower(strings.TrimSpace(s.filter.Value()))
	s.shown = s.shown[:0:0]
	for i, r := range s.all {
		hay := strings.ToLower(strings.Join([]string{r.p.Name, r.p.Preset, r.issuer, r.p.ClientID, r.p.Notes}, "\x00"))
		if q == "" || strings.Contains(hay, q) {
			s.shown = append(s.shown, i)
		}
	}
	s.sel = max(0, min(s.sel, len(s.shown)-1))
	return s
}

// selected is the selected profile's row.
func (s Model) selected() (profileRow, bool) {
	if s.sel < 0 || s.sel >= len(s.shown) {
		return profileRow{}, false
	}
	return s.all[s.shown[s.sel]], true
}

// move selects the row above or below.
func (s Model) move(delta int) Model {
	s.sel = max(0, min(len(s.shown)-1, s.sel+delta))
	s.notice, s.failure, s.openWarnings = "", nil, nil
	return s
}
