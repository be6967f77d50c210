package tracescreen

import (
	"fmt"
	"path/filepath"
	"strings"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"

	"github.com/tokenbench/tokenbench/flows"
	"github.com/tokenbench/tokenbench/profiles"
	"github.com/tokenbench/tokenbench/tui/ui"
)

// A customer's HAR file opened in the trace: O prompts for its path, a command reads and parses it
// (flows.ReadHAR, as `tokenbench har` does), and the list shows the file's exchanges in place of
// the session's until esc; f shows the file's findings, then every token in it with its checks,
// in place of the detail. The session keeps
// recording meanwhile: esc lists its trace as it is then.

// harFile is a HAR file shown in the trace.
type harFile struct {
	name string
	flow *flows.HARFlow
	// failed is the number of ✗ findings.
	failed int
}

// harOpenedMsg reports a HAR file read and parsed, or why it could not be.
type harOpenedMsg struct {
	id   int
	path string
	flow *flows.HARFlow
	err  error
}

// openPrompt is the prompt of the path of a HAR file to open.
const openPrompt = "HAR file: "

// newPathInput is the input for the path of a HAR file to open.
func newPathInput(c *ui.Common) textinput.Model {
	in := textinput.New()
	in.Prompt = openPrompt
	in.Placeholder = ui.Hint("path of a .har file exported from the browser's developer tools")
	in.SetStyles(c.Styles.Input)
	return in
}

// CapturingText keeps single-letter global keys away while a path is typed.
func (s Model) CapturingText() bool { return s.prompting || s.filter.Focused() }

// startPrompt focuses the path input.
func (s Model) startPrompt() (ui.Screen, tea.Cmd) {
	s.prompting, s.saveAs = true, ""
	s.status = ""
	s.input.Reset()
	s.input.Prompt = openPrompt
	focus := s.input.Focus()
	return s.layout(), focus
}

// handlePromptKey edits the path: enter opens the file in a command, esc gives up.
func (s Model) handlePromptKey(msg tea.KeyPressMsg) (ui.Screen, tea.Cmd) {
	switch {
	case key.Matches(msg, s.keys.Back):
		s.prompting = false
		s.input.Blur()
		if s.saveAs != "" && s.statusBad {
			s.status = "" // the question about an existing file
		}
		return s.layout(), nil
	case key.Matches(msg, s.keys.OpenPath):
		path := cleanPath(s.input.Value())
		s.prompting = false
		s.input.Blur()
		if path == "" {
			return s.layout(), nil
		}
		if s.saveAs != "" {
			return s.submitSave(path)
		}
		if !filepath.IsAbs(path) {
			path = filepath.Join(s.dir, path)
		}
		s.openID++
		s.status, s.statusBad = "reading "+path+" …", false
		return s.layout(), openHAR(path, s.openID)
	}
	var cmd tea.Cmd
	s.input, cmd = s.input.Update(msg)
	return s, cmd
}

// cleanPath trims what a terminal adds to a dropped or pasted path: spaces, quotes, and a leading
// ~/ for the home directory.
func cleanPath(p string) string {
	p = strings.TrimSpace(p)
	if len(p) >= 2 && (p[0] == '\'' || p[0] == '"') && p[len(p)-1] == p[0] {
		p = p[1 : len(p)-1]
	}
	return profiles.ExpandHome(p)
}

// openHAR reads and parses a HAR file in a command, refusing one over flows.MaxHARBytes before
// reading it.
func openHAR(path string, id int) tea.Cmd {
	return func() tea.Msg {
		msg := harOpenedMsg{id: id, path: path}
		data, err := profiles.ReadUserFile(path, "HAR file", flows.MaxHARBytes)
		if err != nil {
			msg.err = err
			return msg
		}
		msg.flow, msg.err = flows.ReadHAR(data)
		return msg
	}
}

// onHAROpened lists the file's exchanges in place of the session's, or says why it cannot; a
// failure leaves what was shown as it was.
func (s Model) onHAROpened(msg harOpenedMsg) Model {
	if msg.id != s.openID {
		return s // an older open finishing after a newer one started
	}
	if msg.err != nil {
		s.status, s.statusBad = "could not open the HAR file: "+s.c.Untrusted(msg.err.Error()), true
		return s.layout()
	}
	h := &harFile{name: filepath.Base(msg.path), flow: msg.flow}
	for _, f := range msg.flow.Findings {
		if f.Status == flows.FindingFailed {
			h.failed++
		}
	}
	if s.har == nil {
		s.sessionSel, s.sessionFollow = s.sel, s.follow
	}
	s.har, s.findings, s.zoom = h, false, false
	s.status, s.statusBad = "", false
	s = s.list(stepsNamed(msg.flow))
	s.sel, s.offset, s.follow = 0, 0, false
	s.vp.GotoTop()
	return s.layout()
}

// stepsNamed is the file's exchanges, each OAuth step named by its kind in the step column (the
// file's own exchanges are left as read).
func stepsNamed(h *flows.HARFlow) []*flows.Exchange {
	named := append([]flows.Exchange(nil), h.Exchanges...)
	for _, st := range h.Steps {
		if i := st.Entry - 1; i >= 0 && i < len(named) && named[i].Step == "" {
			named[i].Step = st.Kind
		}
	}
	xs := make([]*flows.Exchange, len(named))
	for i := range named {
		xs[i] = &named[i]
	}
	return xs
}

// closeHAR lists the session's trace again, its selection as it was.
func (s Model) closeHAR() Model {
	s.har, s.findings, s.zoom = nil, false, false
	s.status = ""
	s = s.list(s.c.Trace.Exchanges())
	s.follow = s.sessionFollow
	s.sel = min(s.sessionSel, max(0, len(s.exchanges)-1))
	if s.follow {
		s.sel = max(0, len(s.exchanges)-1)
	}
	s.vp.GotoTop()
	return s.layout()
}

// harHeader is the line naming the file shown and what it holds.
func (s Model) harHeader() string {
	h := s.har
	text := fmt.Sprintf("HAR file %s — %s, %s, %s (✗ %d)",
		s.c.Untrusted(h.name), ui.CountNoun(len(h.flow.Exchanges), "exchange"),
		ui.CountNoun(len(h.flow.Steps), "OAuth step"), ui.CountNoun(len(h.flow.Findings), "finding"), h.failed)
	return s.c.Styles.Title.Render(ui.Truncate(text, s.width))
}

// findingsView renders the file's findings at width w: each one's mark and summary, then what it
// means and what to do.
func (s Model) findingsView(w int) string {
	st := s.c.Styles
	fs := s.har.flow.Findings
	if len(fs) == 0 {
		return st.Muted.Render("No finding: the file holds no OAuth or OpenID Connect exchange to check.")
	}
	var b strings.Builder
	b.WriteString(st.Title.Render("Findings in "+s.c.Untrusted(s.har.name)) + "\n")
	for _, f := range fs {
		style := st.Pass
		switch f.Status {
		case flows.FindingFailed:
			style = st.Fail
		case flows.FindingUnknown:
			style = st.Warn
		}
		b.WriteString(style.Render(f.Status.Symbol()) + " " +
			ui.WrapHanging(s.c.Untrusted(f.Check+": "+f.Summary), max(1, w-2), "  ") + "\n")
		if f.Meaning != "" {
			b.WriteString(ui.WrapEach(st.Muted, "    means: "+s.c.Untrusted(f.Meaning), w, "           ") + "\n")
		}
		if f.Action != "" {
			b.WriteString(ui.WrapEach(st.Muted, "    do:    "+s.c.Untrusted(f.Action), w, "           ") + "\n")
		}
		if line := ui.Explanation(f.Code); line != "" && f.Status != flows.FindingOK {
			b.WriteString(ui.WrapEach(st.ErrorCode, "    "+s.c.Untrusted(f.Code)+": "+line, w, "           ") + "\n")
		}
	}
	b.WriteString(s.tokensView(w))
	return strings.TrimRight(b.String(), "\n")
}
