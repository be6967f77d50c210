// Package tracescreen is the Trace screen: every HTTP exchange of the session, in full, secrets
// masked.
package tracescreen

import (
	"errors"
	"fmt"
	"path/filepath"
	"strings"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	"charm.land/bubbles/v2/viewport"
	tea "charm.land/bubbletea/v2"

	"github.com/tokenbench/tokenbench/flows"
	"github.com/tokenbench/tokenbench/profiles"
	"github.com/tokenbench/tokenbench/tui/ui"
)

// The trace lists every HTTP exchange of the session as it is recorded (the root listens on
// flows.Trace.Notify and broadcasts ExchangeRecordedMsg), and shows the selected one in full below,
// secrets masked until revealed. It copies a request as curl and saves the session as HAR 1.2 or
// Markdown, always redacted, in a command. view.go renders it; commands.go saves.

// Model is the trace screen.
type Model struct {
	c    *ui.Common
	keys traceKeys
	// all is every exchange listed (the session's, or a HAR file's); exchanges those the filter
	// lets through, which the list shows and sel indexes.
	all       []*flows.Exchange
	exchanges []*flows.Exchange
	filter    textinput.Model
	// stepWidth is the length of the longest step name listed (the list's step column), kept as
	// exchanges arrive so that laying out the list does not read them all.
	stepWidth int
	sel       int
	// follow keeps the newest exchange selected as exchanges arrive, until the user moves.
	follow bool
	// offset is the first exchange shown in the list.
	offset int
	// zoom gives the whole body to the detail.
	zoom bool
	vp   viewport.Model
	// dir is where exports are written: the current directory (tests use a temporary one).
	dir       string
	status    string
	statusBad bool
	saveID    int
	width     int
	height    int
	// input is the path prompt, focused while prompting: of a HAR file to open (O), or of the file
	// to save the session to (H, M) when saveAs is set. overwrite is the path the user was told
	// exists: enter on it again replaces the file.
	input     textinput.Model
	prompting bool
	saveAs    exportFormat
	overwrite string
	// log are the last outcomes of saves, older first, shown above the status so that a second
	// save does not hide the first.
	log    []string
	openID int
	// har is the HAR file listed in place of the session's trace, nil when the trace is listed;
	// findings shows its findings in place of the detail. sessionSel and sessionFollow are the
	// trace's selection, given back when the file is closed.
	har           *harFile
	findings      bool
	sessionSel    int
	sessionFollow bool
}

func New(c *ui.Common) ui.Screen {
	vp := viewport.New()
	vp.SoftWrap = true
	vp.MouseWheelEnabled = true
	vp.KeyMap = viewport.KeyMap{} // the trace's own keys scroll it
	s := Model{c: c, keys: defaultTraceKeys(), follow: true, vp: vp, dir: ".", input: newPathInput(c), filter: newFilterInput(c)}
	s = s.list(c.Trace.Exchanges())
	s.sel = max(0, len(s.exchanges)-1)
	return s
}

// Update handles the trace's messages.
func (s Model) Update(msg tea.Msg) (ui.Screen, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		s.width, s.height = msg.Width, msg.Height
		s.input.SetWidth(max(10, msg.Width-len(s.input.Prompt)-2))
		return s.layout(), nil
	case tea.KeyPressMsg:
		switch {
		case s.prompting:
			return s.handlePromptKey(msg)
		case s.filter.Focused():
			return s.handleFilterKey(msg)
		}
		return s.handleKey(msg)
	case tea.PasteMsg:
		var cmd tea.Cmd
		switch {
		case s.prompting:
			s.input, cmd = s.input.Update(msg)
		case s.filter.Focused():
			s.filter, cmd = s.filter.Update(msg)
			return s.applyFilter().layout(), cmd
		}
		return s, cmd
	case tea.MouseWheelMsg:
		s.vp, _ = s.vp.Update(msg)
		return s, nil
	case tea.MouseClickMsg:
		return s.click(msg), nil
	case ui.ExchangeRecordedMsg:
		if s.har != nil {
			return s, nil // the trace holds it: esc lists it
		}
		return s.onExchange(msg.Exchange), nil
	case traceSavedMsg:
		return s.onSaved(msg), nil
	case harOpenedMsg:
		return s.onHAROpened(msg), nil
	case tea.BackgroundColorMsg:
		s.input.SetStyles(s.c.Styles.Input)
		s.filter.SetStyles(s.c.Styles.Input)
		return s.layout(), nil
	case ui.LearnToggledMsg, ui.RevealToggledMsg:
		return s.layout(), nil
	}
	if s.prompting {
		var cmd tea.Cmd
		s.input, cmd = s.input.Update(msg) // the cursor's blink
		return s, cmd
	}
	return s, nil
}

func (s Model) handleKey(msg tea.KeyPressMsg) (ui.Screen, tea.Cmd) {
	switch {
	case key.Matches(msg, s.keys.Up) && s.zoom:
		s.vp.ScrollUp(1)
	case key.Matches(msg, s.keys.Down) && s.zoom:
		s.vp.ScrollDown(1)
	case key.Matches(msg, s.keys.Up):
		return s.selectExchange(s.sel - 1), nil
	case key.Matches(msg, s.keys.Down):
		return s.selectExchange(s.sel + 1), nil
	case key.Matches(msg, s.keys.Top):
		return s.selectExchange(0), nil
	case key.Matches(msg, s.keys.Bottom):
		return s.selectExchange(len(s.exchanges) - 1), nil
	case key.Matches(msg, s.keys.PageUp):
		s.vp.PageUp()
	case key.Matches(msg, s.keys.PageDown):
		s.vp.PageDown()
	case key.Matches(msg, s.keys.Zoom):
		s.zoom = len(s.exchanges) > 0
		return s.layout(), nil
	case key.Matches(msg, s.keys.Back) && s.har != nil && !s.zoom:
		return s.closeHAR(), nil
	case key.Matches(msg, s.keys.Back):
		s.zoom = false
		return s.layout(), nil
	case key.Matches(msg, s.keys.Open):
		return s.startPrompt()
	case key.Matches(msg, s.keys.Filter):
		return s.startFilter()
	case key.Matches(msg, s.keys.Findings) && s.har != nil:
		s.findings = !s.findings
		s.vp.GotoTop()
		return s.layout(), nil
	case key.Matches(msg, s.keys.Copy):
		return s.copyCurl()
	case key.Matches(msg, s.keys.HAR):
		return s.save(exportHAR)
	case key.Matches(msg, s.keys.Markdown):
		return s.save(exportMarkdown)
	}
	return s, nil
}

// selectExchange moves the selection; selecting the last one follows new exchanges again.
func (s Model) selectExchange(i int) Model {
	if len(s.exchanges) == 0 {
		return s
	}
	i = min(max(i, 0), len(s.exchanges)-1)
	if i != s.sel {
		s.vp.GotoTop()
	}
	s.sel = i
	s.follow = i == len(s.exchanges)-1
	return s.layout()
}

// click selects the exchange of the list row clicked (y counts from the list's heading, line 0,
// or from the HAR file's header above it).
func (s Model) click(msg tea.MouseClickMsg) Model {
	row := msg.Y - 1
	if s.har != nil {
		row--
	}
	if s.filterLine() != "" {
		row--
	}
	if msg.Button != tea.MouseLeft || row < 0 || row >= s.listRows() || s.offset+row >= len(s.exchanges) {
		return s
	}
	return s.selectExchange(s.offset + row)
}

// list makes xs the exchanges listed (those the filter lets through).
func (s Model) list(xs []*flows.Exchange) Model {
	s.all = xs
	s.stepWidth = 0
	for _, x := range xs {
		s.stepWidth = max(s.stepWidth, len(x.Step))
	}
	return s.applyFilter()
}

// onExchange lists a recorded exchange. The trace numbers exchanges from 1 without gaps. When the
// session's trace holds it (the root's watcher reads that trace), the list becomes the trace's
// snapshot, in constant time, and a gap left by a missed live update (the listener's buffer was
// full) closes at the same time; an exchange of another trace is appended.
func (s Model) onExchange(x flows.Exchange) Model {
	switch n := len(s.all); {
	case x.ID <= n:
		return s // already listed: the screen was built after it was recorded
	case s.c.Trace.Len() >= x.ID:
		xs := s.c.Trace.Exchanges()
		for _, y := range xs[n:] {
			s.stepWidth = max(s.stepWidth, len(y.Step))
		}
		s.all = xs
	default:
		s.all = append(s.all[:n:n], &x) // the snapshot we hold is shared: copy
		s.stepWidth = max(s.stepWidth, len(x.Step))
	}
	s = s.applyFilter()
	if s.follow {
		s.sel = len(s.exchanges) - 1
		s.vp.GotoTop()
	}
	return s.layout()
}

// selected is the selected exchange as shown: masked unless revealed.
func (s Model) selected() (flows.Exchange, bool) {
	if s.sel >= len(s.exchanges) {
		return flows.Exchange{}, false
	}
	x := *s.exchanges[s.sel]
	if !s.c.Reveal {
		x = x.Redact()
	}
	return x, true
}

// copyCurl copies the selected request as a curl command, as shown: masked unless revealed.
func (s Model) copyCurl() (ui.Screen, tea.Cmd) {
	x, ok := s.selected()
	if !ok {
		return s, nil
	}
	s.statusBad = false
	if s.c.Reveal {
		s.status = ui.CopiedNote(fmt.Sprintf("request #%d as curl, with its secrets", x.ID))
	} else {
		s.status = ui.CopiedNote(fmt.Sprintf("request #%d as curl, secrets masked (s, then c, to copy them)", x.ID))
	}
	return s.layout(), s.c.Copy(x.Curl())
}

const (
	exportHAR      exportFormat = "har"
	exportMarkdown exportFormat = "md"
)

// save asks where to save the session (H, M): the prompt is prefilled with a new file name in the
// current directory; the file is always redacted.
func (s Model) save(f exportFormat) (ui.Screen, tea.Cmd) {
	if s.har != nil {
		s.status, s.statusBad = "showing a HAR file: esc for the session's trace, then save it", true
		return s.layout(), nil
	}
	if s.c.Trace == nil || len(s.exchanges) == 0 {
		s.status, s.statusBad = "nothing to save: no HTTP exchange yet", true
		return s.layout(), nil
	}
	s.prompting, s.saveAs, s.overwrite = true, f, ""
	s = s.keepStatus()
	s.input.Prompt = "save " + exportName[f] + " to: "
	s.input.SetValue("tokenbench-" + s.c.Now().Format("20060102-150405") + "." + string(f))
	s.input.CursorEnd()
	s.input.SetWidth(max(10, s.width-len(s.input.Prompt)-2))
	return s.layout(), s.input.Focus()
}

// exportName names the formats for people.
var exportName = map[exportFormat]string{exportHAR: "HAR", exportMarkdown: "Markdown"}

// submitSave writes the session to the path typed, in a command; a path the user was told exists is
// replaced.
func (s Model) submitSave(path string) (ui.Screen, tea.Cmd) {
	if !filepath.IsAbs(path) {
		if abs, err := filepath.Abs(filepath.Join(s.dir, path)); err == nil {
			path = abs
		}
	}
	overwrite := path == s.overwrite
	s.saveID++
	s.status, s.statusBad = "saving…", false
	return s.layout(), saveTrace(s.c.Trace, path, s.saveAs, overwrite, s.saveID)
}

// onSaved shows where the export went (the save before stays in sight in the log: keepStatus); a
// file that exists brings the prompt back, asking.
func (s Model) onSaved(msg traceSavedMsg) Model {
	if msg.id != s.saveID {
		return s // an older save finishing after a newer one started
	}
	what := exportName[msg.format]
	if errors.Is(msg.err, profiles.ErrFileExists) {
		s.prompting, s.saveAs, s.overwrite = true, msg.format, msg.path
		s.input.Prompt = "save " + what + " to: "
		s.input.SetValue(msg.path)
		s.input.CursorEnd()
		s.status, s.statusBad = msg.path+" exists: enter replaces it, or change the name (esc cancels)", true
		return s.layout()
	}
	if msg.err != nil {
		s.status, s.statusBad = "could not save the "+what+": "+msg.err.Error(), true
		return s.layout()
	}
	s.status, s.statusBad = fmt.Sprintf("saved %s (%s, %s, secrets redacted)", msg.path, what, ui.CountNoun(msg.count, "exchange")), false
	return s.layout()
}

// keepStatus moves a save's outcome shown as the status to the log, which keeps the last two, as
// another save starts.
func (s Model) keepStatus() Model {
	if strings.HasPrefix(s.status, "saved ") || strings.HasPrefix(s.status, "could not save") {
		s.log = append(s.log, s.status)
		if len(s.log) > 2 {
			s.log = s.log[len(s.log)-2:]
		}
	}
	s.status, s.statusBad = "", false
	return s
}

// ShowsTrace says the trace screen takes each recorded exchange.
func (s Model) ShowsTrace() {}
