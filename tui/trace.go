package tui

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/viewport"
	tea "charm.land/bubbletea/v2"

	"github.com/tokenbench/tokenbench/flows"
)

// The trace lists every HTTP exchange of the session as it is recorded (the root listens on
// flows.Trace.Notify and broadcasts exchangeRecordedMsg), and shows the selected one in full below,
// secrets masked until revealed. It copies a request as curl and saves the session as HAR 1.2 or
// Markdown, always redacted, in a command. trace_view.go renders it.

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
}

func defaultTraceKeys() traceKeys {
	k := traceKeys{
		Up:       keyUp(),
		Down:     keyDown(),
		Top:      key.NewBinding(key.WithKeys("home", "g"), key.WithHelp("g/home", "first")),
		Bottom:   key.NewBinding(key.WithKeys("end", "G"), key.WithHelp("G/end", "last (follow)")),
		PageUp:   keyPageUp(),
		PageDown: keyPageDown(),
		Zoom:     key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "full detail")),
		Back:     keyCancel(),
		Reveal:   keyReveal(),
		Copy:     keyCopy("copy as curl"),
		HAR:      key.NewBinding(key.WithKeys("H"), key.WithHelp("H", "save HAR")),
		Markdown: key.NewBinding(key.WithKeys("M"), key.WithHelp("M", "save Markdown")),
	}
	k.Copy.SetKeys("c", "y")
	k.Copy.SetHelp("c/y", "copy as curl")
	k.Back.SetHelp("esc", "back to the list")
	return k
}

// ShortHelp is the trace's part of the footer.
func (s traceModel) ShortHelp() []key.Binding {
	return []key.Binding{s.keys.Zoom, s.keys.Reveal, s.keys.Copy, s.keys.HAR, s.keys.Markdown}
}

// FullHelp is every key of the trace.
func (s traceModel) FullHelp() [][]key.Binding {
	return [][]key.Binding{
		{s.keys.Up, s.keys.Down, s.keys.Top, s.keys.Bottom},
		{s.keys.Zoom, s.keys.Back, s.keys.PageUp, s.keys.PageDown},
		{s.keys.Reveal, s.keys.Copy, s.keys.HAR, s.keys.Markdown},
	}
}

// traceModel is the trace screen.
type traceModel struct {
	c         *common
	keys      traceKeys
	exchanges []flows.Exchange
	sel       int
	// follow keeps the newest exchange selected as exchanges arrive, until the user moves.
	follow bool
	// offset is the first exchange shown in the list.
	offset int
	reveal bool
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
}

func newTrace(c *common) screen {
	vp := viewport.New()
	vp.SoftWrap = true
	vp.MouseWheelEnabled = true
	vp.KeyMap = viewport.KeyMap{} // the trace's own keys scroll it
	s := traceModel{c: c, keys: defaultTraceKeys(), follow: true, vp: vp, dir: "."}
	s.exchanges = c.trace.Exchanges()
	s.sel = max(0, len(s.exchanges)-1)
	return s
}

// Update handles the trace's messages.
func (s traceModel) Update(msg tea.Msg) (screen, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		s.width, s.height = msg.Width, msg.Height
		return s.layout(), nil
	case tea.KeyPressMsg:
		return s.handleKey(msg)
	case tea.MouseWheelMsg:
		s.vp, _ = s.vp.Update(msg)
		return s, nil
	case tea.MouseClickMsg:
		return s.click(msg), nil
	case exchangeRecordedMsg:
		return s.onExchange(msg.exchange), nil
	case traceSavedMsg:
		return s.onSaved(msg), nil
	case tea.BackgroundColorMsg, learnToggledMsg:
		return s.layout(), nil
	}
	return s, nil
}

func (s traceModel) handleKey(msg tea.KeyPressMsg) (screen, tea.Cmd) {
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
	case key.Matches(msg, s.keys.Back):
		s.zoom = false
		return s.layout(), nil
	case key.Matches(msg, s.keys.Reveal):
		s.reveal = !s.reveal
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
func (s traceModel) selectExchange(i int) traceModel {
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

// click selects the exchange of the list row clicked (y counts from the list's heading, line 0).
func (s traceModel) click(msg tea.MouseClickMsg) traceModel {
	row := msg.Y - 1
	if msg.Button != tea.MouseLeft || row < 0 || row >= s.listRows() || s.offset+row >= len(s.exchanges) {
		return s
	}
	return s.selectExchange(s.offset + row)
}

// onExchange appends a recorded exchange. The trace numbers exchanges from 1 without gaps, so a
// gap means a live update was missed (the listener's buffer was full): the list is then read
// again from the trace, which keeps every exchange.
func (s traceModel) onExchange(x flows.Exchange) traceModel {
	switch n := len(s.exchanges); {
	case x.ID <= n:
		return s // already listed: the screen was built after it was recorded
	case x.ID == n+1:
		s.exchanges = append(s.exchanges[:n:n], x)
	default:
		s.exchanges = s.c.trace.Exchanges()
	}
	if s.follow {
		s.sel = len(s.exchanges) - 1
		s.vp.GotoTop()
	}
	return s.layout()
}

// selected is the selected exchange as shown: masked unless revealed.
func (s traceModel) selected() (flows.Exchange, bool) {
	if s.sel >= len(s.exchanges) {
		return flows.Exchange{}, false
	}
	x := s.exchanges[s.sel]
	if !s.reveal {
		x = x.Redact()
	}
	return x, true
}

// copyCurl copies the selected request as a curl command, as shown: masked unless revealed.
func (s traceModel) copyCurl() (screen, tea.Cmd) {
	x, ok := s.selected()
	if !ok {
		return s, nil
	}
	s.statusBad = false
	if s.reveal {
		s.status = fmt.Sprintf("copied request #%d as curl, with its secrets", x.ID)
	} else {
		s.status = fmt.Sprintf("copied request #%d as curl, secrets masked (s, then c, to copy them)", x.ID)
	}
	return s.layout(), tea.SetClipboard(x.Curl())
}

// exportFormat is a file format the session can be saved in.
type exportFormat string

const (
	exportHAR      exportFormat = "har"
	exportMarkdown exportFormat = "md"
)

// traceSavedMsg reports a saved export: the file's path, or why it could not be written.
type traceSavedMsg struct {
	id     int
	path   string
	format exportFormat
	count  int
	err    error
}

// save writes the session to a new file in a command; the file is always redacted.
func (s traceModel) save(f exportFormat) (screen, tea.Cmd) {
	if s.c.trace == nil || len(s.exchanges) == 0 {
		s.status, s.statusBad = "nothing to save: no HTTP exchange yet", true
		return s.layout(), nil
	}
	s.saveID++
	s.status, s.statusBad = "saving…", false
	return s.layout(), saveTrace(s.c.trace, s.dir, s.c.now(), f, s.saveID)
}

// saveTrace writes the trace as HAR or Markdown, secrets redacted, to a new file
// tokenbench-YYYYmmdd-HHMMSS.<ext> in dir, with mode 0600.
func saveTrace(t *flows.Trace, dir string, at time.Time, f exportFormat, id int) tea.Cmd {
	return func() tea.Msg {
		msg := traceSavedMsg{id: id, format: f, count: len(t.Exchanges())}
		var data []byte
		switch f {
		case exportHAR:
			data, msg.err = t.HAR("tokenbench")
		case exportMarkdown:
			data = t.Markdown()
		}
		if msg.err == nil {
			msg.path, msg.err = writeNewFile(dir, "tokenbench-"+at.Format("20060102-150405"), "."+string(f), data)
		}
		return msg
	}
}

// writeNewFile writes data to dir/base.ext, or base-2.ext … when that exists, never replacing a
// file, readable by its owner only. It returns the absolute path.
func writeNewFile(dir, base, ext string, data []byte) (string, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return "", fmt.Errorf("finding the directory: %w", err)
	}
	for n := 1; n <= 100; n++ {
		name := base + ext
		if n > 1 {
			name = fmt.Sprintf("%s-%d%s", base, n, ext)
		}
		path := filepath.Join(abs, name)
		f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
		if errors.Is(err, fs.ErrExist) {
			continue
		}
		if err != nil {
			return "", fmt.Errorf("creating the file: %w", err)
		}
		_, werr := f.Write(data)
		if cerr := f.Close(); werr == nil {
			werr = cerr
		}
		if werr != nil {
			return "", fmt.Errorf("writing %s: %w", path, werr)
		}
		return path, nil
	}
	return "", fmt.Errorf("%s%s and 99 numbered variants already exist in %s", base, ext, abs)
}

// onSaved shows where the export went.
func (s traceModel) onSaved(msg traceSavedMsg) traceModel {
	if msg.id != s.saveID {
		return s // an older save finishing after a newer one started
	}
	what := map[exportFormat]string{exportHAR: "HAR", exportMarkdown: "Markdown"}[msg.format]
	if msg.err != nil {
		s.status, s.statusBad = "could not save the "+what+": "+msg.err.Error(), true
		return s.layout()
	}
	s.status, s.statusBad = fmt.Sprintf("saved %s (%s, %s, secrets redacted)", msg.path, what, countNoun(msg.count, "exchange")), false
	return s.layout()
}
