package stepper

import (
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
)

// The "show for selection" view (v): the value c would copy, alone on the screen with no border
// and nothing beside it, and the mouse released (ui.MouseReleaser), for when the clipboard cannot
// be reached (OSC 52 refused, a terminal over SSH): the user selects it with the mouse instead.

// selectView is the value shown for selection; the view is open while value is set. gen tags the
// rewrite of the value (selectDrawnMsg) to the opening that asked for it.
type selectView struct {
	label, value string
	gen          int
}

// selectDrawnMsg says the selection view has been drawn: its value can be written over again as
// one run of text (rewriteForSelection).
type selectDrawnMsg struct{ gen int }

// valueRow is the screen row (1-based) where the value starts: under the heading and a blank line.
const valueRow = 3

// afterDraw waits for the renderer to draw the view (it draws at most 60 frames a second).
func afterDraw(gen int) tea.Cmd {
	return tea.Tick(60*time.Millisecond, func(time.Time) tea.Msg { return selectDrawnMsg{gen: gen} })
}

// onSelectDrawn writes the value over itself as one run of text from its first cell, so that the
// terminal wraps it at its edge and marks the lines as wrapped: a selection across them (xterm,
// tmux, most terminals) then gives the value back without line breaks. The cells written hold what
// the renderer drew, so its picture of the screen stays true; the cursor is saved and restored
// around the write. A value that would reach the last row is not rewritten (the terminal would
// scroll).
func (s flowModel) onSelectDrawn(msg selectDrawnMsg) (flowModel, tea.Cmd) {
	if s.selecting.value == "" || msg.gen != s.selecting.gen {
		return s, nil
	}
	w := max(1, s.c.Width)
	rows := 0
	lines := strings.Split(s.c.Untrusted(s.selecting.value), "\n")
	for _, l := range lines {
		rows += max(1, (ansi.StringWidth(l)+w-1)/w)
	}
	if valueRow-1+rows >= s.c.Height {
		return s, nil
	}
	return s, tea.Raw(ansi.SaveCursor + ansi.CursorPosition(1, valueRow) + strings.Join(lines, "\r\n") + ansi.RestoreCursor)
}

// openSelectView is v: the step's copyable value, shown for selection.
func (s flowModel) openSelectView() (flowModel, tea.Cmd) {
	label, value := s.copyable()
	if value == "" {
		s.notice = "nothing to show here yet"
		return s, nil
	}
	s.selecting = selectView{label: label, value: value, gen: s.selecting.gen + 1}
	return s, afterDraw(s.selecting.gen)
}

// handleSelectKey: esc (or v again) goes back; every other key is ignored.
func (s flowModel) handleSelectKey(msg tea.KeyPressMsg) (flowModel, tea.Cmd) {
	if key.Matches(msg, s.keys.Cancel) || key.Matches(msg, s.keys.Select) {
		s.selecting = selectView{gen: s.selecting.gen}
		s.notice = ""
		return s, tea.ClearScreen // a full repaint, whatever the terminal made of the rewrite
	}
	return s, nil
}

// ReleasesMouse reports that the value is shown for selection: the root then leaves the mouse to
// the terminal.
func (s flowModel) ReleasesMouse() bool { return s.selecting.value != "" }

// selectionView is the value, broken only at the terminal's edge (the renderer draws no cell past
// it), with nothing before it on its lines; onSelectDrawn then lets the terminal wrap it itself.
func (s flowModel) selectionView() string {
	st := s.c.Styles
	head := st.Title.Render(s.selecting.label) + "  " + st.Muted.Render("select with the mouse, esc to go back")
	lines := []string{head, ""}
	for _, l := range strings.Split(s.c.Untrusted(s.selecting.value), "\n") {
		lines = append(lines, ansi.Hardwrap(l, max(1, s.c.Width), false))
	}
	return strings.Join(lines, "\n")
}

// redrawSelection rewrites the value once the view is drawn again at a new size.
func (s flowModel) redrawSelection() tea.Cmd {
	if s.selecting.value == "" {
		return nil
	}
	return afterDraw(s.selecting.gen)
}
