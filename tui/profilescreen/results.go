package profilescreen

import (
	"context"

	"charm.land/bubbles/v2/spinner"
	tea "charm.land/bubbletea/v2"

	"github.com/tokenbench/tokenbench/tui/ui"
)

// The profiles screen's commands and their results: one at a time, tagged with a reqID, cancelled
// with esc (STYLE §3). Opening a profile resolves its secret and hands the configuration to the
// root (ClientReadyMsg); the store's changes come back as the store's new content.

// profileOp is the command the screen waits for; one at a time.
type profileOp int

const (
	opNone profileOp = iota
	opOpen
	opDemo
	opSave
	opDelete
	opCopy
	opImport
	opExport
	opDiscover
	opReload
	opDoctor
	opRegister
)

// busyText says what the screen waits for.
func (op profileOp) busyText() string {
	switch op {
	case opOpen:
		return "opening the profile: reading its client secret (a keyring prompt or a cmd: command may take a moment)"
	case opDemo:
		return "starting the built-in provider"
	case opSave:
		return "saving"
	case opDelete:
		return "deleting"
	case opCopy:
		return "copying"
	case opImport:
		return "importing"
	case opExport:
		return "exporting"
	case opDiscover:
		return "fetching the discovery document"
	case opReload:
		return "reading the profile file"
	case opRegister:
		return "registering a client (RFC 7591)"
	case opDoctor:
		return "diagnosing the tenant: transport, discovery, keys, client authentication, redirect URI (no login, nothing changed)"
	case opNone:
	}
	return ""
}

// startOp begins waiting for a command: a new reqID and, when the command takes a context, its
// cancel.
func (s Model) startOp(op profileOp, cancel context.CancelFunc) (Model, tea.Cmd) {
	s.reqID++
	s.op, s.cancel = op, cancel
	s.notice, s.failure, s.failedOpen = "", nil, ""
	return s, s.spin.Tick
}

// endOp stops waiting; the caller has checked the reqID.
func (s Model) endOp() Model {
	if s.cancel != nil {
		s.cancel()
	}
	s.op, s.cancel = opNone, nil
	return s
}

// cancelOp is esc while a command runs: its context is cancelled and its late result dropped
// (the reqID moves on). A store change already under way still completes on disk: the list is then
// stale until the next change or ctrl+l.
func (s Model) cancelOp() Model {
	what := s.op.busyText()
	s = s.endOp()
	s.reqID++
	s.notice = "cancelled: " + what
	return s
}

func (s Model) tickSpinner(msg spinner.TickMsg) (Model, tea.Cmd) {
	if s.op == opNone || msg.ID != s.spin.ID() {
		return s, nil
	}
	var cmd tea.Cmd
	s.spin, cmd = s.spin.Update(msg)
	return s, cmd
}

// openSelected resolves the selected profile in a command; the root opens the flow on it.
func (s Model) openSelected() (Model, tea.Cmd) {
	r, ok := s.selected()
	if !ok {
		return s, nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), profileOpenTimeout)
	s, tick := s.startOp(opOpen, cancel)
	s.openWarnings = nil
	return s, tea.Batch(tick, openProfile(ctx, r.p, s.c.Secrets, s.reqID))
}

// onOpened hands a resolved profile to the root (ClientReadyMsg), or shows why it failed.
func (s Model) onOpened(msg ProfileOpenedMsg) (Model, tea.Cmd) {
	if msg.reqID != s.reqID || s.op != opOpen {
		return s, nil // cancelled, or superseded
	}
	s = s.endOp()
	s.openWarnings = msg.secretWarnings
	if msg.err != nil {
		s.failure, s.failedOpen = msg.err, msg.name
		return s, nil
	}
	// The note beside the tabs names the tenant in use: with dozens of them, it must be on screen.
	note := "profile " + msg.label
	if len(msg.warnings) > 0 {
		note += " · ⚠ " + msg.warnings[0]
	}
	s.notice = "opened " + msg.name
	return s, ui.Announce(ui.ClientReadyMsg{Name: msg.label, Grant: msg.grant, Config: msg.config, Transport: msg.transport, Note: note, Profile: msg.name})
}

// openDemo starts the built-in provider in a command.
func (s Model) openDemo() (Model, tea.Cmd) {
	s, tick := s.startOp(opDemo, nil)
	return s, tea.Batch(tick, startDemo(s.c.StartDemo, s.reqID))
}

func (s Model) onDemo(msg demoStartedMsg) (Model, tea.Cmd) {
	if msg.reqID != s.reqID || s.op != opDemo {
		return s, nil
	}
	s = s.endOp()
	if msg.err != nil {
		s.failure = msg.err
		return s, nil
	}
	d := msg.demo
	s.notice = "opened the built-in provider"
	return s, ui.Announce(ui.ClientReadyMsg{Name: d.Name, Config: d.Config, Transport: d.Transport, Note: d.Note, Demo: d.Controls})
}

// reload reads the profile file again.
func (s Model) reload() (Model, tea.Cmd) {
	if s.c.Store == nil {
		return s, nil
	}
	s, tick := s.startOp(opReload, nil)
	return s, tea.Batch(tick, reloadProfiles(s.c.Store, s.reqID))
}

// onChanged takes the store as a command left it.
func (s Model) onChanged(msg profilesChangedMsg) Model {
	if msg.reqID != s.reqID || s.op == opNone {
		return s
	}
	op := s.op
	s = s.endOp()
	s = s.setList(msg.list, msg.loadErr, msg.warnings, msg.sel)
	switch {
	case msg.clash != nil:
		s.mode, s.clash, s.clashSel = modeImportClash, msg.clash, 0
	case msg.err != nil && op == opSave:
		s.form = s.form.saveFailed(msg.err)
	case msg.err != nil && op == opExport && msg.err == errExportExists:
		s.overwrite = s.prompt.Value()
		s.failure = msg.err
	case msg.err != nil:
		s.failure = msg.err
		if op != opExport {
			s.mode = modeList
		}
	default:
		s.notice = msg.notice
		s.mode = modeList
		s.prompt.Blur()
		s.form = profileForm{}
	}
	if s.mode == modeList && s.empty() {
		s.menu.sel = 0
	}
	return s
}

// onSessionFailed shows why the root could not build a client on the configuration opened (a CA
// bundle that does not parse, for instance).
func (s Model) onSessionFailed(msg ui.SessionFailedMsg) Model {
	s.failure, s.notice = msg.Err, ""
	return s
}
